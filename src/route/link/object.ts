/**
 * The public {@link Link}: its type, and the public facts that make it from
 * the `ifinfomsg` header ({@link LINK_MESSAGE}) and the `IFLA_*` attributes
 * ({@link LINK_TABLE}: `IFLA_ATTRS` with the kind-specific data decoded by
 * the kinds registry). `scripts/gen_codecs.ts` compiles them into
 * `parseLink` (`_generated/object.ts`); `parsePublicMessage` is its reference.
 *
 * @module
 */

import { AF_BRIDGE } from "../../wire/addr.ts";
import { familyName } from "../../wire/family.ts";
import { bitNames, nameOf, type RawAttr } from "../../wire/table.ts";
import type { PublicMessage } from "../../wire/public_message.ts";
import { ARPHRD, IFF, IFLA_ATTRS, IFLA_INFO_ATTRS, LINK_REQUEST } from "./table.ts";
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
  /** Attributes no table describes inside `linkinfo` and the property list, by nest (`linkinfo`, `propList`). */
  unknownNested?: { [path: string]: RawAttr[] };
}

/** `ifi_type` by iproute2's name (`ether`, `loopback`, ...). */
function linkTypeName(type: number): string {
  return nameOf(ARPHRD, type);
}

/** The `IFF_*` flags set, by name. */
function flagNames(flags: number): string[] {
  return bitNames(IFF, flags);
}

/** Kind-specific settings, decoded by the kind's table (raw bytes for kinds nlkit has none for). */
function kindData(kind: string | undefined, data: Uint8Array | undefined): LinkInfo["data"] {
  return data && parseKindData(KIND_DATA, kind, data) as LinkInfo["data"];
}

/** Port settings under the master, decoded by the master kind's table. */
function slaveData(kind: string | undefined, data: Uint8Array | undefined): LinkInfo["slaveData"] {
  return data && parseKindData(KIND_SLAVE_DATA, kind, data) as LinkInfo["slaveData"];
}

/** `IFLA_PROTINFO` stays raw, except in bridge port messages (see {@link bridgePortOf}). */
function protinfoOf(family: number, data: Uint8Array | undefined): Uint8Array | undefined {
  return family === AF_BRIDGE ? undefined : data;
}

/** A bridge port message's `IFLA_PROTINFO`: the port's settings. */
function bridgePortOf(family: number, data: Uint8Array | undefined): BridgePortData | undefined {
  return family === AF_BRIDGE && data
    ? parseKindData({ b: IFLA_BRPORT_ATTRS }, "b", data) as BridgePortData
    : undefined;
}

/** `IFLA_LINKINFO` as a {@link LinkInfo}: the data decoded by `kind` through the kinds registry. */
export const LINK_INFO_TABLE = {
  kind: IFLA_INFO_ATTRS.kind,
  data: { ...IFLA_INFO_ATTRS.data, compose: { from: ["kind", "data"], fn: kindData } },
  slaveKind: IFLA_INFO_ATTRS.slaveKind,
  slaveData: { ...IFLA_INFO_ATTRS.slaveData, compose: { from: ["slaveKind", "slaveData"], fn: slaveData } },
} as const;

/** The `IFLA_*` attributes as a {@link Link} shows them: `IFLA_ATTRS` with its kind data decoded. */
export const LINK_TABLE = {
  ...IFLA_ATTRS,
  linkinfo: { ...IFLA_ATTRS.linkinfo, table: LINK_INFO_TABLE },
  protinfo: { ...IFLA_ATTRS.protinfo, compose: { from: ["hdr.family", "protinfo"], fn: protinfoOf } },
} as const;

/** The public {@link Link}: the `ifinfomsg` header, the {@link LINK_TABLE} attributes and the fields made from both. */
export const LINK_MESSAGE = {
  ...LINK_REQUEST,
  attrs: LINK_TABLE,
  combined: {
    family: { from: ["hdr.family"], fn: familyName },
    index: { from: ["hdr.index"] },
    linkType: { from: ["hdr.type"], fn: linkTypeName },
    flags: { from: ["hdr.flags"], fn: flagNames },
    change: { from: ["hdr.change"] },
    bridgePort: { from: ["hdr.family", "protinfo"], fn: bridgePortOf },
  },
} as const satisfies PublicMessage;
