/**
 * Listing: streaming dumps of each object kind, and the whole ruleset.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NFTA_CHAIN_TABLE, type NftChain, parseChainMessage } from "./chain.ts";
import { familyNumber, NFT_MSG } from "./consts.ts";
import { NFTA_SET_ELEM_LIST_TABLE, type NftElement, parseElementsMessage } from "./element.ts";
import { type NftFlowtable, parseFlowtableMessage } from "./flowtable.ts";
import { type NftObject, parseObjMessage } from "./obj.ts";
import { NFTA_RULE_TABLE, type NftRule, parseNftRuleMessage } from "./rule.ts";
import { type NftSet, parseSetMessage } from "./set.ts";
import { nftMessage, type NftOptions, streamNft, withNftSocket } from "./socket.ts";
import { type NftTable, parseTableMessage } from "./table.ts";

/** Narrows a listing to one family, and for rules and chains to one table (and chain). */
export interface NftFilter {
  /** Only this family (`inet`, `ip`, ...). */
  family?: string;
  /** Only objects of this table (needs `family`). */
  table?: string;
  /** Only rules of this chain (needs `table`). */
  chain?: string;
}

/** A set with its elements, as {@link listRuleset} returns it. */
export type NftSetWithElements = NftSet & { elements: NftElement[] };

/** Everything in a namespace's nf_tables, in the kernel's order. */
export interface NftRuleset {
  /** Tables. */
  tables: NftTable[];
  /** Chains of every table. */
  chains: NftChain[];
  /** Sets and maps, anonymous ones included, with their elements. */
  sets: NftSetWithElements[];
  /** Stateful objects. */
  objects: NftObject[];
  /** Flowtables. */
  flowtables: NftFlowtable[];
  /** Rules of every chain. */
  rules: NftRule[];
}

const FILTER_KEYS = ["family", "table", "chain"];

function filterFamily(filter: NftFilter): number {
  checkKeys(filter, FILTER_KEYS, "an nftables listing");
  if (filter.table !== undefined && filter.family === undefined) {
    throw new InvalidArgumentError(`Cannot filter by table "${filter.table}" without a family`);
  }
  if (filter.chain !== undefined && filter.table === undefined) {
    throw new InvalidArgumentError(`Cannot filter by chain "${filter.chain}" without a table`);
  }
  return filter.family === undefined ? 0 : familyNumber(filter.family);
}

function dumpOf<T>(
  s: NetlinkSocket,
  msg: number,
  family: number,
  parse: (m: NlMsg) => T,
  attrs?: (b: ReturnType<typeof nftMessage>) => void,
): AsyncIterable<T> {
  const b = nftMessage(msg, 0, family);
  attrs?.(b);
  return s.dump(b.finish(), parse);
}

async function* onlyTable<T extends { table?: string }>(it: AsyncIterable<T>, table?: string): AsyncGenerator<T> {
  for await (const x of it) if (table === undefined || x.table === table) yield x;
}

/** Streams tables (bounded memory). */
export function streamTables(filter: NftFilter = {}, opts: NftOptions = {}): AsyncGenerator<NftTable> {
  const family = filterFamily(filter);
  if (filter.chain !== undefined) throw new InvalidArgumentError("Cannot filter tables by chain");
  return streamNft(opts, async function* (s): AsyncGenerator<NftTable> {
    for await (const t of dumpOf(s, NFT_MSG.NFT_MSG_GETTABLE, family, parseTableMessage)) {
      if (filter.table === undefined || t.name === filter.table) yield t;
    }
  });
}

/** Streams chains (of one table with `filter.table`). */
export function streamChains(filter: NftFilter = {}, opts: NftOptions = {}): AsyncGenerator<NftChain> {
  const family = filterFamily(filter);
  return streamNft(opts, async function* (s): AsyncGenerator<NftChain> {
    const it = dumpOf(s, NFT_MSG.NFT_MSG_GETCHAIN, family, parseChainMessage, (b) => {
      if (filter.table !== undefined) b.attrs(NFTA_CHAIN_TABLE, { table: filter.table });
    });
    for await (const c of onlyTable(it, filter.table)) {
      if (filter.chain === undefined || c.name === filter.chain) yield c;
    }
  });
}

/** Streams rules (of one table, or one chain, with the filter). */
export function streamNftRules(filter: NftFilter = {}, opts: NftOptions = {}): AsyncGenerator<NftRule> {
  const family = filterFamily(filter);
  return streamNft(opts, (s) =>
    dumpOf(s, NFT_MSG.NFT_MSG_GETRULE, family, parseNftRuleMessage, (b) => {
      b.attrs(NFTA_RULE_TABLE, { table: filter.table, chain: filter.chain });
    }));
}

/** Streams sets and maps, anonymous ones included. */
export function streamSets(filter: NftFilter = {}, opts: NftOptions = {}): AsyncGenerator<NftSet> {
  const family = filterFamily(filter);
  if (filter.chain !== undefined) throw new InvalidArgumentError("Cannot filter sets by chain");
  return streamNft(opts, (s) => onlyTable(dumpOf(s, NFT_MSG.NFT_MSG_GETSET, family, parseSetMessage), filter.table));
}

/** Streams stateful objects. */
export function streamObjects(filter: NftFilter = {}, opts: NftOptions = {}): AsyncGenerator<NftObject> {
  const family = filterFamily(filter);
  if (filter.chain !== undefined) throw new InvalidArgumentError("Cannot filter objects by chain");
  return streamNft(opts, (s) => onlyTable(dumpOf(s, NFT_MSG.NFT_MSG_GETOBJ, family, parseObjMessage), filter.table));
}

/** Streams flowtables. */
export function streamFlowtables(filter: NftFilter = {}, opts: NftOptions = {}): AsyncGenerator<NftFlowtable> {
  const family = filterFamily(filter);
  if (filter.chain !== undefined) throw new InvalidArgumentError("Cannot filter flowtables by chain");
  return streamNft(
    opts,
    (s) => onlyTable(dumpOf(s, NFT_MSG.NFT_MSG_GETFLOWTABLE, family, parseFlowtableMessage), filter.table),
  );
}

/** Which set {@link listElements} and {@link streamElements} read. */
export interface NftSetRef {
  /** The table's family. */
  family: string;
  /** The table. */
  table: string;
  /** The set or map. */
  set: string;
}

/** Streams the elements of one set, message by message flattened. */
export function streamElements(ref: NftSetRef, opts: NftOptions = {}): AsyncGenerator<NftElement> {
  checkKeys(ref, ["family", "table", "set"], "listElements");
  const family = familyNumber(ref.family);
  return streamNft(opts, async function* (s): AsyncGenerator<NftElement> {
    const it = dumpOf(s, NFT_MSG.NFT_MSG_GETSETELEM, family, parseElementsMessage, (b) => {
      b.attrs(NFTA_SET_ELEM_LIST_TABLE, { table: ref.table, set: ref.set });
    });
    for await (const list of it) yield* list.elements ?? [];
  });
}

/**
 * Reads the elements of `set` on an open socket, whole messages at a time
 * (a 100,000-element set is a few hundred messages, not 100,000 steps).
 */
export async function readElements(socket: NetlinkSocket, set: NftSet): Promise<NftElement[]> {
  const elements: NftElement[] = [];
  const it = dumpOf(socket, NFT_MSG.NFT_MSG_GETSETELEM, familyNumber(set.family), parseElementsMessage, (b) => {
    b.attrs(NFTA_SET_ELEM_LIST_TABLE, { table: set.table, set: set.name });
  });
  for await (const list of it) for (const e of list.elements ?? []) elements.push(e);
  return elements;
}

/** Lists tables into an array (see {@link streamTables}). */
export async function listTables(filter: NftFilter = {}, opts: NftOptions = {}): Promise<NftTable[]> {
  return await Array.fromAsync(streamTables(filter, opts));
}

/** Lists chains into an array (see {@link streamChains}). */
export async function listChains(filter: NftFilter = {}, opts: NftOptions = {}): Promise<NftChain[]> {
  return await Array.fromAsync(streamChains(filter, opts));
}

/** Lists rules into an array (see {@link streamNftRules}). */
export async function listNftRules(filter: NftFilter = {}, opts: NftOptions = {}): Promise<NftRule[]> {
  return await Array.fromAsync(streamNftRules(filter, opts));
}

/** Lists sets and maps into an array (see {@link streamSets}). */
export async function listSets(filter: NftFilter = {}, opts: NftOptions = {}): Promise<NftSet[]> {
  return await Array.fromAsync(streamSets(filter, opts));
}

/** Lists stateful objects into an array (see {@link streamObjects}). */
export async function listObjects(filter: NftFilter = {}, opts: NftOptions = {}): Promise<NftObject[]> {
  return await Array.fromAsync(streamObjects(filter, opts));
}

/** Lists flowtables into an array (see {@link streamFlowtables}). */
export async function listFlowtables(filter: NftFilter = {}, opts: NftOptions = {}): Promise<NftFlowtable[]> {
  return await Array.fromAsync(streamFlowtables(filter, opts));
}

/** Lists the elements of one set into an array (see {@link streamElements}). */
export async function listElements(ref: NftSetRef, opts: NftOptions = {}): Promise<NftElement[]> {
  return await Array.fromAsync(streamElements(ref, opts));
}

/** Reads the whole ruleset (or one family's, or one table's) on one socket. */
export async function listRuleset(filter: NftFilter = {}, opts: NftOptions = {}): Promise<NftRuleset> {
  filterFamily(filter);
  if (filter.chain !== undefined) throw new InvalidArgumentError("Cannot filter a ruleset by chain");
  checkKeys(opts, ["netns", "socket"], "listRuleset");
  return await withNftSocket(opts, async (socket) => {
    const o = { socket };
    const tables = await listTables(filter, o);
    const chains = await listChains(filter, o);
    const plainSets = await listSets(filter, o);
    const sets: NftSetWithElements[] = [];
    for (const set of plainSets) sets.push({ ...set, elements: await readElements(socket, set) });
    const objects = await listObjects(filter, o);
    const flowtables = await listFlowtables(filter, o);
    const rules = await listNftRules(filter, o);
    return { tables, chains, sets, objects, flowtables, rules };
  });
}
