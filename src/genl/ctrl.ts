/**
 * The generic netlink controller: list the families the kernel offers and
 * resolve one by name into its id, version, operations and multicast
 * groups, cached per socket.
 *
 * @example
 * ```ts ignore
 * import { getGenericFamily, listGenericFamilies } from "./ctrl.ts";
 * for (const f of await listGenericFamilies()) console.log(f.name, f.id);
 * const ethtool = await getGenericFamily("ethtool");
 * console.log(ethtool.groups.find((g) => g.name === "monitor")?.id);
 * ```
 *
 * @module
 */

import type { NetnsTarget } from "../netns/netns.ts";
import { NetlinkSocket } from "../socket/socket.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { NETLINK_GENERIC } from "../wire/constants.ts";
import { TruncatedError } from "../wire/errors.ts";
import { CTRL_ATTRS, CTRL_CMD, GENL_HDRLEN, GENL_ID_CTRL, GENL_OP_FLAGS, GENLMSGHDR } from "../wire/genetlink.ts";
import { checkKeys, InvalidArgumentError } from "../wire/invalid.ts";
import { type NlMsg, payloadOf } from "../wire/message.ts";
import { bitNames, parseAttrs, type RawAttr } from "../wire/table.ts";

/** One operation (command) of a family. */
export interface GenericOperation {
  /** Command number. */
  id: number;
  /** `GENL_*` flag bits as the kernel sent them. */
  flagBits: number;
  /** The same flags by name: `admin-perm`, `do`, `dump`, `has-policy`, `uns-admin-perm`. */
  flags: string[];
}

/** One multicast group of a family. */
export interface GenericGroup {
  /** Group name (`monitor`, `events`, ...). */
  name: string;
  /** Group id, for `NETLINK_ADD_MEMBERSHIP`. */
  id: number;
}

/** A generic netlink family as the controller describes it. */
export interface GenericFamily {
  /** Family name (`nlctrl`, `ethtool`, `wireguard`, ...). */
  name: string;
  /** Family id: the netlink message type of its requests. */
  id: number;
  /** Family version, for `genlmsghdr.version`. */
  version: number;
  /** Size of the family's own header after `genlmsghdr`. */
  hdrsize: number;
  /** Highest attribute number. */
  maxattr: number;
  /** Operations, in the kernel's order. */
  ops: GenericOperation[];
  /** Multicast groups. */
  groups: GenericGroup[];
  /** Attributes this version does not know, kept raw. */
  unknown?: RawAttr[];
}

/** Where a controller request runs: a namespace, or a generic netlink socket the caller owns. */
export interface GenericOptions {
  /** Run inside this network namespace. */
  netns?: NetnsTarget;
  /** Use this open `NETLINK_GENERIC` socket instead of opening one. */
  socket?: NetlinkSocket;
}

/** Names a controller request for error texts; the command is in the payload, so messages are named by type. */
function describeCtrl(type: number): string {
  return type === GENL_ID_CTRL ? "nlctrl request" : `generic netlink family ${type}`;
}

/** Parses one `CTRL_CMD_NEWFAMILY` message. */
export function parseFamilyMessage(m: NlMsg): GenericFamily {
  const off = payloadOf(m);
  if (off + GENL_HDRLEN > m.end) throw new TruncatedError("genlmsghdr", off, GENL_HDRLEN, m.end - off);
  const a = parseAttrs(CTRL_ATTRS, m.buf, m.view, off + GENL_HDRLEN, m.end);
  const f: GenericFamily = {
    name: a.familyName ?? "",
    id: a.familyId ?? 0,
    version: a.version ?? 0,
    hdrsize: a.hdrsize ?? 0,
    maxattr: a.maxattr ?? 0,
    ops: (a.ops ?? []).map((o) => ({
      id: o.id ?? 0,
      flagBits: o.flags ?? 0,
      flags: bitNames(GENL_OP_FLAGS, o.flags ?? 0),
    })),
    groups: (a.mcastGroups ?? []).map((g) => ({ name: g.name ?? "", id: g.id ?? 0 })),
  };
  if (a.unknown) f.unknown = a.unknown;
  return f;
}

/** A `CTRL_CMD_GETFAMILY` request, for one family by name or id, or (neither) a dump. */
export function getFamilyRequest(which?: string | number): Uint8Array {
  const b = new MessageBuilder(GENL_ID_CTRL, 0).struct(GENLMSGHDR, { cmd: CTRL_CMD.CTRL_CMD_GETFAMILY, version: 1 });
  if (typeof which === "string") b.attrs(CTRL_ATTRS, { familyName: which });
  else if (typeof which === "number") b.attrs(CTRL_ATTRS, { familyId: which });
  return b.finish();
}

async function withGenericSocket<T>(opts: GenericOptions, fn: (s: NetlinkSocket) => Promise<T>): Promise<T> {
  checkKeys(opts, ["netns", "socket"], "generic netlink options");
  if (opts.socket) return await fn(opts.socket);
  const s = await NetlinkSocket.open(NETLINK_GENERIC, { netns: opts.netns, describe: describeCtrl });
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/** Lists every generic netlink family the kernel offers, in its order. */
export async function listGenericFamilies(opts: GenericOptions = {}): Promise<GenericFamily[]> {
  return await withGenericSocket(opts, (s) => s.dumpAll(getFamilyRequest(), parseFamilyMessage));
}

function checkWhich(which: string | number): string | number {
  if (typeof which === "string" && which.length > 0 && which.length < 16) return which;
  if (typeof which === "number" && Number.isInteger(which) && which > 0 && which <= 0xffff) return which;
  throw new InvalidArgumentError(
    `Cannot look up generic netlink family ${
      JSON.stringify(which)
    }: expected a name (1 to 15 bytes) or an id (1 to 65535)`,
    "family",
  );
}

/** Cached families per socket: ids do not change while a socket is open (a module unload is an `ENOENT` later). */
const CACHE = new WeakMap<NetlinkSocket, Map<string | number, GenericFamily>>();

/**
 * Fetches one family by name or id. On a caller's socket the answer is
 * cached for the socket's life. Fails with the kernel's `ENOENT` when no
 * such family is loaded.
 */
export async function getGenericFamily(which: string | number, opts: GenericOptions = {}): Promise<GenericFamily> {
  checkWhich(which);
  const cached = opts.socket ? CACHE.get(opts.socket)?.get(which) : undefined;
  if (cached) return cached;
  const f = await withGenericSocket(opts, async (s) => {
    const [fam] = await s.request(getFamilyRequest(which), parseFamilyMessage);
    return fam;
  });
  if (opts.socket) {
    let m = CACHE.get(opts.socket);
    if (!m) CACHE.set(opts.socket, m = new Map());
    m.set(f.name, f).set(f.id, f);
  }
  return f;
}

/** The id of a family's multicast group, for `NetlinkSocket.join()`. */
export async function resolveGenericGroup(family: string, group: string, opts: GenericOptions = {}): Promise<number> {
  const f = await getGenericFamily(family, opts);
  const g = f.groups.find((x) => x.name === group);
  if (!g) {
    throw new InvalidArgumentError(
      `Cannot find multicast group "${group}" of ${family}: it has ${f.groups.map((x) => x.name).join(", ") || "none"}`,
      "group",
    );
  }
  return g.id;
}
