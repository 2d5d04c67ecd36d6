/**
 * `ip -j neigh show` and `bridge -j fdb show` output for {@link Neighbour}
 * entries: the keys and value forms of iproute2 (6.1).
 *
 * @example
 * ```ts ignore
 * import { listLinks } from "../link/api.ts";
 * import { linkIndexMap } from "../link/json.ts";
 * import { listNeighbours } from "./api.ts";
 * import { neighToIpJson } from "./json.ts";
 * const byIndex = linkIndexMap(await listLinks({}, { netns: "lab" }));
 * for (const n of await listNeighbours({}, { netns: "lab" })) console.log(neighToIpJson(n, { byIndex }));
 * // { dst: "10.0.0.9", dev: "veth0", lladdr: "02:00:00:00:00:09", state: ["PERMANENT"] }
 * ```
 *
 * @module
 */

import type { Link } from "../link/api.ts";
import { type Neighbour, NUD_NAMES } from "./table.ts";
import { bitsOfNames } from "../../wire/table.ts";

/** Options of {@link neighToIpJson} and {@link fdbToBridgeJson}. */
export interface NeighJsonOptions {
  /** Links by index, to print devices by name (unknown ones print as `if<N>`, as iproute2 does). */
  byIndex?: ReadonlyMap<number, Link>;
  /** Add what `-s` adds: cache ages (seconds), references and probes. */
  stats?: boolean;
  /** Print the device; iproute2 leaves it out when the listing was filtered by device. Default true. */
  dev?: boolean;
}

/** An object in the shape of one element of `ip -j neigh show` or `bridge -j fdb show`. */
export type IpNeighJson = Record<string, unknown>;

/** Clock ticks per second of `nda_cacheinfo` (USER_HZ). */
const USER_HZ = 100;

function nameOf(index: number, byIndex: ReadonlyMap<number, Link> | undefined): string {
  return byIndex?.get(index)?.name ?? `if${index}`;
}

/** The `NTF_*` flags `ip neigh` prints as `null`-valued keys, in its order. */
const NEIGH_FLAG_KEYS = ["router", "proxy", "managed", "extern_learn", "offload"] as const;

/** Renders an ARP/NDP entry the way `ip -j neigh show` does (`print_neigh`). */
export function neighToIpJson(n: Neighbour, options: NeighJsonOptions = {}): IpNeighJson {
  const out: IpNeighJson = {};
  if (n.dst !== undefined) out.dst = n.dst;
  if (options.dev !== false && n.ifindex) out.dev = n.dev ?? nameOf(n.ifindex, options.byIndex);
  if (n.lladdr !== undefined) out.lladdr = n.lladdr;
  for (const key of NEIGH_FLAG_KEYS) if (n.flags.includes(key)) out[key] = null;
  if (options.stats) {
    const ci = n.cacheinfo;
    if (ci) {
      if (ci.refcnt) out.refcnt = ci.refcnt;
      out.used = Math.floor(ci.used / USER_HZ);
      out.confirmed = Math.floor(ci.confirmed / USER_HZ);
      out.updated = Math.floor(ci.updated / USER_HZ);
    }
    if (n.probes !== undefined) out.probes = n.probes;
  }
  const state = n.state.filter((s) => s !== "NONE");
  if (state.length) out.state = state;
  if (n.protocol !== undefined && n.protocol !== "unspec") out.protocol = n.protocol;
  return out;
}

/** The flags `bridge fdb` prints in its `flags` array, in its order. */
const FDB_FLAGS = ["self", "router", "extern_learn", "offload", "master", "sticky", "locked"] as const;

/** `state_n2a` of bridge/fdb.c: the strongest state, `""` for a learned (reachable) entry. */
function fdbState(state: readonly string[]): string {
  for (const [name, text] of [["PERMANENT", "permanent"], ["NOARP", "static"], ["STALE", "stale"], ["REACHABLE", ""]]) {
    if (state.includes(name)) return text;
  }
  const bits = bitsOfNames(NUD_NAMES, state.filter((s) => s !== "NONE"), "neighbour state");
  return bits ? `0x${bits.toString(16)}` : "0";
}

/** Renders a bridge forwarding entry the way `bridge -j fdb show` does (`print_fdb`). */
export function fdbToBridgeJson(n: Neighbour, options: NeighJsonOptions = {}): IpNeighJson {
  const { byIndex } = options;
  const out: IpNeighJson = {};
  if (n.lladdr !== undefined) out.mac = n.lladdr;
  if (options.dev !== false && n.ifindex) out.ifname = n.dev ?? nameOf(n.ifindex, byIndex);
  if (n.dst !== undefined) out.dst = n.dst;
  if (n.vlan) out.vlan = n.vlan;
  if (n.port !== undefined) out.port = n.port;
  if (n.vni !== undefined) out.vni = n.vni;
  if (n.srcVni !== undefined) out.src_vni = n.srcVni;
  if (n.viaIfindex !== undefined) {
    if (n.linkNetnsid !== undefined) out.viaIfIndex = n.viaIfindex;
    else out.viaIf = n.via ?? nameOf(n.viaIfindex, byIndex);
  }
  if (n.nhId !== undefined) out.nhid = n.nhId;
  if (n.linkNetnsid !== undefined) out.linkNetNsId = n.linkNetnsid;
  if (options.stats && n.cacheinfo) {
    out.used = Math.floor(n.cacheinfo.used / USER_HZ);
    out.updated = Math.floor(n.cacheinfo.updated / USER_HZ);
  }
  out.flags = FDB_FLAGS.filter((f) => n.flags.includes(f));
  if (n.master !== undefined) out.master = n.masterName ?? nameOf(n.master, byIndex);
  out.state = fdbState(n.state);
  return out;
}
