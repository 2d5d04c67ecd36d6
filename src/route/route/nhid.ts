/**
 * Routes through a nexthop object (`nhid`): the kernel lists them with the
 * nexthop's paths too (gateway and device, or every path of a group), but
 * refuses a request that carries both. A listed route passed back keeps
 * working: paths that echo the nexthop are dropped from the request, and
 * paths that differ from it are refused here, never dropped silently.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { parseIp } from "../../wire/addr.ts";
import type { RouteOptions } from "../rtnl.ts";
import { getNexthop } from "../nexthop/api.ts";
import type { Nexthop } from "../nexthop/parse.ts";
import type { Attrs } from "../../wire/table.ts";
import type { ROUTE_TABLE } from "./table.ts";

/** The part of a checked route request this module reads and trims. */
interface RouteRequest {
  attrs: Attrs<typeof ROUTE_TABLE>;
}

/** One path as the request says it: gateway (or via) text and device index. */
interface Path {
  gateway?: string;
  oif?: number;
}

/** Drops every path attribute of a request through a nexthop object, without checking (the kernel's own report). */
export function dropNexthopPaths(c: RouteRequest): void {
  delete c.attrs.gateway;
  delete c.attrs.via;
  delete c.attrs.oif;
  delete c.attrs.multipath;
}

function sameAddr(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = parseIp(a.replace(/^inet6? /, ""));
  const y = parseIp(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function echoes(p: Path, nh: Nexthop): boolean {
  return (p.gateway === undefined || sameAddr(p.gateway, nh.gateway)) &&
    (p.oif === undefined || p.oif === nh.ifindex);
}

/**
 * With `nhid` and paths in a resolved request: checks that the paths are
 * the nexthop's own (for a group, each path is one of its members), then
 * drops them. Throws `InvalidArgumentError` naming the first that is not.
 */
export async function checkNexthopEcho(c: RouteRequest, opts: RouteOptions): Promise<void> {
  const a = c.attrs;
  const id = a.nhid;
  if (id === undefined) return;
  const paths: Path[] = a.multipath
    ? a.multipath.map((n) => ({ gateway: n.gateway ?? n.via, oif: n.oif || undefined }))
    : [{ gateway: a.gateway ?? a.via, oif: a.oif }];
  const given = paths.filter((p) => p.gateway !== undefined || p.oif !== undefined);
  if (given.length === 0) return;
  const nh = await getNexthop(id, opts);
  const members = nh.group ? await Promise.all(nh.group.map((m) => getNexthop(m.id, opts))) : [nh];
  for (const p of given) {
    if (!members.some((m) => echoes(p, m))) {
      const what = [p.gateway && `gateway ${p.gateway}`, p.oif && `device ${p.oif}`].filter(Boolean).join(", ");
      throw new InvalidArgumentError(
        `Cannot use ${what} with nhid ${id}: nexthop ${id} has no such path (leave the path out, the nexthop gives it)`,
        "nhid",
      );
    }
  }
  dropNexthopPaths(c);
}
