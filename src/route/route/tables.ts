/**
 * Routing tables by name, as `ip` names them: the reserved ones (`main`,
 * `local`, `default`, `unspec`) and those of `/etc/iproute2/rt_tables` (and
 * `rt_tables.d/*.conf`). The files are read once, and only when reading
 * needs no permission prompt (Deno without `--allow-read` keeps the
 * reserved names only), through the runtime's own file API: Deno's
 * `node:fs` costs about 0.1 s of start-up.
 *
 * @module
 */

import { readDirNames, readTextOrUndefined } from "../../sys/files.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { RT_TABLE_NAMES } from "./names.ts";

const DIR = "/etc/iproute2";

/** Tells whether reading `path` needs no prompt (always outside Deno). */
function mayRead(path: string): boolean {
  const deno = (globalThis as { Deno?: { permissions: { querySync(d: object): { state: string } } } }).Deno;
  return deno === undefined || deno.permissions.querySync({ name: "read", path }).state === "granted";
}

function readTableFile(path: string, into: Map<number, string>): void {
  const text = readTextOrUndefined(path);
  if (text === undefined) return;
  for (const line of text.split("\n")) {
    const m = /^\s*(0x[0-9a-f]+|\d+)\s+([^\s#]+)/i.exec(line);
    if (m) into.set(Number(m[1]), m[2]);
  }
}

let cache: { byId: Map<number, string>; byName: Map<string, number> } | undefined;

function tables(): { byId: Map<number, string>; byName: Map<string, number> } {
  if (cache) return cache;
  const byId = new Map<number, string>(Object.entries(RT_TABLE_NAMES).map(([k, v]) => [Number(k), v]));
  if (mayRead(DIR)) {
    readTableFile(`${DIR}/rt_tables`, byId);
    try {
      for (const f of readDirNames(`${DIR}/rt_tables.d`).filter((f) => f.endsWith(".conf")).sort()) {
        readTableFile(`${DIR}/rt_tables.d/${f}`, byId);
      }
    } catch { /* no rt_tables.d */ }
  }
  cache = { byId, byName: new Map([...byId].map(([id, name]) => [name, id])) };
  return cache;
}

/** A table id's name (`254` → `"main"`), or the id itself when it has none. */
export function tableName(id: number): string | number {
  return tables().byId.get(id) ?? id;
}

/** A table's id from its name or number (decimal text too); throws `InvalidArgumentError` naming it. */
export function tableNumber(v: string | number): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  if (typeof v === "string") {
    const n = tables().byName.get(v) ?? (/^\d{1,10}$/.test(v) ? Number(v) : undefined);
    if (n !== undefined && n <= 0xffffffff) return n;
  }
  throw new InvalidArgumentError(
    `Cannot use table ${JSON.stringify(v)}: expected a table name (${[...tables().byName.keys()].join(", ")}) ` +
      `or a number 0 to 4294967295`,
    "table",
  );
}
