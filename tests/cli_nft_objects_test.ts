/**
 * `nlkit nft` with named counters and quotas (`add|delete|list counter|quota`)
 * and `list sets table FAMILY NAME`, each against nft 1.0.6: the same commands
 * given to nft in one namespace and to nlkit in another leave the same
 * objects, and the listings equal nft's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit, ok } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftJson, nftResult } from "./_nft.ts";

// deno-lint-ignore no-explicit-any
function objects(text: string): any[] {
  return JSON.parse(text).nftables.slice(1);
}

// deno-lint-ignore no-explicit-any
function noHandles(objs: any[]): string[] {
  return objs.map((o) => JSON.stringify(o, (k, v) => (k === "handle" ? undefined : v)));
}

const COMMANDS = [
  ["add", "table", "inet", "t"],
  ["add", "counter", "inet", "t", "c1"],
  ["add", "counter", "inet", "t", "c2", "packets", "3", "bytes", "4"],
  ["add", "counter", "inet", "t", "c3", '{ packets 1 bytes 2; comment "three"; }'],
  ["add", "quota", "inet", "t", "q1", "25", "mbytes"],
  ["add", "quota", "inet", "t", "q2", "over", "1", "kbytes", "used", "10", "bytes"],
  ["add", "quota", "inet", "t", "q3", '{ over 2 mbytes; comment "q"; }'],
  ["add", "counter", "inet", "t", "gone"],
  ["add", "quota", "inet", "t", "gone", "1", "bytes"],
  ["delete", "counter", "inet", "t", "gone"],
  ["delete", "quota", "inet", "t", "gone"],
];

test("nft add|delete counter|quota leave what nft's own commands leave", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (mine) => {
    await withTempNetns((theirs) => {
      for (const c of COMMANDS) {
        ok(mine, "nft", ...c);
        nft(theirs, [c.join(" ")]);
      }
      for (const what of ["counters", "quotas"]) {
        const got = nftJson(mine, what);
        assert.equal(got.length, 3, what);
        assert.deepEqual(noHandles(got), noHandles(nftJson(theirs, what)), what);
      }
    });
  });
});

test("nft list counter|quota F T NAME shows that one object, as nft", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    for (const c of COMMANDS) nft(ns, [c.join(" ")]);
    for (const c of [["counter", "inet", "t", "c3"], ["quota", "inet", "t", "q2"]]) {
      const got = objects(ok(ns, "-j", "nft", "list", ...c));
      assert.equal(got.length, 1, c.join(" "));
      assert.deepEqual(got, nftJson(ns, ...c), c.join(" "));
      assert.equal(ok(ns, "nft", "list", ...c), nft(ns, ["list", ...c]), c.join(" "));
    }
    const r = nlkit(["-n", ns, "nft", "list", "counter", "inet", "t", "nope"]);
    const t = nftResult(ns, ["list", "counter", "inet", "t", "nope"]);
    assert.equal(t.code, 1);
    assert.deepEqual([r.code, r.stderr], [t.code, t.stderr]);
  });
});

test("nft add counter|quota refuses what it cannot read, before anything is sent", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["add table inet t"]);
    for (
      const [c, msg] of [
        [["add", "quota", "inet", "t", "q", "5", "parsecs"], /byte unit "parsecs"/],
        [["add", "counter", "inet", "t", "c", "{ frobs 1; }"], /Cannot use "frobs" in a counter/],
        [["add", "counter", "inet", "t", "c", "packets", "-1"], /"-1" as a packet count/],
      ] as const
    ) {
      const r = nlkit(["-n", ns, "nft", ...c]);
      assert.equal(r.code, 1, c.join(" ")); // a script error, as nft's
      assert.match(r.stderr, msg);
    }
    assert.deepEqual(nftJson(ns, "counters"), []);
    assert.deepEqual(nftJson(ns, "quotas"), []);
  });
});

test("nft list sets table F T lists that table's sets only, as nft", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    nft(
      ns,
      ["-f", "-"],
      [
        "table inet a { set s1 { typeof ip saddr; flags interval; auto-merge; elements = { 10.0.0.0/8 }; }; }",
        "table inet b { set s2 { type ipv4_addr; }; }",
        "table ip a { set s3 { typeof ip saddr . tcp dport; }; }",
      ].join("\n") + "\n",
    );
    // nft 1.0.6 keeps only the family of `table inet a` (it lists inet b's sets too); nlkit keeps the table.
    const c = ["sets", "table", "inet", "a"];
    const got = objects(ok(ns, "-j", "nft", "list", ...c));
    assert.deepEqual(got.map((o) => o.set?.name), ["s1"]);
    assert.deepEqual(got, nftJson(ns, ...c).filter((o) => o.set.table === "a"));
    // Where the family holds one table, the text is nft's.
    const ip = ["sets", "table", "ip", "a"];
    assert.equal(ok(ns, "nft", "list", ...ip), nft(ns, ["list", ...ip]));
    assert.equal(ok(ns, "nft", "list", "sets"), nft(ns, ["list", "sets"]));
  });
});
