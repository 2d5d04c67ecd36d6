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
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";

/** Each test makes namespaces per script: more than Bun's 5 s default on a busy machine. */
const OPTS = { skip: NFT_SKIP, timeout: 60_000 };

/** Applies the JSON document `doc` by nft and by nlkit, in two namespaces; nft lists both the same. */
async function sameJsonAsNft(doc: string): Promise<void> {
  await withTempNetns(async (a) => {
    nft(a, ["-j", "-f", "-"], doc);
    const want = nft(a, ["list", "ruleset"]);
    await withTempNetns((b) => {
      const r = nlkit(["-n", b, "nft", "-j", "-f", "-"], {}, doc);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(nft(b, ["list", "ruleset"]), want);
    });
  });
}

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
    const t = nftResult(ns, ["add", "chain", "x", "y", "{ policy drop; }"]);
    assert.match(t.stderr, /^Error: Could not process rule: Operation not supported\n.*\n {16}\^{11}\n$/);
    assert.deepEqual([r.code, r.stderr], [t.code, t.stderr]);
  });
});

test('classid values: hex halves with 0x ("1:0xc7cb"), as nft reads them', OPTS, async () => {
  await sameAsNft(
    "add table ip filter\nadd map ip filter m { type ipv4_addr : classid; flags interval; }\n" +
      'add element ip filter m { 10.4.22.0/24 : "1:0xc7cb", 10.4.23.0/24 : "0x2:1f" }\n' +
      'add chain ip filter c\nadd rule ip filter c meta priority set "0x1:0x10"',
  );
});

test(
  "rule index: a rule added earlier in the batch is placed by its batch id (NFTA_RULE_POSITION_ID)",
  OPTS,
  async () => {
    await sameAsNft(
      "add table x\nadd chain x y\nadd rule x y accept comment rule1\nadd rule x y accept comment rule4\n" +
        "add rule x y index 0 accept comment rule2\ninsert rule x y index 2 accept comment rule3",
    );
    // Kernel rules and the batch's together, after deletions and a flush of another chain.
    await sameAsNft(
      "add table x\nadd chain x y\nadd chain x z\nadd rule x y accept comment k1\nadd rule x y accept comment k2",
      "add rule x y accept comment b1\ninsert rule x y index 1 accept comment b2\ndelete rule x y handle 4\n" +
        "add rule x z accept comment z1\nflush chain x z\nadd rule x y index 2 accept comment b3\n" +
        "add rule x y index 3 accept comment b4",
    );
    // After flush ruleset (or a chain deleted and made again), only the batch's own rules count.
    await sameAsNft(
      "add table x\nadd chain x y\nadd rule x y accept comment k1\nadd rule x y accept comment k2",
      "flush ruleset\nadd table x\nadd chain x z\nadd chain x y\nadd rule x y accept comment b1\n" +
        "insert rule x y index 0 accept comment b0",
      "delete chain x y\nadd chain x y\nadd rule x y accept comment c1\nadd rule x y index 0 accept comment c2",
    );
    // nft's cache keeps the rules of a chain flushed in the batch: index counts them (and the kernel places by them).
    await sameAsNft(
      "add table x\nadd chain x y\nadd rule x y accept comment k1\nadd rule x y accept comment k2",
      "flush chain x y\nadd rule x y accept comment b1\ninsert rule x y index 0 accept comment b0",
    );
  },
);

test("rule index in JSON, after rules inserted in the same document; icmpv6 as a protocol constant", OPTS, async () => {
  const rule = (chain: string, extra: object, comment: string) => ({
    rule: { family: "inet", table: "t", chain, expr: [{ accept: null }], comment, ...extra },
  });
  const doc = JSON.stringify({
    nftables: [
      { add: { table: { family: "inet", name: "t" } } },
      { add: { chain: { family: "inet", table: "t", name: "c" } } },
      { add: rule("c", {}, "a") },
      { insert: rule("c", {}, "b") },
      { add: rule("c", { index: 0 }, "c") },
      { insert: rule("c", { index: 1 }, "d") },
      {
        add: {
          rule: {
            family: "inet",
            table: "t",
            chain: "c",
            index: 3,
            expr: [{ match: { left: { meta: { key: "l4proto" } }, op: "==", right: { set: ["icmp", "icmpv6"] } } }],
          },
        },
      },
    ],
  });
  await sameJsonAsNft(doc);
});

test("JSON add and insert place a rule by its handle; a listing's handle is its own", OPTS, async () => {
  const base = "table inet t {\n\tchain c {\n\t\tcounter\n\t\taccept\n\t}\n}\n";
  const rule = (extra: object, verdict: string) => ({
    rule: { family: "inet", table: "t", chain: "c", expr: [{ [verdict]: null }], ...extra },
  });
  await withTempNetns(async (a) => {
    nft(a, ["-f", "-"], base);
    await withTempNetns((b) => {
      nft(b, ["-f", "-"], base);
      const counter = (ns: string) =>
        Number(/counter packets 0 bytes 0 # handle (\d+)/.exec(nft(ns, ["-a", "list", "ruleset"]))![1]);
      const h = counter(a);
      assert.equal(counter(b), h);
      // insert before the counter, as nft does; add after it (libnftables-json: nft 1.0.6 appends instead).
      const doc = (...items: object[]) => JSON.stringify({ nftables: items });
      nft(a, ["-j", "-f", "-"], doc({ insert: rule({ handle: h }, "drop") }));
      nft(a, ["add", "rule", "inet", "t", "c", "position", String(h), "return"]);
      const r = nlkit(
        ["-n", b, "nft", "-j", "-f", "-"],
        {},
        doc({ insert: rule({ handle: h }, "drop") }, { add: rule({ handle: h }, "return") }),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(nft(b, ["list", "ruleset"]), nft(a, ["list", "ruleset"]));
      assert.match(nft(b, ["list", "ruleset"]), /drop\n\t\tcounter packets 0 bytes 0\n\t\treturn\n\t\taccept/);
      // A listing's rule goes to its chain's end, whatever handle it had.
      const listed = nlkit(["-n", b, "nft", "-j", "-f", "-"], {}, doc(rule({ handle: h }, "continue")));
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(nft(b, ["list", "ruleset"]), /accept\n\t\tcontinue\n/);
      for (
        const [extra, said] of [
          [{ handle: h, position: h }, /both "handle" and "position"/],
          [{ handle: h, index: 0 }, /both "index" and "handle"/],
        ] as const
      ) {
        const bad = nlkit(["-n", b, "nft", "-j", "-f", "-"], {}, doc({ add: rule(extra, "drop") }));
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, said);
      }
      const replace = nlkit(
        ["-n", b, "nft", "-j", "-f", "-"],
        {},
        doc({ replace: rule({ handle: h, position: h }, "drop") }),
      );
      assert.equal(replace.code, 1);
      assert.match(replace.stderr, /Cannot replace a rule by "position"/);
    });
  });
});

test("nft -e -a: thousands of rules in one batch all echo with their handles", OPTS, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["add", "table", "inet", "test"]);
    nft(ns, ["add", "chain", "inet", "test", "c"]);
    const script = Array.from({ length: 3000 }, (_, i) => `add rule inet test c accept comment rule${i}`).join("\n");
    const r = nlkit(["-n", ns, "nft", "-e", "-a", "-f", "-"], {}, script);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\n").filter((l) => /# handle \d+$/.test(l)).length, 3000);
  });
});

test("a bad priority name in a chain block is the script's error: exit 1, located, as nft", OPTS, async () => {
  await withTempNetns((ns) => {
    const script = "table ip t {\n chain c { type filter hook input priority foo; }\n}\n";
    assert.throws(() => nft(ns, ["-f", "-"], script));
    const r = nlkit(["-n", ns, "nft", "-f", "-"], {}, script);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^\/dev\/stdin:2:\d+-\d+: Error: Cannot use priority "foo"/);
  });
});

test("log prefix: $NAMEs inside its quoted text are the defines' values, as nft expands them", OPTS, async () => {
  await sameAsNft(
    'define test = "state"\ndefine foo = "match, logging"\ndefine n = 7\n' +
      'table x {\n chain y {\n  ct state invalid log prefix "invalid $test $foo:"\n  log prefix "$n$test-x"\n }\n}',
  );
  await withTempNetns((ns) => {
    const r = nlkit(["-n", ns, "nft", "-f", "-"], {}, 'table x { chain y { log prefix "a $nope"; }; }');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown identifier 'nope'/);
  });
});

test("a second comment in a table, chain, set, object or rule is refused, as nft refuses it", OPTS, async () => {
  const dup = 'comment "a"; comment "a";';
  for (
    const script of [
      `table ip t { ${dup} }`,
      `table ip t { chain c { ${dup} }; }`,
      `table ip t { set s { type ipv4_addr; ${dup} }; }`,
      `table ip t { quota q { over 1200 bytes; ${dup} }; }`,
      `table ip t { counter c { packets 0 bytes 0; ${dup} }; }`,
      `table ip t { limit l { rate 400/hour; ${dup} }; }`,
      `table ip t { synproxy s { mss 1460; wscale 2; ${dup} }; }`,
      'add table ip t\nadd chain ip t c\nadd rule ip t c accept comment "a" comment "b"',
    ]
  ) {
    await withTempNetns((ns) => {
      assert.throws(() => nft(ns, ["-f", "-"], script), script);
      const r = nlkit(["-n", ns, "nft", "-f", "-"], {}, script);
      assert.equal(r.code, 1, script);
      assert.match(r.stderr, /You can only specify this once/, script);
      assert.equal(nft(ns, ["list", "ruleset"]), "");
    });
  }
});

test("nft -j -f: a document of a later json_schema_version is refused, as nft refuses it", OPTS, async () => {
  await withTempNetns((ns) => {
    const doc = (v: number) =>
      JSON.stringify({ nftables: [{ metainfo: { json_schema_version: v } }, { add: { table: { name: "t" } } }] });
    assert.throws(() => nft(ns, ["-j", "-f", "-"], doc(999)));
    const r = nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, doc(999));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Schema version 999 not supported, maximum supported version is 1/);
    assert.equal(nft(ns, ["list", "ruleset"]), "");
    assert.equal(nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, doc(1)).code, 0);
    assert.equal(nft(ns, ["list", "tables"]), "table ip t\n");
  });
});

test(
  "chains bound to a rule (jump { ... }, goto { ... }): in files, blocks and on the command line",
  OPTS,
  async () => {
    await sameAsNft(
      `table inet x {
  chain y {
    type filter hook input priority 0;
    meta l4proto { tcp, udp } th dport 53 jump {
      ip saddr { 127.0.0.0/8, 172.23.0.0/16 } counter accept
      ip6 saddr ::1/128 counter accept
    }
    tcp dport 1 goto {
      drop
    }
  }
}`,
      ["add", "rule", "inet", "x", "y", "meta", "l4proto", "icmpv6", "jump", "{", "counter", "accept;", "}"],
      ["add", "rule", "inet", "x", "y", "meta", "l4proto", "sctp", "jump", "{", "drop;", "}"],
      "add rule inet x y udp dport 7 goto { accept; }\ntable ip f { chain c { jump { accept; }; }; }",
    );
    // The same handles as nft gives (chain, its rules, then the rule): deleting the rule deletes its chain.
    await sameAsNft(
      "table inet x { chain y { jump { accept; }; }; }",
      ["add", "rule", "inet", "x", "y", "jump", "{", "counter", "accept;", "}"],
      ["add", "rule", "inet", "x", "y", "jump", "{", "drop;", "}"],
      ["delete", "rule", "inet", "x", "y", "handle", "7"],
    );
    // A set its rules update is dynamic, as for the rules of any chain.
    await sameAsNft("table ip t { set s { type ipv4_addr; }; chain c { jump { update @s { ip saddr }; }; }; }");
    await withTempNetns((ns) => {
      nlkit(["-n", ns, "nft", "table ip f { chain c { jump { accept; }; }; }"]);
      const r = nlkit(["-n", ns, "nft", "list", "chain", "ip", "f", "c"]);
      assert.equal(r.stdout, nft(ns, ["list", "chain", "ip", "f", "c"]));
      assert.equal(nlkit(["-n", ns, "nft", "list", "chains"]).stdout, nft(ns, ["list", "chains"]));
    });
  },
);

test("a run of constant &, | and ^ is one bitwise, as nft folds it: nft lists the rule as its own", OPTS, async () => {
  await sameAsNft(
    "add table t\nadd chain t c\nadd rule t c meta mark set meta mark & 0xffff | 0x20000\n" +
      "add rule t c ct mark set ct mark & 0xff00 | 0x1 | 0x2\nadd rule t c meta mark set meta mark ^ 0x5 | 0x3\nadd rule t c meta mark set meta mark & 0xff ^ 0x5\n" +
      "add rule t c meta mark & 0x0f == 0x3\nadd rule t c ct mark set ct mark | 0x10\n" +
      "add rule t c tcp flags & syn == syn\nadd rule t c meta mark set meta mark << 8 | 0x5",
  );
});

test("a set statement's operators bind as nft's grammar nests them (<< >>, &, ^, |); numbers fold", OPTS, async () => {
  await sameAsNft(
    "add table t\nadd chain t c\nadd rule t c meta mark set meta mark ^ 0x3 & 0xf0\n" +
      "add rule t c meta mark set meta mark | 0x3 ^ 0x5\nadd rule t c meta mark set (meta mark | 0x3) ^ 0x5\n" +
      "add rule t c meta mark set meta mark << 2 & 0xff\nadd rule t c meta mark set 0x10 | 0x1",
  );
});

test("nft -e echoes inserted rules as insert, as nft does", OPTS, async () => {
  const setup = "add table t\nadd chain t c\nadd rule t c accept";
  const script = "insert rule t c counter\nadd rule t c drop";
  const lines = (out: string) => out.split("\n").filter((l) => !l.startsWith("# new generation"));
  await withTempNetns(async (a) => {
    nft(a, ["-f", "-"], setup);
    const want = lines(nft(a, ["-e", "-a", "-f", "-"], script));
    await withTempNetns((b) => {
      nft(b, ["-f", "-"], setup);
      const r = nlkit(["-n", b, "nft", "-e", "-a", "-f", "-"], {}, script);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), want);
      assert.match(r.stdout, /^insert rule ip t c counter packets 0 bytes 0 # handle \d+$/m);
    });
  });
});

test("nft -j -f: an anonymous set of one value, prefix or range is that value, as nft makes it", OPTS, async () => {
  const match = (left: object, right: object, op = "in") => ({ match: { op, left, right } });
  const doc = JSON.stringify({
    nftables: [
      { add: { table: { family: "inet", name: "t" } } },
      { add: { chain: { family: "inet", table: "t", name: "c" } } },
      ...[
        match({ ct: { key: "state" } }, { set: ["invalid"] }),
        match({ payload: { protocol: "tcp", field: "dport" } }, { set: [22] }, "=="),
        match({ payload: { protocol: "ip", field: "saddr" } }, { set: [{ prefix: { addr: "10.0.0.0", len: 8 } }] }),
        match({ payload: { protocol: "udp", field: "dport" } }, { set: [{ range: [1, 9] }] }, "!="),
      ].map((m) => ({ add: { rule: { family: "inet", table: "t", chain: "c", expr: [m, { drop: null }] } } })),
    ],
  });
  await sameJsonAsNft(doc);
});
