/**
 * NFLOG: packets that `log group N` rules copy to userspace, typed (prefix,
 * hook, mark, interfaces, uid/gid, sequence numbers, timestamp, hardware
 * header, payload).
 *
 * @example Log outgoing pings to group 5 and read one with its prefix
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawnSync } from "node:child_process";
 * import { changeLink, createNetns, deleteNetns } from "@nlkit/netlink";
 * import { applyJson } from "@nlkit/netlink/nftables";
 * import { openLog } from "@nlkit/netlink/log";
 *
 * const netns = `doc-${crypto.randomUUID().slice(0, 8)}`;
 * await createNetns(netns);
 * try {
 *   await changeLink("lo", { up: true }, { netns });
 *   const chain = { family: "ip", table: "t", chain: "out" };
 *   await applyJson({
 *     nftables: [
 *       { add: { table: { family: "ip", name: "t" } } },
 *       { add: { chain: { family: "ip", table: "t", name: "out", type: "filter", hook: "output", prio: 0, policy: "accept" } } },
 *       {
 *         add: {
 *           rule: {
 *             ...chain,
 *             expr: [
 *               { match: { op: "==", left: { payload: { protocol: "ip", field: "protocol" } }, right: "icmp" } },
 *               { log: { prefix: "ping ", group: 5 } },
 *             ],
 *           },
 *         },
 *       },
 *     ],
 *   }, { netns });
 *   await using g = await openLog(5, { netns });
 *   assert.equal(spawnSync("ip", ["netns", "exec", netns, "ping", "-c1", "-W1", "127.0.0.1"]).status, 0);
 *   for await (const p of g) {
 *     if (p.kind !== "packet") continue;
 *     assert.equal(p.prefix, "ping ");
 *     assert.equal(p.hook, "output");
 *     break;
 *   }
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
export * from "./log.ts";
export * from "../packet.ts";
export * from "../packet_stream.ts";
export * from "../ifnames.ts";
