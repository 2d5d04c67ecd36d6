/**
 * One multicast route as `ip mroute show` prints it (iproute2 6.1,
 * `print_mroute` in ip/ipmroute.c), for listings and monitor events.
 *
 * @module
 */

import type { Painter } from "./color.ts";
import { type MrouteJsonOptions, mrouteTableShown } from "../route/mroute/json.ts";
import type { MulticastRoute } from "../route/mroute/table.ts";

/**
 * `(SRC,GROUP)` padded to 32 columns, the input device padded to 10, the
 * outputs (`(ttl N)` above 1), the state, and with `-s` the counters and
 * the age on a second line; the table as {@link mrouteTableShown} says.
 */
export function formatMroute(r: MulticastRoute, paint: Painter, opts: MrouteJsonOptions = {}): string {
  let s = opts.deleted ? "Deleted " : "";
  s += `(${r.src ?? "unknown"},${r.dst ?? "unknown"})`.padEnd(32) + " Iif: ";
  // ip colours the whole "%-10s " field, its padding and space included.
  s += r.iif ? paint("ifname", `${(r.iifName ?? `if${r.iif}`).padEnd(10)} `) : "unresolved ";
  for (const [i, o] of (r.oifs ?? []).entries()) {
    s += `${i === 0 ? "Oifs: " : ""}${paint("ifname", o.dev ?? `if${o.oif}`)}${o.ttl > 1 ? `(ttl ${o.ttl}) ` : " "}`;
  }
  s += ` State: ${r.unresolved ? "unresolved" : "resolved"}`;
  if (r.offload) s += " offload";
  if (opts.stats && r.stats) {
    s += `\n  ${r.stats.packets} packets, ${r.stats.bytes} bytes`;
    if (r.stats.wrongIf) s += `, ${r.stats.wrongIf} arrived on wrong iif.`;
  }
  if (opts.stats && r.age !== undefined) s += `, Age ${r.age.toFixed(2)}`;
  const table = mrouteTableShown(r, opts);
  if (table !== undefined) s += ` Table: ${table}`;
  return s;
}
