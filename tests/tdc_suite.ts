/**
 * Runs the kernel's tc test suite (tdc) on `tc` and `nlkit tc` and reports,
 * case by case, PASS, FAIL or SKIP for each tool. Needs root (each case gets
 * a throwaway namespace) and tc. The suite is GPL and is not copied here:
 * `TDC_DIR` names a copy of the kernel's `tools/testing/selftests/tc-testing`
 * (or of its `tc-tests` directory).
 *
 * ```sh
 * TDC_DIR=/tmp/tc-testing node_modules/.bin/deno run -A tests/tdc_suite.ts qdiscs/htb filters/u32
 * TDC_DIR=/tmp/tc-testing node_modules/.bin/bun tests/tdc_suite.ts -v 0904
 * ```
 *
 * Arguments: `-v` (print both tools' output for each case nlkit fails and
 * tc passes), then filters: a case runs when its file path (e.g.
 * `qdiscs/htb.json`) or its id contains one of them (all cases when none).
 * nlkit's exit codes are judged by its own convention (1 when the kernel
 * refuses, 2 for a bad command line; tc exits 2 and 1 or 255): the last
 * column counts the cases nlkit passes with tc's very exit code. Exit
 * status 1 when nlkit fails a case that tc passes.
 *
 * @module
 */

import process from "node:process";
import { type CaseResult, loadCases, runCases } from "./_tdc_suite.ts";

const dir = process.env.TDC_DIR;
if (!dir) {
  console.error("tdc_suite: set TDC_DIR to the kernel's tools/testing/selftests/tc-testing directory");
  process.exit(2);
}
const argv = process.argv.slice(2);
const verbose = argv[0] === "-v";
const cases = loadCases(dir, verbose ? argv.slice(1) : argv);
const mark = (o: CaseResult["tc"]) => o.result === "PASS" ? "PASS" : `${o.result}(${o.why})`;
const results = runCases(cases, (r) => {
  console.log(`${r.case.file} ${r.case.id} tc ${mark(r.tc)} nlkit ${mark(r.nlkit)}  ${r.case.name}`);
  if (verbose && r.tc.result === "PASS" && r.nlkit.result !== "PASS") {
    console.log(`  tc:\n${r.tc.output.replace(/^/gm, "    ")}\n  nlkit:\n${r.nlkit.output.replace(/^/gm, "    ")}`);
  }
});

const count = (f: (r: CaseResult) => boolean) => results.filter(f).length;
const files = [...new Set(results.map((r) => r.case.file ?? "?"))];
console.log("\nfile                         cases  tc-pass  nlkit-pass(of tc-pass)  nlkit-only  same-exit");
for (const f of [...files, "all"]) {
  const mine = (r: CaseResult) => f === "all" || r.case.file === f;
  const tcPass = count((r) => mine(r) && r.tc.result === "PASS");
  const both = count((r) => mine(r) && r.tc.result === "PASS" && r.nlkit.result === "PASS");
  const only = count((r) => mine(r) && r.tc.result !== "PASS" && r.nlkit.result === "PASS");
  const same = count((r) => mine(r) && r.tc.result === "PASS" && r.nlkit.result === "PASS" && !!r.nlkit.sameExit);
  console.log(
    `${f.padEnd(28)} ${String(count(mine)).padStart(5)}  ${String(tcPass).padStart(7)}  ` +
      `${String(both).padStart(10)}              ${String(only).padStart(10)}  ${String(same).padStart(9)}`,
  );
}
process.exit(count((r) => r.tc.result === "PASS" && r.nlkit.result !== "PASS") ? 1 : 0);
