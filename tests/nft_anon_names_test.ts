/**
 * A large batch names its anonymous sets itself, as the kernel would
 * number them (sparing the kernel a scan of the table's sets for each):
 * past the table's sets in the kernel and the batch's own, so applying
 * into a table that already holds some still succeeds, listing the same.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { withTempNetns } from "./_helpers.ts";
import { loadRuleset, nft, NFT_SKIP } from "./_nft.ts";
import { AnonNames } from "../src/netfilter/nftables/json/anon_names.ts";
import { applyJson, DocumentPlanner } from "../src/netfilter/nftables/json/apply.ts";
import { listSets } from "../src/netfilter/nftables/list.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";

test("anonymous names: the lowest free number of each template, past the names taken", () => {
  const names = new AnonNames(["__set0", "__set2", "__map0"]);
  assert.equal(names.name("__set%d"), "__set1");
  names.take("__set3");
  assert.equal(names.name("__set%d"), "__set4");
  assert.equal(names.name("__map%d"), "__map1");
  assert.equal(names.name("__objmap%d"), "__objmap0");
});

/** The `tcp dport { PORT, 5000 } accept` statements of a rule. */
const dportIn = (port: number): Json[] => [
  { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: { set: [port, 5000] } } },
  { accept: null },
];

/** A document adding `n` rules, each matching an anonymous set of two ports, to table inet t (chain c). */
function rules(n: number): Json[] {
  return Array.from(
    { length: n },
    (_, i) => ({ add: { rule: { family: "inet", table: "t", chain: "c", expr: dportIn(i + 1) } } }),
  );
}

const text = (messages: Uint8Array[]) => messages.map((m) => new TextDecoder("latin1").decode(m)).join("");

test("a large batch names its anonymous sets past the kernel's, a small one leaves it to the kernel", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns(async (ns) => {
    loadRuleset(ns, "table inet t {\n chain c {\n tcp dport { 1, 2 } accept\n udp dport { 3, 4 } accept\n }\n}\n");
    const small = await new DocumentPlanner({ netns: ns }).plan({ nftables: rules(1) });
    assert.match(text(small.messages()), /__set%d/);
    const named = { add: { set: { family: "inet", table: "t", name: "__set3", type: "inet_service" } } };
    const doc = { nftables: [named, ...rules(70)] };
    const large = await new DocumentPlanner({ netns: ns }).plan(doc);
    const sent = text(large.messages());
    assert.doesNotMatch(sent, /__set%d/);
    assert.match(sent, /__set2\0/);
    assert.match(sent, /__set4\0/);
    await applyJson(doc, { netns: ns });
    const sets = (await listSets({ family: "inet", table: "t" }, { netns: ns })).map((s) => s.name);
    assert.equal(new Set(sets).size, 73, "every set of its own name");
    const listed = nft(ns, ["list", "chain", "inet", "t", "c"]);
    assert.match(listed, /tcp dport \{ 1, 2 \} accept/);
    assert.match(listed, /tcp dport \{ 70, 5000 \} accept/);
    assert.equal(listed.match(/accept/g)?.length, 72);
  });
});

test("a large batch after a flush of the ruleset numbers from 0 again, and applies", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (ns) => {
    loadRuleset(ns, "table inet t {\n chain c {\n tcp dport { 1, 2 } accept\n }\n}\n");
    const doc = {
      nftables: [
        { flush: { ruleset: null } },
        { add: { table: { family: "inet", name: "t" } } },
        { add: { chain: { family: "inet", table: "t", name: "c" } } },
        ...rules(70),
      ],
    };
    const plan = await new DocumentPlanner({ netns: ns }).plan(doc);
    assert.match(text(plan.messages()), /__set0\0/);
    await applyJson(doc, { netns: ns });
    assert.equal(nft(ns, ["list", "chain", "inet", "t", "c"]).match(/accept/g)?.length, 70);
  });
});
