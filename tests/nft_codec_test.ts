/**
 * nftables codec tests: messages dumped from a 6.18 kernel after `nft -f`
 * of a router ruleset, parsed by the object tables and the expression
 * registry; requests built by the library compared with nft's bytes; and
 * property tests: bad bytes give a typed error, never a crash or a hang.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { unhex } from "./_vectors.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { parseChainMessage } from "../src/netfilter/nftables/chain.ts";
import { ELEMENT_LIST, NFTA_SET_ELEM_TABLE, parseElementsMessage } from "../src/netfilter/nftables/element.ts";
import { parseGenMessage } from "../src/netfilter/nftables/gen.ts";
import { parseObjMessage } from "../src/netfilter/nftables/obj.ts";
import { parseNftRuleMessage } from "../src/netfilter/nftables/rule.ts";
import { parseSetMessage } from "../src/netfilter/nftables/set.ts";
import { parseTableMessage } from "../src/netfilter/nftables/table.ts";
import type { NftRuleset } from "../src/netfilter/nftables/list.ts";
import { rulesetObjects } from "../src/netfilter/nftables/json/ruleset_json.ts";
import { ruleStatements } from "../src/netfilter/nftables/json/rule_json.ts";
import { buildExpr, parseExpr } from "../src/netfilter/nftables/expr/list.ts";
import { NFT_EXPRESSIONS, type NftExpr } from "../src/netfilter/nftables/expr/registry.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { Buffer } from "node:buffer";
import { ruleExpressions } from "../src/netfilter/nftables/json/linearize.ts";
import { stmtText } from "../src/netfilter/nftables/text/stmt_text.ts";
import { NftTransaction } from "../src/netfilter/nftables/transaction.ts";

const FRAMES: [string, Uint8Array][] = readFileSync(
  new URL("./fixtures/nft_router_frames.txt", import.meta.url),
  "utf8",
)
  .split("\n").filter((l) => l && !l.startsWith("#")).map((l) => {
    const [kind, hex] = l.split(" ");
    return [kind, unhex(hex)];
  });

function msg(b: Uint8Array): NlMsg {
  return readMessage(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length);
}

function frames(kind: string): NlMsg[] {
  return FRAMES.filter(([k]) => k === kind).map(([, b]) => msg(b));
}

/** The captured ruleset, parsed. */
function capturedRuleset(): NftRuleset {
  const elements = frames("elements").map(parseElementsMessage);
  return {
    tables: frames("table").map(parseTableMessage),
    chains: frames("chain").map(parseChainMessage),
    sets: frames("set").map(parseSetMessage).map((s) => ({
      ...s,
      elements: elements.filter((e) => e.set === s.name).flatMap((e) => e.elements ?? []),
    })),
    objects: frames("obj").map(parseObjMessage),
    flowtables: [],
    rules: frames("rule").map(parseNftRuleMessage),
  };
}

test("tables, chains and objects parse to typed values", () => {
  const [filter, nat] = frames("table").map(parseTableMessage);
  assert.equal(filter.family, "inet");
  assert.equal(filter.name, "filter");
  assert.equal(nat.family, "ip");
  const chains = frames("chain").map(parseChainMessage);
  const input = chains.find((c) => c.name === "input")!;
  assert.deepEqual(input.hook, { hooknum: 1, priority: 0 });
  assert.equal(input.policy, "drop");
  assert.equal(input.type, "filter");
  const pre = chains.find((c) => c.name === "prerouting")!;
  assert.equal(pre.hook?.priority, -100, "priorities are signed");
  const objs = frames("obj").map(parseObjMessage);
  assert.deepEqual(objs.map((o) => o.type), ["counter", "quota", "limit", "ct helper"]);
  const quota = objs.find((o) => o.type === "quota")!;
  assert.deepEqual(quota.data, { bytes: 104857600, flags: ["inv"], consumed: 0 });
  const helper = objs.find((o) => o.type === "ct helper")!;
  assert.deepEqual(helper.data, { name: "ftp", l3proto: 1, l4proto: 6 });
});

test("rule expressions parse through the registry", () => {
  const rules = frames("rule").map(parseNftRuleMessage);
  const first = rules[0];
  assert.equal(first.chain, "input");
  assert.deepEqual(first.expressions?.map((e) => e.name), ["ct", "bitwise", "cmp", "immediate"]);
  const [ct, bitwise, cmp, imm] = first.expressions!;
  assert.deepEqual(ct, { name: "ct", dreg: 1, key: "state" });
  assert.equal(bitwise.name, "bitwise");
  assert.deepEqual((bitwise as { mask?: { value?: Uint8Array } }).mask?.value, new Uint8Array([6, 0, 0, 0]));
  assert.deepEqual(cmp, { name: "cmp", sreg: 1, op: "neq", data: { value: new Uint8Array(4) } });
  assert.deepEqual(imm, { name: "immediate", dreg: 0, data: { verdict: { code: "accept" } } });
  const nat = rules.find((r) => r.expressions?.some((e) => e.name === "nat"))!;
  const n = nat.expressions!.find((e) => e.name === "nat")!;
  assert.deepEqual(n, {
    name: "nat",
    type: "dnat",
    family: 2,
    regAddrMin: 1,
    regAddrMax: 1,
    regProtoMin: 2,
    regProtoMax: 2,
    flags: ["map-ips", "proto-specified"],
  });
});

test("expressions round-trip: parse, build, parse gives the same value", () => {
  let n = 0;
  for (const rule of frames("rule").map(parseNftRuleMessage)) {
    for (const e of rule.expressions ?? []) {
      const b = new MessageBuilder(0, 0);
      buildExpr(b, e);
      const bytes = b.finish();
      const view = new DataView(bytes.buffer);
      // The builder wrapped it in NFTA_LIST_ELEM: parse the list element's body.
      assert.deepEqual(parseExpr(bytes, view, 20, bytes.length), e);
      n++;
    }
  }
  assert.ok(n > 100);
});

test("set elements: intervals, concatenations and verdict maps", () => {
  const sets = capturedRuleset().sets;
  const blocked = sets.find((s) => s.name === "blocked")!;
  assert.deepEqual(blocked.flags, ["interval", "timeout"]);
  assert.equal(blocked.timeout, 3600000);
  assert.equal(blocked.elements.filter((e) => e.flags?.includes("interval-end")).length, 4);
  const portmap = sets.find((s) => s.name === "portmap")!;
  assert.equal(portmap.dataType, 0xffffff00);
  assert.deepEqual(portmap.elements.map((e) => e.data?.verdict?.code).sort(), ["accept", "drop"]);
});

test("no expression table has a name key: an expression is its own attributes, its name beside them", () => {
  for (const [name, table] of Object.entries(NFT_EXPRESSIONS)) assert.ok(!Object.hasOwn(table, "name"), name);
  assert.throws(() => buildExpr(new MessageBuilder(0, 0), { name: "counter", bytes: 1, pakets: 2 } as never), /pakets/);
});

test("element lists: bare keys written directly are the bytes the tables give, mixed with other elements", () => {
  const elements = [
    { key: { value: new Uint8Array([10, 0, 0, 1]) } },
    { key: { value: new Uint8Array([10, 0, 0, 2]) }, flags: ["interval-end"] },
    { key: { value: new Uint8Array([1, 2, 3, 4, 5]) } },
    { key: { value: new Uint8Array([10, 0, 0, 3]) }, data: { verdict: { code: "accept" } }, timeout: 1000 },
    { key: { value: new Uint8Array([10, 0, 0, 4]), unknown: [{ type: 9, data: new Uint8Array([1]) }] } },
  ];
  const direct = new MessageBuilder(0, 0);
  ELEMENT_LIST.build(direct, elements);
  const tabled = new MessageBuilder(0, 0);
  for (const e of elements) tabled.nest(1, (n) => n.attrs(NFTA_SET_ELEM_TABLE, e));
  assert.deepEqual(direct.finish(), tabled.finish());
  // NFTA_LIST_ELEM { NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE 10.0.0.1 } }
  const one = new MessageBuilder(0, 0);
  ELEMENT_LIST.build(one, [elements[0]]);
  assert.equal(
    Buffer.from(one.finish().subarray(16)).toString("hex"),
    "10000180" + "0c000180" + "08000100" + "0a000001",
  );
});

test("the captured ruleset renders as nft's JSON", () => {
  const objs = rulesetObjects(capturedRuleset()) as Record<string, Record<string, unknown>>[];
  const sets = objs.filter((o) => "set" in o || "map" in o);
  assert.deepEqual(sets.map((o) => (o.set ?? o.map).name), ["blocked", "svc", "portmap"]);
  const blocked = sets[0].set as { elem: { elem: { val: unknown } }[] };
  assert.deepEqual(blocked.elem.map((e) => e.elem.val), [
    { prefix: { addr: "10.0.0.0", len: 8 } },
    { range: ["172.16.0.1", "172.16.0.9"] },
    "192.168.1.1",
  ]);
  const rules = objs.filter((o) => "rule" in o).map((o) => o.rule.expr);
  assert.deepEqual(rules[0], [
    { match: { op: "in", left: { ct: { key: "state" } }, right: ["established", "related"] } },
    { accept: null },
  ]);
  assert.deepEqual(rules[5], [
    { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: { set: [22, 80, 443] } } },
    { counter: { packets: 0, bytes: 0 } },
    { accept: null },
  ]);
});

test("an expression the JSON layer does not know is shown, not fatal", () => {
  const stmts = ruleStatements([{ name: "tproxy", raw: new Uint8Array([8, 0, 1, 0, 0, 0, 0, 2]) }, {
    name: "immediate",
    dreg: 0,
    data: { verdict: { code: "accept" } },
  }], { family: "ip", sets: new Map() });
  assert.deepEqual(stmts, [{ unknown: { name: "tproxy" } }, { accept: null }]);
});

test("generation replies parse", () => {
  const [gen] = frames("gen").map(parseGenMessage);
  assert.equal(typeof gen.id, "number");
  assert.equal(typeof gen.procName, "string");
  assert.equal(typeof gen.procPid, "number");
});

test("bad bytes give typed errors in every parser and in the JSON layer", () => {
  const seeds = FRAMES.map(([, b]) => b);
  const toJson = (m: NlMsg) => {
    const r = parseNftRuleMessage(m);
    return ruleStatements(r.expressions ?? [], { family: r.family, sets: new Map() });
  };
  assertOnlyTypedErrors(seeds, [
    parseTableMessage,
    parseChainMessage,
    parseNftRuleMessage,
    parseSetMessage,
    parseElementsMessage,
    parseObjMessage,
    parseGenMessage,
    toJson,
  ], { numRuns: 400, maxLength: 256, maxEdits: 6 });
});

test("a load of absurd or missing length renders at once instead of hanging", () => {
  // Found by the property above: a payload length of 1.8e9 walked the register
  // file byte by byte, and a payload with no length looped forever in a lookup.
  const huge = ruleStatements([
    { name: "payload", dreg: 1, base: "th", offset: 0, len: 1862270978 },
    { name: "cmp", sreg: 1, op: "eq", data: { value: new Uint8Array([0, 0x19]) } },
  ] as unknown as NftExpr[], { family: "inet", sets: new Map() });
  assert.ok(huge.length > 0);
  const none = ruleStatements([
    { name: "payload", dreg: 1, base: "th", offset: 0 },
    { name: "lookup", set: "__set1", sreg: 1, flags: [] },
  ] as unknown as NftExpr[], { family: "inet", sets: new Map() });
  assert.ok(none.length > 0);
});

test("dccp option (nft 1.0.6 has no syntax for it): bytes by the uapi, nft >= 1.0.8's JSON and text both ways", () => {
  const e: NftExpr = { name: "exthdr", dreg: 1, op: "dccp", type: 4, offset: 0, len: 1, flags: ["present"] };
  const b = new MessageBuilder(0, 0);
  buildExpr(b, e);
  // NFTA_LIST_ELEM { NFTA_EXPR_NAME "exthdr", NFTA_EXPR_DATA { DREG 1, TYPE 4 (u8), OFFSET 0, LEN 1,
  // FLAGS NFT_EXTHDR_F_PRESENT, OP NFT_EXTHDR_OP_DCCP } }
  const want = "44000180" + "0b000100" + "65787468647200" + "00" + "34000280" + "0800010000000001" +
    "0500020004000000" + "0800030000000000" + "0800040000000001" + "0800050000000001" + "0800060000000004";
  const bytes = b.finish().subarray(16);
  assert.equal(Buffer.from(bytes).toString("hex"), want);
  const present: NftExpr = { name: "cmp", sreg: 1, op: "eq", data: { value: new Uint8Array([1]) } };
  const absent: NftExpr = { name: "cmp", sreg: 1, op: "eq", data: { value: new Uint8Array([0]) } };
  const ctx = { family: "inet", sets: new Map() };
  const stmts = ruleStatements([e, present], ctx);
  const left = { "dccp option": { type: 4 } };
  assert.deepEqual(stmts, [{ match: { op: "==", left, right: true } }]);
  assert.deepEqual(ruleStatements([e, absent], ctx), [{ match: { op: "==", left, right: false } }]);
  assert.equal(stmtText(stmts[0]), "dccp option 4 exists");
  const tx = new NftTransaction();
  assert.deepEqual(ruleExpressions(stmts, { family: "inet", table: "t", tx }), [e, present]);
  const missing = [{ match: { op: "==", left: { "dccp option": { type: 255 } }, right: false } }];
  assert.deepEqual(ruleExpressions(missing, { family: "inet", table: "t", tx }), [{ ...e, type: 255 }, absent]);
  for (const type of [256, -1, 1.5, "4", null]) {
    assert.throws(
      () =>
        ruleExpressions([{ match: { op: "==", left: { "dccp option": { type } }, right: true } }], {
          family: "inet",
          table: "t",
          tx,
        }),
      /Cannot match on dccp option .*: expected a type from 0 to 255/,
    );
  }
  assert.throws(
    () =>
      ruleExpressions([{ match: { op: "==", left: { "dccp option": { type: 4, name: "x" } }, right: true } }], {
        family: "inet",
        table: "t",
        tx,
      }),
    /name/,
  );
});

test("flow offload (this kernel has no flowtables): bytes by the uapi, nft's JSON both ways", () => {
  const e: NftExpr = { name: "flow_offload", tableName: "ft" };
  const b = new MessageBuilder(0, 0);
  buildExpr(b, e);
  // NFTA_LIST_ELEM { NFTA_EXPR_NAME "flow_offload", NFTA_EXPR_DATA { NFTA_FLOW_TABLE_NAME "ft" } }
  const want = "24000180" + "11000100" + "666c6f775f6f66666c6f6164000000" + "00" + "0c000280" + "0700010066740000";
  assert.equal(Buffer.from(b.finish().subarray(16)).toString("hex"), want);
  const stmts = ruleStatements([e], { family: "inet", sets: new Map() });
  assert.deepEqual(stmts, [{ flow: { op: "add", flowtable: "@ft" } }]);
  const tx = new NftTransaction();
  assert.deepEqual(ruleExpressions(stmts, { family: "inet", table: "t", tx }), [e]);
  assert.throws(
    () => ruleExpressions([{ flow: { op: "del", flowtable: "@ft" } }], { family: "inet", table: "t", tx }),
    /Cannot use flow/,
  );
});
