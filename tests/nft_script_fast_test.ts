/**
 * The fast path of plain element lists in nft scripts (read as one token,
 * not two per element): the same JSON commands as the command parser
 * gives, for any list of plain values; the same as before for lists that
 * are not plain (data, options, strings, defines, comments).
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseCommand } from "../src/netfilter/nftables/text/parse.ts";
import { lexScript } from "../src/netfilter/nftables/text/script_lex.ts";
import { scriptDocument } from "../src/netfilter/nftables/text/script.ts";

const word = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom("aa:bb:cc:dd:ee:ff", "2001:db8::/32", ".", "1.2.3.4:5"),
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, n]) => `${a}/${n}`),
  fc.tuple(fc.ipV4(), fc.ipV4()).map(([a, b]) => `${a}-${b}`),
  fc.nat({ max: 65535 }).map(String),
  fc.nat({ max: 65535 }).map((n) => `0x${n.toString(16)}`),
  fc.constantFrom("*", "ssh", "10-20"),
);

test("nft scripts: a plain element list reads as the command parser reads it, in set blocks and add element", () => {
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 30 }),
      fc.constantFrom(", ", ",\n\t", " ,", ","),
      fc.boolean(),
      (ws, sep, trailing) => {
        const list = `{ ${ws.join(sep)}${trailing ? "," : ""} }`;
        const slow = parseCommand("add", [
          "element",
          "ip",
          "t",
          "s",
          "{",
          ...ws.flatMap((w, i) => i ? [",", w] : [w]),
          "}",
        ]);
        const added = scriptDocument(`add element ip t s ${list}\n`, "x").nftables;
        assert.deepEqual(added, slow);
        const block = scriptDocument(`table ip t {\n set s {\n  type ipv4_addr\n  elements = ${list}\n }\n}\n`, "x");
        assert.deepEqual(
          (block.nftables[1] as { add: { set: { elem: unknown } } }).add.set.elem,
          (slow[0] as { add: { element: { elem: unknown } } }).add.element.elem,
        );
      },
    ),
  );
});

test("nft scripts: only plain lists after elements = or add element are one token; line numbers go on", () => {
  const one = (text: string) => lexScript(text, "x").filter((t) => t.items).map((t) => t.items);
  assert.deepEqual(one("add element ip t s { 1.2.3.4,\n 5.6.7.8 }\nadd rule ip t c accept\n"), [[
    "1.2.3.4",
    "5.6.7.8",
  ]]);
  assert.deepEqual(one("add element t s { 1, 2 }"), [["1", "2"]]);
  assert.deepEqual(one("add element t s { 2001:db8::1, aa:bb:cc:dd:ee:ff }"), [["2001:db8::1", "aa:bb:cc:dd:ee:ff"]]);
  for (
    const text of [
      "add element ip t m { 1.2.3.4 : 5 }",
      "add element ip t m { 1.2.3.4 :5, 6 }",
      "add element ip t s { 1.2.3.4 . 22 }",
      'add element ip t s { "eth0" }',
      "add element ip t s { $a, 2 }",
      "add element ip t s { 1 timeout 1s }",
      "add element ip t s { 1, # one\n 2 }",
      "add element ip t s { 1,, 2 }",
      "add rule ip t c tcp dport { 22, 80 } accept",
      "define x = { 1, 2 }",
    ]
  ) assert.deepEqual(one(text), [], text);
  // The list token spans its braces, so an error in it underlines the whole list.
  const [list] = lexScript("add element ip t s { 1, 2 }", "x").filter((t) => t.items);
  assert.deepEqual([list.col, list.end], [20, 27]);
  const toks = lexScript("table ip t {\n set s {\n  elements = { 1,\n 2,\n 3 }\n }\n acept\n}\n", "x");
  const bad = toks.find((t) => t.v === "acept")!;
  assert.deepEqual([bad.line, bad.col], [7, 2]);
});
