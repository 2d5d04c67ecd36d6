/**
 * What a link kind module declares: its `IFLA_INFO_DATA` (and slave data)
 * tables, how a request is shaped, the JSON `ip -j -d` prints, the text
 * `ip -d` prints, the words `ip link add ... type KIND` takes and its help
 * line. Generic code reaches a kind only through the registry
 * (`registry.ts`), so a kind is its module plus one registry entry.
 *
 * @module
 */

import type { AttrTable } from "../../../wire/table.ts";

/** Kind settings as the table engine parses them. */
export type KindData = Record<string, unknown>;

/** JSON in `ip -j` keys. */
export type KindJson = Record<string, unknown>;

/** What printing needs from the caller: names for numbers. */
export interface KindPrintContext {
  /** A link's name by index (`ifN` when unknown). */
  linkName(index: number): string;
  /** A user's name by uid, when there is one. */
  userName(uid: number): string | undefined;
  /** A group's name by gid, when there is one. */
  groupName(gid: number): string | undefined;
}

/** One command-line keyword: `arg` names its value (absent for flags); `key` stores it under another name. */
export interface KindWordSpec {
  /** What the value is, for "Missing X after ..." messages; absent for flags. */
  readonly arg?: string;
  /** Result key, when the word is an alias. */
  readonly key?: string;
  /** The value is an address, read with ip's IPv4 short forms (`10.1` is 10.1.0.0). */
  readonly inet?: boolean;
}

/** Keywords by spelling. */
export type KindWordTable = { readonly [word: string]: KindWordSpec };

/** Parsed keywords: values by key; flags hold their own word. */
export type KindWords = Record<string, string | undefined>;

/**
 * Reading a kind's words: the words themselves plus the CLI's checks, so a
 * kind's errors are the CLI's usage errors without the kind importing it.
 */
export interface KindWordReader {
  /** The words after `type KIND`. */
  readonly words: KindWords;
  /** The words before `type` (`link PARENT` lives there). */
  readonly common: KindWords;
  /** An integer in [min, max] (decimal or 0x hex), naming `what` when it is not. */
  int(text: string, what: string, min?: number, max?: number): number;
  /** `words[key]` (or `common[key]` with `fromCommon`), which must be present. */
  required(key: string, what: string, fromCommon?: boolean): string;
  /** `on` or `off` after `word`. */
  onOff(word: string, text: string): boolean;
  /** The error for a word that is none of `choices`. */
  unknown(what: string, word: string, choices: readonly string[]): Error;
  /** A usage error about `word`. */
  usage(message: string, word?: string): Error;
}

/** The kind part of a new link read from words: parent (unresolved) and data, or a peer. */
export interface KindWordsSpec {
  /** The parent link's name, when the kind has one. */
  parent?: string;
  /** Kind settings. */
  data?: KindData;
  /** The far end of a pair (link settings of the peer). */
  peer?: Record<string, unknown>;
}

/** How `ip link set DEV type KIND_slave WORDS` is read for ports of this master kind. */
export interface KindSlaveWords {
  /** The words after `type KIND_slave`. */
  readonly words: KindWordTable;
  /** The slave data the words ask for (in the slave table's keys). */
  read(r: KindWordReader): KindData;
  /** The help alternative for these words. */
  readonly help: string;
}

/** How `scripts/gen_types.ts` names and documents the interface of a kind's table. */
export interface KindTypeName {
  /** The interface (`GeneveData`), in `_generated/types.ts`. */
  readonly name: string;
  /** The uapi prefix of the table's attributes (`IFLA_GENEVE_`), for each field's doc. */
  readonly prefix: string;
  /** What the table holds, for the interface's doc. */
  readonly doc: string;
}

/**
 * A link kind. `N` is its `IFLA_INFO_KIND`, `D` its data table, `P` its
 * slave-data table (for masters), `S` the rest of its library spec (what
 * `createLink` takes besides `kind`).
 */
export interface LinkKind<
  N extends string = string,
  D extends AttrTable = never,
  P extends AttrTable = never,
  S extends object = Record<never, never>,
> {
  /** `IFLA_INFO_KIND`. */
  readonly kind: N;
  /** The `IFLA_INFO_DATA` table; absent for kinds without data. */
  readonly data?: D;
  /** The `IFLA_INFO_SLAVE_DATA` table of this master's ports. */
  readonly slaveData?: P;
  /** The documented interfaces `scripts/gen_types.ts` writes from `data` and `slaveData`. */
  readonly types?: { readonly data?: KindTypeName; readonly slaveData?: KindTypeName };
  /** Type marker only (never set): the library spec of this kind besides `kind`. */
  readonly spec?: S;
  /** The data key a parent link goes to (tunnels name their underlay there); else it is `IFLA_LINK`. */
  readonly parentKey?: string;
  /** The data key that carries the peer of a pair (its own `ifinfomsg` and link attributes). */
  readonly peerKey?: string;
  /** Rewrites data before it is encoded (e.g. IPv6 endpoints to their own attributes). */
  prepare?(data: KindData): KindData;
  /** The `ip -j -d` `info_data` object; absent: none is printed. */
  json?(data: KindData, ctx: KindPrintContext): KindJson;
  /** The `ip -j -d` `info_slave_data` of this master's ports. */
  slaveJson?(data: KindData, ctx: KindPrintContext): KindJson;
  /** The `ip -d` words after the kind name (ending with a space, as ip prints them). */
  details?(data: KindData, ctx: KindPrintContext): string;
  /** The `ip -d` words after `KIND_slave` on this master's ports. */
  slaveDetails?(data: KindData, ctx: KindPrintContext): string;
  /** The words after `ip link add ... type KIND`; absent: `link add` refuses the kind. */
  readonly words?: KindWordTable;
  /** The kind part of a new link, from its words. */
  read?(r: KindWordReader): KindWordsSpec;
  /** Why `link add` refuses a kind without words, and other names it answers to there. */
  readonly refuse?: { readonly names: readonly string[]; readonly hint: string };
  /** The help alternative of `KIND := ...`. */
  readonly help?: string;
  /** `ip link set ... type KIND_slave` words for this master's ports. */
  readonly slaveWords?: KindSlaveWords;
}

/** A kind's library spec: `{ kind }` and the rest it declares. */
export type KindSpecOf<K> = K extends LinkKind<infer N, infer _D, infer _P, infer S> ? { kind: N } & S : never;

/** A kind's data table, `never` for kinds without one. */
export type KindDataTableOf<K> = K extends LinkKind<string, infer D, infer _P, infer _S> ? D : never;

/** A master kind's slave-data table, `never` for other kinds. */
export type KindSlaveTableOf<K> = K extends LinkKind<string, infer _D, infer P, infer _S> ? P : never;

/** Any link kind, as the registry holds them. */
export type AnyLinkKind = LinkKind<string, AttrTable, AttrTable, object>;
