/**
 * The Bun implementation of {@link Sys}, over `bun:ffi`. Bun has no
 * nonblocking FFI calls, so readiness waits run in one Worker that blocks
 * in `poll()` and posts back; the Worker never reads data or errno.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { lazySymbols, missingSymbol } from "./lazy.ts";
import { bpfSyscallNumber, libcCandidates, type SymbolName, SYMBOLS } from "./symbols.ts";
import { makeSys, type Sys } from "./sys.ts";

/** The part of `bun:ffi` nlkit uses. */
export interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  read: { i32(ptr: unknown, offset: number): number };
  ptr(buf: Uint8Array): number;
}

/** The part of Bun's Worker nlkit uses. */
interface BunWorker {
  postMessage(msg: unknown): void;
  addEventListener(type: "message", fn: (e: { data: unknown }) => void): void;
  ref(): void;
  unref(): void;
}

const BUN_TYPE: Record<string, string> = { buffer: "ptr", pointer: "ptr", usize: "u64" };

// The poller runs in a Worker made from this source, so a compiled binary
// needs no second entry point. It owns its own libc handle.
const WORKER_SOURCE = `
import { dlopen, ptr } from "bun:ffi";
let poll;
self.onmessage = (e) => {
  const m = e.data;
  if (m.libc) { poll = dlopen(m.libc, { poll: { args: ["ptr", "u64", "i32"], returns: "i32" } }).symbols.poll; return; }
  const r = poll(ptr(new Uint8Array(m.sab, 0, m.nfds * 8)), m.nfds, -1);
  postMessage(r);
};
`;

/** A symbol's C function as Bun calls it. */
type Fn = (...args: unknown[]) => number;

/**
 * `bun:ffi` without its JavaScript module: `Bun.FFI` is the native object
 * that module wraps. Importing `bun:ffi` compiles that module from source
 * at run time, about 1 MB of peak RSS and a few ms at start-up of the
 * binary; the module is the fallback should a Bun lack `Bun.FFI`.
 */
export async function bunFfi(): Promise<BunFfi> {
  // deno-lint-ignore no-explicit-any
  const native = (globalThis as any).Bun?.FFI;
  if (typeof native?.dlopen !== "function" || typeof native.ptr !== "function" || !native.read) {
    return (await import("bun:ffi")) as unknown as BunFfi;
  }
  return {
    dlopen: (path, symbols) => {
      const lib = native.dlopen(path, symbols); // returns its error (the module throws it)
      if (lib instanceof Error) throw lib;
      return lib;
    },
    read: native.read,
    ptr: (buf) => native.ptr(buf),
  };
}

/** Bun's declaration of a symbol of {@link SYMBOLS}. */
function bunDef(key: SymbolName): { args: string[]; returns: string } {
  const def = SYMBOLS[key];
  return { args: def.parameters.map((t) => BUN_TYPE[t] ?? t), returns: BUN_TYPE[def.result] ?? def.result };
}

/**
 * Binds one symbol of {@link SYMBOLS} from the libc at `libcPath`; a libc
 * without it is a {@link missingSymbol} error, raised by the first call
 * that needs it.
 */
export function bindBunSymbol(ffi: BunFfi, libcPath: string, key: SymbolName): Fn {
  const def = SYMBOLS[key];
  const name = "name" in def ? def.name : key; // Bun binds under the C name: an alias gets its own dlopen
  try {
    return ffi.dlopen(libcPath, { [name]: bunDef(key) }).symbols[name] as Fn;
  } catch (e) {
    throw missingSymbol(name, libcPath, e);
  }
}

/** Opens libc through Bun's FFI; each symbol is bound on first use, by its own dlopen (see {@link lazySymbols}). */
export async function loadBunSys(override?: string): Promise<Sys> {
  const ffi = await bunFfi();
  // deno-lint-ignore no-explicit-any
  const arch = (globalThis as any).process?.arch ?? "x64";
  let errnoLocation: (() => unknown) | undefined;
  let libcPath = "";
  let lastError: unknown;
  for (const name of libcCandidates(arch, override)) {
    try {
      errnoLocation = ffi.dlopen(name, { __errno_location: bunDef("__errno_location") }).symbols
        .__errno_location as () => unknown;
      libcPath = name;
      break;
    } catch (e) {
      lastError ??= e; // the first failure says most (later candidates are other systems' names)
    }
  }
  if (!errnoLocation) {
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`Cannot load libc: ${why}; pass libc's path to setLibcPath()`, { cause: lastError });
  }
  const loc = errnoLocation();
  const raw = {
    fn: lazySymbols(Object.keys(SYMBOLS) as SymbolName[], (key) => bindBunSymbol(ffi, libcPath, key)),
    errno: () => ffi.read.i32(loc, 0),
    address: (buf: Uint8Array) => BigInt(ffi.ptr(buf)),
    size: (n: number) => n,
    sysBpf: bpfSyscallNumber(arch),
  };
  return makeSys("bun", raw, pollerFor(libcPath));
}

function pollerFor(libcPath: string): Sys["pollAsync"] {
  let worker: BunWorker | undefined;
  let pending: ((r: number) => void) | undefined;
  return (fds, nfds) => {
    if (!worker) {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
      // deno-lint-ignore no-explicit-any
      worker = new (globalThis as any).Worker(url) as BunWorker;
      worker.addEventListener("message", (e) => {
        const done = pending;
        pending = undefined;
        worker!.unref();
        done?.(e.data as number);
      });
      worker.postMessage({ libc: libcPath });
    }
    if (!(fds.buffer instanceof SharedArrayBuffer)) {
      throw new InvalidArgumentError("Poll set must live in a SharedArrayBuffer");
    }
    worker.ref();
    return new Promise<number>((resolve) => {
      pending = resolve;
      worker!.postMessage({ sab: fds.buffer, nfds });
    });
  };
}
