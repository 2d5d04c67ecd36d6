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
 * import { createExpect, listExpectAll } from "./expect_ops.ts";
 * await createExpect({
 *   proto: "tcp",
 *   master: { src: "10.0.0.1", dst: "10.0.0.2", sport: 40000, dport: 21 },
 *   tuple: { src: "10.0.0.2", dst: "10.0.0.1", sport: 0, dport: 50000 },
 *   mask: { src: "255.255.255.255", dst: "255.255.255.255", sport: 0, dport: 65535 },
 *   timeout: 300,
 *   helper: "ftp",
 * }, { netns: "blue" });
 * console.log(await listExpectAll({ netns: "blue" }));
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { AF_INET, AF_INET6, AF_UNSPEC } from "../../wire/addr.ts";
import { NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import type { MessageBuilder } from "../../wire/builder.ts";
import { NFNL_SUBSYS_CTNETLINK_EXP, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import type { Attrs } from "../../wire/table.ts";
import { type NetlinkFamily, streamSocket, withSocket } from "../../socket/family.ts";
import { type ConntrackOptions, CTNETLINK } from "./ctnetlink.ts";
import { type ConntrackExpect, parseExpectMessage } from "./expect.ts";
import { CTA_EXPECT_TABLE, describeCtnlExp, IPCTNL_MSG_EXP } from "./expect_tables.ts";
import { checkInt, type ConntrackTupleSpec, protoNumber, tupleAttrs, tupleFamily } from "./spec.ts";
import type { CTA_TUPLE_TABLE } from "./tables.ts";

/** A tuple as given by the caller: addresses, the fields its protocol uses, and an optional zone. */
export interface ExpectTupleInput extends ConntrackTupleSpec {
  /** Zone of this tuple (`CTA_TUPLE_ZONE`). */
  zone?: number;
}

/** Expectation flag names. */
export type ExpectFlag = "PERMANENT" | "INACTIVE" | "USERSPACE";

/** Identifies an expectation: its expected tuple (and optionally its id and zone). */
export interface ExpectKey {
  /** Layer-3 family; taken from the addresses when left out. */
  family?: "ipv4" | "ipv6";
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
  /** NAT of the expected connection. */
  nat?: { dir: "original" | "reply"; tuple: ExpectTupleInput };
  /** Expectation function name (`nat-follow-master`). */
  fn?: string;
}

/** Filters of {@link listExpect}. */
export interface ListExpectOptions {
  /** Only this layer-3 family. */
  family?: "ipv4" | "ipv6";
  /** Stops the stream when aborted. */
  signal?: AbortSignal;
}

/** Builds a tuple's attributes, with the zone (which only expectations carry per tuple). */
function tuple(t: ExpectTupleInput, protoNum: number, family: number): Attrs<typeof CTA_TUPLE_TABLE> {
  const out: Attrs<typeof CTA_TUPLE_TABLE> = tupleAttrs(t, protoNum, family);
  if (t.zone !== undefined) out.zone = checkInt("tuple zone", t.zone, 0xffff);
  return out;
}

function familyOf(key: ExpectKey): number {
  const family = tupleFamily(key.tuple);
  if (key.family === undefined) return family;
  if (key.family !== "ipv4" && key.family !== "ipv6") {
    throw new InvalidArgumentError(`Invalid family: "${key.family}" (must be ipv4 or ipv6)`);
  }
  if ((key.family === "ipv4") !== (family === AF_INET)) {
    throw new InvalidArgumentError(`Address family of "${key.tuple.src}" does not match family "${key.family}"`);
  }
  return family;
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
  const family = familyOf(key);
  const protoNum = protoNumber(key.proto);
  const attrs: Attrs<typeof CTA_EXPECT_TABLE> = { tuple: tuple(key.tuple, protoNum, family) };
  if (key.id !== undefined) attrs.id = checkInt("expectation id", key.id, 0xffffffff);
  if (key.zone !== undefined) attrs.zone = checkInt("zone", key.zone, 0xffff);
  return { family, attrs };
}

/** The expectation subsystem as a family, so that refusals name its messages (`IPCTNL_MSG_EXP_NEW failed: ...`). */
export const CTNETLINK_EXP: NetlinkFamily = { ...CTNETLINK, describe: (r) => describeCtnlExp(r[4] | (r[5] << 8)) };

const FLAG_NAMES = new Set(["PERMANENT", "INACTIVE", "USERSPACE"]);

/** Builds the `IPCTNL_MSG_EXP_NEW` request for `spec` (validates it first). */
export function buildCreateExpect(spec: ExpectSpec): Uint8Array {
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
    if (spec.nat.dir !== "original" && spec.nat.dir !== "reply") {
      throw new InvalidArgumentError(`Invalid NAT direction: "${spec.nat.dir}" (must be original or reply)`);
    }
    attrs.nat = {
      dir: spec.nat.dir === "original" ? 0 : 1,
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
  await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg));
}

/** Reads one expectation by its expected tuple (`conntrack -G expect`); ENOENT if there is none. */
export async function getExpect(key: ExpectKey, opts: ConntrackOptions = {}): Promise<ConntrackExpect> {
  const { family, attrs } = keyAttrs(key);
  const msg = message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_GET, 0, family).attrs(CTA_EXPECT_TABLE, attrs).finish();
  const [x] = await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg, parseExpectMessage));
  return x;
}

/** Deletes one expectation by its expected tuple (`conntrack -D expect`). */
export async function deleteExpect(key: ExpectKey, opts: ConntrackOptions = {}): Promise<void> {
  const { family, attrs } = keyAttrs(key);
  const msg = message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_DELETE, 0, family).attrs(CTA_EXPECT_TABLE, attrs).finish();
  await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg));
}

/** Deletes every expectation a helper created (by helper name). */
export async function deleteExpectByHelper(helper: string, opts: ConntrackOptions = {}): Promise<void> {
  if (!helper) throw new InvalidArgumentError(`Invalid helper name: "${helper}"`);
  const msg = message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_DELETE, 0, AF_UNSPEC).string(6, helper).finish(); // CTA_EXPECT_HELP_NAME
  await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg));
}

/** Deletes all expectations (`conntrack -F expect`). */
export async function flushExpect(opts: ConntrackOptions = {}): Promise<void> {
  const msg = message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_DELETE, 0, AF_UNSPEC).finish();
  await withSocket(CTNETLINK_EXP, opts, (s) => s.request(msg));
}

function dumpRequest(filter: ListExpectOptions): Uint8Array {
  let family = AF_UNSPEC;
  if (filter.family === "ipv4") family = AF_INET;
  else if (filter.family === "ipv6") family = AF_INET6;
  else if (filter.family !== undefined) {
    throw new InvalidArgumentError(`Invalid family: "${filter.family}" (must be ipv4 or ipv6)`);
  }
  return message(IPCTNL_MSG_EXP.IPCTNL_MSG_EXP_GET, 0, family).finish();
}

/** Streams the expectation table (`conntrack -L expect`), one parsed expectation at a time. */
export function listExpect(
  filter: ListExpectOptions = {},
  opts: ConntrackOptions = {},
): AsyncGenerator<ConntrackExpect, void, undefined> {
  const msg = dumpRequest(filter);
  return streamSocket(CTNETLINK_EXP, opts, (s) => s.dump(msg, parseExpectMessage, { signal: filter.signal }));
}

/** Reads the whole expectation table into an array. */
export function listExpectAll(filter: ListExpectOptions = {}, opts: ConntrackOptions = {}): Promise<ConntrackExpect[]> {
  const msg = dumpRequest(filter);
  return withSocket(
    CTNETLINK_EXP,
    opts,
    (s) => s.dumpAll(msg, parseExpectMessage, { signal: filter.signal, retries: 2 }),
  );
}
