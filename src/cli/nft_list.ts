/**
 * `nlkit nft list ...`: the objects `nft list` shows, as nft's JSON (`-j`)
 * or nft's text.
 *
 * @module
 */

import type { Args } from "./args.ts";
import type { Context } from "./context.ts";
import { type ListKind, type ListSpec, parseListSpec } from "./nft_list_spec.ts";
import { VERSION } from "./version.ts";
import { interfaceNames } from "../netfilter/nftables/ifnames.ts";
import type { NftFilter, NftRuleset } from "../netfilter/nftables/list.ts";
import type { NftSet } from "../netfilter/nftables/set.ts";
import { fetchListing, SET_KINDS, setKind } from "./nft_list_fetch.ts";
import {
  chainJson,
  flowtableJson,
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
import { isBound } from "../netfilter/nftables/json/binding.ts";
import { NlkitError, notFound, type NotFoundError } from "../errors.ts";

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
  /** `-y`: chain priorities as numbers in text (nft's JSON has numbers either way). */
  numericPriority: boolean;
  /** `-T`: times in plain seconds in text (nft's JSON has seconds either way). */
  numericTime: boolean;
  /** `-n`: numbers for named values, protocols, priorities and times (nft's NUMERIC_ALL). */
  numeric: boolean;
  /** `-p`: layer-4 protocols as numbers. */
  numericProtocol: boolean;
  /** `-S`: ports as `/etc/services` names. */
  service: boolean;
  /** `-N`: addresses as host names (reverse DNS). */
  reverseDns: boolean;
  /** `-u`: user and group ids as names. */
  guid: boolean;
}

/** nft 1.0.6's output flags nlkit does not honour, with why: refused, never accepted and ignored. */
export const REFUSED_FLAGS: Record<string, string> = {
  "-d": "nlkit has no nft debug output",
  "--debug": "nlkit has no nft debug output",
};

/** Runs `nft list ...`. */
export async function nftList(ctx: Context, args: Args, flags: NftFlags): Promise<void> {
  await listSpec(ctx, parseListSpec(args), flags);
}

/** Lists what `spec` asks for (the words of `nft list`, or a JSON `list` command). */
export async function listSpec(ctx: Context, spec: ListSpec, flags: NftFlags): Promise<void> {
  const { kind, family, table } = spec;
  const json = flags.json || ctx.opts.json;
  if (json && (kind === "ruleset" || kind === "table")) return await listJson(ctx, { family, table }, flags);
  if (kind === "ruleset" || kind === "table") return await listText(ctx, { family, table }, flags);
  if (kind === "hooks") {
    const { nftListHooks } = await import("./nft_hooks.ts");
    return await nftListHooks(ctx, spec, json);
  }
  const r = await fetchListing(spec, ctx.lib);
  if (table !== undefined && !r.tables.length) throw noSuchTable(family, table);
  const ifnames = r.rules.length || r.sets.length ? await interfaceNames(ctx.lib) : undefined;
  const omit = { stateless: flags.stateless, terse: flags.terse, text: !json };
  const objects = selectObjects(r, spec, { ifnames, full: !json }).map((o) => omitFromListing(o, omit));
  if (json) {
    ctx.out.line(`{"nftables": [${[metaJson(), ...objects.map(nftJsonText)].join(", ")}]}`);
    return;
  }
  const [{ formatRuleset }, { listingText }, { setDecl }] = await Promise.all([
    import("../netfilter/nftables/text/ruleset_text.ts"),
    import("../netfilter/nftables/text/listing_text.ts"),
    import("../netfilter/nftables/text/set_decl.ts"),
  ]);
  const decls = new Map(r.sets.map((s) => [`${s.family} ${s.table} ${s.name}`, s.userdata]));
  const decl = (f: string, t: string, n: string) => setDecl(decls.get(`${f} ${t} ${n}`));
  const opts = { handles: flags.handles, numericPriority: flags.numericPriority, numericTime: flags.numericTime, decl };
  if (kind === "tables" || kind === "chain") {
    const warn = xtWarner(ctx);
    for (const o of objects) warn(o);
    ctx.out.write(formatRuleset(objects, opts));
    return;
  }
  // nft lists objects in the tables that hold a stateful object of any kind; other kinds in every table.
  const tables = OBJ_KINDS[kind]
    ? r.tables.filter((t) => r.objects.some((o) => o.family === t.family && o.table === t.name))
    : r.tables;
  const ftFlags = new Map(r.flowtables.map((f) => [`${f.family} ${f.table} ${f.name}`, f.flags ?? []]));
  const flowFlags = (o: { [k: string]: unknown }) => ftFlags.get(`${o.family} ${o.table} ${o.name}`) ?? [];
  ctx.out.write(
    listingText(tables.map((t) => ({ family: t.family, name: t.name ?? "" })), objects, opts, flowFlags),
  );
}

/**
 * nft's warning (on stderr, once a table) for a table whose listed rules
 * hold iptables extensions: the table belongs to iptables-nft.
 */
function xtWarner(ctx: Context): (o: Json) => void {
  const warned = new Set<string>();
  return (o) => {
    const rule = typeof o === "object" && o !== null && !Array.isArray(o) ? o.rule : undefined;
    if (typeof rule !== "object" || rule === null || Array.isArray(rule) || !Array.isArray(rule.expr)) return;
    if (!rule.expr.some((st) => typeof st === "object" && st !== null && "xt" in st)) return;
    const key = `${rule.family} ${rule.table}`;
    if (warned.has(key)) return;
    warned.add(key);
    ctx.err.line(`# Warning: table ${key} is managed by iptables-nft, do not touch!`);
  };
}

/** nft's `metainfo` object, as JSON text. */
export function metaJson(): string {
  return nftJsonText({ metainfo: { version: VERSION, release_name: "nlkit", json_schema_version: 1 } });
}

/** `nft -j list ruleset|table`, rendered rule by rule and written as the dump arrives. */
async function listJson(ctx: Context, filter: NftFilter, flags: NftFlags): Promise<void> {
  const { family, table } = filter;
  const ifnames = await interfaceNames(ctx.lib);
  let first = true;
  const emit = (text: string): void => {
    ctx.out.write(first ? `{"nftables": [${metaJson()}, ` : ", ");
    ctx.out.write(text);
    first = false;
  };
  if (flags.stateless || flags.terse) {
    const omit = { stateless: flags.stateless, terse: flags.terse };
    await emitRulesetObjects((o) => emit(nftJsonText(omitFromListing(o, omit))), filter, ctx.lib, { ifnames });
  } else await emitRulesetJson(emit, filter, ctx.lib, { ifnames });
  if (first && table !== undefined) throw noSuchTable(family, table);
  ctx.out.line(first ? `{"nftables": [${metaJson()}]}` : "]}");
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
  const w = new RulesetTextWriter((t) => ctx.out.write(t), {
    handles: flags.handles,
    numericPriority: flags.numericPriority,
    numericTime: flags.numericTime,
    decl,
  });
  const ifnames = await interfaceNames(ctx.lib);
  const onSet = (s: NftSet) => decls.set(`${s.family} ${s.table} ${s.name}`, s.userdata);
  const omit = { stateless: flags.stateless, terse: flags.terse, text: true };
  const warn = xtWarner(ctx);
  const add = flags.stateless || flags.terse
    ? (o: Json) => (warn(o), w.add(omitFromListing(o, omit)))
    : (o: Json) => (warn(o), w.add(o));
  const n = await emitRulesetObjects(add, filter, ctx.lib, { ifnames, full: true }, onSet);
  if (!n && filter.table !== undefined) {
    throw noSuchTable(filter.family, filter.table);
  }
  w.end();
}

/** The stateful object type each object kind lists. */
const OBJ_KINDS: Partial<Record<ListKind, string>> = {
  counters: "counter",
  counter: "counter",
  quotas: "quota",
  quota: "quota",
  limits: "limit",
  limit: "limit",
  secmarks: "secmark",
  secmark: "secmark",
  synproxys: "synproxy",
  synproxy: "synproxy",
  "ct helpers": "ct helper",
  "ct helper": "ct helper",
  "ct timeout": "ct timeout",
  "ct expectation": "ct expectation",
};

/** The request nft's cache would have made for an object of each kind (the error's `operation`). */
const GET_OPS: Record<string, string> = {
  chain: "NFT_MSG_GETCHAIN",
  set: "NFT_MSG_GETSET",
  map: "NFT_MSG_GETSET",
  meter: "NFT_MSG_GETSET",
  flowtable: "NFT_MSG_GETFLOWTABLE",
};

/** nft's error for a table that does not exist (`nft list table ip x`), as a typed {@link NotFoundError}. */
export function noSuchTable(family: string | undefined, table: string): NotFoundError {
  const key = `${family} ${table}`;
  return notFound({ kind: "nft table", key }, "NFT_MSG_GETTABLE", `No such file or directory: table ${key}`);
}

/** nft's error for a named object of a table that does not exist (`nft list chain ip t x`). */
function noSuchObject(spec: ListSpec): NotFoundError {
  const { kind, family, table, name } = spec;
  return notFound(
    { kind: `nft ${kind}`, key: `${family} ${table} ${name}` },
    GET_OPS[kind] ?? "NFT_MSG_GETOBJ",
    `No such file or directory: ${kind} ${name} in table ${family} ${table}`,
  );
}

/** The objects of nft's JSON a listing shows. */
function selectObjects(r: NftRuleset, spec: ListSpec, o: RulesetJsonOptions): Json[] {
  const { kind, name } = spec;
  const named = <T extends { name?: string }>(xs: T[]): T[] => {
    const out = name === undefined ? xs : xs.filter((x) => x.name === name);
    if (name !== undefined && !out.length) throw noSuchObject(spec);
    return out;
  };
  const obj = OBJ_KINDS[kind];
  if (obj) return named(r.objects.filter((x) => x.type === obj)).map(objectJson);
  const set = SET_KINDS[kind];
  if (set) {
    return named(r.sets.filter((s) => setKind(s) === set)).map((s) => {
      const j = setJson(s, o.full) as { [k: string]: Json };
      return set === "meter" ? { meter: Object.values(j)[0] } : j;
    });
  }
  switch (kind) {
    case "tables":
      return r.tables.map((t) => tableJson(t, o.full));
    case "chains":
      // Chains bound to a rule (`jump { ... }`) are no chains to nft.
      return r.chains.filter((c) => !isBound(c)).map((c) => chainJson(c, o.full));
    case "flowtables":
    case "flowtable":
      return named(r.flowtables).map(flowtableJson);
    case "chain": {
      named(r.chains);
      // With the bound chains, whose rules are listed inside the chain's rules that jump to them.
      const all = rulesetObjects({ ...r, chains: r.chains.filter((c) => c.name === name || isBound(c)) }, o);
      return all.filter((o) => isKind(o, "chain") || isKind(o, "rule"));
    }
  }
  // parseListSpec gives only the kinds above: reaching here is a bug, said as nlkit's own error.
  throw new NlkitError(`Cannot list ${kind} here`, "EINVAL", "nft list");
}

function isKind(o: Json, k: string): boolean {
  return typeof o === "object" && o !== null && !Array.isArray(o) && k in o;
}
