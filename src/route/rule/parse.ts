/**
 * Decoding of `RTM_NEWRULE`/`RTM_DELRULE` messages into {@link Rule} objects.
 *
 * @module
 */

import { parseRuleAttrs } from "./_generated/table.ts";
import { AF_INET6 } from "../../wire/addr.ts";
import { familyName } from "../../wire/family.ts";
import { tableName } from "../route/tables.ts";
import { TruncatedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { bitNames, nameOf, parseStruct, type RawAttr } from "../../wire/table.ts";
import { FIB_RULE_FLAGS, FIB_RULE_HDR, FIB_RULE_HDRLEN, FIB_RULE_INVERT, RULE_ACTIONS } from "./table.ts";

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

/** Fields of a listed {@link Rule} that the kernel reports but does not take back: accepted by `deleteRule`/`addRule` and ignored. */
export const RULE_OUTPUT_ONLY = ["unknown"] as const;

function anyAddr(family: number): string {
  return family === AF_INET6 ? "::" : "0.0.0.0";
}

/** `FRA_SUPPRESS_*` hold -1 when unset (older kernels send it anyway). */
const UNSET = 0xffffffff;

/**
 * Parses one rule message (`fib_rule_hdr` plus `FRA_*` attributes). Throws
 * `TruncatedError`/`MalformedError` on bytes that cannot be a rule.
 */
export function parseRuleMessage(m: NlMsg): Rule {
  const off = payloadOf(m);
  if (off + FIB_RULE_HDRLEN > m.end) throw new TruncatedError("fib_rule_hdr", off, FIB_RULE_HDRLEN, m.end - off);
  const h = parseStruct(FIB_RULE_HDR, m.view, off, m.end);
  const { priority, table, l3mdev, suppressPrefixlen, suppressIfgroup, ...rest } = parseRuleAttrs(
    m.buf,
    m.view,
    off + FIB_RULE_HDRLEN,
    m.end,
  );
  const { src, dst, ...others } = rest;
  const rule: Rule = {
    family: familyName(h.family),
    priority: priority ?? 0,
    tos: h.tos,
    action: nameOf(RULE_ACTIONS, h.action),
    flags: bitNames(FIB_RULE_FLAGS, h.flags),
    invert: (h.flags & FIB_RULE_INVERT) !== 0,
    ...others,
  };
  if (src !== undefined || h.srcLen) rule.src = `${src ?? anyAddr(h.family)}/${h.srcLen}`;
  if (dst !== undefined || h.dstLen) rule.dst = `${dst ?? anyAddr(h.family)}/${h.dstLen}`;
  if (table ?? h.table) rule.table = tableName(table ?? h.table);
  if (l3mdev !== undefined) rule.l3mdev = l3mdev !== 0;
  if (suppressPrefixlen !== undefined && suppressPrefixlen !== UNSET) rule.suppressPrefixlen = suppressPrefixlen;
  if (suppressIfgroup !== undefined && suppressIfgroup !== UNSET) rule.suppressIfgroup = suppressIfgroup;
  return rule;
}
