/**
 * The Bun implementation of {@link Sys}, over `bun:ffi`. Bun has no
 * nonblocking FFI calls, so readiness waits run in one Worker that blocks
 * in `poll()` and posts back; the Worker never reads data or errno.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { bpfSyscallNumber, libcCandidates, SYMBOLS } from "./symbols.ts";
import { makeSys, type Sys } from "./sys.ts";

/** The part of `bun:ffi` nlkit uses. */
interface BunFfi {
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

/** Opens libc through `bun:ffi`. */
export async function loadBunSys(override?: string): Promise<Sys> {
  const ffi = (await import("bun:ffi")) as unknown as BunFfi;
  const defs: Record<string, { args: string[]; returns: string }> = {};
  // Bun binds each symbol under its own name: a second binding of one C function (`name`) gets its own dlopen.
  const aliases: [string, string, { args: string[]; returns: string }][] = [];
  for (const [key, def] of Object.entries(SYMBOLS)) {
    const bun = { args: def.parameters.map((t) => BUN_TYPE[t] ?? t), returns: BUN_TYPE[def.result] ?? def.result };
    if ("name" in def) aliases.push([key, def.name, bun]);
    else defs[key] = bun;
  }
  // deno-lint-ignore no-explicit-any
  const arch = (globalThis as any).process?.arch ?? "x64";
  let lib: ReturnType<BunFfi["dlopen"]> | undefined;
  let libcPath = "";
  let lastError: unknown;
  for (const name of libcCandidates(arch, override)) {
    try {
      lib = ffi.dlopen(name, defs);
      libcPath = name;
      break;
    } catch (e) {
      lastError ??= e; // the first failure says most (later candidates are other systems' names)
    }
  }
  if (!lib) {
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`Cannot load libc: ${why}; pass libc's path to setLibcPath()`, { cause: lastError });
  }
  const s = { ...lib.symbols } as Record<string, (...args: unknown[]) => number>;
  for (const [key, name, def] of aliases) {
    // Bound on first call: each dlopen compiles its own trampolines (about 0.2 ms), and few commands need these.
    type Fn = (...args: unknown[]) => number;
    let bound: Fn | undefined;
    s[key] = (...args) => (bound ??= ffi.dlopen(libcPath, { [name]: def }).symbols[name] as Fn)(...args);
  }
  const loc = (lib.symbols.__errno_location as () => unknown)();
  const raw = {
    fn: s,
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
