/**
 * Bun's JIT for bulk commands: a run of a few seconds (a 10,000-rule
 * listing or apply) pays more for the optimizing compiler's threads than
 * its code saves.
 *
 * @module
 */

/** Bun's tier-up scale for bulk runs (the compiled binary starts at 10; bench/nft.ts measured 100 best). */
const BULK_SCALE = 100;

type BunUnsafe = { unsafe?: { setJITPolicy?: (scale: number) => void } };

/**
 * Raises Bun's JIT tier-up thresholds for the rest of the process (a no-op
 * on Deno and on a Bun without `Bun.unsafe.setJITPolicy`): hot loops still
 * reach the optimizing tiers, after fewer, cheaper compiles.
 */
export function bulkJit(): void {
  (globalThis as { Bun?: BunUnsafe }).Bun?.unsafe?.setJITPolicy?.(BULK_SCALE);
}
