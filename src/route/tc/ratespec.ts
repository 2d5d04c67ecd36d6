/**
 * Rate parameters shared by the rate-table kinds (htb, tbf, police): the
 * `tc` words `mtu`, `mpu`, `overhead`, `linklayer`, and their printing.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { LINKLAYER, parseSizeAndCell, type RateSpec, TC_RATESPEC } from "./units.ts";
import { readInt, readRate, readSize, type WordRule, type WordTable } from "./word_table.ts";

/** Link-layer names by `TC_LINKLAYER_*` number. */
export const LINKLAYER_NAMES: { readonly [n: number]: string } = { 0: "unaware", 1: "ethernet", 2: "atm" };

/** Parses a link-layer word (`ethernet`, `atm`, `adsl`). */
export function parseLinklayer(word: string): number {
  if (word === "ethernet") return LINKLAYER.ethernet;
  if (word === "atm" || word === "adsl") return LINKLAYER.atm;
  throw new InvalidArgumentError(`Invalid linklayer: "${word}" (expected ethernet, atm or adsl)`);
}

/** Names a link layer as `tc` prints it. */
export function linklayerName(n: number): string {
  return LINKLAYER_NAMES[n] ?? "unknown";
}

/** A fresh rate spec for `rate` (capped to 32 bits as the kernel's struct holds it). */
export function rateSpec(rate: number, mpu = 0, overhead = 0, linklayer: number = LINKLAYER.ethernet): RateSpec {
  return { cellLog: 0, linklayer, overhead, cellAlign: 0, mpu, rate: rate >= 2 ** 32 ? 0xffffffff : rate };
}

/** The rule of a `SIZE[/CELL]` word: the size into `o[size]`, the cell's log into `o[cell]` when given. */
export function sizeAndCell<O>(size: keyof O, cell: keyof O, once = false): WordRule<O> {
  return {
    key: size,
    once,
    apply(w, word, o): void {
      const v = parseSizeAndCell(w.value(word, "size"));
      (o as Record<keyof O, number>)[size] = v.size;
      if (v.cellLog >= 0) (o as Record<keyof O, number>)[cell] = v.cellLog;
    },
  };
}

/** `overhead N` and `linklayer NAME`, which every rate-table kind takes. */
export const LINK_WORDS: WordTable<{ overhead?: number; linklayer?: number }> = {
  overhead: { key: "overhead", read: readInt(0, 0xffff) },
  linklayer: { key: "linklayer", read: (w, word) => parseLinklayer(w.value(word)) },
};

/** The options a token bucket's words set (tbf, police). */
export interface BucketWordOptions {
  /** Bucket size. */
  burst?: number;
  /** Rate table cell log. */
  cellLog?: number;
  /** Largest packet (peak bucket). */
  mtu?: number;
  /** Peak table cell log. */
  peakCellLog?: number;
  /** Minimum packet size accounted. */
  mpu?: number;
  /** Token rate. */
  rate?: number;
  /** Peak rate. */
  peakrate?: number;
  /** Bytes added to each packet. */
  overhead?: number;
  /** `TC_LINKLAYER_*`. */
  linklayer?: number;
}

/** A token bucket's words (tbf, police); with `once`, a second bucket size, mtu or rate is refused (tbf). */
export function bucketWords(once: boolean): WordTable<BucketWordOptions> {
  const burst = sizeAndCell<BucketWordOptions>("burst", "cellLog", once);
  const mtu = sizeAndCell<BucketWordOptions>("mtu", "peakCellLog", once);
  return {
    ...LINK_WORDS,
    burst,
    buffer: burst,
    maxburst: burst,
    mtu,
    minburst: mtu,
    mpu: { key: "mpu", read: readSize },
    rate: { key: "rate", read: readRate, once },
    peakrate: { key: "peakrate", read: readRate, once },
  };
}

/** The `struct tc_ratespec` fields of a kernel struct, each named `PREFIX_field`. */
export function ratespecFields(prefix: string): { [k: string]: "u8" | "u16" | "s16" | "u32" } {
  return Object.fromEntries(Object.entries(TC_RATESPEC).map(([k, v]) => [`${prefix}_${k}`, v]));
}
