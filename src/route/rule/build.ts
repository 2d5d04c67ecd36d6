/**
 * Validation of a {@link RuleSpec} and encoding of `RTM_NEWRULE`/`RTM_DELRULE`
 * requests. Every bad value throws an `InvalidArgumentError` here,
 * before anything reaches the kernel.
 *
 * @module
 */

import { AF_INET, AF_INET6, formatIp, parseCidr } from "../../wire/addr.ts";
import { NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import { buildRuleRequest, ruleRequestHeader } from "./_generated/table.ts";
import { type RawAttr, valueOfName } from "../../wire/table.ts";
import { type Family, familyNumber } from "../../wire/family.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { checkMovedKeys } from "../options.ts";
import { tableNumber } from "../route/tables.ts";
import { RTM } from "../rtnl.ts";
import { RT_TABLE_MAIN } from "../route/names.ts";
import { RULE_OUTPUT_ONLY, type RuleRange } from "./parse.ts";
import { FIB_RULE_FLAGS, FIB_RULE_INVERT, IP_PROTO_NAMES } from "./table.ts";

/**
 * What a rule matches and does, for {@link buildRuleMessage}. A listed
 * {@link Rule} is a valid spec, so it can be deleted (or added again) as it
 * is; any key that is not a field of a rule is refused.
 */
export interface RuleSpec {
  /** `inet` or `inet6` (or the `AF_*` number); by default the family of `src`/`dst`, else `inet`. */
  family?: Family | number | string;
  /** Priority (preference); the kernel picks one when absent. */
  priority?: number;
  /** Source prefix, `ADDR[/LEN]` (a bare address is a host). */
  src?: string;
  /** Destination prefix, `ADDR[/LEN]` (a bare address is a host). */
  dst?: string;
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
  /** Flag names: `invert` is sent (as `invert`); those the kernel sets (`unresolved`, `iif_detached`...) are accepted and not sent. */
  flags?: readonly string[];
  /** Output only (attributes this version does not know): accepted from a listed rule and ignored. */
  unknown?: RawAttr[];
}

/** The keys a {@link RuleSpec} takes: a listed {@link Rule}'s. */
const SPEC_KEYS: readonly string[] = [
  "family",
  "priority",
  "src",
  "dst",
  "invert",
  "tos",
  "fwmark",
  "fwmask",
  "iif",
  "oif",
  "table",
  "action",
  "goto",
  "suppressPrefixlen",
  "suppressIfgroup",
  "protocol",
  "uidRange",
  "ipProto",
  "sportRange",
  "dportRange",
  "l3mdev",
  "dscp",
  "flow",
  "tunId",
  "flags",
  ...RULE_OUTPUT_ONLY,
];

/** Keys of older versions, refused with where their value goes now. */
const MOVED: Readonly<Record<string, string>> = {
  srcLen: 'the prefix length goes in src as CIDR text ("10.0.0.0/8")',
  dstLen: 'the prefix length goes in dst as CIDR text ("10.0.0.0/8")',
  dev: "a rule's input device is iif",
};

const FLAG_NAMES: readonly string[] = Object.values(FIB_RULE_FLAGS);

function checkRuleKeys(spec: RuleSpec): void {
  checkMovedKeys(spec, SPEC_KEYS, "rule spec", MOVED);
  if (spec.flags === undefined) return;
  if (!Array.isArray(spec.flags)) {
    throw new InvalidArgumentError(`Cannot use rule flags ${JSON.stringify(spec.flags)}: expected an array`, "flags");
  }
  for (const f of spec.flags) {
    if (!FLAG_NAMES.includes(f)) {
      throw new InvalidArgumentError(`Cannot use rule flag ${JSON.stringify(f)}: expected one of ${FLAG_NAMES}`, f);
    }
  }
}

const U32_MAX = 0xffffffff;
const RANGE_KEYS = ["start", "end"] as const;

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

function prefix(what: string, text: unknown): { family: number; addr: Uint8Array; len: number } {
  if (typeof text !== "string") throw new InvalidArgumentError(`Invalid ${what}: "${String(text)}"`);
  const c = parseCidr(text);
  return { family: c.family, addr: c.addr, len: c.prefixLen };
}

function ports(what: string, v: RuleRange | number): RuleRange {
  const r = typeof v === "number" ? { start: v, end: v } : v;
  if (typeof r !== "object" || r === null) throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}"`);
  checkKeys(r, RANGE_KEYS, `${what} range`);
  int(what, r.start, 1, 65534);
  int(what, r.end, r.start, 65534);
  return { start: r.start, end: r.end };
}

function uidRange(r: RuleRange): RuleRange {
  if (typeof r !== "object" || r === null) throw new InvalidArgumentError(`Invalid uid range: "${String(r)}"`);
  checkKeys(r, RANGE_KEYS, "uid range");
  return { start: int("uid range", r.start, 0, U32_MAX), end: int("uid range", r.end, r.start, U32_MAX) };
}

function familyOf(spec: RuleSpec, addrFamily: number | undefined): number {
  const f = spec.family === undefined ? undefined : familyNumber(spec.family);
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
  checkRuleKeys(spec);
  const adding = op === "add";
  if (!adding && !Object.keys(spec).some((k) => k !== "family" && spec[k as keyof RuleSpec] !== undefined)) {
    throw new InvalidArgumentError("Refusing to delete a rule without a selector: give at least a priority");
  }
  const src = spec.src === undefined ? undefined : prefix("source", spec.src);
  const dst = spec.dst === undefined ? undefined : prefix("destination", spec.dst);
  if (src && dst && src.family !== dst.family) {
    throw new InvalidArgumentError(`Source "${spec.src}" and destination "${spec.dst}" are of different families`);
  }
  const family = familyOf(spec, src?.family ?? dst?.family);
  // The header's numbers are checked by the policies of RULE_MESSAGE.header (TOS, action).
  const hdr = ruleRequestHeader({
    family,
    dstLen: dst?.len ?? 0,
    srcLen: src?.len ?? 0,
    tos: spec.tos ?? 0,
    action: spec.action,
  });
  // Without an action: lookup, or goto with a target; a delete leaves it unset (FR_ACT_UNSPEC).
  const action = hdr.action ?? (spec.goto !== undefined ? 2 : adding ? 1 : 0);
  const tos = hdr.tos;
  if (family === AF_INET ? tos & ~0x1e : tos & 3) {
    throw new InvalidArgumentError(
      `Invalid TOS: "${tos}" (${family === AF_INET ? "must be even, up to 0x1e" : "ECN bits must be 0"})`,
    );
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
  let table = spec.table === undefined ? undefined : tableNumber(spec.table);
  if (spec.l3mdev && table) throw new InvalidArgumentError("A rule cannot have both l3mdev and a table");
  if (adding && action === 1 && table === undefined && !spec.l3mdev) table = RT_TABLE_MAIN;
  // Numbers and device names are checked by the policies of RULE_ATTRS; the rest is converted here first.
  const attrs = {
    ...spec,
    src: src && formatIp(src.addr),
    dst: dst && formatIp(dst.addr),
    table: table !== undefined && table > 255 ? table : undefined,
    l3mdev: spec.l3mdev ? 1 : undefined,
    uidRange: spec.uidRange === undefined ? undefined : uidRange(spec.uidRange),
    ipProto: spec.ipProto === undefined ? undefined : named("IP protocol", IP_PROTO_NAMES, spec.ipProto, 255),
    sportRange: spec.sportRange === undefined ? undefined : ports("source port", spec.sportRange),
    dportRange: spec.dportRange === undefined ? undefined : ports("destination port", spec.dportRange),
    unknown: undefined,
  };
  if (spec.invert !== undefined && typeof spec.invert !== "boolean") {
    throw new InvalidArgumentError(`Invalid invert: "${String(spec.invert)}" (must be a boolean)`);
  }
  return buildRuleRequest(
    adding ? RTM.RTM_NEWRULE : RTM.RTM_DELRULE,
    adding ? NLM_F_CREATE | NLM_F_EXCL : 0,
    {
      ...hdr,
      action: action || undefined, // 0 (FR_ACT_UNSPEC) is no action of the enumeration: left unset
      table: table !== undefined && table <= 255 ? table : 0,
      flags: spec.invert || spec.flags?.includes("invert") ? FIB_RULE_INVERT : 0,
    },
    attrs,
  );
}
