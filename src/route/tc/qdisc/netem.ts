/**
 * `netem`: network emulation: delay with jitter, random loss, duplication,
 * corruption, reordering, rate limiting and ECN marking. Distribution
 * tables, slots and loss state models are refused.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { parseAttrs, parseStruct } from "../../../wire/table.ts";
import type { QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { formatRate, formatTime, parseRate, parseSize, parseTime, printfG, TICKS_PER_USEC } from "../units.ts";
import type { TcWords } from "../words.ts";

const TCA_NETEM_CORR = 1, TCA_NETEM_REORDER = 3, TCA_NETEM_CORRUPT = 4;
const TCA_NETEM_RATE = 6, TCA_NETEM_ECN = 7, TCA_NETEM_RATE64 = 8;
const QOPT = { latency: "u32", limit: "u32", loss: "u32", gap: "u32", duplicate: "u32", jitter: "u32" } as const;
const U32_MAX = 0xffffffff;
/** `struct tc_netem_reorder` and `struct tc_netem_corrupt`. */
const CHANCE = { p: "u32", c: "u32" } as const;

/** `TCA_NETEM_*` after `struct tc_netem_qopt`, in the order tc sends them. */
const NETEM_ATTRS = {
  corr: { type: TCA_NETEM_CORR, kind: "struct", struct: { delay: "u32", loss: "u32", dup: "u32" } },
  reorder: { type: TCA_NETEM_REORDER, kind: "struct", struct: CHANCE },
  ecn: { type: TCA_NETEM_ECN, kind: "u32" },
  corrupt: { type: TCA_NETEM_CORRUPT, kind: "struct", struct: CHANCE },
  rate64: { type: TCA_NETEM_RATE64, kind: "u64" },
  rate: {
    type: TCA_NETEM_RATE,
    kind: "struct",
    struct: { rate: "u32", packetOverhead: "s32", cellSize: "u32", cellOverhead: "s32" },
  },
} as const;

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

function parse(buf: Uint8Array, view: DataView, start: number, end: number): NetemOptions {
  const q = parseStruct(QOPT, view, start, end);
  const o: NetemOptions = { limit: q.limit };
  const frac = (v: number) => v / U32_MAX;
  if (q.latency) o.delay = Math.trunc(q.latency / TICKS_PER_USEC);
  if (q.jitter) o.jitter = Math.trunc(q.jitter / TICKS_PER_USEC);
  if (q.loss) o.loss = { probability: frac(q.loss) };
  if (q.duplicate) o.duplicate = { probability: frac(q.duplicate) };
  if (q.gap) o.gap = q.gap;
  const a = parseAttrs(NETEM_ATTRS, buf, view, start + 24, end);
  const c = a.corr;
  if (c) {
    if (c.delay) o.delayCorrelation = frac(c.delay);
    if (o.loss && c.loss) o.loss.correlation = frac(c.loss);
    if (o.duplicate && c.dup) o.duplicate.correlation = frac(c.dup);
  }
  const chance = (x: { p: number; c: number }): NetemChance => ({ probability: frac(x.p), correlation: frac(x.c) });
  if (a.reorder) o.reorder = chance(a.reorder);
  if (a.corrupt) o.corrupt = chance(a.corrupt);
  if (a.rate) o.rate = a.rate;
  if (a.ecn !== undefined) o.ecn = a.ecn !== 0;
  const rate64 = a.rate64;
  if (o.rate && rate64) o.rate.rate = rate64;
  return o;
}

function build(b: MessageBuilder, o: NetemOptions): void {
  if (o.reorder?.probability && !o.delay) throw new InvalidArgumentError("Cannot reorder without a delay");
  if (o.ecn && !o.loss?.probability) throw new InvalidArgumentError("Cannot use netem ecn without loss");
  const gap = o.reorder?.probability && !o.gap ? 1 : o.gap ?? 0;
  if (gap && !o.reorder?.probability) throw new InvalidArgumentError("Cannot use netem gap without reorder");
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
  const chance = (c: NetemChance | undefined) => c && { p: scaled(c.probability), c: scaled(c.correlation ?? 0) };
  const r = o.rate;
  b.attrs(NETEM_ATTRS, {
    corr: corr
      ? {
        delay: scaled(o.delayCorrelation ?? 0),
        loss: scaled(o.loss?.correlation ?? 0),
        dup: scaled(o.duplicate?.correlation ?? 0),
      }
      : undefined,
    reorder: chance(o.reorder),
    ecn: o.ecn ? 1 : undefined,
    corrupt: chance(o.corrupt),
    rate64: r && r.rate >= 2 ** 32 ? r.rate : undefined,
    rate: r && {
      rate: r.rate >= 2 ** 32 ? U32_MAX : r.rate,
      packetOverhead: r.packetOverhead ?? 0,
      cellSize: r.cellSize ?? 0,
      cellOverhead: r.cellOverhead ?? 0,
    },
  });
}

const isNumber = (w: TcWords) => /^\d/.test(w.peek() ?? "");
const isSigned = (w: TcWords) => /^[-\d]/.test(w.peek() ?? "");

function percent(text: string): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(%?)$/.exec(text);
  const v = m ? Number(m[1]) / 100 : NaN;
  if (!(v >= 0 && v <= 1)) throw new InvalidArgumentError(`Invalid percentage: "${text}" (expected 0% to 100%)`);
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
          throw new InvalidArgumentError(`Cannot use netem loss "${w.peek()}": only random loss is supported`);
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
        throw new InvalidArgumentError(
          `Unknown netem argument: "${word}" (distribution, slot and loss models are not supported)`,
        );
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
