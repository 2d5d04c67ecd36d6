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

/** What is used of `bun:jsc`. */
interface BunJsc {
  noFTL(fn: unknown): unknown;
  noInline(fn: unknown): unknown;
}

function jitPolicy(scale: number): void {
  (globalThis as { Bun?: BunUnsafe }).Bun?.unsafe?.setJITPolicy?.(scale);
}

/**
 * Restores the runtime's normal policy: a long listing (100,000 routes or
 * conntrack entries) or a bulk nft run (10,000 rules listed or applied)
 * whose hot functions would otherwise run longer in the slower tiers
 * (bench/nft.ts: a 10,000-rule `nft -f` took 1.28 s wall against 1.50 s
 * with the thresholds scaled by 100).
 */
export function normalJitPolicy(): void {
  jitPolicy(1);
}

function bunJsc(): BunJsc | undefined {
  if (!(globalThis as { Bun?: unknown }).Bun) return undefined;
  const process = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process;
  const jsc = process?.getBuiltinModule?.("bun:jsc") as BunJsc | undefined;
  return typeof jsc?.noFTL === "function" && typeof jsc.noInline === "function" ? jsc : undefined;
}

/**
 * Keeps `fns` (and the methods and accessors of each prototype in `protos`)
 * out of JavaScriptCore's top tier, FTL (`bun:jsc` `noFTL`; nothing on
 * Deno). A listing of 100,000 lines is over before compiling a large
 * printer there pays: the FTL compiles of the conntrack line path, and of
 * the route parser and printers, cost more CPU than their faster code saves
 * (bench/conntrack_list.sh, bench/route_list.sh). The lower
 * optimizing tier (DFG) still compiles them.
 */
export function noTopTier(fns: readonly unknown[], protos: readonly object[] = []): void {
  const jsc = bunJsc();
  if (!jsc) return;
  for (const f of fns) jsc.noFTL(f);
  for (const p of protos) {
    for (const d of Object.values(Object.getOwnPropertyDescriptors(p))) {
      for (const f of [d.value, d.get, d.set]) if (typeof f === "function" && f !== p.constructor) jsc.noFTL(f);
    }
  }
}

/**
 * Keeps `fns` from being inlined into their callers (`bun:jsc` `noInline`;
 * nothing on Deno): a per-message callback the socket's receive loop would
 * otherwise carry, whole, into that loop's own top-tier compile, which
 * {@link noTopTier} on the callback alone does not prevent.
 */
export function notInlined(fns: readonly unknown[]): void {
  const jsc = bunJsc();
  if (jsc) { for (const f of fns) jsc.noInline(f); }
}
