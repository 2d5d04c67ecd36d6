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
  dst: { type: 1, kind: "ip", uapi: "FRA_DST" },
  src: { type: 2, kind: "ip", uapi: "FRA_SRC" },
  iif: { type: 3, kind: "string", uapi: "FRA_IIFNAME", what: "input interface", ...IFNAME },
  goto: { type: 4, kind: "u32", uapi: "FRA_GOTO", what: "goto target" },
  priority: { type: 6, kind: "u32", uapi: "FRA_PRIORITY" },
  fwmark: { type: 10, kind: "u32", uapi: "FRA_FWMARK" },
  flow: { type: 11, kind: "u32", uapi: "FRA_FLOW", what: "realms" },
  tunId: { type: 12, kind: "u64be", uapi: "FRA_TUN_ID", what: "tunnel id" },
  suppressIfgroup: { type: 13, kind: "u32", uapi: "FRA_SUPPRESS_IFGROUP", max: 0xfffffffe, what: "suppress_ifgroup" },
  suppressPrefixlen: { type: 14, kind: "u32", uapi: "FRA_SUPPRESS_PREFIXLEN", max: 128, what: "suppress_prefixlength" },
  table: { type: 15, kind: "u32", uapi: "FRA_TABLE" },
  fwmask: { type: 16, kind: "u32", uapi: "FRA_FWMASK" },
  oif: { type: 17, kind: "string", uapi: "FRA_OIFNAME", what: "output interface", ...IFNAME },
  l3mdev: { type: 19, kind: "u8", uapi: "FRA_L3MDEV" },
  uidRange: { type: 20, kind: "struct", uapi: "FRA_UID_RANGE", struct: { start: "u32", end: "u32" } },
  protocol: { type: 21, kind: "u8", uapi: "FRA_PROTOCOL", names: RTPROT_NAMES, what: "rule protocol" },
  ipProto: { type: 22, kind: "u8", uapi: "FRA_IP_PROTO" },
  sportRange: { type: 23, kind: "struct", uapi: "FRA_SPORT_RANGE", struct: { start: "u16", end: "u16" } },
  dportRange: { type: 24, kind: "struct", uapi: "FRA_DPORT_RANGE", struct: { start: "u16", end: "u16" } },
  dscp: { type: 25, kind: "u8", uapi: "FRA_DSCP", max: 63, what: "DSCP" },
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
    tos: { kind: "u8", what: "TOS" },
    table: { kind: "u8", private: true },
    res: { kind: "pad2" },
    action: {
      kind: "u8",
      private: true,
      named: { key: "action", names: RULE_ACTIONS },
      only: true,
      what: "rule action",
    },
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
