/**
 * `nlkit nexthop` against `ip nexthop` in the same namespace: text, JSON,
 * filters, changes, flush, buckets, monitor and exit codes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { followWhile, nlkit, ok } from "./_cli.ts";
import { ip, ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

function setup(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "p0");
  ip(ns, "link", "add", "v1", "type", "veth", "peer", "name", "p1");
  for (const l of ["v0", "p0", "v1", "p1"]) ip(ns, "link", "set", l, "up");
  ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
  ip(ns, "-6", "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
}

/** Nexthop add command lines, given to ip in one namespace and to nlkit in another. */
const ADDS = [
  "id 1 via 10.1.0.2 dev v0",
  "id 2 via 10.1.0.3 dev v0 onlink proto static",
  "id 3 blackhole",
  "id 4 dev v1",
  "id 5 via 2001:db8::2 dev v0",
  "id 6 via 10.1.0.9 fdb",
  "id 10 group 1/2,5",
  "id 11 group 1,2/2 type resilient buckets 8 idle_timer 10 unbalanced_timer 20",
  "id 12 group 6 fdb",
];

const SHOWS = [
  ["nexthop"],
  ["nexthop", "show"],
  ["nexthop", "list", "dev", "v0"],
  ["nexthop", "ls", "groups"],
  ["nexthop", "show", "id", "2"],
  ["nexthop", "get", "id", "11"],
  ["-d", "nexthop", "show"],
  ["-6", "nexthop", "show"],
  ["-4", "nexthop", "show", "dev", "v0"],
  ["nexthop", "bucket", "show", "id", "11"],
];

/** Bucket idle times move between two reads. */
function still(text: string): string {
  return text.replace(/idle_time"?:? ?[\d.e+-]+/g, "idle_time 0");
}

test("nexthops added by nlkit and by ip print the same, text and JSON", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      setup(a);
      setup(b);
      for (const line of ADDS) {
        ip(a, "nexthop", "add", ...line.split(" "));
        ok(b, "nexthop", "add", ...line.split(" "));
      }
      for (const ns of [a, b]) {
        for (const args of SHOWS) {
          for (const json of [[], ["-j"]]) {
            const ours = ok(ns, ...json, ...args);
            const theirs = ip(ns, ...json, ...args);
            assert.equal(
              still(ours),
              still(theirs),
              `${ns === a ? "ip" : "nlkit"}-made: ${[...json, ...args].join(" ")}`,
            );
          }
        }
      }
      // The `nh` alias and ip's prefixes of commands.
      assert.equal(ok(a, "nh", "sh"), ip(a, "nexthop", "show"));
      assert.equal(ok(a, "nh", "l", "g"), ip(a, "nexthop", "list", "groups"));
    });
  });
});

test("replace, delete and flush change what ip lists", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    setup(ns);
    for (const line of ADDS) ip(ns, "nexthop", "add", ...line.split(" "));
    ok(ns, "nexthop", "replace", "id", "1", "via", "10.1.0.7", "dev", "v0");
    assert.equal(ipJson(ns, "nexthop", "get", "id", "1")[0].gateway, "10.1.0.7");
    ok(ns, "nexthop", "del", "id", "3");
    assert.ok(!ipJson(ns, "nexthop", "show").some((n: { id: number }) => n.id === 3));
    // Flushing one device leaves the rest: a table where ignoring "dev" would flush everything.
    assert.equal(ok(ns, "nexthop", "flush", "dev", "v1"), "Flushed 1 nexthops\n");
    // flush id N: that one nexthop, silently (as ip), and an error when there is none.
    const one = ipJson(ns, "nexthop", "show")[0].id;
    assert.equal(ok(ns, "nexthop", "flush", "id", String(one)), "");
    assert.ok(!ipJson(ns, "nexthop", "show").some((n: { id: number }) => n.id === one));
    const again = nlkit(["-n", ns, "nexthop", "flush", "id", String(one)]);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /No such file or directory/);
    const left = ipJson(ns, "nexthop", "show");
    assert.ok(left.length > 1);
    assert.equal(ok(ns, "nexthop", "flush"), `Flushed ${left.length} nexthops\n`);
    assert.equal(ok(ns, "nexthop", "flush"), "Nothing to flush\n");
  });
});

test("route add nhid, and the route shows as ip shows it", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    setup(ns);
    for (const line of ADDS) ip(ns, "nexthop", "add", ...line.split(" "));
    ok(ns, "route", "add", "10.50.0.0/16", "nhid", "10");
    ok(ns, "-6", "route", "add", "2001:db8:9::/48", "nhid", "5");
    for (const args of [["route", "show"], ["-j", "route", "show"], ["-6", "route", "show"]]) {
      assert.equal(ok(ns, ...args), ip(ns, ...args), args.join(" "));
    }
  });
});

test("nexthop usage errors exit 2, kernel refusals exit 1", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    setup(ns);
    ip(ns, "nexthop", "add", "id", "1", "blackhole");
    const cases: [string[], number, RegExp][] = [
      [["nexthop", "bogus"], 2, /Command "bogus" is unknown, try "nlkit nexthop help"/],
      [["nexthop", "add", "id", "2", "foo"], 2, /"foo"/],
      [["nexthop", "add", "id", "2", "group", "1,0"], 2, /weight/],
      [["nexthop", "add", "id", "x", "blackhole"], 2, /nexthop id/],
      [["nexthop", "show", "zqzq"], 2, /"zqzq"/],
      [["nexthop", "add", "id", "2", "type", "fancy"], 2, /"fancy"/],
      [["nexthop", "get"], 2, /Usage/],
      [["nexthop", "add", "id", "1", "blackhole"], 1, /exists/i],
      [["nexthop", "get", "id", "99"], 1, /.+/],
      [["nexthop", "add", "id", "2", "dev", "nosuch"], 1, /nosuch/],
      // vrf must name a VRF device, as ip checks: a plain device would list nothing, and flush nothing.
      [["nexthop", "show", "vrf", "v0"], 2, /"v0" is wrong: Invalid VRF/],
      [["nexthop", "flush", "vrf", "v0"], 2, /Invalid VRF/],
      [["nexthop", "bucket", "show", "vrf", "nosuch"], 2, /"nosuch" is wrong: Invalid VRF/],
    ];
    for (const [args, code, re] of cases) {
      const r = nlkit(["-n", ns, ...args]);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(" "));
    }
  });
});

test("monitor nexthop prints ip monitor's lines", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    setup(ns);
    const r = await followWhile(["-n", ns, "monitor", "nexthop"], () => {
      ip(ns, "nexthop", "add", "id", "7", "via", "10.1.0.2", "dev", "v0");
      ip(ns, "nexthop", "del", "id", "7");
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "id 7 via 10.1.0.2 dev v0 scope link \nDeleted id 7 via 10.1.0.2 dev v0 scope link \n");
    const j = await followWhile(["-n", ns, "-j", "monitor", "nh"], () => {
      ip(ns, "nexthop", "add", "id", "8", "blackhole");
    });
    assert.deepEqual(JSON.parse(j.stdout), { event: "new", object: "nexthop", id: 8, blackhole: null, flags: [] });
  });
});
