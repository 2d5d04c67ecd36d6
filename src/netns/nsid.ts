/**
 * Namespace ids (nsid): the number by which one network namespace names
 * another (a veth peer's `link-netnsid`), over rtnetlink `RTM_*NSID`, and
 * which named namespace a process is in (`ip netns identify`, `ip netns
 * pids`), found by comparing namespace inodes as ip does.
 *
 * @example
 * ```ts ignore
 * import { getNsid, listNsids, setNsid } from "./nsid.ts";
 * await setNsid("other", 7, { netns: "lab" }); // inside lab, "other" is nsid 7
 * console.log(await getNsid("other", { netns: "lab" })); // 7
 * console.log(await listNsids({ netns: "lab" })); // [{ nsid: 7 }]
 * ```
 *
 * @module
 */

import { InvalidArgumentError, notFound } from "../errors.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { NLMSG_HDRLEN } from "../wire/constants.ts";
import { TruncatedError } from "../wire/errors.ts";
import type { NlMsg } from "../wire/message.ts";
import { parseAttrs } from "../wire/table.ts";
import { inodeOf, readDirNames } from "../sys/files.ts";
import { loadSys } from "../sys/load.ts";
import { listNetns, NETNS_RUN_DIR, type NetnsTarget, openNetns } from "./netns.ts";
import { DumpStream, type RouteOptions, RTM, withRouteSocket } from "../route/rtnl.ts";
import { checkKeys } from "../wire/invalid.ts";
import { checkTarget } from "../socket/target.ts";

const { RTM_NEWNSID, RTM_GETNSID } = RTM;

/** `NETNSA_*`: attributes of nsid messages (after a 4-byte `rtgenmsg`). */
export const NETNSA_ATTRS = {
  nsid: { type: 1, kind: "s32" },
  pid: { type: 2, kind: "u32" },
  fd: { type: 3, kind: "u32" },
  targetNsid: { type: 4, kind: "s32" },
  currentNsid: { type: 5, kind: "s32" },
} as const;

/** `struct rtgenmsg`, padded to 4 bytes. */
const RTGENMSG = { family: "u8", pad: "pad3" } as const;

/** One nsid the kernel reports: the id, and with `targetNsid` the id in the target namespace. */
export interface NsidEntry {
  /** The nsid (-1 when unassigned). */
  nsid: number;
  /** With a target namespace: the id of the same namespace as seen from the caller. */
  currentNsid?: number;
}

/** Parses an `RTM_NEWNSID`/`RTM_DELNSID` (a reply or an event). */
export function parseNsidMessage(m: NlMsg): NsidEntry {
  if (m.end - m.start < NLMSG_HDRLEN + 4) {
    throw new TruncatedError("rtgenmsg", m.start + NLMSG_HDRLEN, 4, m.end - m.start - NLMSG_HDRLEN);
  }
  const start = m.start + NLMSG_HDRLEN + 4;
  const a = parseAttrs(NETNSA_ATTRS, m.buf, m.view, start, m.end);
  const e: NsidEntry = { nsid: a.nsid ?? -1 };
  if (a.currentNsid !== undefined) e.currentNsid = a.currentNsid;
  return e;
}

function checkNsid(v: number | "auto"): number {
  if (v === "auto") return -1;
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
    throw new InvalidArgumentError(`Invalid nsid: "${v}" (must be 0 to 2147483647, or "auto")`);
  }
  return v;
}

/** Builds an nsid request about the namespace open as `fd`. */
export function nsidRequest(type: number, fd: number, nsid?: number): Uint8Array {
  const b = new MessageBuilder(type, 0).struct(RTGENMSG, {}).u(NETNSA_ATTRS.fd.type, "u32", fd);
  if (nsid !== undefined) b.u(NETNSA_ATTRS.nsid.type, "s32", nsid);
  return b.finish();
}

async function withTargetFd<T>(target: NetnsTarget, fn: (fd: number) => Promise<T>): Promise<T> {
  const sys = await loadSys();
  const { fd, owned } = openNetns(sys, target);
  try {
    return await fn(fd);
  } finally {
    if (owned) sys.close(fd);
  }
}

/**
 * The nsid by which the namespace of `opts.netns` (or the caller's) names
 * `target`, or `undefined` when it has none.
 */
export function getNsid(target: NetnsTarget, opts: RouteOptions = {}): Promise<number | undefined> {
  return withTargetFd(target, (fd) =>
    withRouteSocket(opts, async (s) => {
      const [e] = await s.request(nsidRequest(RTM_GETNSID, fd), parseNsidMessage);
      return e && e.nsid >= 0 ? e.nsid : undefined;
    }));
}

/**
 * Gives `target` an nsid inside the namespace of `opts.netns` (`ip netns set
 * NAME NSID`); `"auto"` lets the kernel pick. The kernel refuses (EEXIST) a
 * namespace that already has one, or an id in use.
 */
export async function setNsid(target: NetnsTarget, nsid: number | "auto", opts: RouteOptions = {}): Promise<void> {
  const id = checkNsid(nsid);
  return await withTargetFd(target, (fd) =>
    withRouteSocket(opts, async (s) => {
      await s.request(nsidRequest(RTM_NEWNSID, fd, id));
    }));
}

/** Which ids {@link listNsids} returns: all by default. */
export interface NsidFilter {
  /**
   * List the ids of the namespace that has this nsid (where the call runs)
   * instead; each entry then carries `currentNsid`, the same namespace's id here.
   */
  targetNsid?: number;
  /** Only this nsid. */
  nsid?: number;
}

/** Lists the nsids assigned in the namespace of `opts.netns` (`ip netns list-id [target-nsid N] [nsid N]`). */
export async function listNsids(filter: NsidFilter = {}, opts: RouteOptions = {}): Promise<NsidEntry[]> {
  checkKeys(filter, ["targetNsid", "nsid"], "nsid filter");
  checkTarget(opts, "listNsids", ["retries"]);
  const { targetNsid, nsid } = filter;
  const where = opts;
  const b = new MessageBuilder(RTM_GETNSID, 0).struct(RTGENMSG, {});
  if (nsid !== undefined) b.u(NETNSA_ATTRS.nsid.type, "s32", checkNsid(nsid));
  if (targetNsid !== undefined) b.u(NETNSA_ATTRS.targetNsid.type, "s32", checkNsid(targetNsid));
  const request = b.finish();
  if (nsid === undefined) {
    return await Array.fromAsync(new DumpStream(where, () => ({ request, parse: parseNsidMessage })));
  }
  // One id is a plain request; the kernel refuses an id nobody has (ENOENT).
  return await withRouteSocket(where, (s) => s.request(request, parseNsidMessage));
}

/**
 * The named namespaces (under `/run/netns`) that have an nsid in the
 * namespace of `opts.netns`, by nsid: how iproute2 turns `link-netnsid 3`
 * into `link-netns NAME`.
 */
export async function nsidNames(opts: RouteOptions = {}): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const name of listNetns()) {
    try {
      const id = await getNsid(name, opts);
      if (id !== undefined && !out.has(id)) out.set(id, name);
    } catch { /* gone meanwhile, or not a namespace: no name for it */ }
  }
  return out;
}

function checkPid(pid: number | "self"): string {
  if (pid === "self") return "self";
  if (!Number.isInteger(pid) || pid <= 0) throw new InvalidArgumentError(`Invalid pid: "${pid}"`);
  return String(pid);
}

/**
 * The names under `/run/netns` of the namespace process `pid` (default:
 * this one) is in, as `ip netns identify` finds them; empty when it has none.
 * With `opts.netns`, this process counts as inside that named namespace.
 * Throws when the process does not exist.
 */
export function identifyNetns(pid: number | "self" = "self", opts: { netns?: string } = {}): string[] {
  // "self" seen from inside a named namespace (`ip -n NAME netns identify`) is that namespace.
  const path = pid === "self" && opts.netns !== undefined
    ? `${NETNS_RUN_DIR}/${opts.netns}`
    : `/proc/${checkPid(pid)}/ns/net`;
  const want = inodeOf(path);
  if (want === undefined) {
    throw notFound(
      { kind: "process", key: pid },
      "identify network namespace",
      `Cannot open network namespace of process "${pid}"`,
      "ESRCH",
    );
  }
  return listNetns().filter((n) => inodeOf(`${NETNS_RUN_DIR}/${n}`) === want);
}

/** The processes inside a named namespace (`ip netns pids NAME`), in `/proc` order. */
export function netnsPids(name: string): number[] {
  const want = inodeOf(`${NETNS_RUN_DIR}/${name}`);
  if (want === undefined) {
    throw notFound(
      { kind: "network namespace", key: name },
      "list network namespace pids",
      `Cannot open network namespace "${name}"`,
    );
  }
  return readDirNames("/proc").filter((e) => /^\d+$/.test(e) && inodeOf(`/proc/${e}/ns/net`) === want).map(Number);
}
