/**
 * `netem`: network emulation: delay with jitter, random loss, duplication,
 * corruption, reordering, rate limiting, ECN marking, delay distribution
 * tables, loss state models and slots (fixed or from a distribution).
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
import { NETEM_DIST, readDistribution } from "./netem_dist.ts";

const TCA_NETEM_DELAY_DIST = 2;
const TCA_NETEM_CORR = 1, TCA_NETEM_REORDER = 3, TCA_NETEM_CORRUPT = 4;
const TCA_NETEM_LOSS = 5, TCA_NETEM_RATE = 6, TCA_NETEM_ECN = 7, TCA_NETEM_RATE64 = 8, TCA_NETEM_SLOT = 12;
const TCA_NETEM_SLOT_DIST = 13;
const NETEM_LOSS_GI = 1, NETEM_LOSS_GE = 2;
const SLOT = {
  minDelay: "s64",
  maxDelay: "s64",
  maxPackets: "s32",
  maxBytes: "s32",
  distDelay: "s64",
  distJitter: "s64",
} as const;
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
  slot: { type: TCA_NETEM_SLOT, kind: "struct", struct: SLOT },
  lossModel: {
    type: TCA_NETEM_LOSS,
    kind: "nested",
    table: {
      state: {
        type: NETEM_LOSS_GI,
        kind: "struct",
        struct: { p13: "u32", p31: "u32", p32: "u32", p14: "u32", p23: "u32" },
      },
      gemodel: { type: NETEM_LOSS_GE, kind: "struct", struct: { p: "u32", r: "u32", h: "u32", k1: "u32" } },
    },
  },
  rate64: { type: TCA_NETEM_RATE64, kind: "u64" },
  rate: {
    type: TCA_NETEM_RATE,
    kind: "struct",
    struct: { rate: "u32", packetOverhead: "s32", cellSize: "u32", cellOverhead: "s32" },
  },
  distribution: { type: TCA_NETEM_DELAY_DIST, kind: "codec", codec: NETEM_DIST },
  slotDistribution: { type: TCA_NETEM_SLOT_DIST, kind: "codec", codec: NETEM_DIST },
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
  /** 4-state Markov loss (`loss state`): transition probabilities, 0 to 1. */
  lossState?: { p13: number; p31: number; p32: number; p23: number; p14: number };
  /** Gilbert-Elliott loss (`loss gemodel`): p, r, 1-h and 1-k, 0 to 1. */
  lossGemodel?: { p: number; r: number; oneMinusH: number; oneMinusK: number };
  /** The delay's distribution table (`distribution NAME` reads iproute2's NAME.dist); needs delay and jitter. */
  distribution?: number[];
  /**
   * Sends in slots (`slot MIN [MAX]`, or `slot distribution NAME DELAY
   * JITTER`): delays in ns, and the most packets and bytes per slot (0:
   * unlimited). A slot distribution's table is sent, never reported back.
   */
  slot?: {
    minDelay: number;
    maxDelay: number;
    packets?: number;
    bytes?: number;
    distDelay?: number;
    distJitter?: number;
    distribution?: number[];
  };
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
  const gi = a.lossModel?.state, ge = a.lossModel?.gemodel;
  if (gi) {
    o.lossState = { p13: frac(gi.p13), p31: frac(gi.p31), p32: frac(gi.p32), p23: frac(gi.p23), p14: frac(gi.p14) };
  }
  if (ge) o.lossGemodel = { p: frac(ge.p), r: frac(ge.r), oneMinusH: frac(U32_MAX - ge.h), oneMinusK: frac(ge.k1) };
  if (a.slot) {
    const s = a.slot;
    o.slot = { minDelay: s.minDelay, maxDelay: s.maxDelay };
    if (s.maxPackets) o.slot.packets = s.maxPackets;
    if (s.maxBytes) o.slot.bytes = s.maxBytes;
    if (s.distJitter) [o.slot.distDelay, o.slot.distJitter] = [s.distDelay, s.distJitter];
    if (a.slotDistribution) o.slot.distribution = a.slotDistribution;
  }
  if (a.distribution) o.distribution = a.distribution;
  const rate64 = a.rate64;
  if (o.rate && rate64) o.rate.rate = rate64;
  return o;
}

function build(b: MessageBuilder, o: NetemOptions): void {
  if (o.reorder?.probability && !o.delay) throw new InvalidArgumentError("Cannot reorder without a delay");
  if (o.ecn && !o.loss?.probability && !o.lossState && !o.lossGemodel) {
    throw new InvalidArgumentError("Cannot use netem ecn without loss");
  }
  if ([o.loss?.probability, o.lossState, o.lossGemodel].filter((x) => x).length > 1) {
    throw new InvalidArgumentError("Cannot use more than one netem loss model");
  }
  const s = o.slot;
  if (o.distribution && !(o.delay && o.jitter)) {
    throw new InvalidArgumentError("Cannot use a netem distribution without a delay and a jitter");
  }
  if (o.distribution && o.distribution.length > 16 * 1024) {
    throw new InvalidArgumentError(`Invalid netem distribution: ${o.distribution.length} entries (at most 16384)`);
  }
  if (s?.distribution && !(s.distJitter && s.distJitter > 0)) {
    throw new InvalidArgumentError("Cannot use a netem slot distribution without a positive jitter");
  }
  if (!s?.distribution && (s?.distJitter || s?.distDelay)) {
    throw new InvalidArgumentError("Cannot use a netem slot delay and jitter without a slot distribution table");
  }
  if (s?.distribution && s.distribution.length > 16 * 1024) {
    throw new InvalidArgumentError(`Invalid netem slot distribution: ${s.distribution.length} entries (at most 16384)`);
  }
  if (s && (s.maxDelay < s.minDelay || s.minDelay < 0)) {
    throw new InvalidArgumentError(`Invalid netem slot: ${s.minDelay} to ${s.maxDelay} ns (max must not be below min)`);
  }
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
    slot: s && {
      minDelay: s.minDelay,
      maxDelay: s.maxDelay,
      maxPackets: s.packets ?? 0,
      maxBytes: s.bytes ?? 0,
      distDelay: s.distDelay ?? 0,
      distJitter: s.distJitter ?? 0,
    },
    lossModel: o.lossState || o.lossGemodel
      ? {
        state: o.lossState && {
          p13: scaled(o.lossState.p13),
          p31: scaled(o.lossState.p31),
          p32: scaled(o.lossState.p32),
          p14: scaled(o.lossState.p14),
          p23: scaled(o.lossState.p23),
        },
        gemodel: o.lossGemodel && {
          p: scaled(o.lossGemodel.p),
          r: scaled(o.lossGemodel.r),
          h: U32_MAX - scaled(o.lossGemodel.oneMinusH),
          k1: scaled(o.lossGemodel.oneMinusK),
        },
      }
      : undefined,
    distribution: o.distribution,
    slotDistribution: s?.distribution,
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
        if (o.loss || o.lossState || o.lossGemodel) throw new InvalidArgumentError(`Duplicate netem "${word}"`);
        if (w.peek() === "state") {
          w.next();
          // tc's defaults: p31 = 1 - p13, p32 = 0, p23 = 1, p14 = 0.
          const p13 = percent(w.value("state", "percentage"));
          const ls = { p13, p31: 1 - p13, p32: 0, p23: 1, p14: 0 };
          for (const k of ["p31", "p32", "p23", "p14"] as const) {
            if (!isNumber(w)) break;
            ls[k] = percent(w.next()!);
          }
          o.lossState = ls;
        } else if (w.peek() === "gemodel") {
          w.next();
          const p = percent(w.value("gemodel", "percentage"));
          const ge = { p, r: 1 - p, oneMinusH: 1, oneMinusK: 0 };
          for (const k of ["r", "oneMinusH", "oneMinusK"] as const) {
            if (!isNumber(w)) break;
            ge[k] = percent(w.next()!);
          }
          o.lossGemodel = ge;
        } else {
          if (w.peek() === "random") w.next();
          else if (!isNumber(w)) {
            throw new InvalidArgumentError(
              `Unknown netem loss parameter: "${w.peek() ?? ""}" (expected random, state or gemodel)`,
            );
          }
          o.loss = chanceWords(w, word);
        }
        break;
      case "distribution":
        o.distribution = readDistribution(w.value(word, "distribution name"));
        break;
      case "slot": {
        const ns = (what: string) => Math.round(parseTime(w.value(what, "time")) * 1000);
        let slot: NonNullable<NetemOptions["slot"]>;
        if (isNumber(w)) {
          const min = ns("slot");
          slot = { minDelay: min, maxDelay: min };
          if (isNumber(w)) slot.maxDelay = ns("slot");
        } else if (w.peek() === "distribution") {
          w.next();
          const distribution = readDistribution(w.value("distribution", "distribution name"));
          slot = { minDelay: 0, maxDelay: 0, distribution, distDelay: ns("slot delay"), distJitter: ns("slot jitter") };
          if (!(slot.distJitter! > 0)) throw new InvalidArgumentError("Invalid netem slot jitter: it must be positive");
        } else {
          throw new InvalidArgumentError(
            `Unknown netem slot parameter: "${w.peek() ?? ""}" (expected a time or "distribution")`,
          );
        }
        if (w.peek() === "packets") {
          w.next();
          slot.packets = w.int("packets", 0, 0x7fffffff);
        }
        if (w.peek() === "bytes") {
          w.next();
          slot.bytes = parseSize(w.value("bytes", "size"));
        }
        o.slot = slot;
        break;
      }
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
        throw new InvalidArgumentError(`Unknown netem argument: "${word}"`);
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

/** A loss model's probabilities as tc prints them: JSON fractions, text percentages after `prefix`. */
function printPercents(p: TcPrinter, key: string, prefix: string, values: Record<string, number>): void {
  p.open(key);
  p.text(prefix);
  for (const [k, v] of Object.entries(values)) p.field("any", k, ` ${k} %s%`, v, printfG(100 * v));
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
  if (o.lossState) printPercents(p, "loss-state", " loss state", o.lossState);
  if (o.lossGemodel) {
    const g = o.lossGemodel;
    printPercents(p, "loss-gemodel", " loss gemodel", { p: g.p, r: g.r, "1-h": g.oneMinusH, "1-k": g.oneMinusK });
  }
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
  if (o.slot) {
    const s = o.slot;
    p.open("slot");
    // JSON in seconds, text in tc's time units (`__PRINT_TIME64`).
    const [a, b] = s.distJitter
      ? [["distribution", " slot distribution", s.distDelay ?? 0], ["jitter", "", s.distJitter]] as const
      : [["min-delay", " slot", s.minDelay], ["max-delay", "", s.maxDelay]] as const;
    for (const [key, text, v] of [a, b]) p.field("any", key, `${text} %s`, v / 1e9, formatTime(v / 1000));
    for (const [key, v = 0] of [["packets", s.packets], ["bytes", s.bytes]] as const) {
      p.field("json", key, "", v, "");
      if (v) p.text(` ${key} ${v}`);
    }
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
      "lossState",
      "lossGemodel",
      "slot",
      "distribution",
    ],
    parse,
    build,
    print,
    words,
  },
};
