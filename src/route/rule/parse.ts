/**
 * Decoding of `RTM_NEWRULE`/`RTM_DELRULE` messages into {@link Rule} objects.
 *
 * @module
 */

import { parseRuleAttrs } from "./_generated/table.ts";
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

/** One policy routing rule, as the kernel reports it. */
export interface Rule {
  /** `AF_INET` (2) or `AF_INET6` (10); multicast rules are 128 (`RTNL_FAMILY_IPMR`) and 129. */
  family: number;
  /** Priority (preference); lower runs first. */
  priority: number;
  /** Source prefix address; absent means any. */
  src?: string;
  /** Source prefix length. */
  srcLen: number;
  /** Destination prefix address; absent means any. */
  dst?: string;
  /** Destination prefix length. */
  dstLen: number;
  /** TOS to match (0: any). */
  tos: number;
  /** Table looked up by a `lookup` rule (0: none). */
  table: number;
  /** What the rule does: `lookup`, `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`. */
  action: string;
  /** `FIB_RULE_*` flags by name (`invert`, `unresolved`, `iif_detached`, ...). */
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
  const rule: Rule = {
    family: h.family,
    priority: priority ?? 0,
    srcLen: h.srcLen,
    dstLen: h.dstLen,
    tos: h.tos,
    table: table ?? h.table,
    action: nameOf(RULE_ACTIONS, h.action),
    flags: bitNames(FIB_RULE_FLAGS, h.flags),
    invert: (h.flags & FIB_RULE_INVERT) !== 0,
    ...rest,
  };
  if (l3mdev !== undefined) rule.l3mdev = l3mdev !== 0;
  if (suppressPrefixlen !== undefined && suppressPrefixlen !== UNSET) rule.suppressPrefixlen = suppressPrefixlen;
  if (suppressIfgroup !== undefined && suppressIfgroup !== UNSET) rule.suppressIfgroup = suppressIfgroup;
  return rule;
}
