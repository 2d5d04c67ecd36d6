/**
 * ip's TOS / DS field words (`rtnl_dsfield_a2n`): the names of
 * `/etc/iproute2/rt_dsfield`, else a hex number, 0 to 255.
 *
 * @module
 */

import { invalidArgument } from "./numbers.ts";

/** rt_dsfield names (`/etc/iproute2/rt_dsfield`). */
const DSFIELD: Record<string, number> = {
  default: 0,
  AF11: 0x28,
  AF12: 0x30,
  AF13: 0x38,
  AF21: 0x48,
  AF22: 0x50,
  AF23: 0x58,
  AF31: 0x68,
  AF32: 0x70,
  AF33: 0x78,
  AF41: 0x88,
  AF42: 0x90,
  AF43: 0x98,
  CS1: 0x20,
  CS2: 0x40,
  CS3: 0x60,
  CS4: 0x80,
  CS5: 0xa0,
  CS6: 0xc0,
  CS7: 0xe0,
  EF: 0xb8,
};

/** A `tos`/`dsfield` word as ip reads it; ip's "TOS value is invalid" otherwise. */
export function dsfield(word: string): number {
  if (Object.hasOwn(DSFIELD, word)) return DSFIELD[word];
  const n = /^(0[xX])?[0-9a-fA-F]+$/.test(word) ? parseInt(word.replace(/^0[xX]/, ""), 16) : NaN;
  if (!(n <= 255)) throw invalidArgument(word, "TOS value is invalid");
  return n;
}
