/**
 * Bridge forwarding database changes (`bridge fdb add/replace/del`):
 * `AF_BRIDGE` neighbour messages aimed at the device's own table
 * (`NTF_SELF`) or at its bridge's (`NTF_MASTER`). Listing lives with the
 * other neighbour dumps (`listFdb`, `streamFdb` in `api.ts`).
 *
 * @example
 * ```ts ignore
 * import { addFdb, deleteFdb } from "./fdb.ts";
 * await addFdb({ lladdr: "02:00:00:00:01:01", dev: "d0", flags: ["master"], state: "static", vlan: 10 }, { netns: "lab" });
 * await addFdb({ lladdr: "00:00:00:00:00:00", dev: "vx0", dst: "192.0.2.1", vni: 42 }, { netns: "lab" }); // VXLAN flood
 * await deleteFdb({ lladdr: "02:00:00:00:01:01", dev: "d0", flags: ["master"], vlan: 10 }, { netns: "lab" });
 * ```
 *
 * @module
 */

import { AF_BRIDGE, parseIp } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { type Attrs, bitsOfNames } from "../../wire/table.ts";
import { checkMac } from "../link/change.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { publicAttrs } from "../../wire/public.ts";
import { type Family, familyNumber } from "../../wire/family.ts";
import type { RawAttr } from "../../wire/table.ts";
import { checkMovedKeys, checkRouteOptions } from "../options.ts";
import {
  NDA_ATTRS,
  NDMSG,
  NEIGHBOUR_MESSAGE,
  NEIGHBOUR_OUTPUT_ONLY,
  type NeighbourCacheinfo,
  NTF_MASTER,
  NTF_NAMES,
  NTF_SELF,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_REACHABLE,
} from "./table.ts";
import { type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";

/** Kinds of FDB entry, named as `bridge fdb add` takes them. */
export type FdbState = "permanent" | "local" | "static" | "temp" | "dynamic";

/** The VLAN and the VXLAN remote of an FDB entry: in {@link FdbSpec}, and in `NeighbourSpec` for FDB entries. */
export interface FdbForwarding {
  /** VLAN id, 1 to 4094. */
  vlan?: number;
  /** Remote UDP port (VXLAN). */
  port?: number;
  /** VXLAN network id. */
  vni?: number;
  /** Source VNI (VXLAN collect-metadata devices). */
  srcVni?: number;
  /** Device to reach the remote through (`via`), by name or index. */
  via?: string | number;
  /** `via` by index, used when `via` is absent (a listed entry carries both). */
  viaIfindex?: number;
}

/**
 * What a listed {@link Neighbour} carries that no request sends, so that a
 * listed entry is a valid {@link FdbSpec} or `NeighbourSpec` as it is:
 * accepted and ignored.
 */
export interface NeighbourOutputFields {
  /** Output only: accepted from a listed entry and ignored. */
  type?: number;
  /** Output only: accepted from a listed entry and ignored. */
  cacheinfo?: NeighbourCacheinfo;
  /** Output only: accepted from a listed entry and ignored. */
  probes?: number;
  /** Output only (the bridge, by name): accepted from a listed entry and ignored. */
  masterName?: string;
  /** Output only: accepted from a listed entry and ignored. */
  linkNetnsid?: number;
  /** Output only: accepted from a listed entry and ignored. */
  nhId?: number;
  /** Output only: accepted from a listed entry and ignored. */
  unknown?: RawAttr[];
}

/**
 * A bridge forwarding entry to add, replace or delete. A listed FDB entry
 * ({@link Neighbour} of family `bridge`, from `listFdb`) is one as it is:
 * its output-only fields (`NEIGHBOUR_OUTPUT_ONLY`) are accepted and ignored.
 */
export interface FdbSpec extends FdbForwarding, NeighbourOutputFields {
  /** The MAC address (`00:00:00:00:00:00` is the VXLAN default destination). */
  lladdr: string;
  /** The bridge port, or the device (VXLAN, macvlan...) for `self` entries: name or index. */
  dev?: string | number;
  /** The device's index, used when `dev` is absent (a listed entry carries both). */
  ifindex?: number;
  /** `bridge` (or `AF_BRIDGE`), as a listed entry says; nothing else. */
  family?: Family | number | string;
  /**
   * `NTF_*` flag names: `self` (the device's own table; the default when
   * neither `self` nor `master` is given, as in `bridge fdb`), `master`
   * (the bridge's table), `router`, `use`, `extern_learn`, `sticky`;
   * `offload` and `locked` (set by the kernel) are accepted and not sent.
   */
  flags?: readonly string[];
  /**
   * `permanent`/`local` (the default), `static`/`temp`, or `dynamic` (ageing
   * out); or the `NUD_*` names a listed entry carries (`PERMANENT` is
   * permanent, `NOARP` static, others dynamic).
   */
  state?: FdbState | readonly string[];
  /** Remote IP address (VXLAN endpoint). */
  dst?: string;
  /**
   * The bridge, by index, as a listed entry carries it: its value is not
   * sent, but an entry with it and without `self` is the bridge's (`master`).
   */
  master?: number;
}

const SPEC_KEYS: readonly string[] = [
  "lladdr",
  "dev",
  "ifindex",
  "family",
  "flags",
  "state",
  "vlan",
  "dst",
  "port",
  "vni",
  "srcVni",
  "via",
  "viaIfindex",
  ...NEIGHBOUR_OUTPUT_ONLY,
];

const MOVED = { link: `did you mean "dev"? an FDB entry's device is dev` } as const;

/** The state a listed entry's `NUD_*` names stand for (`fdb_to_nud` in the kernel, reversed). */
function listedState(names: readonly string[]): number {
  if (names.includes("PERMANENT")) return FDB_STATES.permanent;
  if (names.includes("NOARP")) return FDB_STATES.static;
  if (names.every((n) => ["REACHABLE", "STALE", "DELAY", "PROBE", "NONE"].includes(n)) && names.length) {
    return FDB_STATES.dynamic;
  }
  throw new InvalidArgumentError(`Cannot use FDB state ${JSON.stringify(names)}: expected FDB state names`, "state");
}

// bridge/fdb.c: starts from NUD_NOARP; "dynamic" clears it; "permanent" is assumed when nothing else is said.
const FDB_STATES: Record<FdbState, number> = {
  permanent: NUD_NOARP | NUD_PERMANENT,
  local: NUD_NOARP | NUD_PERMANENT,
  static: NUD_NOARP | NUD_REACHABLE,
  temp: NUD_NOARP | NUD_REACHABLE,
  dynamic: NUD_REACHABLE,
};

const FDB_FLAGS: readonly string[] = ["self", "master", "router", "use", "extern_learn", "sticky"];
/** Flags the kernel sets: accepted from a listed entry, never sent. */
const KERNEL_FLAGS: readonly string[] = ["offload", "locked"];

/** A checked spec: the header values and the attributes, links still to resolve. */
interface CheckedFdb {
  state: number;
  flags: number;
  attrs: Attrs<typeof NDA_ATTRS>;
}

function checkFdb(spec: FdbSpec): CheckedFdb {
  checkMovedKeys(spec, SPEC_KEYS, "FDB spec", MOVED);
  if (spec.dev === undefined && spec.ifindex === undefined) {
    throw new InvalidArgumentError(`Cannot use FDB spec: "${spec.lladdr}" needs a device (dev)`, "dev");
  }
  if (spec.family !== undefined && familyNumber(spec.family) !== AF_BRIDGE) {
    throw new InvalidArgumentError(`Cannot use FDB family ${JSON.stringify(spec.family)}: expected bridge`, "family");
  }
  const all = spec.flags ?? [];
  if (!Array.isArray(all)) {
    throw new InvalidArgumentError(`Invalid FDB flags: "${String(all)}" (must be an array of names)`);
  }
  for (const n of all) {
    if (!FDB_FLAGS.includes(n) && !KERNEL_FLAGS.includes(n)) {
      throw new InvalidArgumentError(`Unknown FDB flag: "${n}" (one of ${FDB_FLAGS.join(", ")})`);
    }
  }
  const names = all.filter((n) => !KERNEL_FLAGS.includes(n));
  let flags = bitsOfNames(NTF_NAMES, names, "FDB flag");
  // A listed entry of the bridge's table says so by its NDA_MASTER only.
  if (!(flags & (NTF_SELF | NTF_MASTER))) flags |= spec.master !== undefined ? NTF_MASTER : NTF_SELF;
  // Deletes carry the state too: devices without an FDB of their own accept only permanent ones.
  const s = spec.state ?? "permanent";
  if (!Array.isArray(s) && !Object.hasOwn(FDB_STATES, s as string)) {
    throw new InvalidArgumentError(`Invalid FDB state: "${s}" (one of ${Object.keys(FDB_STATES).join(", ")})`);
  }
  const state = Array.isArray(s) ? listedState(s) : FDB_STATES[s as FdbState];
  if (spec.dst !== undefined) parseIp(String(spec.dst));
  // The numbers are checked by the policies of NDA_ATTRS.
  const { vlan, port, vni, srcVni, viaIfindex } = spec;
  const attrs = publicAttrs(NEIGHBOUR_MESSAGE.attrs, {
    lladdr: checkMac(spec.lladdr),
    dst: spec.dst,
    vlan,
    port,
    vni,
    srcVni,
    viaIfindex,
  });
  return { state, flags, attrs };
}

/** Builds the `RTM_NEWNEIGH`/`RTM_DELNEIGH` of an FDB change on link `index` (and `via` resolved to an index). */
export function fdbRequest(type: number, nlFlags: number, spec: FdbSpec, index: number, via?: number): Uint8Array {
  const c = checkFdb(spec);
  if (via !== undefined) c.attrs.ifindex = via;
  return new MessageBuilder(type, nlFlags)
    .struct(NDMSG, { family: AF_BRIDGE, ifindex: index, state: c.state, flags: c.flags })
    .attrs(NDA_ATTRS, c.attrs)
    .finish();
}

async function send(type: number, nlFlags: number, spec: FdbSpec, opts: RouteOptions): Promise<void> {
  checkFdb(spec);
  checkRouteOptions(opts, "FDB");
  await withRouteSocket(opts, async (s) => {
    const local = { socket: s };
    const index = await resolveLinkIndex(spec.dev ?? spec.ifindex!, local);
    const viaDev = spec.via ?? spec.viaIfindex;
    const via = viaDev === undefined ? undefined : await resolveLinkIndex(viaDev, local);
    await s.request(fdbRequest(type, nlFlags, spec, index, via));
  });
}

/** Adds a forwarding entry (`bridge fdb add`); `EEXIST` when it is there. */
export function addFdb(spec: FdbSpec, opts: RouteOptions = {}): Promise<void> {
  return send(RTM.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, spec, opts);
}

/** Adds a forwarding entry or overwrites the one there (`bridge fdb replace`). */
export function replaceFdb(spec: FdbSpec, opts: RouteOptions = {}): Promise<void> {
  return send(RTM.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, spec, opts);
}

/**
 * Appends a forwarding entry (`bridge fdb append`): VXLAN devices keep
 * several remotes for one MAC, e.g. the all-zero flood entry.
 */
export function appendFdb(spec: FdbSpec, opts: RouteOptions = {}): Promise<void> {
  return send(RTM.RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, spec, opts);
}

/** Deletes a forwarding entry (`bridge fdb del`); `ENOENT` when there is none. */
export function deleteFdb(spec: FdbSpec, opts: RouteOptions = {}): Promise<void> {
  return send(RTM.RTM_DELNEIGH, 0, spec, opts);
}
