/**
 * Timing helper of the per-message benchmarks: the best of several rounds,
 * so that a busy shared machine disturbs the figures less.
 *
 * @module
 */

/** Nanoseconds per call of `fn`: the best of `rounds` rounds of `n` calls. */
export function bestNsPerCall(fn: () => unknown, n: number, rounds = 5): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, performance.now() - t);
  }
  return (best * 1e6) / n;
}
