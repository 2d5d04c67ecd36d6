/**
 * Numbers with a leading zero, as nft reads them: its scanner and its
 * integer parser take base 0 (`010` is octal 8), getaddrinfo reads an
 * address part so (`010.1.1.1` is 8.1.1.1), and a port that is no octal
 * number is a service (`09` is 9) where a mark is refused, and numbers
 * and dots that are no IPv4 address are no word of nft's text. The numbers
 * of nft's grammar (handles, positions, priorities, sizes, bursts) are read
 * the same way: `delete rule ... handle 010` deletes handle 8. Each command
 * goes to nft in one namespace and to nlkit in another; both must give the
 * same verdict, and the same listing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";
import { nftNumber, wordValue } from "../src/netfilter/nftables/text/tokens.ts";
import { dottedQuad, parseValue } from "../src/netfilter/nftables/json/value_codec.ts";
import { NFT_TYPES } from "../src/netfilter/nftables/json/types.ts";

test("a leading zero: octal words, octal strings, no fast path for an octal address", () => {
  assert.equal(wordValue("010"), 8);
  assert.equal(wordValue("0"), 0);
  assert.equal(wordValue("10"), 10);
  assert.equal(wordValue("09"), "09"); // no octal number: the type reads the word
  assert.equal(wordValue("0x10"), 16);
  assert.equal(wordValue("18446744073709551615"), "18446744073709551615"); // past 2^53: read exactly by the type
  assert.equal(nftNumber("010"), 8);
  assert.equal(nftNumber("0x10"), 16);
  assert.ok(Number.isNaN(nftNumber("09")));
  assert.ok(Number.isNaN(nftNumber("9007199254740993"))); // a handle past 2^53 would name another
  assert.deepEqual([...parseValue(NFT_TYPES.inet_service, "010")], [0, 8]);
  assert.deepEqual([...parseValue(NFT_TYPES.inet_service, "09")], [0, 9]);
  assert.throws(() => parseValue(NFT_TYPES.mark, "08"), /Cannot use "08" as mark/);
  assert.equal(dottedQuad("010.1.1.1"), undefined);
  assert.deepEqual([...dottedQuad("10.0.0.1")!], [10, 0, 0, 1]);
});

/** Runs each command with nft in namespace `a` and with nlkit in `b`: both must accept or refuse it. */
function sameVerdicts(a: string, b: string, commands: readonly string[]): void {
  for (const cmd of commands) {
    const words = cmd.split(" ");
    const theirs = nftResult(a, words);
    const mine = nlkit(["-n", b, "nft", ...words]);
    assert.equal(
      mine.code,
      theirs.code,
      `${cmd}: nft ${theirs.code} ${theirs.stderr} / nlkit ${mine.code} ${mine.stderr}`,
    );
  }
}

const RULES = [
  "tcp dport 010",
  "tcp dport { 010, 011 }",
  "udp sport 010-020",
  "meta mark 010",
  "ip ttl 010",
  "ip dscp 010",
  "tcp dport 09",
  "meta mark 08",
  "ip saddr 010.1.1.1",
  "ip daddr { 010.0.0.1, 10.0.0.2 }",
  "ct zone 007",
  // Numbers and dots that are no IPv4 address: nft's scanner has no such word.
  "ip daddr 127.1",
  "meta mark 1.5",
  "ip daddr { 1.2, 3.4.5.6 }",
];

test("leading zeros in rules: nft's verdict and listing", { skip: NFT_SKIP, timeout: 120_000 }, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      for (const ns of [a, b]) nft(ns, ["-f", "-"], "table ip t {\n chain c {\n }\n}\n");
      sameVerdicts(a, b, RULES.map((r) => `add rule ip t c ${r}`));
      const want = nft(a, ["list", "ruleset"]);
      assert.equal(nft(b, ["list", "ruleset"]), want);
      assert.match(want, /tcp dport 8\n/);
      assert.match(want, /ip saddr 8\.1\.1\.1/);
    });
  });
});

// nft's grammar numbers, read by its scanner with base 0: a handle of `010` is handle 8 (deleting handle 10
// instead would remove the wrong rule), a priority of `0x10` is 16, and `09` is no number at all.
const GRAMMAR = [
  "delete rule ip t c handle 010",
  "add rule ip t c position 011 counter comment after9",
  "insert rule ip t c handle 0x3 counter comment before3",
  "delete rule ip t c handle 09",
  "add chain ip t p1 { type filter hook input priority 010; }",
  "add chain ip t p2 { type filter hook input priority -010; }",
  "add chain ip t p3 { type filter hook input priority 0x10; }",
  "add chain ip t p4 { type filter hook input priority filter + 010; }",
  "add chain ip t p5 { type filter hook input priority 09; }",
  "add rule ip t c log group 010",
  "add rule ip t c limit rate 5/second burst 010 packets",
  "add rule ip t c quota 010 bytes",
  "add set ip t s { type ipv4_addr; size 010; }",
  "add rule ip t c counter packets 010 bytes 0",
  "add rule ip t c limit rate 010/second",
  "add rule ip t c queue num 010",
  "add rule ip t c @nh,010,8 1",
  "add rule ip t c meta mark set numgen inc mod 010",
  "add rule ip t c log group 09",
  "add rule ip t c counter packets 09 bytes 0",
  "add rule ip t c queue num 09",
];

test("numbers of nft's grammar (handles, positions, priorities): as nft's scanner reads them", {
  skip: NFT_SKIP,
  timeout: 120_000,
}, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      const rules = Array.from({ length: 12 }, (_, i) => `  counter comment "r${i + 1}"\n`).join("");
      for (const ns of [a, b]) nft(ns, ["-f", "-"], `table ip t {\n chain c {\n${rules} }\n}\n`);
      sameVerdicts(a, b, GRAMMAR);
      const want = nft(a, ["-a", "list", "ruleset"]);
      assert.equal(nft(b, ["-a", "list", "ruleset"]), want);
      // The table would hold more, and other rules, if a number were read as decimal.
      assert.doesNotMatch(want, /comment "r7"/);
      assert.match(want, /comment "r9"/);
      assert.match(want, /priority 16;/);
      assert.match(want, /group 8/);
      assert.match(want, /counter packets 8 bytes 0/);
      assert.match(want, /limit rate 8\/second/);
      assert.match(want, /numgen inc mod 8/);
    });
  });
});
