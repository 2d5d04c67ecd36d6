/**
 * Validation of a {@link RuleSpec} and encoding of `RTM_NEWRULE`/`RTM_DELRULE`
 * requests. Every bad value throws an `InvalidArgumentError` here,
 * before anything reaches the kernel.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { AF_INET, AF_INET6, formatIp, parseCidr } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import { type Attrs, valueOfName } from "../../wire/table.ts";
import { RTM } from "../rtnl.ts";
import { RT_TABLE_MAIN, RT_TABLE_NAMES, RTPROT_NAMES } from "../route/names.ts";
import type { RuleRange } from "./parse.ts";
import { FIB_RULE_HDR, FIB_RULE_INVERT, IP_PROTO_NAMES, RULE_ACTIONS, RULE_ATTRS } from "./table.ts";

/**
 * What a rule matches and does, for {@link buildRuleMessage}. A parsed
 * `Rule` is a valid spec, so a listed rule can be deleted as it is.
 */
export interface RuleSpec {
  /** `AF_INET` (2) or `AF_INET6` (10); by default the family of `src`/`dst`, else `AF_INET`. */
  family?: number;
  /** Priority (preference); the kernel picks one when absent. */
  priority?: number;
  /** Source prefix, `ADDR[/LEN]`. */
  src?: string;
  /** Source prefix length, when `src` has no `/LEN`. */
  srcLen?: number;
  /** Destination prefix, `ADDR[/LEN]`. */
  dst?: string;
  /** Destination prefix length, when `dst` has no `/LEN`. */
  dstLen?: number;
  /** Negate the selector (`not`). */
  invert?: boolean;
  /** TOS to match (IPv4: even values up to 0x1e; IPv6: a DS field with zero ECN bits). */
  tos?: number;
  /** Firewall mark to match. */
  fwmark?: number;
  /** Mask applied to the mark. */
  fwmask?: number;
  /** Input interface name. */
  iif?: string;
  /** Output interface name. */
  oif?: string;
  /** Table to look up: an id or `main`, `local`, `default`. Adding a `lookup` rule defaults to `main`. */
  table?: number | string;
  /** `lookup` (default; `goto` when `goto` is set), `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`. */
  action?: string;
  /** Priority a `goto` rule jumps to. */
  goto?: number;
  /** Reject lookup results with a prefix this long or shorter (0 to 128). */
  suppressPrefixlen?: number;
  /** Reject lookup results through this interface group. */
  suppressIfgroup?: number;
  /** Who installs the rule: a name (`static`, `boot`, ...) or number. */
  protocol?: string | number;
  /** Uid range of the socket owner. */
  uidRange?: RuleRange;
  /** IP protocol: a number or a name (`tcp`, `udp`, ...). */
  ipProto?: number | string;
  /** Source port or range (1 to 65534). */
  sportRange?: RuleRange | number;
  /** Destination port or range (1 to 65534). */
  dportRange?: RuleRange | number;
  /** Look up the table of the l3mdev (VRF) device. */
  l3mdev?: boolean;
  /** DSCP to match (0 to 63; Linux 6.12+). */
  dscp?: number;
  /** Realms (IPv4): source realm in the high 16 bits, destination in the low. */
  flow?: number;
  /** Tunnel id to match (metadata-based tunnels). */
  tunId?: number;
}

const U32_MAX = 0xffffffff;

function int(what: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number") throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}" (must be a number)`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}" (must be ${min} to ${max})`);
  }
  return v;
}

function named(what: string, names: Record<number, string>, v: string | number, max: number): number {
  return int(what, valueOfName(names, v, what), 0, max);
}

function prefix(
  what: string,
  text: unknown,
  len: number | undefined,
): { family: number; addr: Uint8Array; len: number } {
  if (typeof text !== "string") throw new InvalidArgumentError(`Invalid ${what}: "${String(text)}"`);
  const c = parseCidr(text);
  const max = c.addr.length * 8;
  if (len !== undefined) {
    int(`${what} prefix length`, len, 0, max);
    if (text.includes("/") && len !== c.prefixLen) {
      throw new InvalidArgumentError(`Conflicting ${what} prefix length: "${text}" and ${len}`);
    }
  }
  return { family: c.family, addr: c.addr, len: len ?? c.prefixLen };
}

function ports(what: string, v: RuleRange | number): RuleRange {
  const r = typeof v === "number" ? { start: v, end: v } : v;
  if (typeof r !== "object" || r === null) throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}"`);
  int(what, r.start, 1, 65534);
  int(what, r.end, r.start, 65534);
  return { start: r.start, end: r.end };
}

function ifname(what: string, v: unknown): string {
  if (typeof v !== "string" || v.length === 0 || new TextEncoder().encode(v).length > 15 || /[\s/:]/.test(v)) {
    throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}" (must be an interface name of 1 to 15 bytes)`);
  }
  return v;
}

function familyOf(spec: RuleSpec, addrFamily: number | undefined): number {
  const f = spec.family;
  if (f !== undefined && f !== AF_INET && f !== AF_INET6) {
    throw new InvalidArgumentError(`Invalid rule family: "${f}" (must be AF_INET or AF_INET6)`);
  }
  if (f !== undefined && addrFamily !== undefined && f !== addrFamily) {
    throw new InvalidArgumentError(`Rule family "${f}" does not match its addresses`);
  }
  return f ?? addrFamily ?? AF_INET;
}

/**
 * Validates `spec` and encodes it as an `RTM_NEWRULE` (`add`, with
 * `NLM_F_CREATE|NLM_F_EXCL`) or `RTM_DELRULE` (`delete`) request. A new
 * rule defaults to action `lookup` in table `main`; a delete matches only
 * the fields given, and needs at least one besides the family (an empty
 * one would delete the first rule, `lookup local`).
 */
export function buildRuleMessage(op: "add" | "delete", spec: RuleSpec): Uint8Array {
  if (typeof spec !== "object" || spec === null) throw new InvalidArgumentError(`Invalid rule: "${String(spec)}"`);
  const adding = op === "add";
  if (!adding && !Object.keys(spec).some((k) => k !== "family" && spec[k as keyof RuleSpec] !== undefined)) {
    throw new InvalidArgumentError("Refusing to delete a rule without a selector: give at least a priority");
  }
  const src = spec.src === undefined ? undefined : prefix("source", spec.src, spec.srcLen);
  const dst = spec.dst === undefined ? undefined : prefix("destination", spec.dst, spec.dstLen);
  if (src && dst && src.family !== dst.family) {
    throw new InvalidArgumentError(`Source "${spec.src}" and destination "${spec.dst}" are of different families`);
  }
  for (const [what, len, addr] of [["source", spec.srcLen, src], ["destination", spec.dstLen, dst]] as const) {
    if (!addr && len) {
      throw new InvalidArgumentError(`Invalid ${what} prefix length: "${len}" (needs a ${what} address)`);
    }
  }
  const family = familyOf(spec, src?.family ?? dst?.family);
  const tos = spec.tos === undefined ? 0 : int("TOS", spec.tos, 0, 255);
  if (family === AF_INET ? tos & ~0x1e : tos & 3) {
    throw new InvalidArgumentError(
      `Invalid TOS: "${tos}" (${family === AF_INET ? "must be even, up to 0x1e" : "ECN bits must be 0"})`,
    );
  }
  const action = spec.action === undefined
    ? (spec.goto !== undefined ? 2 : adding ? 1 : 0)
    : named("rule action", RULE_ACTIONS, spec.action, 255);
  if (spec.action !== undefined && !(action in RULE_ACTIONS)) {
    throw new InvalidArgumentError(`Invalid rule action: "${spec.action}"`);
  }
  if (adding && action === 2 && spec.goto === undefined) {
    throw new InvalidArgumentError("A goto rule needs a goto target");
  }
  if (spec.goto !== undefined && action !== 2) {
    throw new InvalidArgumentError(`A goto target needs action "goto", not "${spec.action}"`);
  }
  if (spec.l3mdev !== undefined && typeof spec.l3mdev !== "boolean") {
    throw new InvalidArgumentError(`Invalid l3mdev: "${String(spec.l3mdev)}" (must be a boolean)`);
  }
  let table = spec.table === undefined ? undefined : named("table", RT_TABLE_NAMES, spec.table, U32_MAX);
  if (spec.l3mdev && table) throw new InvalidArgumentError("A rule cannot have both l3mdev and a table");
  if (adding && action === 1 && table === undefined && !spec.l3mdev) table = RT_TABLE_MAIN;
  const attrs: Attrs<typeof RULE_ATTRS> = {};
  if (spec.priority !== undefined) attrs.priority = int("priority", spec.priority, 0, U32_MAX);
  if (src) attrs.src = formatIp(src.addr);
  if (dst) attrs.dst = formatIp(dst.addr);
  if (spec.iif !== undefined) attrs.iif = ifname("input interface", spec.iif);
  if (spec.oif !== undefined) attrs.oif = ifname("output interface", spec.oif);
  if (spec.goto !== undefined) attrs.goto = int("goto target", spec.goto, 0, U32_MAX);
  if (spec.fwmark !== undefined) attrs.fwmark = int("fwmark", spec.fwmark, 0, U32_MAX);
  if (spec.fwmask !== undefined) attrs.fwmask = int("fwmask", spec.fwmask, 0, U32_MAX);
  if (spec.suppressIfgroup !== undefined) {
    attrs.suppressIfgroup = int("suppress_ifgroup", spec.suppressIfgroup, 0, U32_MAX - 1);
  }
  if (spec.suppressPrefixlen !== undefined) {
    attrs.suppressPrefixlen = int("suppress_prefixlength", spec.suppressPrefixlen, 0, 128);
  }
  if (table !== undefined && table > 255) attrs.table = table;
  if (spec.l3mdev) attrs.l3mdev = 1;
  if (spec.uidRange !== undefined) {
    const r = spec.uidRange;
    if (typeof r !== "object" || r === null) throw new InvalidArgumentError(`Invalid uid range: "${String(r)}"`);
    attrs.uidRange = { start: int("uid range", r.start, 0, U32_MAX), end: int("uid range", r.end, r.start, U32_MAX) };
  }
  if (spec.protocol !== undefined) attrs.protocol = String(named("rule protocol", RTPROT_NAMES, spec.protocol, 255));
  if (spec.ipProto !== undefined) attrs.ipProto = named("IP protocol", IP_PROTO_NAMES, spec.ipProto, 255);
  if (spec.sportRange !== undefined) attrs.sportRange = ports("source port", spec.sportRange);
  if (spec.dportRange !== undefined) attrs.dportRange = ports("destination port", spec.dportRange);
  if (spec.dscp !== undefined) attrs.dscp = int("DSCP", spec.dscp, 0, 63);
  if (spec.flow !== undefined) attrs.flow = int("realms", spec.flow, 0, U32_MAX);
  if (spec.tunId !== undefined) attrs.tunId = int("tunnel id", spec.tunId, 0, Number.MAX_SAFE_INTEGER);
  if (spec.invert !== undefined && typeof spec.invert !== "boolean") {
    throw new InvalidArgumentError(`Invalid invert: "${String(spec.invert)}" (must be a boolean)`);
  }
  return new MessageBuilder(
    adding ? RTM.RTM_NEWRULE : RTM.RTM_DELRULE,
    adding ? NLM_F_CREATE | NLM_F_EXCL : 0,
  )
    .struct(FIB_RULE_HDR, {
      family,
      dstLen: dst?.len ?? 0,
      srcLen: src?.len ?? 0,
      tos,
      table: table !== undefined && table <= 255 ? table : 0,
      action,
      flags: spec.invert ? FIB_RULE_INVERT : 0,
    })
    .attrs(RULE_ATTRS, attrs)
    .finish();
}
