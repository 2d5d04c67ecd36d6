/**
 * Wire tables of rtnetlink neighbours: the `ndmsg` header, the `NDA_*`
 * attributes, `NUD_*` states and `NTF_*` flags, and the public
 * {@link Neighbour} declared from them ({@link NEIGHBOUR_MESSAGE}). The
 * same message carries ARP and NDP entries (`AF_INET`, `AF_INET6`) and
 * bridge forwarding entries (`AF_BRIDGE`).
 *
 * @module
 */

import type { PublicMessage } from "../../wire/public_message.ts";
import { bitNames, bitsOfNames, type Codec, type RawAttr } from "../../wire/table.ts";
import { familyNumber } from "../../wire/family.ts";
import { familyText } from "../route/derive.ts";
import { completeStruct } from "../addr/table.ts";
import { RTPROT_NAMES } from "../route/names.ts";

/** `struct ndmsg`, the fixed header of every neighbour message. */
export const NDMSG = {
  family: "u8",
  pad1: "pad1",
  pad2: "pad2",
  ifindex: "s32",
  state: "u16",
  flags: "u8",
  type: "u8",
} as const;

/** Size of `struct ndmsg`. */
export const NDMSG_LEN = 12;

/** `NUD_*` neighbour states, by name as iproute2 prints them. `NUD_NONE` (0) has no bit. */
export const NUD_NAMES = {
  0x01: "INCOMPLETE",
  0x02: "REACHABLE",
  0x04: "STALE",
  0x08: "DELAY",
  0x10: "PROBE",
  0x20: "FAILED",
  0x40: "NOARP",
  0x80: "PERMANENT",
} as const;

/** `NUD_NOARP`. */
export const NUD_NOARP = 0x40;
/** `NUD_PERMANENT`. */
export const NUD_PERMANENT = 0x80;
/** `NUD_REACHABLE`. */
export const NUD_REACHABLE = 0x02;
/** `NUD_STALE`. */
export const NUD_STALE = 0x04;

/** `NTF_*` flag bits of `ndm_flags`, named as iproute2 prints them. */
export const NTF_NAMES = {
  0x01: "use",
  0x02: "self",
  0x04: "master",
  0x08: "proxy",
  0x10: "extern_learn",
  0x20: "offload",
  0x40: "sticky",
  0x80: "router",
} as const;

/** `NTF_PROXY`: a proxy ARP/NDP entry. */
export const NTF_PROXY = 0x08;
/** `NTF_SELF`: an FDB entry of the device itself. */
export const NTF_SELF = 0x02;
/** `NTF_MASTER`: an FDB entry of the device's bridge. */
export const NTF_MASTER = 0x04;

/** `NTF_EXT_*` flag bits of `NDA_FLAGS_EXT`. */
export const NTF_EXT_NAMES = {
  0x01: "managed",
  0x02: "locked",
} as const;

/** `struct nda_cacheinfo`: ages in clock ticks (USER_HZ, 100 per second). */
export const NDA_CACHEINFO_STRUCT = {
  /** Ticks since the entry was last confirmed. */
  confirmed: "u32",
  /** Ticks since the entry was last used. */
  used: "u32",
  /** Ticks since the entry was last updated. */
  updated: "u32",
  /** References held on the entry. */
  refcnt: "u32",
} as const;

/** `struct nda_cacheinfo` as parsed. */
export interface NeighbourCacheinfo {
  /** Ticks since the entry was last confirmed. */
  confirmed: number;
  /** Ticks since the entry was last used. */
  used: number;
  /** Ticks since the entry was last updated. */
  updated: number;
  /** References held on the entry. */
  refcnt: number;
}

/** Codec of `NDA_CACHEINFO`. */
export const NDA_CACHEINFO_CODEC: Codec<NeighbourCacheinfo> = completeStruct<NeighbourCacheinfo>(
  NDA_CACHEINFO_STRUCT,
  "nda_cacheinfo",
);

/** The `NDA_*` attributes, with the policies the builders check. */
export const NDA_ATTRS = {
  /** Protocol address (the remote VTEP of a VXLAN FDB entry). */
  dst: { type: 1, kind: "ip", uapi: "NDA_DST" },
  /** Link-layer address. */
  lladdr: { type: 2, kind: "mac", uapi: "NDA_LLADDR" },
  /** Ages and references. */
  cacheinfo: { type: 3, kind: "codec", uapi: "NDA_CACHEINFO", codec: NDA_CACHEINFO_CODEC, dir: "reply" },
  /** Probes sent. */
  probes: { type: 4, kind: "u32", uapi: "NDA_PROBES", dir: "reply" },
  /** FDB VLAN id. */
  vlan: { type: 5, kind: "u16", uapi: "NDA_VLAN", min: 1, max: 4094, what: "VLAN id" },
  /** VXLAN destination port. */
  port: { type: 6, kind: "u16be", uapi: "NDA_PORT", what: "port" },
  /** VXLAN network id. */
  vni: { type: 7, kind: "u32", uapi: "NDA_VNI", max: 0xffffff, what: "VNI" },
  /** Outgoing link of a VXLAN FDB entry (`via`). */
  ifindex: { type: 8, kind: "u32", uapi: "NDA_IFINDEX", min: 1, max: 0x7fffffff, what: "via ifindex" },
  /** Bridge of an FDB entry, by index. */
  master: { type: 9, kind: "u32", uapi: "NDA_MASTER" },
  /** Namespace id of the link. */
  linkNetnsid: { type: 10, kind: "s32", uapi: "NDA_LINK_NETNSID", dir: "reply" },
  /** Source VNI (VXLAN collect-metadata devices). */
  srcVni: { type: 11, kind: "u32", uapi: "NDA_SRC_VNI", max: 0xffffff, what: "source VNI" },
  /** Who added the entry (`static`, `zebra`... or decimal text). */
  protocol: { type: 12, kind: "u8", uapi: "NDA_PROTOCOL", names: RTPROT_NAMES, what: "neighbour protocol" },
  /** Nexthop id. */
  nhId: { type: 13, kind: "u32", uapi: "NDA_NH_ID" },
  /** Flag bits beyond the 8 of `ndm_flags` (merged into `flags` when parsed). */
  flagsExt: { type: 15, kind: "u32", uapi: "NDA_FLAGS_EXT" },
} as const;

/**
 * One neighbour (ARP/NDP) or bridge forwarding (FDB) entry: the `ndmsg`
 * header and the {@link NDA_ATTRS} attributes, devices by index and name. A
 * listed entry is a valid spec of the delete and replace calls as it is (its
 * output-only fields are listed in `NEIGHBOUR_OUTPUT_ONLY`).
 */
export interface Neighbour {
  /** `inet`, `inet6` or `bridge` (FDB entries). */
  family: string;
  /** Interface index (`ndm_ifindex`). */
  ifindex: number;
  /** Interface name (the name of `ifindex`), set by listings, gets and events. */
  dev?: string;
  /** Protocol address (the remote VTEP of a VXLAN FDB entry). */
  dst?: string;
  /** Link-layer address. */
  lladdr?: string;
  /** `NUD_*` state names, e.g. `["REACHABLE"]`; `["NONE"]` when no bit is set. */
  state: string[];
  /** `NTF_*` flags and `NDA_FLAGS_EXT` flags by name (`router`, `proxy`, `extern_learn`, `managed`...). */
  flags: string[];
  /** `ndm_type` (a route type; 1 for unicast); output only. */
  type: number;
  /** Ages and references; output only. */
  cacheinfo?: NeighbourCacheinfo;
  /** Probes sent; output only. */
  probes?: number;
  /** FDB VLAN id. */
  vlan?: number;
  /** VXLAN destination port. */
  port?: number;
  /** VXLAN network id. */
  vni?: number;
  /** Outgoing link of a VXLAN FDB entry, by index (`NDA_IFINDEX`). */
  viaIfindex?: number;
  /** Outgoing link of a VXLAN FDB entry, by name (`via`). */
  via?: string;
  /** Bridge of an FDB entry, by index; output only. */
  master?: number;
  /** Bridge of an FDB entry, by name; output only. */
  masterName?: string;
  /** Namespace id of the link (`NDA_LINK_NETNSID`); output only. */
  linkNetnsid?: number;
  /** Source VNI (`NDA_SRC_VNI`). */
  srcVni?: number;
  /** Who added the entry (`static`, `zebra`... or decimal text). */
  protocol?: string;
  /** Nexthop id (`NDA_NH_ID`); output only. */
  nhId?: number;
  /** Attributes this version does not know, kept raw; output only. */
  unknown?: RawAttr[];
}

/** Fields of a listed {@link Neighbour} that the kernel reports but does not take back: accepted by the calls and ignored. */
export const NEIGHBOUR_OUTPUT_ONLY = [
  "type",
  "cacheinfo",
  "probes",
  "master",
  "masterName",
  "linkNetnsid",
  "nhId",
  "unknown",
] as const;

/** `NUD_*` state names; `["NONE"]` when no bit is set. */
function stateNames(state: number): string[] {
  return state ? bitNames(NUD_NAMES, state) : ["NONE"];
}

/** The state bits of state names (`NONE` has none). */
function stateBits(names: readonly string[]): number {
  return bitsOfNames(NUD_NAMES, names.filter((n) => n !== "NONE"), "neighbour state");
}

/** `ndm_flags` and `NDA_FLAGS_EXT` by name, in that order. */
function flagNames(flags: number, ext: number | undefined): string[] {
  const out = bitNames(NTF_NAMES, flags);
  if (ext) out.push(...bitNames(NTF_EXT_NAMES, ext));
  return out;
}

/**
 * The public {@link Neighbour}: `ndmsg` fields, the {@link NDA_ATTRS}
 * (`NDA_IFINDEX` as `viaIfindex`) and the flags of both the header and
 * `NDA_FLAGS_EXT`. `scripts/gen_codecs.ts` compiles it into
 * `parseNeighbourMessage`.
 */
export const NEIGHBOUR_MESSAGE = {
  name: "ndmsg",
  what: "Neighbour message",
  header: {
    family: { kind: "u8", derive: { toPublic: familyText, toWire: familyNumber } },
    pad1: { kind: "pad1" },
    pad2: { kind: "pad2" },
    ifindex: { kind: "s32" },
    state: { kind: "u16", derive: { toPublic: stateNames, toWire: stateBits } },
    flags: { kind: "u8", private: true },
    type: { kind: "u8" },
  },
  attrs: { ...NDA_ATTRS, ifindex: { ...NDA_ATTRS.ifindex, key: "viaIfindex" } },
  combined: { flags: { from: ["hdr.flags", "flagsExt"], fn: flagNames } },
} as const satisfies PublicMessage;
