/**
 * The uapi names the link, address, neighbour, rule and route tables carry as data
 * (`uapi`) against the kernel's own enums in `/usr/include/linux`: every
 * attribute has one, and its number is the enum's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { IFA_ATTRS } from "../src/route/addr/table.ts";
import { IFLA_ATTRS } from "../src/route/link/table.ts";
import { NDA_ATTRS } from "../src/route/neigh/table.ts";
import { RULE_ATTRS } from "../src/route/rule/table.ts";
import { NEXTHOP_TABLE, ROUTE_ATTRS, RTAX_TABLE } from "../src/route/route/table.ts";
import { MROUTE_ATTRS } from "../src/route/mroute/table.ts";
import type { AttrTable } from "../src/wire/table.ts";

/** The members of the enum of `header` whose first member is `first`, by number (`A = B` aliases included). */
function uapiEnum(header: string, first: string): Map<string, number> {
  const text = readFileSync(`/usr/include/linux/${header}`, "utf8");
  const at = text.indexOf(`${first},`);
  const body = text.slice(at, text.indexOf("}", at)).replace(/\/\*[^]*?\*\//g, "");
  const lines = body.split("\n").map((l) => l.trim());
  const out = new Map<string, number>();
  let next = 0;
  for (const line of lines) {
    if (line.startsWith("#") || line === "") continue;
    const [name, alias] = line.replace(/,$/, "").split(/\s*=\s*/);
    // As in C, an enumerator with a value sets the count the next ones go on from.
    if (alias !== undefined) next = out.get(alias) ?? Number(alias);
    out.set(name, next++);
  }
  return out;
}

const TABLES: [string, AttrTable, string, string][] = [
  ["IFLA_ATTRS", IFLA_ATTRS, "if_link.h", "IFLA_UNSPEC"],
  ["IFA_ATTRS", IFA_ATTRS, "if_addr.h", "IFA_UNSPEC"],
  ["NDA_ATTRS", NDA_ATTRS, "neighbour.h", "NDA_UNSPEC"],
  ["RULE_ATTRS", RULE_ATTRS, "fib_rules.h", "FRA_UNSPEC"],
  ["ROUTE_ATTRS", ROUTE_ATTRS, "rtnetlink.h", "RTA_UNSPEC"],
  ["NEXTHOP_TABLE", NEXTHOP_TABLE, "rtnetlink.h", "RTA_UNSPEC"],
  ["MROUTE_ATTRS", MROUTE_ATTRS, "rtnetlink.h", "RTA_UNSPEC"],
  ["RTAX_TABLE", RTAX_TABLE, "rtnetlink.h", "RTAX_UNSPEC"],
];

for (const [name, table, header, first] of TABLES) {
  test(`${name}: each attribute's uapi name is the kernel's name of its number`, {
    skip: existsSync(`/usr/include/linux/${header}`) ? false : `no /usr/include/linux/${header} (linux-libc-dev)`,
  }, () => {
    const kernel = uapiEnum(header, first);
    assert.ok(kernel.size > 10, `parsed the enum of ${header}`);
    for (const [key, spec] of Object.entries(table)) {
      assert.ok(spec.uapi, `${name}.${key} has a uapi name`);
      // Attributes newer than the headers installed here (6.1) have numbers past the enum's end.
      const max = kernel.get(`__${first.replace("_UNSPEC", "_MAX")}`)!;
      if (!kernel.has(spec.uapi)) assert.ok(spec.type >= max, `${name}.${key}: ${spec.uapi} is not in ${header}`);
      else assert.equal(kernel.get(spec.uapi), spec.type, `${name}.${key}: ${spec.uapi}`);
    }
  });
}
