/**
 * A table of functions bound on first call, for FFI symbols a command may
 * never call.
 *
 * @module
 */

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
