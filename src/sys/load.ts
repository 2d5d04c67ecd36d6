/**
 * Picks the {@link Sys} for the running runtime, once per process.
 *
 * @example
 * ```ts ignore
 * import { loadSys } from "./load.ts";
 * const sys = await loadSys();
 * console.log(sys.runtime, sys.getpid());
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { Sys } from "./sys.ts";

let cached: Promise<Sys> | undefined;
let libcPath: string | undefined;

/**
 * Loads libc from `path` instead of searching the usual names (a musl
 * libc in an odd place, or the exact path given to Deno's
 * `--allow-ffi=PATH`). Call it before anything opens a socket.
 */
export function setLibcPath(path: string): void {
  if (typeof path !== "string" || path === "") {
    throw new InvalidArgumentError(`Cannot use libc path ${JSON.stringify(path)}: expected a file path`);
  }
  if (cached && path !== libcPath) throw new Error("Cannot change the libc path: libc is already loaded");
  libcPath = path;
}

/** Loads the libc bindings for Deno or Bun (once per process). */
export function loadSys(): Promise<Sys> {
  return cached ??= pick();
}

async function pick(): Promise<Sys> {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (typeof g.Deno?.dlopen === "function") {
    const { loadDenoSys } = await import("./deno.ts");
    return loadDenoSys(libcPath);
  }
  if (g.Bun) {
    const { loadBunSys } = await import("./bun.ts");
    return await loadBunSys(libcPath);
  }
  throw new Error("Unsupported runtime: nlkit needs Deno or Bun FFI");
}
