/**
 * NFLOG: packets that `log group N` rules copy to userspace, typed (prefix,
 * hook, mark, interfaces, uid/gid, sequence numbers, timestamp, hardware
 * header, payload).
 *
 * @example
 * ```ts ignore
 * import { openLog } from "./mod.ts";
 * await using g = await openLog(5, { netns: "lab" });
 * for await (const p of g) if (p.kind === "packet") console.log(p.prefix);
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
