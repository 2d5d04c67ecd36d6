/**
 * nft's flowtable declarations as nft's JSON commands:
 * `flowtable f { hook ingress priority filter + 5; devices = { veth0, veth1 }; counter }`,
 * in a table block or as `add flowtable inet t f { ... }`, and
 * `delete flowtable inet t f` (or `handle N`). Flags, which nft 1.0.6's
 * JSON cannot say, ride along as a {@link DeclExtra}.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { withDeclExtra } from "../json/decl_extra.ts";
import type { Json } from "../json/types.ts";
import { priority } from "./families.ts";
import { nftNumber } from "./tokens.ts";

type Obj = { [k: string]: Json };

const unquote = (w: string) => w.startsWith('"') ? w.slice(1, -1) : w;

/** `cmd flowtable FAMILY TABLE NAME` (family already resolved) with its block's declarations. */
export function flowtableCommand(
  cmd: string,
  family: string,
  table: string,
  name: string,
  decls: readonly (readonly string[])[],
): Json {
  const o: Obj = { family, table };
  if (name === "handle" && cmd === "delete") o.handle = nftNumber(decls[0]?.[0] ?? "");
  else o.name = unquote(name);
  if (cmd === "delete" || cmd === "destroy") {
    if (o.handle === undefined && decls.length) throw new InvalidArgumentError(`Unexpected "${decls[0][0]}"`);
    return { [cmd]: { flowtable: o } };
  }
  const flags: string[] = [];
  for (const d of decls) {
    if (d[0] === "hook") {
      if (d[1] !== "ingress" || d[2] !== "priority" || d.length < 4) {
        throw new InvalidArgumentError(`Cannot use "${d.join(" ")}": expected hook ingress priority PRIORITY`);
      }
      o.hook = "ingress";
      o.prio = priority(d.slice(3).join(" "), "netdev", "ingress");
    } else if (d[0] === "devices" && d[1] === "=") {
      o.dev = d.slice(2).filter((w) => !["{", "}", ","].includes(w)).map(unquote);
    } else if (d[0] === "flags") flags.push(...d.slice(1).filter((w) => w !== ","));
    else if (d[0] === "counter" && d.length === 1) flags.push("counter");
    else throw new InvalidArgumentError(`Cannot use "${d.join(" ")}" in flowtable ${name}`);
  }
  if (o.hook === undefined) throw new InvalidArgumentError(`Cannot add flowtable ${name} without a hook`);
  return { [cmd === "create" ? "create" : "add"]: { flowtable: withDeclExtra(o, { flowtableFlags: flags }) } };
}
