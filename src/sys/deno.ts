/**
 * The Deno implementation of {@link Sys}, over `Deno.dlopen`. `poll` is
 * also bound as a `nonblocking` call, the only one that runs off the JS
 * thread (errno is per thread, and nothing reads it after `poll`).
 *
 * @module
 */

import { lazySymbols, missingSymbol } from "./lazy.ts";
import { bpfSyscallNumber, libcCandidates, SYMBOLS } from "./symbols.ts";
import { makeSys, type Sys } from "./sys.ts";
import { isRuntimePermissionDenied, runtimePermission } from "../errors.ts";

const DENO_SYMBOLS = {
  ...SYMBOLS,
  poll_async: { ...SYMBOLS.poll, name: "poll", nonblocking: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** Names in {@link DENO_SYMBOLS}. */
type DenoSymbolName = keyof typeof DENO_SYMBOLS;

/**
 * Opens libc through Deno's FFI. Needs `--allow-ffi`, or `--allow-ffi=PATH`
 * with the absolute path of libc (or of `libcPath`). Only candidates the
 * permissions already grant are tried, so nothing prompts; when none is
 * granted, Deno's own refusal (or prompt) for the first one is what the
 * caller sees. Each symbol is bound on first use, by its own dlopen (see
 * {@link lazySymbols}); the function bound is Deno's own, so its fast calls
 * stay.
 */
export function loadDenoSys(libcPath?: string): Sys {
  let errno: Deno.DynamicLibrary<{ __errno_location: typeof SYMBOLS.__errno_location }> | undefined;
  let path = "";
  let lastError: unknown;
  const candidates = libcCandidates(Deno.build.arch, libcPath);
  const granted = candidates.filter((p) => Deno.permissions.querySync({ name: "ffi", path: p }).state === "granted");
  for (const name of granted.length ? granted : candidates.slice(0, 1)) {
    try {
      errno = Deno.dlopen(name, { __errno_location: SYMBOLS.__errno_location });
      path = name;
      break;
    } catch (e) {
      if (isRuntimePermissionDenied(e)) throw runtimePermission(`dlopen ${name}`, "--allow-ffi", e);
      lastError ??= e; // the first failure says most (later candidates are other systems' names)
    }
  }
  if (!errno) throw new Error(loadFailure(granted, candidates, lastError), { cause: lastError });
  const s = lazySymbols(Object.keys(DENO_SYMBOLS) as DenoSymbolName[], (key) => bindDenoSymbol(path, key));
  const loc = errno.symbols.__errno_location();
  if (loc === null) throw new Error("Cannot locate errno: __errno_location returned NULL");
  const errnoView = new Deno.UnsafePointerView(loc);
  // Pending poll buffers stay referenced until their call settles.
  const inFlight = new Set<Uint8Array>();
  const raw = {
    fn: s,
    errno: () => errnoView.getInt32(),
    address: (buf: Uint8Array) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf))),
    size: (n: number) => BigInt(n),
    sysBpf: bpfSyscallNumber(Deno.build.arch),
  };
  return makeSys("deno", raw, async (fds, nfds) => {
    inFlight.add(fds);
    try {
      return await s.poll_async(fds, BigInt(nfds), -1);
    } finally {
      inFlight.delete(fds);
    }
  });
}

/** Binds one symbol of {@link DENO_SYMBOLS} from the libc at `path`; a libc without it is a {@link missingSymbol} error. */
// deno-lint-ignore no-explicit-any
export function bindDenoSymbol(path: string, key: DenoSymbolName): (...args: any[]) => any {
  const def = DENO_SYMBOLS[key];
  try {
    // deno-lint-ignore no-explicit-any
    return Deno.dlopen(path, { [key]: def } as Record<string, Deno.ForeignFunction>).symbols[key] as any;
  } catch (e) {
    if (isRuntimePermissionDenied(e)) throw runtimePermission(`dlopen ${path}`, "--allow-ffi", e);
    throw missingSymbol("name" in def ? def.name : key, path, e);
  }
}

/**
 * Why no libc loaded. Deno resolves a relative `--allow-ffi=libc.so.6`
 * against the current directory, so only an absolute path scopes it.
 */
function loadFailure(granted: string[], candidates: string[], cause: unknown): string {
  const why = cause instanceof Error ? cause.message : String(cause);
  const relative = granted.find((p) => !p.startsWith("/"));
  const scoped = Deno.permissions.querySync({ name: "ffi" }).state !== "granted";
  const hint = relative && scoped
    ? `Deno resolves --allow-ffi=${relative} against the current directory: give libc's absolute path (e.g. --allow-ffi=${
      candidates.find((p) => p.includes("-linux-gnu/"))
    }) or plain --allow-ffi`
    : "pass libc's path to setLibcPath()";
  return `Cannot load libc: ${why}; ${hint}`;
}
