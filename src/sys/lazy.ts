/**
 * A table of functions bound on first call, for FFI symbols a command may
 * never call: both runtimes compile a trampoline per symbol at dlopen
 * (Deno about 0.3 to 1 ms each, Bun about 0.1 ms), and `link show` needs 9
 * of the 28.
 *
 * @module
 */

import { NlkitError } from "../errors.ts";

/**
 * An object with one function per name in `names`. Each starts as a stub
 * that, on its first call, binds the real function with `bind(name)`,
 * stores it in its own place (a plain property write: the object keeps its
 * shape, so later calls read a monomorphic data property and call the
 * bound function directly) and calls it. When `bind` throws, the stub
 * stays and the error reaches the caller; the next call tries again.
 */
export function lazySymbols<K extends string, F extends (...args: never[]) => unknown>(
  names: readonly K[],
  bind: (name: K) => F,
): Record<K, F> {
  const fns = {} as Record<K, F>;
  for (const name of names) {
    fns[name] = ((...args: Parameters<F>) => (fns[name] = bind(name))(...args)) as F;
  }
  return fns;
}

/** The error of a symbol `libcPath` lacks (an old glibc has no `gettid`): `ENOSYS`, naming it. */
export function missingSymbol(name: string, libcPath: string, cause: unknown): NlkitError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new NlkitError(`Cannot bind "${name}" from ${libcPath}: ${why}`, "ENOSYS", `dlsym ${name}`, { cause });
}
