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
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { SKIP } from "./_ct_cli.ts";
import { have } from "./_helpers.ts";
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

test("ct -D -t compares the timeout when other options compare, as conntrack; alone it selects nothing less", {
  skip: SKIP,
}, () => {
  check(runSuite([[
    "timeout",
    `
conntrack -I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state LISTEN -u SEEN_REPLY -t 1000 ; OK
conntrack -I -s 1.1.1.9 -d 2.2.2.9 -p udp --sport 10 --dport 20 -t 1000 ; OK
conntrack -D -s 1.1.1.1 -t 5 ; BAD
conntrack -L -s 1.1.1.1 ; OK
conntrack -D -t 5 ; OK
conntrack -L ; OK
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

test("ct -R -: input lines, blank and tab-only lines, a failing line and a -D that matches nothing, as conntrack", {
  skip: SKIP,
}, () => {
  check(runSuite([[
    "restore",
    [
      "-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state LISTEN -u SEEN_REPLY -t 50 ;",
      ";",
      "\t\t;",
      "-A -w 7 -s 2001:DB8::1 -d 2001:DB8::2 -p udp --sport 10 --dport 20 -t 50 ;",
      "-R - ; OK",
      "-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state LISTEN -u SEEN_REPLY -t 50 ;",
      "-R - ; BAD",
      "-A -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state LISTEN -u SEEN_REPLY -t 50 ;",
      "-D -w 123 ;",
      "-R - ; OK",
      "-L -w 7 -o save ; |s/-w 7/-w 8/g",
      "-R - ; OK",
      "-D -w 8 -f ipv6 ; OK",
      // Without its timeout: -D compares -t, and the entry's timeout may tick between -L and -R.
      "-L -o save -f ipv4 ; |s/-A /-D /g;s/ -t [0-9]*//",
      "-R - ; OK",
      "-L -o save ; OK",
      "-L -R x ; BAD",
      "",
    ].join("\n"),
  ]]));
});

/** A private /etc with conntrack's label names, for every command of a suite run. */
function labelWrap(dir: string): string[] {
  mkdirSync(`${dir}/u/xtables`, { recursive: true });
  mkdirSync(`${dir}/w`);
  writeFileSync(`${dir}/u/xtables/connlabel.conf`, "1 red\n5 blue\n");
  const mount = `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/u,workdir=${dir}/w /etc && exec "$@"`;
  return ["unshare", "-m", "--propagation", "private", "sh", "-c", mount, "sh"];
}

test("ct -o on -D shows neither labels nor kernel times, on -U no kernel times; -U counts label changes as conntrack", {
  skip: SKIP || (!have("nft") && "nft is not installed") || (!have("unshare") && "unshare is not installed"),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-ctlabels-"));
  try {
    // Kernel start times, and a ct label rule so that new entries get label storage.
    const setup = "sysctl -qw net.netfilter.nf_conntrack_timestamp=1 && nft add table inet t && " +
      "nft add chain inet t c '{ type filter hook prerouting priority 0; }' && nft add rule inet t c ct label set 5";
    const tcp = "-p tcp -s 10.0.0.1 -d 10.0.0.2 --dport 80 --state ESTABLISHED -t 300";
    check(runSuite([[
      "outputs",
      `
-I ${tcp} --sport 1000 -u ASSURED -m 5 --label-add red ; OK
-I ${tcp} --sport 1001 --label-add blue,red ; OK
-I -p udp -s ::1 -d ::2 --sport 53 --dport 53 -t 300 --label-add blue ; OK
-L -o labels,ktimestamp,extended,id ; OK
-L -o xml,ktimestamp,labels -l red ; OK
-U -f ipv4 -p tcp --sport 1000 -m 7 -o ktimestamp,labels ; OK
-U -f ipv4 -p tcp --sport 1001 -m 7 -o xml,ktimestamp,labels,id ; OK
-U -f ipv4 -l blue --label-add red -o ktimestamp ; OK
-U -f ipv4 -p tcp --sport 1000 --label-add red ; OK
-U -f ipv4 -p tcp --sport 1000 --label-del blue ; OK
-U -f ipv6 --label-del red ; OK
-U -f ipv6 --label-del ; OK
-U -f ipv6 --label-del ; BAD
-U -f ipv6 --label-add blue ; OK
-G -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 1000 --dport 80 -o xml,ktimestamp,labels ; OK
-D -p tcp --sport 1000 -o ktimestamp,labels,extended ; OK
-D -l red -o xml,labels,ktimestamp,id ; OK
-D -f ipv6 -l blue -o labels ; OK
`.trimStart(),
    ]], { setup, wrap: labelWrap(dir) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    !r.racy && (r.differs.length || (r.conntrackPasses && !r.nlkitPasses && r.alone.conntrack === r.conntrack.code))
  );
  assert.deepEqual(bad.map((r) => `${r.step.file}:${r.step.line} ${r.differs.join(",")} ${r.step.shell}`), []);
});
