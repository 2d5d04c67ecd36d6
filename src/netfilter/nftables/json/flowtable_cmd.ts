/**
 * nft's JSON flowtable commands (`{"add": {"flowtable": {"family": "inet",
 * "table": "t", "name": "f", "hook": "ingress", "prio": 0, "dev": ["veth0"]}}}`)
 * planned into a transaction, as `nft -j -f` applies them.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { checkKeys } from "../../../wire/invalid.ts";
import type { NftTransaction } from "../transaction.ts";
import { declExtra } from "./decl_extra.ts";
import type { Json } from "./types.ts";

type Obj = { readonly [k: string]: Json };

function name(v: Json | undefined, what: string): string | undefined {
  if (v !== undefined && typeof v !== "string") {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as ${what}: expected a string`);
  }
  return v;
}

/** The devices of a chain's or flowtable's `dev`: one name or a list of them. */
export function deviceNames(v: Json | undefined, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  return list.map((d) => name(d, `a device of ${what}`)!);
}

/** Adds (`add`, `create`) or deletes (`delete`, by name or handle) the flowtable `v` of family `fam`. */
export function planFlowtable(tx: NftTransaction, cmd: string, v: Obj, fam: string): void {
  checkKeys(v, ["family", "table", "name", "handle", "hook", "prio", "dev"], "a flowtable");
  const table = name(v.table, "a flowtable's table");
  if (table === undefined) throw new InvalidArgumentError('Cannot use a flowtable without "table"');
  const ft = name(v.name, "a flowtable's name");
  if (cmd === "delete") {
    if (ft === undefined && typeof v.handle !== "number") {
      throw new InvalidArgumentError("Cannot delete a flowtable without its name or handle");
    }
    return void tx.deleteFlowtable({ family: fam, table, name: ft, handle: v.handle as number | undefined });
  }
  if (cmd !== "add" && cmd !== "create") throw new InvalidArgumentError(`Cannot ${cmd} a flowtable`);
  if (ft === undefined) throw new InvalidArgumentError('Cannot add a flowtable without "name"');
  if (v.hook !== "ingress") {
    throw new InvalidArgumentError(`Cannot hook flowtable ${ft} on ${JSON.stringify(v.hook)}: expected ingress`);
  }
  if (typeof v.prio !== "number" || !Number.isSafeInteger(v.prio)) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v.prio)} as the priority of flowtable ${ft}`);
  }
  tx.addFlowtable({
    family: fam,
    table,
    name: ft,
    priority: v.prio,
    devices: deviceNames(v.dev, `flowtable ${ft}`),
    flags: declExtra(v)?.flowtableFlags,
  }, cmd === "create");
}
