/**
 * The words of `nft list ...` as nft 1.0.6's grammar reads them
 * (`list_cmd` in its parser_bison.y): what is listed, and the family,
 * table and name that narrow it.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { familyNumber } from "../netfilter/nftables/consts.ts";

/** How a listed kind is named after its keyword. */
type Shape =
  /** `[FAMILY]` (nft's `ruleset_spec`). */
  | "ruleset"
  /** `[FAMILY] TABLE` (`table_spec`). */
  | "table"
  /** `[FAMILY] TABLE NAME` (`chain_spec`, `set_spec`, `obj_spec`, `flowtable_spec`). */
  | "named"
  /** `[FAMILY]` or `table [FAMILY] TABLE`. */
  | "scoped"
  /** `table [FAMILY] TABLE` only (`ct helpers`). */
  | "intable";

/** Each kind `nft list` knows, with the words that name its objects. */
const KINDS = {
  ruleset: "ruleset",
  tables: "ruleset",
  table: "table",
  chains: "ruleset",
  chain: "named",
  sets: "scoped",
  set: "named",
  maps: "ruleset",
  map: "named",
  meters: "ruleset",
  meter: "named",
  flowtables: "ruleset",
  flowtable: "named",
  counters: "scoped",
  counter: "named",
  quotas: "scoped",
  quota: "named",
  limits: "scoped",
  limit: "named",
  secmarks: "scoped",
  secmark: "named",
  synproxys: "scoped",
  synproxy: "named",
  "ct helpers": "intable",
  "ct helper": "named",
  "ct timeout": "named",
  "ct expectation": "named",
  hooks: "ruleset",
} as const satisfies Record<string, Shape>;

/** A kind `nft list` lists. */
export type ListKind = keyof typeof KINDS;

/** What one `nft list` command asks for. */
export interface ListSpec {
  /** The kind listed (`ct helper`, `counters`, ...). */
  kind: ListKind;
  /** Only this family. */
  family?: string;
  /** Only this table. */
  table?: string;
  /** The one object of a named kind. */
  name?: string;
  /** `hooks ... device D`: the device whose ingress hooks are listed too. */
  device?: string;
}

const FAMILIES = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];
const CT = ["helper", "helpers", "timeout", "expectation"];
/** nft's old spellings: `flow tables` and `flow table` are meters. */
const FLOW: Record<string, ListKind> = { tables: "meters", table: "meter" };

/** Reads an optional family word. */
export function optionalFamily(args: Args): string | undefined {
  const w = args.peek();
  if (w !== undefined && FAMILIES.includes(w)) return args.next();
  return undefined;
}

function need(args: Args, what: string): string {
  const w = args.next();
  if (w === undefined) throw new UsageError(`Missing ${what}`);
  return w;
}

function kindOf(args: Args): ListKind {
  const names = Object.keys(KINDS);
  const w = need(args, `what to list (${names.join(", ")})`);
  if (w === "ct") {
    const t = need(args, `ct object (${CT.join(", ")})`);
    if (!CT.includes(t)) throw new UsageError(`Cannot list "ct ${t}": expected ${CT.join(", ")}`, t);
    return `ct ${t}` as ListKind;
  }
  if (w === "flow") {
    const t = need(args, "tables or table after flow");
    if (!Object.hasOwn(FLOW, t)) throw new UsageError(`Cannot list "flow ${t}": expected flow tables, flow table`, t);
    return FLOW[t];
  }
  if (!Object.hasOwn(KINDS, w)) throw new UsageError(`Cannot list "${w}": expected ${names.join(", ")}`, w);
  return w as ListKind;
}

/** Reads the words after `nft list`. nft's default family is `ip`. */
export function parseListSpec(args: Args): ListSpec {
  const kind = kindOf(args);
  const shape: Shape = KINDS[kind];
  const spec: ListSpec = { kind };
  const scoped = (shape === "scoped" && args.peek() === "table") || shape === "intable";
  if (scoped) {
    const w = need(args, "table");
    if (w !== "table") throw new UsageError(`Cannot list "${kind} ${w}": expected table FAMILY NAME`, w);
  }
  spec.family = optionalFamily(args);
  if (scoped || shape === "table" || shape === "named") {
    spec.family ??= "ip";
    spec.table = need(args, "table name");
  }
  if (shape === "named") spec.name = need(args, `${kind} name`);
  if (kind === "hooks" && args.peek() === "device") {
    args.next();
    spec.device = need(args, "device name");
  }
  const w = args.next();
  if (w !== undefined) throw new UsageError(`Unexpected "${w}"`, w);
  if (spec.family !== undefined) familyNumber(spec.family);
  return spec;
}
