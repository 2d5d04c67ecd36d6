/**
 * The basic classifier's extended matches (this kernel has no basic;
 * tc_vectors_test.ts checks the requests, tc's flattened trees included,
 * byte for byte against tc's): the expressions print as tc's
 * print_ematch prints them, and bad expressions are refused before
 * anything is sent.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { unhex } from "./_vectors.ts";
import { tcRequest } from "../src/cli/tc.ts";
import { type Filter, parseTcMessage } from "../src/route/tc/message.ts";
import { readMessage } from "../src/wire/message.ts";
import { TcPrinter } from "../src/route/tc/printer.ts";
import { printFilter } from "../src/route/tc/print.ts";
import type { BasicOptions } from "../src/route/tc/filter/basic.ts";

const VECTORS: { name: string; request: string }[] = JSON.parse(
  readFileSync(new URL("./vectors/tc_requests.json", import.meta.url), "utf8"),
);

function filterOf(name: string): Filter {
  const buf = unhex(VECTORS.find((x) => x.name === name)!.request);
  return parseTcMessage(readMessage(buf, new DataView(buf.buffer), 0, buf.length), "filter");
}

function printed(name: string): string {
  const p = new TcPrinter(false);
  printFilter(p, filterOf(name), { linkName: () => "v0", hideDev: true });
  return p.take();
}

test("ematch trees decode into terms and groups", () => {
  const o = filterOf("basic_tree").options as BasicOptions;
  assert.deepEqual(o.ematches?.map((t) => [t.not ?? false, t.relation, t.match?.kind ?? "group"]), [
    [false, "and", "cmp"],
    [true, "or", "group"],
    [false, undefined, "u32"],
  ]);
  assert.deepEqual(o.ematches?.[1].group?.map((t) => t.match?.kind), ["u32", "cmp"]);
  assert.deepEqual(o.ematches?.[0].match, {
    kind: "cmp",
    align: 16,
    offset: 2,
    layer: 2,
    mask: 0xff00,
    op: "gt",
    value: 20,
  });
});

test("ematches print as tc prints them, groups indented", () => {
  assert.equal(
    printed("basic_cmp"),
    "filter ingress protocol all pref 15 basic flowid 1:1 \n  cmp(u8 at 9 layer 1 eq 6)\n\n",
  );
  assert.ok(
    printed("basic_tree").startsWith(
      "filter ingress protocol all pref 16 basic \n  cmp(u16 at 2 layer 2 mask 0xff00 gt 20)\n  AND NOT (\n" +
        "    u32(00500000/ffff0000 at nexthdr+0)\n    OR cmp(u32 at 12 layer 1 trans lt 167772160)\n" +
        "  ) OR u32(00060000/00ff0000 at 8)\n\n\taction order 1: gact action drop",
    ),
  );
  // print_ematch_seq closes a group with ") " and no line break, nested ones included.
  assert.equal(
    printed("basic_nested"),
    "filter ingress protocol all pref 17 basic flowid 1:3 \n  NOT (\n    cmp(u8 at 0 layer 0 eq 1)\n    AND (\n" +
      "      cmp(u8 at 1 layer 1 eq 2)\n      OR cmp(u8 at 2 layer 1 eq 3)\n    )   ) AND (\n" +
      "    u32(00000001/000000ff at 4)\n    OR u32(00000002/000000ff at 8)\n  ) \n",
  );
});

test("meta ematches decode and print as em_meta.c prints them", () => {
  const o = filterOf("basic_meta").options as BasicOptions;
  assert.deepEqual(o.ematches?.[0].match, { kind: "meta", left: { id: "nf_mark" }, op: "gt", right: { value: 24 } });
  // tc keeps dev an int when the right side is a string: types settle only against a meta id.
  assert.deepEqual(o.ematches?.[2].match, {
    kind: "meta",
    left: { id: "dev", shift: 1 },
    op: "eq",
    right: { text: "v1" },
  });
  assert.equal(
    printed("basic_meta"),
    "filter ingress protocol all pref 18 basic flowid 1:4 \n  meta(nf_mark gt 24)\n" +
      "  AND meta(priority mask 0x000000f0 eq 16)\n  OR NOT meta(dev shift 1 eq v1)\n  AND meta(sk_bind_if eq 3)\n" +
      "  AND meta(7 eq protocol)\n\n",
  );
});

test("bad ematch expressions are refused before anything is sent", () => {
  const basic = (...words: string[]) =>
    tcRequest("filter", "add", ["dev", "v0", "ingress", "prio", "1", "basic", ...words], () => 2);
  const cases: [string[], RegExp][] = [
    [["match", "text(kmp foo)"], /Unknown ematch "text" \(nlkit builds cmp, u32 and meta\)/],
    [["match", "meta(bogus eq 1)"], /unknown meta id "bogus"/],
    [["match", "meta(priority)"], /missing operand/],
    [["match", "meta(priority ne 1)"], /invalid operand "ne"/],
    [["match", "meta(priority eq)"], /missing rvalue/],
    [["match", "meta(priority eq 1 2)"], /unexpected "2"/],
    [["match", "meta(priority shift x eq 1)"], /invalid shift/],
    [["match", "meta(1 eq nf_mark shift 300)"], /invalid shift/],
    [["match", "cmp(u8 at 9 eq 6"], /expected "\)"/],
    [["match", "cmp(u64 at 9 eq 6)"], /invalid alignment "u64"/],
    [["match", "cmp(u8 at 9)"], /offset and value required/],
    [["match", "cmp(u8 at 9 layer 3 eq 1)"], /invalid layer/],
    [["match", "cmp(u8 at x eq 1)"], /invalid offset "x"/],
    [["match", "u32(u8 0x100 0xff at 0)"], /fit in 8 bits/],
    [["match", "u32(u32 1 1 at 2)"], /not a multiple of 4/],
    [["match", "u32(u32 1 1 4)"], /missing "at"/],
    [["match", "cmp(u8 at 9 eq 6)", "and"], /expected a match \(KIND\(ARGS\)\) at the end/],
    [["match", "(cmp(u8 at 9 eq 6)"], /expected "\)"/],
    [["match", "cmp(u8 at 9 eq 6)", "bogus"], /Unknown basic argument: "bogus"/],
  ];
  for (const [words, message] of cases) assert.throws(() => basic(...words), message, words.join(" "));
  // The words after the expression are the filter's again.
  assert.ok(basic("match", "cmp(u8", "at", "9", "eq", "6)", "classid", "1:1").length > 0);
});
