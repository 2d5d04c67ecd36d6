/**
 * Timing helper of the per-message benchmarks: the best of several rounds,
 * in wall-clock time and in CPU time (user + system, which a busy shared
 * machine disturbs less).
 *
 * @module
 */

import process from "node:process";

/** Nanoseconds per call of `fn`, best of `rounds` rounds of `n` calls: wall clock and CPU. */
export function bestNsPerCall(fn: () => unknown, n: number, rounds = 5): { wall: number; cpu: number } {
  let wall = Infinity, cpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    wall = Math.min(wall, performance.now() - t);
    const used = process.cpuUsage(c);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
  }
  return { wall: (wall * 1e6) / n, cpu: (cpu * 1e6) / n };
}
