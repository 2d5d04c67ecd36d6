/**
 * `ip nexthop show`'s text layout for nexthops and buckets, built from
 * the same `ip -j` object so the two never disagree.
 *
 * @module
 */

import { formatG, type IpNexthopJson } from "../route/nexthop/json.ts";

/** Formats the `ip -j nexthop` object of a nexthop as one `ip nexthop show` line. */
export function formatNexthop(j: IpNexthopJson): string {
  let s = j.deleted ? "Deleted " : "";
  s += `id ${j.id} `;
  const group = j.group as { id: number; weight?: number }[] | undefined;
  if (group) s += `group ${group.map((m) => (m.weight ? `${m.id},${m.weight}` : `${m.id}`)).join("/")} `;
  if (j.type !== undefined) s += `type ${j.type} `;
  const r = j.resilient_args as Record<string, number> | undefined;
  if (r) {
    s += `buckets ${r.buckets} idle_timer ${formatG(r.idle_timer)} unbalanced_timer ${formatG(r.unbalanced_timer)} ` +
      `unbalanced_time ${formatG(r.unbalanced_time)} `;
  }
  if (j.gateway !== undefined) s += `via ${j.gateway} `;
  if (j.dev !== undefined) s += `dev ${j.dev} `;
  if (j.scope !== undefined) s += `scope ${j.scope} `;
  if ("blackhole" in j) s += "blackhole ";
  if (j.protocol !== undefined) s += `proto ${j.protocol} `;
  for (const f of j.flags as string[]) s += `${f} `;
  if ("fdb" in j) s += "fdb";
  return s;
}

/** Formats the `ip -j nexthop bucket` object of a bucket as one `ip nexthop bucket show` line. */
export function formatNexthopBucket(j: IpNexthopJson): string {
  const b = j.bucket as { index: number; idle_time: number; nhid: number };
  let s = j.deleted ? "Deleted " : "";
  s += `id ${j.id} index ${b.index} idle_time ${formatG(b.idle_time)} nhid ${b.nhid} `;
  for (const f of j.flags as string[]) s += `${f} `;
  return s;
}
