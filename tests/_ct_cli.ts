/**
 * Running `nlkit ct` and `conntrack` side by side in a namespace, for the
 * conntrack CLI tests: same arguments, fresh copies of one table, and
 * everything printed and left behind compared.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { nlkit } from "./_cli.ts";
import { have, NEEDS_ROOT, run } from "./_helpers.ts";

/** Why conntrack tests cannot run here, if they cannot. */
export const SKIP: string | false = NEEDS_ROOT ||
  (!have("conntrack") && "conntrack (conntrack-tools) is not installed");

/** What one run printed. */
export interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs conntrack in the namespace. */
export function conntrack(ns: string, args: string[]): Out {
  const r = spawnSync("ip", ["netns", "exec", ns, "conntrack", ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `nlkit ct` in the namespace. */
export function ours(ns: string, args: string[]): Out {
  return nlkit(["-n", ns, "ct", ...args]);
}

/** Lines with the ticking timeout masked, sorted (dump order is hash order). */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim())
    .map((l) => l.replace(/^((?:ipv[46]\s+\d+ )?\S+\s+\d+ )\d+ /, "$1T ").replace(/ -t \d+ /, " -t T "))
    .sort();
}

/** The stderr lines, with conntrack's program name in place of ours and warnings dropped. */
export function summary(text: string): string[] {
  return text.split("\n").filter((l) => l && !/WARNING|nfct_labelmap_new/.test(l))
    .map((l) =>
      l.replace(/^nlkit v[\d.]+ \(conntrack\)/, "conntrack v1.4.7 (conntrack-tools)").replace("nlkit ct", "conntrack")
        .replace("nlkit ct", "conntrack")
    );
}

/** Runs both tools with the same arguments on fresh copies of the table and compares everything they print and leave. */
export function same(ns: string, args: string[], table: string[][]): { ours: Out; theirs: Out } {
  build(ns, table);
  const theirs = conntrack(ns, args);
  const theirTable = lines(conntrack(ns, ["-L"]).stdout);
  build(ns, table);
  const mine = ours(ns, args);
  const myTable = lines(conntrack(ns, ["-L"]).stdout);
  const what = args.join(" ");
  assert.equal(mine.code, theirs.code, `${what}: exit ${mine.code}, conntrack ${theirs.code}: ${mine.stderr}`);
  assert.deepEqual(lines(mine.stdout), lines(theirs.stdout), `${what}: stdout`);
  assert.deepEqual(summary(mine.stderr), summary(theirs.stderr), `${what}: stderr`);
  assert.deepEqual(myTable, theirTable, `${what}: the table afterwards`);
  return { ours: mine, theirs };
}

/** Flushes the table and creates its entries with conntrack. */
export function build(ns: string, table: string[][]): void {
  conntrack(ns, ["-F"]);
  for (const e of table) run("ip", ["netns", "exec", ns, "conntrack", "-I", ...e, "-t", "3000"]);
}
