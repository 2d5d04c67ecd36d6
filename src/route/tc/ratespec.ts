/**
 * Rate parameters shared by the rate-table kinds (htb, tbf, police): the
 * `tc` words `mtu`, `mpu`, `overhead`, `linklayer`, and their printing.
 *
 * @module
 */

import { LINKLAYER, parseSizeAndCell, type RateSpec } from "./units.ts";
import type { TcWords } from "./words.ts";

/** Link-layer names by `TC_LINKLAYER_*` number. */
export const LINKLAYER_NAMES: { readonly [n: number]: string } = { 0: "unaware", 1: "ethernet", 2: "atm" };

/** Parses a link-layer word (`ethernet`, `atm`, `adsl`). */
export function parseLinklayer(word: string): number {
  if (word === "ethernet") return LINKLAYER.ethernet;
  if (word === "atm" || word === "adsl") return LINKLAYER.atm;
  throw new TypeError(`Invalid linklayer: "${word}" (expected ethernet, atm or adsl)`);
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

/** Reads a u64 attribute value as a number (rates above 2^53 bytes/s are out of reach anyway). */
export function readU64(view: DataView, off: number): number {
  return view.getUint32(off, true) + view.getUint32(off + 4, true) * 0x1_0000_0000;
}
