/**
 * NFQUEUE: packets handed to userspace for a verdict. Bind a queue, read
 * typed packets (with conntrack, uid/gid, security context when asked
 * for), answer with accept/drop/repeat/queue/stop plus a new mark,
 * conntrack mark or payload, one at a time or in batches. Packets reach a
 * queue through a `queue` rule (iptables `-j NFQUEUE`; nlkit's nftables
 * has no queue statement yet).
 *
 * @example Bind queue 3 and see the kernel count it, then unbind
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNetns, deleteNetns } from "@nlkit/netlink/netns";
 * import { openQueue, readQueueStats } from "@nlkit/netlink/queue";
 *
 * const netns = `doc-${crypto.randomUUID().slice(0, 8)}`;
 * await createNetns(netns);
 * try {
 *   {
 *     await using q = await openQueue(3, { netns });
 *     const [stats] = await readQueueStats(netns);
 *     assert.equal(stats.queue, 3);
 *     assert.equal(stats.copyMode, "packet");
 *     assert.equal(stats.waiting, 0);
 *     // Here `for await (const p of q) await q.verdict(p, "accept")` would answer each packet.
 *   }
 *   assert.deepEqual(await readQueueStats(netns), []);
 * } finally {
 *   await deleteNetns(netns);
 * }
 * ```
 *
 * @module
 */

export * from "./tables.ts";
export * from "./packet.ts";
export * from "./codec.ts";
export * from "./stats.ts";
export * from "./queue.ts";
export * from "../packet.ts";
export * from "../packet_stream.ts";
export * from "../ifnames.ts";
