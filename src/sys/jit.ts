/**
 * The JIT's tier-up policy (Bun's `Bun.unsafe.setJITPolicy`; nothing on
 * Deno). The compiled binary starts with JavaScriptCore's thresholds scaled
 * up (`--compile-jit-policy` in scripts/build_binary.sh): a short command
 * then runs its run-once start-up code without compiling it (less CPU and
 * peak RSS). Long runs pick their own scale once their loop starts.
 *
 * @module
 */

type BunUnsafe = { unsafe?: { setJITPolicy?: (scale: number) => void } };

function jitPolicy(scale: number): void {
  (globalThis as { Bun?: BunUnsafe }).Bun?.unsafe?.setJITPolicy?.(scale);
}

/**
 * Restores the runtime's normal policy: a long listing (100,000 routes)
 * whose hot functions would otherwise run longer in the slower tiers.
 */
export function normalJitPolicy(): void {
  jitPolicy(1);
}

/**
 * Tier-up thresholds scaled by 100 for a bulk nft run (a 10,000-rule
 * listing or apply), which pays more for the optimizing compiler's threads
 * than its code saves (bench/nft.ts).
 */
export function bulkJitPolicy(): void {
  jitPolicy(100);
}
