/**
 * The Deno implementation of {@link Sys}, over `Deno.dlopen`. `poll` is
 * also bound as a `nonblocking` call, the only one that runs off the JS
 * thread (errno is per thread, and nothing reads it after `poll`).
 *
 * @module
 */

import { bpfSyscallNumber, libcCandidates, SYMBOLS } from "./symbols.ts";
import { makeSys, type Sys } from "./sys.ts";

const DENO_SYMBOLS = {
  ...SYMBOLS,
  poll_async: { ...SYMBOLS.poll, name: "poll", nonblocking: true },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * Opens libc through Deno's FFI. Needs `--allow-ffi`, or `--allow-ffi=PATH`
 * with the absolute path of libc (or of `libcPath`). Only candidates the
 * permissions already grant are tried, so nothing prompts; when none is
 * granted, Deno's own refusal (or prompt) for the first one is what the
 * caller sees.
 */
export function loadDenoSys(libcPath?: string): Sys {
  let lib: Deno.DynamicLibrary<typeof DENO_SYMBOLS> | undefined;
  let lastError: unknown;
  const candidates = libcCandidates(Deno.build.arch, libcPath);
  const granted = candidates.filter((path) => Deno.permissions.querySync({ name: "ffi", path }).state === "granted");
  for (const name of granted.length ? granted : candidates.slice(0, 1)) {
    try {
      lib = Deno.dlopen(name, DENO_SYMBOLS);
      break;
    } catch (e) {
      if (e instanceof Deno.errors.PermissionDenied || (e as Error).name === "NotCapable") throw e;
      lastError = e;
    }
  }
  if (!lib) {
    throw new Error(`Cannot load libc from ${candidates.join(", ")}: pass its path to setLibcPath()`, {
      cause: lastError,
    });
  }
  const s = lib.symbols;
  const loc = s.__errno_location();
  if (loc === null) throw new Error("Cannot locate errno: __errno_location returned NULL");
  const errnoView = new Deno.UnsafePointerView(loc);
  // Pending poll buffers stay referenced until their call settles.
  const inFlight = new Set<Uint8Array>();
  const raw = {
    fn: s,
    errno: () => errnoView.getInt32(),
    address: (buf: Uint8Array) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf))),
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
