/**
 * Runs conntrack-tools' testsuite on `conntrack` and `nlkit ct` and reports,
 * line by line, where each passes and where nlkit differs from conntrack.
 * Needs root (it makes throwaway namespaces) and conntrack.
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
 * in name order as test-conntrack.c runs them, by default). The suite runs
 * three times: on conntrack alone, on nlkit alone (what a user of the suite
 * sees; `-q` skips it), then on both side by side, where everything is
 * compared. `-v` prints both tools' output for every differing line. Exit
 * status 1 when nlkit fails a line conntrack passes in the same run, or
 * differs from conntrack other than on purpose.
 *
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { runSuite, type StepResult } from "./_ct_suite.ts";

/** Whether an exit code is what the suite expects of the line. */
const passes = (r: StepResult, code: number | undefined): boolean => (code === 0) === (r.step.expect === "OK");

function show(r: StepResult): string {
  const s = r.step;
  const mark = (code: number | undefined) => code === undefined ? "-" : `${passes(r, code) ? "pass" : "FAIL"}(${code})`;
  const cmd = s.shell.replace(/\n/g, "\\n");
  return `${s.file}:${s.line} ${s.expect.padEnd(3)} alone: conntrack ${mark(r.alone.conntrack)} ` +
    `nlkit ${mark(r.alone.nlkit)}; side by side: conntrack ${mark(r.conntrack.code)} nlkit ${mark(r.nlkit.code)}` +
    `${r.differs.length ? ` differs: ${r.differs.join(",")}` : ""}${r.known ? ` [known: ${r.known}]` : ""}` +
    `${r.racy ? " [timing: an entry was about to expire]" : ""}  ` +
    (cmd.length > 140 ? cmd.slice(0, 137) + "..." : cmd);
}

function detail(r: StepResult): string {
  const out: string[] = [];
  for (const [who, o] of [["conntrack", r.conntrack], ["nlkit", r.nlkit]] as const) {
    out.push(`    ${who} stdout: ${JSON.stringify(o.stdout)}`, `    ${who} stderr: ${JSON.stringify(o.stderr)}`);
    if (r.differs.includes("table")) out.push(`    ${who} table: ${JSON.stringify(o.table)}`);
  }
  return out.join("\n");
}

function totals(results: StepResult[], quick: boolean): string {
  const count = (f: (r: StepResult) => boolean) => results.filter(f).length;
  const differ = (d: string) => count((r) => r.differs.includes(d));
  return `lines: ${results.length}; alone: conntrack passes ${count((r) => passes(r, r.alone.conntrack))}` +
    (quick ? "" : `, nlkit passes ${count((r) => passes(r, r.alone.nlkit))}`) +
    `; side by side: conntrack passes ${count((r) => r.conntrackPasses)}, nlkit passes ${count((r) => r.nlkitPasses)}` +
    `; nlkit differs from conntrack on ${count((r) => r.differs.length > 0)} (exit ${differ("exit")}, ` +
    `stdout ${differ("stdout")}, stderr ${differ("stderr")}, table ${differ("table")}), ` +
    `on purpose on ${count((r) => !!r.known)}, with an entry about to expire on ${
      count((r) => r.racy && r.differs.length > 0)
    }`;
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const verbose = argv.includes("-v"), quick = argv.includes("-q");
  const [dir, ...only] = argv.filter((a) => a !== "-v" && a !== "-q");
  if (!dir) {
    console.error("usage: ct_suite.ts [-v] [-q] TESTSUITE_DIR [FILE...]");
    process.exit(2);
  }
  const names = only.length ? only : readdirSync(dir).filter((n) => !n.startsWith(".")).sort();
  const files = names.map((n): [string, string] => [n, readFileSync(join(dir, n), "utf8")]);
  const results = runSuite(files, {
    nlkitAlone: !quick,
    each: (r) => {
      console.log(show(r));
      if (verbose && r.differs.length) console.log(detail(r));
    },
  });
  console.log(totals(results, quick));
  const bad = results.some((r) =>
    !r.racy && (r.differs.length || (r.conntrackPasses && !r.nlkitPasses)) ||
    (!quick && passes(r, r.alone.conntrack) && !passes(r, r.alone.nlkit))
  );
  process.exit(bad ? 1 : 0);
}
