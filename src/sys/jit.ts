/**
 * The JIT's tier-up policy. The compiled binary starts with JavaScriptCore's
 * thresholds scaled up (`--compile-jit-policy` in scripts/build_binary.sh):
 * a short command then runs its run-once start-up code without compiling it
 * (less CPU and peak RSS). A long listing wants the normal policy back once
 * its loop starts, else its hot functions run longer in the slower tiers.
 *
 * @module
 */

/** Restores the runtime's normal JIT policy (Bun: `Bun.unsafe.setJITPolicy(1)`); no-op elsewhere. */
export function normalJitPolicy(): void {
  // deno-lint-ignore no-explicit-any
  (globalThis as any).Bun?.unsafe?.setJITPolicy?.(1);
}
