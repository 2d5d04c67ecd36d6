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

import { InvalidArgumentError } from "../../errors.ts";
import { AF_INET, AF_INET6, AF_UNSPEC } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { NFGENMSG, NFNL_SUBSYS_CTNETLINK, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { BatchError } from "../../socket/errors.ts";
import { type ConntrackOptions, IPCTNL_MSG, openConntrackSocket, withConntrackSocket } from "./ctnetlink.ts";
import { type ConntrackAttrs, type ConntrackEntry, parseConntrackMessage } from "./entry.ts";
import { compileConntrackFilter, type ConntrackFilter } from "./filter.ts";
import { type ConntrackKey, type ConntrackSpec, keyAttrs, knownKeys, specAttrs } from "./spec.ts";
import { CTA_TABLE } from "./tables.ts";

/**
 * A ctnetlink table: the main one, `dying` (entries already deleted or
 * timed out whose destroy event still waits for delivery to a listener with
 * reliable delivery, `conntrack -L dying`) or `unconfirmed` (entries of
 * packets not yet past the last hook, `conntrack -L unconfirmed`; current
 * kernels keep no such list and always answer with an empty dump).
 */
export type ConntrackTable = "conntrack" | "dying" | "unconfirmed";

/** What {@link listConntrack} dumps. */
export interface ListConntrackQuery {
  /**
   * The table; default `conntrack`. The `dying` and `unconfirmed` dumps take
   * no filter attributes (the kernel checks only the family), so `filter`
   * applies in userspace there, and `zero` is refused.
   */
  table?: ConntrackTable;
  /** Families to dump; default `both`. */
  family?: "ipv4" | "ipv6" | "both";
  /**
   * Zero the counters of the listed entries (`IPCTNL_MSG_CT_GET_CTRZERO`,
   * `conntrack -L -z`); each entry reports the counters it had. Only
   * matching entries are zeroed: in the dump itself when the kernel does all
   * the filtering (`CompiledConntrackFilter.exact`), else with one request
   * per matching entry. (A kernel older than a filter attribute, such as
   * `CTA_FILTER` or the status filter, ignores it silently, and would then
   * zero non-matching entries in the first case.)
   */
  zero?: boolean;
  /** Only entries matching this filter (filtered in the kernel where it can, always in userspace). */
  filter?: ConntrackFilter;
}

const CT = (msg: number) => nfnlType(NFNL_SUBSYS_CTNETLINK, msg);
// Deletions per batch: their acks must fit the receive buffer.
const DELETE_BATCH = 256;
// Kernels without a filter attribute refuse it with one of these at dump start.
const FILTER_REFUSED = new Set(["EINVAL", "EOPNOTSUPP", "ENOTSUP"]);

const SPECIAL_TABLES: { readonly [t: string]: number } = {
  dying: IPCTNL_MSG.IPCTNL_MSG_CT_GET_DYING,
  unconfirmed: IPCTNL_MSG.IPCTNL_MSG_CT_GET_UNCONFIRMED,
};

/** The dump message of a special table, `undefined` for the main one; throws on a bad table or `zero` there. */
function specialTable(query: ListConntrackQuery): number | undefined {
  const t = query.table ?? "conntrack";
  if (t === "conntrack") return undefined;
  const msg = Object.hasOwn(SPECIAL_TABLES, t) ? SPECIAL_TABLES[t] : undefined;
  if (msg === undefined) {
    throw new InvalidArgumentError(`Invalid table: "${t}" (must be conntrack, dying or unconfirmed)`);
  }
  if (query.zero) throw new InvalidArgumentError(`Counters can't be zeroed in table "${t}" (only in conntrack)`);
  return msg;
}

function familyOf(query: ListConntrackQuery, filterFamily: number): number {
  const f = query.family ?? "both";
  if (f !== "ipv4" && f !== "ipv6" && f !== "both") {
    throw new InvalidArgumentError(`Invalid family: "${f}" (must be ipv4, ipv6 or both)`);
  }
  const q = f === "ipv4" ? AF_INET : f === "ipv6" ? AF_INET6 : AF_UNSPEC;
  if (q && filterFamily && q !== filterFamily) {
    throw new InvalidArgumentError(`Family "${f}" conflicts with the filter's addresses`);
  }
  return q || filterFamily;
}

function dumpRequest(type: number, family: number, attrs: ConntrackAttrs): Uint8Array {
  return nfnlMessage(type, 0, family).attrs(CTA_TABLE, attrs).finish();
}

/**
 * The dump behind every list: kernel-side filter where the kernel has one,
 * the userspace matcher always. With `zero`, a dump with
 * `IPCTNL_MSG_CT_GET_CTRZERO` zeroes every entry the kernel sends, so it is
 * used only when the kernel does all the filtering; otherwise each matching
 * entry is zeroed on its own (a GET_CTRZERO by tuple and id) and reported
 * with the counters that request read, so entries the filter rejects keep
 * their counters. One generator, opening its own socket if needed: every
 * layer of async iteration costs time per entry.
 */
async function* dumpOn(
  query: ListConntrackQuery,
  opts: ConntrackOptions,
): AsyncGenerator<ConntrackEntry, void, undefined> {
  const f = compileConntrackFilter(query.filter);
  const family = familyOf(query, f.family);
  const special = specialTable(query);
  const own = opts.socket ? undefined : await openConntrackSocket(opts);
  const s = opts.socket ?? own!;
  let attrs = special === undefined ? f.kernelAttrs : {};
  let zeroInDump = query.zero === true && f.exact;
  try {
    for (;;) {
      const type = CT(
        special ?? (zeroInDump ? IPCTNL_MSG.IPCTNL_MSG_CT_GET_CTRZERO : IPCTNL_MSG.IPCTNL_MSG_CT_GET),
      );
      const zeroEach = query.zero === true && !zeroInDump;
      let received = false;
      try {
        for await (const e of s.dump(dumpRequest(type, family, attrs), parseConntrackMessage)) {
          received = true;
          if (!f.match(e)) continue;
          if (zeroEach && !(await zeroCounters(s, e))) continue;
          yield e;
        }
        return;
      } catch (err) {
        const refused = err instanceof NetlinkError && FILTER_REFUSED.has(err.code);
        if (received || Object.keys(attrs).length === 0 || !refused) throw err;
        // An older kernel refused a filter attribute: dump the family and filter here.
        attrs = {};
        zeroInDump = false;
      }
    }
  } finally {
    own?.close();
  }
}

/** Zeroes one entry's counters, moving the values read into `e`; false if it is gone. */
async function zeroCounters(s: NetlinkSocket, e: ConntrackEntry): Promise<boolean> {
  const k = keyAttrs(entryKey(e))!;
  const msg = nfnlMessage(CT(IPCTNL_MSG.IPCTNL_MSG_CT_GET_CTRZERO), 0, k.family).attrs(CTA_TABLE, k.attrs).finish();
  try {
    const [z] = await s.request(msg, parseConntrackMessage);
    if (!z) return false;
    // Only the counters: the reply's use count includes the request's own reference.
    if (z.counters) e.counters = z.counters;
    return true;
  } catch (err) {
    if (isEnoent(err)) return false;
    throw err;
  }
}

/**
 * Streams conntrack entries (`conntrack -L`), or those of the `dying` or
 * `unconfirmed` table (`conntrack -L dying`). The query is validated before
 * anything is sent.
 */
export function listConntrack(
  query: ListConntrackQuery = {},
  opts: ConntrackOptions = {},
): AsyncGenerator<ConntrackEntry, void, undefined> {
  // Validate before the stream starts.
  knownKeys(query, ["table", "family", "zero", "filter"], "conntrack query");
  familyOf(query, compileConntrackFilter(query.filter).family);
  specialTable(query);
  return dumpOn(query, opts);
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
  for await (const e of dumpOn({}, { socket: s })) if (e.id === id) found ??= e;
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
  return await withConntrackSocket(opts, (s) => k ? getOn(s, k.family, k.attrs) : findById(s, key.id!));
}

async function getOn(s: NetlinkSocket, family: number, attrs: ConntrackAttrs): Promise<ConntrackEntry | undefined> {
  try {
    const msg = nfnlMessage(CT(IPCTNL_MSG.IPCTNL_MSG_CT_GET), 0, family).attrs(CTA_TABLE, attrs).finish();
    const [e] = await s.request(msg, parseConntrackMessage);
    return e;
  } catch (e) {
    if (isEnoent(e)) return undefined;
    throw e;
  }
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
 * Deletes the entries matching `filter` (`conntrack -D` with filters),
 * yielding each entry deleted (as the dump read it) so a caller can print it as
 * `conntrack -D` does. The matching entries are found with a dump (filtered
 * in the kernel where that selects a superset), then each is deleted by
 * tuple, zone and id. Tuple, zone, protocol and family never change, so an
 * entry found under that tuple still matches them (even one re-created
 * meanwhile, which the id often cannot tell: the kernel derives it from the
 * object's address and tuple). When the filter also looks at fields that do
 * change (mark, status, labels, TCP state), each entry is read again just
 * before its deletion and kept if it no longer matches; the kernel has no
 * conditional delete, so what remains is the microseconds between that read
 * and the delete. Entries that vanished meanwhile (ENOENT) are skipped.
 */
export async function* deleteConntrackEntries(
  filter: ConntrackFilter,
  opts: ConntrackOptions = {},
): AsyncGenerator<ConntrackEntry, void, undefined> {
  const f = compileConntrackFilter(filter);
  const own = opts.socket ? undefined : await openConntrackSocket(opts);
  const s = opts.socket ?? own!;
  try {
    // Collected before deleting: deleting while the dump runs would disturb it.
    const victims: ConntrackEntry[] = [];
    for await (const e of dumpOn({ filter }, { socket: s })) victims.push(e);
    if (f.mutable) {
      for (const e of victims) {
        const k = keyAttrs(entryKey(e))!;
        const now = await getOn(s, k.family, k.attrs);
        if (now && f.match(now) && await deleteOn(s, k.family, k.attrs)) yield e;
      }
      return;
    }
    // Nothing to re-check: the deletions go out in batches, many per datagram.
    for (let i = 0; i < victims.length; i += DELETE_BATCH) {
      const chunk = victims.slice(i, i + DELETE_BATCH);
      const gone = new Set<number>();
      try {
        await s.requestBatch(chunk.map((e) => {
          const k = keyAttrs(entryKey(e))!;
          return nfnlMessage(CT(IPCTNL_MSG.IPCTNL_MSG_CT_DELETE), NLM_F_ACK, k.family).attrs(CTA_TABLE, k.attrs)
            .finish();
        }));
      } catch (err) {
        if (!(err instanceof BatchError)) throw err;
        for (const { index, error } of err.failures) {
          if (!isEnoent(error)) throw error;
          gone.add(index); // vanished meanwhile: not deleted by us
        }
      }
      for (let j = 0; j < chunk.length; j++) if (!gone.has(j)) yield chunk[j];
    }
  } finally {
    own?.close();
  }
}

/** {@link deleteConntrackEntries}, resolving with how many entries were deleted. */
export async function deleteConntrackByFilter(filter: ConntrackFilter, opts: ConntrackOptions = {}): Promise<number> {
  let n = 0;
  for await (const _ of deleteConntrackEntries(filter, opts)) n++;
  return n;
}
