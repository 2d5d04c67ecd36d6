/**
 * A ruleset as the JSON document `nft -j list ruleset` prints: per table,
 * the table, its objects, named sets and maps, flowtables, chains, then the
 * rules of each chain.
 *
 * @module
 */

import { hookName } from "../consts.ts";
import type { NftChain } from "../chain.ts";
import type { NftFlowtable } from "../flowtable.ts";
import type { NftRuleset, NftSetWithElements } from "../list.ts";
import type { NftObject } from "../obj.ts";
import type { NftRule } from "../rule.ts";
import type { NftTable } from "../table.ts";
import {
  parseUdata,
  UDATA_DATA_INTERVAL,
  UDATA_DATA_TYPEOF,
  UDATA_KEY_TYPEOF,
  UDATA_SET_COMMENT,
  udataComment,
} from "../udata.ts";
import { sizedByTypeof } from "./set_typeof.ts";
import { elementsJson, type ElemRender, isIntervalData } from "./elements.ts";
import { boundKey, inlineBound, isBound } from "./binding.ts";
import { objTypeName } from "../expr/names.ts";
import { ruleStatements } from "./rule_json.ts";
import { cInt, limitJson, nfprotoName, type RuleContext, synproxyJson } from "./rule_json_base.ts";
import { timeoutPolicyJson } from "./ct_timeout.ts";
import { elemStmtJson, setStmtJson } from "./set_stmts.ts";
import { concatTypes, intervalKey, type Json, type NftType, typeById } from "./types.ts";
import { seconds } from "./time_values.ts";

/** nft's JSON schema version. */
export const JSON_SCHEMA_VERSION = 1;

/** Options of the JSON rendering. */
export interface RulesetJsonOptions {
  /** Interface names by index, for `meta iif`/`oif` values. */
  ifnames?: ReadonlyMap<number, string>;
  /** The `metainfo` object's `version`. */
  version?: string;
  /**
   * Also keep what nft's text shows but its 1.0.6 JSON leaves out (table
   * and chain comments, a netdev chain's device, a set's `dynamic` flag):
   * the input of the text output.
   */
  full?: boolean;
}

/** `{"table": {...}}`. */
export function tableJson(t: NftTable, full = false): Json {
  // nft 1.0.6 prints neither table nor chain comments in JSON, and names the dormant flag "dorm".
  const body: Record<string, Json> = { family: t.family, name: t.name ?? "", handle: t.handle ?? 0 };
  const flags = (t.flags ?? []).map((f) => f === "dormant" ? "dorm" : f);
  const comment = full ? udataComment(t.userdata) : undefined;
  if (comment !== undefined) body.comment = comment;
  if (flags.length) body.flags = flags.length === 1 ? flags[0] : flags;
  return { table: body };
}

/** `{"chain": {...}}`. */
export function chainJson(c: NftChain, full = false): Json {
  const body: Record<string, Json> = {
    family: c.family,
    table: c.table ?? "",
    name: c.name ?? "",
    handle: c.handle ?? 0,
  };
  const comment = full ? udataComment(c.userdata) : undefined;
  if (comment !== undefined) body.comment = comment;
  if (c.hook) {
    body.type = c.type ?? "filter";
    body.hook = hookName(c.family, c.hook.hooknum ?? 0);
    const devs = c.hook.devs?.name ?? (c.hook.dev !== undefined ? [c.hook.dev] : []);
    if (full && devs.length) body.dev = devs.length === 1 ? devs[0] : devs;
    body.prio = c.hook.priority ?? 0;
    body.policy = c.policy ?? "accept";
  }
  return { chain: body };
}

/**
 * The key and data types of a set, and how its elements' data print (object
 * names for a map of objects); interfaces are named by `ifnames` when given.
 */
export function setTypes(
  s: NftSetWithElements,
  ifnames?: ReadonlyMap<number, string>,
): { key: NftType[]; data: ElemRender } {
  const named = (ts: NftType[]) =>
    ifnames ? ts.map((t) => t.name === "iface_index" ? { ...t, names: Object.fromEntries(ifnames) } : t) : ts;
  const udata = parseUdata(s.userdata);
  let key = named(sizedByTypeof(concatTypes(s.keyType ?? 0), udata.get(UDATA_KEY_TYPEOF)));
  // nft stores intervals in network order, host-order keys too (`meta mark . tcp dport`, `type mark`).
  if (s.flags?.includes("interval")) key = intervalKey(key);
  if (s.flags?.includes("object")) return { key, data: { objref: true } };
  if (!s.flags?.includes("map")) return { key, data: undefined };
  if (s.dataType === 0xffffff00) return { key, data: { verdict: true } };
  const types = named(sizedByTypeof(concatTypes(s.dataType ?? 0), udata.get(UDATA_DATA_TYPEOF)));
  // nft records a map to ranges (`: interval ipv4_addr`) in the set's user data; its data is twice as long.
  const interval = (udata.get(UDATA_DATA_INTERVAL)?.[0] ?? 0) !== 0 || isIntervalData(types, s.dataLen);
  return { key, data: { types, interval } };
}

const SHOWN_SET_FLAGS = ["constant", "interval", "timeout"];

/**
 * `{"set": {...}}` or `{"map": {...}}`; `elem` is the elements' JSON when it
 * was rendered already, `ifnames` names the interfaces elements hold.
 */
export function setJson(
  s: NftSetWithElements,
  full = false,
  elem?: Json[],
  ifnames?: ReadonlyMap<number, string>,
): Json {
  const isObjMap = s.flags?.includes("object") ?? false;
  const isMap = isObjMap || (s.flags?.includes("map") ?? false);
  const { key, data } = setTypes(s, ifnames);
  const typeName = (ts: readonly { name: string }[]): Json => ts.length === 1 ? ts[0].name : ts.map((t) => t.name);
  const body: Record<string, Json> = {
    family: s.family,
    name: s.name ?? "",
    table: s.table ?? "",
    type: typeName(key),
    handle: s.handle ?? 0,
  };
  if (isObjMap) body.map = objTypeName(s.objType);
  else if (isMap) {
    body.map = s.dataType === 0xffffff00 ? "verdict" : concatTypes(s.dataType ?? 0).map((t) => t.name).join(" . ");
  }
  const comment = udataComment(s.userdata, UDATA_SET_COMMENT);
  if (comment !== undefined) body.comment = comment;
  if (s.policy === "memory") body.policy = "memory";
  if (s.desc?.size && !s.flags?.includes("constant")) body.size = cInt(s.desc.size);
  const flags = (s.flags ?? []).filter((f) => SHOWN_SET_FLAGS.includes(f) || (full && f === "dynamic"));
  if (flags.length) body.flags = flags;
  if (s.timeout) body.timeout = seconds(s.timeout, full);
  if (s.gcInterval) body["gc-interval"] = seconds(s.gcInterval, full);
  const interval = s.flags?.includes("interval") ?? false;
  elem ??= s.elements.length ? elementsJson(s.elements, key, interval, data, elemStmtJson(s.family, full), full) : [];
  if (elem.length) body.elem = elem;
  const stmt = setStmtJson(s.family, s);
  if (stmt) body.stmt = stmt;
  return { [isMap ? "map" : "set"]: body };
}

/** Adds the comment nft keeps in user data, when there is one. */
function commented(body: Record<string, Json>, userdata: Uint8Array | undefined): Record<string, Json> {
  const comment = udataComment(userdata);
  if (comment !== undefined) body.comment = comment;
  return body;
}

/** `{"counter": {...}}`, `{"quota": ...}`, `{"limit": ...}`, `{"ct helper": ...}`, `{"synproxy": ...}`, ... */
export function objectJson(o: NftObject): Json {
  const body = commented(
    { family: o.family, name: o.name ?? "", table: o.table ?? "", handle: o.handle ?? 0 },
    o.userdata,
  );
  // A delete event may carry no data.
  const data = (o.data ?? {}) as Record<string, unknown>;
  switch (o.type) {
    case "counter": {
      const d = data as { packets?: number; bytes?: number };
      Object.assign(body, { packets: d.packets ?? 0, bytes: d.bytes ?? 0 });
      break;
    }
    case "quota": {
      const d = data as { bytes?: number; consumed?: number; flags?: string[] };
      Object.assign(body, { bytes: d.bytes ?? 0, used: d.consumed ?? 0 });
      body.inv = d.flags?.includes("inv") === true; // nft prints it either way
      break;
    }
    case "limit":
      // A delete event carries no data: nft prints what its empty object holds.
      if (o.data === undefined) Object.assign(body, { rate: 0, per: "error" });
      else Object.assign(body, limitJson(data as Parameters<typeof limitJson>[0], true));
      break;
    case "ct helper": {
      if (o.data === undefined) {
        Object.assign(body, { type: "(null)", protocol: "ip", l3proto: "unknown" });
        break;
      }
      const d = data as { name?: string; l3proto?: number; l4proto?: number };
      body.type = d.name ?? "";
      body.protocol = typeById(12).names?.[d.l4proto ?? 0] ?? d.l4proto ?? 0;
      body.l3proto = nfprotoName(d.l3proto ?? 0);
      break;
    }
    case "ct expectation": {
      const d = data as { l3proto?: number; l4proto?: number; dport?: number; timeout?: number; size?: number };
      body.protocol = typeById(12).names?.[d.l4proto ?? 0] ?? d.l4proto ?? 0;
      Object.assign(body, { dport: d.dport ?? 0, timeout: d.timeout ?? 0, size: d.size ?? 0 });
      body.l3proto = nfprotoName(d.l3proto ?? 0);
      break;
    }
    case "ct timeout": {
      const d = data as { l3proto?: number; l4proto?: number; timeouts?: (number | undefined)[] };
      const proto = typeById(12).names?.[d.l4proto ?? 0] ?? String(d.l4proto ?? 0);
      Object.assign(body, { protocol: proto, l3proto: nfprotoName(d.l3proto ?? 0) });
      body.policy = timeoutPolicyJson(proto, d.timeouts ?? []);
      break;
    }
    case "synproxy":
      Object.assign(body, synproxyJson(data));
      break;
    default:
      body.type = String(o.type);
  }
  return { [String(o.type)]: body };
}

/** `{"flowtable": {...}}`. */
export function flowtableJson(f: NftFlowtable): Json {
  const body: Record<string, Json> = {
    family: f.family,
    name: f.name ?? "",
    table: f.table ?? "",
    handle: f.handle ?? 0,
    hook: "ingress",
    prio: f.hook?.priority ?? 0,
  };
  const devs = f.hook?.devs?.name ?? [];
  if (devs.length) body.dev = devs.length === 1 ? devs[0] : devs;
  return { flowtable: body };
}

/** `{"rule": {...}}`. */
export function ruleJson(r: NftRule, ctx: RuleContext): Json {
  const body = commented(
    { family: r.family, table: r.table ?? "", chain: r.chain ?? "", handle: r.handle ?? 0 },
    r.userdata,
  );
  body.expr = ruleStatements(r.expressions ?? [], ctx);
  return { rule: body };
}

function key(family: string, table: string | undefined): string {
  return `${family}\0${table}`;
}

/** The objects of the JSON document (without `metainfo`), in nft's order. */
export function rulesetObjects(r: NftRuleset, opts: RulesetJsonOptions = {}): Json[] {
  const setsByTable = new Map<string, Map<string, NftSetWithElements>>();
  for (const s of r.sets) {
    const k = key(s.family, s.table);
    if (!setsByTable.has(k)) setsByTable.set(k, new Map());
    setsByTable.get(k)!.set(s.name ?? "", s);
  }
  const out: Json[] = [];
  for (const t of r.tables) {
    const k = key(t.family, t.name);
    const mine = <T extends { family: string; table?: string }>(xs: T[]) =>
      xs.filter((x) => key(x.family, x.table) === k);
    out.push(tableJson(t, opts.full));
    for (const o of mine(r.objects)) out.push(objectJson(o));
    for (const s of mine(r.sets)) {
      if (!s.flags?.includes("anonymous")) out.push(setJson(s, opts.full, undefined, opts.ifnames));
    }
    for (const f of mine(r.flowtables)) out.push(flowtableJson(f));
    const chains = mine(r.chains);
    for (const c of chains) if (!isBound(c)) out.push(chainJson(c, opts.full));
    const ctx: RuleContext = {
      family: t.family,
      sets: setsByTable.get(k) ?? new Map(),
      ifnames: opts.ifnames,
      full: opts.full,
    };
    const rules = mine(r.rules);
    const ruleObjects: Json[] = [];
    for (const c of chains) for (const rule of rules) if (rule.chain === c.name) ruleObjects.push(ruleJson(rule, ctx));
    // Chains bound to a rule are listed inside it (binding.ts).
    const bound = new Set(chains.filter(isBound).map((c) => boundKey(c.family, c.table, c.name)));
    for (const r of bound.size ? inlineBound(ruleObjects, bound) : ruleObjects) out.push(r);
  }
  return out;
}

/** The whole document: `{"nftables": [{"metainfo": ...}, ...]}`. */
export function rulesetJson(r: NftRuleset, opts: RulesetJsonOptions = {}): { nftables: Json[] } {
  const meta = {
    metainfo: { version: opts.version ?? "nlkit", release_name: "nlkit", json_schema_version: JSON_SCHEMA_VERSION },
  };
  return { nftables: [meta, ...rulesetObjects(r, opts)] };
}
