/**
 * Symbols bound on first use: the lazy table binds each symbol once, only
 * when called, and keeps the bound function; under Bun, `Sys` binds libc
 * that way and a symbol libc lacks is a typed error.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import process from "node:process";
import { NlkitError } from "../src/errors.ts";
import { lazySymbols } from "../src/sys/lazy.ts";
import { loadSys } from "../src/sys/load.ts";

const ON_BUN = "Bun" in globalThis ? false : "Bun's FFI only";
const ON_DENO = "Deno" in globalThis ? false : "Deno's FFI only";
// The dynamic loader depends on no library, so a dlsym through it finds no libc symbol.
const LD_SO = ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"].find((p) => existsSync(p));

test("lazySymbols binds a symbol on its first call only, and keeps the bound function", () => {
  const bound: string[] = [];
  const real = { a: (x: number) => x + 1, b: (x: number) => x * 2 };
  const fns = lazySymbols(["a", "b"] as const, (name) => {
    bound.push(name);
    return real[name];
  });
  assert.deepEqual(bound, []);
  assert.notEqual(fns.a, real.a);
  assert.equal(fns.a(1), 2);
  assert.equal(fns.a, real.a); // the stub replaced itself: later calls go straight to the bound function
  assert.equal(fns.a(2), 3);
  assert.deepEqual(bound, ["a"]); // bound once, b never
  assert.equal(fns.b(4), 8);
  assert.deepEqual(bound, ["a", "b"]);
});

test("lazySymbols lets a binding error through and tries again on the next call", () => {
  let fail = true;
  const fns = lazySymbols(["f"] as const, () => {
    if (fail) throw new NlkitError("Cannot bind f", "ENOSYS", "dlsym f");
    return () => 7;
  });
  assert.throws(() => fns.f(), (e) => e instanceof NlkitError && e.code === "ENOSYS");
  fail = false;
  assert.equal(fns.f(), 7);
});

test("Bun: Sys binds libc on first use and its calls work", { skip: ON_BUN }, async () => {
  const sys = await loadSys();
  assert.equal(sys.runtime, "bun");
  assert.equal(sys.getpid(), process.pid);
  assert.equal(sys.getpid(), process.pid); // the second call goes through the bound symbol
  assert.ok(sys.gettid() > 0);
});

test("Bun: a symbol the library lacks is an NlkitError ENOSYS naming it", { skip: ON_BUN }, async () => {
  const { bindBunSymbol, bunFfi } = await import("../src/sys/bun.ts");
  const ffi = await bunFfi();
  assert.equal(bindBunSymbol(ffi, "libc.so.6", "getpid")(), process.pid);
  // A libc without the symbol (an old glibc has no gettid): Bun's own "not found", for a name no libc has.
  const lacking = {
    ...ffi,
    dlopen: (path: string, syms: Parameters<typeof ffi.dlopen>[1]) =>
      ffi.dlopen(path, { nlkit_no_such_symbol: Object.values(syms)[0] }),
  };
  assert.throws(
    () => bindBunSymbol(lacking, "libc.so.6", "getpid"),
    (e) => e instanceof NlkitError && e.code === "ENOSYS" && e.operation === "dlsym getpid" && /getpid/.test(e.message),
  );
  // An alias binds under its C name (ioctl_int is ioctl).
  assert.equal(typeof bindBunSymbol(ffi, "libc.so.6", "ioctl_int"), "function");
});

test("Deno: Sys binds libc on first use and its calls work", { skip: ON_DENO }, async () => {
  const sys = await loadSys();
  assert.equal(sys.runtime, "deno");
  assert.equal(sys.getpid(), process.pid);
  assert.equal(sys.getpid(), process.pid);
  const fd = sys.eventfd(0, 0);
  sys.close(fd);
  assert.throws(() => sys.close(fd), (e) => e instanceof Error && /EBADF/.test(e.message)); // errno read after a lazy bind
});

test("Deno: a symbol the library lacks is an NlkitError ENOSYS naming it", { skip: ON_DENO || !LD_SO }, async () => {
  const { bindDenoSymbol } = await import("../src/sys/deno.ts");
  assert.throws(
    () => bindDenoSymbol(LD_SO!, "socket"),
    (e) => e instanceof NlkitError && e.code === "ENOSYS" && e.operation === "dlsym socket",
  );
  assert.throws(
    () => bindDenoSymbol(LD_SO!, "ioctl_int"),
    (e) => e instanceof NlkitError && e.operation === "dlsym ioctl", // an alias is named by its C name
  );
});
