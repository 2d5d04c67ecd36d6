/**
 * The tdc runner (tests/_tdc_suite.ts) on cases of our own in the kernel
 * tc test suite's form, each run with tc and with nlkit; with
 * `TDC_DIR=DIR` (the kernel's `tools/testing/selftests/tc-testing`) the
 * upstream suite runs too, and nlkit must pass every case tc passes.
 *
 * @module
 */

import assert from "node:assert/strict";
import process from "node:process";
import { test } from "node:test";
import { have, NEEDS_ROOT } from "./_helpers.ts";
import { loadCases, matchJson, nlkitExit, runCases, type TdcCase } from "./_tdc_suite.ts";

const skip = NEEDS_ROOT || (have("tc") ? false : "needs tc (iproute2)");

/** A case in tdc's form, with its teardown left to the namespace's deletion. */
const tdcCase = (id: string, c: Partial<TdcCase>): TdcCase => ({
  id,
  name: id,
  setup: [],
  cmdUnderTest: "true",
  expExitCode: "0",
  verifyCmd: "true",
  matchCount: "1",
  teardown: [],
  ...c,
});

test("tdc's JSON matching: a subset of the output's keys and list items, by verify_by_json's rules", () => {
  const out = JSON.stringify([{ kind: "htb", handle: "1:", options: { r2q: 10, direct_qlen: 1000 } }, { kind: "x" }]);
  assert.equal(matchJson(out, [{ kind: "htb", options: { r2q: 10 } }]), true);
  assert.equal(matchJson(out, [{ kind: "htb" }, { kind: "x" }]), true);
  assert.equal(matchJson(out, [{ kind: "tbf" }]), false);
  assert.equal(matchJson(out, [{ kind: "htb", options: { r2q: 5 } }]), false);
  assert.equal(matchJson(out, [{ missing: 1 }]), false);
  assert.equal(matchJson(out, [{}, {}, {}]), false);
  assert.equal(matchJson(out, { kind: "htb" }), false);
  assert.equal(matchJson("not json", []), false);
});

test("nlkit's exit codes stand for tc's: a kernel refusal is 1, a bad command line 2", () => {
  assert.deepEqual(nlkitExit(0), [0]);
  assert.deepEqual(nlkitExit(2), [1, 2]);
  assert.deepEqual(nlkitExit(1), [1, 2]);
  assert.deepEqual(nlkitExit(255), [1, 2]);
});

test("tdc cases of our own pass with tc and with nlkit; a wrong expectation fails with both", { skip }, () => {
  const cases = [
    tdcCase("h1", {
      setup: [["$TC qdisc del dev $DUMMY root", 0, 2]],
      cmdUnderTest: "$TC qdisc add dev $DUMMY root handle 1: htb default 20",
      verifyCmd: "$TC -s qdisc show dev $DUMMY",
      matchPattern: "qdisc htb 1: root refcnt [0-9]+ r2q 10 default 0x20.*\\n Sent [0-9]+ bytes",
    }),
    tdcCase("h2", {
      cmdUnderTest: "$TC qdisc add dev $DUMMY root handle 1: htb r2q 7",
      verifyCmd: "$TC -j qdisc show dev $DUMMY",
      matchJSON: [{ kind: "htb", handle: "1:", options: { r2q: 7, direct_qlen: 1000 } }],
    }),
    tdcCase("h3", {
      cmdUnderTest: "$TC qdisc del dev $DUMMY root handle 7:",
      expExitCode: "2",
      verifyCmd: "$TC qdisc show dev $DUMMY",
      matchPattern: "qdisc 7:",
      matchCount: "0",
    }),
    tdcCase("m1", {
      setup: [
        "$TC actions add action mirred ingress mirror dev $DEV1 index 3",
        "$TC actions add action mirred egress redirect index 4 dev lo",
      ],
      cmdUnderTest: "$TC actions del action mirred index 3",
      verifyCmd: "$TC actions ls action mirred",
      matchPattern: "^[ \t]+index [0-9]+ ref",
    }),
    tdcCase("bad", {
      cmdUnderTest: "$TC qdisc add dev $DUMMY root handle 1: pfifo limit 5",
      verifyCmd: "$TC qdisc show dev $DUMMY",
      matchPattern: "limit 6p",
    }),
  ];
  const results = runCases(cases);
  const seen = results.map((r) => [r.case.id, r.tc.result, r.nlkit.result, r.tc.why, r.nlkit.why]);
  assert.deepEqual(seen, [
    ["h1", "PASS", "PASS", "", ""],
    ["h2", "PASS", "PASS", "", ""],
    ["h3", "PASS", "PASS", "", ""],
    ["m1", "PASS", "PASS", "", ""],
    [
      "bad",
      "FAIL",
      "FAIL",
      "verify: pattern found 0 times, expected 1",
      "verify: pattern found 0 times, expected 1",
    ],
  ]);
  assert.deepEqual(results.map((r) => r.nlkit.sameExit), [true, true, false, true, true]);
});

test("the kernel's tc test suite (TDC_DIR=DIR): nlkit passes every case tc passes", {
  skip: skip || (!process.env.TDC_DIR && "set TDC_DIR to the kernel's tools/testing/selftests/tc-testing directory"),
}, () => {
  const filters = (process.env.TDC_FILTER ?? "").split(",").filter(Boolean);
  const results = runCases(loadCases(process.env.TDC_DIR!, filters));
  const bad = results.filter((r) => r.tc.result === "PASS" && r.nlkit.result !== "PASS");
  assert.deepEqual(bad.map((r) => `${r.case.file} ${r.case.id} ${r.nlkit.why}\n${r.nlkit.output}`), []);
});
