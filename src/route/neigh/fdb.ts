/**
 * Bridge forwarding database changes (`bridge fdb add/replace/del`):
 * `AF_BRIDGE` neighbour messages aimed at the device's own table
 * (`NTF_SELF`) or at its bridge's (`NTF_MASTER`). Listing lives with the
 * other neighbour dumps (`listFdb`, `streamFdb` in `neigh.ts`).
 *
 * @example
 * ```ts ignore
 * import { addFdb, deleteFdb } from "./fdb.ts";
 * await addFdb({ lladdr: "02:00:00:00:01:01", link: "d0", flags: ["master"], state: "static", vlan: 10 }, { netns: "lab" });
 * await addFdb({ lladdr: "00:00:00:00:00:00", link: "vx0", dst: "192.0.2.1", vni: 42 }, { netns: "lab" }); // VXLAN flood
 * await deleteFdb({ lladdr: "02:00:00:00:01:01", link: "d0", flags: ["master"], vlan: 10 }, { netns: "lab" });
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { AF_BRIDGE, parseIp } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { type Attrs, bitsOfNames } from "../../wire/table.ts";
import { checkMac } from "../link/change.ts";
import { resolveLinkIndex } from "../link/api.ts";
import { NDA_ATTRS, NDMSG, NTF_MASTER, NTF_NAMES, NTF_SELF, NUD_NOARP, NUD_PERMANENT, NUD_REACHABLE } from "./table.ts";
import { type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";

/** Kinds of FDB entry, named as `bridge fdb add` takes them. */
export type FdbState = "permanent" | "local" | "static" | "temp" | "dynamic";

/** A bridge forwarding entry to add, replace or delete. */
export interface FdbSpec {
  /** The MAC address (`00:00:00:00:00:00` is the VXLAN default destination). */
  lladdr: string;
  /** The bridge port, or the device (VXLAN, macvlan...) for `self` entries: name or index. */
  link: string | number;
  /**
   * `NTF_*` flag names: `self` (the device's own table; the default when
   * neither `self` nor `master` is given, as in `bridge fdb`), `master`
   * (the bridge's table), `router`, `use`, `extern_learn`, `sticky`.
   */
  flags?: readonly string[];
  /** `permanent`/`local` (the default), `static`/`temp`, or `dynamic` (ageing out). */
  state?: FdbState;
  /** VLAN id, 1 to 4094. */
  vlan?: number;
  /** Remote IP address (VXLAN endpoint). */
  dst?: string;
  /** Remote UDP port (VXLAN). */
  port?: number;
  /** VXLAN network id. */
  vni?: number;
  /** Source VNI (VXLAN collect-metadata devices). */
  srcVni?: number;
  /** Device to reach the remote through (`via`), by name or index. */
  via?: string | number;
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

function checkRange(what: string, v: number | undefined, min: number, max: number): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) {
    throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be ${min} to ${max})`);
  }
  return v;
}

/** A checked spec: the header values and the attributes, links still to resolve. */
interface CheckedFdb {
  state: number;
  flags: number;
  attrs: Attrs<typeof NDA_ATTRS>;
}

function checkFdb(spec: FdbSpec): CheckedFdb {
  if (typeof spec !== "object" || spec === null) throw new InvalidArgumentError(`Invalid FDB entry: "${String(spec)}"`);
  if (spec.link === undefined) throw new InvalidArgumentError(`FDB entry "${spec.lladdr}" needs a link`);
  const names = spec.flags ?? [];
  if (!Array.isArray(names)) {
    throw new InvalidArgumentError(`Invalid FDB flags: "${String(names)}" (must be an array of names)`);
  }
  for (const n of names) {
    if (!FDB_FLAGS.includes(n)) {
      throw new InvalidArgumentError(`Unknown FDB flag: "${n}" (one of ${FDB_FLAGS.join(", ")})`);
    }
  }
  let flags = bitsOfNames(NTF_NAMES, names, "FDB flag");
  if (!(flags & (NTF_SELF | NTF_MASTER))) flags |= NTF_SELF;
  // Deletes carry the state too: devices without an FDB of their own accept only permanent ones.
  const s = spec.state ?? "permanent";
  if (!Object.hasOwn(FDB_STATES, s)) {
    throw new InvalidArgumentError(`Invalid FDB state: "${s}" (one of ${Object.keys(FDB_STATES).join(", ")})`);
  }
  const attrs: Attrs<typeof NDA_ATTRS> = { lladdr: checkMac(spec.lladdr) };
  if (spec.dst !== undefined) {
    parseIp(String(spec.dst));
    attrs.dst = spec.dst;
  }
  attrs.vlan = checkRange("VLAN id", spec.vlan, 1, 4094);
  attrs.port = checkRange("port", spec.port, 0, 65535);
  attrs.vni = checkRange("VNI", spec.vni, 0, 0xffffff);
  attrs.srcVni = checkRange("source VNI", spec.srcVni, 0, 0xffffff);
  return { state: FDB_STATES[s], flags, attrs };
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
  await withRouteSocket(opts, async (s) => {
    const local = { socket: s };
    const index = await resolveLinkIndex(spec.link, local);
    const via = spec.via === undefined ? undefined : await resolveLinkIndex(spec.via, local);
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
