/**
 * Types nft prints prefixes of (its `DTYPE_F_PREFIX`: addresses, `mark`,
 * `devgroup`, `realm`): a range that is one prefix lists as the prefix, in
 * sets and concatenations too, and a mask of leading ones (or of none) as
 * `/len`. Other integers keep their ranges and masks. A realm after
 * `byteorder hton` (an interval of `meta rtclassid`) reads in network
 * order. The kernel state is made by nft from its JSON; nlkit's listing
 * must equal nft's, in JSON and in text.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";
import { renderRange } from "../src/netfilter/nftables/json/elements.ts";
import { intervalKey, NFT_TYPES } from "../src/netfilter/nftables/json/types.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";

const be = (n: number) => new Uint8Array([n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255]);

test("renderRange: a prefix of a prefix type, a range of any other", () => {
  const [mark] = intervalKey([NFT_TYPES.mark]);
  assert.deepEqual(renderRange([mark], be(16), be(31)), { prefix: { addr: 16, len: 28 } });
  assert.deepEqual(renderRange([mark], be(16), be(30)), { range: [16, 30] });
  const [group] = intervalKey([NFT_TYPES.devgroup]);
  assert.deepEqual(renderRange([group], be(256), be(511)), { prefix: { addr: 256, len: 24 } });
  // A port is no prefix type: nft lists `1024-2047`.
  const port = NFT_TYPES.inet_service;
  assert.deepEqual(renderRange([port], new Uint8Array([4, 0]), new Uint8Array([7, 255])), { range: [1024, 2047] });
});

const rule = (expr: Json[]) => ({ add: { rule: { family: "ip", table: "t", chain: "c", expr } } });
const match = (op: string, left: Json, right: Json) => ({ match: { op, left, right } });
const masked = (left: Json, mask: number) => ({ "&": [left, mask] });
const meta = (key: string) => ({ meta: { key } });

const DOC = {
  nftables: [
    { add: { table: { family: "ip", name: "t" } } },
    { add: { chain: { family: "ip", table: "t", name: "c" } } },
    rule([match("==", masked(meta("iifgroup"), 0xffff0000), 0x10000)]),
    rule([match("==", masked({ rt: { key: "classid" } }, 0xffff0000), 0x10000)]),
    rule([match("==", masked(meta("rtclassid"), 0xffff0000), 0x10000)]),
    rule([match("!=", masked(meta("mark"), 0), 0)]),
    rule([match("==", masked({ ct: { key: "mark" } }, 0xff000000), 0x1000001)]),
    rule([match("==", meta("iifgroup"), { set: [{ range: [16, 31] }, { range: [256, 511] }, { range: [3, 5] }] })]),
    rule([match("==", meta("mark"), { set: [{ range: [16, 31] }, { range: [256, 511] }] })]),
    rule([match("==", meta("rtclassid"), { set: [{ range: [16, 31] }] })]),
    rule([
      match("==", { concat: [meta("mark"), { payload: { protocol: "ip", field: "saddr" } }] }, {
        set: [{ concat: [{ range: [16, 31] }, "1.2.3.4"] }],
      }),
    ]),
    // Not prefix types: a range and a mask stay as they are.
    rule([match("==", { payload: { protocol: "tcp", field: "dport" } }, { set: [{ range: [1024, 2047] }, 80] })]),
    rule([match("==", masked(meta("length"), 0xffff0000), 0x10000)]),
  ],
};

test("prefix types list as nft lists them, in JSON and text", { skip: NFT_SKIP, timeout: 120_000 }, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["-j", "-f", "-"], JSON.stringify(DOC));
    const theirs = JSON.parse(nft(ns, ["-j", "list", "ruleset"])).nftables.slice(1);
    const r = nlkit(["-n", ns, "-j", "nft", "list", "ruleset"]);
    assert.equal(r.code, 0, r.stderr);
    const mine = JSON.parse(r.stdout).nftables.slice(1);
    assert.equal(mine.length, theirs.length);
    for (let i = 0; i < theirs.length; i++) assert.deepEqual(mine[i], theirs[i]);
    const text = nlkit(["-n", ns, "nft", "list", "ruleset"]);
    assert.equal(text.code, 0, text.stderr);
    const want = nft(ns, ["list", "ruleset"]);
    assert.equal(text.stdout, want);
    // Each kind of line this test is about, so a listing that lost them all would not pass unnoticed.
    for (const line of ["iifgroup 65536/16", "meta mark != 0x00000000/0", "iifgroup { 3-5, 16/28, 256/24 }"]) {
      assert.ok(want.includes(line), line);
    }
    assert.ok(want.includes("meta rtclassid 16-31"));
    assert.ok(want.includes("{ 0x00000010/28 . 1.2.3.4 }"));
    assert.ok(want.includes("tcp dport { 80, 1024-2047 }"));
  });
});
