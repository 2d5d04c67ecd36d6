/**
 * Multicast routes (`ip mroute show`): the entries of the kernel's IPv4
 * and IPv6 multicast forwarding caches, in any namespace, filtered by
 * family, table, input device, source and group.
 *
 * @example
 * ```ts ignore
 * import { listMulticastRoutes } from "./api.ts";
 * for (const r of await listMulticastRoutes({ family: "inet", to: "239.0.0.0/8" }, { netns: "lab" })) {
 *   console.log(`(${r.src},${r.dst}) in ${r.iifName} out ${r.oifs?.map((o) => o.dev).join(" ")}`);
 * }
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { AF_INET, AF_INET6, type Cidr, inPrefix, parseCidr, parseIp } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { type Family, familyNumber } from "../../wire/family.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { readLinkNames } from "../link_names.ts";
import { checkRouteOptions } from "../options.ts";
import { RTMSG } from "../route/table.ts";
import { tableName, tableNumber } from "../route/tables.ts";
import { DumpStream, type RouteOptions, RTM } from "../rtnl.ts";
import { nameMulticastRoute, parseMulticastRouteMessage } from "./parse.ts";
import { MROUTE_ATTRS, type MulticastRoute, RTNL_FAMILY_IP6MR, RTNL_FAMILY_IPMR } from "./table.ts";

/** Which multicast routes to list; every field set must match (`ip mroute show` selectors). */
export interface MulticastRouteFilter {
  /** `inet` (IPv4) or `inet6` (IPv6), by name or `AF_*` number; both by default. */
  family?: Family | number | string;
  /** Table, by name (`default`, `main`, names of `rt_tables`) or id, filtered by the kernel; every table by default. */
  table?: number | string;
  /**
   * With `table`: fail with the kernel's `ENOENT` ("MR table does not
   * exist") when a listed family has no such table, as `ip mroute show
   * table` does; by default such a table is empty.
   */
  strictTable?: boolean;
  /** Input device, by name or index. */
  iif?: string | number;
  /** Entries whose source lies inside this prefix (`from 10.0.0.0/8`). */
  from?: string;
  /** Entries whose group lies inside this prefix (`to 239.1.0.0/16`). */
  to?: string;
}

const FILTER_KEYS = ["family", "table", "strictTable", "iif", "from", "to"];

/** A filter checked before anything is sent: the families to dump and the userspace tests. */
interface Checked {
  families: number[];
  table?: number;
  from?: Cidr;
  to?: Cidr;
}

function prefix(what: "from" | "to", v: unknown): Cidr | undefined {
  if (v === undefined) return undefined;
  try {
    if (typeof v !== "string") throw new Error();
    return parseCidr(v);
  } catch {
    throw new InvalidArgumentError(`Cannot use ${what} ${JSON.stringify(v)}: expected an address or prefix`, what);
  }
}

function checkFilter(f: MulticastRouteFilter): Checked {
  checkKeys(f, FILTER_KEYS, "multicast route filter");
  let families = [AF_INET, AF_INET6];
  if (f.family !== undefined) {
    const n = familyNumber(f.family);
    const af = n === RTNL_FAMILY_IPMR ? AF_INET : n === RTNL_FAMILY_IP6MR ? AF_INET6 : n;
    if (af !== AF_INET && af !== AF_INET6) {
      throw new InvalidArgumentError(`Cannot use family ${JSON.stringify(f.family)}: expected inet or inet6`, "family");
    }
    families = [af];
  }
  const c: Checked = { families, from: prefix("from", f.from), to: prefix("to", f.to) };
  for (const [what, p] of [["from", c.from], ["to", c.to]] as const) {
    if (!p) continue;
    if (f.family !== undefined && !families.includes(p.family)) {
      throw new InvalidArgumentError(`Cannot use ${what} ${JSON.stringify(f[what])} with family ${f.family}`, what);
    }
    c.families = c.families.filter((x) => x === p.family);
  }
  if (f.table !== undefined) c.table = tableNumber(f.table);
  if (f.strictTable !== undefined && typeof f.strictTable !== "boolean") {
    throw new InvalidArgumentError(
      `Cannot use strictTable ${String(f.strictTable)}: expected a boolean`,
      "strictTable",
    );
  }
  if (f.strictTable && c.table === undefined) {
    throw new InvalidArgumentError("Cannot use strictTable without table", "strictTable");
  }
  const iif = f.iif;
  if (iif !== undefined && typeof iif !== "string" && typeof iif !== "number") {
    throw new InvalidArgumentError(`Cannot use iif ${JSON.stringify(iif)}: expected a link name or index`, "iif");
  }
  return c;
}

/** The strict-check dump request of one family (`AF_INET`/`AF_INET6`), with the table for the kernel to filter by. */
export function multicastRouteDumpRequest(family: number, table?: number): Uint8Array {
  const rtm = family === AF_INET ? RTNL_FAMILY_IPMR : RTNL_FAMILY_IP6MR;
  const b = new MessageBuilder(RTM.RTM_GETROUTE, 0).struct(RTMSG, { family: rtm });
  if (table !== undefined) b.u(MROUTE_ATTRS.table.type, "u32", table);
  return b.finish();
}

/** ip's `inet_addr_match_rta`: an entry without the address passes, as in ip. */
function inside(addr: string | undefined, p: Cidr): boolean {
  if (addr === undefined || p.prefixLen === 0) return true;
  return inPrefix(parseIp(addr), p.addr, p.prefixLen);
}

/**
 * Streams the multicast routes that pass `filter`, IPv4 first, one at a
 * time (memory stays at one receive buffer). Devices are named (`iifName`,
 * each output's `dev`) from one link dump. Throws `InvalidArgumentError`
 * on a bad filter before anything is sent, and `NotFoundError` for an
 * `iif` no link has.
 */
export function streamMulticastRoutes(
  filter: MulticastRouteFilter = {},
  opts: RouteOptions = {},
): AsyncGenerator<MulticastRoute, void, undefined> {
  checkRouteOptions(opts, "streamMulticastRoutes", true);
  const c = checkFilter(filter);
  return new DumpStream(opts, async (s) => {
    const iif = filter.iif === undefined ? undefined : await resolveLinkIndex(filter.iif, { socket: s });
    const names = await readLinkNames(s);
    const table = c.table === undefined ? undefined : tableName(c.table);
    return {
      request: c.families.map((f) => multicastRouteDumpRequest(f, c.table)),
      parse: (m) => nameMulticastRoute(parseMulticastRouteMessage(m), names),
      keep: (r) =>
        (table === undefined || r.table === table) &&
        (iif === undefined || r.iif === iif) &&
        (c.from === undefined || inside(r.src, c.from)) &&
        (c.to === undefined || inside(r.dst, c.to)),
      // The kernel refuses a table that does not exist (ENOENT): by default that table is empty.
      empty: (e) => c.table !== undefined && !filter.strictTable && e instanceof NetlinkError && e.code === "ENOENT",
    };
  });
}

/** Lists the multicast routes that pass `filter` (see {@link streamMulticastRoutes}). */
export async function listMulticastRoutes(
  filter: MulticastRouteFilter = {},
  opts: RouteOptions = {},
): Promise<MulticastRoute[]> {
  return await Array.fromAsync(streamMulticastRoutes(filter, opts));
}
