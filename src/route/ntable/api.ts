/**
 * Neighbour tables (`ip ntable`): list the ARP and NDP caches' settings,
 * per table and per device, and change them.
 *
 * @example
 * ```ts ignore
 * import { changeNeighTable, listNeighTables } from "./api.ts";
 * for (const t of await listNeighTables({ name: "arp_cache", dev: "v0" }, { netns: "lab" })) {
 *   console.log(t.family, t.name, t.parms?.queueLen, t.parms?.baseReachableTime);
 * }
 * await changeNeighTable({ name: "arp_cache", dev: "v0" }, { queueLen: 50, ucastProbes: 5 }, { netns: "lab" });
 * ```
 *
 * @module
 */

import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_REPLACE } from "../../wire/constants.ts";
import { familyNumber } from "../../wire/family.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { type AttrSpec, type AttrTable, checkAttrs, KIND_RANGE } from "../../wire/table.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { checkRouteOptions } from "../options.ts";
import { DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import { NDTA_ATTRS, NDTPA_ATTRS, type NeighTable, type NeighTableParms, parseNeighTableMessage } from "./table.ts";

/** Which table entries to list; every field set must match. */
export interface NeighTableFilter {
  /** `inet` (ARP) or `inet6` (NDP), or the `AF_*` number; asked of the kernel. */
  family?: string | number;
  /** The table's name: `arp_cache`, `ndisc_cache`. */
  name?: string;
  /** One device's parameters (name or index); `null`: the tables' own defaults only (ip's `dev none`). */
  dev?: string | number | null;
}

/** The table a change applies to: its name, and a device for that device's parameters. */
export interface NeighTableTarget {
  /** The table's name: `arp_cache`, `ndisc_cache`. */
  name: string;
  /** The table's family; without it, the first table of that name. */
  family?: string | number;
  /** The device whose parameters change (name or index); without it, the table's defaults. */
  dev?: string | number;
}

/**
 * What a change sets. The thresholds and `gcInterval` belong to the whole
 * table; the rest are neighbour parameters (times in milliseconds). The
 * kernel lets only the initial namespace change the table's values and
 * default parameters (elsewhere: `ENOENT`); any namespace changes its
 * devices' parameters.
 */
export interface NeighTableSettings {
  /** Garbage collection leaves the table alone below this many entries. */
  thresh1?: number;
  /** Soft maximum of entries. */
  thresh2?: number;
  /** Hard maximum of entries. */
  thresh3?: number;
  /** Garbage collection interval. */
  gcInterval?: number;
  /** Base reachable time. */
  baseReachableTime?: number;
  /** Retransmit time. */
  retransTime?: number;
  /** Stale time before garbage collection. */
  gcStaleTime?: number;
  /** Delay before the first probe. */
  delayProbeTime?: number;
  /** Packets queued per unresolved entry. */
  queueLen?: number;
  /** Bytes queued per unresolved entry. */
  queueLenBytes?: number;
  /** Probes through the userspace daemon. */
  appProbes?: number;
  /** Unicast probes. */
  ucastProbes?: number;
  /** Multicast probes. */
  mcastProbes?: number;
  /** Multicast re-probes. */
  mcastReprobes?: number;
  /** Anycast answer delay. */
  anycastDelay?: number;
  /** Proxy answer delay. */
  proxyDelay?: number;
  /** Proxy queue length. */
  proxyQlen?: number;
  /** Minimum time before an entry is replaced. */
  locktime?: number;
  /** Probe interval of entries in `PROBE` state. */
  intervalProbeTime?: number;
}

/** The numbers a change may set: neither reply-only (counters, the computed reachable time) nor the device. */
function settable(table: AttrTable): (keyof NeighTableSettings)[] {
  return Object.entries(table).filter(([k, spec]) => spec.dir !== "reply" && k !== "ifindex" && spec.kind in KIND_RANGE)
    .map(([k]) => k as keyof NeighTableSettings);
}

/** The table's own settable values (thresholds, `gcInterval`), then its parameters', each as its table declares it. */
const TABLE_KEYS = settable(NDTA_ATTRS);
const PARMS_KEYS = settable(NDTPA_ATTRS);

/** The attribute a setting is written as (its wire kind and policy): {@link NDTA_ATTRS} or {@link NDTPA_ATTRS}. */
export function neighTableSettingSpec(key: keyof NeighTableSettings): AttrSpec {
  return (NDTA_ATTRS as AttrTable)[key] ?? (NDTPA_ATTRS as AttrTable)[key];
}

function checkName(name: unknown, what: string): void {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError(`Cannot use ${what} ${JSON.stringify(name)}: expected a table name`, "name");
  }
}

function checkDev(dev: unknown, nullable: boolean): void {
  if (dev === undefined || typeof dev === "string" || typeof dev === "number" || (nullable && dev === null)) return;
  throw new InvalidArgumentError(`Cannot use dev ${JSON.stringify(dev)}: expected a link name or index`, "dev");
}

/** `RTM_GETNEIGHTBL` dump request (`ndtmsg` of one family, or 0 for all), as ip sends it. */
export function neighTableDumpRequest(family = 0): Uint8Array {
  return new MessageBuilder(RTM.RTM_GETNEIGHTBL, 0).raw(Uint8Array.of(family, 0, 0, 0)).finish();
}

/**
 * Streams the neighbour table entries that pass `filter`, in the kernel's
 * order: each table's defaults, then one entry per device. Throws
 * `InvalidArgumentError` on a bad filter before anything is sent, and
 * `NotFoundError` for a `dev` no link has.
 */
export function streamNeighTables(
  filter: NeighTableFilter = {},
  opts: RouteOptions = {},
): AsyncGenerator<NeighTable, void, undefined> {
  checkRouteOptions(opts, "streamNeighTables", true);
  checkKeys(filter, ["family", "name", "dev"], "neighbour table filter");
  const family = filter.family === undefined ? 0 : familyNumber(filter.family);
  if (filter.name !== undefined) checkName(filter.name, "name");
  checkDev(filter.dev, true);
  return new DumpStream(opts, async (s) => {
    const dev = filter.dev == null ? filter.dev : await resolveLinkIndex(filter.dev, { socket: s });
    return {
      request: neighTableDumpRequest(family),
      parse: parseNeighTableMessage,
      keep: (t) =>
        (filter.name === undefined || t.name === filter.name) &&
        (dev === undefined || t.parms === undefined || (t.parms.ifindex ?? null) === dev),
    };
  });
}

/** Lists the neighbour table entries that pass `filter` (see {@link streamNeighTables}). */
export async function listNeighTables(
  filter: NeighTableFilter = {},
  opts: RouteOptions = {},
): Promise<NeighTable[]> {
  return await Array.fromAsync(streamNeighTables(filter, opts));
}

/**
 * The `RTM_SETNEIGHTBL` request of a change, as `ip ntable change` builds
 * it; `ifindex` is the resolved device (0 or undefined: the table's
 * defaults). Throws `InvalidArgumentError` naming a bad value.
 */
export function neighTableChangeRequest(
  target: NeighTableTarget,
  settings: NeighTableSettings,
  ifindex?: number,
): Uint8Array {
  checkName(target.name, "table name");
  checkKeys(settings, [...TABLE_KEYS, ...PARMS_KEYS], "neighbour table settings");
  const parms: NeighTableParms = {};
  let changed = false;
  for (const k of PARMS_KEYS) {
    if (settings[k] === undefined) continue;
    (parms as Record<string, number>)[k] = settings[k];
    changed = true;
  }
  if (!changed && TABLE_KEYS.every((k) => settings[k] === undefined)) {
    throw new InvalidArgumentError("Cannot change a neighbour table without a setting", "settings");
  }
  if (ifindex) parms.ifindex = ifindex;
  const { thresh1, thresh2, thresh3, gcInterval } = settings;
  const attrs = {
    name: target.name,
    thresh1,
    thresh2,
    thresh3,
    gcInterval,
    parms: changed || ifindex ? parms : undefined,
  };
  checkAttrs(NDTA_ATTRS, attrs);
  const family = target.family === undefined ? 0 : familyNumber(target.family);
  return new MessageBuilder(RTM.RTM_SETNEIGHTBL, NLM_F_REPLACE).raw(Uint8Array.of(family, 0, 0, 0))
    .attrs(NDTA_ATTRS, attrs).finish();
}

/**
 * Changes a neighbour table's settings (`ip ntable change`): the table's
 * defaults, or one device's parameters with `target.dev`. A listed
 * {@link NeighTable} is a target too (its name, family and device).
 * Throws `InvalidArgumentError` before sending for bad input, and the
 * kernel's `NetlinkError` otherwise (`ENOENT` for no such table, or for
 * thresholds outside the initial namespace).
 */
export async function changeNeighTable(
  target: NeighTableTarget | NeighTable,
  settings: NeighTableSettings,
  opts: RouteOptions = {},
): Promise<void> {
  checkRouteOptions(opts, "changeNeighTable");
  // A listed entry always carries its parameters; a plain target is checked key by key.
  const listed = "parms" in target;
  if (!listed) checkKeys(target, ["name", "family", "dev"], "neighbour table target");
  const t: NeighTableTarget = listed
    ? { name: target.name!, family: target.family, dev: target.parms?.ifindex }
    : target as NeighTableTarget;
  checkDev(t.dev, false);
  neighTableChangeRequest(t, settings); // refuses bad settings before the device is looked up
  await withRouteSocket(opts, async (s) => {
    const ifindex = t.dev === undefined ? undefined : await resolveLinkIndex(t.dev, { socket: s });
    await s.request(neighTableChangeRequest(t, settings, ifindex));
  });
}
