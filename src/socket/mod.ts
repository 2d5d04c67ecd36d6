/**
 * The netlink transport: `NetlinkSocket` speaks any netlink protocol, with
 * acknowledged requests, batches, streaming dumps and multicast groups; the
 * typed errors it raises; the libc binding it runs on (`Sys`, `setLibcPath`).
 *
 * @example Dump the routing table's links with a hand-built request
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetlinkSocket } from "@nlkit/netlink/socket";
 * import { MessageBuilder, NETLINK_ROUTE, NLM_F_DUMP, NLM_F_REQUEST } from "@nlkit/netlink/wire";
 *
 * const RTM_GETLINK = 18;
 * await using sock = await NetlinkSocket.open(NETLINK_ROUTE);
 * const request = new MessageBuilder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP).raw(new Uint8Array(16)).finish();
 * const indexes: number[] = [];
 * for await (const index of sock.dump(request, (m) => m.view.getInt32(m.start + 20, true))) indexes.push(index);
 * assert.ok(indexes.includes(1)); // lo
 * ```
 *
 * @module
 */

export { NetlinkSocket } from "./socket.ts";
export type { Parse } from "./consumer.ts";
export type { DumpIterator } from "./dump_iterator.ts";
export type { UnicastReader } from "./unicast_reader.ts";
export type * from "./options.ts";
export * from "./errors.ts";
export * from "./capture.ts";
export * from "./family.ts";
export { type OverrunEvent, subscribedEvents, Subscription } from "./subscription.ts";
export { type DumpPlan, DumpStream as FamilyDumpStream, type DumpStreamOptions } from "./dump_stream.ts";
export { type RecvMsg, type Sys, SysError } from "../sys/sys.ts";
export type { DatagramVector } from "../sys/mmsg.ts";
export { loadSys, setLibcPath } from "../sys/load.ts";
