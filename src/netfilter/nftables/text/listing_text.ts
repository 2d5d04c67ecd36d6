/**
 * nft's text of the listings that are not a ruleset or a table (`nft list
 * chains|sets|maps|meters|flowtables|counters|...`): each table as its bare
 * header (`table FAMILY NAME {`, no flags, comment or handle), the blocks
 * of its listed objects without blank lines between them, then `}` (nft
 * 1.0.6's `do_list_*` in rule.c).
 *
 * @module
 */

import type { Json } from "../json/types.ts";
import { chainHead, objectLines, priorityText, setLines, type TextOptions } from "./ruleset_text.ts";

type Obj = { [k: string]: Json };

/** A table a listing shows a block for. */
export interface ListedTable {
  /** Its family. */
  family: string;
  /** Its name. */
  name: string;
}

/** A flowtable's lines (`flowtable_print_declaration`); `flags` are the kernel's, which nft's JSON leaves out. */
function flowtableLines(f: Obj, opts: TextOptions, flags: readonly string[]): string[] {
  const out = [`\tflowtable ${f.name} {${opts.handles ? ` # handle ${f.handle}` : ""}`];
  const prio = opts.numericPriority ? String(f.prio) : priorityText("netdev", String(f.hook), f.prio as number);
  out.push(`\t\thook ${f.hook} priority ${prio}`);
  const devs = f.dev === undefined ? [] : Array.isArray(f.dev) ? f.dev : [f.dev];
  if (devs.length) out.push(`\t\tdevices = { ${devs.join(", ")} }`);
  if (flags.includes("offload")) out.push("\t\tflags offload");
  if (flags.includes("counter")) out.push("\t\tcounter");
  out.push("\t}");
  return out;
}

/** One listed object's block. */
function blockLines(kind: string, o: Obj, opts: TextOptions, flowFlags: (o: Obj) => readonly string[]): string[] {
  switch (kind) {
    case "set":
    case "map":
    case "meter":
      return setLines(kind, o, opts);
    case "chain":
      return [...chainHead(o, opts), "\t}"];
    case "flowtable":
      return flowtableLines(o, opts, flowFlags(o));
  }
  return objectLines(kind, o, opts);
}

/**
 * The text of `objects` (nft's JSON objects, `{"set": {...}}`...) table by
 * table: every table of `tables` gets a block, empty or not, in that order.
 */
export function listingText(
  tables: readonly ListedTable[],
  objects: readonly Json[],
  opts: TextOptions = {},
  flowFlags: (o: Obj) => readonly string[] = () => [],
): string {
  const byTable = new Map<string, string[]>();
  for (const x of objects) {
    const [kind] = Object.keys(x as Obj);
    const o = (x as Obj)[kind] as Obj;
    const key = `${o.family} ${o.table}`;
    if (!byTable.has(key)) byTable.set(key, []);
    byTable.get(key)!.push(`${blockLines(kind, o, opts, flowFlags).join("\n")}\n`);
  }
  return tables.map((t) => `table ${t.family} ${t.name} {\n${(byTable.get(`${t.family} ${t.name}`) ?? []).join("")}}\n`)
    .join("");
}
