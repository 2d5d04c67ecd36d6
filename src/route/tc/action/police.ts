/**
 * `police`: a token-bucket policer (rate, burst, mtu, peak rate, average
 * rate, packet rate) with conform and exceed verdicts and rate tables.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind } from "../kind.ts";
import { bucketWords, linklayerName, rateSpec, ratespecFields } from "../ratespec.ts";
import { formatRate, formatSize, LINKLAYER, rateTable, TC_RATESPEC, xmitSize, xmitTime } from "../units.ts";
import { TcWords } from "../words.ts";
import type { WordsContext } from "../kind.ts";
import { readInt, readRate, readWords, type WordRule, type WordTable } from "../word_table.ts";
import { type ActionParms, printTimes, printVerdict, readVerdict, TCF_T } from "./control.ts";

const TCA_POLICE_TBF = 1, TCA_POLICE_RATE = 2, TCA_POLICE_PEAKRATE = 3, TCA_POLICE_AVRATE = 4;
const TCA_POLICE_RESULT = 5, TCA_POLICE_TM = 6, TCA_POLICE_RATE64 = 8, TCA_POLICE_PEAKRATE64 = 9;
const TCA_POLICE_PKTRATE64 = 10, TCA_POLICE_PKTBURST64 = 11;
/** `struct tc_police`. */
const POLICE = {
  index: "u32",
  action: "s32",
  limit: "u32",
  burst: "u32",
  mtu: "u32",
  ...ratespecFields("rate"),
  ...ratespecFields("peak"),
  refcnt: "s32",
  bindcnt: "s32",
  capab: "u32",
} as { readonly [k: string]: "u8" | "u16" | "s16" | "u32" | "s32" };

/** `TCA_POLICE_*`, in the order tc sends them. */
const POLICE_ATTRS = {
  tbf: { type: TCA_POLICE_TBF, kind: "struct", struct: POLICE },
  rtab: { type: TCA_POLICE_RATE, kind: "bytes" },
  rate64: { type: TCA_POLICE_RATE64, kind: "u64" },
  ptab: { type: TCA_POLICE_PEAKRATE, kind: "bytes" },
  peakrate64: { type: TCA_POLICE_PEAKRATE64, kind: "u64" },
  avrate: { type: TCA_POLICE_AVRATE, kind: "u32" },
  conform: { type: TCA_POLICE_RESULT, kind: "s32" },
  pktsRate: { type: TCA_POLICE_PKTRATE64, kind: "u64" },
  pktBurst: { type: TCA_POLICE_PKTBURST64, kind: "u64" },
  tm: { type: TCA_POLICE_TM, kind: "struct", struct: TCF_T },
} as const;

/** police options. Rates are bytes per second, sizes bytes. */
export interface PoliceOptions extends ActionParms {
  /** Token rate. */
  rate?: number;
  /** Bucket size (needed with a rate). */
  burst?: number;
  /** Largest packet (and peak bucket). */
  mtu?: number;
  /** Peak rate (needs rate and mtu). */
  peakrate?: number;
  /** Police on the estimated average rate instead. */
  avrate?: number;
  /** Minimum packet size accounted. */
  mpu?: number;
  /** Bytes added to each packet. */
  overhead?: number;
  /** `TC_LINKLAYER_*`. */
  linklayer?: number;
  /** Packets per second (instead of a byte rate). */
  pktsRate?: number;
  /** Packet burst. */
  pktsBurst?: number;
  /** Verdict for conforming packets (`conform-exceed X/Y`'s Y). */
  conform?: number;
  /** Rate table cell log. */
  cellLog?: number;
  /** Peak table cell log. */
  peakCellLog?: number;
}

/** A verdict word (`drop`, `goto chain 1`...): the verdict after a conforming packet. */
const VERDICT: WordRule<PoliceOptions> = { key: "action", read: (w) => (w.back(1), readVerdict(w)) };

/** Reads `EXCEED[/CONFORM]`: the verdicts of `conform-exceed`. */
function conformExceed(w: TcWords, word: string, o: PoliceOptions): void {
  const [exceed, conform] = w.value(word, "EXCEED[/CONFORM]").split("/");
  const one = (v: string) => {
    const x = readVerdict(new TcWords([v]));
    if (x === undefined) throw new InvalidArgumentError(`Invalid police verdict: "${v}"`);
    return x;
  };
  o.action = one(exceed);
  if (conform !== undefined) o.conform = one(conform);
}

/** police's words: a token bucket's, an average or packet rate, the verdicts; tc ends them at a word it does not know. */
const WORDS: WordTable<PoliceOptions> = {
  ...bucketWords(false),
  index: { key: "index", read: readInt() },
  avrate: { key: "avrate", read: readRate },
  "conform-exceed": { key: "action", apply: conformExceed },
  pkts_rate: { key: "pktsRate", read: readInt(0, Number.MAX_SAFE_INTEGER) },
  pkts_burst: { key: "pktsBurst", read: readInt(0, Number.MAX_SAFE_INTEGER) },
  ...Object.fromEntries(
    ["reclassify", "drop", "shot", "continue", "pass", "ok", "pipe", "goto"].map((v) => [v, VERDICT]),
  ),
};

function words(w: TcWords, ctx: WordsContext): PoliceOptions {
  const o = readWords<PoliceOptions>(w, "police", WORDS, { action: TC_ACT.TC_ACT_RECLASSIFY }, ctx, true);
  validate(o);
  return o;
}

function validate(o: PoliceOptions): void {
  if (o.rate && o.avrate) throw new InvalidArgumentError("Cannot use both police rate and avrate");
  if (!o.rate && !o.avrate && !o.index && !o.mtu && !o.pktsRate) {
    throw new InvalidArgumentError("Missing police rate, avrate, mtu, pkts_rate or index");
  }
  if (o.rate && !o.burst && !o.avrate) throw new InvalidArgumentError("Missing police burst (a rate needs one)");
  if (o.pktsRate && !o.pktsBurst) throw new InvalidArgumentError("Missing police pkts_burst (pkts_rate needs one)");
  if (o.pktsRate && o.rate) throw new InvalidArgumentError("Cannot use both police rate and pkts_rate");
  if (o.peakrate && (!o.rate || !o.mtu)) {
    throw new InvalidArgumentError("Missing police rate and mtu (a peak rate needs both)");
  }
}

/** The police module. */
export const police: ActionKind = {
  kind: "police",
  options: {
    keys: [
      "rate",
      "burst",
      "mtu",
      "peakrate",
      "avrate",
      "mpu",
      "overhead",
      "linklayer",
      "pktsRate",
      "pktsBurst",
      "conform",
      "cellLog",
      "peakCellLog",
    ],
    parse(buf, view, start, end): PoliceOptions {
      const { tbf: q, rate64, peakrate64: peak64, pktBurst, avrate, conform, pktsRate, tm } = parseAttrs(
        POLICE_ATTRS,
        buf,
        view,
        start,
        end,
      );
      const o: PoliceOptions = {};
      if (avrate !== undefined) o.avrate = avrate;
      if (conform !== undefined) o.conform = conform;
      if (pktsRate !== undefined) o.pktsRate = pktsRate;
      if (tm) o.tm = tm;
      if (q) {
        const rate = rate64 ?? q.rate_rate, peak = peak64 ?? q.peak_rate;
        Object.assign(o, {
          index: q.index,
          action: q.action,
          refcnt: q.refcnt,
          bindcnt: q.bindcnt,
          mtu: q.mtu,
          mpu: q.rate_mpu,
          overhead: q.rate_overhead,
          linklayer: q.rate_linklayer & 0x0f,
        });
        if (rate) Object.assign(o, { rate, burst: xmitSize(rate, q.burst) });
        if (peak) o.peakrate = peak;
      }
      if (o.pktsRate && pktBurst !== undefined) o.pktsBurst = xmitSize(o.pktsRate, pktBurst);
      return o;
    },
    build(b, options): void {
      const o = options as PoliceOptions;
      validate(o);
      const ll = o.linklayer ?? LINKLAYER.ethernet, mtu = o.mtu ?? 0;
      const rs = rateSpec(0, 0, 0, 0), ps = rateSpec(0, 0, 0, 0);
      let rtab: Uint32Array | undefined, ptab: Uint32Array | undefined, burst = 0;
      if (o.rate) {
        Object.assign(rs, rateSpec(o.rate, o.mpu ?? 0, o.overhead ?? 0, ll));
        rtab = rateTable(rs, o.cellLog ?? -1, mtu, o.rate);
        burst = xmitTime(o.rate, o.burst ?? 0);
      }
      if (o.peakrate) {
        Object.assign(ps, rateSpec(o.peakrate, o.mpu ?? 0, o.overhead ?? 0, ll));
        ptab = rateTable(ps, o.peakCellLog ?? -1, mtu, o.peakrate);
      }
      const q: Record<string, number> = {
        index: o.index ?? 0,
        action: o.action ?? TC_ACT.TC_ACT_RECLASSIFY,
        burst,
        mtu,
      };
      for (const k in TC_RATESPEC) {
        q[`rate_${k}`] = rs[k as keyof typeof rs];
        q[`peak_${k}`] = ps[k as keyof typeof ps];
      }
      const big = (r: number | undefined) => r !== undefined && r >= 2 ** 32 ? r : undefined;
      b.attrs(POLICE_ATTRS, {
        tbf: q,
        rtab: rtab && new Uint8Array(rtab.buffer),
        rate64: rtab && big(o.rate),
        ptab: ptab && new Uint8Array(ptab.buffer),
        peakrate64: ptab && big(o.peakrate),
        avrate: o.avrate || undefined,
        conform: o.conform || undefined,
        pktsRate: o.pktsRate || undefined,
        pktBurst: o.pktsRate ? xmitTime(o.pktsRate, o.pktsBurst ?? 0) : undefined,
      });
    },
    print(p, options, ctx): void {
      const o = options as PoliceOptions;
      p.str("kind", "%s", "police", "json");
      p.str(undefined, " police %s ", `0x${(o.index ?? 0).toString(16)}`, "fp");
      p.uint("index", "", o.index ?? 0, "json");
      p.str(undefined, "rate %s ", formatRate(o.rate ?? 0), "fp");
      p.str(undefined, "burst %s ", formatSize((o.burst ?? 0) >>> 0), "fp");
      p.str(undefined, "mtu %s ", formatSize(o.mtu ?? 0), "fp");
      if (o.peakrate) p.str(undefined, "peakrate %s ", formatRate(o.peakrate), "fp");
      if (o.avrate) p.str(undefined, "avrate %s ", formatRate(o.avrate), "fp");
      if (o.pktsRate !== undefined && o.pktsBurst !== undefined) {
        p.uint("pkts_rate", "pkts_rate %s ", o.pktsRate);
        p.uint("pkts_burst", "pkts_burst %s ", Math.trunc(o.pktsBurst));
      }
      printVerdict(p, "action ", o.action ?? 0, "");
      if (o.conform !== undefined) printVerdict(p, "/", o.conform, " ");
      else p.text(" ");
      p.field("any", "overhead", "overhead %s ", o.overhead ?? 0, formatSize(o.overhead ?? 0));
      const ll = o.linklayer ?? LINKLAYER.ethernet;
      if (ll > LINKLAYER.ethernet || ctx.details) p.str("linklayer", "linklayer %s ", linklayerName(ll));
      p.nl();
      p.uint("ref", "\tref %s ", o.refcnt ?? 0);
      p.uint("bind", "bind %s ", o.bindcnt ?? 0);
      if (ctx.stats && o.tm) printTimes(p, o.tm);
      p.nl();
    },
    words,
  },
};
