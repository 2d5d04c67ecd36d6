/**
 * Set statements (`counter`, `limit`, `quota` declared on a set or map:
 * `NFTA_SET_EXPR(ESSIONS)`) and the per-element state they give
 * (`NFTA_SET_ELEM_EXPR(ESSIONS)`), against nft 1.0.6 in fresh namespaces:
 * listed as nft lists them (JSON and text), applied from nft's JSON so nft
 * lists the same ruleset back, element counts kept, and what the kernel
 * cannot hold refused before anything is sent.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit, ok } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import {
  applyBothWays,
  jsonObjects,
  loadRuleset,
  nft,
  NFT_SKIP,
  nftJson,
  stable,
  stableText,
  withNftDocument,
} from "./_nft.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { listRuleset } from "../src/netfilter/nftables/list.ts";
import { applyJson } from "../src/netfilter/nftables/json/apply.ts";
import { rulesetObjects } from "../src/netfilter/nftables/json/ruleset_json.ts";
import { emitRulesetJson } from "../src/netfilter/nftables/json/stream.ts";
import { elemStmtJson, setStmtJson } from "../src/netfilter/nftables/json/set_stmts.ts";
import { setStmtExprs } from "../src/netfilter/nftables/json/set_stmt_exprs.ts";
import { EXPR_LIST } from "../src/netfilter/nftables/expr/list.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";
import { parseSetMessage } from "../src/netfilter/nftables/set.ts";
import { NftTransaction } from "../src/netfilter/nftables/transaction.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { unhex } from "./_vectors.ts";

// Every statement a set may carry, alone and together, on plain, interval and map sets, with and without timeouts.
const RULESET = `table ip t {
	set c {
		type ipv4_addr
		counter
		elements = { 10.0.0.1, 10.0.0.2 }
	}
	set q {
		type ipv4_addr
		quota 1000 bytes
		elements = { 10.0.0.3 }
	}
	set l {
		type ipv4_addr
		limit rate 10/second
		elements = { 10.0.0.4 }
	}
	set i {
		type ipv4_addr
		flags interval
		counter
		elements = { 10.1.0.0/16, 10.3.0.1 }
	}
	set two {
		type ipv4_addr
		flags timeout
		timeout 1h
		comment "two statements"
		counter quota 5 mbytes
		elements = { 10.0.0.5, 10.0.0.6 timeout 2h comment "x" }
	}
	set plain {
		type ipv4_addr
		elements = { 10.0.0.7 }
	}
	map m {
		type ipv4_addr : mark
		counter
		elements = { 10.0.0.1 : 0x00000001, 10.0.0.2 : 0x00000002 }
	}
	map v {
		type inet_service : verdict
		counter
		elements = { 22 : accept }
	}
}
`;

test("sets with statements list as nft lists them: JSON, streamed JSON and text", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (ns) => {
    loadRuleset(ns, RULESET);
    const theirs = nftJson(ns, "ruleset");
    // The oracle really shows what is under test: set statements and element counters.
    assert.equal(theirs.filter((o) => (o.set ?? o.map)?.stmt).length, 7);
    const mine = rulesetObjects(await listRuleset({}, { netns: ns }));
    assert.deepEqual(stable(mine), stable(theirs));
    const texts: string[] = [];
    await emitRulesetJson((t) => texts.push(t), {}, { netns: ns });
    assert.deepEqual(stable(texts.map((t) => JSON.parse(t))), stable(theirs));
    assert.deepEqual(stable(jsonObjects(ok(ns, "-j", "nft", "list", "ruleset"))), stable(theirs));
    assert.equal(stableText(ok(ns, "nft", "list", "ruleset")), stableText(nft(ns, ["list", "ruleset"])));
    for (const s of ["set ip t two", "map ip t m", "set ip t i"]) {
      const what = s.split(" ");
      assert.equal(stableText(ok(ns, "nft", "list", ...what)), stableText(nft(ns, ["list", ...what])), s);
      assert.deepEqual(stable(jsonObjects(ok(ns, "-j", "nft", "list", ...what))), stable(nftJson(ns, ...what)), s);
    }
  });
});

test("nft's JSON of sets with statements, applied into an empty namespace, gives nft the same ruleset", {
  skip: NFT_SKIP,
}, async () => {
  await withNftDocument(RULESET, async (src, doc) => {
    await applyBothWays(doc, (dst) => {
      assert.equal(stableText(nft(dst, ["list", "ruleset"])), stableText(nft(src, ["list", "ruleset"])));
      assert.deepEqual(stable(nftJson(dst, "ruleset")), stable(nftJson(src, "ruleset")));
    });
  });
});

test("element counts and quota use given in JSON are kept, and listed back", { skip: NFT_SKIP }, async () => {
  const doc = {
    nftables: [
      { table: { family: "ip", name: "t" } },
      {
        set: {
          family: "ip",
          table: "t",
          name: "s",
          type: "ipv4_addr",
          stmt: [{ counter: null }],
          elem: [{ elem: { val: "10.0.0.1", counter: { packets: 3, bytes: 700 } } }, "10.0.0.2"],
        },
      },
      {
        set: {
          family: "ip",
          table: "t",
          name: "own",
          type: "ipv4_addr",
          // No set statement: the element holds its own quota.
          elem: [{ elem: { val: "10.0.0.3", quota: { val: 2, val_unit: "kbytes", used: 100, used_unit: "bytes" } } }],
        },
      },
      {
        add: {
          element: {
            family: "ip",
            table: "t",
            name: "s",
            elem: [{ elem: { val: "10.0.0.9", counter: { packets: 5, bytes: 9 } } }],
          },
        },
      },
    ],
  };
  await withTempNetns(async (ns) => {
    await applyJson(doc, { netns: ns });
    const text = nft(ns, ["list", "ruleset"]);
    assert.match(text, /10\.0\.0\.1 counter packets 3 bytes 700, 10\.0\.0\.2 counter packets 0 bytes 0/);
    assert.match(text, /10\.0\.0\.9 counter packets 5 bytes 9/);
    assert.match(text, /10\.0\.0\.3 quota 2 kbytes used 100 bytes/);
    assert.deepEqual(rulesetObjects(await listRuleset({}, { netns: ns })), nftJson(ns, "ruleset"));
    assert.equal(ok(ns, "nft", "list", "ruleset"), text);
  });
});

test("statements a set cannot hold are refused before anything is sent", { skip: NFT_SKIP }, async () => {
  const set = (extra: Record<string, unknown>) => ({
    nftables: [
      { table: { family: "ip", name: "t" } },
      { set: { family: "ip", table: "t", name: "s", type: "ipv4_addr", ...extra } },
    ],
  });
  const bad: [Record<string, unknown>, string][] = [
    [{ stmt: [{ log: null }] }, 'Cannot use {"log":null} as a statement of set s: expected counter, limit, quota'],
    [{ stmt: [{ counter: "named" }] }, "as a statement of set s"],
    [{ stmt: [{ counter: null, quota: { val: 1 } }] }, "as a statement of set s"],
    [
      { stmt: [{ counter: null }], elem: [{ elem: { val: "10.0.0.1", quota: { val: 1, val_unit: "bytes" } } }] },
      "Cannot give an element a quota statement: its set declares counter",
    ],
    [{ elem: [{ elem: { val: "10.0.0.1", log: null } }] }, 'Cannot use element key "log"'],
  ];
  await withTempNetns(async (ns) => {
    for (const [extra, message] of bad) {
      await assert.rejects(
        applyJson(set(extra), { netns: ns }),
        (e: Error) => e instanceof InvalidArgumentError && e.message.includes(message),
        JSON.stringify(extra),
      );
    }
    assert.deepEqual(nftJson(ns, "ruleset"), []);
    const r = nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, JSON.stringify(set({ stmt: [{ log: null }] })));
    assert.equal(r.code, 1, r.stderr); // as nft: a document it cannot apply is exit 1
    assert.match(r.stderr, /Cannot use \{"log":null\} as a statement of set s/);
    assert.deepEqual(nftJson(ns, "ruleset"), []);
  });
});

// NFTA_SET_EXPRESSIONS of `counter quota 5 mbytes` on a set, as nft 1.0.6 sent it (strace -xx of `nft -f`).
const NFT_SET_EXPRESSIONS = unhex(
  "140001800c000100636f756e7465720004000280340001800a00010071756f7461000000" +
    "240002800c00010000000000005000000c00040000000000000000000800020000000000",
);

test("set expressions: nft's bytes decode to its JSON, and the library's request carries them with the expr flag", () => {
  const b = NFT_SET_EXPRESSIONS;
  const exprs = EXPR_LIST.parse(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length);
  assert.deepEqual(exprs.map((e) => e.name), ["counter", "quota"]);
  const stmt: Json[] = [{ counter: null }, { quota: { val: 5, val_unit: "mbytes" } }];
  assert.deepEqual(setStmtJson("ip", { expressions: exprs }), stmt);
  assert.deepEqual(elemStmtJson("ip")({ expressions: exprs }), { counter: { packets: 0, bytes: 0 } });
  assert.deepEqual(elemStmtJson("ip", true)({ expressions: exprs }), {
    counter: { packets: 0, bytes: 0 },
    quota: { val: 5, val_unit: "mbytes" },
  });
  const tx = new NftTransaction();
  const mine = setStmtExprs(stmt, { family: "ip", table: "t", tx }, "set s");
  assert.deepEqual(mine.map((e) => e.name), ["counter", "quota"]);
  const spec = { family: "ip", table: "t", name: "s", keyType: 7, keyLen: 4 };
  tx.addSet({ ...spec, expressions: mine });
  tx.addSet({ ...spec, name: "one", expressions: mine.slice(0, 1) });
  const [many, one] = tx.messages().slice(1, 3).map((m) => parseSetMessage(msg(m)));
  assert.ok(many.flags?.includes("expr"), "NFTA_SET_EXPRESSIONS needs NFT_SET_EXPR");
  assert.deepEqual(many.expressions, [
    { name: "counter", packets: 0, bytes: 0 },
    { name: "quota", bytes: 5 * 1024 * 1024 },
  ]);
  assert.equal(many.expr, undefined);
  // One statement goes as NFTA_SET_EXPR, without the flag: as nft sends it.
  assert.deepEqual(one.expr, { name: "counter", packets: 0, bytes: 0 });
  assert.equal(one.expressions, undefined);
  assert.ok(!one.flags?.includes("expr"));
});

function msg(b: Uint8Array): NlMsg {
  return readMessage(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length);
}
