/**
 * Neighbours over rtnetlink: the ARP (IPv4) and NDP (IPv6) caches and
 * proxy entries, listed with kernel-side filters, added, replaced, deleted
 * and flushed; and the bridge forwarding database (FDB) listed.
 *
 * @example
 * ```ts ignore
 * import { addNeighbour, listNeighbours } from "./api.ts";
 * await addNeighbour({ dst: "10.0.0.9", lladdr: "02:00:00:00:00:09", link: "veth0" }, { netns: "blue" });
 * for (const n of await listNeighbours({ link: "veth0" }, { netns: "blue" })) {
 *   console.log(n.dst, n.lladdr, n.state); // 10.0.0.9 02:00:00:00:00:09 ["PERMANENT"]
 * }
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import {
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  type Cidr,
  inPrefix,
  parseCidr,
  parseIp,
  parseMac,
} from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { nameOf, valueOfName } from "../../wire/table.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { resolveLinkIndex } from "../link/api.ts";
import { RTPROT_NAMES } from "../route/names.ts";
import { type DumpPlan, DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import {
  NDA_DST,
  NDA_FLAGS_EXT,
  NDA_IFINDEX,
  NDA_LLADDR,
  NDA_MASTER,
  NDA_PROTOCOL,
  NDMSG,
  type Neighbour,
  NTF_EXT_NAMES,
  NTF_NAMES,
  NTF_PROXY,
  NUD_NAMES,
  NUD_NOARP,
  NUD_PERMANENT,
  parseNeighbourMessage,
} from "./table.ts";

/** Which neighbours to list: all ARP and NDP entries by default. */
export interface NeighbourFilter {
  /** Only entries of this link (name or index); filtered by the kernel. */
  link?: string | number;
  /** Only this family (`AF_INET`, `AF_INET6`, or `"inet"`/`"inet6"`). */
  family?: number | "inet" | "inet6";
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
}

const FILTER_KEYS = ["link", "family", "master", "nomaster", "proxy", "to", "states", "protocol"];

/** The userspace side of a {@link NeighbourFilter}, checked before anything is sent. */
interface NeighbourMatch {
  family: number;
  to?: Cidr;
  states?: number;
  none: boolean;
  protocol?: string;
}

function checkNeighbourFilter(filter: NeighbourFilter): NeighbourMatch {
  if (typeof filter !== "object" || filter === null) {
    throw new InvalidArgumentError(`Invalid neighbour filter: "${String(filter)}"`);
  }
  checkKeys(filter, FILTER_KEYS, "neighbour filter");
  const m: NeighbourMatch = { family: familyOf(filter.family), none: false };
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
    const n = valueOfName(RTPROT_NAMES, filter.protocol, "neighbour protocol");
    if (!Number.isInteger(n) || n < 0 || n > 255) {
      throw new InvalidArgumentError(`Invalid neighbour protocol: "${filter.protocol}"`);
    }
    m.protocol = nameOf(RTPROT_NAMES, n);
  }
  return m;
}

const NUD_BITS: Record<string, number> = Object.fromEntries(Object.entries(NUD_NAMES).map(([k, v]) => [v, Number(k)]));

function matchNeighbour(n: Neighbour, m: NeighbourMatch): boolean {
  if (m.to && !(n.dst !== undefined && inPrefix(parseIp(n.dst), m.to.addr, m.to.prefixLen))) return false;
  if (m.protocol !== undefined && (n.protocol ?? "unspec") !== m.protocol) return false;
  if (m.states !== undefined && !n.flags.includes("proxy") && !n.flags.includes("extern_learn")) {
    const bits = n.state.reduce((b, st) => b | (NUD_BITS[st] ?? 0), 0);
    if (!(bits & m.states) && !(bits === 0 && m.none)) return false;
  }
  return true;
}

/** Which neighbours to flush. */
export interface NeighbourFlushFilter {
  /** Only entries of this link (name or index). */
  link?: string | number;
  /** Only this family. */
  family?: number | "inet" | "inet6";
  /** Also remove `PERMANENT` entries (as `ip neigh flush nud permanent` would). Default false. */
  permanent?: boolean;
}

/** Which bridge forwarding entries to list: all by default. */
export interface FdbFilter {
  /** Only entries of this port (or device, for `self` entries); filtered by the kernel. */
  link?: string | number;
  /** Only entries of this bridge; filtered by the kernel. */
  master?: string | number;
}

/** A neighbour entry to add, replace or delete. */
export interface NeighbourSpec {
  /** Protocol address (IPv4 or IPv6); its family picks the table. */
  dst: string;
  /** The link (name or index). */
  link: string | number;
  /** Link-layer address, e.g. `02:00:00:00:00:09`. */
  lladdr?: string;
  /** `NUD_*` state by name (`PERMANENT`, `REACHABLE`, `STALE`, `NOARP`, `NONE`... any case). Default `PERMANENT`. */
  state?: string;
  /** Flag names: `router`, `proxy`, `extern_learn`, `use`, `managed`... */
  flags?: readonly string[];
  /** Who adds it (`static`, `zebra`... or a number), stored in `NDA_PROTOCOL`. */
  protocol?: string | number;
}

const FAMILY_NAMES: { readonly [k: string]: number } = { inet: AF_INET, inet6: AF_INET6 };

function familyOf(f: NeighbourFilter["family"]): number {
  if (f === undefined) return AF_UNSPEC;
  const n = typeof f === "string" ? FAMILY_NAMES[f] : f;
  if (n !== AF_UNSPEC && n !== AF_INET && n !== AF_INET6) {
    throw new InvalidArgumentError(`Invalid neighbour family: "${f}" (must be inet or inet6)`);
  }
  return n;
}

function dumpRequest(family: number, flags: number, index: number, master: number): Uint8Array {
  const b = new MessageBuilder(RTM.RTM_GETNEIGH, 0).struct(NDMSG, { family, flags });
  if (index) b.u(NDA_IFINDEX, "u32", index);
  if (master) b.u(NDA_MASTER, "u32", master);
  return b.finish();
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
    const index = await indexOf(s, filter.link);
    // The kernel reads NDA_MASTER -1 as "no master".
    const master = filter.nomaster ? 0xffffffff : await indexOf(s, filter.master);
    // Kernels without strict checking ignore the filters: check again.
    const keep = (n: Neighbour) =>
      (n.family === AF_INET || n.family === AF_INET6) && (!m.family || n.family === m.family) &&
      (!index || n.index === index) && matchNeighbour(n, m);
    return {
      request: dumpRequest(m.family, filter.proxy ? NTF_PROXY : 0, index, master),
      parse: parseNeighbourMessage,
      keep,
    };
  };
}

/** Streams neighbour entries (bounded memory), filtered by link and master in the kernel. */
export function streamNeighbours(
  filter: NeighbourFilter = {},
  opts: RouteOptions = {},
): AsyncGenerator<Neighbour, void, undefined> {
  return new DumpStream(opts, dumpPlan(filter));
}

/** Lists neighbour entries (`ip neigh show nud all`), filtered by link and master in the kernel. */
export async function listNeighbours(filter: NeighbourFilter = {}, opts: RouteOptions = {}): Promise<Neighbour[]> {
  return await Array.fromAsync(streamNeighbours(filter, opts));
}

/** Streams bridge forwarding entries (`bridge fdb show`), filtered by port and bridge in the kernel. */
export function streamFdb(filter: FdbFilter = {}, opts: RouteOptions = {}): AsyncGenerator<Neighbour, void, undefined> {
  checkKeys(filter, ["link", "master"], "FDB filter");
  return new DumpStream(opts, async (s) => {
    const index = await indexOf(s, filter.link);
    const master = await indexOf(s, filter.master);
    const keep = (n: Neighbour) => n.family === AF_BRIDGE && (!index || n.index === index);
    return { request: dumpRequest(AF_BRIDGE, 0, index, master), parse: parseNeighbourMessage, keep };
  });
}

/** Lists bridge forwarding entries (`bridge fdb show`), filtered by port and bridge in the kernel. */
export async function listFdb(filter: FdbFilter = {}, opts: RouteOptions = {}): Promise<Neighbour[]> {
  return await Array.fromAsync(streamFdb(filter, opts));
}

const EXT_FLAGS: readonly string[] = Object.values(NTF_EXT_NAMES);

/** Splits flag names into `ndm_flags` and `NDA_FLAGS_EXT` bits. */
function flagBits(names: readonly string[] | undefined): { flags: number; ext: number } {
  let flags = 0, ext = 0;
  if (names === undefined) return { flags, ext };
  if (!Array.isArray(names)) {
    throw new InvalidArgumentError(`Invalid neighbour flags: "${String(names)}" (must be an array of names)`);
  }
  for (const name of names) {
    if (EXT_FLAGS.includes(name)) ext |= valueOfName(NTF_EXT_NAMES, name, "neighbour flag");
    else flags |= valueOfName(NTF_NAMES, name, "neighbour flag");
  }
  if (flags > 0xff) {
    throw new InvalidArgumentError(`Invalid neighbour flags: "${names.join(",")}" (ndm_flags is 8 bits)`);
  }
  return { flags, ext };
}

function stateOf(state: string | undefined): number {
  if (state === undefined) return NUD_PERMANENT;
  if (typeof state === "string" && state.toUpperCase() === "NONE") return 0;
  const v = typeof state === "string" ? valueOfName(NUD_NAMES, state.toUpperCase(), "neighbour state") : NaN;
  if (!(v > 0 && v <= 0xffff && (v & (v - 1)) === 0)) {
    throw new InvalidArgumentError(
      `Unknown neighbour state: "${state}" (one of ${Object.values(NUD_NAMES).join(", ")}, NONE)`,
    );
  }
  return v;
}

/** Validates a spec and returns a builder for its message once the link index is known. */
function neighbourMessage(type: number, nlFlags: number, spec: NeighbourSpec): (index: number) => Uint8Array {
  if (typeof spec !== "object" || spec === null) throw new InvalidArgumentError(`Invalid neighbour: "${String(spec)}"`);
  if (spec.link === undefined) throw new InvalidArgumentError(`Neighbour "${spec.dst}" needs a link`);
  const dst = parseIp(String(spec.dst));
  const family = dst.length === 4 ? AF_INET : AF_INET6;
  const lladdr = spec.lladdr === undefined ? undefined : parseMac(spec.lladdr);
  const state = type === RTM.RTM_DELNEIGH ? 0 : stateOf(spec.state);
  const { flags, ext } = flagBits(spec.flags);
  let protocol: number | undefined;
  if (spec.protocol !== undefined) {
    protocol = valueOfName(RTPROT_NAMES, spec.protocol, "neighbour protocol");
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) {
      throw new InvalidArgumentError(`Invalid neighbour protocol: "${spec.protocol}" (must be 0 to 255)`);
    }
  }
  return (ifindex) => {
    const b = new MessageBuilder(type, nlFlags).struct(NDMSG, { family, ifindex, state, flags }).bytes(NDA_DST, dst);
    if (type === RTM.RTM_DELNEIGH) return b.finish();
    if (lladdr) b.bytes(NDA_LLADDR, lladdr);
    if (protocol !== undefined) b.u(NDA_PROTOCOL, "u8", protocol);
    if (ext) b.u(NDA_FLAGS_EXT, "u32", ext);
    return b.finish();
  };
}

async function send(build: (index: number) => Uint8Array, link: string | number, opts: RouteOptions): Promise<void> {
  await withRouteSocket(opts, async (s) => {
    await s.request(build(await resolveLinkIndex(link, { socket: s })));
  });
}

/**
 * Adds a neighbour entry (`ip neigh add`), `PERMANENT` unless `state` says
 * otherwise. Fails with `NetlinkError` `EEXIST` when the entry exists.
 */
export async function addNeighbour(spec: NeighbourSpec, opts: RouteOptions = {}): Promise<void> {
  await send(neighbourMessage(RTM.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, spec), spec.link, opts);
}

/** Adds a neighbour entry or overwrites the one there (`ip neigh replace`). */
export async function replaceNeighbour(spec: NeighbourSpec, opts: RouteOptions = {}): Promise<void> {
  await send(neighbourMessage(RTM.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, spec), spec.link, opts);
}

/** Changes an existing neighbour entry (`ip neigh change`); fails with `ENOENT` when there is none. */
export async function changeNeighbour(spec: NeighbourSpec, opts: RouteOptions = {}): Promise<void> {
  await send(neighbourMessage(RTM.RTM_NEWNEIGH, NLM_F_REPLACE, spec), spec.link, opts);
}

/**
 * Looks one entry up in the kernel's cache (`ip neigh get ADDR dev DEV`).
 * Fails with `NetlinkError` `ENOENT` when there is none.
 */
export async function getNeighbour(dst: string, link: string | number, opts: RouteOptions = {}): Promise<Neighbour> {
  const addr = parseIp(String(dst));
  return await withRouteSocket(opts, async (s) => {
    const ifindex = await resolveLinkIndex(link, { socket: s });
    const family = addr.length === 4 ? AF_INET : AF_INET6;
    const req = new MessageBuilder(RTM.RTM_GETNEIGH, 0).struct(NDMSG, { family, ifindex }).bytes(NDA_DST, addr)
      .finish();
    const [n] = await s.request(req, parseNeighbourMessage);
    if (!n) throw new Error(`Neighbour lookup for "${dst}" returned nothing`);
    return n;
  });
}

/**
 * Deletes a neighbour entry (`ip neigh del`); a `proxy` flag deletes the
 * proxy entry. Fails with `NetlinkError` `ENOENT` when there is none.
 */
export async function deleteNeighbour(
  spec: Pick<NeighbourSpec, "dst" | "link" | "flags">,
  opts: RouteOptions = {},
): Promise<void> {
  const flags = spec?.flags?.includes("proxy") ? ["proxy"] : undefined;
  await send(neighbourMessage(RTM.RTM_DELNEIGH, 0, { ...spec, flags }), spec.link, opts);
}

/**
 * Deletes the cached entries that match (`ip neigh flush`) and returns how
 * many went. `NOARP` entries (multicast, loopback) stay, and so do
 * `PERMANENT` ones unless `permanent` is set; proxy entries are not touched.
 */
export async function flushNeighbours(filter: NeighbourFlushFilter = {}, opts: RouteOptions = {}): Promise<number> {
  checkKeys(filter, ["link", "family", "permanent"], "neighbour flush filter");
  familyOf(filter.family);
  const keep = NUD_NOARP | (filter.permanent ? 0 : NUD_PERMANENT);
  const keepNames: string[] = Object.entries(NUD_NAMES).filter(([bit]) => Number(bit) & keep).map(([, name]) => name);
  return await withRouteSocket(opts, async (s) => {
    const victims: Neighbour[] = [];
    for await (const n of new DumpStream({ socket: s }, dumpPlan({ link: filter.link, family: filter.family }))) {
      if (n.dst !== undefined && !n.state.some((st) => keepNames.includes(st))) victims.push(n);
    }
    let count = 0;
    for (const n of victims) {
      try {
        await s.request(neighbourMessage(RTM.RTM_DELNEIGH, 0, { dst: n.dst!, link: n.index })(n.index));
        count++;
      } catch (e) {
        // Garbage-collected meanwhile.
        if (!(e instanceof NetlinkError && e.code === "ENOENT")) throw e;
      }
    }
    return count;
  });
}
