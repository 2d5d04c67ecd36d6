/**
 * pcap files: a streaming writer with nanosecond timestamps, records of
 * NFQUEUE/NFLOG packets (raw IP or NFLOG), the netlink tap that records a
 * socket's own traffic as `LINKTYPE_NETLINK`, and a reader.
 *
 * @example Record the netlink traffic of a link listing, then read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { listLinks } from "@nlkit/netlink";
 * import { setGlobalCapture } from "@nlkit/netlink/socket";
 * import { decodeNetlinkRecord, NetlinkPcapCapture, readPcap } from "@nlkit/netlink/pcap";
 * import { parseLinkMessage } from "@nlkit/netlink/route";
 *
 * const path = `${tmpdir()}/nlkit-doc-${crypto.randomUUID().slice(0, 8)}.pcap`;
 * {
 *   using tap = NetlinkPcapCapture.open(path);
 *   setGlobalCapture(tap);
 *   await listLinks();
 *   setGlobalCapture(undefined);
 * }
 * const records = readPcap(readFileSync(path)).records.map((r) => decodeNetlinkRecord(r.data));
 * rmSync(path);
 * assert.equal(records[0].direction, "out"); // the dump request
 * const names = records.flatMap((r) => r.messages).filter((m) => m.type === 16).map((m) => parseLinkMessage(m).name);
 * assert.ok(names.includes("lo")); // RTM_NEWLINK replies
 * ```
 *
 * @module
 */

export * from "./format.ts";
export * from "./writer.ts";
export * from "./packets.ts";
export * from "./netlink.ts";
export * from "./reader.ts";
