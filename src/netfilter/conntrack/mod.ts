/**
 * Connection tracking over ctnetlink: entries, kernel-side filters,
 * statistics, expectations and events, with conntrack-tools text output.
 *
 * @example Track three flows, then drop one client's entries
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNetns, deleteNetns } from "@nlkit/netlink/netns";
 * import { createConntrack, deleteConntrackByFilter, formatConntrack, listConntrack } from "@nlkit/netlink/conntrack";
 *
 * const netns = `doc-${crypto.randomUUID().slice(0, 8)}`;
 * await createNetns(netns);
 * try {
 *   for (const [src, sport] of [["10.0.0.1", 1000], ["10.0.0.1", 1001], ["10.0.0.2", 1000]] as const) {
 *     await createConntrack({
 *       proto: "udp",
 *       orig: { src, dst: "10.0.0.9", sport, dport: 53 },
 *       reply: { src: "10.0.0.9", dst: src, sport: 53, dport: sport },
 *       timeout: 60,
 *     }, { netns });
 *   }
 *   assert.equal(await deleteConntrackByFilter({ orig: { src: "10.0.0.1" } }, { netns }), 2);
 *   const left = await listConntrack({}, { netns });
 *   assert.equal(left.length, 1);
 *   assert.match(formatConntrack(left[0]), /^udp +17 \d+ src=10\.0\.0\.2 dst=10\.0\.0\.9 sport=1000 dport=53 /);
 * } finally {
 *   await deleteNetns(netns);
 * }
 * ```
 *
 * @module
 */

export * from "./ctnetlink.ts";
export * from "./tables.ts";
export * from "./entry.ts";
export * from "./spec.ts";
export * from "./filter.ts";
export * from "./format.ts";
export * from "./ops.ts";
export * from "./bulk.ts";
export * from "./stats.ts";
export * from "./expect_tables.ts";
export * from "./expect.ts";
export * from "./expect_ops.ts";
export * from "./events.ts";
