/**
 * Rate parameters shared by the rate-table kinds (htb, tbf, police): the
 * `tc` words `mtu`, `mpu`, `overhead`, `linklayer`, and their printing.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { LINKLAYER, parseSizeAndCell, type RateSpec, TC_RATESPEC } from "./units.ts";
import type { TcWords } from "./words.ts";

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

/** Reads `SIZE[/CELL]` after `word` into `o[size]`, and the cell's log into `o[cell]` when given. */
export function sizeAndCellWords<O>(w: TcWords, word: string, o: O, size: keyof O, cell: keyof O): void {
  const v = parseSizeAndCell(w.value(word, "size"));
  (o as Record<keyof O, number>)[size] = v.size;
  if (v.cellLog >= 0) (o as Record<keyof O, number>)[cell] = v.cellLog;
}

/** Reads `overhead N` or `linklayer NAME`, which every rate-table kind takes; false for any other word. */
export function linkWords(w: TcWords, word: string, o: { overhead?: number; linklayer?: number }): boolean {
  if (word === "overhead") o.overhead = w.int(word, 0, 0xffff);
  else if (word === "linklayer") o.linklayer = parseLinklayer(w.value(word));
  else return false;
  return true;
}

/** The `struct tc_ratespec` fields of a kernel struct, each named `PREFIX_field`. */
export function ratespecFields(prefix: string): { [k: string]: "u8" | "u16" | "s16" | "u32" } {
  return Object.fromEntries(Object.entries(TC_RATESPEC).map(([k, v]) => [`${prefix}_${k}`, v]));
}
