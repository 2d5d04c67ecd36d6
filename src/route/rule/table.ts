/**
 * Wire layout of policy routing rules (`<linux/fib_rules.h>`): the
 * `fib_rule_hdr`, the `FRA_*` attribute table and the name maps that
 * iproute2 prints.
 *
 * @module
 */

import type { RawAttr } from "../../wire/table.ts";
import type { PublicMessage } from "../../wire/public_message.ts";
import { familyNumber } from "../../wire/family.ts";
import { familyText, sourceText } from "../route/derive.ts";
import { RTPROT_NAMES } from "../route/names.ts";
import { tableName } from "../route/tables.ts";

/** `FRA_DST`: destination prefix address. */
export const FRA_DST = 1;
/** `FRA_SRC`: source prefix address. */
export const FRA_SRC = 2;
/** `FRA_IIFNAME`: input interface name. */
export const FRA_IIFNAME = 3;
/** `FRA_GOTO`: target priority of a goto rule. */
export const FRA_GOTO = 4;
/** `FRA_PRIORITY`: rule priority (preference). */
export const FRA_PRIORITY = 6;
/** `FRA_FWMARK`: firewall mark. */
export const FRA_FWMARK = 10;
/** `FRA_FLOW`: realms (IPv4). */
export const FRA_FLOW = 11;
/** `FRA_TUN_ID`: tunnel id, big-endian u64. */
export const FRA_TUN_ID = 12;
/** `FRA_SUPPRESS_IFGROUP`: suppress results through this interface group. */
export const FRA_SUPPRESS_IFGROUP = 13;
/** `FRA_SUPPRESS_PREFIXLEN`: suppress results with a prefix this short or shorter. */
export const FRA_SUPPRESS_PREFIXLEN = 14;
/** `FRA_TABLE`: table id, for ids above 255. */
export const FRA_TABLE = 15;
/** `FRA_FWMASK`: mask applied to the firewall mark. */
export const FRA_FWMASK = 16;
/** `FRA_OIFNAME`: output interface name. */
export const FRA_OIFNAME = 17;
/** `FRA_L3MDEV`: look up in the table of the l3mdev (VRF) device. */
export const FRA_L3MDEV = 19;
/** `FRA_UID_RANGE`: `struct fib_rule_uid_range`. */
export const FRA_UID_RANGE = 20;
/** `FRA_PROTOCOL`: who installed the rule (`RTPROT_*`). */
export const FRA_PROTOCOL = 21;
/** `FRA_IP_PROTO`: IP protocol number. */
export const FRA_IP_PROTO = 22;
/** `FRA_SPORT_RANGE`: `struct fib_rule_port_range` of source ports. */
export const FRA_SPORT_RANGE = 23;
/** `FRA_DPORT_RANGE`: `struct fib_rule_port_range` of destination ports. */
export const FRA_DPORT_RANGE = 24;
/** `FRA_DSCP`: DSCP value (Linux 6.12+). */
export const FRA_DSCP = 25;

/** `FR_ACT_*` rule actions by value. */
export const RULE_ACTIONS = {
  1: "lookup", // FR_ACT_TO_TBL
  2: "goto", // FR_ACT_GOTO
  3: "nop", // FR_ACT_NOP
  6: "blackhole", // FR_ACT_BLACKHOLE
  7: "unreachable", // FR_ACT_UNREACHABLE
  8: "prohibit", // FR_ACT_PROHIBIT
} as const;

/** A rule action: look up a table, jump, do nothing, or drop (the values of {@link RULE_ACTIONS}). */
export type RuleAction = "lookup" | "goto" | "nop" | "blackhole" | "unreachable" | "prohibit";

/** `FIB_RULE_*` flag bits by value. */
export const FIB_RULE_FLAGS = {
  0x1: "permanent", // FIB_RULE_PERMANENT
  0x2: "invert", // FIB_RULE_INVERT
  0x4: "unresolved", // FIB_RULE_UNRESOLVED
  0x8: "iif_detached", // FIB_RULE_IIF_DETACHED
  0x10: "oif_detached", // FIB_RULE_OIF_DETACHED
  0x10000: "find_saddr", // FIB_RULE_FIND_SADDR
} as const;

/** `FIB_RULE_INVERT`: the selector is negated (`not`). */
export const FIB_RULE_INVERT = 0x2;

/** IP protocol names, as `/etc/protocols` spells them. */
export const IP_PROTO_NAMES = {
  1: "icmp",
  2: "igmp",
  4: "ipencap",
  6: "tcp",
  17: "udp",
  41: "ipv6",
  47: "gre",
  50: "esp",
  51: "ah",
  58: "ipv6-icmp",
  89: "ospf",
  103: "pim",
  112: "vrrp",
  115: "l2tp",
  132: "sctp",
  136: "udplite",
} as const;

/** `struct fib_rule_hdr`. */
export const FIB_RULE_HDR = {
  family: "u8",
  dstLen: "u8",
  srcLen: "u8",
  tos: "u8",
  table: "u8",
  res: "pad2",
  action: "u8",
  flags: "u32",
} as const;

/** Size of `struct fib_rule_hdr`. */
export const FIB_RULE_HDRLEN = 12;

/** A device name as a rule holds it (`IFNAMSIZ` less the NUL; no whitespace, `/` or `:`). */
const IFNAME = { maxLen: 15, pattern: { re: /^[^\s/:]+$/, what: "an interface name of 1 to 15 bytes" } } as const;

/** The `FRA_*` attributes of a rule message, with the policies the builder checks. */
export const RULE_ATTRS = {
  dst: { type: FRA_DST, kind: "ip" },
  src: { type: FRA_SRC, kind: "ip" },
  iif: { type: FRA_IIFNAME, kind: "string", what: "input interface", ...IFNAME },
  goto: { type: FRA_GOTO, kind: "u32", what: "goto target" },
  priority: { type: FRA_PRIORITY, kind: "u32" },
  fwmark: { type: FRA_FWMARK, kind: "u32" },
  flow: { type: FRA_FLOW, kind: "u32", what: "realms" },
  tunId: { type: FRA_TUN_ID, kind: "u64be", what: "tunnel id" },
  suppressIfgroup: { type: FRA_SUPPRESS_IFGROUP, kind: "u32", max: 0xfffffffe, what: "suppress_ifgroup" },
  suppressPrefixlen: { type: FRA_SUPPRESS_PREFIXLEN, kind: "u32", max: 128, what: "suppress_prefixlength" },
  table: { type: FRA_TABLE, kind: "u32" },
  fwmask: { type: FRA_FWMASK, kind: "u32" },
  oif: { type: FRA_OIFNAME, kind: "string", what: "output interface", ...IFNAME },
  l3mdev: { type: FRA_L3MDEV, kind: "u8" },
  uidRange: { type: FRA_UID_RANGE, kind: "struct", struct: { start: "u32", end: "u32" } },
  protocol: { type: FRA_PROTOCOL, kind: "u8", names: RTPROT_NAMES },
  ipProto: { type: FRA_IP_PROTO, kind: "u8" },
  sportRange: { type: FRA_SPORT_RANGE, kind: "struct", struct: { start: "u16", end: "u16" } },
  dportRange: { type: FRA_DPORT_RANGE, kind: "struct", struct: { start: "u16", end: "u16" } },
  dscp: { type: FRA_DSCP, kind: "u8", max: 63, what: "DSCP" },
} as const;

/** An inclusive range of ports or uids. */
export interface RuleRange {
  /** First value. */
  start: number;
  /** Last value. */
  end: number;
}

/**
 * One policy routing rule, as the kernel reports it. A listed rule is a
 * valid {@link RuleSpec} of `deleteRule` and `addRule` as it is (its
 * output-only fields are listed in `RULE_OUTPUT_ONLY`). Devices are names
 * only: the kernel keeps a rule's `iif`/`oif` by name, and the device need
 * not exist (`iif_detached`).
 */
export interface Rule {
  /** `inet` or `inet6`; multicast rules are `ipmr` and `ip6mr`. */
  family: string;
  /** Priority (preference); lower runs first. */
  priority: number;
  /** Source prefix (`from`, `"10.0.0.0/8"`); absent means any. */
  src?: string;
  /** Destination prefix (`to`, `"10.1.0.0/16"`); absent means any. */
  dst?: string;
  /** TOS to match (0: any). */
  tos: number;
  /** Table looked up (`main`, a name of `rt_tables`, else the id); absent when none (`goto`, `nop`...). */
  table?: string | number;
  /** What the rule does: `lookup`, `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`. */
  action: string;
  /** `FIB_RULE_*` flags by name: `invert` (as `invert`), and those the kernel sets (`unresolved`, `iif_detached`, ...). */
  flags: string[];
  /** The selector is negated (`not`). */
  invert: boolean;
  /** Who installed the rule (`kernel`, `static`, ...; unknown as decimal text). */
  protocol?: string;
  /** Firewall mark to match. */
  fwmark?: number;
  /** Mask applied to the mark before matching. */
  fwmask?: number;
  /** Input interface name. */
  iif?: string;
  /** Output interface name. */
  oif?: string;
  /** Target priority of a `goto` rule. */
  goto?: number;
  /** Reject lookup results with a prefix this long or shorter. */
  suppressPrefixlen?: number;
  /** Reject lookup results through this interface group. */
  suppressIfgroup?: number;
  /** Realms (IPv4): source realm in the high 16 bits. */
  flow?: number;
  /** Tunnel id to match. */
  tunId?: number;
  /** Look up the table of the l3mdev (VRF) device. */
  l3mdev?: boolean;
  /** Uid range of the socket owner. */
  uidRange?: RuleRange;
  /** IP protocol number to match. */
  ipProto?: number;
  /** Source port range. */
  sportRange?: RuleRange;
  /** Destination port range. */
  dportRange?: RuleRange;
  /** DSCP value to match. */
  dscp?: number;
  /** Attributes this version does not know, kept raw. */
  unknown?: RawAttr[];
}

/** `FRA_SUPPRESS_*` hold -1 when unset (older kernels send it anyway). */
const UNSET = 0xffffffff;

/** A `FRA_SUPPRESS_*` value, absent when unset. */
function suppressed(v: number | undefined): number | undefined {
  return v === UNSET ? undefined : v;
}

/** The table by name: `FRA_TABLE` (ids above 255), else the header's byte; absent when 0 (`goto`, `nop`...). */
function ruleTable(attr: number | undefined, header: number): string | number | undefined {
  const id = attr ?? header;
  return id ? tableName(id) : undefined;
}

/**
 * The public {@link Rule}: `fib_rule_hdr` fields, the {@link RULE_ATTRS}
 * and the prefixes and table made from both. `scripts/gen_codecs.ts`
 * compiles it into `parseRuleMessage`.
 */
export const RULE_MESSAGE = {
  name: "fib_rule_hdr",
  what: "Rule message",
  header: {
    family: { kind: "u8", derive: { toPublic: familyText, toWire: familyNumber } },
    dstLen: { kind: "u8", private: true },
    srcLen: { kind: "u8", private: true },
    tos: { kind: "u8" },
    table: { kind: "u8", private: true },
    res: { kind: "pad2" },
    action: { kind: "u8", private: true, named: { key: "action", names: RULE_ACTIONS } },
    flags: { kind: "u32", private: true, named: { key: "flags", bits: FIB_RULE_FLAGS } },
  },
  attrs: {
    ...RULE_ATTRS,
    priority: { ...RULE_ATTRS.priority, default: 0 },
    l3mdev: { ...RULE_ATTRS.l3mdev, derive: { toPublic: (v: number): boolean => v !== 0, toWire: Number } },
  },
  combined: {
    src: { from: ["hdr.family", "src", "hdr.srcLen"], fn: sourceText },
    dst: { from: ["hdr.family", "dst", "hdr.dstLen"], fn: sourceText },
    table: { from: ["table", "hdr.table"], fn: ruleTable },
    invert: { from: ["hdr.flags"], fn: (f: number): boolean => (f & FIB_RULE_INVERT) !== 0 },
    suppressPrefixlen: { from: ["suppressPrefixlen"], fn: suppressed },
    suppressIfgroup: { from: ["suppressIfgroup"], fn: suppressed },
  },
} as const satisfies PublicMessage;
