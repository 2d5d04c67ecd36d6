/**
 * Neighbours over rtnetlink: the ARP (IPv4) and NDP (IPv6) caches and
 * proxy entries, listed with kernel-side filters, added, replaced, deleted
 * and flushed; and the bridge forwarding database (FDB) listed.
 *
 * @example
 * ```ts ignore
 * import { addNeighbour, listNeighbours } from "./api.ts";
 * await addNeighbour({ dst: "10.0.0.9", lladdr: "02:00:00:00:00:09", dev: "veth0" }, { netns: "blue" });
 * for (const n of await listNeighbours({ dev: "veth0" }, { netns: "blue" })) {
 *   console.log(n.dst, n.lladdr, n.state); // 10.0.0.9 02:00:00:00:00:09 ["PERMANENT"]
 * }
 * ```
 *
 * @module
 */

import { AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC, type Cidr, inPrefix, parseCidr, parseIp } from "../../wire/addr.ts";
import { buildNeighbourRequest } from "./_generated/table.ts";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { notFound } from "../../errors.ts";
import { checkPolicy, nameOf, valueOfName } from "../../wire/table.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { type Family, familyName, familyNumber } from "../../wire/family.ts";
import { checkMovedKeys, checkRouteOptions } from "../options.ts";
import { nameNeighbour, readLinkNames } from "../link_names.ts";
import { addFdb, deleteFdb, type FdbSpec, replaceFdb } from "./fdb.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { RTPROT_NAMES } from "../route/names.ts";
import { type DumpPlan, DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import { NDA_ATTRS, type Neighbour, NTF_PROXY, NUD_NAMES, NUD_NOARP, NUD_PERMANENT } from "./table.ts";
import { parseNeighbourMessage } from "./parse.ts";
import { MOVED, neighbourMessage, type NeighbourSpec, stateOf } from "./build.ts";

export type { NeighbourSpec } from "./build.ts";

/** Which neighbours to list: all ARP and NDP entries by default. */
export interface NeighbourFilter {
  /** Only entries of this device (name or index); filtered by the kernel. */
  dev?: string | number;
  /** Only this family: `inet` or `inet6` (or the `AF_*` number). */
  family?: Family | number | string;
  /** Only entries of links enslaved to this master (name or index); filtered by the kernel. */
  master?: string | number;
  /** Only entries of links without a master (`nomaster`); filtered by the kernel. */
  nomaster?: boolean;
  /** List proxy entries (`ip neigh show proxy`) instead of the cache. */
  proxy?: boolean;
  /** Only entries whose address lies inside this prefix (`to 10.0.0.0/8`); also fixes the family. */
  to?: string;
  /**
   * Only entries in one of these `NUD_*` states (any case; `NONE` for no
   * state bit). Proxy and externally learned entries always pass, as in `ip neigh`.
   */
  states?: readonly string[];
  /** Only entries added by this protocol (`NDA_PROTOCOL`), by name or number. */
  protocol?: string | number;
  /** Only entries nothing holds (cache info `refcnt` 0; entries without cache info pass, as in `ip neigh show unused`). */
  unused?: boolean;
}

const FILTER_KEYS = ["dev", "family", "master", "nomaster", "proxy", "to", "states", "protocol", "unused"];

/** Keys of older versions, refused with what to write instead. */

/** The userspace side of a {@link NeighbourFilter}, checked before anything is sent. */
interface NeighbourMatch {
  family: number;
  to?: Cidr;
  states?: number;
  none: boolean;
  protocol?: string;
  unused: boolean;
}

function checkNeighbourFilter(filter: NeighbourFilter): NeighbourMatch {
  if (typeof filter !== "object" || filter === null) {
    throw new InvalidArgumentError(`Invalid neighbour filter: "${String(filter)}"`);
  }
  checkMovedKeys(filter, FILTER_KEYS, "neighbour filter", MOVED);
  if (filter.unused !== undefined && typeof filter.unused !== "boolean") {
    throw new InvalidArgumentError(`Invalid unused filter: "${String(filter.unused)}" (must be a boolean)`);
  }
  const m: NeighbourMatch = { family: familyOf(filter.family), none: false, unused: filter.unused === true };
  if (filter.to !== undefined) {
    m.to = parseCidr(String(filter.to));
    if (m.family && m.family !== m.to.family) {
      throw new InvalidArgumentError(`Invalid "to" filter: "${filter.to}" (not of the family)`);
    }
    m.family = m.to.family;
  }
  if (filter.states !== undefined) {
    if (!Array.isArray(filter.states)) {
      throw new InvalidArgumentError(`Invalid states filter: "${String(filter.states)}" (an array of names)`);
    }
    m.states = 0;
    for (const st of filter.states) {
      if (String(st).toUpperCase() === "NONE") m.none = true;
      else m.states |= stateOf(String(st));
    }
  }
  if (filter.protocol !== undefined) {
    const protocol = checkPolicy(NDA_ATTRS.protocol, filter.protocol);
    m.protocol = nameOf(RTPROT_NAMES, valueOfName(RTPROT_NAMES, protocol, "neighbour protocol"));
  }
  return m;
}

const NUD_BITS: Record<string, number> = Object.fromEntries(Object.entries(NUD_NAMES).map(([k, v]) => [v, Number(k)]));

function matchNeighbour(n: Neighbour, m: NeighbourMatch): boolean {
  if (m.to && !(n.dst !== undefined && inPrefix(parseIp(n.dst), m.to.addr, m.to.prefixLen))) return false;
  if (m.protocol !== undefined && (n.protocol ?? "unspec") !== m.protocol) return false;
  if (m.unused && n.cacheinfo?.refcnt) return false;
  if (m.states !== undefined && !n.flags.includes("proxy") && !n.flags.includes("extern_learn")) {
    const bits = n.state.reduce((b, st) => b | (NUD_BITS[st] ?? 0), 0);
    if (!(bits & m.states) && !(bits === 0 && m.none)) return false;
  }
  return true;
}

/** Which neighbours to flush. */
export interface NeighbourFlushFilter {
  /** Only entries of this device (name or index). */
  dev?: string | number;
  /** Only this family: `inet` or `inet6` (or the `AF_*` number). */
  family?: Family | number | string;
  /** Also remove `PERMANENT` entries (as `ip neigh flush nud permanent` would). Default false. */
  permanent?: boolean;
}

/** Which bridge forwarding entries to list: all by default. */
export interface FdbFilter {
  /** Only entries of this port (or device, for `self` entries), by name or index; filtered by the kernel. */
  dev?: string | number;
  /** Only entries of this bridge; filtered by the kernel. */
  master?: string | number;
}

function familyOf(f: NeighbourFilter["family"]): number {
  if (f === undefined) return AF_UNSPEC;
  const n = familyNumber(f);
  if (n !== AF_UNSPEC && n !== AF_INET && n !== AF_INET6) {
    throw new InvalidArgumentError(`Invalid neighbour family: "${f}" (must be inet or inet6)`);
  }
  return n;
}

function dumpRequest(family: number, flags: number, index: number, master: number): Uint8Array {
  const attrs = { ifindex: index || undefined, master: master || undefined };
  return buildNeighbourRequest(RTM.RTM_GETNEIGH, 0, { family, flags }, attrs);
}

async function indexOf(s: NetlinkSocket, link: string | number | undefined): Promise<number> {
  return link === undefined ? 0 : await resolveLinkIndex(link, { socket: s });
}

/** The dump of the ARP/NDP entries that pass `filter` (checked at once, links resolved on the socket). */
function dumpPlan(filter: NeighbourFilter): (s: NetlinkSocket) => Promise<DumpPlan<Neighbour>> {
  const m = checkNeighbourFilter(filter);
  if (filter.nomaster && filter.master !== undefined) {
    throw new InvalidArgumentError(`Invalid neighbour filter: "master" with "nomaster"`);
  }
  return async (s) => {
    const index = await indexOf(s, filter.dev);
    // The kernel reads NDA_MASTER -1 as "no master".
    const master = filter.nomaster ? 0xffffffff : await indexOf(s, filter.master);
    const names = await readLinkNames(s);
    const family = m.family ? familyName(m.family) : undefined;
    // Kernels without strict checking ignore the filters: check again.
    const keep = (n: Neighbour) =>
      (n.family === "inet" || n.family === "inet6") && (!family || n.family === family) &&
      (!index || n.ifindex === index) && matchNeighbour(n, m);
    return {
      request: dumpRequest(m.family, filter.proxy ? NTF_PROXY : 0, index, master),
      parse: (msg) => nameNeighbour(parseNeighbourMessage(msg), names),
      keep,
    };
  };
}

/** Streams neighbour entries (bounded memory), filtered by link and master in the kernel. */
export function streamNeighbours(
  filter: NeighbourFilter = {},
  opts: RouteOptions = {},
): AsyncGenerator<Neighbour, void, undefined> {
  checkRouteOptions(opts, "streamNeighbours", true);
  return new DumpStream(opts, dumpPlan(filter));
}

/** Lists neighbour entries (`ip neigh show nud all`), filtered by link and master in the kernel. */
export async function listNeighbours(filter: NeighbourFilter = {}, opts: RouteOptions = {}): Promise<Neighbour[]> {
  return await Array.fromAsync(streamNeighbours(filter, opts));
}

/** Streams bridge forwarding entries (`bridge fdb show`), filtered by port and bridge in the kernel. */
export function streamFdb(filter: FdbFilter = {}, opts: RouteOptions = {}): AsyncGenerator<Neighbour, void, undefined> {
  checkMovedKeys(filter, ["dev", "master"], "FDB filter", MOVED);
  checkRouteOptions(opts, "streamFdb", true);
  return new DumpStream(opts, async (s) => {
    const index = await indexOf(s, filter.dev);
    const master = await indexOf(s, filter.master);
    const names = await readLinkNames(s);
    const keep = (n: Neighbour) => n.family === "bridge" && (!index || n.ifindex === index);
    return {
      request: dumpRequest(AF_BRIDGE, 0, index, master),
      parse: (m) => nameNeighbour(parseNeighbourMessage(m), names),
      keep,
    };
  });
}

/** Lists bridge forwarding entries (`bridge fdb show`), filtered by port and bridge in the kernel. */
export async function listFdb(filter: FdbFilter = {}, opts: RouteOptions = {}): Promise<Neighbour[]> {
  return await Array.fromAsync(streamFdb(filter, opts));
}

/** Tells whether a spec is a bridge FDB entry (family `bridge`), for the FDB calls. */
function isFdb(spec: NeighbourSpec): boolean {
  return spec !== null && typeof spec === "object" && spec.family !== undefined &&
    familyNumber(spec.family) === AF_BRIDGE;
}

async function send(
  build: (index: number) => Uint8Array,
  spec: NeighbourSpec,
  opts: RouteOptions,
  what: string,
): Promise<void> {
  checkRouteOptions(opts, what);
  await withRouteSocket(opts, async (s) => {
    await s.request(build(await resolveLinkIndex(spec.dev ?? spec.ifindex!, { socket: s })));
  });
}

/**
 * Adds a neighbour entry (`ip neigh add`), `PERMANENT` unless `state` says
 * otherwise. Fails with `NetlinkError` `EEXIST` when the entry exists. An
 * FDB entry (family `bridge`) is added as {@link addFdb} does.
 */
export async function addNeighbour(spec: NeighbourSpec, opts: RouteOptions = {}): Promise<void> {
  if (isFdb(spec)) return await addFdb(spec as FdbSpec, opts);
  await send(neighbourMessage(RTM.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, spec), spec, opts, "addNeighbour");
}

/** Adds a neighbour entry or overwrites the one there (`ip neigh replace`); an FDB entry as {@link replaceFdb}. */
export async function replaceNeighbour(spec: NeighbourSpec, opts: RouteOptions = {}): Promise<void> {
  if (isFdb(spec)) return await replaceFdb(spec as FdbSpec, opts);
  await send(neighbourMessage(RTM.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, spec), spec, opts, "replaceNeighbour");
}

/** Changes an existing neighbour entry (`ip neigh change`); fails with `ENOENT` when there is none. */
export async function changeNeighbour(spec: NeighbourSpec, opts: RouteOptions = {}): Promise<void> {
  await send(neighbourMessage(RTM.RTM_NEWNEIGH, NLM_F_REPLACE, spec), spec, opts, "changeNeighbour");
}

/**
 * Looks one entry up in the kernel's cache (`ip neigh get ADDR dev DEV`):
 * `dst` and `dev` (or `ifindex`) of `key` are used, and a `proxy` flag looks
 * in the proxy table (`ip neigh get proxy ADDR dev DEV`), so a listed entry is
 * a key. Fails with `NetlinkError` `ENOENT` when there is none.
 */
export async function getNeighbour(key: NeighbourSpec, opts: RouteOptions = {}): Promise<Neighbour> {
  neighbourMessage(RTM.RTM_GETNEIGH, 0, key);
  checkRouteOptions(opts, "getNeighbour");
  const addr = parseIp(key.dst!);
  return await withRouteSocket(opts, async (s) => {
    const ifindex = await resolveLinkIndex(key.dev ?? key.ifindex!, { socket: s });
    const family = addr.length === 4 ? AF_INET : AF_INET6;
    const flags = key.flags?.includes("proxy") ? NTF_PROXY : 0;
    const req = buildNeighbourRequest(RTM.RTM_GETNEIGH, 0, { family, ifindex, flags }, {
      dst: addr,
    });
    const [n] = await s.request(req, parseNeighbourMessage);
    if (!n) {
      throw notFound(
        { kind: "neighbour", key: key.dst! },
        "get neighbour",
        `Neighbour lookup for "${key.dst}" returned nothing`,
      );
    }
    return nameNeighbour(n, await readLinkNames(s));
  });
}

/**
 * Deletes a neighbour entry (`ip neigh del`); a `proxy` flag deletes the
 * proxy entry. Fails with `NetlinkError` `ENOENT` when there is none. An
 * FDB entry (family `bridge`) is deleted as {@link deleteFdb} does.
 */
export async function deleteNeighbour(spec: NeighbourSpec, opts: RouteOptions = {}): Promise<void> {
  if (isFdb(spec)) return await deleteFdb(spec as FdbSpec, opts);
  neighbourMessage(RTM.RTM_DELNEIGH, 0, spec);
  // Only the proxy bit selects the table; other flags of a listed entry take no part in a delete.
  const flags = spec.flags?.includes("proxy") ? ["proxy"] : undefined;
  await send(neighbourMessage(RTM.RTM_DELNEIGH, 0, { ...spec, flags }), spec, opts, "deleteNeighbour");
}

/**
 * Deletes the cached entries that match (`ip neigh flush`) and returns how
 * many went. `NOARP` entries (multicast, loopback) stay, and so do
 * `PERMANENT` ones unless `permanent` is set; proxy entries are not touched.
 */
export async function flushNeighbours(filter: NeighbourFlushFilter = {}, opts: RouteOptions = {}): Promise<number> {
  checkMovedKeys(filter, ["dev", "family", "permanent"], "neighbour flush filter", MOVED);
  checkRouteOptions(opts, "flushNeighbours");
  familyOf(filter.family);
  const keep = NUD_NOARP | (filter.permanent ? 0 : NUD_PERMANENT);
  const keepNames: string[] = Object.entries(NUD_NAMES).filter(([bit]) => Number(bit) & keep).map(([, name]) => name);
  return await withRouteSocket(opts, async (s) => {
    const victims: Neighbour[] = [];
    for await (const n of new DumpStream({ socket: s }, dumpPlan({ dev: filter.dev, family: filter.family }))) {
      if (n.dst !== undefined && !n.state.some((st) => keepNames.includes(st))) victims.push(n);
    }
    let count = 0;
    for (const n of victims) {
      try {
        await s.request(neighbourMessage(RTM.RTM_DELNEIGH, 0, { dst: n.dst!, ifindex: n.ifindex })(n.ifindex));
        count++;
      } catch (e) {
        // Garbage-collected meanwhile.
        if (!(e instanceof NetlinkError && e.code === "ENOENT")) throw e;
      }
    }
    return count;
  });
}
