/**
 * netem's delay distributions: the tables iproute2 installs
 * (`normal.dist`, `pareto.dist`, `paretonormal.dist`, `experimental.dist`),
 * read as `tc` reads them, and their wire form (`TCA_NETEM_DELAY_DIST`, an
 * array of s16).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
// Not node:fs: under Deno it starts the Node layer (~75 ms, 11 MB) for every tc command.
import { readTextOrUndefined } from "../../../sys/files.ts";
import type { Codec } from "../../../wire/table.ts";

/** The most entries tc reads from a table (`MAX_DIST`). */
const MAX_DIST = 16 * 1024;

// The runtime's own API: under Deno, `node:process` would start the Node layer (tens of ms for every tc command).
const g = globalThis as {
  Deno?: { env: { get(k: string): string | undefined }; build: { arch: string } };
  process?: { env: Record<string, string | undefined>; arch: string };
};

/** Where iproute2 keeps its tables: `$TC_LIB_DIR`, then the distributions' usual library directories. */
function libDirs(): string[] {
  let env: string | undefined;
  try {
    env = g.Deno ? g.Deno.env.get("TC_LIB_DIR") : g.process?.env.TC_LIB_DIR;
  } catch { /* Deno without --allow-env: the usual directories only */ }
  // Deno says "x86_64" or "aarch64", as the directories do; Node says "x64" or "arm64".
  const arch = g.Deno ? g.Deno.build.arch : g.process?.arch === "arm64" ? "aarch64" : "x86_64";
  return [...(env ? [env] : []), `/usr/lib/${arch}-linux-gnu/tc`, "/usr/lib/tc", "/usr/lib64/tc", "/usr/local/lib/tc"];
}

/**
 * Reads distribution `name` as tc does: numbers separated by white space,
 * lines starting with `#` skipped. Throws when no table of that name is
 * installed or it is not a table.
 */
export function readDistribution(name: string): number[] {
  if (!/^[\w.-]+$/.test(name)) throw new InvalidArgumentError(`Invalid netem distribution: "${name}"`);
  for (const dir of libDirs()) {
    const text = readTextOrUndefined(`${dir}/${name}.dist`);
    if (text === undefined) continue;
    const out: number[] = [];
    for (const line of text.split("\n")) {
      if (line.startsWith("#")) continue;
      for (const word of line.split(/\s+/)) {
        if (word === "") continue;
        const n = Number(word);
        if (!Number.isInteger(n) || n < -32768 || n > 32767 || out.length >= MAX_DIST) {
          throw new InvalidArgumentError(`Invalid netem distribution table ${dir}/${name}.dist near "${word}"`);
        }
        out.push(n);
      }
    }
    return out;
  }
  throw new InvalidArgumentError(
    `Cannot find netem distribution "${name}" (looked for ${name}.dist in ${libDirs().join(", ")})`,
  );
}

/** `TCA_NETEM_DELAY_DIST`: the table as s16s. */
export const NETEM_DIST: Codec<number[]> = {
  parse(_buf, view, start, end): number[] {
    const out: number[] = [];
    for (let at = start; at + 2 <= end; at += 2) out.push(view.getInt16(at, true));
    return out;
  },
  build(b, table): void {
    for (const n of table) b.scalar("s16", n);
  },
};
