/**
 * Conntrack operations over ctnetlink: list (streaming or collected), get,
 * create, update, delete, flush and delete-by-filter. Each takes
 * `opts: { netns?, socket? }` last.
 *
 * @example
 * ```ts ignore
 * import { createConntrack, listConntrack } from "./ops.ts";
 * await createConntrack({ proto: "udp", orig: { src: "10.0.0.1", dst: "10.0.0.2", sport: 5353, dport: 53 }, timeout: 60 }, { netns: "lab" });
 * for await (const e of listConntrack({ family: "ipv4", filter: { proto: "udp" } }, { netns: "lab" })) console.log(e.orig);
 * ```
 *
 * @module
 */

import { AF_INET, AF_INET6, AF_UNSPEC } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { NFGENMSG, NFNL_SUBSYS_CTNETLINK, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { type ConntrackOptions, IPCTNL_MSG, streamConntrack, withConntrackSocket } from "./ctnetlink.ts";
import { type ConntrackAttrs, type ConntrackEntry, parseConntrackMessage } from "./entry.ts";
import { compileConntrackFilter, type ConntrackFilter } from "./filter.ts";
import { type ConntrackKey, type ConntrackSpec, keyAttrs, specAttrs } from "./spec.ts";
import { CTA_TABLE } from "./tables.ts";

/** What {@link listConntrack} dumps. */
export interface ListConntrackQuery {
  /** Families to dump; default `both`. */
  family?: "ipv4" | "ipv6" | "both";
  /** Zero the counters of the dumped entries (`IPCTNL_MSG_CT_GET_CTRZERO`, `conntrack -L -z`). */
  zero?: boolean;
  /** Only entries matching this filter (filtered in the kernel where it can, always in userspace). */
  filter?: ConntrackFilter;
}

const CT = (msg: number) => nfnlType(NFNL_SUBSYS_CTNETLINK, msg);
// Kernels without a filter attribute refuse it with one of these at dump start.
const FILTER_REFUSED = new Set(["EINVAL", "EOPNOTSUPP", "ENOTSUP"]);

function familyOf(query: ListConntrackQuery, filterFamily: number): number {
  const f = query.family ?? "both";
  if (f !== "ipv4" && f !== "ipv6" && f !== "both") {
    throw new TypeError(`Invalid family: "${f}" (must be ipv4, ipv6 or both)`);
  }
  const q = f === "ipv4" ? AF_INET : f === "ipv6" ? AF_INET6 : AF_UNSPEC;
  if (q && filterFamily && q !== filterFamily) {
    throw new TypeError(`Family "${f}" conflicts with the filter's addresses`);
  }
  return q || filterFamily;
}

function dumpRequest(type: number, family: number, attrs: ConntrackAttrs): Uint8Array {
  return nfnlMessage(type, 0, family).attrs(CTA_TABLE, attrs).finish();
}

async function* dumpOn(
  s: NetlinkSocket,
  query: ListConntrackQuery,
): AsyncGenerator<ConntrackEntry, void, undefined> {
  const f = compileConntrackFilter(query.filter);
  const family = familyOf(query, f.family);
  const type = CT(query.zero ? IPCTNL_MSG.IPCTNL_MSG_CT_GET_CTRZERO : IPCTNL_MSG.IPCTNL_MSG_CT_GET);
  const kernelFiltered = Object.keys(f.kernelAttrs).length > 0;
  let yielded = false;
  try {
    for await (const e of s.dump(dumpRequest(type, family, f.kernelAttrs), parseConntrackMessage)) {
      yielded = true;
      if (f.match(e)) yield e;
    }
  } catch (err) {
    if (yielded || !kernelFiltered || !(err instanceof NetlinkError) || !FILTER_REFUSED.has(err.code)) throw err;
    // An older kernel refused a filter attribute: dump the family and filter here.
    for await (const e of s.dump(dumpRequest(type, family, {}), parseConntrackMessage)) {
      if (f.match(e)) yield e;
    }
  }
}

/**
 * Streams conntrack entries (`conntrack -L`). The filter is validated
 * before anything is sent.
 */
export function listConntrack(
  query: ListConntrackQuery = {},
  opts: ConntrackOptions = {},
): AsyncGenerator<ConntrackEntry, void, undefined> {
  familyOf(query, compileConntrackFilter(query.filter).family); // validate before the stream starts
  return streamConntrack(opts, (s) => dumpOn(s, query));
}

/** Collects {@link listConntrack} into an array. */
export async function listConntrackAll(
  query: ListConntrackQuery = {},
  opts: ConntrackOptions = {},
): Promise<ConntrackEntry[]> {
  const out: ConntrackEntry[] = [];
  for await (const e of listConntrack(query, opts)) out.push(e);
  return out;
}

async function findById(s: NetlinkSocket, id: number): Promise<ConntrackEntry | undefined> {
  let found: ConntrackEntry | undefined;
  for await (const e of dumpOn(s, {})) if (e.id === id) found ??= e;
  return found;
}

function isEnoent(e: unknown): boolean {
  return e instanceof NetlinkError && e.code === "ENOENT";
}

/** Key attributes of an entry, so an operation hits that very entry (tuple, zone and id). */
export function entryKey(e: ConntrackEntry): ConntrackKey {
  return { proto: e.protoNum, orig: e.orig, zone: e.zone, id: e.id };
}

/**
 * Gets one entry by tuple (either direction, plus zone), or by id alone
 * (found in a dump). Resolves `undefined` when there is no such entry.
 */
export async function getConntrack(
  key: ConntrackKey,
  opts: ConntrackOptions = {},
): Promise<ConntrackEntry | undefined> {
  const k = keyAttrs(key);
  return await withConntrackSocket(opts, async (s) => {
    if (!k) return await findById(s, key.id!);
    try {
      const msg = nfnlMessage(CT(IPCTNL_MSG.IPCTNL_MSG_CT_GET), 0, k.family).attrs(CTA_TABLE, k.attrs).finish();
      const [e] = await s.request(msg, parseConntrackMessage);
      return e;
    } catch (e) {
      if (isEnoent(e)) return undefined;
      throw e;
    }
  });
}

/** Creates an entry (`conntrack -I`); the reply tuple defaults to the inverse of `orig`. EEXIST if it exists. */
export async function createConntrack(spec: ConntrackSpec, opts: ConntrackOptions = {}): Promise<void> {
  const { family, attrs } = specAttrs(spec, true);
  const msg = nfnlMessage(CT(IPCTNL_MSG.IPCTNL_MSG_CT_NEW), NLM_F_CREATE | NLM_F_EXCL, family)
    .attrs(CTA_TABLE, attrs).finish();
  return await withConntrackSocket(opts, async (s) => {
    await s.request(msg);
  });
}

/**
 * Changes an existing entry (`conntrack -U`): timeout, mark (with
 * `markMask`), status, TCP state, labels (with `labelsMask`). ENOENT if it
 * does not exist.
 */
export async function updateConntrack(spec: ConntrackSpec, opts: ConntrackOptions = {}): Promise<void> {
  const { family, attrs } = specAttrs(spec, false);
  const msg = nfnlMessage(CT(IPCTNL_MSG.IPCTNL_MSG_CT_NEW), 0, family).attrs(CTA_TABLE, attrs).finish();
  return await withConntrackSocket(opts, async (s) => {
    await s.request(msg);
  });
}

async function deleteOn(s: NetlinkSocket, family: number, attrs: ConntrackAttrs): Promise<boolean> {
  try {
    await s.request(nfnlMessage(CT(IPCTNL_MSG.IPCTNL_MSG_CT_DELETE), 0, family).attrs(CTA_TABLE, attrs).finish());
    return true;
  } catch (e) {
    if (isEnoent(e)) return false;
    throw e;
  }
}

/**
 * Deletes one entry by tuple (and id, when given: a different entry with
 * the same tuple is left alone), or by id alone. Resolves `false` when
 * there was no such entry.
 */
export async function deleteConntrack(key: ConntrackKey, opts: ConntrackOptions = {}): Promise<boolean> {
  const k = keyAttrs(key);
  return await withConntrackSocket(opts, async (s) => {
    if (k) return await deleteOn(s, k.family, k.attrs);
    const e = await findById(s, key.id!);
    if (!e) return false;
    const again = keyAttrs(entryKey(e))!;
    return await deleteOn(s, again.family, again.attrs);
  });
}

/** Deletes every entry (`conntrack -F`), or those of one family. */
export async function flushConntrack(
  query: { family?: "ipv4" | "ipv6" } = {},
  opts: ConntrackOptions = {},
): Promise<void> {
  const family = familyOf({ family: query.family ?? "both" }, 0);
  // nfgenmsg version 1 makes the kernel honour the family (version 0 flushes all).
  const msg = new MessageBuilder(CT(IPCTNL_MSG.IPCTNL_MSG_CT_DELETE), 0)
    .struct(NFGENMSG, { family, version: 1, resId: 0 }).finish();
  return await withConntrackSocket(opts, async (s) => {
    await s.request(msg);
  });
}

/**
 * Deletes the entries matching `filter` (`conntrack -D` with filters) and
 * resolves with how many were deleted. Each is deleted by tuple and id, so
 * an entry re-created under the same tuple meanwhile is kept; entries that
 * vanished meanwhile (ENOENT) are not counted.
 */
export async function deleteConntrackByFilter(filter: ConntrackFilter, opts: ConntrackOptions = {}): Promise<number> {
  compileConntrackFilter(filter);
  return await withConntrackSocket(opts, async (s) => {
    const victims: ConntrackEntry[] = [];
    for await (const e of dumpOn(s, { filter })) victims.push(e);
    let n = 0;
    for (const e of victims) {
      const k = keyAttrs(entryKey(e))!;
      if (await deleteOn(s, k.family, k.attrs)) n++;
    }
    return n;
  });
}
