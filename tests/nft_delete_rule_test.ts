/**
 * A rule is deleted by its handle only. A `DELRULE` without a handle makes
 * the kernel delete every rule of the chain, so a delete that lost its
 * handle would empty the chain: nft refuses `delete rule ip t c` (text)
 * and a JSON delete without `"handle"`, and so must nlkit's text, JSON
 * and library, before anything is sent.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { NftTransaction } from "../src/netfilter/nftables/transaction.ts";

const CHAIN = 'table ip t {\n chain c {\n  counter comment "r1"\n  counter comment "r2"\n }\n}\n';
const JSON_DELETE = JSON.stringify({ nftables: [{ delete: { rule: { family: "ip", table: "t", chain: "c" } } }] });

test("a rule delete without a handle is refused by the transaction before anything is built", () => {
  const rule = { family: "ip", table: "t", chain: "c" } as {
    family: string;
    table: string;
    chain: string;
    handle: number;
  };
  assert.throws(() => new NftTransaction().deleteRule(rule), InvalidArgumentError);
  assert.throws(() => new NftTransaction().deleteRule({ ...rule, handle: 1.5 }), InvalidArgumentError);
  assert.equal(new NftTransaction().deleteRule({ ...rule, handle: 3 }).length, 1);
});

test("delete rule without a handle: refused as nft refuses it, and the chain keeps its rules", {
  skip: NFT_SKIP,
  timeout: 60_000,
}, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      for (const ns of [a, b]) nft(ns, ["-f", "-"], CHAIN);
      const cases: [string[], string | undefined][] = [
        [["delete", "rule", "ip", "t", "c"], undefined],
        [["-f", "-"], "delete rule ip t c\n"],
        [["-j", "-f", "-"], JSON_DELETE],
      ];
      for (const [args, input] of cases) {
        const theirs = nftResult(a, args, input);
        const mine = nlkit(["-n", b, "nft", ...args], {}, input);
        assert.equal(theirs.code, 1, `nft ${args.join(" ")}: ${theirs.stderr}`);
        assert.equal(mine.code, 1, `nlkit nft ${args.join(" ")}: ${mine.stderr}`);
      }
      // Both chains still hold both rules: nothing was deleted.
      const want = nft(a, ["list", "ruleset"]);
      assert.equal(nft(b, ["list", "ruleset"]), want);
      assert.match(want, /comment "r1"[\s\S]*comment "r2"/);
    });
  });
});
