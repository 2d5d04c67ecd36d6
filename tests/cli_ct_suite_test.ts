/**
 * `nlkit ct` on lines in the form of conntrack-tools' own testsuite
 * (`ARGS ; OK|BAD`, input lines for `-R -`, `|SED` pipes), each run with
 * conntrack and with nlkit in twin namespaces by tests/_ct_suite.ts, which
 * compares exit codes, stdout, stderr and the table left behind. The cases
 * are the places where nlkit used to differ from conntrack 1.4.7 on that
 * suite. With `CONNTRACK_TESTSUITE=DIR` (conntrack-tools'
 * `tests/conntrack/testsuite`) the whole upstream suite runs too.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { SKIP } from "./_ct_cli.ts";
import { runSuite, type StepResult } from "./_ct_suite.ts";

/** Fails with every line where nlkit and conntrack part, or where nlkit misses what the suite expects. */
function check(results: StepResult[]): void {
  const bad = results.filter((r) => r.differs.length || (r.conntrackPasses && !r.nlkitPasses));
  assert.deepEqual(
    bad.map((r) => ({
      line: `${r.step.file}:${r.step.line} ${r.step.shell}`,
      differs: r.differs,
      conntrack: [r.conntrack.code, r.conntrack.stdout, r.conntrack.stderr],
      nlkit: [r.nlkit.code, r.nlkit.stdout, r.nlkit.stderr],
    })),
    [],
  );
  // A case the suite's expectation does not hold for on conntrack is a broken case, not a pass.
  assert.deepEqual(results.filter((r) => !r.conntrackPasses).map((r) => `${r.step.file}:${r.step.line}`), []);
}

test("ct: a stray first word is skipped as conntrack skips it (`conntrack -L` in the suite's 02filter)", {
  skip: SKIP,
}, () => {
  check(runSuite([[
    "stray",
    `
conntrack -I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state LISTEN -u SEEN_REPLY -t 50 ; OK
conntrack -I -s 1.1.1.9 -d 2.2.2.9 -p udp --sport 10 --dport 20 -t 50 ; OK
conntrack -L -s 1.1.1.1 ; OK
conntrack -U -s 1.1.1.1 -m 1 ; OK
conntrack -L -m 1 ; OK
x -L -s 1.1.1.0/24 -d 2.3.4.5/8 ; OK
conntrack -L -s 2.2.2.2 -d ::1 ; BAD
conntrack -D -d 2.2.2.2 ; OK
conntrack -D -d 2.2.2.2 ; BAD
`.trimStart(),
  ]]));
});

test("ct: protocol options are unknown until -p names the protocol, as conntrack's getopt reads them", {
  skip: SKIP,
}, () => {
  check(runSuite([[
    "proto-order",
    `
-I -s 1.1.1.1 -d 2.2.2.2 --sport 10 --dport 20 --state LISTEN -u SEEN_REPLY -t 50 ; BAD
-I -s 1.1.1.1 -d 2.2.2.2 --state LISTEN -p tcp --sport 10 --dport 20 -t 50 ; BAD
-L --sport 10 -p tcp ; BAD
-L -p tcp --state LISTEN --sport 5 ; OK
-L -p udp --state LISTEN ; BAD
-L -p icmp --sport 1 ; BAD
-L -p 200 --sport 1 ; BAD
`.trimStart(),
  ]]));
});

test("ct: the upstream conntrack-tools testsuite (CONNTRACK_TESTSUITE=DIR)", {
  skip: SKIP || (!process.env.CONNTRACK_TESTSUITE && "set CONNTRACK_TESTSUITE to conntrack-tools' testsuite directory"),
}, () => {
  const dir = process.env.CONNTRACK_TESTSUITE!;
  const files = readdirSync(dir).filter((n) => !n.startsWith(".")).sort()
    .map((n): [string, string] => [n, readFileSync(join(dir, n), "utf8")]);
  const results = runSuite(files);
  // Lines whose outcome depends on how fast the run goes (an entry expires meanwhile) are compared, not judged.
  const bad = results.filter((r) =>
    r.differs.length || (r.conntrackPasses && !r.nlkitPasses && r.alone.conntrack === r.conntrack.code)
  );
  assert.deepEqual(bad.map((r) => `${r.step.file}:${r.step.line} ${r.differs.join(",")} ${r.step.shell}`), []);
});
