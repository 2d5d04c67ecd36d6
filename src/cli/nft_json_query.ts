/**
 * A JSON document's `list` and `reset` commands (`nft -j -f`), read as nft
 * 1.0.6's JSON parser reads them (`json_parse_cmd_list`,
 * `json_parse_cmd_reset`): the object named, and of its keys only those
 * nft reads. Any other key is refused rather than ignored.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { ListKind, ListSpec } from "./nft_list_spec.ts";
import { familyNumber } from "../netfilter/nftables/consts.ts";
import { keys, str } from "../netfilter/nftables/json/apply_checks.ts";
import { isObj } from "../netfilter/nftables/json/values.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";

/** How an object of a query is named: nft's `add` keys, or the optional scope of a plural. */
type Shape =
  /** `family` and `name` (a table). */
  | "table"
  /** `family`, `table` and `name`. */
  | "named"
  /** An optional `family` (null for every family). */
  | "family"
  /** An optional `family` and `table`. */
  | "scoped"
  /** An optional `family` and a `table`. */
  | "intable";

/** The keys nft's parser reads for each shape. */
const SHAPE_KEYS: Record<Shape, readonly string[]> = {
  table: ["family", "name"],
  named: ["family", "table", "name"],
  family: ["family"],
  scoped: ["family", "table"],
  intable: ["family", "table"],
};

const LIST: Record<string, [ListKind, Shape]> = {
  table: ["table", "table"],
  tables: ["tables", "family"],
  chain: ["chain", "named"],
  chains: ["chains", "family"],
  set: ["set", "named"],
  sets: ["sets", "scoped"],
  map: ["map", "named"],
  maps: ["maps", "family"],
  counter: ["counter", "named"],
  counters: ["counters", "scoped"],
  quota: ["quota", "named"],
  quotas: ["quotas", "family"],
  "ct helper": ["ct helper", "named"],
  "ct helpers": ["ct helpers", "intable"],
  "ct timeout": ["ct timeout", "named"],
  "ct expectation": ["ct expectation", "named"],
  limit: ["limit", "named"],
  limits: ["limits", "family"],
  ruleset: ["ruleset", "family"],
  meter: ["meter", "named"],
  meters: ["meters", "family"],
  flowtables: ["flowtables", "family"],
  secmark: ["secmark", "named"],
  secmarks: ["secmarks", "family"],
};

const RESET: Record<string, [ListKind, Shape]> = {
  counter: ["counter", "named"],
  counters: ["counters", "scoped"],
  quota: ["quota", "named"],
  quotas: ["quotas", "family"],
};

/** The queries a document may hold, by command. */
const QUERIES: Record<string, Record<string, [ListKind, Shape]>> = { list: LIST, reset: RESET };

/** A document's query: what `nft list` or `nft reset` would be given. */
export interface JsonQuery {
  /** `list` or `reset`. */
  op: "list" | "reset";
  /** What is listed or reset. */
  spec: ListSpec;
}

/** Whether `item` is a `list` or `reset` command (checked by {@link jsonQuery}). */
export function isJsonQuery(item: Json): boolean {
  return isObj(item) && Object.keys(item).length === 1 && Object.hasOwn(QUERIES, Object.keys(item)[0]);
}

/** Reads a `list` or `reset` command; bad input throws an {@link InvalidArgumentError}. */
export function jsonQuery(item: Json): JsonQuery {
  const [op] = isObj(item) ? Object.keys(item) : [];
  const table = QUERIES[op];
  const body = isObj(item) ? item[op] : undefined;
  if (!table || !isObj(body) || Object.keys(body).length !== 1) {
    throw new InvalidArgumentError(
      `Cannot ${op ?? "run"} ${JSON.stringify(body)}: expected one object of ${Object.keys(table ?? LIST).join(", ")}`,
    );
  }
  const [key] = Object.keys(body);
  if (!Object.hasOwn(table, key)) {
    throw new InvalidArgumentError(`Cannot ${op} "${key}": expected ${Object.keys(table).join(", ")}`);
  }
  const [kind, shape] = table[key];
  return { op: op as JsonQuery["op"], spec: { kind, ...scope(body[key], shape, `${op} ${key}`) } };
}

function scope(v: Json, shape: Shape, what: string): Omit<ListSpec, "kind"> {
  if (v === null && (shape === "family" || shape === "scoped")) return {};
  if (!isObj(v)) throw new InvalidArgumentError(`Cannot ${what} ${JSON.stringify(v)}: expected an object`);
  keys(v, SHAPE_KEYS[shape], what);
  const family = shape === "table" || shape === "named" || v.family !== undefined ? str(v, "family", what) : undefined;
  if (family !== undefined) familyNumber(family);
  if (shape === "table") return { family, table: str(v, "name", what) };
  const table = shape === "named" || shape === "intable" || v.table !== undefined ? str(v, "table", what) : undefined;
  if (shape === "named") return { family, table, name: str(v, "name", what) };
  return { family, table };
}
