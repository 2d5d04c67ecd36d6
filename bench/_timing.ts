/**
 * Timing helpers of the benchmarks that race a kernel tool: best-of-N wall
 * and CPU time of a call or of a child process, and the report next to the
 * tool's own figures.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import process from "node:process";

/** Runs a command and returns its stdout (`input` on its stdin). */
export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: "utf8", input, maxBuffer: 1 << 30 });
}

/** Wall and CPU (user + system) time of one run, ms. */
export interface Timing {
  wall: number;
  cpu: number;
}

/**
 * Best of `runs` runs of `fn`. CPU time is reported too: on a shared
 * machine wall time mostly measures waiting for a core. A child process's
 * CPU time is what `fn` returns.
 */
export async function best(runs: number, fn: () => unknown | Promise<number>): Promise<Timing> {
  const b = { wall: Infinity, cpu: Infinity };
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage(), t = performance.now();
    const child = await fn();
    const wall = performance.now() - t, used = process.cpuUsage(c);
    b.wall = Math.min(b.wall, wall);
    b.cpu = Math.min(b.cpu, typeof child === "number" ? child : (used.user + used.system) / 1000);
  }
  return b;
}

/** Runs a process under /usr/bin/time and returns its CPU time, ms. */
export function proc(cmd: string, args: string[]): () => number {
  return () => {
    const r = spawnSync("/usr/bin/time", ["-f", "%U %S", cmd, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
    const [u, sys] = String(r.stderr).trim().split("\n").pop()!.split(" ").map(Number);
    return (u + sys) * 1000;
  };
}

/** The nlkit CLI from source on the runtime running the benchmark, as {@link proc}. */
export function cliProc(words: string[]): () => number {
  const bun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  return proc(process.execPath, bun ? ["cli.ts", ...words] : ["run", "-A", "cli.ts", ...words]);
}

/** `wall N ms (R x ip), cpu N ms (R x ip)` of `x` against the tool's `base`. */
export function against(x: Timing, base: Timing, tool = "ip"): string {
  // /usr/bin/time counts in 10 ms steps: a 0 ms baseline has no ratio.
  const ratio = (a: number, b: number) => (b ? `${(a / b).toFixed(2)}x ${tool}` : `${tool} under 10 ms`);
  return `wall ${x.wall.toFixed(0)} ms (${ratio(x.wall, base.wall)}), cpu ${x.cpu.toFixed(0)} ms (${
    ratio(x.cpu, base.cpu)
  })`;
}
