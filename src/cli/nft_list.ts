/**
 * `nlkit nft list ...`: the objects `nft list` shows, as nft's JSON (`-j`)
 * or nft's text.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { VERSION } from "./version.ts";
import { familyNumber } from "../netfilter/nftables/consts.ts";
import { interfaceNames } from "../netfilter/nftables/ifnames.ts";
import { listRuleset, type NftFilter, type NftRuleset } from "../netfilter/nftables/list.ts";
import type { NftSet } from "../netfilter/nftables/set.ts";
import {
  chainJson,
  objectJson,
  type RulesetJsonOptions,
  rulesetObjects,
  setJson,
  tableJson,
} from "../netfilter/nftables/json/ruleset_json.ts";
import { nftJsonText } from "../netfilter/nftables/json/serialize.ts";
import { emitRulesetJson, emitRulesetObjects } from "../netfilter/nftables/json/stream.ts";
import { omitFromListing } from "../netfilter/nftables/json/omit.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";

/** The nft flags a listing honours. */
export interface NftFlags {
  /** `-j`: nft's JSON. */
  json: boolean;
  /** `-a`: show handles in text. */
  handles: boolean;
  /** `-s`: no counter values or quota use. */
  stateless: boolean;
  /** `-t`: no set or map elements. */
  terse: boolean;
}

const FAMILIES = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

/** Reads an optional family word (nft's default is `ip`). */
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

function noMore(args: Args): void {
  const w = args.next();
  if (w !== undefined) throw new UsageError(`Unexpected "${w}"`, w);
}

const TABLE_SCOPED = ["counters", "quotas", "sets"];
const KINDS = [
  "ruleset",
  "tables",
  "table",
  "chain",
  "chains",
  "set",
  "sets",
  "map",
  "maps",
  "counter",
  "counters",
  "quota",
  "quotas",
];
/** Kinds named by family, table and name. */
const NAMED = ["chain", "set", "map", "counter", "quota"];

/** Runs `nft list ...`. */
export async function nftList(ctx: Context, args: Args, flags: NftFlags): Promise<void> {
  const kind = need(args, `what to list (${KINDS.join(", ")})`);
  if (!KINDS.includes(kind)) throw new UsageError(`Cannot list "${kind}": expected ${KINDS.join(", ")}`, kind);
  let family = optionalFamily(args);
  let table: string | undefined;
  let name: string | undefined;
  if (kind === "table") [family, table] = [family ?? "ip", need(args, "table name")];
  // `list counters table ip t`: the objects of one table (nft's default family is ip).
  if (family === undefined && TABLE_SCOPED.includes(kind) && args.peek() === "table") {
    args.next();
    family = optionalFamily(args) ?? "ip";
    table = need(args, "table name");
  }
  if (NAMED.includes(kind)) {
    family ??= "ip";
    table = need(args, "table name");
    name = need(args, `${kind} name`);
  }
  noMore(args);
  if (family !== undefined) familyNumber(family);
  const json = flags.json || ctx.opts.json;
  const meta = nftJsonText({ metainfo: { version: VERSION, release_name: "nlkit", json_schema_version: 1 } });
  if (json && (kind === "ruleset" || kind === "table")) {
    // Rendered rule by rule and written as the dump arrives: neither the typed ruleset nor its text is held.
    const ifnames = await interfaceNames(ctx.lib);
    let first = true;
    const emit = (text: string): void => {
      ctx.out.write(first ? `{"nftables": [${meta}, ` : ", ");
      ctx.out.write(text);
      first = false;
    };
    if (flags.stateless || flags.terse) {
      const omit = { stateless: flags.stateless, terse: flags.terse };
      await emitRulesetObjects((o) => emit(nftJsonText(omitFromListing(o, omit))), { family, table }, ctx.lib, {
        ifnames,
      });
    } else await emitRulesetJson(emit, { family, table }, ctx.lib, { ifnames });
    if (first && table !== undefined) throw new Error(`No such file or directory: table ${family} ${table}`);
    ctx.out.line(first ? `{"nftables": [${meta}]}` : "]}");
    return;
  }
  if (kind === "ruleset" || kind === "table") return await listText(ctx, { family, table }, flags);
  const r = await listRuleset({ family, table }, ctx.lib);
  if (table !== undefined && !r.tables.length) throw new Error(`No such file or directory: table ${family} ${table}`);
  const ifnames = r.rules.length || r.sets.length ? await interfaceNames(ctx.lib) : undefined;
  const omit = { stateless: flags.stateless, terse: flags.terse, text: !json };
  const objects = select(r, kind, name, { ifnames, full: !json }).map((o) => omitFromListing(o, omit));
  if (json) {
    ctx.out.line(`{"nftables": [${[meta, ...objects.map(nftJsonText)].join(", ")}]}`);
    return;
  }
  // nft lists sets and maps table by table, empty tables included, without blank lines between them.
  const compact = kind === "sets" || kind === "maps";
  // ... and counters and quotas in every table holding a stateful object of any kind.
  const stateful = kind === "counters" || kind === "quotas";
  const holders = compact
    ? r.tables
    : stateful
    ? r.tables.filter((t) => r.objects.some((o) => o.family === t.family && o.table === t.name))
    : [];
  const text = [...holders.map((t) => tableJson(t, true)), ...objects];
  // The text renderer loads only for text: `-j` listings do without its modules.
  const [{ formatRuleset }, { setDecl }] = await Promise.all([
    import("../netfilter/nftables/text/ruleset_text.ts"),
    import("../netfilter/nftables/text/set_decl.ts"),
  ]);
  const decls = new Map(r.sets.map((s) => [`${s.family} ${s.table} ${s.name}`, s.userdata]));
  const decl = (f: string, t: string, n: string) => setDecl(decls.get(`${f} ${t} ${n}`));
  ctx.out.write(formatRuleset(text, { handles: flags.handles, compact, blocks: stateful, decl }));
}

/** `nft list ruleset|table` as text, written as the dumps arrive (no typed ruleset held). */
async function listText(ctx: Context, filter: NftFilter, flags: NftFlags): Promise<void> {
  // The text renderer loads only for text: `-j` listings do without its modules.
  const [{ RulesetTextWriter }, { setDecl }] = await Promise.all([
    import("../netfilter/nftables/text/ruleset_text.ts"),
    import("../netfilter/nftables/text/set_decl.ts"),
  ]);
  const decls = new Map<string, Uint8Array | undefined>();
  const decl = (f: string, t: string, n: string) => setDecl(decls.get(`${f} ${t} ${n}`));
  const w = new RulesetTextWriter((t) => ctx.out.write(t), { handles: flags.handles, decl });
  const ifnames = await interfaceNames(ctx.lib);
  const onSet = (s: NftSet) => decls.set(`${s.family} ${s.table} ${s.name}`, s.userdata);
  const omit = { stateless: flags.stateless, terse: flags.terse, text: true };
  const add = flags.stateless || flags.terse ? (o: Json) => w.add(omitFromListing(o, omit)) : (o: Json) => w.add(o);
  const n = await emitRulesetObjects(add, filter, ctx.lib, { ifnames, full: true }, onSet);
  if (!n && filter.table !== undefined) {
    throw new Error(`No such file or directory: table ${filter.family} ${filter.table}`);
  }
  w.end();
}

function select(r: NftRuleset, kind: string, name: string | undefined, o: RulesetJsonOptions): Json[] {
  switch (kind) {
    case "ruleset":
    case "table":
      return rulesetObjects(r, o);
    case "tables":
      return r.tables.map((t) => tableJson(t, o.full));
    case "chains":
      return r.chains.map((c) => chainJson(c, o.full));
    case "chain": {
      const all = rulesetObjects({ ...r, chains: r.chains.filter((c) => c.name === name) }, o);
      const out = all.filter((o) => isKind(o, "chain") || isKind(o, "rule"));
      if (!out.length) throw new Error(`No such file or directory: chain ${name}`);
      return out;
    }
    case "sets":
    case "maps":
      return r.sets.filter((s) =>
        !s.flags?.includes("anonymous") && (s.flags?.includes("map") ?? false) === (kind === "maps")
      )
        .map((x) => setJson(x, o.full));
    case "set":
    case "map": {
      const s = r.sets.find((x) => x.name === name && (x.flags?.includes("map") ?? false) === (kind === "map"));
      if (!s) throw new Error(`No such file or directory: ${kind} ${name}`);
      return [setJson(s, o.full)];
    }
    case "counters":
    case "quotas":
      return r.objects.filter((o) => o.type === kind.slice(0, -1)).map(objectJson);
    case "counter":
    case "quota": {
      const found = r.objects.filter((x) => x.type === kind && x.name === name).map(objectJson);
      if (!found.length) throw new Error(`No such file or directory: ${kind} ${name}`);
      return found;
    }
  }
  return [];
}

function isKind(o: Json, k: string): boolean {
  return typeof o === "object" && o !== null && !Array.isArray(o) && k in o;
}
