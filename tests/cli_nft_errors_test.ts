/**
 * nft's refusals as nft prints them, against nft itself in fresh
 * namespaces: a kernel refusal of a command line or a script is
 * `Error: Could not process rule: <strerror>` with the line and carets
 * under the word the kernel's extended ack points at (a table, chain, set
 * or object name, a rule's handle or position, an element), and what nft
 * finds missing itself (a chain's table, an element's set, a rule's
 * `@set`) is `Error: No such file or directory` under its name. Both exit 1.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { NFT_SKIP, nftResult } from "./_nft.ts";
import { applyScript, NftScriptRefusal } from "../src/netfilter/nftables/text/script.ts";
import { NftTransactionError } from "../src/netfilter/nftables/transaction_error.ts";
import { closest } from "../src/netfilter/nftables/text/misspell.ts";

/** One-line commands, each run in an empty namespace. */
const COMMANDS = [
  "delete table ip foo",
  "add rule ip foo bar accept",
  "add chain ip foo bar",
  "delete rule ip foo bar handle 3",
  "add table ip foo; add rule ip foo bar accept",
  "add table ip foo; add chain ip foo bar; delete rule ip foo bar handle 3",
  "add table ip foo; add chain ip foo bar { type nat hook forward priority 0; }",
  "add table ip foo; create table ip foo",
  "add table ip foo; add set ip foo s { type ipv4_addr; }; add element ip foo t { 1.2.3.4 }",
  "add table ip foo; add counter ip foo c; add counter ip foo c; create counter ip foo c",
  "add table ip foo; add chain ip foo bar; add rule ip foo bar ip saddr @nope accept",
  "add table ip foo; add chain ip foo bar; add rule ip foo bar jump nochain",
  "add table ip foo; delete chain ip foo bar",
  "add table ip foo; add set ip foo s { type ipv4_addr; }; delete element ip foo s { 1.2.3.4 }",
  "add table ip foo; add set ip foo s { type ipv4_addr; }; add element ip foo s { 1.2.3.4 }; " +
  "create element ip foo s { 1.2.3.4 }",
  "add table ip foo; add chain ip foo bar; insert rule ip foo bar position 99 accept",
  "add table ip foo; add chain ip foo bar; replace rule ip foo bar handle 99 accept",
];

/** Scripts (`nft -f -`, named /dev/stdin), tabs and blocks included. */
const SCRIPTS = [
  "table ip foo {\n\tchain bar {\n\t\ttype filter hook input priority 0;\n\t\tip saddr @nope accept\n\t}\n}\n",
  "table ip foo {\n\tchain bar {\n\t\ttype nat hook forward priority 0;\n\t}\n}\n",
  "add table ip foo\nadd chain ip foo bar\n\nadd rule ip foo bar jump nowhere\n",
  "table ip foo {\n\tset s {\n\t\ttype ipv4_addr\n\t}\n}\ndelete element ip foo s { 1.2.3.4, 5.6.7.8 }\n",
  // A chain the batch adds has no handle yet: the kernel refuses the rename, under the whole line and its newline.
  "add table ip foo\nadd chain ip foo bar\nrename chain ip foo bar baz\n",
  "rename chain ip foo bar baz\n",
  "add table ip foo\nrename chain ip foo bar baz\n",
  "rename table ip foo bar\n",
  "add table ip foo\ndelete chain ip foo handle 999\n",
];

test("kernel refusals and missing objects print nft's text and exit 1, as nft's", { skip: NFT_SKIP }, async () => {
  for (
    const [args, input] of [
      ...COMMANDS.map((c) => [[c], undefined] as const),
      ...SCRIPTS.map((s) => [["-f", "-"], s] as const),
    ]
  ) {
    const theirs = await withTempNetns((ns) => Promise.resolve(nftResult(ns, [...args], input)));
    const mine = await withTempNetns((ns) => Promise.resolve(nlkit(["-n", ns, "nft", ...args], {}, input)));
    assert.equal(theirs.code, 1, theirs.stderr);
    assert.match(theirs.stderr, /^(\/dev\/stdin:\d+:\d+-\d+: )?Error: .*\n.*\n *\t*[ \t]*\^+\n$/);
    assert.deepEqual([mine.code, mine.stderr], [theirs.code, theirs.stderr], input ?? args[0]);
  }
});

test("a script's refused batch is a typed NftTransactionError naming the attribute", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (ns) => {
    await assert.rejects(applyScript("add table ip foo\nadd rule ip foo bar accept\n", "x.nft", { netns: ns }), (e) => {
      assert.ok(e instanceof NftTransactionError && e instanceof NftScriptRefusal);
      assert.equal(e.code, "ENOENT");
      assert.equal(e.failures[0].attribute, 2); // NFTA_RULE_CHAIN
      assert.equal(
        e.located,
        "x.nft:2:17-19: Error: Could not process rule: No such file or directory\n" +
          "add rule ip foo bar accept\n                ^^^",
      );
      return true;
    });
  });
});

test("nft's did-you-mean: its edit distance and threshold, quirks included", () => {
  const names = ["filter", "pkts", "qq", "bytes1", "cc"].map((n) => [n, n] as const);
  assert.equal(closest("pkt", names), "pkts");
  assert.equal(closest("q", names), "qq");
  assert.equal(closest("bytes11", names), "bytes1");
  assert.equal(closest("filtr", names), "filter");
  assert.equal(closest("zzzzzz", names), undefined);
});

test("a list of a stateful object suggests the closest table or object, as nft", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    nftResult(
      ns,
      ["-f", "-"],
      "add table ip filter; add counter ip filter pkts; add table inet other; add counter inet other bytes1\n" +
        "add quota inet other qq { over 1 mbytes; }\n",
    );
    for (
      const c of [
        "list counter ip filtr pkts",
        "list counter inet other pkts",
        "list quota ip filter q",
        "list counter ip filter bytes11",
        "list counters table ip filtr",
        "list limit ip filter pkt",
        "list counter ip filter zzzzzz",
      ]
    ) {
      const t = nftResult(ns, c.split(" "));
      const r = nlkit(["-n", ns, "nft", ...c.split(" ")]);
      assert.deepEqual([r.code, r.stderr], [t.code, t.stderr], c);
    }
    assert.match(nftResult(ns, ["list", "quota", "ip", "filter", "q"]).stderr, /did you mean obj ‘qq’/);
  });
});

/** Commands naming a near miss of what the setup holds: nft suggests the closest name. */
const NEAR_MISSES = [
  "delete table ip filtr",
  "delete chain ip filter inptu",
  "delete chain ip filtr input",
  "delete set ip filter blocklst",
  "delete counter ip filter pkt",
  "add rule ip filter inptu accept",
  "add rule ip filtr input accept",
  "add element ip filter blocklst { 1.2.3.4 }",
  "add element ip filtr blocklist { 1.2.3.4 }",
  "add chain ip filtr newc",
  "add counter ip filtr c2",
  "flush chain ip filter inptu",
  "flush set ip filter blocklst",
  "add rule ip filter input ip saddr @blocklst accept",
];

test("a command's near miss gets nft's did-you-mean, at nft's place", { skip: NFT_SKIP }, async () => {
  const setup = "add table ip filter; add chain ip filter input; add set ip filter blocklist { type ipv4_addr; }; " +
    "add counter ip filter pkts";
  for (const c of NEAR_MISSES) {
    const run = <T>(fn: (ns: string) => T) =>
      withTempNetns((ns) => {
        nftResult(ns, [setup]);
        return Promise.resolve(fn(ns));
      });
    const theirs = await run((ns) => nftResult(ns, [c]));
    const mine = await run((ns) => nlkit(["-n", ns, "nft", c]));
    assert.equal(theirs.code, 1, c);
    assert.deepEqual([mine.code, mine.stderr], [theirs.code, theirs.stderr], c);
  }
});

/**
 * Statements nft's grammar leaves without their newline or `;`: a rule or a
 * declaration before its block's `}`, a block before the next statement on
 * its line. Each refused as nft refuses it (its first error, where nft's
 * bison then reports the end of the file too) and nothing applied; what the
 * grammar lets go without one (a set's `elements = {...}` and `auto-merge`,
 * a counter's values) applies as with nft.
 */
const UNSEPARATED = [
  "table ip t { chain c { accept } }",
  "table ip t { chain c { accept; } }",
  "table ip t { chain c { jump { accept; } }; }",
  "table ip t { chain c { type filter hook input priority 0 } }",
  "table ip t { chain c { }  chain d { } }",
  "table ip t { set s { type ipv4_addr } }",
  "table ip t { set s { typeof ip saddr } }",
  "table ip t { set s { type ipv4_addr; flags interval } }",
  "table ip t { map m { type ipv4_addr : verdict } }",
  "table ip t { flags dormant }",
  'table ip t { comment "x" }',
  "table ip t { } foo",
  'table ip t { } "x"',
  "table ip t { } 12",
  "table ip t { }\n}",
  "add table ip t\nadd chain ip t c { type filter hook input priority 0 }\n",
];
const SEPARATED = [
  "table ip t { set s { type ipv4_addr; elements = { 1.1.1.1 } }; }",
  "table ip t { set s { type ipv4_addr; flags interval; auto-merge }; }",
  "table ip t { counter c { packets 1 bytes 2 }; }",
  "table ip t { chain c { accept; }; }",
  "table ip t { chain c { jump { accept; }; }; }",
];

test(
  "a statement without its newline or ; is nft's syntax error, and nothing is applied",
  { skip: NFT_SKIP },
  async () => {
    for (const script of UNSEPARATED) {
      const theirs = await withTempNetns((ns) => Promise.resolve(nftResult(ns, ["-f", "-"], script)));
      await withTempNetns((ns) => {
        const mine = nlkit(["-n", ns, "nft", "-f", "-"], {}, script);
        assert.equal(theirs.code, 1, script);
        assert.equal(mine.code, 1, script);
        const first = (s: string) => s.split("\n").slice(0, 3).join("\n");
        assert.equal(first(mine.stderr), first(theirs.stderr), script);
        assert.equal(nftResult(ns, ["list", "ruleset"]).code, 0);
        assert.equal(nlkit(["-n", ns, "nft", "list", "ruleset"]).stdout, "");
      });
    }
    for (const script of SEPARATED) {
      const theirs = await withTempNetns((ns) => nftResult(ns, ["-f", "-"], script).code);
      const mine = await withTempNetns((ns) => nlkit(["-n", ns, "nft", "-f", "-"], {}, script).code);
      assert.deepEqual([mine, theirs], [0, 0], script);
    }
  },
);
