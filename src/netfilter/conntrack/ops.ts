/**
 * Conntrack operations over ctnetlink: list (an array) and stream, get,
 * create, update, delete, flush and delete-by-filter. Each takes
 * `opts: { netns?, socket? }` last.
 *
 * @example
 * ```ts ignore
 * import { createConntrack, listConntrack } from "./ops.ts";
 * await createConntrack({ proto: "udp", orig: { src: "10.0.0.1", dst: "10.0.0.2", sport: 5353, dport: 53 }, timeout: 60 }, { netns: "lab" });
 * for (const e of await listConntrack({ family: "inet", proto: "udp" }, { netns: "lab" })) console.log(e.orig);
 * ```
 *
 * @module
 */

import { AF_UNSPEC } from "../../wire/addr.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { checkTarget } from "../../socket/target.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_ACK } from "../../wire/constants.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NetlinkError, NotFoundError } from "../../wire/netlink_error.ts";
import { NFGENMSG, NFNL_SUBSYS_CTNETLINK, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { BatchError } from "../../socket/errors.ts";
import { DumpStream } from "../../socket/dump_stream.ts";
import { type ConntrackOptions, CTNETLINK, IPCTNL_MSG, openConntrackSocket, withConntrackSocket } from "./ctnetlink.ts";
import { type ConntrackAttrs, type ConntrackEntry, parseConntrackMessage } from "./entry.ts";
import { compileConntrackFilter, CONNTRACK_FILTER_KEYS, type ConntrackFilter } from "./filter.ts";
import { type ConntrackKey, type ConntrackSpec, ctFamilyNumber, keyAttrs, knownKeys, specAttrs } from "./spec.ts";
import { buildCreateConntrack } from "./bulk.ts";
import { CTA_TABLE } from "./tables.ts";
import { conntrackCountOn } from "./stats.ts";

/**
 * A ctnetlink table: the main one, `dying` (entries already deleted or
 * timed out whose destroy event still waits for delivery to a listener with
 * reliable delivery, `conntrack -L dying`) or `unconfirmed` (entries of
 * packets not yet past the last hook, `conntrack -L unconfirmed`; current
 * kernels keep no such list and always answer with an empty dump).
 */
export type ConntrackTable = "conntrack" | "dying" | "unconfirmed";

/**
 * What {@link listConntrack} and {@link streamConntrack} return: the
 * entries matching a {@link ConntrackFilter} (every key of it applies), from
 * the main table or another one, optionally zeroing their counters.
 */
export interface ListConntrackFilter extends ConntrackFilter {
  /**
   * The table; default `conntrack`. The `dying` and `unconfirmed` dumps take
   * no filter attributes (the kernel checks only the family), so the filter
   * applies in userspace there, and `zero` is refused.
   */
  table?: ConntrackTable;
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
function specialTable(query: ListConntrackFilter): number | undefined {
  const t = query.table ?? "conntrack";
  if (t === "conntrack") return undefined;
  const msg = Object.hasOwn(SPECIAL_TABLES, t) ? SPECIAL_TABLES[t] : undefined;
  if (msg === undefined) {
    throw new InvalidArgumentError(`Invalid table: "${t}" (must be conntrack, dying or unconfirmed)`);
  }
  if (query.zero) throw new InvalidArgumentError(`Counters can't be zeroed in table "${t}" (only in conntrack)`);
  return msg;
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
 * their counters. Without `zero`, one plain {@link DumpStream}, opening its
 * own socket if needed: every layer of async iteration costs time per entry.
 */
function dumpOn(query: ListConntrackFilter, opts: ConntrackOptions): AsyncGenerator<ConntrackEntry, void, undefined> {
  if (query.zero === true) return zeroingDump(query, opts);
  const { table: _t, zero: _z, ...filter } = query;
  const f = compileConntrackFilter(filter);
  const special = specialTable(query);
  const type = CT(special ?? IPCTNL_MSG.IPCTNL_MSG_CT_GET);
  const attrs = special === undefined ? f.kernelAttrs : {};
  const filtered = Object.keys(attrs).length > 0;
  return new DumpStream<ConntrackEntry>(CTNETLINK, opts, () => ({
    request: dumpRequest(type, f.family, attrs),
    parse: parseConntrackMessage,
    // No filter key set: every entry matches, and a call per entry is saved.
    keep: Object.values(filter).every((v) => v === undefined) ? undefined : f.match,
    // An older kernel refused a filter attribute: dump the family and filter here.
    instead: (e) => filtered && filterRefused(e) ? dumpRequest(type, f.family, {}) : undefined,
  }));
}

function filterRefused(e: unknown): boolean {
  return e instanceof NetlinkError && FILTER_REFUSED.has(e.code);
}

/** {@link dumpOn} with `zero`, which may send a request per entry. */
async function* zeroingDump(
  query: ListConntrackFilter,
  opts: ConntrackOptions,
): AsyncGenerator<ConntrackEntry, void, undefined> {
  const { table: _t, zero: _z, ...filter } = query;
  const f = compileConntrackFilter(filter);
  const family = f.family;
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
        if (received || Object.keys(attrs).length === 0 || !filterRefused(err)) throw err;
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
  const [z] = await requestAt(s, IPCTNL_MSG.IPCTNL_MSG_CT_GET_CTRZERO, keyAttrs(entryKey(e))!) ?? [];
  if (!z) return false;
  // Only the counters: the reply's use count includes the request's own reference.
  if (z.counters) e.counters = z.counters;
  return true;
}

/** An entry's key attributes and family, as {@link keyAttrs} gives them. */
type KeyAttrs = { family: number; attrs: ConntrackAttrs };

/** The request `msg` for the entry at `k`. */
function keyMessage(msg: number, k: KeyAttrs, flags = 0): Uint8Array {
  return nfnlMessage(CT(msg), flags, k.family).attrs(CTA_TABLE, k.attrs).finish();
}

/** Sends `msg` for the entry at `k`: the entries replied, or `undefined` when there is none there (ENOENT). */
async function requestAt(s: NetlinkSocket, msg: number, k: KeyAttrs): Promise<ConntrackEntry[] | undefined> {
  try {
    return await s.request(keyMessage(msg, k), parseConntrackMessage);
  } catch (e) {
    if (isEnoent(e)) return undefined;
    throw e;
  }
}

/**
 * Runs `at` on the entry `key` names, at its key attributes; a key of an
 * id alone is looked up in a dump first (`undefined` when no entry has the
 * id), and answered by `found` from the dumped entry when given.
 */
async function onEntry<T>(
  what: string,
  key: ConntrackKey | ConntrackEntry,
  opts: ConntrackOptions,
  at: (s: NetlinkSocket, k: KeyAttrs) => Promise<T | undefined>,
  found?: (e: ConntrackEntry) => T,
): Promise<T | undefined> {
  checkTarget(opts, what);
  const k = keyAttrs(key);
  return await withConntrackSocket(opts, async (s) => {
    if (k) return await at(s, k);
    const e = await findById(s, key.id!);
    if (!e) return undefined;
    return found ? found(e) : await at(s, keyAttrs(entryKey(e))!);
  });
}

/**
 * Streams conntrack entries (`conntrack -L`), or those of the `dying` or
 * `unconfirmed` table (`conntrack -L dying`), in bounded memory. The filter
 * and options are validated before anything is sent.
 */
export function streamConntrack(
  filter: ListConntrackFilter = {},
  opts: ConntrackOptions = {},
): AsyncGenerator<ConntrackEntry, void, undefined> {
  checkListing(filter, opts);
  return dumpOn(filter, opts);
}

/**
 * A listing of a whole table (`conntrack -L`, no filter) with each reply
 * message handed to `parse` while its bytes are still in the receive
 * buffer, instead of parsed into a {@link ConntrackEntry}: a printer that
 * writes each line straight from the bytes (`conntrackLineWriter`) builds no
 * object per entry. `parse` borrows the message: one object, refilled for
 * each message, so it must keep nothing of it (copy what it needs). Values
 * are what `parse` returns, in order. A namespace whose entry count is 0
 * is listed without a dump (one count request instead).
 */
export function streamConntrackMessages<T>(
  table: ConntrackTable | undefined,
  parse: (m: NlMsg) => T,
  opts: ConntrackOptions = {},
): AsyncGenerator<T, void, undefined> {
  checkListing({ table }, opts);
  const special = specialTable({ table });
  const f = compileConntrackFilter({});
  const type = CT(special ?? IPCTNL_MSG.IPCTNL_MSG_CT_GET);
  const attrs = special === undefined ? f.kernelAttrs : {};
  return new DumpStream<T>(CTNETLINK, opts, async (s) => ({
    request: await isEmptyOn(s) ? [] : dumpRequest(type, f.family, attrs),
    parse,
    reuseMessage: true,
  }));
}

/**
 * Whether the namespace of `s` has no conntrack entry at all, counted or
 * not yet confirmed or dying (its count, one small request): a dump of an
 * empty table still walks the kernel's hash table, which every namespace
 * shares (~30 ms on a host holding 100,000 entries elsewhere). False when
 * the kernel has no count to give.
 */
async function isEmptyOn(s: NetlinkSocket): Promise<boolean> {
  try {
    return (await conntrackCountOn(s)).count === 0;
  } catch (e) {
    if (e instanceof NetlinkError) return false;
    throw e;
  }
}

function checkListing(filter: ListConntrackFilter, opts: ConntrackOptions): void {
  checkTarget(opts, "a conntrack listing");
  knownKeys(filter, [...CONNTRACK_FILTER_KEYS, "table", "zero"], "conntrack filter");
  if (filter.zero !== undefined && typeof filter.zero !== "boolean") {
    throw new InvalidArgumentError(`Cannot use zero ${JSON.stringify(filter.zero)}: expected true or false`, "zero");
  }
  const { table: _t, zero: _z, ...rest } = filter;
  compileConntrackFilter(rest);
  specialTable(filter);
}

/** Lists conntrack entries into an array (see {@link streamConntrack}). */
export async function listConntrack(
  filter: ListConntrackFilter = {},
  opts: ConntrackOptions = {},
): Promise<ConntrackEntry[]> {
  return await Array.fromAsync(streamConntrack(filter, opts));
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
 * (found in a dump); a listed entry is a key as it is. Throws
 * `NotFoundError` (`code` `ENOENT`) when there is no such entry.
 */
export async function getConntrack(
  key: ConntrackKey | ConntrackEntry,
  opts: ConntrackOptions = {},
): Promise<ConntrackEntry> {
  const e = await onEntry("getConntrack", key, opts, getOn, (dumped) => dumped);
  if (!e) throw notFound();
  return e;
}

/** The kernel's own refusal of a GET with no such entry (`ENOENT`), also for an id no dump found. */
function notFound(): NotFoundError {
  return new NotFoundError(2, {}, CT(IPCTNL_MSG.IPCTNL_MSG_CT_GET), "IPCTNL_MSG_CT_GET");
}

async function getOn(s: NetlinkSocket, k: KeyAttrs): Promise<ConntrackEntry | undefined> {
  return (await requestAt(s, IPCTNL_MSG.IPCTNL_MSG_CT_GET, k))?.[0];
}

/** Creates an entry (`conntrack -I`); the reply tuple defaults to the inverse of `orig`. EEXIST if it exists. */
export async function createConntrack(spec: ConntrackSpec, opts: ConntrackOptions = {}): Promise<void> {
  checkTarget(opts, "createConntrack");
  const msg = buildCreateConntrack(spec);
  return await withConntrackSocket(opts, async (s) => {
    await s.request(msg);
  });
}

/**
 * Changes an existing entry (`conntrack -U`): timeout, mark (with
 * `markMask`), status, TCP state, labels (with `labelsMask`). ENOENT if it
 * does not exist. A listed entry, changed or not, is a spec as it is.
 */
export async function updateConntrack(
  spec: ConntrackSpec | ConntrackEntry,
  opts: ConntrackOptions = {},
): Promise<void> {
  checkTarget(opts, "updateConntrack");
  const { family, attrs } = specAttrs(spec, false);
  const msg = nfnlMessage(CT(IPCTNL_MSG.IPCTNL_MSG_CT_NEW), 0, family).attrs(CTA_TABLE, attrs).finish();
  return await withConntrackSocket(opts, async (s) => {
    await s.request(msg);
  });
}

async function deleteOn(s: NetlinkSocket, k: KeyAttrs): Promise<boolean> {
  return (await requestAt(s, IPCTNL_MSG.IPCTNL_MSG_CT_DELETE, k)) !== undefined;
}

/**
 * Deletes one entry by tuple (and id, when given: a different entry with
 * the same tuple is left alone), or by id alone; a listed entry is a key as
 * it is. Resolves `false` when there was no such entry.
 */
export async function deleteConntrack(
  key: ConntrackKey | ConntrackEntry,
  opts: ConntrackOptions = {},
): Promise<boolean> {
  return await onEntry("deleteConntrack", key, opts, deleteOn) ?? false;
}

/** Which entries {@link flushConntrack} deletes: all, or those of one family. */
export interface FlushConntrackFilter {
  /** Only this family: `inet`, `inet6`, or the `AF_*` number. */
  family?: "inet" | "inet6" | number;
}

/** Deletes every entry (`conntrack -F`), or those of one family. */
export async function flushConntrack(
  filter: FlushConntrackFilter = {},
  opts: ConntrackOptions = {},
): Promise<void> {
  knownKeys(filter, ["family"], "conntrack flush filter");
  checkTarget(opts, "flushConntrack");
  const family = filter.family === undefined ? AF_UNSPEC : ctFamilyNumber(filter.family);
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
  checkTarget(opts, "deleteConntrackEntries");
  const own = opts.socket ? undefined : await openConntrackSocket(opts);
  const s = opts.socket ?? own!;
  try {
    // Collected before deleting: deleting while the dump runs would disturb it.
    const victims: ConntrackEntry[] = [];
    for await (const e of dumpOn(filter, { socket: s })) victims.push(e);
    if (f.mutable) {
      for (const e of victims) {
        const k = keyAttrs(entryKey(e))!;
        const now = await getOn(s, k);
        if (now && f.match(now) && await deleteOn(s, k)) yield e;
      }
      return;
    }
    // Nothing to re-check: the deletions go out in batches, many per datagram.
    for (let i = 0; i < victims.length; i += DELETE_BATCH) {
      const chunk = victims.slice(i, i + DELETE_BATCH);
      const gone = new Set<number>();
      try {
        await s.requestBatch(
          chunk.map((e) => keyMessage(IPCTNL_MSG.IPCTNL_MSG_CT_DELETE, keyAttrs(entryKey(e))!, NLM_F_ACK)),
        );
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
