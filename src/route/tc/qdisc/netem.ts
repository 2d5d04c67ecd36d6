/**
 * `netem`: network emulation: delay with jitter, random loss, duplication,
 * corruption, reordering, rate limiting and ECN marking. Distribution
 * tables, slots and loss state models are refused.
 *
 * @module
 */

import type { MessageBuilder } from "../../../wire/builder.ts";
import { forEachAttr, parseStruct } from "../../../wire/table.ts";
import type { QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { readU64 } from "../ratespec.ts";
import { formatRate, formatTime, parseRate, parseSize, parseTime, printfG, TICKS_PER_USEC } from "../units.ts";
import type { TcWords } from "../words.ts";

const TCA_NETEM_CORR = 1, TCA_NETEM_REORDER = 3, TCA_NETEM_CORRUPT = 4;
const TCA_NETEM_RATE = 6, TCA_NETEM_ECN = 7, TCA_NETEM_RATE64 = 8;
const QOPT = { latency: "u32", limit: "u32", loss: "u32", gap: "u32", duplicate: "u32", jitter: "u32" } as const;
const U32_MAX = 0xffffffff;

/** A probability (0 to 1) with an optional correlation (0 to 1). */
export interface NetemChance {
  /** Probability, 0 to 1. */
  probability: number;
  /** Correlation with the previous packet, 0 to 1. */
  correlation?: number;
}

/** netem options. Times are microseconds, rates bytes per second. */
export interface NetemOptions {
  /** Packets held (default 1000). */
  limit?: number;
  /** Added delay. */
  delay?: number;
  /** Random variation of the delay. */
  jitter?: number;
  /** Correlation of the delay, 0 to 1. */
  delayCorrelation?: number;
  /** Random loss. */
  loss?: NetemChance;
  /** Duplication. */
  duplicate?: NetemChance;
  /** Corruption. */
  corrupt?: NetemChance;
  /** Reordering (needs a delay). */
  reorder?: NetemChance;
  /** Reorder every Nth packet. */
  gap?: number;
  /** Rate limit with per-packet and per-cell overheads. */
  rate?: { rate: number; packetOverhead?: number; cellSize?: number; cellOverhead?: number };
  /** Mark ECN instead of dropping (needs loss). */
  ecn?: boolean;
}

// tc scales a fraction to a u32 with C's rint (ties to even).
const scaled = (p: number) => {
  const x = p * U32_MAX, r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
const ticks = (us: number) => Math.trunc(us * TICKS_PER_USEC) >>> 0;

function parse(_buf: Uint8Array, view: DataView, start: number, end: number): NetemOptions {
  const q = parseStruct(QOPT, view, start, end);
  const o: NetemOptions = { limit: q.limit };
  const frac = (v: number) => v / U32_MAX;
  if (q.latency) o.delay = Math.trunc(q.latency / TICKS_PER_USEC);
  if (q.jitter) o.jitter = Math.trunc(q.jitter / TICKS_PER_USEC);
  if (q.loss) o.loss = { probability: frac(q.loss) };
  if (q.duplicate) o.duplicate = { probability: frac(q.duplicate) };
  if (q.gap) o.gap = q.gap;
  let rate64: number | undefined;
  forEachAttr(view, start + 24, end, (t, s, e) => {
    switch (t & 0x3fff) {
      case TCA_NETEM_CORR: {
        const c = parseStruct({ delay: "u32", loss: "u32", dup: "u32" }, view, s, e);
        if (c.delay) o.delayCorrelation = frac(c.delay);
        if (o.loss && c.loss) o.loss.correlation = frac(c.loss);
        if (o.duplicate && c.dup) o.duplicate.correlation = frac(c.dup);
        break;
      }
      case TCA_NETEM_REORDER:
      case TCA_NETEM_CORRUPT: {
        const c = parseStruct({ p: "u32", c: "u32" }, view, s, e);
        const chance = { probability: frac(c.p), correlation: frac(c.c) };
        if ((t & 0x3fff) === TCA_NETEM_REORDER) o.reorder = chance;
        else o.corrupt = chance;
        break;
      }
      case TCA_NETEM_RATE: {
        const r = parseStruct({ rate: "u32", packetOverhead: "s32", cellSize: "u32", cellOverhead: "s32" }, view, s, e);
        o.rate = r;
        break;
      }
      case TCA_NETEM_ECN:
        o.ecn = view.getUint32(s, true) !== 0;
        break;
      case TCA_NETEM_RATE64:
        rate64 = readU64(view, s);
        break;
    }
  });
  if (o.rate && rate64) o.rate.rate = rate64;
  return o;
}

function build(b: MessageBuilder, o: NetemOptions): void {
  if (o.reorder?.probability && !o.delay) throw new TypeError("Cannot reorder without a delay");
  if (o.ecn && !o.loss?.probability) throw new TypeError("Cannot use netem ecn without loss");
  const gap = o.reorder?.probability && !o.gap ? 1 : o.gap ?? 0;
  if (gap && !o.reorder?.probability) throw new TypeError("Cannot use netem gap without reorder");
  b.struct(QOPT, {
    latency: ticks(o.delay ?? 0),
    limit: o.limit ?? 1000,
    loss: scaled(o.loss?.probability ?? 0),
    gap,
    duplicate: scaled(o.duplicate?.probability ?? 0),
    jitter: ticks(o.jitter ?? 0),
  });
  const corr = o.delayCorrelation !== undefined || o.loss?.correlation !== undefined ||
    o.duplicate?.correlation !== undefined || o.reorder?.correlation !== undefined ||
    o.corrupt?.correlation !== undefined;
  if (corr) {
    b.attr(
      TCA_NETEM_CORR,
      (x) =>
        x.scalar("u32", scaled(o.delayCorrelation ?? 0)).scalar("u32", scaled(o.loss?.correlation ?? 0))
          .scalar("u32", scaled(o.duplicate?.correlation ?? 0)),
    );
  }
  const chance = (type: number, c: NetemChance | undefined) => {
    if (c) b.attr(type, (x) => x.scalar("u32", scaled(c.probability)).scalar("u32", scaled(c.correlation ?? 0)));
  };
  chance(TCA_NETEM_REORDER, o.reorder);
  if (o.ecn) b.u(TCA_NETEM_ECN, "u32", 1);
  chance(TCA_NETEM_CORRUPT, o.corrupt);
  const r = o.rate;
  if (r) {
    if (r.rate >= 2 ** 32) b.u(TCA_NETEM_RATE64, "u64", r.rate);
    b.attr(
      TCA_NETEM_RATE,
      (x) =>
        x.scalar("u32", r.rate >= 2 ** 32 ? U32_MAX : r.rate).scalar("s32", r.packetOverhead ?? 0)
          .scalar("u32", r.cellSize ?? 0).scalar("s32", r.cellOverhead ?? 0),
    );
  }
}

const isNumber = (w: TcWords) => /^\d/.test(w.peek() ?? "");
const isSigned = (w: TcWords) => /^[-\d]/.test(w.peek() ?? "");

function percent(text: string): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(%?)$/.exec(text);
  const v = m ? Number(m[1]) / 100 : NaN;
  if (!(v >= 0 && v <= 1)) throw new TypeError(`Invalid percentage: "${text}" (expected 0% to 100%)`);
  return v;
}

function chanceWords(w: TcWords, word: string): NetemChance {
  const c: NetemChance = { probability: percent(w.value(word, "percentage")) };
  if (isNumber(w)) c.correlation = percent(w.next()!);
  return c;
}

function words(w: TcWords): NetemOptions {
  const o: NetemOptions = {};
  for (let word = w.next(); word !== undefined; word = w.next()) {
    switch (word) {
      case "limit":
        o.limit = parseSize(w.value(word, "limit"));
        break;
      case "delay":
      case "latency":
        o.delay = parseTime(w.value(word, "time"));
        if (isNumber(w)) {
          o.jitter = parseTime(w.next()!);
          if (isNumber(w)) o.delayCorrelation = percent(w.next()!);
        }
        break;
      case "loss":
      case "drop":
        if (w.peek() === "random") w.next();
        else if (!isNumber(w)) {
          throw new TypeError(`Cannot use netem loss "${w.peek()}": only random loss is supported`);
        }
        o.loss = chanceWords(w, word);
        break;
      case "duplicate":
        o.duplicate = chanceWords(w, word);
        break;
      case "corrupt":
        o.corrupt = chanceWords(w, word);
        break;
      case "reorder":
        o.reorder = chanceWords(w, word);
        break;
      case "gap":
        o.gap = w.int(word);
        break;
      case "ecn":
        o.ecn = true;
        break;
      case "rate": {
        const r: NonNullable<NetemOptions["rate"]> = { rate: parseRate(w.value(word, "rate")) };
        if (isSigned(w)) r.packetOverhead = w.int("packet overhead", -0x80000000, 0x7fffffff);
        if (isNumber(w)) r.cellSize = w.int("cell size");
        if (isSigned(w)) r.cellOverhead = w.int("cell overhead", -0x80000000, 0x7fffffff);
        o.rate = r;
        break;
      }
      default:
        throw new TypeError(`Unknown netem argument: "${word}" (distribution, slot and loss models are not supported)`);
    }
  }
  return o;
}

function printChance(p: TcPrinter, key: string, c: NetemChance | undefined): void {
  if (!c?.probability) return;
  p.open(key === "loss" ? "loss-random" : key);
  p.field("any", key, ` ${key} %s%`, c.probability, printfG(100 * c.probability));
  if (p.isJson) p.field("json", "correlation", "", c.correlation ?? 0, "");
  else if (c.correlation) p.text(` ${printfG(100 * c.correlation)}%`);
  p.close();
}

function print(p: TcPrinter, o: NetemOptions): void {
  p.uint("limit", "limit %s", o.limit ?? 0);
  if (o.delay) {
    p.open("delay");
    p.str(undefined, " delay %s", formatTime(o.delay), "fp");
    if (o.jitter) p.str(undefined, "  %s", formatTime(o.jitter), "fp");
    p.field("json", "delay", "", o.delay / 1e6, "");
    p.field("json", "jitter", "", (o.jitter ?? 0) / 1e6, "");
    if (p.isJson) p.field("json", "correlation", "", o.delayCorrelation ?? 0, "");
    else if (o.jitter && o.delayCorrelation) p.text(` ${printfG(100 * o.delayCorrelation)}%`);
    p.close();
  }
  printChance(p, "loss", o.loss);
  printChance(p, "duplicate", o.duplicate);
  printChance(p, "reorder", o.reorder);
  printChance(p, "corrupt", o.corrupt);
  const r = o.rate;
  if (r?.rate) {
    p.open("rate");
    p.field("any", "rate", " rate %s", r.rate, formatRate(r.rate));
    const opt = (key: string, v = 0) => {
      p.field("json", key, "", v, "");
      if (v) p.text(` ${key} ${v}`);
    };
    opt("packetoverhead", r.packetOverhead);
    opt("cellsize", r.cellSize);
    opt("celloverhead", r.cellOverhead);
    p.close();
  }
  p.field("json", "ecn", "", o.ecn ?? false, "");
  if (o.ecn) p.text(" ecn ");
  p.field("json", "gap", "", o.gap ?? 0, "");
  if (o.gap) p.text(` gap ${o.gap}`);
}

/** The netem module. */
export const netem: QdiscKind = {
  kind: "netem",
  qdisc: {
    keys: [
      "limit",
      "delay",
      "jitter",
      "delayCorrelation",
      "loss",
      "duplicate",
      "corrupt",
      "reorder",
      "gap",
      "rate",
      "ecn",
    ],
    parse,
    build: (b, o) => build(b, o as NetemOptions),
    print: (p, o) => print(p, o as NetemOptions),
    words,
  },
};
