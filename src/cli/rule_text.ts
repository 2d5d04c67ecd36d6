/**
 * `ip rule show`'s text layout for a {@link Rule}.
 *
 * @module
 */

import type { Rule } from "../route/rule/parse.ts";
import { ruleToIpJson } from "../route/rule/json.ts";
import { ipProtoName } from "./etc_protocols.ts";

/** A rule's prefix as ip prints it: `all`, a host's bare address, else `ADDR/LEN`. */
function prefix(p: string | undefined, family: string): string {
  if (p === undefined) return "all";
  const full = family === "inet6" ? "/128" : "/32";
  return p.endsWith(full) ? p.slice(0, -full.length) : p;
}

function range(r: { start: number; end: number }): string {
  return r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`;
}

/** `ip -j rule show`'s object for a rule, the IP protocol named from /etc/protocols as ip names it. */
export function ruleJson(r: Rule): Record<string, unknown> {
  const out = ruleToIpJson(r) as Record<string, unknown>;
  if (r.ipProto !== undefined) out.ipproto = ipProtoName(r.ipProto);
  return out;
}

/** Formats a rule as one `ip rule show` line; with `details` (-d) the protocol always shows. */
export function formatRule(r: Rule, details = 0): string {
  let s = `${r.priority}:\t`;
  if (r.invert) s += "not ";
  s += `from ${prefix(r.src, r.family)}`;
  if (r.dst !== undefined) s += ` to ${prefix(r.dst, r.family)}`;
  if (r.tos) s += ` tos 0x${r.tos.toString(16).padStart(2, "0")}`;
  if (r.fwmark !== undefined || r.fwmask !== undefined) {
    s += ` fwmark 0x${(r.fwmark ?? 0).toString(16)}`;
    if (r.fwmask !== undefined && r.fwmask !== 0xffffffff) s += `/0x${r.fwmask.toString(16)}`;
  }
  if (r.iif !== undefined) s += ` iif ${r.iif}${r.flags.includes("iif_detached") ? " [detached]" : ""}`;
  if (r.oif !== undefined) s += ` oif ${r.oif}${r.flags.includes("oif_detached") ? " [detached]" : ""}`;
  if (r.l3mdev) s += " lookup [l3mdev-table]";
  if (r.uidRange) s += ` uidrange ${r.uidRange.start}-${r.uidRange.end}`;
  if (r.ipProto !== undefined) s += ` ipproto ${ipProtoName(r.ipProto)}`;
  if (r.sportRange) s += ` sport ${range(r.sportRange)}`;
  if (r.dportRange) s += ` dport ${range(r.dportRange)}`;
  if (r.tunId !== undefined) s += ` tun_id ${r.tunId}`;
  if (r.table !== undefined && !r.l3mdev) {
    s += ` lookup ${r.table}`;
    if (r.suppressPrefixlen !== undefined) s += ` suppress_prefixlength ${r.suppressPrefixlen}`;
    if (r.suppressIfgroup !== undefined) s += ` suppress_ifgroup ${r.suppressIfgroup}`;
  }
  if (r.action === "goto") {
    s += r.goto !== undefined ? ` goto ${r.goto}` : " goto none";
    if (r.flags.includes("unresolved")) s += " [unresolved]";
  } else if (r.action !== "lookup") {
    s += ` ${r.action}`;
  }
  if (r.protocol !== undefined && ((r.protocol !== "kernel" && r.protocol !== "unspec") || details > 0)) {
    s += ` proto ${r.protocol}`;
  }
  return s;
}
