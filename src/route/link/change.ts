/**
 * Creating, changing and deleting links, and their alternative names.
 * Every value is checked before anything is sent: a bad MTU, name, MAC
 * address or unknown link throws `InvalidArgumentError` naming it, and
 * kernel refusals are `NetlinkError`s.
 *
 * @example
 * ```ts ignore
 * import { changeLink, createLink, deleteLink } from "./change.ts";
 * await createLink({ kind: "veth", name: "v0", peer: { name: "v1", netns: "other" } }, { netns: "lab" });
 * await changeLink("v0", { up: true, mtu: 9000 }, { netns: "lab" });
 * await deleteLink("v0", { netns: "lab" });
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import type { Attrs, AttrTable } from "../../wire/table.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { type NetnsTarget, openNetns } from "../../netns/netns.ts";
import { loadSys } from "../../sys/load.ts";
import { type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import { IFLA_ATTRS, IFLA_INFO_ATTRS } from "./table.ts";
import { buildLinkRequest, checkLinkAttrs, encodeLinkRequest, linkRequestHeader } from "./_generated/table.ts";
import { KIND_SLAVE_DATA, linkKind, type LinkKindSpec } from "./kinds/registry.ts";
import { checkLinkIndex, checkLinkName, getLink, type Link, linkRef } from "./api.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { checkTarget, TARGET_KEYS } from "../../socket/target.ts";
import { FLAG_SETTINGS, type LinkUpdate, linkUpdateChanges } from "./update.ts";
import type { CreateOnlySettings, LinkChanges, LinkSettings } from "./types.ts";

export type { CreateOnlySettings, LinkChanges, LinkSettings } from "./types.ts";

/** What every new link is given whatever its kind: its name, and optional link and creation settings. */
export interface CreateLinkBase extends LinkSettings, CreateOnlySettings {
  /** The new link's name (`IFLA_IFNAME`). */
  name: string;
}

/** What {@link createLink} needs: a name, the kind (with its own settings), and optional settings. */
export type CreateLinkSpec = CreateLinkBase & LinkKindSpec;

/** Checks a link-layer address: 1 to 32 colon-separated two-digit hex octets. */
export function checkMac(address: string): string {
  if (typeof address !== "string" || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){0,31}$/.test(address)) {
    throw new InvalidArgumentError(`Invalid MAC address: "${address}"`);
  }
  return address.toLowerCase();
}

/** An index from a reference that the async layer has already resolved. */
function resolvedIndex(v: string | number, what: string): number {
  if (typeof v !== "number") {
    throw new InvalidArgumentError(`Unresolved ${what}: "${v}" (request builders take indexes)`);
  }
  return checkLinkIndex(v);
}

/** `IFLA_NET_NS_PID`/`IFLA_NET_NS_FD` for a pid or descriptor target (checked by their policies). */
function nsAttrs(t: NetnsTarget): Pick<Attrs<typeof IFLA_ATTRS>, "netnsPid" | "netnsFd"> {
  if (typeof t === "object" && "pid" in t) return { netnsPid: t.pid };
  if (typeof t === "object" && "fd" in t) return { netnsFd: t.fd };
  throw new InvalidArgumentError(
    `Unresolved namespace: "${JSON.stringify(t)}" (request builders take { pid } or { fd })`,
  );
}

/** The `ifi_flags`/`ifi_change` pair for the boolean settings given (others are left alone). */
export function linkFlagChange(v: LinkSettings): { flags: number; change: number } {
  let flags = 0;
  let change = 0;
  for (const [key, , bit, whenTrue] of FLAG_SETTINGS) {
    const on = v[key];
    if (on === undefined) continue;
    if (typeof on !== "boolean") throw new InvalidArgumentError(`Invalid ${key}: "${on}" (must be true or false)`);
    change |= bit;
    if (on === whenTrue) flags |= bit;
  }
  return { flags, change };
}

/** The common attributes, each checked by its policy in `IFLA_ATTRS` (MTU, names, queue counts, sizes, alias). */
function settingsAttrs(v: LinkSettings & CreateOnlySettings & { name?: string }): Attrs<typeof IFLA_ATTRS> {
  const mac = (m: string | undefined) => m === undefined ? undefined : checkMac(m);
  return checkLinkAttrs<Attrs<typeof IFLA_ATTRS>>({
    name: v.name,
    mtu: v.mtu,
    address: mac(v.address),
    broadcast: mac(v.broadcast),
    txqlen: v.txqlen,
    group: v.group,
    numTxQueues: v.numTxQueues,
    numRxQueues: v.numRxQueues,
    gsoMaxSize: v.gsoMaxSize,
    gsoMaxSegs: v.gsoMaxSegs,
    groMaxSize: v.groMaxSize,
    gsoIpv4MaxSize: v.gsoIpv4MaxSize,
    groIpv4MaxSize: v.groIpv4MaxSize,
    alias: v.alias,
    master: v.master === undefined ? undefined : v.master === null ? 0 : resolvedIndex(v.master, "master"),
    afSpec: v.addrGenMode === undefined && v.token === undefined
      ? undefined
      : { inet6: { addrGenMode: v.addrGenMode, token: v.token } },
    ...(v.netns === undefined ? {} : nsAttrs(v.netns)),
  });
}

/** A `RTM_NEWLINK` with the `ifinfomsg` of `head` (checked by the policies of `LINK_REQUEST.header`) and `attrs`. */
function newLink(
  flags: number,
  head: Record<string, number | undefined>,
  attrs: Attrs<typeof IFLA_ATTRS>,
): MessageBuilder {
  return encodeLinkRequest(new MessageBuilder(RTM.RTM_NEWLINK, flags), linkRequestHeader(head), attrs);
}

function linkinfo(
  b: MessageBuilder,
  kind: string | undefined,
  data: Record<string, unknown> | undefined,
  slave?: LinkChanges["slave"],
): void {
  b.nest(IFLA_ATTRS.linkinfo.type, (li) => {
    if (kind !== undefined) {
      li.string(IFLA_INFO_ATTRS.kind.type, kind);
      const k = linkKind(kind);
      const table = k?.data;
      if (data && !table) {
        throw new InvalidArgumentError(`Invalid data for link kind "${kind}" (nlkit has no table for it)`);
      }
      if (data && table) {
        // The builder writes only the keys its table knows: refuse the others rather than drop them.
        checkKeys(data, [...Object.keys(table), "unknown"], `${kind} data`);
        const prepared = k.prepare ? k.prepare(data) : data;
        li.nest(IFLA_INFO_ATTRS.data.type, (d) => d.attrs(table, prepared as Attrs<AttrTable>));
      }
    }
    if (slave) {
      const table = KIND_SLAVE_DATA[slave.kind];
      if (!table) throw new InvalidArgumentError(`Unknown slave kind: "${slave.kind}"`);
      checkKeys(slave.data, [...Object.keys(table), "unknown"], `${slave.kind} port data`);
      li.string(IFLA_INFO_ATTRS.slaveKind.type, slave.kind);
      li.nest(IFLA_INFO_ATTRS.slaveData.type, (d) => d.attrs(table, slave.data as Attrs<AttrTable>));
    }
  });
}

/**
 * Builds the `RTM_NEWLINK` that creates a link. Links and namespaces must
 * already be resolved: `master`/`parent` as indexes, `netns` as `{ pid }`
 * or `{ fd }` ({@link createLink} does this).
 */
export function createLinkRequest(spec: CreateLinkSpec): Uint8Array {
  const a = settingsAttrs(spec);
  const kind = linkKind(spec.kind);
  let data: Record<string, unknown> | undefined;
  if ("data" in spec && spec.data) data = spec.data as Record<string, unknown>;
  // A pair's far end is a whole link message inside the kind data.
  if ("peer" in spec && spec.peer) {
    if (!kind?.peerKey) {
      throw new InvalidArgumentError(`Invalid peer for link kind "${spec.kind}" (only pairs have one)`);
    }
    data = { [kind.peerKey]: { attrs: settingsAttrs(spec.peer) } };
  }
  if ("parent" in spec && spec.parent !== undefined) {
    const parent = resolvedIndex(spec.parent, "parent");
    // Tunnels name their underlay inside the kind data, not in IFLA_LINK.
    if (kind?.parentKey) data = { ...data, [kind.parentKey]: parent };
    else a.link = parent;
  }
  const b = newLink(NLM_F_CREATE | NLM_F_EXCL, { ...linkFlagChange(spec), index: spec.index }, a);
  linkinfo(b, spec.kind, data);
  return b.finish();
}

/** Builds the `RTM_NEWLINK` that changes link `index` (references resolved, as for {@link createLinkRequest}). */
export function changeLinkRequest(index: number, changes: LinkChanges): Uint8Array {
  if (changes.data !== undefined && changes.kind === undefined) {
    throw new InvalidArgumentError(`Missing kind for link data: "${JSON.stringify(changes.data)}"`);
  }
  for (const k of ["index", "numTxQueues", "numRxQueues"]) {
    if ((changes as Record<string, unknown>)[k] !== undefined) {
      throw new InvalidArgumentError(`Invalid change: "${k}" (only a new link takes it)`);
    }
  }
  const b = newLink(0, { index, ...linkFlagChange(changes) }, settingsAttrs(changes));
  if (changes.kind !== undefined || changes.slave) {
    linkinfo(b, changes.kind, changes.data as Record<string, unknown> | undefined, changes.slave);
  }
  return b.finish();
}

async function index(s: NetlinkSocket, nameOrIndex: string | number): Promise<number> {
  if (typeof nameOrIndex === "number") return checkLinkIndex(nameOrIndex);
  return (await getLink(nameOrIndex, { socket: s })).index;
}

const SETTINGS_KEYS = ["mtu", "address", "broadcast", "txqlen", "alias", "group", "gsoMaxSize", "gsoMaxSegs"]
  .concat([
    "groMaxSize",
    "gsoIpv4MaxSize",
    "groIpv4MaxSize",
    "up",
    "promisc",
    "arp",
    "multicast",
    "allmulticast",
    "master",
    "netns",
    "addrGenMode",
    "token",
  ]);
// Creation-only keys pass here so changeLinkRequest can say why they are refused.
const CHANGE_KEYS = SETTINGS_KEYS.concat(["name", "kind", "data", "slave", "index", "numTxQueues", "numRxQueues"]);
const CREATE_KEYS = SETTINGS_KEYS.concat([
  "name",
  "kind",
  "data",
  "peer",
  "parent",
  "index",
  "numTxQueues",
  "numRxQueues",
]);

/**
 * Resolves link names to indexes and named namespaces to descriptors
 * (pushed on `fds` for closing), leaving everything else as given.
 */
async function resolveRefs<T extends LinkSettings & { parent?: string | number }>(
  s: NetlinkSocket,
  v: T,
  fds: number[],
): Promise<T> {
  const out = { ...v };
  if (typeof v.master === "string") out.master = await index(s, v.master);
  if (typeof v.parent === "string") out.parent = await index(s, v.parent);
  const t = v.netns;
  if (t !== undefined && !(typeof t === "object" && ("pid" in t || "fd" in t))) {
    const { fd } = openNetns(await loadSys(), t);
    fds.push(fd);
    out.netns = { fd };
  }
  return out;
}

async function closeFds(fds: number[]): Promise<void> {
  if (fds.length === 0) return;
  const sys = await loadSys();
  for (const fd of fds) sys.close(fd);
}

/**
 * Creates a link. `netns` in the spec creates it in another namespace
 * (for veth, `peer.netns` places the peer); `opts.netns` is where the
 * request runs. The kernel ignores an alias in a creation request, so
 * `alias` is set by a change right after (and refused with `netns`). Resolves with the new link as the kernel reports it, or
 * `undefined` when it was created in another namespace.
 */
export async function createLink(spec: CreateLinkSpec, opts: RouteOptions = {}): Promise<Link | undefined> {
  checkKeys(spec, CREATE_KEYS, "link spec");
  if (spec.kind === "veth" && spec.peer) {
    checkKeys(spec.peer, ["name", "address", "mtu", "txqlen", "numTxQueues", "numRxQueues", "netns"], "veth peer");
  }
  checkTarget(opts, "createLink");
  checkLinkName(spec.name);
  if (spec.alias !== undefined && spec.netns !== undefined) {
    throw new InvalidArgumentError(
      `Cannot set alias "${spec.alias}" on a link created in another namespace: set it there with changeLink`,
      "alias",
    );
  }
  return await withRouteSocket(opts, async (s) => {
    const fds: number[] = [];
    try {
      const resolved = await resolveRefs(s, spec, fds);
      if ("peer" in resolved && resolved.peer) resolved.peer = await resolveRefs(s, resolved.peer, fds);
      await s.request(createLinkRequest(resolved));
    } finally {
      await closeFds(fds);
    }
    if (spec.netns !== undefined) return undefined;
    const link = await getLink(spec.name, { socket: s });
    if (spec.alias === undefined) return link;
    // The kernel ignores IFLA_IFALIAS in a creation request; only a change sets it.
    await s.request(changeLinkRequest(link.index, { alias: spec.alias }));
    return await getLink(link.index, { socket: s });
  });
}

/**
 * Changes a link: up/down, MTU, name, address, master (`null` = none),
 * namespace, txqlen, alias, group, flags and kind-specific `data`.
 *
 * Two forms:
 * - `changeLink(link, changes, opts?)`: the link by name, index or as
 *   listed, and the {@link LinkChanges} to make.
 * - `changeLink({ ...listed, mtu: 1400 }, opts?)`: one object, a listed
 *   link with fields changed. The link is found by `index`; the settings
 *   that differ from the link as the kernel has it now are applied (see
 *   {@link linkUpdateChanges}), fields that only report state
 *   ({@link LINK_OUTPUT_ONLY}) are ignored. A second argument with only
 *   option keys (`netns`, `socket`) is the options of this form: to move a
 *   listed link, put `netns` in the object or pass options as a third
 *   argument.
 */
export function changeLink(link: LinkUpdate, opts?: RouteOptions): Promise<void>;
/** Changes a link (by name, index or as listed) as `changes` says. */
export function changeLink(link: string | number | Link, changes: LinkChanges, opts?: RouteOptions): Promise<void>;
export async function changeLink(
  link: string | number | Link | LinkUpdate,
  second?: LinkChanges | RouteOptions,
  third?: RouteOptions,
): Promise<void> {
  if (isUpdateCall(link, second, third)) return await updateLink(link, second ?? {});
  const which = linkRef(link as string | number | Link);
  const changes = second as LinkChanges;
  const opts = third ?? {};
  checkKeys(changes, CHANGE_KEYS, "link changes");
  checkTarget(opts, "changeLink");
  return await withRouteSocket(opts, async (s) => applyChanges(s, await index(s, which), changes));
}

async function applyChanges(s: NetlinkSocket, idx: number, changes: LinkChanges): Promise<void> {
  const fds: number[] = [];
  try {
    await s.request(changeLinkRequest(idx, await resolveRefs(s, changes, fds)));
  } finally {
    await closeFds(fds);
  }
}

/** One object (a listed link) and, at most, options: the second form of {@link changeLink}. */
function isUpdateCall(
  link: unknown,
  second: unknown,
  third: unknown,
): link is LinkUpdate {
  if (typeof link !== "object" || link === null || third !== undefined) return false;
  return second === undefined ||
    (typeof second === "object" && second !== null && Object.keys(second).every((k) => TARGET_KEYS.includes(k)));
}

async function updateLink(link: LinkUpdate, opts: RouteOptions): Promise<void> {
  const which = linkRef(link as Link);
  checkTarget(opts, "changeLink");
  return await withRouteSocket(opts, async (s) => {
    const changes = linkUpdateChanges(link, await getLink(which, { socket: s }));
    if (Object.keys(changes).length > 0) await applyChanges(s, which as number, changes);
  });
}

/** Deletes a link (name, index, or a listed {@link Link} as it is); for a veth pair, both ends go. */
export async function deleteLink(link: string | number | Link, opts: RouteOptions = {}): Promise<void> {
  const which = linkRef(link);
  checkTarget(opts, "deleteLink");
  return await withRouteSocket(opts, async (s) => {
    const idx = await index(s, which);
    await s.request(buildLinkRequest(RTM.RTM_DELLINK, 0, { index: idx }, {}));
  });
}

/** Builds an `RTM_NEWLINKPROP`/`RTM_DELLINKPROP` adding or removing alternative names of link `idx`. */
export function altnameRequest(type: number, idx: number, names: readonly string[]): Uint8Array {
  if (names.length === 0) throw new InvalidArgumentError(`Invalid altnames: "" (need at least one name)`);
  const flags = type === RTM.RTM_NEWLINKPROP ? NLM_F_CREATE | NLM_F_EXCL : 0;
  return buildLinkRequest(type, flags, { index: idx }, { altnames: names });
}

function altnames(
  type: number,
  nameOrIndex: string | number,
  names: readonly string[],
  opts: RouteOptions,
): Promise<void> {
  checkTarget(opts, "an alternative-name change");
  return withRouteSocket(opts, async (s) => {
    const idx = await index(s, nameOrIndex);
    await s.request(altnameRequest(type, idx, names));
  });
}

/** Adds alternative names (up to 127 bytes each) to a link (`ip link property add altname`). */
export function addAltnames(
  nameOrIndex: string | number,
  names: readonly string[],
  opts: RouteOptions = {},
): Promise<void> {
  return altnames(RTM.RTM_NEWLINKPROP, nameOrIndex, names, opts);
}

/** Removes alternative names from a link (`ip link property del altname`). */
export function deleteAltnames(
  nameOrIndex: string | number,
  names: readonly string[],
  opts: RouteOptions = {},
): Promise<void> {
  return altnames(RTM.RTM_DELLINKPROP, nameOrIndex, names, opts);
}
