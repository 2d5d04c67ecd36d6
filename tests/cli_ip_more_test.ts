/**
 * `ip` words nlkit used to refuse, compared with `ip` (iproute2 6.1) in the
 * same throwaway namespace: stdout and stderr byte for byte, and the exit
 * status (nlkit's policy: 1 where ip's kernel answer failed, 2 for a usage
 * error, where ip exits 2 and 1).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { nlkit } from "./_cli.ts";
import { ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { flushNexthops } from "../src/route/nexthop/api.ts";
import { listRules } from "../src/route/rule/api.ts";
import { InvalidArgumentError } from "../src/wire/invalid.ts";

/** ip's exit status mapped to nlkit's (kernel error 2 → 1, usage error 1 → 2). */
const EXIT: Record<number, number> = { 0: 0, 1: 2, 2: 1 };

function same(ns: string, args: string[]): void {
  const theirs = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
  const ours = nlkit(["-n", ns, ...args]);
  const what = `ip ${args.join(" ")}`;
  assert.equal(ours.stdout, theirs.stdout, `${what}: stdout`);
  assert.equal(ours.stderr, theirs.stderr, `${what}: stderr`);
  assert.equal(ours.code, EXIT[theirs.status!], `${what}: exit ${ours.code}, ip ${theirs.status}`);
}

test("ip parity: route get PREFIX and default (-4, -6)", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    for (const l of ["v0", "v1"]) ip(ns, "link", "set", l, "up");
    ip(ns, "addr", "add", "10.1.2.3/16", "dev", "v0");
    ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
    ip(ns, "route", "add", "10.5.0.0/16", "via", "10.1.0.1");
    ip(ns, "route", "add", "2001:db8:5::/48", "via", "2001:db8::2");
    const cases = [
      // A prefix is looked up as its address, with ip's warning when its length is not the full one.
      ["route", "get", "10.5.0.0/16"],
      ["route", "get", "10.5.0.0/24"],
      ["route", "get", "to", "10.1.0.0/16"],
      ["route", "get", "10.1.0.0/32"],
      ["route", "get", "10.9.0.0/16"],
      ["route", "get", "0.0.0.0/0"],
      ["route", "get", "fibmatch", "10.5.0.0/16"],
      ["route", "get", "2001:db8:5::/48"],
      ["route", "get", "2001:db8::/64"],
      ["route", "get", "::/0"],
      ["-j", "route", "get", "10.5.0.0/16"],
      // default/all/any: the zero address; with -4/-6 ip warns of /0.
      ["route", "get", "default"],
      ["route", "get", "all"],
      ["-j", "route", "get", "any"],
      ["-4", "route", "get", "default"],
      ["-6", "route", "get", "default"],
      ["-6", "route", "get", "any"],
      ["-6", "route", "get", "2001:db8:5::/48"],
      // The family given must be the prefix's.
      ["-4", "route", "get", "2001:db8::/64"],
      ["-6", "route", "get", "10.5.0.0/16"],
      ["route", "get", "10.5.0.0/33"],
    ];
    for (const args of cases) same(ns, args);
  });
});

test("ip parity: nexthop show fdb lists what the kernel sends; flush fdb deletes FDB nexthops only", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    for (const l of ["v0", "v1"]) ip(ns, "link", "set", l, "up");
    ip(ns, "addr", "add", "10.1.2.3/16", "dev", "v0");
    ip(ns, "nexthop", "add", "id", "1", "via", "10.1.0.1", "dev", "v0");
    ip(ns, "nexthop", "add", "id", "2", "via", "10.1.0.2", "fdb");
    ip(ns, "nexthop", "add", "id", "3", "blackhole");
    ip(ns, "nexthop", "add", "id", "4", "group", "2", "fdb");
    ip(ns, "nexthop", "add", "id", "5", "group", "1");
    // ip sends NHA_FDB in the dump request; the kernel may ignore it, and ip prints what comes back.
    for (
      const args of [
        ["nexthop", "show", "fdb"],
        ["nexthop", "show", "f"],
        ["-j", "nexthop", "show", "fdb"],
        ["nexthop", "show", "fdb", "groups"],
        ["-4", "nexthop", "show", "fdb"],
        ["nexthop", "show", "fdb", "dev", "v0"],
      ]
    ) same(ns, args);
    // ip 6.1 has no "blackhole" selector: both refuse it.
    const theirs = spawnSync("ip", ["-n", ns, "nexthop", "show", "blackhole"], { encoding: "utf8" });
    assert.notEqual(theirs.status, 0);
    const ours = nlkit(["-n", ns, "nexthop", "show", "blackhole"]);
    assert.equal(ours.code, 2);
    assert.equal(ours.stdout, "");
    assert.match(ours.stderr, /"blackhole"/);
    // flush never deletes more than asked, even where the kernel ignores the flag (ip would flush all).
    const r = nlkit(["-n", ns, "nexthop", "flush", "fdb"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ip(ns, "nexthop").split("\n").filter(Boolean).map((l) => l.split(" ")[1]), ["1", "3", "5"]);
  });
});

test("flushNexthops refuses kernelFdb before sending anything", async () => {
  await assert.rejects(
    flushNexthops({ fdb: true, kernelFdb: true }, { netns: "nlkit-no-such-ns" }),
    InvalidArgumentError,
  );
});

test("ip parity: rule show l3mdev, uidrange, ipproto, sport, dport", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    // Each selector has rules that differ only in it (same field, other value) and rules without it.
    ip(
      ns,
      "rule",
      "add",
      "uidrange",
      "1-2",
      "ipproto",
      "tcp",
      "sport",
      "5-6",
      "dport",
      "7",
      "table",
      "5",
      "pref",
      "50",
    );
    ip(ns, "rule", "add", "ipproto", "udp", "sport", "5-6", "table", "6", "pref", "51");
    ip(ns, "rule", "add", "ipproto", "tcp", "sport", "5", "dport", "7-9", "table", "7", "pref", "52");
    ip(ns, "rule", "add", "uidrange", "1-3", "table", "8", "pref", "53");
    ip(ns, "rule", "add", "l3mdev", "pref", "54");
    ip(ns, "rule", "add", "dport", "7-8", "table", "9", "pref", "55");
    for (
      const sel of [
        [],
        ["l3mdev"],
        ["uidrange", "1-2"],
        ["uidrange", "1-3"],
        ["ipproto", "tcp"],
        ["ipproto", "17"],
        // ip tests these for non-zero: a zero protocol or port start selects nothing out.
        ["ipproto", "0"],
        ["sport", "0-6"],
        ["sport", "5"],
        ["sport", "5-6"],
        ["dport", "7"],
        ["dport", "7-9"],
        ["ipproto", "tcp", "sport", "5-6"],
      ]
    ) {
      same(ns, ["rule", "show", ...sel]);
      same(ns, ["-j", "rule", "show", ...sel]);
    }
    for (const bad of [["uidrange", "1"], ["sport", "x"], ["dport", "1-2-3"], ["ipproto", "bogus"]]) {
      const r = nlkit(["-n", ns, "rule", "show", ...bad]);
      assert.equal(r.code, 2, `${bad.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /is wrong/);
    }
  });
});

test("rule selectors: bad values are refused before sending anything", async () => {
  const opts = { netns: "nlkit-no-such-ns" };
  for (
    const f of [
      { ipProto: 256 },
      { ipProto: "bogus" },
      { sportRange: { start: 1, end: 70000 } },
      { dportRange: { start: 1 } as never },
      { uidRange: { start: -1, end: 2 } },
      { l3mdev: 1 as never },
    ]
  ) await assert.rejects(listRules(f, opts), InvalidArgumentError, JSON.stringify(f));
});

test("ip parity: neigh show unused", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    for (const l of ["v0", "v1"]) ip(ns, "link", "set", l, "up");
    ip(ns, "addr", "add", "10.1.2.3/16", "dev", "v0");
    // A REACHABLE entry's timer holds a reference (refcnt 1) for base_reachable_time: an hour here.
    run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.neigh.v0.base_reachable_time_ms=3600000"]);
    ip(ns, "neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "v0", "nud", "reachable");
    ip(ns, "neigh", "add", "10.1.0.1", "lladdr", "02:00:00:00:00:01", "dev", "v0", "nud", "permanent");
    ip(ns, "neigh", "add", "10.1.0.7", "lladdr", "02:00:00:00:00:07", "dev", "v0", "nud", "stale");
    assert.match(ip(ns, "-s", "neigh", "show", "10.1.0.9"), / ref 1 /, "the held entry this test needs");
    for (
      const args of [
        ["neigh", "show", "unused"],
        ["-j", "neigh", "show", "unused"],
        ["neigh", "show", "unused", "nud", "reachable"],
        ["neigh", "show", "unused", "dev", "v0"],
      ]
    ) same(ns, args);
    assert.doesNotMatch(nlkit(["-n", ns, "neigh", "show", "unused"]).stdout, /10\.1\.0\.9/);
  });
});
