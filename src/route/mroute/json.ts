/**
 * Multicast routes in the JSON shape of `ip -j mroute show` (iproute2 6.1,
 * `print_mroute` in ip/ipmroute.c), key for key, so scripts written
 * against iproute2 keep working.
 *
 * @example
 * ```ts
 * import { mrouteToIpJson } from "./json.ts";
 * const json = mrouteToIpJson({
 *   family: "inet", src: "10.0.0.1", dst: "239.1.1.1", table: "default", protocol: "static",
 *   iif: 2, iifName: "eth0", oifs: [{ oif: 3, dev: "eth1", ttl: 1 }], unresolved: false, offload: false,
 * });
 * console.log(json); // { src: "10.0.0.1", dst: "239.1.1.1", iif: "eth0", multipath: [{ oif: "eth1" }], state: "resolved" }
 * ```
 *
 * @module
 */

import { formatG } from "../nexthop/json.ts";
import type { MulticastRoute } from "./table.ts";

/** One multicast route as `ip -j mroute show` prints it. */
export type MrouteIpJson = Record<string, unknown>;

/** What `ip mroute show` was asked, which decides the keys it prints. */
export interface MrouteJsonOptions {
  /** `-s`: the counters (`packets`, `bytes`, `wrong_if`) and the age (`expires`). */
  stats?: boolean;
  /** `-d`: the table is printed even when it is `main`. */
  details?: boolean;
  /** The listing was asked for one table (`table ID`, and IPv4's default): the table is never printed. */
  oneTable?: boolean;
  /** A deletion event (`ip monitor`): `deleted` leads. */
  deleted?: boolean;
}

/** The table ip prints for a route under `opts`, or undefined (`print_mroute`'s condition). */
export function mrouteTableShown(r: MulticastRoute, opts: MrouteJsonOptions): string | undefined {
  if (opts.oneTable || r.table === 0 || (r.table === "main" && !opts.details)) return undefined;
  return String(r.table);
}

/** A name for an index as ip's `ll_index_to_name` prints it. */
function devName(name: string | undefined, index: number): string {
  return name ?? `if${index}`;
}

/** Converts a multicast route to the object `ip -j mroute show` prints for it. */
export function mrouteToIpJson(r: MulticastRoute, opts: MrouteJsonOptions = {}): MrouteIpJson {
  const out: MrouteIpJson = {};
  if (opts.deleted) out.deleted = true;
  out.src = r.src ?? "unknown";
  out.dst = r.dst ?? "unknown";
  out.iif = r.iif ? devName(r.iifName, r.iif) : "unresolved";
  if (r.oifs) {
    out.multipath = r.oifs.map((o) =>
      o.ttl > 1 ? { oif: devName(o.dev, o.oif), ttl: o.ttl } : { oif: devName(o.dev, o.oif) }
    );
  }
  out.state = r.unresolved ? "unresolved" : "resolved";
  if (r.offload) out.offload = null;
  if (opts.stats && r.stats) {
    out.packets = r.stats.packets;
    out.bytes = r.stats.bytes;
    if (r.stats.wrongIf) out.wrong_if = r.stats.wrongIf;
  }
  if (opts.stats && r.age !== undefined) out.expires = Number(formatG(r.age));
  const table = mrouteTableShown(r, opts);
  if (table !== undefined) out.table = table;
  return out;
}
