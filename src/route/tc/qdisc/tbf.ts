/**
 * `tbf`: token bucket filter. Rate, burst, limit or latency, peak rate
 * and minimum burst, with the rate tables the kernel still takes.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { parseAttrs } from "../../../wire/table.ts";
import type { QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { bucketWords, linklayerName, rateSpec, ratespecFields } from "../ratespec.ts";
import {
  formatRate,
  formatSize,
  formatTime,
  LINKLAYER,
  rateTable,
  TC_RATESPEC,
  TICKS_PER_USEC,
  TIME_UNITS_PER_SEC,
  xmitSize,
  xmitTime,
} from "../units.ts";
import type { TcWords } from "../words.ts";
import type { WordsContext } from "../kind.ts";
import { readSize, readTime, readWords, type WordTable } from "../word_table.ts";

const TCA_TBF_PARMS = 1, TCA_TBF_RTAB = 2, TCA_TBF_PTAB = 3, TCA_TBF_RATE64 = 4;
const TCA_TBF_PRATE64 = 5, TCA_TBF_BURST = 6, TCA_TBF_PBURST = 7;

/** `struct tc_tbf_qopt`. */
const TBF_QOPT = {
  ...ratespecFields("rate"),
  ...ratespecFields("peak"),
  limit: "u32",
  buffer: "u32",
  mtu: "u32",
} as { readonly [k: string]: "u8" | "u16" | "s16" | "u32" };

/** `TCA_TBF_*`, in the order tc sends them. */
const TBF_ATTRS = {
  parms: { type: TCA_TBF_PARMS, kind: "struct", struct: TBF_QOPT },
  burst: { type: TCA_TBF_BURST, kind: "u32" },
  rate64: { type: TCA_TBF_RATE64, kind: "u64" },
  rtab: { type: TCA_TBF_RTAB, kind: "bytes" },
  prate64: { type: TCA_TBF_PRATE64, kind: "u64" },
  pburst: { type: TCA_TBF_PBURST, kind: "u32" },
  ptab: { type: TCA_TBF_PTAB, kind: "bytes" },
} as const;

/** tbf options. Rates are bytes per second, sizes bytes, times microseconds. */
export interface TbfOptions {
  /** Token rate. */
  rate: number;
  /** Bucket size. */
  burst: number;
  /** Bytes that may queue (give this or `latency`). */
  limit?: number;
  /** Longest a packet may wait (turned into a limit). */
  latency?: number;
  /** Peak rate. */
  peakrate?: number;
  /** Peak bucket size (`mtu`/`minburst`); needed with a peak rate. */
  mtu?: number;
  /** Minimum packet size accounted. */
  mpu?: number;
  /** Bytes added to each packet. */
  overhead?: number;
  /** `TC_LINKLAYER_*`. */
  linklayer?: number;
  /** Rate table cell log. */
  cellLog?: number;
  /** Peak table cell log. */
  peakCellLog?: number;
  /** Burst in ticks (reported). */
  buffer?: number;
  /** Peak burst in ticks (reported). */
  mtuTicks?: number;
  /** Peak MPU (reported). */
  peakMpu?: number;
}

function parse(buf: Uint8Array, view: DataView, start: number, end: number): TbfOptions {
  const { parms: q, rate64, prate64 } = parseAttrs(TBF_ATTRS, buf, view, start, end);
  if (!q) return { rate: 0, burst: 0 };
  const rate = rate64 ?? q.rate_rate, peak = prate64 ?? q.peak_rate;
  const o: TbfOptions = {
    rate,
    burst: xmitSize(rate, q.buffer),
    limit: q.limit,
    mpu: q.rate_mpu,
    overhead: q.rate_overhead,
    linklayer: q.rate_linklayer & 0x0f,
    cellLog: q.rate_cellLog,
    buffer: q.buffer,
  };
  if (peak) {
    Object.assign(o, { peakrate: peak, mtu: xmitSize(peak, q.mtu), peakCellLog: q.peak_cellLog, peakMpu: q.peak_mpu });
  }
  o.mtuTicks = q.mtu;
  return o;
}

function build(b: MessageBuilder, o: TbfOptions): void {
  if (!(o.rate > 0)) throw new InvalidArgumentError(`Invalid tbf rate: "${o.rate}" (a rate above 0 is required)`);
  if (!(o.burst > 0)) throw new InvalidArgumentError(`Invalid tbf burst: "${o.burst}" (a burst above 0 is required)`);
  if (o.peakrate && !o.mtu) throw new InvalidArgumentError(`Missing tbf "mtu" (a peak rate needs it)`);
  if (!o.limit && !o.latency) throw new InvalidArgumentError(`Missing tbf "limit" or "latency" (one is required)`);
  if (o.limit && o.latency) throw new InvalidArgumentError(`Cannot give both tbf "limit" and "latency"`);
  const mtu = o.mtu ?? 0, peak = o.peakrate ?? 0;
  let limit = o.limit ?? 0;
  if (!limit) {
    let lim = o.rate * o.latency! / TIME_UNITS_PER_SEC + o.burst;
    if (peak) lim = Math.min(lim, peak * o.latency! / TIME_UNITS_PER_SEC + mtu);
    limit = Math.trunc(lim);
  }
  const ll = o.linklayer ?? LINKLAYER.ethernet;
  const rs = rateSpec(o.rate, o.mpu ?? 0, o.overhead ?? 0, ll);
  const rtab = rateTable(rs, o.cellLog ?? -1, mtu);
  const ps = rateSpec(peak, 0, 0, 0);
  let ptab: Uint32Array | undefined, mtuTicks = 0;
  if (ps.rate) {
    ps.mpu = o.mpu ?? 0;
    ps.overhead = o.overhead ?? 0;
    ps.linklayer = ll;
    ptab = rateTable(ps, o.peakCellLog ?? -1, mtu);
    mtuTicks = xmitTime(ps.rate, mtu);
  }
  const q: Record<string, number> = { limit, buffer: xmitTime(rs.rate, o.burst), mtu: mtuTicks };
  for (const k in TC_RATESPEC) {
    q[`rate_${k}`] = rs[k as keyof typeof rs];
    q[`peak_${k}`] = ps[k as keyof typeof ps];
  }
  b.attrs(TBF_ATTRS, {
    parms: q,
    burst: o.burst,
    rate64: o.rate >= 2 ** 32 ? o.rate : undefined,
    rtab: new Uint8Array(rtab.buffer),
    prate64: ptab && peak >= 2 ** 32 ? peak : undefined,
    pburst: ptab ? mtu : undefined,
    ptab: ptab && new Uint8Array(ptab.buffer),
  });
}

/** tbf's words: a token bucket's, each size, mtu and rate at most once, and the queue's limit or latency. */
const WORDS: WordTable<Partial<TbfOptions>> = {
  ...bucketWords(true),
  limit: { key: "limit", read: readSize, once: true },
  latency: { key: "latency", read: readTime, once: true },
};

function words(w: TcWords, ctx: WordsContext): TbfOptions {
  const o = readWords<Partial<TbfOptions>>(w, "tbf", WORDS, {}, ctx);
  if (!o.rate) throw new InvalidArgumentError(`Missing tbf "rate" (it is required)`);
  if (!o.burst) throw new InvalidArgumentError(`Missing tbf "burst" (it is required)`);
  return o as TbfOptions;
}

// A bucket as tbf prints it: with details `KEY SIZE/CELL mpu MPU`, else `SHORT SIZE`.
function printBucket(
  p: TcPrinter,
  details: number,
  key: string,
  short: string,
  size: number,
  cellLog = 0,
  mpu = 0,
): void {
  if (details) {
    p.str(key, `${key} %s `, `${formatSize(size)}/${1 << cellLog}`);
    p.field("any", "mpu", "mpu %s ", mpu, formatSize(mpu));
  } else p.field("any", short, `${short} %s `, size, formatSize(size));
}

function print(p: TcPrinter, o: TbfOptions, details: number): void {
  p.field("any", "rate", "rate %s ", o.rate, formatRate(o.rate));
  printBucket(p, details, "burst", "burst", o.burst >>> 0, o.cellLog, o.mpu);
  const peak = o.peakrate ?? 0;
  if (peak) {
    p.str(undefined, "peakrate %s ", formatRate(peak), "fp");
    if (o.mtuTicks || o.peakMpu) {
      printBucket(p, details, "mtu", "minburst", (o.mtu ?? 0) >>> 0, o.peakCellLog, o.peakMpu);
    }
  }
  const limit = o.limit ?? 0;
  let latency = TIME_UNITS_PER_SEC * (limit / o.rate) - Math.trunc((o.buffer ?? 0) / TICKS_PER_USEC);
  if (peak) {
    const lat2 = TIME_UNITS_PER_SEC * (limit / peak) - Math.trunc((o.mtuTicks ?? 0) / TICKS_PER_USEC);
    if (lat2 > latency) latency = lat2;
  }
  if (latency >= 0) {
    p.uint("lat", "", Math.trunc(latency), "json");
    p.str(undefined, "lat %s ", formatTime(Math.trunc(latency)), "fp");
  } else {
    p.field("any", "limit", "limit %s ", limit, formatSize(limit));
  }
  if (o.overhead) p.uint("overhead", "overhead %s ", o.overhead);
  const ll = o.linklayer ?? LINKLAYER.ethernet;
  if (ll > LINKLAYER.ethernet || details) p.str("linklayer", "linklayer %s ", linklayerName(ll));
}

/** The tbf module. */
export const tbf: QdiscKind = {
  kind: "tbf",
  qdisc: {
    keys: [
      "rate",
      "burst",
      "limit",
      "latency",
      "peakrate",
      "mtu",
      "mpu",
      "overhead",
      "linklayer",
      "cellLog",
      "peakCellLog",
      "buffer",
      "mtuTicks",
      "peakMpu",
    ],
    parse,
    build,
    print: (p, o, ctx) => print(p, o as TbfOptions, ctx.details),
    words,
  },
};
