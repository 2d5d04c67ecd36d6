/**
 * Classifier flags (`skip_hw`, `skip_sw`, `in_hw`, `not_in_hw`) printed as
 * the classifiers print them: u32 and bpf after a space, matchall and
 * flower on lines of their own.
 *
 * @module
 */

import type { TcPrinter } from "../printer.ts";

/** Prints `TCA_CLS_FLAGS_*` bits; `lines`: each on its own indented line. */
export function printClsFlags(p: TcPrinter, flags: number, lines: boolean): void {
  const fmt = (word: string) => (lines ? `\n  ${word}` : `${word} `);
  if (flags & 1) p.bool("skip_hw", fmt("skip_hw"), true);
  if (flags & 2) p.bool("skip_sw", fmt("skip_sw"), true);
  if (flags & 4) p.bool("in_hw", fmt("in_hw"), true);
  else if (flags & 8) p.bool("not_in_hw", fmt("not_in_hw"), true);
}
