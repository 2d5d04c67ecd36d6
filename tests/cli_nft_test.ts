/**
 * `nlkit nft` against nft 1.0.6 in the same namespace: listings in nft's
 * JSON and text, `-j -f` applying documents (and naming a failing object
 * with exit 1), nft's change commands, and `monitor`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { followWhile, nlkit, ok } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { loadRuleset, nft, NFT_SKIP, nftJson, RULESETS, stable, stableText } from "./_nft.ts";

// deno-lint-ignore no-explicit-any
function objects(text: string): any[] {
  return JSON.parse(text).nftables.slice(1);
}

for (const [name, ruleset] of Object.entries(RULESETS)) {
  test(`nft list ruleset (${name}): JSON and text as nft prints them`, { skip: NFT_SKIP }, async () => {
    await withTempNetns((ns) => {
      loadRuleset(ns, ruleset);
      assert.deepEqual(stable(objects(ok(ns, "-j", "nft", "list", "ruleset"))), stable(nftJson(ns, "ruleset")));
      assert.deepEqual(stable(objects(ok(ns, "nft", "-j", "list", "ruleset"))), stable(nftJson(ns, "ruleset")));
      assert.equal(stableText(ok(ns, "nft", "list", "ruleset")), stableText(nft(ns, ["list", "ruleset"])));
      assert.equal(stableText(ok(ns, "nft", "-a", "list", "ruleset")), stableText(nft(ns, ["-a", "list", "ruleset"])));
    });
  });
}

test(
  "nft list ruleset|table text: empty tables and chains, flags and comments, as nft",
  { skip: NFT_SKIP },
  async () => {
    await withTempNetns((ns) => {
      // Written as the dump arrives: a table with nothing, chains without rules before and after one with
      // rules, a dormant table with a comment, and a second table whose rules follow the first's.
      loadRuleset(
        ns,
        "table inet empty {\n}\n" +
          'table ip t {\nflags dormant\ncomment "c"\nchain a {\n}\nchain b {\ntype filter hook input priority 0; ' +
          'policy drop;\nip saddr 10.0.0.1 accept\ncounter\n}\nchain c {\ncomment "x"\n}\n}\n' +
          "table ip6 u {\nset s {\ntype ipv6_addr\n}\nchain d {\n}\nchain e {\ntcp dport 22 accept\n}\n}\n",
      );
      for (
        const c of [["ruleset"], ["table", "inet", "empty"], ["table", "t"], ["table", "ip6", "u"], ["ruleset", "ip"]]
      ) {
        assert.equal(ok(ns, "nft", "list", ...c), nft(ns, ["list", ...c]), c.join(" "));
        assert.equal(ok(ns, "nft", "-a", "list", ...c), nft(ns, ["-a", "list", ...c]), `-a ${c.join(" ")}`);
      }
      // An empty ruleset prints nothing.
      nft(ns, ["flush", "ruleset"]);
      assert.equal(ok(ns, "nft", "list", "ruleset"), nft(ns, ["list", "ruleset"]));
    });
  },
);

test("nft list counters|quotas [table F T] show every table holding objects, as nft", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    // Tables with only a ct helper or only a quota are listed (empty) under counters; d holds nothing.
    loadRuleset(ns, RULESETS.audit + 'table inet a { ct helper h { type "ftp" protocol tcp; }; }\ntable ip d { }\n');
    for (
      const c of [["counters"], ["quotas"], ["counters", "table", "inet", "filter"], ["quotas", "table", "inet", "a"]]
    ) {
      assert.deepEqual(objects(ok(ns, "-j", "nft", "list", ...c)), nftJson(ns, ...c), c.join(" "));
      assert.equal(ok(ns, "nft", "list", ...c), nft(ns, ["list", ...c]), c.join(" "));
    }
  });
});

test("nft list tables, table, chain, set, map, counters, quotas, chains, sets, maps", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    loadRuleset(ns, RULESETS.router);
    const cases = [
      ["tables"],
      ["tables", "inet"],
      ["table", "inet", "filter"],
      ["table", "nat"],
      ["chain", "inet", "filter", "wan"],
      ["set", "inet", "filter", "svc"],
      ["map", "inet", "filter", "portmap"],
      ["counters"],
      ["quotas"],
      ["chains"],
      ["sets"],
      ["maps"],
      ["ruleset", "ip"],
    ];
    for (const c of cases) {
      assert.deepEqual(stable(objects(ok(ns, "-j", "nft", "list", ...c))), stable(nftJson(ns, ...c)), c.join(" "));
      if (c[0] !== "tables" && c[0] !== "chains") {
        assert.equal(stableText(ok(ns, "nft", "list", ...c)), stableText(nft(ns, ["list", ...c])), c.join(" "));
      }
    }
  });
});

test(
  "nft -j -f applies a document atomically; a refused one exits 1 naming the object",
  { skip: NFT_SKIP },
  async () => {
    await withTempNetns(async (src) => {
      loadRuleset(src, RULESETS.router);
      const doc = nft(src, ["-j", "list", "ruleset"]);
      await withTempNetns((dst) => {
        const dir = mkdtempSync(join(tmpdir(), "nlkit-nft-"));
        const file = join(dir, "ruleset.json");
        writeFileSync(file, doc);
        ok(dst, "nft", "-j", "-f", file);
        const strip = (x: unknown) => JSON.stringify(x, (k, v) => (k === "handle" || k === "expires" ? undefined : v));
        assert.equal(strip(nftJson(dst, "ruleset")), strip(objects(doc)));
        const bad = JSON.stringify({
          nftables: [
            { flush: { ruleset: null } },
            { add: { table: { family: "ip", name: "x" } } },
            { add: { chain: { family: "ip", table: "x", name: "c" } } },
            {
              add: {
                rule: {
                  family: "ip",
                  table: "x",
                  chain: "c",
                  expr: [{
                    match: { op: "==", left: { payload: { protocol: "ip", field: "saddr" } }, right: "@missing" },
                  }],
                },
              },
            },
          ],
        });
        const r = nlkit(["-n", dst, "nft", "-j", "-f", "-"], {}, bad);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /rule #1 of chain ip x c: .*ENOENT/);
        assert.equal(strip(nftJson(dst, "ruleset")), strip(objects(doc)), "nothing changed, not even the flush");
        const r2 = nlkit(
          ["-n", dst, "nft", "-j", "-f", "-"],
          {},
          JSON.stringify({
            nftables: [{
              add: { rule: { family: "inet", table: "filter", chain: "nochain", expr: [{ accept: null }] } },
            }],
          }),
        );
        assert.equal(r2.code, 1);
        assert.match(r2.stderr, /^Error: Cannot apply the transaction: rule #1 of chain inet filter nochain: .*ENOENT/);
      });
    });
  },
);

test("nft add, insert, delete and flush commands change what nft lists", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    const n = (...a: string[]) => ok(ns, "nft", ...a);
    n("add", "table", "inet", "t");
    n("add", "chain", "inet", "t", "c", "{ type filter hook input priority filter; policy accept; }");
    n("add", "chain", "inet", "t", "other");
    n("add", "set", "inet", "t", "s", "{ type ipv4_addr; flags interval; }");
    n("add", "element", "inet", "t", "s", "{ 10.0.0.0/8, 1.2.3.4 }");
    n("add", "map", "inet", "t", "m", "{ type inet_service : verdict; elements = { 22 : accept, 80 : jump other } }");
    n(
      "add",
      "rule",
      "inet",
      "t",
      "c",
      "tcp",
      "dport",
      "{ 22, 80 }",
      "ct",
      "state",
      "established,related",
      "counter",
      "accept",
      "comment",
      "hi there",
    );
    n("add", "rule", "inet", "t", "c", "ip", "saddr", "@s", "log", "prefix", "bad: ", "level", "info", "drop");
    n("insert", "rule", "inet", "t", "c", "tcp", "dport", "vmap", "@m");
    n("add", "rule", "inet", "t", "c", "iifname", "lo", "meta", "mark", "set", "0x10", "accept");
    const want = [
      "\t\ttcp dport vmap @m",
      '\t\ttcp dport { 22, 80 } ct state established,related counter packets 0 bytes 0 accept comment "hi there"',
      '\t\tip saddr @s log prefix "bad: " level info drop',
      '\t\tiifname "lo" meta mark set 0x00000010 accept',
    ].join("\n");
    assert.ok(nft(ns, ["list", "chain", "inet", "t", "c"]).includes(want));
    const handle = nftJson(ns, "chain", "inet", "t", "c").find((o) =>
      o.rule?.expr.some((e: object) => "log" in e)
    ).rule.handle;
    n("delete", "rule", "inet", "t", "c", "handle", String(handle));
    assert.doesNotMatch(nft(ns, ["list", "chain", "inet", "t", "c"]), /log prefix/);
    n("delete", "element", "inet", "t", "s", "{ 1.2.3.4 }");
    assert.match(nft(ns, ["list", "set", "inet", "t", "s"]), /elements = \{ 10\.0\.0\.0\/8 \}/);
    n("flush", "chain", "inet", "t", "c");
    assert.equal(nftJson(ns, "chain", "inet", "t", "c").filter((o) => o.rule).length, 0);
    const r = nlkit(["-n", ns, "nft", "delete", "chain", "inet", "t", "nope"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /chain inet t nope/);
    n("flush", "ruleset");
    assert.deepEqual(nftJson(ns, "ruleset"), []);
  });
});

test("nft add rule: mark arithmetic and log flags as nft adds them", { skip: NFT_SKIP }, async () => {
  const rules = [
    ["meta", "mark", "set", "meta", "mark", "or", "0x10", "counter"],
    ["ct", "mark", "set", "ct", "mark", "and", "0xffff0000"],
    ["meta", "mark", "set", "ct", "mark", "xor", "0x5"],
    ["log", "prefix", "x: ", "flags", "all"],
    ["log", "flags", "tcp", "sequence,options", "flags", "skuid"],
    ["log", "flags", "ip", "options"],
  ];
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], "table inet t { chain mine { }; chain theirs { }; }");
    for (const r of rules) {
      ok(ns, "nft", "add", "rule", "inet", "t", "mine", ...r);
      nft(ns, ["add", "rule", "inet", "t", "theirs", ...r.map((w) => (w.includes(" ") ? `"${w}"` : w))]);
    }
    const body = (c: string) => nft(ns, ["list", "chain", "inet", "t", c]).split("\n").slice(2, -3);
    assert.equal(body("mine").length, rules.length);
    assert.deepEqual(body("mine"), body("theirs"));
    assert.equal(nlkit(["-n", ns, "nft", "add", "rule", "inet", "t", "mine", "log", "flags", "bogus"]).code, 1);
  });
});

test("nft's errors exit 1 as nft's do (syntax too); nlkit's refusals and its own usage errors exit 2", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns((ns) => {
    // What nft refuses, nft says with exit 1: a word its grammar lacks, an unknown option, a flag's bad argument.
    for (
      const args of [
        ["list", "bogus"],
        ["list", "things"],
        ["-x", "list", "ruleset"],
        ["-f"],
        ["--json=1", "list", "ruleset"],
        ["-D", "novalue", "-f", "/dev/null"],
        ["describe", "tcp", "nope"],
        [],
      ]
    ) {
      const theirs = spawnSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8" });
      assert.equal(theirs.status, 1, `nft ${args.join(" ")}`);
      const r = nlkit(["-n", ns, "nft", ...args]);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    }
    // nlkit's own options, before `nft`.
    assert.equal(nlkit(["--bogus", "nft", "list", "ruleset"]).code, 2);
    for (
      const args of [
        // Flags the command would not apply are refused, not ignored (and nothing is added): nft takes them.
        ["nft", "-c", "list", "ruleset"],
        // getopt reads the file "n"; nft then runs "x.nft" as its command, the file unread.
        ["nft", "-fn", "x.nft"],
        ["nft", "-I", "/tmp", "list", "ruleset"],
        ["nft", "-y", "add", "table", "ip", "x"],
        ["nft", "-a", "add", "table", "ip", "x"],
        ["nft", "-j", "add", "table", "ip", "x"],
      ]
    ) {
      const r = nlkit(["-n", ns, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    }
    // Words nft's language cannot read are a script error, exit 1 as in nft (which reads its arguments as a script).
    for (const args of [["nft", "frob"], ["nft", "add", "rule", "inet", "t", "c", "tcp", "nofield", "1"]]) {
      const r = nlkit(["-n", ns, ...args]);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    }
    assert.equal(nft(ns, ["list", "tables"]), "");
    // An empty script is no error (nft -f /dev/null exits 0).
    assert.equal(nlkit(["-n", ns, "nft", "-f", "/dev/null"]).code, 0);
  });
});

test("nft -s (stateless) and -t (terse) list what nft lists with them", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    loadRuleset(
      ns,
      `table inet f {
  counter c1 { packets 3 bytes 4 }
  quota q1 { 100 mbytes used 5 mbytes }
  set s { type ipv4_addr; flags dynamic; counter; elements = { 10.0.0.1 counter packets 1 bytes 2 } }
  map m { type inet_service : verdict; elements = { 80 : accept } }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 22 counter accept
    quota 10 mbytes used 1 mbytes drop
    counter name "c1"
    tcp dport vmap @m
  }
}
`,
    );
    const cases = [
      ["-s", "list", "ruleset"],
      ["-t", "list", "ruleset"],
      ["--stateless", "--terse", "list", "ruleset"],
      ["-s", "-a", "list", "table", "inet", "f"],
      ["-s", "list", "counters"],
      ["-s", "list", "quotas"],
      ["-s", "list", "set", "inet", "f", "s"],
      ["-t", "list", "map", "inet", "f", "m"],
    ];
    for (const args of cases) {
      const theirs = nft(ns, args);
      // Each flag leaves something out: ignoring it would print more.
      assert.notEqual(theirs, nft(ns, args.filter((a) => !["-s", "-t", "--stateless", "--terse"].includes(a))));
      assert.equal(ok(ns, "nft", ...args), theirs, args.join(" "));
      const json = ["-j", ...args];
      assert.deepEqual(objects(ok(ns, "nft", ...json)), objects(nft(ns, json)), json.join(" "));
    }
  });
});

test("nft -v and --version print the version, as nft's do, and stop there", () => {
  for (const flag of ["-v", "--version"]) {
    const r = nlkit(["nft", flag, "list", "ruleset"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^nlkit v\d+\.\d+\.\d+\S* \(nftables\)\n$/);
  }
  // -V adds nft's feature lines, of which nlkit has JSON.
  const v = nlkit(["nft", "-V"]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^nlkit v\S+ \(nftables\)\n {2}json:\t\tyes\n$/);
});

test("nft monitor shows every change (NDJSON with -j)", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (ns) => {
    const r = await followWhile(["-n", ns, "-j", "nft", "monitor"], () => loadRuleset(ns, RULESETS.router));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const kinds = lines.map((l) => Object.keys(l.add)[0]);
    assert.equal(kinds.filter((k) => k === "rule").length, 41);
    assert.equal(kinds.filter((k) => k === "table").length, 2);
    assert.deepEqual(lines[0], {
      add: { table: { family: "inet", name: "filter", handle: lines[0].add.table.handle } },
    });
    const text = await followWhile(["-n", ns, "nft", "monitor"], () => nft(ns, ["flush", "ruleset"]));
    assert.match(text.stdout, /^delete rule inet filter input handle \d+$/m);
    assert.match(text.stdout, /^delete table ip nat$/m);
    assert.match(text.stdout, /^# new generation \d+ by process \d+ \(nft\)$/m);
  });
});
