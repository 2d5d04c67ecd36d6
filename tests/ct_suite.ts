/**
 * Runs conntrack-tools' testsuite on `conntrack` and `nlkit ct` and reports,
 * line by line, where each passes and where nlkit differs from conntrack.
 * Needs root (it makes two throwaway namespaces) and conntrack.
 *
 * ```sh
 * # the suite files, from a conntrack-tools checkout (GPL: not copied here)
 * git -C conntrack-tools archive HEAD tests/conntrack/testsuite | tar -x -C /tmp
 * node_modules/.bin/deno run -A tests/ct_suite.ts /tmp/tests/conntrack/testsuite
 * node_modules/.bin/bun tests/ct_suite.ts /tmp/tests/conntrack/testsuite 03nat
 * NLKIT_BIN=dist/nlkit node_modules/.bin/deno run -A tests/ct_suite.ts DIR
 * ```
 *
 * Arguments: the testsuite directory, then optionally the files to run (all,
 * in name order as test-conntrack.c runs them, by default). `-v` prints both
 * tools' output for every differing line. Exit status 1 when nlkit fails a
 * line conntrack passes or differs from conntrack anywhere.
 *
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { runSuite, type StepResult } from "./_ct_suite.ts";

function show(r: StepResult): string {
  const s = r.step;
  const mark = (p: boolean) => p ? "pass" : "FAIL";
  const cmd = s.shell.replace(/\n/g, "\\n");
  const timing = r.native !== r.conntrack.code ? ` [timing: conntrack alone exits ${r.native}]` : "";
  return `${s.file}:${s.line} ${s.expect.padEnd(3)} conntrack ${mark(r.conntrackPasses)} (${r.conntrack.code}) ` +
    `nlkit ${mark(r.nlkitPasses)} (${r.nlkit.code})${r.differs.length ? ` differs: ${r.differs.join(",")}` : ""}` +
    `${timing}${r.known ? ` [known: ${r.known}]` : ""}  ${cmd.length > 140 ? cmd.slice(0, 137) + "..." : cmd}`;
}

function detail(r: StepResult): string {
  const out: string[] = [];
  for (const [who, o] of [["conntrack", r.conntrack], ["nlkit", r.nlkit]] as const) {
    out.push(`    ${who} stdout: ${JSON.stringify(o.stdout)}`, `    ${who} stderr: ${JSON.stringify(o.stderr)}`);
    if (r.differs.includes("table")) out.push(`    ${who} table: ${JSON.stringify(o.table)}`);
  }
  return out.join("\n");
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const verbose = argv.includes("-v");
  const [dir, ...only] = argv.filter((a) => a !== "-v");
  if (!dir) {
    console.error("usage: ct_suite.ts [-v] TESTSUITE_DIR [FILE...]");
    process.exit(2);
  }
  const names = only.length ? only : readdirSync(dir).filter((n) => !n.startsWith(".")).sort();
  const files = names.map((n): [string, string] => [n, readFileSync(join(dir, n), "utf8")]);
  const results = runSuite(files, (r) => {
    console.log(show(r));
    if (verbose && r.differs.length) console.log(detail(r));
  });
  const count = (f: (r: StepResult) => boolean) => results.filter(f).length;
  console.log(
    `lines: ${results.length}; conntrack alone passes ${
      count((r) => (r.native === 0) === (r.step.expect === "OK"))
    }, side by side conntrack passes ${count((r) => r.conntrackPasses)}, ` +
      `nlkit passes ${count((r) => r.nlkitPasses)}; nlkit differs from conntrack on ${
        count((r) => r.differs.length > 0)
      } (exit ${count((r) => r.differs.includes("exit"))}, stdout ${count((r) => r.differs.includes("stdout"))}, ` +
      `stderr ${count((r) => r.differs.includes("stderr"))}, table ${count((r) => r.differs.includes("table"))})`,
  );
  process.exit(results.some((r) => (r.conntrackPasses && !r.nlkitPasses) || r.differs.length) ? 1 : 0);
}
