/**
 * Expectation operations (`conntrack -L/-G/-I/-D/-F expect`): list, get,
 * create, delete and flush.
 *
 * An expectation needs a master connection that has a helper attached
 * (create the master with a helper, e.g. `ftp`); the kernel refuses others
 * with `EOPNOTSUPP`. With a helper, the helper's policy sets the timeout.
 *
 * @example
 * ```ts ignore
 * import { createExpect, listExpect } from "./expect_ops.ts";
 * await createExpect({
 *   proto: "tcp",
 *   master: { src: "10.0.0.1", dst: "10.0.0.2", sport: 40000, dport: 21 },
 *   tuple: { src: "10.0.0.2", dst: "10.0.0.1", sport: 0, dport: 50000 },
 *   mask: { src: "255.255.255.255", dst: "255.255.255.255", sport: 0, dport: 65535 },
 *   timeout: 300,
 *   helper: "ftp",
 * }, { netns: "blue" });
 * console.log(await listExpect({}, { netns: "blue" }));
 * ```
 *
 * @module
 */

import { AF_INET, AF_UNSPEC } from "../../wire/addr.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { checkTarget } from "../../socket/target.ts";
import { NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import type { MessageBuilder } from "../../wire/builder.ts";
import { NFNL_SUBSYS_CTNETLINK_EXP, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import type { Attrs } from "../../wire/table.ts";
import { type NetlinkFamily, streamSocket, withSocket } from "../../socket/family.ts";
import { type ConntrackOptions, CTNETLINK } from "./ctnetlink.ts";
import { type ConntrackExpect, parseExpectMessage } from "./expect.ts";
import { CTA_EXPECT_TABLE, describeCtnlExp, IPCTNL_MSG_EXP } from "./expect_tables.ts";
import {
  checkInt,
  type ConntrackTupleSpec,
  ctFamilyNumber,
  knownKeys,
  protoNumber,
  tupleAttrs,
  tupleFamily,
} from "./spec.ts";
import type { CTA_TUPLE_TABLE } from "./tables.ts";

/** A tuple as given by the caller: addresses, the fields its protocol uses, and an optional zone. */
export interface ExpectTupleInput extends ConntrackTupleSpec {
  /** Zone of this tuple (`CTA_TUPLE_ZONE`). */
  zone?: number;
}

/** Expectation flag names. */
export type ExpectFlag = "PERMANENT" | "INACTIVE" | "USERSPACE";

/**
 * Identifies an expectation: its expected tuple (and optionally its id and
 * zone). A listed {@link ConntrackExpect} is a key as it is.
 */
export interface ExpectKey {
  /** Layer-3 family (`inet`, `inet6` or the `AF_*` number); taken from the addresses when left out. */
  family?: string | number;
  /** Layer-4 protocol of the expected connection: a name (`tcp`) or number. */
  proto: string | number;
  /** The expected tuple. */
  tuple: ExpectTupleInput;
  /** Kernel id; the kernel refuses with ENOENT when it does not match. */
  id?: number;
  /** Conntrack zone. */
  zone?: number;
}

/** An expectation to create. */
export interface ExpectSpec extends ExpectKey {
  /** Original direction of the master connection (which must exist and have a helper). */
  master: ExpectTupleInput;
  /** Layer-4 protocol of the master; defaults to `proto`. */
  masterProto?: string | number;
  /** Which bits of `tuple` must match; defaults to all of them (addresses and ports). */
  mask?: ExpectTupleInput;
  /** Lifetime in seconds (a helper's own policy takes precedence). */
  timeout: number;
  /** Helper name (`ftp`, `sip`, ...). */
  helper?: string;
  /** Flags; `USERSPACE` is set by the kernel only. */
  flags?: readonly ExpectFlag[];
  /** Helper expectation class. */
  class?: number;
  /** NAT of the expected connection: direction (`original`/`reply`, or 0/1 as listed) and tuple. */
  nat?: { dir: "original" | "reply" | number; tuple: ExpectTupleInput };
  /** Expectation function name (`nat-follow-master`). */
  fn?: string;
}

/** Which expectations {@link listExpect} and {@link streamExpect} return. */
export interface ListExpectFilter {
  /** Only this layer-3 family: `inet`, `inet6`, or the `AF_*` number. */
  family?: string | number;
  /** Stops the stream when aborted. */
  signal?: AbortSignal;
}

/** Builds a tuple's attributes, with the zone (which only expectations carry per tuple). */
function tuple(t: ExpectTupleInput, protoNum: number, family: number): Attrs<typeof CTA_TUPLE_TABLE> {
  const out: Attrs<typeof CTA_TUPLE_TABLE> = tupleAttrs(t, protoNum, family);
  if (t.zone !== undefined) out.zone = checkInt("tuple zone", t.zone, 0xffff);
  return out;
}

/**
 * Fields of a listed {@link ConntrackExpect} that only report state: a key
 * or a spec accepts them, so a listed expectation can be passed back as it
 * is, and ignores them.
 */
export const EXPECT_OUTPUT_ONLY: readonly string[] = ["protoNum", "masterProtoNum", "unknown", "unknownNested"];
const KEY_KEYS = ["family", "proto", "tuple", "id", "zone"];
const SPEC_KEYS = KEY_KEYS.concat([
  "master",
  "masterProto",
  "mask",
  "timeout",
  "helper",
  "flags",
  "class",
  "nat",
  "fn",
]);
const TUPLE_KEYS = ["src", "dst", "sport", "dport", "icmpId", "icmpType", "icmpCode", "zone"];

function checkExpect(x: ExpectKey | ExpectSpec, keys: readonly string[], what: string): void {
  knownKeys(x, keys.concat(EXPECT_OUTPUT_ONLY), what);
  const { tuple, master, mask, nat } = x as ExpectSpec;
  for (const t of [tuple, master, mask, nat?.tuple]) if (t) knownKeys(t, TUPLE_KEYS, `${what} tuple`);
  if (nat) knownKeys(nat, ["dir", "tuple"], `${what} NAT`);
}

function exactMask(family: number): ExpectTupleInput {
  return {
    src: family === AF_INET ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    dst: family === AF_INET ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    sport: 0xffff,
    dport: 0xffff,
    icmpId: 0xffff,
    icmpType: 0xff,
    icmpCode: 0xff,
  };
}

function keyAttrs(key: ExpectKey): { family: number; attrs: Attrs<typeof CTA_EXPECT_TABLE> } {
  if (!key.tuple) throw new InvalidArgumentError("Cannot use an expectation key without a tuple", "tuple");
  const family = tupleFamily(key.tuple, key.family);
  const protoNum = protoNumber(key.proto);
  const attrs: Attrs<typeof CTA_EXPECT_TABLE> = { tuple: tuple(key.tuple, protoNum, family) };
  if (key.id !== undefined) attrs.id = checkInt("expectation id", key.id, 0xffffffff);
  if (key.zone !== undefined) attrs.zone = checkInt("zone", key.zone, 0xffff);
  return { family, attrs };
}

/** The expectation subsystem as a family, so that refusals name its messages (`IPCTNL_MSG_EXP_NEW failed: ...`). */
export const CTNETLINK_EXP: NetlinkFamily = { ...CTNETLINK, describe: (r) => describeCtnlExp(r[4] | (r[5] << 8)) };

const FLAG_NAMES = new Set(["PERMANENT", "INACTIVE", "USERSPACE"]);
const NAT_DIRS: { readonly [d: string]: number } = { original: 0, reply: 1, 0: 0, 1: 1 };

/** Builds the `IPCTNL_MSG_EXP_NEW` request for `spec` (validates it first). */
export function buildCreateExpect(spec: ExpectSpec): Uint8Array {
  checkExpect(spec, SPEC_KEYS, "expectation spec");
  const { family, attrs } = keyAttrs(spec);
  const protoNum = attrs.tuple!.proto!.num!;
  const masterProto = spec.masterProto === undefined ? protoNum : protoNumber(spec.masterProto);
  if (spec.timeout === undefined) throw new InvalidArgumentError("Creating an expectation needs a timeout");
  attrs.timeout = checkInt("timeout", spec.timeout, 0xffffffff);
  for (const f of spec.flags ?? []) {
    if (!FLAG_NAMES.has(f)) throw new InvalidArgumentError(`Unknown expectation flag: "${f}"`);
  }
  attrs.master = tuple(spec.master, masterProto, family);
  attrs.mask = tuple(spec.mask ?? exactMask(family), protoNum, family);
  if (spec.helper !== undefined) attrs.helpName = spec.helper;
  if (spec.flags?.length) attrs.flags = [...spec.flags];
  if (spec.class !== undefined) attrs.class = checkInt("expectation class", spec.class, 0xffffffff);
  if (spec.nat) {
    // A listed expectation's NAT direction is the number the kernel sent (0 original, 1 reply).
    const dir = NAT_DIRS[String(spec.nat.dir)];
    if (dir === undefined) {
      throw new InvalidArgumentError(`Invalid NAT direction: "${spec.nat.dir}" (must be original, reply, 0 or 1)`);
    }
    attrs.nat = {
      dir,
      tuple: tuple(spec.nat.tuple, protoNum, family),
    };
  }
  if (spec.fn !== undefined) attrs.fn = spec.fn;
  return message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_NEW, NLM_F_CREATE | NLM_F_EXCL, family).attrs(CTA_EXPECT_TABLE, attrs)
    .finish();
}

function message(msg: number, flags: number, family: number): MessageBuilder {
  return nfnlMessage(nfnlType(NFNL_SUBSYS_CTNETLINK_EXP, msg), flags, family);
}

/** Creates an expectation (`conntrack -I expect`); EEXIST if its tuple is already expected. */
export async function createExpect(spec: ExpectSpec, opts: ConntrackOptions = {}): Promise<void> {
  const msg = buildCreateExpect(spec);
  checkTarget(opts, "createExpect");
  await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg));
}

/**
 * Reads one expectation by its expected tuple (`conntrack -G expect`); a
 * listed expectation is a key as it is. `NetlinkError` ENOENT if there is none.
 */
export async function getExpect(
  key: ExpectKey | ConntrackExpect,
  opts: ConntrackOptions = {},
): Promise<ConntrackExpect> {
  checkExpect(key, KEY_KEYS.concat(SPEC_KEYS), "expectation key");
  checkTarget(opts, "getExpect");
  const { family, attrs } = keyAttrs(key);
  const msg = message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_GET, 0, family).attrs(CTA_EXPECT_TABLE, attrs).finish();
  const [x] = await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg, parseExpectMessage));
  return x;
}

/** Deletes one expectation by its expected tuple (`conntrack -D expect`); a listed expectation is a key as it is. */
export async function deleteExpect(key: ExpectKey | ConntrackExpect, opts: ConntrackOptions = {}): Promise<void> {
  checkExpect(key, KEY_KEYS.concat(SPEC_KEYS), "expectation key");
  checkTarget(opts, "deleteExpect");
  const { family, attrs } = keyAttrs(key);
  const msg = message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_DELETE, 0, family).attrs(CTA_EXPECT_TABLE, attrs).finish();
  await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg));
}

/** Deletes every expectation a helper created (by helper name). */
export async function deleteExpectByHelper(helper: string, opts: ConntrackOptions = {}): Promise<void> {
  if (!helper || typeof helper !== "string") throw new InvalidArgumentError(`Invalid helper name: "${helper}"`);
  checkTarget(opts, "deleteExpectByHelper");
  const msg = message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_DELETE, 0, AF_UNSPEC).string(6, helper).finish(); // CTA_EXPECT_HELP_NAME
  await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg));
}

/** Deletes all expectations (`conntrack -F expect`). */
export async function flushExpect(opts: ConntrackOptions = {}): Promise<void> {
  checkTarget(opts, "flushExpect");
  const msg = message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_DELETE, 0, AF_UNSPEC).finish();
  await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg));
}

function dumpRequest(filter: ListExpectFilter, opts: ConntrackOptions): Uint8Array {
  knownKeys(filter, ["family", "signal"], "expectation filter");
  checkTarget(opts, "an expectation listing");
  const family = filter.family === undefined ? AF_UNSPEC : ctFamilyNumber(filter.family);
  return message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_GET, 0, family).finish();
}

/** Streams the expectation table (`conntrack -L expect`), one parsed expectation at a time. */
export function streamExpect(
  filter: ListExpectFilter = {},
  opts: ConntrackOptions = {},
): AsyncGenerator<ConntrackExpect, void, undefined> {
  const msg = dumpRequest(filter, opts);
  return streamSocket(CTNETLINK_EXP, opts, (s) => s.dump(msg, parseExpectMessage, { signal: filter.signal }));
}

/** Lists the expectation table (`conntrack -L expect`) into an array. */
export function listExpect(filter: ListExpectFilter = {}, opts: ConntrackOptions = {}): Promise<ConntrackExpect[]> {
  const msg = dumpRequest(filter, opts);
  return withSocket(
    CTNETLINK_EXP,
    opts,
    (s) => s.dumpAll(msg, parseExpectMessage, { signal: filter.signal, retries: 2 }),
  );
}
