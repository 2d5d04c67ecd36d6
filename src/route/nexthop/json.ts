/**
 * Nexthops and buckets in the JSON shape of `ip -j nexthop show` and
 * `ip -j nexthop bucket show`, so scripts written against iproute2 keep
 * working.
 *
 * @module
 */

import { routeFlagWords } from "../route/json.ts";
import type { Nexthop, NexthopBucket } from "./parse.ts";

/** One nexthop or bucket as `ip -j nexthop` prints it. */
export type IpNexthopJson = Record<string, unknown>;

/** Formats a number as C's `%g` does (six significant digits), which `ip` uses for timers. */
export function formatG(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split("e");
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const t = x.toPrecision(6);
  return t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t;
}

/** A timer value as `ip -j` prints it (`%g`, so six significant digits). */
function timer(seconds: number): number {
  return Number(formatG(seconds));
}

/**
 * Renders a nexthop as `ip -j nexthop show` does: `scope` when not global
 * and `protocol` when not unspec (both always with `details`), `deleted`
 * for a deletion event.
 */
export function nexthopToIpJson(nh: Nexthop, details = false, deleted = false): IpNexthopJson {
  const out: IpNexthopJson = {};
  if (deleted) out.deleted = true;
  out.id = nh.id;
  if (nh.group) {
    out.group = nh.group.map((m) => (m.weight !== 1 ? { id: m.id, weight: m.weight } : { id: m.id }));
  }
  if (nh.groupType === "resilient") out.type = "resilient";
  if (nh.resilient) {
    const r = nh.resilient;
    out.resilient_args = {
      buckets: r.buckets,
      idle_timer: timer(r.idleTimer),
      unbalanced_timer: timer(r.unbalancedTimer),
      unbalanced_time: timer(r.unbalancedTime ?? 0),
    };
  }
  if (nh.gateway !== undefined) out.gateway = nh.gateway;
  if (nh.ifindex !== undefined) out.dev = nh.dev ?? `if${nh.ifindex}`;
  if (nh.scope !== "global" || details) out.scope = nh.scope;
  if (nh.blackhole) out.blackhole = null;
  if (nh.protocol !== "unspec" || details) out.protocol = nh.protocol;
  out.flags = routeFlagWords(nh.flags);
  if (nh.fdb) out.fdb = null;
  return out;
}

/** Renders a bucket as `ip -j nexthop bucket show` does. */
export function nexthopBucketToIpJson(b: NexthopBucket, deleted = false): IpNexthopJson {
  const out: IpNexthopJson = {};
  if (deleted) out.deleted = true;
  out.id = b.id;
  out.bucket = { index: b.index, idle_time: timer(b.idleTime), nhid: b.nhid };
  out.flags = routeFlagWords(b.flags);
  return out;
}
