/**
 * nft 1.0.6 behaviours its shell tests rely on (transactions, chain
 * updates, rule positions within a batch): each script is loaded by nft in
 * one fresh namespace and by `nlkit nft` in another, and nft lists both the
 * same.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";

/** Each test makes namespaces per script: more than Bun's 5 s default on a busy machine. */
const OPTS = { skip: NFT_SKIP, timeout: 60_000 };

/** Runs each step (`nft -f -` of a script, or `nft WORDS...`) by nft and by nlkit; both end listing the same. */
async function sameAsNft(...steps: (string | string[])[]): Promise<void> {
  await withTempNetns(async (a) => {
    for (const s of steps) typeof s === "string" ? nft(a, ["-f", "-"], s) : nft(a, s);
    const want = nft(a, ["list", "ruleset"]);
    await withTempNetns((b) => {
      for (const s of steps) {
        const r = typeof s === "string" ? nlkit(["-n", b, "nft", "-f", "-"], {}, s) : nlkit(["-n", b, "nft", ...s]);
        assert.equal(r.code, 0, `${s}: ${r.stderr}`);
      }
      assert.equal(nft(b, ["list", "ruleset"]), want);
    });
  });
}

test("chain policy: sent only when given, alone for a base chain made earlier in the batch", OPTS, async () => {
  // A later `add chain` with a hook and no policy keeps the chain's drop.
  await sameAsNft(
    "add table x\nadd chain x y { type filter hook input priority 0; policy drop; }",
    ["add", "chain", "x", "y", "{ type filter hook input priority 0; }"],
  );
  await sameAsNft(
    "add table x\nadd chain x y\ndelete chain x y\nadd chain x y { type filter hook input priority 0; }\n" +
      "add chain x y { policy drop; }",
  );
});

test("chain policy on a regular chain: the kernel refuses it, as for nft", OPTS, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["add", "table", "x"]);
    nft(ns, ["add", "chain", "x", "y"]);
    const r = nlkit(["-n", ns, "nft", "add", "chain", "x", "y", "{ policy drop; }"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /EOPNOTSUPP/);
  });
});

test('classid values: hex halves with 0x ("1:0xc7cb"), as nft reads them', OPTS, async () => {
  await sameAsNft(
    'add table ip filter\nadd map ip filter m { type ipv4_addr : classid; flags interval; }\n' +
      'add element ip filter m { 10.4.22.0/24 : "1:0xc7cb", 10.4.23.0/24 : "0x2:1f" }\n' +
      'add chain ip filter c\nadd rule ip filter c meta priority set "0x1:0x10"',
  );
});
