/**
 * `nlkit nft -o -f FILE` (nft's ruleset optimizer): the merges on JSON
 * rules (a set, a concatenation, a verdict map, a nat map, rules kept
 * apart), the report text, and against `nft -o -f` in fresh namespaces
 * (the report on stdout and stderr, the ruleset after).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";
import { optimizeChain } from "../src/netfilter/nftables/json/optimize.ts";
import type { Obj } from "../src/netfilter/nftables/json/optimize_stmt.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";
import { mergedRuleText } from "../src/netfilter/nftables/text/optimize_text.ts";
import { type MergeReport, optimizeScript } from "../src/netfilter/nftables/text/script_optimize.ts";
import { readScript, type ScriptStmt } from "../src/netfilter/nftables/text/script_read.ts";

const saddr = { payload: { protocol: "ip", field: "saddr" } };
const daddr = { payload: { protocol: "ip", field: "daddr" } };
const dport = { payload: { protocol: "tcp", field: "dport" } };
const eq = (left: Json, right: Json): Json => ({ match: { op: "==", left, right } });
const rule = (...expr: Json[]): Obj => ({ family: "ip", table: "x", chain: "y", expr });

test("rules on one selector with one verdict become a set; the comment goes", () => {
  const rules = [
    { ...rule(eq(daddr, "192.168.0.1"), { counter: null }, { accept: null }), comment: "a" },
    rule(eq(daddr, "192.168.0.2"), { counter: null }, { accept: null }),
    rule(eq(daddr, { set: ["192.168.0.3", "192.168.0.4"] }), { counter: null }, { accept: null }),
  ];
  const r = optimizeChain(rules);
  assert.equal(r.rules.length, 1);
  assert.deepEqual(r.merges.map((m) => [m.from, m.to]), [[0, 2]]);
  assert.equal(r.rules[0].comment, undefined);
  // The set a rule was written with stays nested (nft prints it one element a line); applying flattens it.
  assert.equal(
    mergedRuleText(r.rules[0].expr as Json[]),
    "ip daddr { 192.168.0.1, 192.168.0.2, { 192.168.0.3,\n\t\t\t     192.168.0.4 } } counter accept",
  );
});

test("several selectors become a concatenation, a set value giving one element each", () => {
  const iif = { meta: { key: "iifname" } };
  const r = optimizeChain([
    rule(eq(dport, 51820), eq(iif, "foo"), { accept: null }),
    rule(eq(dport, { set: [67, 514] }), eq(iif, "bar"), { accept: null }),
  ]);
  assert.deepEqual(r.rules[0].expr, [
    eq({ concat: [dport, iif] }, {
      set: [{ concat: [51820, "foo"] }, { concat: [67, "bar"] }, { concat: [514, "bar"] }],
    }),
    { accept: null },
  ]);
  assert.equal(
    mergedRuleText(r.rules[0].expr as Json[]),
    "tcp dport . iifname { 51820 . foo, 67 . bar, 514 . bar } accept",
  );
});

test("different verdicts become a verdict map, lists and sets giving one mapping per value; the counter goes", () => {
  const state = { ct: { key: "state" } };
  const r = optimizeChain([
    rule({ match: { op: "in", left: state, right: "invalid" } }, { counter: null }, { drop: null }),
    rule({ match: { op: "in", left: state, right: ["established", "related"] } }, { counter: null }, {
      jump: { target: "t" },
    }),
  ]);
  assert.deepEqual(r.rules[0].expr, [{
    vmap: {
      key: state,
      data: {
        set: [["invalid", { drop: null }], ["established", { jump: { target: "t" } }], ["related", {
          jump: { target: "t" },
        }]],
      },
    },
  }]);
  assert.equal(
    mergedRuleText(r.rules[0].expr as Json[]),
    "ct state vmap { invalid : drop, established : jump t, related : jump t }",
  );
  // Two selectors: a concatenation as the map's key.
  const c = optimizeChain([
    rule(eq(saddr, "1.1.1.1"), eq(daddr, "2.2.2.2"), { accept: null }),
    rule(eq(saddr, "2.2.2.2"), eq(daddr, "3.3.3.3"), { drop: null }),
  ]);
  assert.equal(
    mergedRuleText(c.rules[0].expr as Json[]),
    "ip saddr . ip daddr vmap { 1.1.1.1 . 2.2.2.2 : accept, 2.2.2.2 . 3.3.3.3 : drop }",
  );
});

test("nat rules become a nat map, an address with a port mapping to address . port", () => {
  const r = optimizeChain([
    rule(eq(dport, 80), { dnat: { addr: "1.1.1.1", port: 8001 } }),
    rule(eq(dport, 81), { dnat: { addr: "2.2.2.2", port: 9001 } }),
  ]);
  assert.deepEqual(r.rules[0].expr, [{
    dnat: {
      addr: {
        map: {
          key: dport,
          data: { set: [[80, { concat: ["1.1.1.1", 8001] }], [81, { concat: ["2.2.2.2", 9001] }]] },
        },
      },
    },
  }]);
  assert.equal(
    mergedRuleText(r.rules[0].expr as Json[]),
    "dnat to tcp dport map { 80 : 1.1.1.1 . 8001, 81 : 2.2.2.2 . 9001 }",
  );
  // Masquerade has no address to map to: kept apart.
  assert.equal(
    optimizeChain([rule(eq(saddr, "1.1.1.1"), { masquerade: null }), rule(eq(saddr, "1.1.1.2"), { masquerade: null })])
      .merges.length,
    0,
  );
});

test("rules that do not merge stay as they are", () => {
  const iif = { meta: { key: "iifname" } };
  const oif = { meta: { key: "oifname" } };
  const cases: Obj[][] = [
    // Nothing to merge on: only counters and verdicts.
    [rule({ counter: null }, { jump: { target: "t1" } }), rule({ counter: null }, { jump: { target: "t2" } })],
    // A negation is not merged, so its rule differs from the next.
    [
      rule(eq(iif, "eth0"), { match: { op: "!=", left: oif, right: "eth0" } }, { accept: null }),
      rule(eq(iif, "eth0"), eq(oif, "eth0"), { accept: null }),
    ],
    // A named set, another statement kind, a different reject.
    [rule(eq(dport, "@s"), { accept: null }), rule(eq(dport, 1), { accept: null })],
    [
      rule(eq(dport, 1), { mangle: { key: { meta: { key: "mark" } }, value: 1 } }),
      rule(eq(dport, 2), { mangle: { key: { meta: { key: "mark" } }, value: 1 } }),
    ],
    [rule(eq(daddr, "1.1.1.1"), { reject: null }), rule(eq(daddr, "1.1.1.2"), { reject: { type: "tcp reset" } })],
    // Verdict maps on named maps have no mappings to join.
    [rule({ vmap: { key: dport, data: "@a" } }), rule({ vmap: { key: dport, data: "@b" } })],
    // One selector twice in a rule: merging on one would lose the other.
    [rule(eq(dport, 1), eq(dport, 2), { accept: null }), rule(eq(dport, 5), eq(dport, 3), { accept: null })],
    // Different selectors.
    [rule(eq(saddr, "1.1.1.1"), { accept: null }), rule(eq(daddr, "1.1.1.1"), { accept: null })],
  ];
  for (const rules of cases) assert.deepEqual(optimizeChain(rules), { rules, merges: [] }, JSON.stringify(rules));
  // A rule that read a variable is kept (nft keeps the variable, which it does not merge).
  const two = [rule(eq(saddr, "1.1.1.1"), { accept: null }), rule(eq(saddr, "1.1.1.2"), { accept: null })];
  assert.equal(optimizeChain(two, [false, true]).merges.length, 0);
  assert.equal(optimizeChain(two).merges.length, 1);
});

test("verdict maps on one key join their mappings; runs are found one after another", () => {
  const vmap = (...m: Json[]) => ({ vmap: { key: dport, data: { set: m } } });
  const l4 = { meta: { key: "l4proto" } };
  const r = optimizeChain([
    rule(vmap([80, { accept: null }])),
    rule(vmap([81, { accept: null }], [443, { accept: null }])),
    rule(eq(l4, "tcp"), { goto: { target: "a" } }),
    rule(eq(l4, "udp"), { goto: { target: "b" } }),
    rule({ log: null }),
  ]);
  assert.deepEqual(r.merges.map((m) => [m.from, m.to]), [[0, 1], [2, 3]]);
  assert.equal(r.rules.length, 3);
  assert.equal(
    mergedRuleText(r.rules[0].expr as Json[]),
    "tcp dport vmap { 80 : accept,\n\t\t\t     81 : accept,\n\t\t\t     443 : accept }",
  );
  assert.equal(mergedRuleText(r.rules[1].expr as Json[]), "meta l4proto vmap { tcp : goto a, udp : goto b }");
});

/** The script's statements (no includes). */
function stmts(text: string): ScriptStmt[] {
  const none = () => {
    throw new Error("no includes here");
  };
  return readScript(text, "/dev/stdin", {
    readFile: none,
    readDir: none,
    exists: () => false,
    isDir: () => false,
    includePaths: [],
  });
}

test("a script's table blocks are optimized, each rule reported at its place (its comment left out)", () => {
  const text =
    'table ip x {\n\tchain y {\n\t\tip daddr 1.1.1.1 accept comment "a"\n\t\tip daddr 1.1.1.2 accept\n\t}\n}\n' +
    "add chain ip x z\nadd rule ip x z ip daddr 1.1.1.1 accept\nadd rule ip x z ip daddr 1.1.1.2 accept\n";
  const reports: MergeReport[] = [];
  const cmds = optimizeScript(stmts(text), (m) => reports.push(m));
  assert.deepEqual(reports, [{
    rules: [
      '/dev/stdin:3:3-25: \t\tip daddr 1.1.1.1 accept comment "a"',
      "/dev/stdin:4:3-25: \t\tip daddr 1.1.1.2 accept",
    ],
    into: "ip daddr { 1.1.1.1, 1.1.1.2 } accept",
  }]);
  // The table, its chain, the merged rule; the `add rule` commands are left alone, as nft leaves them.
  assert.equal(cmds.length, 6);
  assert.deepEqual((cmds[2].cmd as Obj).add, {
    rule: {
      family: "ip",
      table: "x",
      chain: "y",
      expr: [eq(daddr, { set: ["1.1.1.1", "1.1.1.2"] }), { accept: null }],
    },
  });
  // A value from a variable: nothing merged.
  const vars =
    "define a = 1.1.1.1\ntable ip x {\n\tchain y {\n\t\tip daddr $a accept\n\t\tip daddr 1.1.1.2 accept\n\t}\n}\n";
  assert.equal(optimizeScript(stmts(vars), () => assert.fail("merged")).length, 4);
});

test("-o is refused where nft would not optimize", () => {
  for (
    const args of [["nft", "-o", "list", "ruleset"], ["nft", "-o", "add", "table", "ip", "x"], [
      "nft",
      "-o",
      "-j",
      "-f",
      "/dev/null",
    ]]
  ) {
    const r = nlkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /-o/);
  }
});

const SCRIPTS: Record<string, string> = {
  sets: `table ip x {
	chain y {
		ip daddr 192.168.0.1 counter accept comment "test1"
		ip daddr 192.168.0.2 counter accept
		meta iifname eth1 ip saddr 1.1.1.1 ip daddr 2.2.2.3 accept
		meta iifname eth1 ip saddr 1.1.1.2 ip daddr 2.2.3.0/24 accept
		meta iifname eth2 ip saddr 1.1.1.3 ip daddr 2.2.4.0-2.2.4.10 accept
		ip protocol . th dport { tcp . 22, udp . 67 }
	}
	chain c {
		udp dport { 51820, 100 } iifname { "foo", "test" } accept
		udp dport { 67, 514 } iifname "bar" accept
		tcp dport 1-128 accept
		tcp dport 8888-9999 accept
		tcp dport 1 accept
	}
}
`,
  vmaps: `table inet x {
	chain t1 {
	}
	chain t2 {
	}
	chain y {
		ct state invalid drop
		ct state established,related accept
		tcp dport vmap {
			80 : accept,
			81 : accept,
		}
		tcp dport vmap { 8000-8100 : accept }
		meta l4proto tcp goto t1
		meta l4proto udp goto t2
		ip saddr 1.1.1.1 ip daddr 2.2.2.2 accept
		ip saddr 4.4.4.4 ip daddr 5.5.5.5 drop
		counter jump t1
		counter jump t2
		iifname "eth0" oifname != "eth0" counter accept
		iifname "eth0" oifname "eth0" counter accept
	}
}
`,
  nat: `table ip n {
	chain y {
		ip saddr 4.4.4.4 dnat to 1.1.1.1
		ip saddr 5.5.5.5 dnat to 2.2.2.2
		tcp dport 80 dnat to 1.1.1.1:8001
		tcp dport 81 dnat to 2.2.2.2:9001
	}
	chain z {
		ip saddr 1.1.1.1 tcp sport 1024-65535 snat to 3.3.3.3
		ip saddr 2.2.2.2 tcp sport 1024-65535 snat to 4.4.4.4
	}
	chain r {
		meta l4proto tcp ip daddr 172.30.33.71 tcp dport 3306 counter reject
		meta l4proto tcp ip daddr 172.30.238.117 tcp dport 8080 counter reject
		meta l4proto tcp ip daddr 172.30.254.252 tcp dport 3306 counter reject with tcp reset
	}
}
`,
  // Parts of nft's optimizations/ruleset test: parenthesised masks, the icmpv6 keyword.
  misc: `table inet m {
	chain f1 {
		type filter hook forward priority -150; policy accept;
		tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu
		ct mark & (0x1 | 0x2) == 0x1 accept
		ip6 nexthdr icmpv6 icmpv6 type vmap {
			echo-request : accept,
		}
		meta l4proto tcp  goto t
		meta l4proto udp  goto u
	}
	chain t {
	}
	chain u {
	}
}
`,
};

/** `ARGS...` in namespace `ns`: nft's or nlkit's exit code, stdout and stderr. */
function both(ns: string, real: boolean, args: string[]): [number, string, string] {
  if (!real) {
    const r = nlkit(["-n", ns, "nft", ...args]);
    return [r.code, r.stdout, r.stderr];
  }
  const r = spawnSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8" });
  return [r.status ?? -1, r.stdout, r.stderr];
}

for (const [name, script] of Object.entries(SCRIPTS)) {
  test(`nft -o -f: the ${name} script merges, reports and lists as with nft`, { skip: NFT_SKIP }, async () => {
    const dir = mkdtempSync("/tmp/nftopt-");
    const file = `${dir}/${name}.nft`;
    writeFileSync(file, script);
    try {
      const got: [number, string, string, string][] = [];
      for (const real of [true, false]) {
        await withTempNetns((ns) => {
          const r = both(ns, real, ["-o", "-f", file]);
          got.push([...r, nft(ns, ["list", "ruleset"])]);
        });
      }
      assert.equal(got[0][0], 0, got[0][2]);
      assert.match(got[0][2], /Merging:/);
      assert.deepEqual(got[1], got[0]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
}

test(
  "an anonymous set's overlapping and adjacent ranges are merged, as nft merges them",
  { skip: NFT_SKIP },
  async () => {
    const rules = [
      "tcp dport { 1-128, 1 } accept",
      "tcp dport { 1-3, 4-5, 7 }",
      "ip saddr { 10.0.0.0/8, 10.1.0.0/16, 11.0.0.0/8 }",
    ];
    const got: string[] = [];
    for (const real of [true, false]) {
      await withTempNetns((ns) => {
        nft(ns, ["add", "table", "ip", "x"]);
        nft(ns, ["add", "chain", "ip", "x", "y"]);
        for (const r of rules) assert.equal(both(ns, real, ["add", "rule", "ip", "x", "y", r])[0], 0, r);
        got.push(nft(ns, ["list", "ruleset"]));
      });
    }
    assert.match(got[0], /\{ 1-128 \} accept/);
    assert.equal(got[1], got[0]);
  },
);

test("nft -c -o: the merges are reported and nothing is committed, as with nft", { skip: NFT_SKIP }, async () => {
  const dir = mkdtempSync("/tmp/nftopt-");
  writeFileSync(`${dir}/c.nft`, SCRIPTS.sets);
  try {
    await withTempNetns((ns) => {
      const want = both(ns, true, ["-c", "-o", "-f", `${dir}/c.nft`]);
      assert.deepEqual(both(ns, false, ["-c", "-o", "-f", `${dir}/c.nft`]), want);
      assert.equal(nft(ns, ["list", "ruleset"]), "");
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});
