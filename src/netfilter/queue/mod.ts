/**
 * NFQUEUE: packets handed to userspace for a verdict. Bind a queue, read
 * typed packets (with conntrack, uid/gid, security context when asked
 * for), answer with accept/drop/repeat/queue/stop plus a new mark,
 * conntrack mark or payload, one at a time or in batches.
 *
 * @example
 * ```ts ignore
 * import { openQueue } from "./mod.ts";
 * await using q = await openQueue(3, { netns: "lab" });
 * for await (const p of q) if (p.kind === "packet") await q.verdict(p, "accept");
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
