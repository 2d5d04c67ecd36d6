/**
 * Routes over rtnetlink: list and stream them (filtered in the kernel where
 * it can), look one up the way the kernel forwards (`ip route get`), and
 * add, replace, append or delete them.
 *
 * @example
 * ```ts ignore
 * import { addRoute, getRoute, listRoutes } from "./api.ts";
 * await addRoute({ dst: "192.0.2.0/24", gateway: "10.0.0.2", metric: 50 }, { netns: "blue" });
 * for (const r of await listRoutes({ family: "inet" }, { netns: "blue" })) console.log(r.dst, r.gateway);
 * const hit = await getRoute("192.0.2.7", {}, { netns: "blue" });
 * console.log(hit.gateway, hit.oif); // 10.0.0.2 2
 * ```
 *
 * @module
 */

import { InvalidArgumentError, notFound } from "../../errors.ts";
import { type NetnsTarget, withNetns } from "../../netns/netns.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { loadSys } from "../../sys/load.ts";
import { parseIp } from "../../wire/addr.ts";
import { encodeRequest, requestHeader } from "../../wire/public_message.ts";
import { NetlinkError, NotFoundError } from "../../wire/netlink_error.ts";
import { type Attrs, checkAttrs } from "../../wire/table.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { type Route, ROUTE_ATTRS, ROUTE_MESSAGE } from "./table.ts";
import { parseRouteMessage } from "./parse.ts";
import { checkFilter, type RouteFilter } from "./filter.ts";
import { nameRoute, RouteStream } from "./stream.ts";
import { dropNexthopPaths } from "./nhid.ts";
import { readLinkNames } from "../link_names.ts";
import { checkRouteOptions } from "../options.ts";
import { RTM_F_FIB_MATCH, RTM_F_LOOKUP_TABLE } from "./names.ts";
import { checkRouteSpec, encodeRoute, resolveRoute, type RouteChange, type RouteSpec } from "./build.ts";
import { deleteEach, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";

/**
 * Streams the routes that pass `filter` (default: both families, main
 * table), parsed one receive buffer at a time. A table that does not exist
 * yields nothing. Bad filters throw at once; breaking out of the loop ends
 * the dump cleanly.
 */
export function streamRoutes(filter: RouteFilter = {}, opts: RouteOptions = {}): AsyncIterableIterator<Route> {
  checkRouteOptions(opts, "streamRoutes", true);
  return new RouteStream(filter, opts);
}

/** Lists the routes that pass `filter` (see {@link streamRoutes}). */
export async function listRoutes(filter: RouteFilter = {}, opts: RouteOptions = {}): Promise<Route[]> {
  return await Array.fromAsync(streamRoutes(filter, opts));
}

/** What a route lookup ({@link getRoute}) pretends the packet looks like. */
export interface RouteLookup {
  /** Source address (`from`); needed with `iif`. `ADDR/LEN` sends that source length, as `ip route get from PREFIX` does. */
  src?: string;
  /** Input device by name or index: look up as if the packet arrived there. */
  iif?: string | number;
  /** Output device by name or index. */
  oif?: string | number;
  /** Firewall mark. */
  mark?: number;
  /** User id of the sending socket. */
  uid?: number;
  /** TOS. */
  tos?: number;
  /** IP protocol number (6 tcp, 17 udp...). */
  ipProto?: number;
  /** Source port. */
  sport?: number;
  /** Destination port. */
  dport?: number;
  /** Return the FIB entry that matched instead of the resolved route (`fibmatch`). */
  fibMatch?: boolean;
  /** Report the table that matched (`RTM_F_LOOKUP_TABLE`). */
  lookupTable?: boolean;
}

const LOOKUP_KEYS = [
  "src",
  "iif",
  "oif",
  "mark",
  "uid",
  "tos",
  "ipProto",
  "sport",
  "dport",
  "fibMatch",
  "lookupTable",
];

function lookupAddr(text: string, what: string): Uint8Array {
  if (typeof text !== "string") throw new InvalidArgumentError(`Invalid ${what}: "${String(text)}"`);
  try {
    return parseIp(text);
  } catch {
    throw new InvalidArgumentError(`Invalid ${what}: "${text}"`);
  }
}

/** The length of a `src` prefix: 0 to the address's bit count. */
function lookupLen(text: string, len: string, max: number): number {
  const n = /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(n <= max)) throw new InvalidArgumentError(`Invalid source: "${text}" (prefix length must be 0 to ${max})`);
  return n;
}

/**
 * Asks the kernel which route a packet to `dst` takes (`ip route get`).
 * Throws `NotFoundError` when there is none, with the kernel's `code`
 * (`ENETUNREACH`, `EHOSTUNREACH`).
 */
export async function getRoute(dst: string, lookup: RouteLookup = {}, opts: RouteOptions = {}): Promise<Route> {
  checkKeys(lookup, LOOKUP_KEYS, "route lookup");
  checkRouteOptions(opts, "getRoute");
  const addr = lookupAddr(dst, "destination");
  const attrs: Attrs<typeof ROUTE_ATTRS> = { dst };
  const header = { family: addr.length === 4 ? 2 : 10, dstLen: addr.length * 8, srcLen: 0, tos: lookup.tos, flags: 0 };
  if (lookup.src !== undefined) {
    const [text, len, ...more] = String(lookup.src).split("/");
    const src = lookupAddr(more.length ? String(lookup.src) : text, "source");
    if (src.length !== addr.length) {
      throw new InvalidArgumentError(`Invalid source: "${lookup.src}" (family differs from "${dst}")`);
    }
    attrs.src = text;
    header.srcLen = len === undefined ? header.dstLen : lookupLen(lookup.src, len, header.dstLen);
  }
  if (lookup.fibMatch) header.flags |= RTM_F_FIB_MATCH;
  if (lookup.lookupTable) header.flags |= RTM_F_LOOKUP_TABLE;
  // The TOS, mark, uid, IP protocol and ports are checked by the policies of ROUTE_MESSAGE and ROUTE_ATTRS.
  const { mark, uid, ipProto, sport, dport } = lookup;
  const hdr = requestHeader(ROUTE_MESSAGE, header);
  const checked = checkAttrs(ROUTE_ATTRS, { ...attrs, mark, uid, ipProto, sport, dport });
  return await withRouteSocket(opts, async (s) => {
    const local = { ...opts, socket: s };
    if (lookup.iif !== undefined) checked.iif = await resolveLinkIndex(lookup.iif, local);
    if (lookup.oif !== undefined) checked.oif = await resolveLinkIndex(lookup.oif, local);
    const msg = encodeRequest(ROUTE_MESSAGE, RTM.RTM_GETROUTE, 0, hdr, ROUTE_ATTRS, checked);
    const [route] = await s.request(msg, parseRouteMessage).catch((e) => {
      if (!(e instanceof NetlinkError && UNREACHABLE.has(e.code))) throw e;
      const ext = { message: e.kernelMessage, offset: e.offset, missingType: e.missingType };
      throw new NotFoundError(e.errno, ext, e.requestType, e.operation, e.request, e.message, {
        kind: "route",
        key: dst,
      });
    });
    if (!route) throw notFound({ kind: "route", key: dst }, "get route", `Route lookup for "${dst}" returned no route`);
    return nameRoute(route, await readLinkNames(s));
  });
}

/** The kernel's answers to a lookup that found no route. */
const UNREACHABLE = new Set(["ENETUNREACH", "EHOSTUNREACH"]);

async function change(kind: RouteChange, spec: RouteSpec, opts: RouteOptions): Promise<void> {
  const c = checkRouteSpec(kind, spec);
  checkRouteOptions(opts, `${kind} route`);
  await withRouteSocket(opts, async (s) => {
    await s.request(await resolveRoute(kind, c, { ...opts, socket: s }));
  });
}

/** Adds a route (`ip route add`); fails with `EEXIST` if it exists. */
export function addRoute(spec: RouteSpec, opts: RouteOptions = {}): Promise<void> {
  return change("add", spec, opts);
}

/** Adds a route or replaces the one with the same key (`ip route replace`). */
export function replaceRoute(spec: RouteSpec, opts: RouteOptions = {}): Promise<void> {
  return change("replace", spec, opts);
}

/** Changes an existing route (`ip route change`); fails with `ENOENT` when there is none to change. */
export function changeRoute(spec: RouteSpec, opts: RouteOptions = {}): Promise<void> {
  return change("change", spec, opts);
}

/** Where {@link flushRouteCache} runs: it writes a file, so it takes a namespace and no socket. */
export interface RouteCacheOptions {
  /** Run inside this network namespace (name, path, pid or fd). */
  netns?: NetnsTarget;
}

/**
 * Flushes the IPv4 routing cache (`ip route flush cache`): writes to
 * `/proc/sys/net/ipv4/route/flush` inside the target namespace.
 */
export async function flushRouteCache(opts: RouteCacheOptions = {}): Promise<void> {
  checkKeys(opts, ["netns"], "flushRouteCache options");
  const { writeFileSync } = await import("node:fs"); // loaded on use: node:fs costs Deno ~100 ms at import
  const write = () => writeFileSync("/proc/sys/net/ipv4/route/flush", "-1");
  if (opts.netns === undefined) return write();
  withNetns(await loadSys(), opts.netns, write);
}

/** Adds a route after existing ones with the same key (`ip route append`). */
export function appendRoute(spec: RouteSpec, opts: RouteOptions = {}): Promise<void> {
  return change("append", spec, opts);
}

/**
 * Deletes a route (`ip route del`). Fields left out match any route with
 * the given destination; fails with `ESRCH` when none matches.
 */
export function deleteRoute(spec: RouteSpec, opts: RouteOptions = {}): Promise<void> {
  return change("delete", spec, opts);
}

/**
 * The `RTM_DELROUTE` that removes exactly the route the kernel reported (its
 * key, table and paths), devices by index: no lookup needed.
 */
export function deleteRouteRequest(r: Route): Uint8Array {
  const c = checkRouteSpec("delete", {
    ...r,
    dev: undefined,
    nexthops: r.nexthops?.map((n) => ({ ...n, dev: undefined })),
  });
  if (c.dev !== undefined) c.attrs.oif = c.dev as number;
  if (c.iif !== undefined) c.attrs.iif = c.iif as number;
  c.nexthopDevs.forEach((oif, i) => c.attrs.multipath![i].oif = (oif as number | undefined) ?? 0);
  // The kernel lists a route through a nexthop object with the nexthop's paths, and refuses them back.
  if (c.attrs.nhid !== undefined) dropNexthopPaths(c);
  return encodeRoute("delete", c);
}

/** The IPv6 placeholder `ip route flush` leaves alone: an unreachable default with the highest metric. */
function isIpv6Placeholder(r: Route): boolean {
  return r.family === "inet6" && r.dst === "default" && r.type === "unreachable" && r.metric === 0xffffffff;
}

/**
 * Deletes every route that passes `filter` (`ip route flush`; default: the
 * main table of both families) and returns how many went. Routes that
 * vanish meanwhile (with their device, say) are not counted.
 */
export async function flushRoutes(filter: RouteFilter = {}, opts: RouteOptions = {}): Promise<number> {
  checkFilter(filter);
  checkRouteOptions(opts, "flushRoutes");
  return await withRouteSocket(opts, async (s) => {
    const victims: Route[] = [];
    for await (const r of new RouteStream(filter, { socket: s })) if (!isIpv6Placeholder(r)) victims.push(r);
    return await deleteEach(s, victims, deleteRouteRequest, ["ESRCH"]);
  });
}
