/**
 * `nlkit nft`'s command line read as nft reads it, compared with nft 1.0.6
 * in the same namespace: the arguments joined into a one-line script
 * (blocks, `;`, include, `list`), `add TABLE CHAIN STMT` without `rule`,
 * `-D NAME=VALUE`, `-i`, string defines as policy and priority, include
 * globs over directories, `create element` and `-e` of a dynamic set.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, stableText } from "./_nft.ts";

interface Run {
  code: number | null;
  stdout: string;
  ruleset: string;
}

/** Runs `args` with nft, then (after a flush) with nlkit, each from an empty ruleset: exit code, output, ruleset. */
function both(ns: string, args: string[], input?: string): { theirs: Run; mine: Run } {
  const runs = [
    () => {
      const r = spawnSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", input });
      return { code: r.status, stdout: r.stdout };
    },
    () => nlkit(["-n", ns, "nft", ...args], {}, input),
  ].map((fn) => {
    nft(ns, ["flush", "ruleset"]);
    const r = fn();
    return { code: r.code, stdout: r.stdout, ruleset: nft(ns, ["list", "ruleset"]) };
  });
  return { theirs: runs[0], mine: runs[1] };
}

/** Asserts nlkit ends where nft does (exit code and ruleset; the output too when `output`). */
function same(ns: string, args: string[], input?: string, output = false): Run {
  const { theirs, mine } = both(ns, args, input);
  assert.equal(mine.code, theirs.code, `${args.join(" ")}: exit code`);
  assert.equal(mine.ruleset, theirs.ruleset, args.join(" "));
  if (output) assert.equal(mine.stdout, theirs.stdout, `${args.join(" ")}: output`);
  return mine;
}

test("nft's arguments are a one-line script: blocks, several commands, include, add without rule", {
  skip: NFT_SKIP,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nftcli-"));
  const file = join(dir, "inc.nft");
  writeFileSync(file, "table inet test {\n set s { type ipv4_addr; elements = { 1.1.1.1 } }\n}\n");
  await withTempNetns((ns) => {
    same(ns, ["table ip f { chain c { ip saddr 1.1.1.1 accept; }; }"]);
    same(ns, [`flush ruleset; include "${file}"`]);
    same(ns, ["add table x; add chain x y; add rule x y counter; add x y ip daddr 2.2.2.2 drop"]);
    same(ns, [
      "add table x; add chain x y; add map x m { type ipv4_addr : ipv4_addr; flags interval; };",
      "add",
      "element",
      "x",
      "m",
      "{",
      "10.0.2.0/24",
      ":",
      "10.0.0.2",
      "}",
    ]);
    // `elements={`: the keyword ends at its `=`, as nft's lexer has it.
    same(ns, [
      "add table t;",
      "add",
      "set",
      "t",
      "c",
      "{type",
      "ipv4_addr",
      ";",
      "elements={192.168.1.1,",
      "192.168.1.2}",
      ";}",
    ]);
    // A list after the changes prints the ruleset they made.
    const r = same(ns, ["add table ip t; list ruleset"], undefined, true);
    assert.match(r.stdout, /table ip t/);
    // nft lists its cache (no policy yet), nlkit the kernel's ruleset after the commit.
    const f = same(
      ns,
      ["-f", "-"],
      "table ip a {\n chain b { type filter hook input priority 0; }\n}\nlist  ruleset\n",
    );
    assert.match(f.stdout, /chain b \{\n\t\ttype filter hook input priority filter; policy accept;/);
    // A language error exits 1 and changes nothing, as in nft.
    assert.equal(same(ns, ["add table ip t; add chain ip t c; add t c tcp nofield 1"]).code, 1);
  });
});

test("nft add TABLE CHAIN STMT: a rule without the word rule", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    for (const n of ["nft", "nlkit"]) {
      nft(ns, ["flush", "ruleset"]);
      nft(ns, ["add table t; add chain t c1; add chain t c2"]);
      const words = ["add", "t", "c1", "ip", "saddr", "10.0.0.1", "jump", "c2"];
      if (n === "nft") nft(ns, words);
      else assert.equal(nlkit(["-n", ns, "nft", ...words]).code, 0);
    }
    const mine = nft(ns, ["list", "ruleset"]);
    nft(ns, ["flush", "ruleset"]);
    nft(ns, ["add table t; add chain t c1; add chain t c2; add rule t c1 ip saddr 10.0.0.1 jump c2"]);
    assert.equal(mine, nft(ns, ["list", "ruleset"]));
    assert.match(mine, /ip saddr 10.0.0.1 jump c2/);
  });
});

test("nft -D NAME=VALUE defines variables for the script, sets merged as nft merges them", {
  skip: NFT_SKIP,
}, async () => {
  const script = "table inet f {\n set s { type ipv4_addr; }\n}\nadd element inet f s $addrs\n";
  await withTempNetns((ns) => {
    const r = same(ns, ["-D", "x={5.5.5.5}", "--define", "addrs={ 3.3.3.3, 4.4.4.4, $x }", "-f", "-"], script);
    assert.match(r.ruleset, /5\.5\.5\.5/);
    same(ns, ["-D", "addrs={ 1.1.1.1, $nope }", "-f", "-"], script);
    // An empty set variable inside a set stays an error.
    const chain = "table inet f {\n chain c {\n  tcp dport { $e } accept\n }\n}\n";
    assert.equal(same(ns, ["-D", "e={}", "-f", "-"], chain).code, 1);
    // nft refuses both (exit 1): a define without a value, and -D without -f.
    assert.equal(nlkit(["-n", ns, "nft", "-D", "novalue", "-f", "/dev/null"]).code, 1);
    assert.equal(nlkit(["-n", ns, "nft", "-D", "a=1", "list", "ruleset"]).code, 1);
  });
});

test("nft -i reads stdin line by line, defines kept for later lines, a failing line skipped", {
  skip: NFT_SKIP,
}, async () => {
  const lines = [
    "add table inet t",
    "add chain inet t c",
    "define ports = { 22, 443 }",
    "add rule inet t c tcp dport $ports accept",
    "add rule inet t c bogus words",
    "redefine ports = 80",
    "add rule inet t c udp dport $ports accept; add table ip t2",
    "undefine ports",
    "add rule inet t c udp dport $ports drop",
    "list table inet t",
  ].join("\n") + "\n";
  await withTempNetns((ns) => {
    const r = same(ns, ["-i"], lines, true);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /udp dport 80 accept/);
  });
});

test("string defines as chain policy and priority; include of a glob skips directories", {
  skip: NFT_SKIP,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nftcli-"));
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "a.nft"), "table ip globbed {\n}\n");
  await withTempNetns((ns) => {
    const chains = (p: string, q: string) =>
      `define p = ${p}\ndefine q = ${q}\ntable inet g {\n chain c {\n  type filter hook input priority $q\n  policy $p\n }\n}\n`;
    same(ns, ["-f", "-"], chains('"drop"', '"filter - 10"'));
    same(ns, ["-f", "-"], chains('"accept"', "-10"));
    same(ns, ["-f", "-"], `include "${dir}/*"\n`);
    same(ns, ["-f", "-"], `include "${dir}/sub*"\n`);
  });
});

test("nft create element fails when the element exists; add ct helper with a block", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    const setup = "add table t; add set t s { type ipv4_addr; }; add element t s { 1.1.1.1 };";
    assert.equal(same(ns, [setup, "create", "element", "t", "s", "{", "1.1.1.1", "}"]).code, 1);
    assert.equal(same(ns, [setup, "create", "element", "t", "s", "{", "1.1.1.2", "}"]).code, 0);
    same(ns, ["add table t;", "add", "ct", "helper", "t", "h", "{", "type", '"sip"', "protocol", "tcp", ";", "}"]);
  });
});

test("nft -e echoes a set's dynamic flag as nft does", { skip: NFT_SKIP }, async () => {
  const script = "add table ip x\nadd set ip x y { type ipv4_addr; flags dynamic,timeout; }\n" +
    "add element ip x y { 1.1.1.1 timeout 30s }\n";
  await withTempNetns((ns) => {
    const { theirs, mine } = both(ns, ["-e", "-f", "-"], script);
    // The element's expiry counts down from its event on: a loaded machine prints 29s996ms for 30s.
    const echo = (s: string) => stableText(s).split("\n").filter((l) => !l.startsWith("# new generation"));
    assert.deepEqual(echo(mine.stdout), echo(theirs.stdout));
    assert.match(mine.stdout, /flags dynamic,timeout/);
  });
});

test("a list between changes is refused before anything is sent", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    const r = nlkit(["-n", ns, "nft", "add table ip a; list ruleset; add table ip b"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot run "list" between changes/);
    assert.equal(nft(ns, ["list", "ruleset"]), "");
  });
});

test(
  "nft add|insert rule ... index N places the rule at the kernel's Nth rule, as nft",
  { skip: NFT_SKIP },
  async () => {
    await withTempNetns((ns) => {
      const run = (tool: string, words: string[]) => {
        nft(ns, ["flush ruleset; table ip t { chain c { accept; ip saddr 1.1.1.1 accept; }; }"]);
        const code = tool === "nft"
          ? spawnSync("ip", ["netns", "exec", ns, "nft", ...words]).status
          : nlkit(["-n", ns, "nft", ...words]).code;
        return { code, ruleset: nft(ns, ["list", "ruleset"]) };
      };
      for (
        const [cmd, i] of [["add", "0"], ["add", "1"], ["insert", "0"], ["insert", "1"], ["add", "2"], ["insert", "2"]]
      ) {
        const words = [cmd, "rule", "t", "c", "index", i, "drop"];
        const mine = run("nlkit", words);
        assert.deepEqual(mine, run("nft", words), words.join(" "));
        assert.equal(mine.code, i === "2" ? 1 : 0);
      }
    });
  },
);

test("flush set, map and meter flush only their own kind, as nft refuses the others", { skip: NFT_SKIP }, async () => {
  const ruleset = "add table t\nadd chain t c\nadd set t s { type ipv4_addr; elements = { 1.1.1.1 } }\n" +
    "add map t m { type ipv4_addr : inet_service; elements = { 1.1.1.1 : 22 } }\n" +
    "add rule t c tcp dport 80 meter f size 1024 { ip saddr limit rate 10/second }\n";
  await withTempNetns((ns) => {
    // Each refusal leaves the elements; a flush that ignored the kind would empty the set or map.
    for (const cmd of ["flush set t m", "flush set t f", "flush map t s", "flush map t f", "flush set t s"]) {
      const { theirs, mine } = both(ns, ["-f", "-"], ruleset + cmd + "\n");
      assert.equal(mine.code === 0, theirs.code === 0, `${cmd}: exit code ${mine.code}, nft ${theirs.code}`);
      assert.equal(mine.ruleset, theirs.ruleset, cmd);
    }
    nft(ns, ["flush", "ruleset"]);
    nft(ns, ["-f", "-"], ruleset);
    for (const cmd of ["flush set t m", "flush map t s"]) {
      assert.equal(nlkit(["-n", ns, "nft", cmd]).code, 1, cmd);
    }
    assert.equal(nlkit(["-n", ns, "nft", "flush map t m"]).code, 0);
    assert.doesNotMatch(nft(ns, ["list", "map", "t", "m"]), /elements/);
    assert.match(nft(ns, ["list", "set", "t", "s"]), /elements = \{ 1\.1\.1\.1 \}/);
  });
});
