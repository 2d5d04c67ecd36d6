/**
 * `htb`: hierarchical token bucket. Qdisc options (r2q, default class,
 * direct queue length), class options (rate, ceil, burst, cburst, prio,
 * quantum) with their rate tables, and class statistics.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { parseAttrs, parseStruct } from "../../../wire/table.ts";
import type { QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { LINK_WORDS, linklayerName, rateSpec, ratespecFields, sizeAndCell } from "../ratespec.ts";
import { formatRate, formatSize, LINKLAYER, rateTable, TC_RATESPEC, xmitSize, xmitTime } from "../units.ts";
import type { TcWords } from "../words.ts";
import type { WordsContext } from "../kind.ts";
import { readInt, readRate, readWords, type WordTable } from "../word_table.ts";

const TCA_HTB_PARMS = 1, TCA_HTB_INIT = 2, TCA_HTB_CTAB = 3, TCA_HTB_RTAB = 4;
const TCA_HTB_DIRECT_QLEN = 5, TCA_HTB_RATE64 = 6, TCA_HTB_CEIL64 = 7, TCA_HTB_OFFLOAD = 9;

/** `struct tc_htb_glob`. */
const HTB_GLOB = { version: "u32", rate2quantum: "u32", defcls: "u32", debug: "u32", directPkts: "u32" } as const;

/** `struct tc_htb_opt`. */
const HTB_OPT = {
  ...ratespecFields("rate"),
  ...ratespecFields("ceil"),
  buffer: "u32",
  cbuffer: "u32",
  quantum: "u32",
  level: "u32",
  prio: "u32",
} as { readonly [k: string]: "u8" | "u16" | "s16" | "u32" };

/** The qdisc's `TCA_HTB_*`, in the order tc sends them. */
const HTB_QDISC_ATTRS = {
  init: { type: TCA_HTB_INIT, kind: "struct", struct: HTB_GLOB },
  directQlen: { type: TCA_HTB_DIRECT_QLEN, kind: "u32" },
  offload: { type: TCA_HTB_OFFLOAD, kind: "flag" },
} as const;

/** A class's `TCA_HTB_*`, in the order tc sends them. */
const HTB_CLASS_ATTRS = {
  rate64: { type: TCA_HTB_RATE64, kind: "u64" },
  ceil64: { type: TCA_HTB_CEIL64, kind: "u64" },
  parms: { type: TCA_HTB_PARMS, kind: "struct", struct: HTB_OPT },
  rtab: { type: TCA_HTB_RTAB, kind: "bytes" },
  ctab: { type: TCA_HTB_CTAB, kind: "bytes" },
} as const;

/** htb qdisc options. */
export interface HtbOptions {
  /** Divisor turning a class rate into its quantum (default 10). */
  r2q?: number;
  /** Minor number of the class unclassified traffic goes to (0: sent directly). */
  defaultClass?: number;
  /** Debug levels, two bits per subsystem. */
  debug?: number;
  /** Length of the direct queue. */
  directQlen?: number;
  /** Offload to hardware. */
  offload?: boolean;
  /** Packets sent directly (reported). */
  directPackets?: number;
  /** Version (reported; 3.17 on current kernels). */
  version?: number;
}

/** htb class options. Rates are bytes per second, bursts bytes. */
export interface HtbClassOptions {
  /** Guaranteed rate. */
  rate: number;
  /** Rate it may borrow up to (default: `rate`). */
  ceil?: number;
  /** Bytes sent at `rate` in one go (default: rate/HZ + mtu). */
  burst?: number;
  /** Burst at `ceil`. */
  cburst?: number;
  /** Priority among siblings when borrowing (0 is highest). */
  prio?: number;
  /** Bytes served per round (default: rate / r2q). */
  quantum?: number;
  /** Largest packet for the rate tables (default 1600). */
  mtu?: number;
  /** Minimum packet size accounted. */
  mpu?: number;
  /** Bytes added to each packet. */
  overhead?: number;
  /** `TC_LINKLAYER_*` (1 ethernet, 2 atm). */
  linklayer?: number;
  /** Rate table cell log (-1 or absent: from mtu). */
  cellLog?: number;
  /** Ceil table cell log. */
  ceilCellLog?: number;
  /** Depth in the tree (reported: 0 for leaves). */
  level?: number;
  /** Burst as the kernel holds it, in scheduler ticks (reported). */
  buffer?: number;
  /** Ceil burst in ticks (reported). */
  cbuffer?: number;
  /** Rate table cell log the kernel reports. */
  rateCellLog?: number;
  /** Ceil MPU the kernel reports. */
  ceilMpu?: number;
}

/** htb class statistics. */
export interface HtbXstats {
  /** Times the class lent. */
  lends: number;
  /** Times the class borrowed. */
  borrows: number;
  /** Packets larger than the mtu. */
  giants: number;
  /** Tokens left (ticks). */
  tokens: number;
  /** Ceil tokens left. */
  ctokens: number;
}

function parseQdisc(buf: Uint8Array, view: DataView, start: number, end: number): HtbOptions {
  const a = parseAttrs(HTB_QDISC_ATTRS, buf, view, start, end);
  const o: HtbOptions = {};
  const g = a.init;
  if (g) {
    Object.assign(o, {
      r2q: g.rate2quantum,
      defaultClass: g.defcls,
      debug: g.debug,
      directPackets: g.directPkts,
      version: g.version,
    });
  }
  if (a.directQlen !== undefined) o.directQlen = a.directQlen;
  if (a.offload) o.offload = true;
  return o;
}

function buildQdisc(b: MessageBuilder, o: HtbOptions): void {
  b.attrs(HTB_QDISC_ATTRS, {
    init: {
      version: o.version ?? 3,
      rate2quantum: o.r2q ?? 10,
      defcls: o.defaultClass ?? 0,
      debug: o.debug ?? 0,
      directPkts: 0,
    },
    directQlen: o.directQlen,
    offload: o.offload,
  });
}

/** Reads `debug`'s digits (0 to 3, one per htb debug category) into its bit pairs. */
function readDebug(w: TcWords, word: string): number {
  const v = w.value(word);
  if (!/^[0-3]{1,16}$/.test(v)) {
    throw new InvalidArgumentError(`Invalid debug: "${v}" (expected up to 16 digits 0 to 3)`);
  }
  return [...v].reduce((acc, d, i) => acc | (Number(d) << (2 * i)), 0) >>> 0;
}

const QDISC_WORDS: WordTable<HtbOptions> = {
  r2q: { key: "r2q", read: readInt() },
  default: { key: "defaultClass", read: readInt(0, 0xffffffff, 16) },
  debug: { key: "debug", read: readDebug },
  direct_qlen: { key: "directQlen", read: readInt() },
  offload: { key: "offload" },
};

function printQdisc(p: TcPrinter, o: HtbOptions, details: number): void {
  if (o.r2q !== undefined) {
    p.uint("r2q", "r2q %s", o.r2q);
    p.hex0x("default", " default %s", o.defaultClass ?? 0);
    p.uint("direct_packets_stat", " direct_packets_stat %s", o.directPackets ?? 0);
    if (details) p.str("ver", " ver %s", `${(o.version ?? 0) >>> 16}.${(o.version ?? 0) & 0xffff}`);
  }
  if (o.directQlen !== undefined) p.uint("direct_qlen", " direct_qlen %s", o.directQlen);
  if (o.offload) p.null("offload", " offload");
}

function parseClass(buf: Uint8Array, view: DataView, start: number, end: number): HtbClassOptions {
  const { parms, rate64, ceil64 } = parseAttrs(HTB_CLASS_ATTRS, buf, view, start, end);
  if (!parms) return { rate: 0 };
  const rate = rate64 ?? parms.rate_rate, ceil = ceil64 ?? parms.ceil_rate;
  return {
    rate,
    ceil,
    burst: xmitSize(rate, parms.buffer),
    cburst: xmitSize(ceil, parms.cbuffer),
    prio: parms.prio,
    quantum: parms.quantum,
    mpu: parms.rate_mpu,
    overhead: parms.rate_overhead,
    linklayer: parms.rate_linklayer & 0x0f,
    level: parms.level,
    buffer: parms.buffer,
    cbuffer: parms.cbuffer,
    rateCellLog: parms.rate_cellLog,
    ceilCellLog: parms.ceil_cellLog,
    ceilMpu: parms.ceil_mpu,
  };
}

/** Hz tc assumes for the default burst: /proc/net/psched's clock resolution (1 GHz). */
const PSCHED_HZ = 1_000_000_000;

function buildClass(b: MessageBuilder, o: HtbClassOptions): void {
  if (!(o.rate > 0)) throw new InvalidArgumentError(`Invalid htb rate: "${o.rate}" (a class needs a rate above 0)`);
  const rate = o.rate, ceil = o.ceil || rate;
  const mtu = o.mtu ?? 1600, mpu = o.mpu ?? 0, overhead = o.overhead ?? 0;
  const ll = o.linklayer ?? LINKLAYER.ethernet;
  const burst = o.burst || Math.trunc(rate / PSCHED_HZ + mtu);
  const cburst = o.cburst || Math.trunc(ceil / PSCHED_HZ + mtu);
  const rs = rateSpec(rate, mpu, overhead, ll), cs = rateSpec(ceil, mpu, overhead, ll);
  const rtab = rateTable(rs, o.cellLog ?? -1, mtu);
  const ctab = rateTable(cs, o.ceilCellLog ?? -1, mtu);
  const parms: Record<string, number> = {
    buffer: xmitTime(rate, burst),
    cbuffer: xmitTime(ceil, cburst),
    quantum: o.quantum ?? 0,
    level: 0,
    prio: o.prio ?? 0,
  };
  for (const k in TC_RATESPEC) {
    parms[`rate_${k}`] = rs[k as keyof typeof rs];
    parms[`ceil_${k}`] = cs[k as keyof typeof cs];
  }
  b.attrs(HTB_CLASS_ATTRS, {
    rate64: rate >= 2 ** 32 ? rate : undefined,
    ceil64: ceil >= 2 ** 32 ? ceil : undefined,
    parms,
    rtab: new Uint8Array(rtab.buffer),
    ctab: new Uint8Array(ctab.buffer),
  });
}

const burst = sizeAndCell<Partial<HtbClassOptions>>("burst", "cellLog");
const cburst = sizeAndCell<Partial<HtbClassOptions>>("cburst", "ceilCellLog");
const CLASS_WORDS: WordTable<Partial<HtbClassOptions>> = {
  ...LINK_WORDS,
  prio: { key: "prio", read: readInt() },
  mtu: { key: "mtu", read: readInt() },
  mpu: { key: "mpu", read: readInt(0, 0xffff) },
  quantum: { key: "quantum", read: readInt() },
  burst,
  buffer: burst,
  maxburst: burst,
  cburst,
  cbuffer: cburst,
  cmaxburst: cburst,
  rate: { key: "rate", read: readRate, once: true },
  ceil: { key: "ceil", read: readRate, once: true },
};

function classWords(w: TcWords, ctx: WordsContext): HtbClassOptions {
  const o = readWords<Partial<HtbClassOptions>>(w, "htb class", CLASS_WORDS, {}, ctx);
  if (!o.rate) throw new InvalidArgumentError(`Missing "rate" in htb class (it is required)`);
  return o as HtbClassOptions;
}

function printClass(p: TcPrinter, o: HtbClassOptions, details: number): void {
  if (!o.level) {
    p.uint("prio", "prio %s ", o.prio ?? 0);
    if (details) p.uint("quantum", "quantum %s ", o.quantum ?? 0);
  }
  p.field("any", "rate", "rate %s ", o.rate, formatRate(o.rate));
  if (o.overhead) p.uint("overhead", "overhead %s ", o.overhead);
  const ceil = o.ceil ?? o.rate;
  p.field("any", "ceil", "ceil %s ", ceil, formatRate(ceil));
  const ll = o.linklayer ?? LINKLAYER.ethernet;
  if (ll > LINKLAYER.ethernet || details) p.str("linklayer", "linklayer %s ", linklayerName(ll));
  const burst = (o.burst ?? 0) >>> 0, cburst = (o.cburst ?? 0) >>> 0;
  if (details) {
    p.field("any", "burst", "burst %s/", burst, formatSize(burst));
    p.uint("burst_cell", "%s ", 1 << (o.rateCellLog ?? 0));
    p.field("any", "mpu_rate", "mpu %s ", o.mpu ?? 0, formatSize(o.mpu ?? 0));
    p.field("any", "cburst", "cburst %s/", cburst, formatSize(cburst));
    p.uint("cburst_cell", "%s ", 1 << (o.ceilCellLog ?? 0));
    p.field("any", "mpu_ceil", "mpu %s ", o.ceilMpu ?? 0, formatSize(o.ceilMpu ?? 0));
    p.uint("level", "level %s ", o.level ?? 0);
  } else {
    p.field("any", "burst", "burst %s ", burst, formatSize(burst));
    p.field("any", "cburst", "cburst %s ", cburst, formatSize(cburst));
  }
}

/** The htb module. */
export const htb: QdiscKind = {
  kind: "htb",
  qdisc: {
    keys: ["r2q", "defaultClass", "debug", "directQlen", "offload", "directPackets", "version"],
    parse: parseQdisc,
    build: buildQdisc,
    print: (p, o, ctx) => printQdisc(p, o as HtbOptions, ctx.details),
    words: (w, ctx) => readWords<HtbOptions>(w, "htb", QDISC_WORDS, {}, ctx),
  },
  class: {
    keys: [
      "rate",
      "ceil",
      "burst",
      "cburst",
      "prio",
      "quantum",
      "mtu",
      "mpu",
      "overhead",
      "linklayer",
      "cellLog",
      "ceilCellLog",
      "level",
      "buffer",
      "cbuffer",
      "rateCellLog",
      "ceilMpu",
    ],
    parse: parseClass,
    build: buildClass,
    print: (p, o, ctx) => printClass(p, o as HtbClassOptions, ctx.details),
    words: classWords,
  },
  xstats: {
    parse: (_b, view, s, e): HtbXstats =>
      parseStruct({ lends: "u32", borrows: "u32", giants: "u32", tokens: "s32", ctokens: "s32" }, view, s, e),
    print(p, x): void {
      const s = x as HtbXstats;
      p.uint("lended", " lended: %s ", s.lends);
      p.uint("borrowed", "borrowed: %s ", s.borrows);
      p.uint("giants", "giants: %s", s.giants);
      p.nl();
      p.uint("tokens", " tokens: %s ", s.tokens);
      p.uint("ctokens", "ctokens: %s", s.ctokens);
      p.nl();
    },
  },
};
