/**
 * Links (network interfaces) over rtnetlink: parse `RTM_NEWLINK` messages
 * into typed {@link Link} objects, look links up, list and stream them.
 * Creating, changing and deleting links lives in `change.ts`.
 *
 * @example
 * ```ts ignore
 * import { getLink, listLinks } from "./api.ts";
 * for (const l of await listLinks({ kind: "veth" }, { netns: "blue" })) console.log(l.index, l.name, l.flags);
 * const lo = await getLink("lo", { netns: "blue" });
 * console.log(lo.mtu, lo.operstate); // 65536 UNKNOWN
 * ```
 *
 * @module
 */

import { parseIflaAttrs } from "./_generated/table.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLMSG_HDRLEN } from "../../wire/constants.ts";
import { TruncatedError } from "../../wire/errors.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { linkNotFound } from "../../errors.ts";
import { type Attrs, bitNames, nameOf, type RawAttr } from "../../wire/table.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { checkTarget } from "../../socket/target.ts";
import { AF_BRIDGE } from "../../wire/addr.ts";
import { familyName } from "../../wire/family.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import {
  ARPHRD,
  IFF,
  IFINFOMSG,
  IFINFOMSG_LEN,
  IFLA_ALT_IFNAME,
  type IFLA_ATTRS,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  IFLA_MASTER,
} from "./table.ts";
import { IFLA_BRPORT_ATTRS, KIND_DATA, KIND_SLAVE_DATA, parseKindData } from "./kinds/registry.ts";
import type {
  BridgePortData,
  LinkAfSpec,
  LinkData,
  LinkIfmap,
  LinkOpaque,
  LinkPortData,
  LinkStats64,
  LinkXdp,
} from "./kinds/_generated/types.ts";

/** The `IFLA_*` attributes of a link, as the table parses them. */
export type LinkAttrs = Attrs<typeof IFLA_ATTRS>;

/** `IFLA_LINKINFO`, with the kind-specific data decoded when the kind is known. */
export interface LinkInfo {
  /** `IFLA_INFO_KIND`, e.g. `veth`, `bridge`, `vxlan`. */
  kind?: string;
  /** Kind-specific settings (`LinkKindDataMap` says which interface for which kind); raw bytes for kinds nlkit has no table for. */
  data?: LinkData | Uint8Array;
  /** `IFLA_INFO_SLAVE_KIND`: the master's kind, for ports of a bridge or bond. */
  slaveKind?: string;
  /** Port settings under the master (`LinkSlaveDataMap` by `slaveKind`); raw bytes for unknown master kinds. */
  slaveData?: LinkPortData | Uint8Array;
}

/**
 * A link (network interface) as the kernel reports it: the `ifinfomsg`
 * header and the `IFLA_*` attributes ({@link IFLA_ATTRS}). A listed link
 * can be passed as it is to {@link getLink}, `changeLink` and `deleteLink`,
 * which identify it by `index`.
 */
export interface Link {
  /** `ifi_family`: `unspec`, or `bridge` for bridge port messages. */
  family: string;
  /** Interface index. */
  index: number;
  /** Interface name (`IFLA_IFNAME`). */
  name?: string;
  /** `ifi_type` as iproute2 names it (`ether`, `loopback`, `none`...). */
  linkType: string;
  /** `IFF_*` flags set, by name (`UP`, `LOWER_UP`...). */
  flags: string[];
  /** `ifi_change` mask, as sent (events use it). */
  change: number;
  /** Link-layer address (`aa:bb:cc:dd:ee:ff`). */
  address?: string;
  /** Link-layer broadcast address. */
  broadcast?: string;
  /** Permanent hardware address (`IFLA_PERM_ADDRESS`). */
  permAddress?: string;
  /** MTU in bytes. */
  mtu?: number;
  /** Smallest MTU the device takes. */
  minMtu?: number;
  /** Largest MTU the device takes. */
  maxMtu?: number;
  /** Index of the lower link (`IFLA_LINK`, e.g. a VLAN's parent or a veth's peer). */
  link?: number;
  /** Namespace id of the lower link when it lives in another namespace (`IFLA_LINK_NETNSID`). */
  linkNetnsid?: number;
  /** Name of the root qdisc. */
  qdisc?: string;
  /** Index of the master (bridge, bond, VRF). */
  master?: number;
  /** Transmit queue length. */
  txqlen?: number;
  /** Device I/O map (`IFLA_MAP`). */
  map?: LinkIfmap;
  /** Operational state (`UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`...). */
  operstate?: string;
  /** Link mode (`DEFAULT`, `DORMANT`...). */
  linkmode?: string;
  /** Interface alias (`ip link set ... alias`). */
  alias?: string;
  /** 64-bit counters (`IFLA_STATS64`). */
  stats64?: LinkStats64;
  /** Per-family settings (`IFLA_AF_SPEC`): IPv4/IPv6 configuration, bridge VLAN info. */
  afSpec?: LinkAfSpec;
  /** Interface group number. */
  group?: number;
  /** Promiscuity count (how many users asked for promiscuous mode). */
  promiscuity?: number;
  /** All-multicast count (`IFLA_ALLMULTI`). */
  allmulti?: number;
  /** Number of transmit queues. */
  numTxQueues?: number;
  /** Number of receive queues. */
  numRxQueues?: number;
  /** Carrier: 1 when the link has one. */
  carrier?: number;
  /** Times the carrier changed. */
  carrierChanges?: number;
  /** Times the carrier came up. */
  carrierUpCount?: number;
  /** Times the carrier went down. */
  carrierDownCount?: number;
  /** Physical port id (`IFLA_PHYS_PORT_ID`), raw. */
  physPortId?: Uint8Array;
  /** Physical switch id (`IFLA_PHYS_SWITCH_ID`), raw. */
  physSwitchId?: Uint8Array;
  /** Physical port name. */
  physPortName?: string;
  /** Protocol down: 1 when set (`ip link set ... protodown on`). */
  protoDown?: number;
  /** Largest GSO segment count. */
  gsoMaxSegs?: number;
  /** Largest GSO packet size. */
  gsoMaxSize?: number;
  /** Largest GRO packet size. */
  groMaxSize?: number;
  /** Largest IPv4 GSO packet size. */
  gsoIpv4MaxSize?: number;
  /** Largest IPv4 GRO packet size. */
  groIpv4MaxSize?: number;
  /** Largest TSO packet size the device supports. */
  tsoMaxSize?: number;
  /** Largest TSO segment count the device supports. */
  tsoMaxSegs?: number;
  /** Attached XDP programs (`IFLA_XDP`). */
  xdp?: LinkXdp;
  /** `IFLA_TARGET_NETNSID`. */
  targetNetnsid?: number;
  /** Parent device name (`IFLA_PARENT_DEV_NAME`, e.g. a PCI address). */
  parentDevName?: string;
  /** Bus of the parent device (`pci`...). */
  parentDevBusName?: string;
  /** Devlink port (`IFLA_DEVLINK_PORT`), undecoded. */
  devlinkPort?: LinkOpaque;
  /** DPLL pin (`IFLA_DPLL_PIN`), undecoded. */
  dpllPin?: LinkOpaque;
  /** Pacing offload horizon, nanoseconds. */
  maxPacingOffloadHorizon?: number;
  /** 1 when the link cannot change namespace. */
  netnsImmutable?: number;
  /** Headroom the device needs, bytes. */
  headroom?: number;
  /** Tailroom the device needs, bytes. */
  tailroom?: number;
  /** Kind and kind-specific data. */
  linkinfo?: LinkInfo;
  /** Alternative names (`IFLA_PROP_LIST`). */
  altnames?: string[];
  /** Bridge port settings from `IFLA_PROTINFO` (messages of family `bridge`). */
  bridgePort?: BridgePortData;
  /** `IFLA_PROTINFO` of other families, raw. */
  protinfo?: Uint8Array;
  /** Attributes no table describes, kept so nothing is lost. */
  unknown?: RawAttr[];
}

/**
 * Parses an `RTM_NEWLINK`/`RTM_DELLINK` message. Throws `TruncatedError` or
 * `MalformedError` on bytes that are not a link message.
 */
export function parseLinkMessage(m: NlMsg): Link {
  const start = m.start + NLMSG_HDRLEN;
  if (m.end - start < IFINFOMSG_LEN) throw new TruncatedError("ifinfomsg", start, IFINFOMSG_LEN, m.end - start);
  const a = parseIflaAttrs(m.buf, m.view, start + IFINFOMSG_LEN, m.end);
  // The parsed attributes become the link: adding the header fields to that
  // object costs far less than copying its forty-odd properties into a new
  // one, and links come by the thousand. The header (layout IFINFOMSG) is
  // read by hand for the same reason.
  const link = a as Record<string, unknown>;
  const family = m.buf[start];
  link.family = familyName(family);
  link.index = m.view.getInt32(start + 4, true);
  link.linkType = nameOf(ARPHRD, m.view.getUint16(start + 2, true));
  link.flags = bitNames(IFF, m.view.getUint32(start + 8, true));
  link.change = m.view.getUint32(start + 12, true);
  const { linkinfo, propList, protinfo } = a;
  if (linkinfo) {
    const info: LinkInfo = {};
    if (linkinfo.kind !== undefined) info.kind = linkinfo.kind;
    if (linkinfo.data) info.data = parseKindData(KIND_DATA, linkinfo.kind, linkinfo.data) as LinkInfo["data"];
    if (linkinfo.slaveKind !== undefined) info.slaveKind = linkinfo.slaveKind;
    if (linkinfo.slaveData) {
      info.slaveData = parseKindData(KIND_SLAVE_DATA, linkinfo.slaveKind, linkinfo.slaveData) as LinkInfo["slaveData"];
    }
    link.linkinfo = info;
  }
  // Attributes a Link shows differently, or that only requests carry (rare in replies).
  if (propList) {
    delete link.propList;
    if (propList.altnames) link.altnames = propList.altnames;
  }
  if (protinfo && family === AF_BRIDGE) {
    delete link.protinfo;
    link.bridgePort = parseKindData({ b: IFLA_BRPORT_ATTRS }, "b", protinfo);
  }
  for (const k of REQUEST_ONLY) if (link[k] !== undefined) delete link[k];
  return link as unknown as Link;
}

const REQUEST_ONLY = ["altIfname", "netnsPid", "netnsFd", "extMask"] as const;

/** Longest interface name (`IFNAMSIZ - 1`); longer names can only be alternative names. */
export const IFNAMSIZ_MAX = 15;
/** Longest alternative name (`ALTIFNAMSIZ - 1`). */
export const ALTIFNAMSIZ_MAX = 127;

/** Checks an interface name (or, with `alt`, an alternative name) before it is sent. */
export function checkLinkName(name: string, alt = false): string {
  const max = alt ? ALTIFNAMSIZ_MAX : IFNAMSIZ_MAX;
  const bytes = typeof name === "string" ? new TextEncoder().encode(name).length : 0;
  if (bytes === 0 || bytes > max || name === "." || name === ".." || /[\s/:]/.test(name)) {
    throw new InvalidArgumentError(
      `Invalid link name: "${name}" (1 to ${max} bytes, no "/", ":" or whitespace, not "." or "..")`,
    );
  }
  return name;
}

/** Checks an interface index. */
export function checkLinkIndex(index: number): number {
  if (!Number.isInteger(index) || index < 1 || index > 0x7fffffff) {
    throw new InvalidArgumentError(`Invalid link index: "${index}" (must be 1 to 2147483647)`);
  }
  return index;
}

/** A `RTM_GETLINK` for one link by index or name (names over 15 bytes go as `IFLA_ALT_IFNAME`). */
function getLinkRequest(nameOrIndex: string | number): Uint8Array {
  const b = new MessageBuilder(RTM.RTM_GETLINK, 0);
  if (typeof nameOrIndex === "number") return b.struct(IFINFOMSG, { index: checkLinkIndex(nameOrIndex) }).finish();
  const alt = new TextEncoder().encode(nameOrIndex).length > IFNAMSIZ_MAX;
  checkLinkName(nameOrIndex, alt);
  return b.struct(IFINFOMSG, {}).string(alt ? IFLA_ALT_IFNAME : IFLA_IFNAME, nameOrIndex).finish();
}

async function getOn(s: NetlinkSocket, nameOrIndex: string | number): Promise<Link> {
  try {
    const [link] = await s.request(getLinkRequest(nameOrIndex), parseLinkMessage);
    if (link) return link;
  } catch (e) {
    if (!(e instanceof NetlinkError && e.code === "ENODEV")) throw e;
  }
  throw linkNotFound(nameOrIndex);
}

/**
 * Fetches one link by name (or alternative name), index, or a listed
 * {@link Link} (by its index). Throws `NotFoundError` (`code` `ENODEV`,
 * `kind` `"link"`) when there is no such link.
 */
export async function getLink(link: string | number | Link, opts: RouteOptions = {}): Promise<Link> {
  const which = linkRef(link);
  checkTarget(opts, "getLink");
  return await withRouteSocket(opts, (s) => getOn(s, which));
}

/**
 * The name or index a call looks a link up by: as given, or the `index` of
 * a listed {@link Link} (whose other fields only report state and are
 * ignored).
 */
export function linkRef(link: string | number | Link): string | number {
  if (typeof link === "string" || typeof link === "number") return link;
  if (typeof link !== "object" || link === null || typeof link.index !== "number") {
    throw new InvalidArgumentError(
      `Cannot use link ${JSON.stringify(link)}: expected a name, an index or a listed link`,
      "link",
    );
  }
  return checkLinkIndex(link.index);
}

/**
 * Resolves a link name to its index (an index is checked and returned as
 * is). Throws `NotFoundError` (`ENODEV`) when no link has that name.
 */
export async function resolveLinkIndex(nameOrIndex: string | number, opts: RouteOptions = {}): Promise<number> {
  if (typeof nameOrIndex === "number") return checkLinkIndex(nameOrIndex);
  return (await getLink(nameOrIndex, opts)).index;
}

/** Which links {@link listLinks} and {@link streamLinks} return: all by default. */
export interface LinkFilter {
  /** Only links of this kind (`bridge`, `veth`...), filtered by the kernel where it knows the kind. */
  kind?: string;
  /** Only ports of this master (name or index), filtered by the kernel. */
  master?: string | number;
}

function checkLinkFilter(filter: LinkFilter): void {
  checkKeys(filter, ["kind", "master"], "link filter");
  if (filter.kind !== undefined && (typeof filter.kind !== "string" || filter.kind === "")) {
    throw new InvalidArgumentError(`Cannot use kind ${JSON.stringify(filter.kind)}: expected a link kind name`, "kind");
  }
  const m = filter.master;
  if (m !== undefined && typeof m !== "string" && typeof m !== "number") {
    throw new InvalidArgumentError(`Cannot use master ${JSON.stringify(m)}: expected a link name or index`, "master");
  }
}

function dumpRequest(kind: string | undefined, master: number | undefined): Uint8Array {
  const b = new MessageBuilder(RTM.RTM_GETLINK, 0).struct(IFINFOMSG, {});
  if (master !== undefined) b.u(IFLA_MASTER, "u32", master);
  if (kind !== undefined) b.nest(IFLA_LINKINFO, (n) => n.string(IFLA_INFO_KIND, kind));
  return b.finish();
}

/**
 * Streams every link (bounded memory). With `kind` or `master` the kernel
 * filters the dump; the kind is checked again here because the kernel
 * ignores kinds whose driver is not loaded.
 */
export function streamLinks(filter: LinkFilter = {}, opts: RouteOptions = {}): AsyncGenerator<Link, void, undefined> {
  checkLinkFilter(filter);
  checkTarget(opts, "a link listing", ["retries"]);
  const { kind, master } = filter;
  return new DumpStream(opts, async (s) => {
    const masterIndex = master === undefined ? undefined : (await getOn(s, master)).index;
    const keep = kind === undefined && masterIndex === undefined
      ? undefined
      : (link: Link) =>
        (kind === undefined || link.linkinfo?.kind === kind) &&
        (masterIndex === undefined || link.master === masterIndex);
    return { request: dumpRequest(kind, masterIndex), parse: parseLinkMessage, keep };
  });
}

/** Lists links into an array (see {@link streamLinks}). */
export async function listLinks(filter: LinkFilter = {}, opts: RouteOptions = {}): Promise<Link[]> {
  return await Array.fromAsync(streamLinks(filter, opts));
}
