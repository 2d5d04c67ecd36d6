/**
 * Classifier flags (`skip_hw`, `skip_sw`, `in_hw`, `not_in_hw`): read from
 * tc's words and printed as the classifiers print them: u32 and bpf after a
 * space, matchall and flower on lines of their own.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { TcPrinter } from "../printer.ts";

/** Sets the `TCA_CLS_FLAGS_*` bit of tc's word `skip_hw` (1) or `skip_sw` (2) in `o.flags`; false for any other word. */
export function clsFlagWord(word: string, o: { flags?: number }): boolean {
  const bit = word === "skip_hw" ? 1 : word === "skip_sw" ? 2 : 0;
  if (bit) o.flags = (o.flags ?? 0) | bit;
  return bit !== 0;
}

/** Refuses `skip_hw` with `skip_sw`, as the kernel's classifiers do. */
export function checkClsFlags(flags: number | undefined): void {
  if (flags && (flags & 3) === 3) throw new InvalidArgumentError("Cannot set both skip_hw and skip_sw");
}

/** Prints `TCA_CLS_FLAGS_*` bits; `lines`: each on its own indented line. */
export function printClsFlags(p: TcPrinter, flags: number, lines: boolean): void {
  const fmt = (word: string) => (lines ? `\n  ${word}` : `${word} `);
  if (flags & 1) p.bool("skip_hw", fmt("skip_hw"), true);
  if (flags & 2) p.bool("skip_sw", fmt("skip_sw"), true);
  if (flags & 4) p.bool("in_hw", fmt("in_hw"), true);
  else if (flags & 8) p.bool("not_in_hw", fmt("not_in_hw"), true);
}
