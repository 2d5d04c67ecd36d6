/**
 * The `queue` statement (this kernel has no nft_queue expression): nft's
 * text and JSON read into the bytes nft 1.0.6 sends (captured with
 * `strace -e write=all nft add rule ip t c ...`), those bytes read back
 * into nft's JSON and text listing, what nft refuses refused before
 * anything is sent, and the kernel's own refusal passed on as nft passes it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";
import { buildExpr, parseExpr } from "../src/netfilter/nftables/expr/list.ts";
import type { NftExpr } from "../src/netfilter/nftables/expr/registry.ts";
import { ruleExpressions } from "../src/netfilter/nftables/json/linearize.ts";
import { ruleStatements } from "../src/netfilter/nftables/json/rule_json.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";
import { parseStatements } from "../src/netfilter/nftables/text/statement.ts";
import { stmtText } from "../src/netfilter/nftables/text/stmt_text.ts";
import { tokenize } from "../src/netfilter/nftables/text/tokens.ts";
import { NftTransaction } from "../src/netfilter/nftables/transaction.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { InvalidArgumentError } from "../src/errors.ts";

const hex = (e: NftExpr): string => {
  const b = new MessageBuilder(0, 0);
  buildExpr(b, e);
  return Buffer.from(b.finish().subarray(16)).toString("hex");
};
const linearize = (stmts: Json[]): NftExpr[] =>
  ruleExpressions(stmts, { family: "ip", table: "t", tx: new NftTransaction() });
const fromText = (rule: string): Json[] => parseStatements(tokenize(rule)).expr;

/** Rule text, the queue expression's bytes as nft sent them, its JSON and text as nft lists them. */
const CASES: [string, string, Json, string][] = [
  [
    "queue flags bypass,fanout to 1-3",
    // NFTA_QUEUE_NUM 1, NFTA_QUEUE_TOTAL 3, NFTA_QUEUE_FLAGS bypass|fanout
    "2c0001800a00010071756575650000001c000280060001000001000006000200000300000600030000030000",
    { queue: { num: { range: [1, 3] }, flags: ["bypass", "fanout"] } },
    "queue flags bypass,fanout to 1-3",
  ],
  [
    "queue",
    "240001800a00010071756575650000001400028006000100000000000600020000010000",
    { queue: { num: 0 } },
    "queue to 0",
  ],
  [
    "queue num 3 bypass",
    "2c0001800a00010071756575650000001c000280060001000003000006000200000100000600030000010000",
    { queue: { num: 3, flags: "bypass" } },
    "queue flags bypass to 3",
  ],
  [
    "queue to symhash mod 2",
    // NFTA_QUEUE_SREG_QNUM 1, after the hash into register 1
    "1c0001800a00010071756575650000000c0002800800040000000001",
    { queue: { num: { symhash: { mod: 2 } } } },
    "queue to symhash mod 2",
  ],
];

test("nft queue: text and JSON give nft's bytes, and the bytes list as nft lists them", () => {
  for (const [rule, bytes, json, listed] of CASES) {
    const exprs = linearize(fromText(rule));
    assert.equal(hex(exprs.at(-1)!), bytes, rule);
    assert.deepEqual(linearize([json]), exprs, rule);
    const back = ruleStatements(exprs, { family: "ip", sets: new Map() });
    assert.deepEqual(back, [json], rule);
    assert.equal(back.map((st) => stmtText(st)).join(" "), listed, rule);
    // The listing read again gives the same expressions.
    assert.deepEqual(linearize(fromText(listed)), exprs, listed);
  }
  // The hash before it, as nft sends it: NFTA_HASH_OFFSET 0 included.
  assert.equal(
    hex(linearize(fromText("queue to symhash mod 2"))[0]),
    "34000180090001006861736800000000240002800800020000000001080004000000000208000600000000000800070000000001",
  );
  // The kernel's bytes parse into the same expression.
  const [, bytes] = CASES[0];
  const raw = Uint8Array.from(Buffer.from(bytes, "hex"));
  const e = parseExpr(raw, new DataView(raw.buffer), 4, raw.length); // inside the NFTA_LIST_ELEM header
  assert.deepEqual(e, { name: "queue", num: 1, total: 3, flags: 3 });
});

/** nftables' tests/py/any/queue.t: each rule nft takes and how nft lists it. */
const QUEUE_T: [string, string][] = [
  ["queue num 65535", "queue to 65535"],
  ["queue num 2-3", "queue to 2-3"],
  ["queue num 4-5 fanout", "queue flags fanout to 4-5"],
  ["queue num 4-5 fanout bypass", "queue flags bypass,fanout to 4-5"],
  ["queue to symhash mod 65536", "queue to symhash mod 65536"],
  ["queue flags bypass to numgen inc mod 65536", "queue flags bypass to numgen inc mod 65536"],
  ["queue to jhash oif . meta mark mod 32", "queue to jhash oif . meta mark mod 32"],
  ["queue flags bypass,fanout to 1-65535", "queue flags bypass,fanout to 1-65535"],
];

test("nft queue: the rules of nft's queue.t list as nft lists them, and their listing reads back the same", () => {
  for (const [rule, listed] of QUEUE_T) {
    const exprs = linearize(fromText(rule));
    const text = ruleStatements(exprs, { family: "ip", sets: new Map() }).map((st) => stmtText(st)).join(" ");
    assert.equal(text, listed, rule);
    assert.deepEqual(linearize(fromText(listed)), exprs, listed);
  }
  // A map to queue numbers: an anonymous map of 16-bit integers, looked up into the queue's register.
  const tx = new NftTransaction();
  const stmts = fromText('queue flags bypass to oifname map { "eth0" : 0, "ppp0" : 2 }');
  const exprs = ruleExpressions(stmts, { family: "ip", table: "t", tx });
  assert.deepEqual(exprs.map((e) => e.name), ["meta", "lookup", "queue"]);
  assert.deepEqual(exprs[2], { name: "queue", sregQnum: 1, flags: 1 });
});

test("nft queue: what nft refuses is refused with a typed error before anything is built", () => {
  for (
    const [stmts, pattern] of [
      [fromText("queue fanout num 3"), /fanout requires a range/],
      [fromText("queue flags fanout to 3"), /fanout requires a range/],
      [[{ queue: { num: 70000 } }], /Cannot use 70000 as a queue number: expected 0 to 65535/],
      [[{ queue: { num: { range: [3, 1] } } }], /low to high/],
      [[{ queue: { num: 1, flags: "bogus" } }], /Cannot use queue flag "bogus"/],
      [[{ queue: { num: 1, total: 2 } }], /total/],
      [[{ queue: { num: 1 } }, { counter: null }], /after/],
      // queue.t's failing lines.
      [fromText("queue num 65536"), /65536/],
      [fromText("queue to symhash mod 2 offset 65536"), /max value exceeds 65535/],
      [fromText("queue flags bypass,fanout to symhash mod 65536"), /fanout requires a range/],
      [fromText("queue to oif"), /datatype mismatch, expected integer/],
    ] as [Json[], RegExp][]
  ) {
    assert.throws(() => linearize(stmts), (e: Error) => e instanceof InvalidArgumentError && pattern.test(e.message));
  }
  assert.throws(() => fromText("queue flags bogus to 1"), InvalidArgumentError);
  assert.throws(() => fromText("queue num x"), InvalidArgumentError);
  assert.throws(() => fromText("queue num symhash mod 65536"), InvalidArgumentError);
  assert.throws(() => fromText("queue num oif"), InvalidArgumentError);
});

test("nft queue: the kernel without nft_queue refuses the rule, and nlkit says so as nft does", {
  skip: NFT_SKIP,
  timeout: 60_000,
}, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["add", "table", "ip", "t"]);
    nft(ns, ["add", "chain", "ip", "t", "c"]);
    const rule = ["add", "rule", "ip", "t", "c", "queue", "num", "1"];
    const theirs = nftResult(ns, rule);
    const ours = nlkit(["-n", ns, "nft", ...rule]);
    assert.equal(ours.code, theirs.code, ours.stderr);
    if (theirs.code === 0) {
      // A kernel with nft_queue: nlkit's listing equals nft's.
      assert.equal(nlkit(["-n", ns, "nft", "list", "ruleset"]).stdout, nft(ns, ["list", "ruleset"]));
      return;
    }
    assert.match(theirs.stderr, /No such file or directory/);
    assert.match(ours.stderr, /No such file or directory/);
    assert.doesNotMatch(nft(ns, ["list", "chain", "ip", "t", "c"]), /queue/);
  });
});

/**
 * A queue number in nft's JSON may be a string: nft reads it as any
 * integer's text (GMP's mpz_set_str, base 0): decimal, hex, octal after a
 * 0, binary after 0b, blanks ignored. Each: the document's queue, and the
 * number nlkit reads (undefined: nft refuses it, "Could not parse integer"
 * or "Value 65536 exceeds valid range 0-65535").
 */
const STRING_NUMS: [Json, number | [number, number] | undefined][] = [
  ["1", 1],
  ["0x10", 16],
  ["010", 8],
  ["0b11", 3],
  [" 1 0 ", 10],
  [{ range: ["1", "0x3"] }, [1, 3]],
  ["abc", undefined],
  ["1-3", undefined],
  ["1.5", undefined],
  ["09", undefined],
  ["", undefined],
  ["65536", undefined],
];

test("nft queue: a number in a JSON string, read as nft reads it", () => {
  for (const [num, want] of STRING_NUMS) {
    const stmts: Json[] = [{ queue: { num } }];
    if (want === undefined) {
      assert.throws(() => linearize(stmts), InvalidArgumentError, JSON.stringify(num));
      continue;
    }
    const same = typeof want === "number" ? want : { range: want };
    assert.deepEqual(linearize(stmts), linearize([{ queue: { num: same } }]), JSON.stringify(num));
  }
});

test("nft queue: nft -j -f takes a string queue number where nlkit does, and refuses it where nlkit does", {
  skip: NFT_SKIP,
  timeout: 120_000,
}, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      for (const ns of [a, b]) {
        nft(ns, ["add", "table", "ip", "t"]);
        nft(ns, ["add", "chain", "ip", "t", "c"]);
      }
      // Taken: the kernel has the rule, or (no nft_queue in this kernel) refuses it with ENOENT.
      const taken = (r: { code: number | null; stderr: string }) =>
        r.code === 0 || /No such file or directory/.test(r.stderr);
      for (const [num, want] of STRING_NUMS) {
        const doc = JSON.stringify({
          nftables: [{ add: { rule: { family: "ip", table: "t", chain: "c", expr: [{ queue: { num } }] } } }],
        });
        // nft's bytecode says the number it read: `[ queue num 8 ]`, `[ queue num 1-3 ]`.
        const r = spawnSync("ip", ["netns", "exec", a, "nft", "--debug=netlink", "-j", "-f", "-"], {
          encoding: "utf8",
          input: doc,
        });
        const theirs = { code: r.status, stderr: r.stderr };
        const ours = nlkit(["-n", b, "nft", "-j", "-f", "-"], {}, doc);
        assert.equal(taken(theirs), want !== undefined, `nft: ${doc}: ${theirs.stderr}`);
        if (want !== undefined) assert.match(r.stdout, new RegExp(`\\[ queue num ${[want].flat().join("-")} \\]`), doc);
        assert.equal(taken(ours), want !== undefined, `nlkit: ${doc}: ${ours.stderr}`);
        assert.equal(ours.code, theirs.code, doc);
        if (want === undefined) assert.match(ours.stderr, /^Error: Cannot use .* as a queue number/, doc);
      }
      assert.equal(nft(b, ["list", "ruleset"]), nft(a, ["list", "ruleset"]));
    });
  });
});
