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

import type { Sys } from "./sys.ts";

let cached: Promise<Sys> | undefined;

/** Loads the libc bindings for Deno or Bun. */
export function loadSys(): Promise<Sys> {
  return cached ??= pick();
}

async function pick(): Promise<Sys> {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (typeof g.Deno?.dlopen === "function") {
    const { loadDenoSys } = await import("./deno.ts");
    return loadDenoSys();
  }
  if (g.Bun) {
    const { loadBunSys } = await import("./bun.ts");
    return await loadBunSys();
  }
  throw new Error("Unsupported runtime: nlkit needs Deno or Bun FFI");
}
