/**
 * What an nftables transaction adds: tables, chains, rules, sets and maps,
 * stateful objects and flowtables, and the options of a commit.
 *
 * @module
 */

import type { NftExpr } from "./expr/registry.ts";
import type { NftOptions } from "./socket.ts";

/** A table to add. */
export interface NftTableSpec {
  /** Family (`inet`, `ip`, `ip6`, `arp`, `bridge`, `netdev`). */
  family: string;
  /** Name. */
  name: string;
  /** Flags (`dormant`). */
  flags?: string[];
  /** Comment (kept in user data as nft does). */
  comment?: string;
}

/** A chain to add: a base chain with `hook`, else a regular chain. */
export interface NftChainSpec {
  /** Family of the table. */
  family: string;
  /** Table. */
  table: string;
  /** Name. */
  name: string;
  /** Chain type (`filter`, `nat`, `route`) of a base chain. */
  type?: string;
  /** Hook of a base chain (`input`, `prerouting`, ...). */
  hook?: string;
  /** Priority of a base chain. */
  priority?: number;
  /**
   * Policy of a base chain; sent only when given, so an existing chain keeps
   * its own. Without `hook` it goes alone, as nft sends `{ policy drop; }`:
   * the kernel takes it for a chain that is already a base chain.
   */
  policy?: "accept" | "drop";
  /** Device of a netdev base chain. */
  device?: string;
  /** Devices of a netdev base chain hooked on several (`NFTA_HOOK_DEVS`, Linux 5.5+); not with `device`. */
  devices?: string[];
  /** Comment. */
  comment?: string;
}

/** A flowtable to add: the fast path of the flows offloaded to it by `flow add @NAME`. */
export interface NftFlowtableSpec {
  /** Family of the table. */
  family: string;
  /** Table. */
  table: string;
  /** Name. */
  name: string;
  /** Priority of its ingress hook. */
  priority?: number;
  /** Devices it hooks. */
  devices?: string[];
  /** Flags (`offload`: in hardware; `counter`: count each flow's packets). */
  flags?: string[];
}

/** A rule to add, insert or replace. */
export interface NftRuleSpec {
  /** Family of the table. */
  family: string;
  /** Table. */
  table: string;
  /** Chain (or `chainId`). */
  chain?: string;
  /** Batch id of the bound chain ({@link NftTransaction.addBoundChain}) the rule goes in, instead of `chain`. */
  chainId?: number;
  /** Expressions, in order. */
  expressions: NftExpr[];
  /** Handle of the rule to place it after (add) or before (insert), or to replace. */
  handle?: number;
  /**
   * Batch id ({@link NftTransaction.identifyRule}) of a rule added earlier in
   * the batch to place it after (add) or before (insert): `NFTA_RULE_POSITION_ID`.
   */
  positionId?: number;
  /** Comment. */
  comment?: string;
}

/** A set or map to add. */
export interface NftSetSpec {
  /** Family of the table. */
  family: string;
  /** Table. */
  table: string;
  /** Name (`__set%d` for an anonymous set, numbered by the kernel). */
  name: string;
  /** nft's key type id (concatenations joined 6 bits per field). */
  keyType: number;
  /** Key length in bytes. */
  keyLen: number;
  /** Flags (`constant`, `interval`, `timeout`, `map`, `anonymous`, `dynamic`, `concat`). */
  flags?: string[];
  /** Data type id of a map (`0xffffff00` for verdicts). */
  dataType?: number;
  /** Data length of a map in bytes. */
  dataLen?: number;
  /** Object type of a map of stateful objects (flag `object`): 1 counter, 2 quota, 3 ct helper, 4 limit, ... */
  objType?: number;
  /** Default element timeout in ms. */
  timeout?: number;
  /** Garbage collection interval in ms. */
  gcInterval?: number;
  /** Maximum number of elements. */
  size?: number;
  /** `memory` or `performance`. */
  policy?: "memory" | "performance";
  /** Lengths of the fields of a concatenated key (needed with `interval`). */
  fieldLengths?: number[];
  /** Byte order of the key and data for nft's user data: true when in host order. */
  keyHostOrder?: boolean;
  /** See `keyHostOrder`. */
  dataHostOrder?: boolean;
  /** nft's `typeof` user data of the key (`NFTNL_UDATA_SET_KEY_TYPEOF`), as nft encodes it. */
  keyTypeof?: Uint8Array;
  /** nft's `typeof` user data of a map's data (`NFTNL_UDATA_SET_DATA_TYPEOF`). */
  dataTypeof?: Uint8Array;
  /** A map's values are ranges, start then end (`NFTNL_UDATA_SET_DATA_INTERVAL`, which nft reads to list them). */
  dataInterval?: boolean;
  /** nft's `auto-merge` (`NFTNL_UDATA_SET_MERGE_ELEMENTS`): recorded only; merging elements is the caller's. */
  autoMerge?: boolean;
  /** Comment. */
  comment?: string;
  /** Stateful expressions (counter, limit, quota) each new element gets a copy of. */
  expressions?: NftExpr[];
}

/** A stateful object to add. */
export interface NftObjectSpec {
  /** Family of the table. */
  family: string;
  /** Table. */
  table: string;
  /** Name. */
  name: string;
  /** `counter`, `quota`, `limit` or `ct helper`. */
  type: string;
  /** The object's attributes, as {@link parseObjMessage} returns them. */
  data: Record<string, unknown>;
  /** Comment (kept in the object's user data). */
  comment?: string;
}

/** Options of {@link NftTransaction.commit}. */
export interface CommitOptions extends NftOptions {
  /** The generation the batch was planned against: the kernel refuses it (ERESTART) if the ruleset moved on. */
  genId?: number;
  /**
   * Validate only (`nft -c`): the batch is sent without its `BATCH_END`, so
   * the kernel checks every message, then aborts instead of committing.
   */
  check?: boolean;
}
