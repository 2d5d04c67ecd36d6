/**
 * The uapi names the address, neighbour and rule tables carry as data
 * (`uapi`) against the kernel's own enums in `/usr/include/linux`: every
 * attribute has one, and its number is the enum's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { IFA_ATTRS } from "../src/route/addr/table.ts";
import { NDA_ATTRS } from "../src/route/neigh/table.ts";
import { RULE_ATTRS } from "../src/route/rule/table.ts";
import type { AttrTable } from "../src/wire/table.ts";

/** The members of the enum of `header` whose first member is `first`, by number. */
function uapiEnum(header: string, first: string): Map<string, number> {
  const text = readFileSync(`/usr/include/linux/${header}`, "utf8");
  const body = text.slice(text.indexOf(`${first},`), text.indexOf("}", text.indexOf(`${first},`)));
  const names = body.split("\n").map((l) => l.replace(/\/\*.*?\*\//g, "").trim())
    .filter((l) => !l.startsWith("#") && l !== "").map((l) => l.replace(/,$/, ""));
  return new Map(names.map((n, i) => [n, i]));
}

// Attributes newer than the 6.1 headers installed here.
const NEWER = new Set(["FRA_DSCP"]);

const TABLES: [string, AttrTable, string, string][] = [
  ["IFA_ATTRS", IFA_ATTRS, "if_addr.h", "IFA_UNSPEC"],
  ["NDA_ATTRS", NDA_ATTRS, "neighbour.h", "NDA_UNSPEC"],
  ["RULE_ATTRS", RULE_ATTRS, "fib_rules.h", "FRA_UNSPEC"],
];

for (const [name, table, header, first] of TABLES) {
  test(`${name}: each attribute's uapi name is the kernel's name of its number`, {
    skip: existsSync(`/usr/include/linux/${header}`) ? false : `no /usr/include/linux/${header} (linux-libc-dev)`,
  }, () => {
    const kernel = uapiEnum(header, first);
    assert.ok(kernel.size > 10, `parsed the enum of ${header}`);
    for (const [key, spec] of Object.entries(table)) {
      assert.ok(spec.uapi, `${name}.${key} has a uapi name`);
      if (NEWER.has(spec.uapi)) continue;
      assert.equal(kernel.get(spec.uapi), spec.type, `${name}.${key}: ${spec.uapi}`);
    }
  });
}
