/**
 * `ip addr show`'s text layout for one {@link Address}.
 *
 * @module
 */

import type { Address } from "../route/addr/table.ts";
import { addressFlagWords } from "../route/addr/json.ts";
import type { Painter } from "./color.ts";

/** The flag words, each followed by a space, as `ip addr show` prints them. */
function flagWords(a: Address): string {
  return addressFlagWords(a).map((w) => w + " ").join("");
}

function lft(v: number | "forever" | undefined): string {
  return v === "forever" || v === undefined ? "forever" : `${v}sec`;
}

/** Formats an address as its two `ip addr show` lines. */
export function formatAddress(a: Address, paint: Painter): string[] {
  const v6 = a.family === "inet6";
  let s = `    ${v6 ? "inet6" : "inet"} ${paint(v6 ? "inet6" : "inet", a.local ?? "")}`;
  if (a.peer !== undefined) s += ` peer ${paint(v6 ? "inet6" : "inet", a.peer)}`;
  s += `/${a.prefixLen} `;
  if (a.broadcast !== undefined) s += `brd ${paint("inet", `${a.broadcast} `)}`;
  if (a.anycast !== undefined) s += `any ${a.anycast} `;
  s += `scope ${a.scope} `;
  s += flagWords(a);
  if (a.label !== undefined) s += a.label;
  if (a.metric !== undefined) s += `${a.label !== undefined ? " " : ""}metric ${a.metric}`;
  const lines = [s];
  if (a.cacheinfo !== undefined) lines.push(`       valid_lft ${lft(a.validLft)} preferred_lft ${lft(a.preferredLft)}`);
  return lines;
}

/** One address as `ip -br addr` prints it after the link: `local[ peer PEER]/LEN [metric N] `. */
export function formatAddressBrief(a: Address, paint: Painter): string {
  const role = a.family === "inet6" ? "inet6" : "inet";
  let s = paint(role, a.local ?? "");
  if (a.peer !== undefined) s += ` peer ${paint(role, a.peer)}`;
  s += `/${a.prefixLen} `;
  if (a.metric !== undefined) s += `metric ${a.metric} `;
  return s;
}

/** One element of `addr_info` in `ip -br -j addr`. */
export function addressBriefJson(a: Address): Record<string, unknown> {
  const out: Record<string, unknown> = { local: a.local };
  if (a.peer !== undefined) out.address = a.peer;
  out.prefixlen = a.prefixLen;
  if (a.metric !== undefined) out.metric = a.metric;
  return out;
}
