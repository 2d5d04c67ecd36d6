/**
 * pcap files: a streaming writer with nanosecond timestamps, records of
 * NFQUEUE/NFLOG packets (raw IP or NFLOG), the netlink tap that records a
 * socket's own traffic as `LINKTYPE_NETLINK`, and a reader.
 *
 * @example
 * ```ts ignore
 * import { NetlinkPcapCapture } from "./mod.ts";
 * using tap = NetlinkPcapCapture.open("/tmp/netlink.pcap");
 * ```
 *
 * @module
 */

export * from "./format.ts";
export * from "./writer.ts";
export * from "./packets.ts";
export * from "./netlink.ts";
export * from "./reader.ts";
