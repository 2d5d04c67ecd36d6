/**
 * Nexthop objects (`ip nexthop`): list, get, add, replace, delete and
 * flush nexthops and groups, and list the buckets of resilient groups, in
 * any namespace. Routes point at them with `nhid`.
 *
 * @example
 * ```ts ignore
 * import { addNexthop, listNexthops } from "./api.ts";
 * await addNexthop({ id: 1, gateway: "10.0.0.2", dev: "v0" }, { netns: "lab" });
 * await addNexthop({ id: 2, blackhole: true }, { netns: "lab" });
 * await addNexthop({ id: 10, group: [{ id: 1, weight: 3 }, 2] }, { netns: "lab" });
 * for (const nh of await listNexthops({}, { netns: "lab" })) console.log(nh.id, nh.gateway, nh.dev);
 * ```
 *
 * @module
 */

import { DumpInterruptedError } from "../../socket/errors.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { AF_INET6 } from "../../wire/addr.ts";
import type { Attrs } from "../../wire/table.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { nameNexthop, readLinkNames } from "../link_names.ts";
import { checkRouteOptions } from "../options.ts";
import {
  buildNexthopMessage,
  checkBucketFilter,
  checkInt,
  checkNexthopFilter,
  checkNexthopSpec,
  type NexthopBucketFilter,
  type NexthopFilter,
  type NexthopObjectSpec,
  nexthopRequest,
} from "./build.ts";
import { type Nexthop, type NexthopBucket, parseNexthopBucketMessage, parseNexthopMessage } from "./parse.ts";
import type { NHA_ATTRS } from "./table.ts";
import { deleteEach, type DumpPlan, DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";

/** Dumps are retried this often when the nexthops change under them. */
const DUMP_RETRIES = 3;

/** The devices a nexthop or bucket filter names. */
type DeviceFilter = { dev?: string | number; master?: string | number };

/** The kernel-side device filters (`NHA_OIF`, `NHA_MASTER`), names resolved on the dump's socket. */
async function deviceAttrs(s: NetlinkSocket, f: DeviceFilter): Promise<Attrs<typeof NHA_ATTRS>> {
  const attrs: Attrs<typeof NHA_ATTRS> = {};
  if (f.dev !== undefined) attrs.oif = await resolveLinkIndex(f.dev, { socket: s });
  if (f.master !== undefined) attrs.master = await resolveLinkIndex(f.master, { socket: s });
  return attrs;
}

/** A nexthop dump: `plan` gets the checked filter's device attributes, resolved on the dump's socket. */
function deviceDump<T>(
  what: string,
  f: DeviceFilter,
  opts: RouteOptions,
  plan: (s: NetlinkSocket, attrs: Attrs<typeof NHA_ATTRS>) => Promise<DumpPlan<T>> | DumpPlan<T>,
): AsyncGenerator<T, void, undefined> {
  checkRouteOptions(opts, what, true);
  return new DumpStream(opts, async (s) => plan(s, await deviceAttrs(s, f)));
}

/** Streams the nexthops of `filter` one at a time, device names resolved. */
export function streamNexthops(
  filter: NexthopFilter = {},
  opts: RouteOptions = {},
): AsyncGenerator<Nexthop, void, undefined> {
  const f = checkNexthopFilter(filter);
  return deviceDump("streamNexthops", f, opts, async (s, attrs) => {
    const { oif, master } = attrs;
    if (f.groups) attrs.groups = true;
    if (f.fdb) attrs.fdb = true;
    const links = await readLinkNames(s);
    // The kernel filters too, but not every version honours every filter (NHA_FDB): check each here as well.
    return {
      request: nexthopRequest(RTM.RTM_GETNEXTHOP, f.familyNum, attrs),
      parse: (m) => nameNexthop(parseNexthopMessage(m), links),
      keep: (nh) =>
        (f.id === undefined || nh.id === f.id) &&
        (oif === undefined || nh.ifindex === oif) &&
        (master === undefined || (nh.ifindex !== undefined && links.get(nh.ifindex)?.master === master)) &&
        (!f.groups || nh.group !== undefined) &&
        (!f.fdb || f.kernelFdb || nh.fdb === true) &&
        (f.family === undefined || nh.family === (f.familyNum === AF_INET6 ? "inet6" : "inet")) &&
        (f.protocolName === undefined || nh.protocol === f.protocolName),
    };
  });
}

/** Lists the nexthops of `filter`, by id. */
export async function listNexthops(filter: NexthopFilter = {}, opts: RouteOptions = {}): Promise<Nexthop[]> {
  const out: Nexthop[] = [];
  for (let attempt = 0;; attempt++) {
    out.length = 0;
    try {
      for await (const nh of streamNexthops(filter, opts)) out.push(nh);
      return out;
    } catch (e) {
      if (attempt >= DUMP_RETRIES || !(e instanceof DumpInterruptedError)) throw e;
    }
  }
}

/** Fetches one nexthop by id (or a listed nexthop's); fails with the kernel's `ENOENT` when there is none. */
export async function getNexthop(idOrSpec: number | NexthopObjectSpec, opts: RouteOptions = {}): Promise<Nexthop> {
  const id = typeof idOrSpec === "number" ? idOrSpec : checkNexthopSpec("delete", idOrSpec).attrs.id;
  checkInt("id", id, 1, 0xffffffff);
  checkRouteOptions(opts, "getNexthop");
  const req = nexthopRequest(RTM.RTM_GETNEXTHOP, 0, { id });
  return await withRouteSocket(opts, async (s) => {
    const [nh] = await s.request(req, parseNexthopMessage);
    return nameNexthop(nh, await readLinkNames(s));
  });
}

async function change(op: "add" | "replace" | "delete", spec: NexthopObjectSpec, opts: RouteOptions): Promise<void> {
  const c = checkNexthopSpec(op, spec);
  checkRouteOptions(opts, `${op} nexthop`);
  await withRouteSocket(opts, async (s) => {
    if (c.dev !== undefined) c.attrs.oif = await resolveLinkIndex(c.dev, { socket: s });
    await s.request(buildNexthopMessage(op, c));
  });
}

/** Adds a nexthop or group; fails with `EEXIST` if the id is taken. */
export function addNexthop(spec: NexthopObjectSpec, opts: RouteOptions = {}): Promise<void> {
  return change("add", spec, opts);
}

/** Adds a nexthop, or replaces the one with the same id (routes using it follow). */
export function replaceNexthop(spec: NexthopObjectSpec, opts: RouteOptions = {}): Promise<void> {
  return change("replace", spec, opts);
}

/** Deletes a nexthop by id (or a listed nexthop); routes using it go with it. */
export async function deleteNexthop(idOrSpec: number | NexthopObjectSpec, opts: RouteOptions = {}): Promise<void> {
  // A listed nexthop is checked whole (unknown keys refused); only its id is sent.
  const id = typeof idOrSpec === "number" ? idOrSpec : checkNexthopSpec("delete", idOrSpec).attrs.id;
  return await change("delete", { id }, opts);
}

/**
 * Deletes the nexthops of `filter` and returns how many went. With no
 * filter, groups go first so that members are not deleted under them.
 */
export async function flushNexthops(filter: NexthopFilter = {}, opts: RouteOptions = {}): Promise<number> {
  if (checkNexthopFilter(filter).kernelFdb) {
    throw new InvalidArgumentError(`Cannot flush with "kernelFdb": it could select more nexthops than asked`);
  }
  checkRouteOptions(opts, "flushNexthops");
  return await withRouteSocket(opts, async (s) => {
    const on = { socket: s };
    const passes = Object.keys(filter).length === 0 ? [{ groups: true }, {}] : [filter];
    let n = 0;
    for (const pass of passes) {
      const ids = (await listNexthops(pass, on)).map((nh) => nh.id);
      // Deleting a nexthop can take groups with it: gone already is fine.
      n += await deleteEach(s, ids, (id) => buildNexthopMessage("delete", checkNexthopSpec("delete", { id })), [
        "ENOENT",
      ]);
    }
    return n;
  });
}

/** Streams the buckets of resilient groups. */
export function streamNexthopBuckets(
  filter: NexthopBucketFilter = {},
  opts: RouteOptions = {},
): AsyncGenerator<NexthopBucket, void, undefined> {
  const f = checkBucketFilter(filter);
  return deviceDump("streamNexthopBuckets", f, opts, (_s, attrs) => {
    if (f.id !== undefined) attrs.id = f.id;
    if (f.nhid !== undefined) attrs.resBucket = { nhid: f.nhid };
    return { request: nexthopRequest(RTM.RTM_GETNEXTHOPBUCKET, 0, attrs), parse: parseNexthopBucketMessage };
  });
}

/** Lists the buckets of resilient groups. */
export async function listNexthopBuckets(
  filter: NexthopBucketFilter = {},
  opts: RouteOptions = {},
): Promise<NexthopBucket[]> {
  const out: NexthopBucket[] = [];
  for await (const b of streamNexthopBuckets(filter, opts)) out.push(b);
  return out;
}

/** Fetches one bucket of a resilient group. */
export async function getNexthopBucket(id: number, index: number, opts: RouteOptions = {}): Promise<NexthopBucket> {
  checkInt("id", id, 1, 0xffffffff);
  checkInt("bucket index", index, 0, 0xffff);
  checkRouteOptions(opts, "getNexthopBucket");
  const req = nexthopRequest(RTM.RTM_GETNEXTHOPBUCKET, 0, { id, resBucket: { index } });
  const [b] = await withRouteSocket(opts, (s) => s.request(req, parseNexthopBucketMessage));
  return b;
}
