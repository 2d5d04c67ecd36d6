/**
 * Wire tables of rtnetlink links: the `ifinfomsg` header, the `IFLA_*`
 * attributes, `IFF_*` flags, operational states and `ARPHRD_*` link types.
 * Each attribute is declared once here, with the policies requests are
 * checked against; parsing and building both use it.
 *
 * @module
 */

import type { MessageBuilder } from "../../wire/builder.ts";
import { MalformedError, TruncatedError } from "../../wire/errors.ts";
import { type Codec, readScalar } from "../../wire/table.ts";
import type { PublicMessage } from "../../wire/public_message.ts";

/** An `NLA_UINT`: a u32, or a u64 when the value needs it. */
export const NLA_UINT: Codec<number> = {
  parse(_buf: Uint8Array, view: DataView, start: number, end: number): number {
    const len = end - start;
    if (len === 8) return readScalar(view, start, "u64");
    if (len === 4) return view.getUint32(start, true);
    if (len < 4) throw new TruncatedError("NLA_UINT attribute", start, 4, len);
    throw new MalformedError(`NLA_UINT attribute of ${len} bytes (must be 4 or 8)`, start);
  },
  build(b: MessageBuilder, value: number): void {
    b.scalar(value > 0xffffffff ? "u64" : "u32", value);
  },
};

/** `struct ifinfomsg`, the fixed header of every link message. */
export const IFINFOMSG = {
  family: "u8",
  pad: "pad1",
  type: "u16",
  index: "s32",
  flags: "u32",
  change: "u32",
} as const;

/** Size of `struct ifinfomsg`. */
export const IFINFOMSG_LEN = 16;

/** `IFF_*` interface flag bits (`<net/if.h>`, `<linux/if.h>`), by name. */
export const IFF = {
  1: "UP",
  2: "BROADCAST",
  4: "DEBUG",
  8: "LOOPBACK",
  0x10: "POINTOPOINT",
  0x20: "NOTRAILERS",
  0x40: "RUNNING",
  0x80: "NOARP",
  0x100: "PROMISC",
  0x200: "ALLMULTI",
  0x400: "MASTER",
  0x800: "SLAVE",
  0x1000: "MULTICAST",
  0x2000: "PORTSEL",
  0x4000: "AUTOMEDIA",
  0x8000: "DYNAMIC",
  0x10000: "LOWER_UP",
  0x20000: "DORMANT",
  0x40000: "ECHO",
} as const;

/** `IFF_UP`. */
export const IFF_UP = 1;

/** RFC 2863 operational states (`IF_OPER_*`), named as iproute2 prints them. */
export const IF_OPER = {
  0: "UNKNOWN",
  1: "NOTPRESENT",
  2: "DOWN",
  3: "LOWERLAYERDOWN",
  4: "TESTING",
  5: "DORMANT",
  6: "UP",
} as const;

/** Link modes (`IF_LINK_MODE_*`), named as iproute2 prints them. */
export const IF_LINK_MODE = {
  0: "DEFAULT",
  1: "DORMANT",
  2: "TESTING",
} as const;

/** `ARPHRD_*` hardware types (`ifi_type`), named as iproute2 prints them. */
export const ARPHRD = {
  0: "netrom",
  1: "ether",
  24: "ieee1394",
  32: "infiniband",
  256: "slip",
  512: "ppp",
  768: "ipip",
  769: "tunnel6",
  772: "loopback",
  776: "sit",
  778: "gre",
  783: "irda",
  801: "ieee802.11",
  803: "ieee802.11/radiotap",
  804: "ieee802.15.4",
  820: "phonet",
  823: "ip6gre",
  824: "netlink",
  825: "6lowpan",
  826: "vsockmon",
  65534: "none",
  65535: "void",
} as const;

/** `struct rtnl_link_stats64`, field by field. */
export const RTNL_LINK_STATS64 = {
  rxPackets: "u64",
  txPackets: "u64",
  rxBytes: "u64",
  txBytes: "u64",
  rxErrors: "u64",
  txErrors: "u64",
  rxDropped: "u64",
  txDropped: "u64",
  multicast: "u64",
  collisions: "u64",
  rxLengthErrors: "u64",
  rxOverErrors: "u64",
  rxCrcErrors: "u64",
  rxFrameErrors: "u64",
  rxFifoErrors: "u64",
  rxMissedErrors: "u64",
  txAbortedErrors: "u64",
  txCarrierErrors: "u64",
  txFifoErrors: "u64",
  txHeartbeatErrors: "u64",
  txWindowErrors: "u64",
  rxCompressed: "u64",
  txCompressed: "u64",
  rxNohandler: "u64",
  rxOtherhostDropped: "u64",
} as const;

/** What a link's name may be: no `/`, `:` or whitespace, not `.` or `..` (`dev_valid_name`). */
const NAME_PATTERN = { re: /^(?!\.\.?$)[^\s/:]+$/, what: 'a name without "/", ":" or whitespace, not "." or ".."' };

/** A link's name (`IFNAMSIZ` less the NUL). */
const IFNAME = { what: "link name", maxLen: 15, pattern: NAME_PATTERN } as const;

/** An alternative name (`ALTIFNAMSIZ` less the NUL). */
const ALTIFNAME = { what: "link name", maxLen: 127, pattern: NAME_PATTERN } as const;

/** An interface index or a process id. */
const INDEX = { min: 1, max: 0x7fffffff } as const;

/** `IFLA_PROP_LIST`: alternative names. */
export const IFLA_PROP_LIST_ATTRS = {
  altnames: { type: 53, kind: "string", repeat: true, uapi: "IFLA_ALT_IFNAME", ...ALTIFNAME },
} as const;

/**
 * `IFLA_LINKINFO`. The kind-specific payloads stay raw here: their layout
 * depends on the kind, so the kind modules (`kinds/`) decode them after the kind is known.
 */
export const IFLA_INFO_ATTRS = {
  kind: { type: 1, kind: "string", uapi: "IFLA_INFO_KIND" },
  data: { type: 2, kind: "bytes", uapi: "IFLA_INFO_DATA" },
  slaveKind: { type: 4, kind: "string", uapi: "IFLA_INFO_SLAVE_KIND" },
  slaveData: { type: 5, kind: "bytes", uapi: "IFLA_INFO_SLAVE_DATA" },
} as const;

/** `IN6_ADDR_GEN_MODE_*`, named as iproute2 prints them. */
export const IN6_ADDR_GEN_MODE = {
  0: "eui64",
  1: "none",
  2: "stable_secret",
  3: "random",
} as const;

/** `struct ifla_cacheinfo` of `IFLA_INET6_CACHEINFO`: times in ms. */
export const IFLA_INET6_CACHEINFO = {
  maxReasmLen: "u32",
  tstamp: "u32",
  reachableTime: "u32",
  retransTime: "u32",
} as const;

/** `IFLA_INET6_*` inside `IFLA_AF_SPEC`. The per-device sysctls and counters (`u32`/`u64` arrays) stay raw in `unknown`. */
export const IFLA_INET6_ATTRS = {
  flags: { type: 1, kind: "u32", uapi: "IFLA_INET6_FLAGS" },
  cacheinfo: { type: 5, kind: "struct", struct: IFLA_INET6_CACHEINFO, uapi: "IFLA_INET6_CACHEINFO" },
  token: { type: 7, kind: "ip", uapi: "IFLA_INET6_TOKEN", width: 16, what: "token" },
  addrGenMode: { type: 8, kind: "u8", names: IN6_ADDR_GEN_MODE, uapi: "IFLA_INET6_ADDR_GEN_MODE" },
} as const;

/**
 * `IFLA_AF_SPEC`, per address family. Only `AF_INET6` is decoded: bridge
 * messages use the low numbers (`AF_INET` is `IFLA_BRIDGE_VLAN_INFO` there),
 * so those stay raw.
 */
export const IFLA_AF_SPEC_ATTRS = {
  inet6: { type: 10, kind: "nested", table: IFLA_INET6_ATTRS, unknownInside: true }, // AF_INET6
} as const;

/** `XDP_ATTACHED_*`: how an XDP program is attached. */
export const XDP_ATTACHED = {
  0: "none",
  1: "drv",
  2: "skb",
  3: "hw",
  4: "multi",
} as const;

/** `IFLA_XDP_*`: the XDP program of a link. */
export const IFLA_XDP_ATTRS = {
  fd: { type: 1, kind: "s32", uapi: "IFLA_XDP_FD" },
  attached: { type: 2, kind: "u8", names: XDP_ATTACHED, uapi: "IFLA_XDP_ATTACHED" },
  flags: { type: 3, kind: "u32", uapi: "IFLA_XDP_FLAGS" },
  progId: { type: 4, kind: "u32", uapi: "IFLA_XDP_PROG_ID" },
  drvProgId: { type: 5, kind: "u32", uapi: "IFLA_XDP_DRV_PROG_ID" },
  skbProgId: { type: 6, kind: "u32", uapi: "IFLA_XDP_SKB_PROG_ID" },
  hwProgId: { type: 7, kind: "u32", uapi: "IFLA_XDP_HW_PROG_ID" },
  expectedFd: { type: 8, kind: "s32", uapi: "IFLA_XDP_EXPECTED_FD" },
} as const;

/** `struct rtnl_link_ifmap` of `IFLA_MAP`: the device's hardware resources. */
export const RTNL_LINK_IFMAP = {
  memStart: "u64",
  memEnd: "u64",
  baseAddr: "u64",
  irq: "u16",
  dma: "u8",
  port: "u8",
  pad: "pad4",
} as const;

/** Nested attributes nlkit does not decode further (`IFLA_DEVLINK_PORT`, `IFLA_DPLL_PIN`): kept raw inside. */
export const IFLA_OPAQUE_ATTRS: Record<never, never> = {};

/**
 * The `IFLA_*` attributes of a link message. Their public facts (request-only
 * attributes, the flattened property list, nests that keep their unknown
 * attributes) make the public `Link` with `object.ts`.
 */
export const IFLA_ATTRS = {
  /** Link-layer address (`aa:bb:cc:dd:ee:ff`). */
  address: { type: 1, kind: "mac", uapi: "IFLA_ADDRESS" },
  /** Link-layer broadcast address. */
  broadcast: { type: 2, kind: "mac", uapi: "IFLA_BROADCAST" },
  name: { type: 3, kind: "string", uapi: "IFLA_IFNAME", ...IFNAME },
  /** MTU in bytes. */
  mtu: { type: 4, kind: "u32", uapi: "IFLA_MTU", min: 68, max: 65536, what: "MTU" },
  link: { type: 5, kind: "u32", uapi: "IFLA_LINK" },
  qdisc: { type: 6, kind: "string", uapi: "IFLA_QDISC" },
  master: { type: 10, kind: "u32", uapi: "IFLA_MASTER" },
  // Layout depends on the message family (bridge port or IPv6), decoded later.
  protinfo: { type: 12, kind: "bytes", uapi: "IFLA_PROTINFO" },
  /** Transmit queue length. */
  txqlen: { type: 13, kind: "u32", uapi: "IFLA_TXQLEN" },
  map: { type: 14, kind: "struct", struct: RTNL_LINK_IFMAP, uapi: "IFLA_MAP" },
  operstate: { type: 16, kind: "u8", names: IF_OPER, uapi: "IFLA_OPERSTATE" },
  linkmode: { type: 17, kind: "u8", names: IF_LINK_MODE, uapi: "IFLA_LINKMODE" },
  linkinfo: { type: 18, kind: "nested", table: IFLA_INFO_ATTRS, uapi: "IFLA_LINKINFO" },
  netnsPid: { type: 19, kind: "u32", dir: "request", uapi: "IFLA_NET_NS_PID", ...INDEX, what: "namespace pid" },
  /** Interface alias (`ip link set ... alias`). */
  alias: { type: 20, kind: "string", uapi: "IFLA_IFALIAS", maxLen: 255 },
  stats64: { type: 23, kind: "struct", struct: RTNL_LINK_STATS64, uapi: "IFLA_STATS64" },
  afSpec: { type: 26, kind: "nested", table: IFLA_AF_SPEC_ATTRS, unknownInside: true, uapi: "IFLA_AF_SPEC" },
  /** Interface group number. */
  group: { type: 27, kind: "u32", uapi: "IFLA_GROUP" },
  netnsFd: { type: 28, kind: "u32", dir: "request", uapi: "IFLA_NET_NS_FD", what: "namespace fd" },
  extMask: { type: 29, kind: "u32", dir: "request", uapi: "IFLA_EXT_MASK" },
  promiscuity: { type: 30, kind: "u32", uapi: "IFLA_PROMISCUITY" },
  numTxQueues: { type: 31, kind: "u32", uapi: "IFLA_NUM_TX_QUEUES", min: 1, max: 4096, what: "numtxqueues" },
  numRxQueues: { type: 32, kind: "u32", uapi: "IFLA_NUM_RX_QUEUES", min: 1, max: 4096, what: "numrxqueues" },
  carrier: { type: 33, kind: "u8", uapi: "IFLA_CARRIER" },
  physPortId: { type: 34, kind: "bytes", uapi: "IFLA_PHYS_PORT_ID" },
  carrierChanges: { type: 35, kind: "u32", uapi: "IFLA_CARRIER_CHANGES" },
  physSwitchId: { type: 36, kind: "bytes", uapi: "IFLA_PHYS_SWITCH_ID" },
  linkNetnsid: { type: 37, kind: "s32", uapi: "IFLA_LINK_NETNSID" },
  physPortName: { type: 38, kind: "string", uapi: "IFLA_PHYS_PORT_NAME" },
  protoDown: { type: 39, kind: "u8", uapi: "IFLA_PROTO_DOWN" },
  gsoMaxSegs: { type: 40, kind: "u32", uapi: "IFLA_GSO_MAX_SEGS", max: 65535, what: "gso_max_segs" },
  gsoMaxSize: { type: 41, kind: "u32", uapi: "IFLA_GSO_MAX_SIZE", what: "gso_max_size" },
  xdp: { type: 43, kind: "nested", table: IFLA_XDP_ATTRS, unknownInside: true, uapi: "IFLA_XDP" },
  targetNetnsid: { type: 46, kind: "s32", uapi: "IFLA_TARGET_NETNSID" },
  carrierUpCount: { type: 47, kind: "u32", uapi: "IFLA_CARRIER_UP_COUNT" },
  carrierDownCount: { type: 48, kind: "u32", uapi: "IFLA_CARRIER_DOWN_COUNT" },
  minMtu: { type: 50, kind: "u32", uapi: "IFLA_MIN_MTU" },
  maxMtu: { type: 51, kind: "u32", uapi: "IFLA_MAX_MTU" },
  propList: { type: 52, kind: "nested", table: IFLA_PROP_LIST_ATTRS, flatten: true, uapi: "IFLA_PROP_LIST" },
  altIfname: { type: 53, kind: "string", dir: "request", uapi: "IFLA_ALT_IFNAME", ...ALTIFNAME },
  permAddress: { type: 54, kind: "mac", uapi: "IFLA_PERM_ADDRESS" },
  parentDevName: { type: 56, kind: "string", uapi: "IFLA_PARENT_DEV_NAME" },
  parentDevBusName: { type: 57, kind: "string", uapi: "IFLA_PARENT_DEV_BUS_NAME" },
  groMaxSize: { type: 58, kind: "u32", uapi: "IFLA_GRO_MAX_SIZE", what: "gro_max_size" },
  tsoMaxSize: { type: 59, kind: "u32", uapi: "IFLA_TSO_MAX_SIZE" },
  tsoMaxSegs: { type: 60, kind: "u32", uapi: "IFLA_TSO_MAX_SEGS" },
  allmulti: { type: 61, kind: "u32", uapi: "IFLA_ALLMULTI" },
  gsoIpv4MaxSize: { type: 63, kind: "u32", uapi: "IFLA_GSO_IPV4_MAX_SIZE", what: "gso_ipv4_max_size" },
  groIpv4MaxSize: { type: 64, kind: "u32", uapi: "IFLA_GRO_IPV4_MAX_SIZE", what: "gro_ipv4_max_size" },
  devlinkPort: { type: 62, kind: "nested", table: IFLA_OPAQUE_ATTRS, unknownInside: true, uapi: "IFLA_DEVLINK_PORT" },
  dpllPin: { type: 65, kind: "nested", table: IFLA_OPAQUE_ATTRS, unknownInside: true, uapi: "IFLA_DPLL_PIN" },
  maxPacingOffloadHorizon: { type: 66, kind: "codec", codec: NLA_UINT, uapi: "IFLA_MAX_PACING_OFFLOAD_HORIZON" }, // ns
  netnsImmutable: { type: 67, kind: "u8", uapi: "IFLA_NETNS_IMMUTABLE" },
  headroom: { type: 68, kind: "u16", uapi: "IFLA_HEADROOM" },
  tailroom: { type: 69, kind: "u16", uapi: "IFLA_TAILROOM" },
} as const;

/**
 * A link message as requests carry it: the `ifinfomsg` header with its
 * policies and the {@link IFLA_ATTRS}. `object.ts` declares the public
 * `Link` on it (`LINK_MESSAGE`); this one stays free of the link kinds, so
 * that resolving a name does not load them.
 */
export const LINK_REQUEST = {
  name: "ifinfomsg",
  what: "Link message",
  header: {
    ...IFINFOMSG,
    // A request that names no link (a creation, a dump) leaves it out: 0.
    index: { kind: IFINFOMSG.index, private: true, min: 1, what: "link index" },
  },
  attrs: IFLA_ATTRS,
} as const satisfies PublicMessage;
