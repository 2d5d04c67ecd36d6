/**
 * Words that name members every object inherits (`toString`, `constructor`)
 * are no keywords: each table of words is looked up by its own keys, so they
 * are refused as any unknown word is, never taken (a plain `in` or index
 * lookup would find `Object.prototype`'s).
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

const RULE = (op: string) =>
  JSON.stringify({
    nftables: [
      { add: { table: { family: "ip", name: "t" } } },
      { add: { chain: { family: "ip", table: "t", name: "c" } } },
      {
        add: {
          rule: {
            family: "ip",
            table: "t",
            chain: "c",
            expr: [{ match: { op, left: { meta: { key: "mark" } }, right: 1 } }],
          },
        },
      },
    ],
  });

test("nft list, list flow, a JSON match operator and ct -e refuse inherited names", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    for (const w of ["toString", "constructor"]) {
      const list = nlkit(["-n", ns, "nft", "list", w]);
      assert.notEqual(list.code, 0, `nft list ${w} was taken`);
      assert.match(list.stderr, new RegExp(`Cannot list "${w}"`));
      const flow = nlkit(["-n", ns, "nft", "list", "flow", w]);
      assert.match(flow.stderr, new RegExp(`Cannot list "flow ${w}"`));
      const op = nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, RULE(w));
      assert.equal(op.code, 1);
      assert.match(op.stderr, new RegExp(`Cannot use operator "${w}"`));
      const ct = nlkit(["-n", ns, "ct", "-E", "-e", w]);
      assert.equal(ct.code, 2, ct.stderr);
    }
  });
});
