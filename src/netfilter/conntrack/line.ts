/**
 * The `conntrack -L` line of a dump reply written straight from the
 * message's bytes into a {@link TextSink}: no entry object, no address
 * strings, no status array per line (a 100,000-entry listing made and
 * dropped all of those). Which attribute is which, and how long it must be,
 * comes from the `CTA_*` tables; the word choices come from `words.ts`,
 * shared with `writeConntrack`. A message this writer is not sure about
 * (an attribute it does not print, a duplicate, a malformed length, a
 * helper, labels, timestamps) goes through the reference path,
 * `writeConntrack(parseConntrackMessage(m))`, which also throws the typed
 * error for bad bytes; a property test holds the two to the same bytes.
 *
 * @module
 */

import { notInlined, noTopTier } from "../../sys/jit.ts";
import { PRINT_IP_PARTS, printIp } from "../../wire/addr.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { type NameMap, nameOf } from "../../wire/table.ts";
import { TextSink } from "../../wire/text_sink.ts";
import { parseConntrackMessage } from "./entry.ts";
import { type FormatConntrackOptions, writeConntrack } from "./format.ts";
import {
  CT_PROTO_NAMES,
  CTA_COUNTERS_TABLE,
  CTA_IP_TABLE,
  CTA_PROTO_TABLE,
  CTA_PROTOINFO_DCCP_TABLE,
  CTA_PROTOINFO_SCTP_TABLE,
  CTA_PROTOINFO_TABLE,
  CTA_PROTOINFO_TCP_TABLE,
  CTA_SEQADJ_TABLE,
  CTA_SYNPROXY_TABLE,
  CTA_TABLE,
  CTA_TUPLE_TABLE,
} from "./tables.ts";
import { greKeys, pad8, SEEN_REPLY, statusWord, TAIL_ICMP, TAIL_KEYS, TAIL_PORTS, tupleTail } from "./words.ts";

/** Fixed sizes of the scalar kinds the writer reads (a longer attribute is read from its start, as the parser does). */
const SIZES: { readonly [kind: string]: number } = { u8: 1, u16be: 2, u32be: 4, u64be: 8 };
const enc = new TextEncoder();

/**
 * One nest of a table as the writer reads it: each attribute type it
 * accepts maps to the slot of its public key (two types with one key, such
 * as `CTA_IP_V4_SRC` and `CTA_IP_V6_SRC`, share a slot, so both present is
 * a duplicate), with the minimum payload length (exact for addresses),
 * which for a number is also the size {@link num} reads.
 */
interface Nest {
  /**
   * By attribute type, all {@link find} needs of it in one load (0: not
   * accepted): slot + 1 in bits 0-7, minimum payload length in bits 8-15,
   * exact payload length (address width; 0: any from the minimum up) from bit 16.
   */
  info: Int32Array;
  /** Slot of each public key. */
  keys: { [key: string]: number };
  /** Slot positions found: `[start, end, number size]` per slot, reused. */
  at: Int32Array;
  /** The {@link find} that last filled each slot (a slot filled by an earlier one is absent now). */
  seen: Int32Array;
  /** The number of the last {@link find}. */
  stamp: number;
}

type Field = { readonly type: number; readonly kind: string; readonly key?: string; readonly width?: number };

/** The reader of a table's attributes, or of only those named in `only` (the others are declined). */
function nest(table: { readonly [name: string]: Field }, only?: readonly string[]): Nest {
  const fields = Object.entries(table).filter(([name]) => !only || only.includes(name));
  const size = Math.max(...fields.map(([, f]) => f.type)) + 1;
  const n: Nest = {
    info: new Int32Array(size),
    keys: {},
    at: new Int32Array(0),
    seen: new Int32Array(0),
    stamp: 0,
  };
  for (const [name, f] of fields) {
    const key = f.key ?? name;
    const bounds = f.kind === "ip" ? f.width! << 16 : f.kind in SIZES ? SIZES[f.kind] << 8 : 0;
    if (!bounds && f.kind !== "nested" && f.kind !== "struct") continue; // strings, bytes, codecs: declined
    n.info[f.type] = bounds | ((n.keys[key] ??= Object.keys(n.keys).length) + 1);
  }
  n.at = new Int32Array(3 * Object.keys(n.keys).length);
  n.seen = new Int32Array(Object.keys(n.keys).length);
  return n;
}

/** Starts a new {@link find} of `n`: no slot is found yet (stamps wrap before the Int32Array does). */
function nextStamp(n: Nest): number {
  if (n.stamp === 0x7fff_ffff) {
    n.seen.fill(0);
    n.stamp = 0;
  }
  return ++n.stamp;
}

/**
 * Finds the attributes of `view[start, end)` in `n.at`. False on anything
 * the writer leaves to the parser: an attribute it does not accept, a short
 * or overlong one, a duplicate, trailing bytes.
 */
function find(n: Nest, view: DataView, start: number, end: number): boolean {
  const info = n.info, at = n.at, seen = n.seen, stamp = nextStamp(n);
  let off = start;
  while (off + 4 <= end) {
    // Length and type in one read: the attribute header is two little-endian u16s.
    const head = view.getUint32(off, true);
    const len = head & 0xffff, type = (head >>> 16) & 0x3fff;
    const i = type < info.length ? info[type] : 0;
    if (i === 0 || len < 4 || off + len > end) return false;
    const k = (i & 0xff) - 1, size = len - 4, min = (i >> 8) & 0xff, width = i >> 16;
    if (seen[k] === stamp || (width ? size !== width : size < min)) return false;
    seen[k] = stamp;
    at[3 * k] = off + 4;
    at[3 * k + 1] = off + len;
    at[3 * k + 2] = min;
    off += (len + 3) & ~3;
  }
  return off >= end;
}

/** Whether slot `k` of `n` was found. */
function has(n: Nest, k: number): boolean {
  return n.seen[k] === n.stamp;
}

/** Finds the attributes of the nest in slot `k` of `parent` into `n`; absent, `n` is empty. */
function findIn(n: Nest, view: DataView, parent: Nest, k: number): boolean {
  if (has(parent, k)) return find(n, view, parent.at[3 * k], parent.at[3 * k + 1]);
  nextStamp(n);
  return true;
}

/**
 * The number in slot `k` of `n`, 0 when absent (the parser's default for
 * every number a line prints). The kinds a line reads are the big-endian
 * ones of `SIZES`, told apart by their size: no switch on the kind's name.
 */
function num(n: Nest, view: DataView, k: number): number {
  if (!has(n, k)) return 0;
  const off = n.at[3 * k], size = n.at[3 * k + 2];
  if (size === 4) return view.getUint32(off);
  if (size === 2) return view.getUint16(off);
  if (size === 1) return view.getUint8(off);
  return view.getUint32(off + 4) + view.getUint32(off) * 0x1_0000_0000;
}

// Only what a line prints, or what the writer checks as the parser would; the rest goes to the parser.
const TOP = nest(CTA_TABLE, [
  "tupleOrig",
  "tupleReply",
  "status",
  "protoinfo",
  "timeout",
  "mark",
  "countersOrig",
  "countersReply",
  "use",
  "id",
  "secmark",
  "zone",
  "synproxy",
  "seqAdjOrig",
  "seqAdjReply",
]);
const TUPLE = nest(CTA_TUPLE_TABLE);
const IP = nest(CTA_IP_TABLE);
const PROTO = nest(CTA_PROTO_TABLE);
const PROTOINFO = nest(CTA_PROTOINFO_TABLE);
/** A protocol-info nest with a state, and ` STATE` by state number (a u8) as bytes, encoded on first use. */
interface StateNest {
  nest: Nest;
  names: NameMap;
  key: number;
  words: (Uint8Array | undefined)[];
}
/** The protocol-info nests with a state, in the order a line prints them. */
const STATE_NESTS: readonly StateNest[] = [
  { nest: nest(CTA_PROTOINFO_TCP_TABLE), names: CTA_PROTOINFO_TCP_TABLE.state.names, key: PROTOINFO.keys.tcp },
  { nest: nest(CTA_PROTOINFO_SCTP_TABLE), names: CTA_PROTOINFO_SCTP_TABLE.state.names, key: PROTOINFO.keys.sctp },
  { nest: nest(CTA_PROTOINFO_DCCP_TABLE), names: CTA_PROTOINFO_DCCP_TABLE.state.names, key: PROTOINFO.keys.dccp },
].map((s) => ({ ...s, words: new Array(256) }));
const COUNTERS = nest(CTA_COUNTERS_TABLE);
const SEQADJ = nest(CTA_SEQADJ_TABLE);
/** Nests a line does not print, checked only (the kernel sends `CTA_SYNPROXY` with every entry). */
const UNPRINTED: readonly { nest: Nest; key: number }[] = [
  { nest: nest(CTA_SYNPROXY_TABLE), key: TOP.keys.synproxy },
  { nest: SEQADJ, key: TOP.keys["natSeqAdj.orig"] },
  { nest: SEQADJ, key: TOP.keys["natSeqAdj.reply"] },
];
const K = TOP.keys, T = TUPLE.keys, P = PROTO.keys, C = COUNTERS.keys;
const ORIG = K.orig, REPLY = K.reply;

// The words of a line as bytes, encoded once: copied, they cost less than w.ascii's check of each character.
const SRC = enc.encode(" src="),
  DST = enc.encode(" dst="),
  SPORT = enc.encode(" sport="),
  DPORT = enc.encode(" dport=");
const TYPE = enc.encode(" type="), CODE = enc.encode(" code=");
const PACKETS = enc.encode(" packets="), BYTES = enc.encode(" bytes="), UNREPLIED = enc.encode(" [UNREPLIED]");
const SPACE = enc.encode(" "),
  MARK = enc.encode(" mark="),
  SECMARK = enc.encode(" secmark="),
  ZONE = enc.encode(" zone=");
const USE = enc.encode(" use="), ID = enc.encode(" id="), ZONE_ORIG = enc.encode(" zone-orig=");
const ZONE_REPLY = enc.encode(" zone-reply=");
/** The start of a line by protocol number (a u8), encoded on first use: the name in 8 columns, a space, the number. */
const PROTO_HEADS: (Uint8Array | undefined)[] = new Array(256);
function protoHead(n: number): Uint8Array {
  const w = new TextSink(32);
  pad8(w, (CT_PROTO_NAMES as NameMap)[n] ?? "unknown");
  w.byte(32);
  w.uint(n);
  return w.buf.slice(0, w.at);
}
/** The status words ({@link statusWord}) as bytes. */
const STATUS_WORDS = new Map<string, Uint8Array>();

/** Writes the address in slot `k` of {@link IP}, if present. */
function address(w: TextSink, buf: Uint8Array, k: number): void {
  if (has(IP, k)) printIp(w, buf, IP.at[3 * k], IP.at[3 * k + 1] - IP.at[3 * k]);
}

/**
 * The words of the tuple nest in `top` slot `k` (absent: an empty tuple);
 * false to decline. `found`: {@link TUPLE} and {@link PROTO} already hold
 * this tuple's attributes (the original one, read first for its protocol).
 */
function tuple(w: TextSink, buf: Uint8Array, view: DataView, k: number, protoNum: number, found: boolean): boolean {
  if (!found && (!findIn(TUPLE, view, TOP, k) || !findIn(PROTO, view, TUPLE, T.proto))) return false;
  if (!findIn(IP, view, TUPLE, T.ip)) return false;
  w.bytes(SRC);
  address(w, buf, IP.keys.src);
  w.bytes(DST);
  address(w, buf, IP.keys.dst);
  const tail = tupleTail(protoNum);
  if (tail === TAIL_PORTS) {
    w.bytes(SPORT);
    w.uint(num(PROTO, view, P.sport));
    w.bytes(DPORT);
    w.uint(num(PROTO, view, P.dport));
  } else if (tail === TAIL_KEYS) w.ascii(greKeys(num(PROTO, view, P.sport), num(PROTO, view, P.dport)));
  else if (tail === TAIL_ICMP) {
    w.bytes(TYPE);
    w.uint(num(PROTO, view, P.icmpType));
    w.bytes(CODE);
    w.uint(num(PROTO, view, P.icmpCode));
    w.bytes(ID);
    w.uint(num(PROTO, view, P.icmpId));
  }
  return true;
}

/** ` zone-DIR=N` of the tuple just written, if it has a zone. */
function tupleZone(w: TextSink, view: DataView, word: Uint8Array): void {
  if (!has(TUPLE, T.zone)) return;
  w.bytes(word);
  w.uint(num(TUPLE, view, T.zone));
}

/** ` packets=… bytes=…` of the counters nest in `top` slot `k`, if present; false to decline. */
function counters(w: TextSink, view: DataView, k: number): boolean {
  if (!has(TOP, k)) return true;
  if (!findIn(COUNTERS, view, TOP, k)) return false;
  w.bytes(PACKETS);
  w.uint(num(COUNTERS, view, C.packets));
  w.bytes(BYTES);
  w.uint(num(COUNTERS, view, C.bytes));
  return true;
}

/** ` STATE` of each protocol-info nest present (TCP, SCTP, DCCP); false to decline. */
function states(w: TextSink, view: DataView): boolean {
  if (!findIn(PROTOINFO, view, TOP, K.protoinfo)) return false;
  for (let i = 0; i < STATE_NESTS.length; i++) {
    const { nest: n, names, key, words } = STATE_NESTS[i];
    if (!has(PROTOINFO, key)) continue;
    if (!findIn(n, view, PROTOINFO, key) || !has(n, n.keys.state)) return false;
    const v = num(n, view, n.keys.state);
    w.bytes(words[v] ??= enc.encode(` ${nameOf(names, v)}`));
  }
  return true;
}

/** A word and its number (` mark=3`) when `top` slot `k` is present. */
function word(w: TextSink, view: DataView, text: Uint8Array, k: number): void {
  if (!has(TOP, k)) return;
  w.bytes(text);
  w.uint(num(TOP, view, k));
}

/** The line of `m`, or false (with part of it possibly written) to leave it to the parser. */
function tryLine(w: TextSink, m: NlMsg, extended: boolean, id: boolean): boolean {
  const { buf, view } = m;
  const off = payloadOf(m);
  if (off + 4 > m.end || !find(TOP, view, off + 4, m.end)) return false;
  for (let i = 0; i < UNPRINTED.length; i++) {
    const { nest: n, key } = UNPRINTED[i];
    if (!findIn(n, view, TOP, key)) return false;
  }
  // The protocol number is the first tuple's in message order: take it from orig, first and complete.
  if (!has(TOP, ORIG) || (has(TOP, REPLY) && TOP.at[3 * REPLY] < TOP.at[3 * ORIG])) return false;
  if (!findIn(TUPLE, view, TOP, ORIG) || !has(TUPLE, T.proto) || !findIn(PROTO, view, TUPLE, T.proto)) return false;
  if (!has(PROTO, P.protoNum)) return false;
  const protoNum = num(PROTO, view, P.protoNum);
  if (extended) {
    const family = buf[off];
    if (family !== 2 && family !== 10) return false;
    pad8(w, family === 2 ? "ipv4" : "ipv6");
    w.byte(32);
    w.uint(family);
    w.byte(32);
  }
  w.bytes(PROTO_HEADS[protoNum] ??= protoHead(protoNum));
  word(w, view, SPACE, K.timeout);
  if (!states(w, view) || !tuple(w, buf, view, ORIG, protoNum, true)) return false;
  tupleZone(w, view, ZONE_ORIG);
  if (!counters(w, view, K["counters.orig"])) return false;
  const bits = num(TOP, view, K.statusBits);
  if (!(bits & SEEN_REPLY)) w.bytes(UNREPLIED);
  if (!tuple(w, buf, view, REPLY, protoNum, false)) return false;
  tupleZone(w, view, ZONE_REPLY);
  if (!counters(w, view, K["counters.reply"])) return false;
  const flag = statusWord(bits);
  if (flag !== undefined) {
    let b = STATUS_WORDS.get(flag);
    if (!b) STATUS_WORDS.set(flag, b = enc.encode(flag));
    w.bytes(b);
  }
  word(w, view, MARK, K.mark);
  word(w, view, SECMARK, K.secmark);
  word(w, view, ZONE, K.zone);
  word(w, view, USE, K.use);
  if (id) word(w, view, ID, K.id);
  return true;
}

/**
 * A printer of dump replies as `conntrack -L` lines (no newline) for the
 * line options `opts`: each line is written from the message's bytes when
 * the options and the message allow it, else through
 * `writeConntrack(w, parseConntrackMessage(m), opts)`, byte for byte the
 * same. Throws what the parser throws on bad bytes.
 */
export function conntrackLineWriter(opts: FormatConntrackOptions = {}): (w: TextSink, m: NlMsg) => void {
  const out = opts.output === undefined ? [] : typeof opts.output === "string" ? [opts.output] : opts.output;
  const fast = !opts.event && !opts.portid && out.every((o) => o === "extended" || o === "id");
  const extended = out.includes("extended"), id = out.includes("id");
  return (w, m) => {
    const mark = w.at;
    if (fast && tryLine(w, m, extended, id)) return;
    w.at = mark;
    writeConntrack(w, parseConntrackMessage(m), opts);
  };
}

/**
 * Keeps the functions a line runs through (this module's, `printIp`,
 * `readScalar`, the {@link TextSink} methods, `also` and the methods of
 * `protos`, the caller's own per-line ones) out of Bun's top JIT tier, for
 * a process that prints one listing and ends, whose FTL compiles would cost
 * more CPU than they save (see `noTopTier`). `parse`, the callback the
 * socket calls per message, is also kept from being inlined into the
 * socket's receive loop, which would carry the whole line path into that
 * loop's own FTL compile. Nothing on Deno.
 */
export function oneListingJit(parse: unknown, also: readonly unknown[] = [], protos: readonly object[] = []): void {
  notInlined([parse]);
  noTopTier([
    parse,
    ...also,
    tryLine,
    tuple,
    states,
    counters,
    word,
    tupleZone,
    address,
    find,
    findIn,
    has,
    num,
    nextStamp,
    printIp,
    ...PRINT_IP_PARTS,
    pad8,
  ], [TextSink.prototype, ...protos]);
}

/** The fast path alone, for tests: true when it wrote the line, false when it declined (`w` then as before). */
export function writeConntrackLineFast(w: TextSink, m: NlMsg, opts: FormatConntrackOptions = {}): boolean {
  const out = opts.output === undefined ? [] : typeof opts.output === "string" ? [opts.output] : opts.output;
  const mark = w.at;
  if (tryLine(w, m, out.includes("extended"), out.includes("id"))) return true;
  w.at = mark;
  return false;
}
