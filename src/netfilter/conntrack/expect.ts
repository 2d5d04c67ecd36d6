/**
 * The typed conntrack expectation, its parser, the `conntrack -L expect`
 * line format and JSON.
 *
 * @example
 * ```ts ignore
 * import { formatExpect, parseExpectMessage } from "./expect.ts";
 * for await (const x of sock.dump(msg, parseExpectMessage)) console.log(formatExpect(x));
 * ```
 *
 * @module
 */

import { MalformedError, TruncatedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { NFGENMSG } from "../../wire/nfnetlink.ts";
import { type Attrs, parseAttrs, parseStruct, type RawAttr, structSize } from "../../wire/table.ts";
import { conntrackFamilyText, protoName } from "./entry.ts";
import type { ConntrackTuple } from "./types.ts";
import type { CTA_TUPLE_TABLE } from "./tables.ts";
import { familyName } from "../../wire/family.ts";
import { CTA_EXPECT_TABLE } from "./expect_tables.ts";
import { type ConntrackTupleJson, tupleJson, tupleText } from "./format.ts";

/** A conntrack expectation: a connection the kernel expects because of a master one. */
export interface ConntrackExpect {
  /** Layer-3 family: `inet` (IPv4) or `inet6` (IPv6); another family's number as decimal text. */
  family: string;
  /** Layer-4 protocol name of the expected connection. */
  proto: string;
  /** Layer-4 protocol number of the expected connection. */
  protoNum: number;
  /** Original direction of the master connection. */
  master: ConntrackTuple;
  /** Layer-4 protocol number of the master connection. */
  masterProtoNum: number;
  /** The expected connection's tuple. */
  tuple: ConntrackTuple;
  /** Which bits of `tuple` must match (addresses as masks, ports 0 or 65535). */
  mask: ConntrackTuple;
  /** Seconds left before the expectation expires. */
  timeout?: number;
  /** Kernel id of the expectation. */
  id?: number;
  /** Name of the helper that created it. */
  helper?: string;
  /** Conntrack zone. */
  zone?: number;
  /** Flag names (`PERMANENT`, `INACTIVE`, `USERSPACE`). */
  flags: string[];
  /** Helper expectation class. */
  class?: number;
  /** NAT of the expected connection: direction (0 original, 1 reply) and tuple. */
  nat?: { dir: number; tuple: ConntrackTuple };
  /** Name of the function run when the expectation is met (`nat-follow-master`). */
  fn?: string;
  /** Attributes no table describes. */
  unknown?: RawAttr[];
  /** Attributes no table describes inside nested ones, by the path of table keys (`tuple.proto`). */
  unknownNested?: { [path: string]: RawAttr[] };
}

/** Turns a parsed tuple into a {@link ConntrackTuple}. */
export function tupleOf(t: Attrs<typeof CTA_TUPLE_TABLE>): ConntrackTuple {
  const ip = t.ip ?? {};
  const p = t.proto ?? {};
  const out: ConntrackTuple = { src: ip.v4Src ?? ip.v6Src ?? "", dst: ip.v4Dst ?? ip.v6Dst ?? "" };
  if (p.srcPort !== undefined) out.sport = p.srcPort;
  if (p.dstPort !== undefined) out.dport = p.dstPort;
  const id = p.icmpId ?? p.icmpv6Id, type = p.icmpType ?? p.icmpv6Type, code = p.icmpCode ?? p.icmpv6Code;
  if (type !== undefined) out.icmpType = type;
  if (code !== undefined) out.icmpCode = code;
  if (id !== undefined) out.icmpId = id;
  if (t.zone !== undefined) out.zone = t.zone;
  return out;
}

/**
 * Collects the `unknown` lists of the nests below parsed attributes `a`,
 * by the path of table keys (`tupleOrig.proto`); `undefined` when there are none.
 */
export function nestedUnknown(
  a: object,
  path = "",
  out?: { [path: string]: RawAttr[] },
): { [path: string]: RawAttr[] } | undefined {
  for (const key in a) {
    const v = (a as Record<string, unknown>)[key];
    // Nests parse to plain objects; values are numbers, strings, bigints, byte arrays or arrays.
    if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Uint8Array) continue;
    const p = path ? `${path}.${key}` : key;
    const u = (v as { unknown?: RawAttr[] }).unknown;
    if (u) (out ??= {})[p] = u;
    out = nestedUnknown(v, p, out);
  }
  return out;
}

/** Parsed top-level attributes of an expectation message. */
export type ExpectAttrs = Attrs<typeof CTA_EXPECT_TABLE>;

const HDR = structSize(NFGENMSG);

/** Builds a {@link ConntrackExpect} from parsed attributes and the `nfgenmsg` family. */
export function expectOf(a: ExpectAttrs, familyNum: number): ConntrackExpect {
  const protoNum = a.tuple?.proto?.num ?? 0;
  const x: ConntrackExpect = {
    family: familyName(familyNum),
    proto: protoName(protoNum),
    protoNum,
    master: tupleOf(a.master ?? {}),
    masterProtoNum: a.master?.proto?.num ?? protoNum,
    tuple: tupleOf(a.tuple ?? {}),
    mask: tupleOf(a.mask ?? {}),
    flags: a.flags ?? [],
  };
  if (a.timeout !== undefined) x.timeout = a.timeout;
  if (a.id !== undefined) x.id = a.id;
  if (a.helpName !== undefined) x.helper = a.helpName;
  if (a.zone !== undefined) x.zone = a.zone;
  if (a.class !== undefined) x.class = a.class;
  if (a.nat?.tuple) x.nat = { dir: a.nat.dir ?? 0, tuple: tupleOf(a.nat.tuple) };
  if (a.fn !== undefined) x.fn = a.fn;
  if (a.unknown) x.unknown = a.unknown;
  const nested = nestedUnknown(a);
  if (nested) x.unknownNested = nested;
  return x;
}

/**
 * Parses one expectation message (dump reply or event). Throws
 * `TruncatedError`/`MalformedError` on bytes that are not one.
 */
export function parseExpectMessage(m: NlMsg): ConntrackExpect {
  const off = payloadOf(m);
  if (off + HDR > m.end) throw new TruncatedError("nfgenmsg", off, HDR, m.end - off);
  const { family } = parseStruct(NFGENMSG, m.view, off, m.end);
  const a = parseAttrs(CTA_EXPECT_TABLE, m.buf, m.view, off + HDR, m.end);
  if (!a.tuple || !a.master) {
    throw new MalformedError("Expectation message has no CTA_EXPECT_TUPLE or CTA_EXPECT_MASTER", off);
  }
  return expectOf(a, family);
}

/** A tuple as conntrack-tools prints it, with `mask-`/`master-` address prefixes. */
function prefixed(t: ConntrackTuple, protoNum: number, prefix: string): string {
  const s = tupleText(t, protoNum);
  return prefix ? s.replace(/^src=/, `${prefix}-src=`).replace(" dst=", ` ${prefix}-dst=`) : s;
}

/** Options of {@link formatExpect}. */
export interface FormatExpectOptions {
  /** Prefix the line with `[NEW]`/`[DESTROY]` as `conntrack -E expect` does. */
  event?: "new" | "update" | "destroy";
}

/** Formats an expectation as `conntrack -L expect` prints it (one line, no newline). */
export function formatExpect(x: ConntrackExpect, opts: FormatExpectOptions = {}): string {
  let s = opts.event ? `${`[${opts.event.toUpperCase()}]`.padStart(9)} ` : "";
  s += `${x.timeout ?? 0} proto=${x.protoNum} `;
  s += prefixed(x.tuple, x.protoNum, "");
  s += prefixed(x.mask, x.protoNum, "mask");
  s += prefixed(x.master, x.masterProtoNum, "master");
  if (x.zone !== undefined) s += `zone=${x.zone} `;
  const flags = x.flags.filter((f) => f === "PERMANENT" || f === "INACTIVE" || f === "USERSPACE");
  if (flags.length) s += `${flags.join(",")} `;
  if (x.class !== undefined) s += `class=${x.class} `;
  if (x.helper !== undefined) s += `helper=${x.helper}`;
  return s.trimEnd();
}

/** JSON form of an expectation (snake_case keys, as conntrack-tools names the fields). */
export interface ExpectJson {
  /** Layer-3 family name. */
  family: string;
  /** Layer-4 protocol name of the expected connection. */
  proto: string;
  /** Layer-4 protocol number. */
  proto_num: number;
  /** Seconds left. */
  timeout?: number;
  /** The expected tuple. */
  tuple: ConntrackTupleJson;
  /** Which bits of the tuple must match. */
  mask: ConntrackTupleJson;
  /** Original direction of the master connection. */
  master: ConntrackTupleJson;
  /** Kernel id. */
  id?: number;
  /** Zone. */
  zone?: number;
  /** Flag names. */
  flags?: string[];
  /** Helper expectation class. */
  class?: number;
  /** Helper name. */
  helper?: string;
  /** NAT of the expected connection. */
  nat?: { dir: "original" | "reply"; tuple: ConntrackTupleJson };
  /** Expectation function name. */
  fn?: string;
}

/** An expectation as JSON, with the snake_case names conntrack-tools prints. */
export function expectToJson(x: ConntrackExpect): ExpectJson {
  const o: ExpectJson = {
    family: conntrackFamilyText(x.family),
    proto: x.proto,
    proto_num: x.protoNum,
    timeout: x.timeout,
    tuple: tupleJson(x.tuple),
    mask: tupleJson(x.mask),
    master: tupleJson(x.master),
  };
  if (x.id !== undefined) o.id = x.id;
  if (x.zone !== undefined) o.zone = x.zone;
  if (x.flags.length) o.flags = x.flags;
  if (x.class !== undefined) o.class = x.class;
  if (x.helper !== undefined) o.helper = x.helper;
  if (x.nat) o.nat = { dir: x.nat.dir === 0 ? "original" : "reply", tuple: tupleJson(x.nat.tuple) };
  if (x.fn !== undefined) o.fn = x.fn;
  return o;
}
