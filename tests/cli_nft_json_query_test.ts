/**
 * A JSON document's `list` and `reset` commands (`nft -j -f`), against nft
 * in the same namespace: each prints the document `nft -j -f` prints for
 * it, narrowed by the same family, table and name, and a document's
 * queries run before or after its batch. Keys nft would not read are
 * refused, and a query between changes is refused with nothing applied.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { jsonObjects, nft, NFT_SKIP } from "./_nft.ts";

/** Two tables named u (ip and inet) and objects of each kind, so a dropped family, table or name lists more. */
const RULESET = `table inet t {
  counter c1 { packets 5 bytes 10; }
  counter c9 { packets 1 bytes 2; }
  quota q1 { 100 bytes; }
  set s { type ipv4_addr; elements = { 1.2.3.4 }; }
  set s2 { type inet_service; }
  map m { type ipv4_addr : verdict; }
  chain c { type filter hook input priority 0; counter name "c1"; }
  chain d { }
}
table ip u { counter c2 { packets 7 bytes 70; }; set s { type ipv4_addr; }; chain c { }; }
table inet u { counter c3 { }; quota q3 { 5 bytes; }; }
`;

/** Each query, as it goes into a document. */
const QUERIES = [
  { ruleset: null },
  { ruleset: { family: "ip" } },
  { tables: null },
  { tables: { family: "ip" } },
  { table: { family: "inet", name: "u" } },
  { chain: { family: "inet", table: "t", name: "c" } },
  { chains: { family: "inet" } },
  { sets: null },
  { sets: { family: "inet", table: "t" } },
  { set: { family: "inet", table: "t", name: "s" } },
  { maps: null },
  { map: { family: "inet", table: "t", name: "m" } },
  { counters: { family: "inet" } },
  { counters: { family: "inet", table: "u" } },
  { counter: { family: "inet", table: "t", name: "c9" } },
  { quotas: { family: "inet" } },
  { quota: { family: "inet", table: "t", name: "q1" } },
];

/** The documents printed (one per line), each without its `metainfo`. */
function documents(stdout: string): unknown[][] {
  return stdout.split("\n").filter((l) => l.trim()).map(jsonObjects);
}

function doc(...items: unknown[]): string {
  return JSON.stringify({ nftables: items });
}

test("a JSON document's list commands print what nft -j -f prints for them", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], RULESET);
    for (const q of QUERIES) {
      const input = doc({ list: q });
      const r = nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, input);
      assert.equal(r.code, 0, `${input}: ${r.stderr}`);
      assert.deepEqual(documents(r.stdout), documents(nft(ns, ["-j", "-f", "-"], input)), input);
    }
  });
});

test("a JSON reset zeroes what nft's zeroes and prints the values before", { skip: NFT_SKIP }, async () => {
  for (
    const q of [
      { counters: { family: "inet", table: "t" } },
      { counter: { family: "ip", table: "u", name: "c2" } },
      { quotas: { family: "inet" } },
    ]
  ) {
    await withTempNetns((a) =>
      withTempNetns((b) => {
        nft(a, ["-f", "-"], RULESET);
        nft(b, ["-f", "-"], RULESET);
        const input = doc({ reset: q });
        const r = nlkit(["-n", b, "nft", "-j", "-f", "-"], {}, input);
        assert.equal(r.code, 0, `${input}: ${r.stderr}`);
        assert.deepEqual(documents(r.stdout), documents(nft(a, ["-j", "-f", "-"], input)), input);
        assert.deepEqual(
          jsonObjects(nft(b, ["-j", "list", "ruleset"])),
          jsonObjects(nft(a, ["-j", "list", "ruleset"])),
        );
      })
    );
  }
});

test("a document's queries run before and after its batch", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    const tables = { list: { tables: { family: "ip" } } };
    const add = { add: { table: { family: "ip", name: "x" } } };
    const r = nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, doc(tables, add, { list: { tables: null } }));
    assert.equal(r.code, 0, r.stderr);
    const [before, after] = documents(r.stdout);
    assert.deepEqual(before, []);
    assert.deepEqual(after, jsonObjects(nft(ns, ["-j", "list", "tables"])));
    assert.equal(after.length, 1);
  });
});

test("a query between changes, or with a key nft does not read, is refused and nothing applies", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns((ns) => {
    const add = (name: string) => ({ add: { table: { family: "ip", name } } });
    for (
      const [items, said] of [
        [[add("x"), { list: { tables: null } }, add("y")], /Cannot run "list" between changes/],
        [[add("x"), { list: { quotas: { family: "inet", table: "t" } } }], /Cannot use "table" in list quotas/],
        [[add("x"), { list: { "ct helpers": { family: "inet" } } }], /"table"/],
        [[add("x"), { list: { bogus: null } }], /Cannot list "bogus"/],
        [[add("x"), { reset: { sets: null } }], /Cannot reset "sets"/],
        [[add("x"), { list: { table: { family: "nope", name: "x" } } }], /family "nope"/],
      ] as const
    ) {
      const r = nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, doc(...items));
      assert.equal(r.code, 1, JSON.stringify(items));
      assert.match(r.stderr, said);
      assert.equal(r.stdout, "");
      assert.equal(nft(ns, ["list", "ruleset"]), "");
    }
  });
});
