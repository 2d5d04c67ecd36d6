/**
 * nlkit: the netlink stack for TypeScript on Deno and Bun.
 *
 * @example List links
 * ```ts ignore
 * import { NetlinkSocket } from "@nlkit/netlink";
 * await using sock = await NetlinkSocket.open(0);
 * ```
 *
 * @module
 */

export * from "./src/wire/mod.ts";
export * from "./src/socket/mod.ts";
export * from "./src/netns/netns.ts";
export type { Sys } from "./src/sys/sys.ts";
export { SysError } from "./src/sys/sys.ts";
export { loadSys } from "./src/sys/load.ts";
export * from "./src/route/mod.ts";
export * from "./src/netfilter/conntrack/mod.ts";
export * from "./src/genl/mod.ts";
export * from "./src/netfilter/nftables/mod.ts";
export * from "./src/route/tc/mod.ts";
export * from "./src/netfilter/queue/mod.ts";
export * from "./src/netfilter/log/mod.ts";
export * from "./src/pcap/mod.ts";
