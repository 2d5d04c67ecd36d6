/**
 * Renders a {@link Rule} the way `ip -j rule show` (iproute2 6.1) does, key
 * for key, so scripts written against iproute2 keep working.
 *
 * Table names are the rule's own (`main`, names of `/etc/iproute2/rt_tables`);
 * other names come from iproute2's built-in tables (`static`, `tcp`, the DS
 * field names of the stock `rt_dsfield`, ...): entries added to the other
 * `/etc/iproute2` files on the host are not consulted.
 *
 * @example
 * ```ts
 * import { ruleToIpJson } from "./json.ts";
 * const json = ruleToIpJson({
 *   family: "inet", priority: 100, src: "10.0.0.0/8", tos: 0,
 *   table: "main", action: "lookup", flags: [], invert: false,
 * });
 * console.log(json); // { priority: 100, src: "10.0.0.0", srclen: 8, table: "main" }
 * ```
 *
 * @module
 */

import type { NameMap } from "../../wire/table.ts";
import type { Rule, RuleRange } from "./parse.ts";
import { IP_PROTO_NAMES } from "./table.ts";

/** One rule in `ip -j rule show` form (snake_case keys, iproute2 value formats). */
export type RuleIpJson = Record<string, string | number | null>;

/** The stock `/etc/iproute2/rt_dsfield`. */
const DSFIELD_NAMES: NameMap = {
  0x28: "AF11",
  0x30: "AF12",
  0x38: "AF13",
  0x48: "AF21",
  0x50: "AF22",
  0x58: "AF23",
  0x68: "AF31",
  0x70: "AF32",
  0x78: "AF33",
  0x88: "AF41",
  0x90: "AF42",
  0x98: "AF43",
  0x20: "CS1",
  0x40: "CS2",
  0x60: "CS3",
  0x80: "CS4",
  0xa0: "CS5",
  0xc0: "CS6",
  0xe0: "CS7",
  0xb8: "EF",
};

function hostLen(family: string): number {
  return family === "inet" ? 32 : family === "inet6" ? 128 : -1;
}

/** Puts a rule's prefix as ip does: the address, and its length unless a host's. */
function prefixJson(out: RuleIpJson, key: string, prefix: string, full: number): void {
  const slash = prefix.lastIndexOf("/");
  const len = Number(prefix.slice(slash + 1));
  out[key] = prefix.slice(0, slash);
  if (len !== full) out[`${key}len`] = len;
}

function hex(v: number): string {
  return `0x${v.toString(16)}`;
}

function ports(out: RuleIpJson, key: string, r: RuleRange): void {
  if (r.start === r.end) {
    out[key] = r.start;
  } else {
    out[`${key}_start`] = r.start;
    out[`${key}_end`] = r.end;
  }
}

/** An IP protocol as ip prints it: its name (`tcp`), else `ipproto-N`. */
export function ipProtoText(n: number): string {
  return (IP_PROTO_NAMES as NameMap)[n] ?? `ipproto-${n}`;
}

/** Converts a rule to the object `ip -j rule show` prints for it. */
export function ruleToIpJson(rule: Rule): RuleIpJson {
  const out: RuleIpJson = { priority: rule.priority };
  const full = hostLen(rule.family);
  const has = (flag: string) => rule.flags.includes(flag);
  if (rule.invert) out.not = null;
  if (rule.src !== undefined) prefixJson(out, "src", rule.src, full);
  else out.src = "all";
  if (rule.dst !== undefined) prefixJson(out, "dst", rule.dst, full);
  if (rule.tos) out.tos = DSFIELD_NAMES[rule.tos] ?? `0x${rule.tos.toString(16).padStart(2, "0")}`;
  if (rule.fwmark !== undefined || rule.fwmask !== undefined) {
    out.fwmark = hex(rule.fwmark ?? 0);
    if (rule.fwmask !== undefined && rule.fwmask !== 0xffffffff) out.fwmask = hex(rule.fwmask);
  }
  if (rule.iif !== undefined) {
    out.iif = rule.iif;
    if (has("iif_detached")) out.iif_detached = null;
  }
  if (rule.oif !== undefined) {
    out.oif = rule.oif;
    if (has("oif_detached")) out.oif_detached = null;
  }
  if (rule.l3mdev) out.l3mdev = null;
  if (rule.uidRange) {
    out.uid_start = rule.uidRange.start;
    out.uid_end = rule.uidRange.end;
  }
  if (rule.ipProto !== undefined) out.ipproto = ipProtoText(rule.ipProto);
  if (rule.sportRange) ports(out, "sport", rule.sportRange);
  if (rule.dportRange) ports(out, "dport", rule.dportRange);
  if (rule.tunId !== undefined) out.tun_id = rule.tunId;
  if (rule.table !== undefined) {
    out.table = String(rule.table);
    if (rule.suppressPrefixlen !== undefined) out.suppress_prefixlen = rule.suppressPrefixlen;
    if (rule.suppressIfgroup !== undefined) {
      out.suppress_ifgroup = rule.suppressIfgroup === 0 ? "default" : String(rule.suppressIfgroup);
    }
  }
  if (rule.flow !== undefined) {
    const from = rule.flow >>> 16, to = rule.flow & 0xffff;
    if (from) out.flow_from = realm(from);
    out.flow_to = realm(to);
  }
  if (rule.action === "goto") {
    out.goto = rule.goto ?? "none";
    if (has("unresolved")) out.unresolved = null;
  } else if (rule.action === "nop") {
    out.nop = null;
  } else if (rule.action !== "lookup") {
    out.action = rule.action;
  }
  if (rule.protocol !== undefined && rule.protocol !== "unspec" && rule.protocol !== "kernel") {
    out.protocol = rule.protocol;
  }
  if (rule.dscp !== undefined) out.dscp = rule.dscp; // iproute2 6.10+
  return out;
}

function realm(v: number): string {
  return v === 0 ? "cosmos" : String(v);
}
