/**
 * nft's JSON and language without the kernel: statements encoded to
 * expressions and decoded back give the same statements; nft's command
 * language parses to nft's JSON commands; and property tests: malformed
 * documents, statements and command lines give a typed error, never a
 * crash or a hang.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { onlyTyped } from "./_fuzz.ts";
import { ruleExpressions } from "../src/netfilter/nftables/json/linearize.ts";
import { ruleStatements } from "../src/netfilter/nftables/json/rule_json.ts";
import { NftTransaction } from "../src/netfilter/nftables/transaction.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";
import { parseCommand } from "../src/netfilter/nftables/text/parse.ts";
import { parseDuration, tokenize } from "../src/netfilter/nftables/text/tokens.ts";
import { elementsJson } from "../src/netfilter/nftables/json/elements.ts";
import { elementsOf } from "../src/netfilter/nftables/json/values.ts";
import { typeByName } from "../src/netfilter/nftables/json/types.ts";
import { numberToBytes, parseValue, renderValue } from "../src/netfilter/nftables/json/value_codec.ts";
import { parseConnlabels } from "../src/netfilter/nftables/json/connlabel.ts";
import { timeoutPolicy, timeoutPolicyJson } from "../src/netfilter/nftables/json/ct_timeout.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { compareBytes, minusOne, plusOne, sameBytes } from "../src/netfilter/nftables/json/key_bytes.ts";
import { nftJsonText } from "../src/netfilter/nftables/json/serialize.ts";

type Obj = Record<string, Json>;

/** `nft -j list ruleset` of tests/fixtures/nft_router.nft, expiry removed. */
const DOC = JSON.parse(readFileSync(new URL("./fixtures/nft_router.json", import.meta.url), "utf8"));
const RULES: Obj[] = DOC.nftables.filter((o: Obj) => "rule" in o).map((o: Obj) => o.rule);

test("rule statements survive encoding to expressions and decoding back", () => {
  let n = 0;
  for (const rule of RULES) {
    const stmts = rule.expr as Json[];
    if (JSON.stringify(stmts).includes('"set"') || JSON.stringify(stmts).includes('"@')) continue; // need the kernel's sets
    const tx = new NftTransaction();
    const exprs = ruleExpressions(stmts, { family: String(rule.family), table: String(rule.table), tx });
    assert.equal(tx.length, 0);
    const back = ruleStatements(exprs, { family: String(rule.family), sets: new Map() });
    assert.deepEqual(back, stmts, JSON.stringify(stmts));
    n++;
  }
  assert.ok(n >= 25, `${n} rules compared`);
});

test("anonymous sets go into the same transaction as the rule", () => {
  const tx = new NftTransaction();
  const exprs = ruleExpressions(
    [{
      match: {
        op: "==",
        left: { payload: { protocol: "tcp", field: "dport" } },
        right: { set: [22, { range: [80, 90] }] },
      },
    }],
    { family: "inet", table: "t", tx },
  );
  assert.equal(tx.length, 2, "NEWSET and NEWSETELEM");
  const lookup = exprs.find((e) => e.name === "lookup") as { set?: string; setId?: number };
  assert.equal(lookup.set, "__set%d");
  assert.equal(lookup.setId, 1);
});

test("interval elements: ranges and prefixes become start and end elements, and back", () => {
  const t = [typeByName("ipv4_addr")];
  const els = elementsOf({ key: t, interval: true }, [{ prefix: { addr: "10.0.0.0", len: 8 } }, {
    range: ["1.1.1.1", "1.1.1.5"],
  }, "9.9.9.9"]);
  assert.equal(els.length, 6);
  assert.deepEqual(els[1], { key: { value: new Uint8Array([11, 0, 0, 0]) }, flags: ["interval-end"] });
  assert.deepEqual(elementsJson(els, t, true, undefined), [
    { range: ["1.1.1.1", "1.1.1.5"] },
    "9.9.9.9",
    { prefix: { addr: "10.0.0.0", len: 8 } },
  ]);
});

test("nft's command language parses to nft's JSON commands", () => {
  assert.deepEqual(
    parseCommand("add", [
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
      "accept",
    ]),
    [{
      add: {
        rule: {
          family: "inet",
          table: "t",
          chain: "c",
          expr: [
            { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: { set: [22, 80] } } },
            { match: { op: "in", left: { ct: { key: "state" } }, right: ["established", "related"] } },
            { accept: null },
          ],
        },
      },
    }],
  );
  assert.deepEqual(
    parseCommand("add", ["chain", "ip", "t", "c", "{ type nat hook prerouting priority dstnat + 5; policy accept; }"]),
    [{
      add: {
        chain: { family: "ip", table: "t", name: "c", type: "nat", hook: "prerouting", prio: -95, policy: "accept" },
      },
    }],
  );
  assert.deepEqual(parseCommand("delete", ["rule", "t", "c", "handle", "7"]), [{
    delete: { rule: { family: "ip", table: "t", chain: "c", handle: 7 } },
  }]);
  assert.deepEqual(parseCommand("flush", ["ruleset"]), [{ flush: { ruleset: null } }]);
  assert.deepEqual(
    parseCommand("add", ["rule", "ip", "t", "c", "log", "prefix", "a b: ", "dnat", "to", "1.2.3.4:80"])[0],
    {
      add: {
        rule: {
          family: "ip",
          table: "t",
          chain: "c",
          expr: [{ log: { prefix: "a b: " } }, { dnat: { addr: "1.2.3.4", port: 80 } }],
        },
      },
    },
  );
  assert.equal(parseDuration("1h30m"), 5400);
  assert.equal(parseDuration("1000ms"), 1); // one unit table with ct expiration's relative times
  assert.equal(parseDuration("1s500ms"), 1.5); // milliseconds as a fraction of the JSON's seconds
  assert.throws(() => parseDuration("100"), /as a duration/);
  assert.throws(() => parseCommand("add", ["rule", "ip", "t", "c", "frobnicate"]), InvalidArgumentError);
  assert.throws(() => parseCommand("add", ["gizmo", "x"]), InvalidArgumentError);
});

const statement = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom<Json>(
      null,
      true,
      0,
      1,
      -1,
      65536,
      2 ** 40,
      "",
      "tcp",
      "ip",
      "saddr",
      "@s",
      "1.2.3.4",
      "::1",
      "x/8",
      "1-2",
    ),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        "match",
        "op",
        "left",
        "right",
        "payload",
        "protocol",
        "field",
        "meta",
        "key",
        "set",
        "range",
        "prefix",
        "addr",
        "len",
        "concat",
        "&",
        "mangle",
        "value",
        "counter",
        "limit",
        "rate",
        "per",
        "log",
        "reject",
        "type",
        "expr",
        "dnat",
        "port",
        "vmap",
        "data",
        "map",
        "jump",
        "target",
        "accept",
        "quota",
        "val",
        "ct",
        "elem",
        "val",
      ),
      tie("v"),
      { maxKeys: 3 },
    ),
  ),
})).v;

test("malformed statements give typed errors", () => {
  fc.assert(
    fc.property(
      fc.array(statement, { maxLength: 4 }),
      fc.constantFrom("ip", "ip6", "inet", "bridge", "netdev"),
      (stmts, family) => {
        onlyTyped(() => ruleExpressions(stmts, { family, table: "t", tx: new NftTransaction() }));
      },
    ),
    { numRuns: 1500 },
  );
  // Mutated real rules: one value replaced somewhere.
  fc.assert(
    fc.property(fc.constantFrom(...RULES), fc.nat(), statement, (rule, at, v) => {
      const text = JSON.stringify(rule.expr);
      const spots = [...text.matchAll(/:(?=[^{[])/g)].map((m) => m.index!);
      if (!spots.length) return;
      const i = spots[at % spots.length] + 1;
      const end = text.slice(i).search(/[,}\]]/) + i;
      let stmts: Json[];
      try {
        stmts = JSON.parse(text.slice(0, i) + JSON.stringify(v) + text.slice(end));
      } catch {
        return;
      }
      onlyTyped(() => ruleExpressions(stmts, { family: String(rule.family), table: "t", tx: new NftTransaction() }));
    }),
    { numRuns: 1500 },
  );
});

test("malformed command lines give typed errors", () => {
  const word = fc.constantFrom(
    "add",
    "rule",
    "table",
    "chain",
    "set",
    "map",
    "element",
    "inet",
    "ip",
    "t",
    "c",
    "{",
    "}",
    ",",
    ";",
    ":",
    ".",
    "tcp",
    "dport",
    "22",
    "accept",
    "jump",
    "counter",
    "log",
    "prefix",
    "limit",
    "rate",
    "10/second",
    "over",
    "meta",
    "mark",
    "set",
    "0x10",
    "ct",
    "state",
    "type",
    "hook",
    "input",
    "priority",
    "filter",
    "policy",
    "elements",
    "=",
    "handle",
    "x",
    '"q"',
    "dnat",
    "to",
    ":80",
    "vmap",
    "reject",
    "with",
    "quota",
    "timeout",
    "1h",
  );
  fc.assert(
    fc.property(
      fc.constantFrom("add", "insert", "delete", "flush", "create", "replace"),
      fc.array(word, { maxLength: 14 }),
      (cmd, words) => {
        onlyTyped(() => parseCommand(cmd, words), [InvalidArgumentError]);
      },
    ),
    { numRuns: 3000 },
  );
  fc.assert(fc.property(fc.string(), (s) => onlyTyped(() => tokenize(s), [InvalidArgumentError])), { numRuns: 1000 });
});

test("meta time, meta hour and ct label values print as nft prints them and parse back", () => {
  const time = typeByName("time");
  const hour = typeByName("hour");
  const label = typeByName("ct_label");
  // The VM runs in UTC: nft prints local time, which is UTC here.
  const utc = new Date(0).getTimezoneOffset() === 0;
  const ns = parseValue(time, "2026-01-01 00:00:00");
  if (utc) assert.deepEqual(ns, numberToBytes(Date.UTC(2026, 0, 1) * 1e6, 8, true));
  assert.equal(renderValue(time, ns), "2026-01-01 00:00:00");
  assert.equal(renderValue(time, parseValue(time, "2025-06-30 12:30")), "2025-06-30 12:30:00");
  assert.equal(renderValue(hour, parseValue(hour, "10:00")), "10:00");
  assert.equal(renderValue(hour, parseValue(hour, "23:59:30")), "23:59:30");
  if (utc) assert.deepEqual(parseValue(hour, "10:00"), numberToBytes(36000, 4, true));
  const five = parseValue(label, 5);
  assert.deepEqual(five, new Uint8Array([32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(renderValue(label, five), 5);
  assert.deepEqual(renderValue(label, parseValue(label, [0, 127])), [0, 127]);
  for (const bad of ["24:00", "10:60", "1:00", "10:00:61"]) {
    assert.throws(() => parseValue(hour, bad), InvalidArgumentError);
  }
  for (const bad of ["2026-13-01", "2026-02-30", "2026-01-01 24:00", "2026-01-01T00:00:00", "yesterday"]) {
    assert.throws(() => parseValue(time, bad), InvalidArgumentError);
  }
  for (const bad of [128, -1, 1.5, "nosuchlabel"]) assert.throws(() => parseValue(label, bad), InvalidArgumentError);
});

test("connlabel.conf lines give label names by bit; others are skipped", () => {
  const m = parseConnlabels("# labels\n0 eth0-in\n 1\tpolicy # trailing\n128 too-big\nx bad\n1 again\n\n");
  assert.deepEqual([...m], [[0, "eth0-in"], [1, "policy"]]);
});

test("ct timeout policy: only states off their default print; unknown states are refused", () => {
  const t = timeoutPolicy("tcp", { established: 100, close: 10 });
  assert.equal(t[2], 100);
  assert.deepEqual(timeoutPolicyJson("tcp", t), { established: 100 });
  assert.equal(timeoutPolicyJson("udp", [30, 120]), null);
  assert.throws(() => timeoutPolicy("tcp", { replied: 1 }), InvalidArgumentError);
  assert.throws(() => timeoutPolicy("sctp", {}), InvalidArgumentError);
  assert.throws(() => timeoutPolicy("udp", { replied: -1 }), InvalidArgumentError);
});

test("time, hour and label values: any text or number gives bytes or a typed error", () => {
  const types = ["time", "hour", "ct_label"].map(typeByName);
  const value = fc.oneof(
    fc.string({ maxLength: 24 }),
    fc.stringMatching(/^\d{1,4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{1,2}(:\d{1,2})?)?$/),
    fc.stringMatching(/^\d{1,2}:\d{1,2}(:\d{1,2})?$/),
    fc.integer({ min: -2, max: 300 }),
    fc.array(fc.integer({ min: -2, max: 300 }), { maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...types), value, (t, v) => {
      onlyTyped(() => {
        const b = parseValue(t, v as Json);
        renderValue(t, b);
      }, [InvalidArgumentError]);
    }),
    { numRuns: 2000 },
  );
});

test('nftJsonText prints as nft -j does: ", " and ": " separators, JSON escapes, nothing else', () => {
  const v: Json = { a: 'x\ny,\n "\\\u0001', b: [], c: {}, d: [1, [2, { e: null }]], f: true, g: -1.5 };
  assert.equal(
    nftJsonText(v),
    '{"a": "x\\ny,\\n \\"\\\\\\u0001", "b": [], "c": {}, "d": [1, [2, {"e": null}]], "f": true, "g": -1.5}',
  );
  // nft's layout written out plainly, as the oracle.
  const layout = (x: unknown): string =>
    Array.isArray(x)
      ? `[${x.map(layout).join(", ")}]`
      : x !== null && typeof x === "object"
      ? `{${Object.entries(x).map(([k, y]) => `${JSON.stringify(k)}: ${layout(y)}`).join(", ")}}`
      : JSON.stringify(x);
  fc.assert(fc.property(fc.jsonValue(), (x) => assert.equal(nftJsonText(x as Json), layout(x))));
});

test("fib_addrtype names nft's route types: 0 is unspec (ip's none), and the table stops at prohibit", () => {
  const t = typeByName("fib_addrtype");
  const at = (n: number) => renderValue(t, numberToBytes(n, 4, true));
  assert.deepEqual([0, 1, 6, 8, 9].map(at), ["unspec", "unicast", "blackhole", "prohibit", 9]);
  assert.deepEqual(parseValue(t, "local"), numberToBytes(2, 4, true));
  assert.throws(() => parseValue(t, "throw"), InvalidArgumentError);
});

test("set keys step and compare as big-endian bytes: one below wraps at zero, one above the top is none", () => {
  const b = (...x: number[]) => new Uint8Array(x);
  assert.deepEqual(minusOne(b(1, 0)), b(0, 0xff));
  assert.deepEqual(minusOne(b(0, 0)), b(0xff, 0xff));
  assert.deepEqual(plusOne(b(0, 0xff)), b(1, 0));
  assert.equal(plusOne(b(0xff, 0xff)), undefined);
  assert.ok(compareBytes(b(1, 2), b(1, 3)) < 0 && compareBytes(b(2), b(1, 9)) > 0 && compareBytes(b(1), b(1, 0)) < 0);
  assert.ok(sameBytes(b(1, 2), b(1, 2)) && !sameBytes(undefined, b()) && !sameBytes(b(1), b(1, 0)));
});
