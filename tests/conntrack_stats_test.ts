/**
 * Conntrack statistics: captured count and per-CPU replies parsed and
 * formatted like `conntrack -C`/`-S`, fuzzing, and a live comparison.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { MalformedError, TruncatedError } from "../src/wire/errors.ts";
import {
  conntrackCount,
  conntrackCpuStats,
  cpuStatsToJson,
  expectCpuStats,
  expectCpuStatsToJson,
  formatCpuStats,
  formatExpectCpuStats,
  parseConntrackCount,
  parseConntrackCpuStats,
  parseExpectCpuStats,
} from "../src/netfilter/conntrack/stats.ts";
import { NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { hexMessage, unhex } from "./_vectors.ts";

// Captured from Linux 6.18 (a netns with one entry created on CPU 1).
const COUNT_REPLY = "240000000501020001301dcb7c1900000000000008000100000000010800020000040000";
const CPU1_REPLY = "640000000401020002301dcb7c1900000000000108000200000000000800040000000000080008000000000108000900" +
  "0000000008000a000000000008000b000000000008000c000000000008000d000000000008000e000000000008000f0000000000";
const EXP_CPU1_REPLY = "2c0000000301020003301dcb7c19000000000001" + "080001000000000008000200000000030800030000000002";

test("parses a captured IPCTNL_MSG_CT_GET_STATS reply", () => {
  assert.deepEqual(parseConntrackCount(hexMessage(COUNT_REPLY)), { count: 1, max: 262144 });
});

test("parses and formats a captured per-CPU stats reply like conntrack -S", () => {
  const s = parseConntrackCpuStats(hexMessage(CPU1_REPLY));
  assert.equal(s.cpu, 1);
  assert.equal(s.insert, 1);
  assert.equal(s.chainTooLong, 0);
  assert.equal(s.searched, undefined); // not sent by this kernel, so not printed
  assert.equal(
    formatCpuStats(s),
    "cpu=1   \tfound=0 invalid=0 insert=1 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 " +
      "clash_resolve=0 chaintoolong=0 ",
  );
  assert.deepEqual(cpuStatsToJson(s), {
    cpu: 1,
    found: 0,
    invalid: 0,
    insert: 1,
    insert_failed: 0,
    drop: 0,
    early_drop: 0,
    error: 0,
    search_restart: 0,
    clash_resolve: 0,
    chaintoolong: 0,
  });
});

test("parses and formats a per-CPU expectation stats reply like conntrack -S expect", () => {
  const s = parseExpectCpuStats(hexMessage(EXP_CPU1_REPLY));
  assert.deepEqual({ ...s }, { cpu: 1, new: 0, create: 3, delete: 2 });
  assert.equal(formatExpectCpuStats(s), "cpu=1   \texpect_new=0 expect_create=3 expect_delete=2 ");
  assert.deepEqual(expectCpuStatsToJson(s), { cpu: 1, expect_new: 0, expect_create: 3, expect_delete: 2 });
});

test("a stats reply without entries is malformed", () => {
  // header + nfgenmsg only
  assert.throws(() => parseConntrackCount(hexMessage("140000000501020001301dcb7c19000000000000")), MalformedError);
});

test("stats parsers throw only typed errors on random and mutated bytes", () => {
  const seeds = [COUNT_REPLY, CPU1_REPLY, EXP_CPU1_REPLY].map(unhex);
  const parsers = [parseConntrackCount, parseConntrackCpuStats, parseExpectCpuStats];
  assertOnlyTypedErrors(seeds, parsers, {
    numRuns: 3000,
    maxLength: 120,
    maxEdits: 6,
    typed: [TruncatedError, MalformedError],
  });
});

function lines(out: string): string[] {
  return out.replace(/\n$/, "").split("\n");
}

function conntrack(ns: string, ...args: string[]): string {
  return run("ip", ["netns", "exec", ns, "conntrack", ...args]);
}

test("conntrackCount and conntrackCpuStats agree with conntrack -C and -S", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    for (let i = 0; i < 3; i++) {
      conntrack(
        ns,
        "-I",
        "-p",
        "udp",
        "-s",
        "10.9.0.1",
        "-d",
        "10.9.0.2",
        "--sport",
        `${1000 + i}`,
        "--dport",
        "53",
        "-t",
        "60",
      );
    }
    conntrack(
      ns,
      "-I",
      "-p",
      "tcp",
      "-s",
      "fd00::1",
      "-d",
      "fd00::2",
      "--sport",
      "1",
      "--dport",
      "2",
      "--state",
      "ESTABLISHED",
      "-t",
      "60",
    );
    const { count, max } = await conntrackCount({ netns: ns });
    assert.equal(count, 4);
    assert.equal(String(count), conntrack(ns, "-C").trim());
    const sysMax = Number(run("ip", ["netns", "exec", ns, "cat", "/proc/sys/net/netfilter/nf_conntrack_max"]).trim());
    assert.equal(max, sysMax);

    const stats = await conntrackCpuStats({ netns: ns });
    const oracle = lines(conntrack(ns, "-S"));
    assert.deepEqual(stats.map(formatCpuStats), oracle);
    assert.equal(stats.reduce((n, s) => n + (s.insert ?? 0), 0), 4);

    const exp = await expectCpuStats({ netns: ns });
    assert.deepEqual(exp.map(formatExpectCpuStats), lines(conntrack(ns, "-S", "expect")));
  });
});
