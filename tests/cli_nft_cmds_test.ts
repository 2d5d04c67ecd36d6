/**
 * `nlkit nft reset|rename|get` and the output flags `-y` and `-T`, each
 * against nft 1.0.6: the same command given to nft in one namespace and to
 * nlkit in another holding the same ruleset prints the same text (and
 * JSON) and leaves the same ruleset. Each ruleset spreads objects over
 * families and tables, so a dropped filter resets or prints more.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit, ok } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { jsonObjects, loadRuleset, nft, NFT_SKIP, nftJson, stableText } from "./_nft.ts";

const RULESET = `
table ip t {
	counter c1 { packets 5 bytes 10; }
	counter c2 { packets 7 bytes 70; }
	quota q1 { 25 mbytes used 10 bytes; }
	set s1 { type ipv4_addr; elements = { 1.2.3.4, 5.6.7.8, 9.9.9.9 }; }
	map m1 { type ipv4_addr : inet_service; elements = { 1.1.1.1 : 22, 2.2.2.2 : 80 }; }
	set iv { type ipv4_addr; flags interval; elements = { 10.0.0.0/8 }; }
	chain c { type filter hook input priority -5; policy accept; }
	chain d { }
}
table ip t2 {
	counter c1 { packets 1 bytes 2; }
	quota q2 { over 1 kbytes used 5 bytes; }
	chain d { }
}
table ip6 t {
	counter c1 { packets 3 bytes 4; }
	quota q1 { 1 kbytes used 1 bytes; }
	chain c { type filter hook output priority mangle + 3; }
}
table inet u {
	limit l1 { rate 1/second; }
}
`;

/** Runs `fn` with two namespaces holding the same ruleset, one for nft and one for nlkit. */
function withPair(fn: (theirs: string, mine: string) => void): Promise<void> {
  return withTempNetns((theirs) =>
    withTempNetns((mine) => {
      loadRuleset(theirs, RULESET);
      loadRuleset(mine, RULESET);
      fn(theirs, mine);
    })
  );
}

const RESETS = [
  "counters table ip t2",
  "counter ip t c2",
  "counters ip6",
  "quota ip t2 q2",
  "quotas table ip t",
  "counters",
  "quotas",
];

test("nft reset prints what it zeroes, as nft, and zeroes only that", { skip: NFT_SKIP }, async () => {
  await withPair((theirs, mine) => {
    for (const r of RESETS) {
      const w = r.split(" ");
      assert.equal(ok(mine, "nft", "reset", ...w), nft(theirs, ["reset", ...w]), r);
      assert.equal(ok(mine, "nft", "list", "ruleset"), nft(theirs, ["list", "ruleset"]), `after reset ${r}`);
    }
  });
});

test("nft -j reset prints the objects as nft's JSON", { skip: NFT_SKIP }, async () => {
  await withPair((theirs, mine) => {
    for (const r of ["counters ip", "quota ip6 t q1"]) {
      const w = r.split(" ");
      assert.deepEqual(
        jsonObjects(ok(mine, "nft", "-j", "reset", ...w)),
        jsonObjects(nft(theirs, ["-j", "reset", ...w])),
      );
    }
  });
});

test("nft reset of what is not there exits 1", { skip: NFT_SKIP }, async () => {
  await withPair((_, mine) => {
    for (const r of ["counter ip t nope", "counters table ip nope", "quotas table ip6 t2"]) {
      const res = nlkit(["-n", mine, "nft", "reset", ...r.split(" ")]);
      assert.equal(res.code, 1, r);
      assert.match(res.stderr, /No such file or directory/, r);
    }
    const res = nlkit(["-n", mine, "nft", "reset", "limits"]);
    assert.equal(res.code, 1); // a syntax error to nft, which exits 1
    assert.match(res.stderr, /Cannot reset "limits"/);
  });
});

test("nft rename chain renames that chain only, as nft", { skip: NFT_SKIP }, async () => {
  await withPair((theirs, mine) => {
    for (const r of ["ip t d e", "t2 d e", "ip6 t c c6"]) {
      ok(mine, "nft", "rename", "chain", ...r.split(" "));
      nft(theirs, ["rename", "chain", ...r.split(" ")]);
    }
    assert.equal(ok(mine, "nft", "list", "ruleset"), nft(theirs, ["list", "ruleset"]));
    assert.deepEqual(nftJson(mine, "ruleset"), nftJson(theirs, "ruleset"));
    // A missing new name is a syntax error, which nft exits 1 for as for the others.
    for (const [r, code] of [["ip t nope x", 1], ["ip t c e", 1], ["ip t c", 1]] as const) {
      const res = nlkit(["-n", mine, "nft", "rename", "chain", ...r.split(" ")]);
      assert.equal(res.code, code, r);
    }
  });
});

test("rename chain in a script and in nft's JSON renames that chain only, as nft", { skip: NFT_SKIP }, async () => {
  await withPair((theirs, mine) => {
    // Chain d of ip t2 stays while ip t's is renamed; a new d then takes its old name in the same batch.
    const script = "rename chain ip t d e\nadd chain ip t d\nrename chain ip6 t c c6\n";
    const r = nlkit(["-n", mine, "nft", "-f", "-"], {}, script);
    assert.deepEqual([r.code, r.stderr], [0, ""]);
    nft(theirs, ["-f", "-"], script);
    const doc = { nftables: [{ rename: { chain: { family: "ip", table: "t2", name: "d", newname: "e2" } } }] };
    const j = nlkit(["-n", mine, "nft", "-j", "-f", "-"], {}, JSON.stringify(doc));
    assert.deepEqual([j.code, j.stderr], [0, ""]);
    nft(theirs, ["-j", "-f", "-"], JSON.stringify(doc));
    assert.equal(ok(mine, "nft", "list", "ruleset"), nft(theirs, ["list", "ruleset"]));
    assert.deepEqual(nftJson(mine, "ruleset"), nftJson(theirs, "ruleset"));
    assert.match(nft(theirs, ["list", "ruleset"]), /chain e2 \{/);
  });
});

test("nft get element prints the set with the asked elements, as nft", { skip: NFT_SKIP }, async () => {
  await withPair((theirs) => {
    for (
      const g of ["ip t s1 { 5.6.7.8 }", "t s1 { 9.9.9.9, 1.2.3.4 }", "ip t m1 { 2.2.2.2 }", "ip t iv { 10.1.1.1 }"]
    ) {
      const w = ["get", "element", ...g.split(" ")];
      assert.equal(ok(theirs, "nft", ...w), nft(theirs, w), g);
    }
    // nft prints text for -j; nlkit prints nft's JSON of the set holding the found elements.
    const [m] = jsonObjects(ok(theirs, "-j", "nft", "get", "element", "ip", "t", "m1", "{ 2.2.2.2 }"));
    const [all] = nftJson(theirs, "map", "ip", "t", "m1");
    assert.deepEqual(m, { map: { ...all.map, elem: [["2.2.2.2", 80]] } });
    for (const [g, code] of [["ip t s1 { 7.7.7.7 }", 1], ["ip t nope { 1.2.3.4 }", 1], ["ip t iv { 11.1.1.1 }", 1]]) {
      const res = nlkit(["-n", theirs, "nft", "get", "element", ...String(g).split(" ")]);
      assert.equal(res.code, code, String(g));
    }
  });
});

test("nft -y prints priorities as numbers, as nft; its JSON is nft's", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    loadRuleset(ns, RULESET);
    for (const l of ["ruleset", "chains", "table ip6 t", "chain ip t c"]) {
      const w = l.split(" ");
      const mine = ok(ns, "nft", "-y", "list", ...w);
      assert.equal(mine, nft(ns, ["-y", "list", ...w]), l);
      assert.equal(ok(ns, "nft", "--numeric-priority", "list", ...w), mine, l);
      assert.deepEqual(jsonObjects(ok(ns, "nft", "-j", "-y", "list", ...w)), nftJson(ns, ...w), l);
    }
    assert.match(ok(ns, "nft", "-y", "list", "chains"), /priority -5;/);
  });
});

/** Every time nft -T prints in seconds: set timeouts and gc-interval, element timeouts, rules, ct expectations. */
const TIMES = `
table ip tm {
	ct expectation e1 { protocol tcp; dport 22; timeout 3s; size 12; l3proto ip; }
	set tm { type ipv4_addr; flags timeout; timeout 1h30m; gc-interval 1m; elements = { 127.0.0.2 timeout 1h, 127.0.0.3 }; }
	set dy { type ipv4_addr; flags dynamic,timeout; timeout 90s; }
	chain d { add @dy { ip saddr timeout 10s }; ct expiration 5m accept; ct expiration 1m-1h; }
}
`;

test("nft -T prints times in seconds, as nft; its JSON is nft's", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    loadRuleset(ns, RULESET);
    loadRuleset(ns, TIMES);
    for (const l of ["ruleset", "table ip tm", "sets ip", "set ip tm tm", "ct expectation ip tm e1", "chain ip tm d"]) {
      const w = l.split(" ");
      const mine = stableText(ok(ns, "nft", "-T", "list", ...w));
      assert.equal(mine, stableText(nft(ns, ["-T", "list", ...w])), l);
      assert.equal(stableText(ok(ns, "nft", "--numeric-time", "list", ...w)), mine, l);
    }
    const text = ok(ns, "nft", "-T", "list", "table", "ip", "tm");
    for (
      const t of ["timeout 5400s", "gc-interval 60s", "timeout 3600s", "timeout 10s", "ct expiration 300s", "60s-3600s"]
    ) {
      assert.ok(text.includes(t), t);
    }
    // Without -T, nft's units.
    assert.equal(
      stableText(ok(ns, "nft", "list", "table", "ip", "tm")),
      stableText(nft(ns, ["list", "table", "ip", "tm"])),
    );
    const strip = (o: unknown) => JSON.parse(JSON.stringify(o, (k, v) => (k === "expires" ? undefined : v)));
    assert.deepEqual(
      strip(jsonObjects(ok(ns, "nft", "-j", "-T", "list", "table", "ip", "tm"))),
      strip(nftJson(ns, "table", "ip", "tm")),
    );
  });
});

test("nft's debug flag is refused", () => {
  for (const f of ["-d", "--debug"]) {
    const r = nlkit(["nft", f, "list", "ruleset"]);
    assert.equal(r.code, 2, f);
    assert.match(r.stderr, new RegExp(`Cannot use nft's "${f}"`), f);
  }
});
