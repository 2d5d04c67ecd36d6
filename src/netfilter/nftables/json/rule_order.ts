/**
 * Where rules stand in their chains as a batch changes them: nft's rule
 * cache, for `add|insert rule ... index N`. The N-th rule may be the
 * kernel's (placed by its handle) or one added earlier in the batch (placed
 * by its batch id, `NFTA_RULE_POSITION_ID`, which that rule is then given).
 *
 * @module
 */

import { NotFoundError } from "../../../errors.ts";
import type { NftTransaction } from "../transaction.ts";

/** A rule of a chain: the kernel's (its handle) or the batch's (its message, and batch id once it has one). */
export interface RuleEntry {
  /** The kernel's handle. */
  handle?: number;
  /** The batch's message adding it. */
  message?: number;
  /** Its batch id, once a later rule is placed by it. */
  id?: number;
}

/** A change to a chain's rules, replayed in order over the kernel's (nft's rule_cache_update). */
interface Op {
  mode: "add" | "insert" | "replace" | "clear";
  entry?: RuleEntry;
  /** The rule placed after (add), before (insert) or replaced: an entry, or a handle to find. */
  ref?: RuleEntry | number;
}

/** Where a rule goes: after/before a kernel rule's handle, or a batch rule's id. */
export type RulePlace = { handle: number; positionId?: undefined } | { handle?: undefined; positionId: number };

/** The rule at an index: where a new rule goes, and the rule to note it goes by ({@link RuleOrder.added}). */
export interface IndexedRule {
  /** The place to send. */
  place: RulePlace;
  /** The rule there. */
  ref: RuleEntry | number;
}

/**
 * The rule changes of one batch, by chain (`family table chain`), as nft
 * follows them: rules added, inserted and replaced. nft's cache does not
 * follow deletions and flushes of rules (a rule placed by the index of a
 * deleted one goes where that one was), only of chains and tables; after
 * `flush ruleset` anywhere in the batch it holds none of the kernel's.
 */
export class RuleOrder {
  #ops = new Map<string, Op[]>();
  #kernel = new Map<string, number[]>();
  /** Deleted chains and tables (`family table chain`, `family table`): their kernel rules no longer count. */
  #gone = new Set<string>();
  #nextId = 0;
  /** Whether the batch flushes the ruleset: then no kernel rule counts. */
  flushesRuleset = false;

  /** Follows the rules of `tx`; `listHandles` lists the handles of a chain's kernel rules in order. */
  constructor(readonly tx: NftTransaction, readonly listHandles: (key: string) => Promise<number[]>) {}

  #log(key: string): Op[] {
    let ops = this.#ops.get(key);
    if (!ops) {
      const [family, table] = key.split(" ");
      const gone = this.#gone.has(key) || this.#gone.has(`${family} ${table}`);
      this.#ops.set(key, ops = gone ? [{ mode: "clear" }] : []);
    }
    return ops;
  }

  /** Notes a rule just added to the transaction (its last message), placed as `ref` says. */
  added(key: string, mode: "add" | "insert" | "replace", ref: RuleEntry | number | undefined): void {
    this.#log(key).push({ mode, entry: { message: this.tx.length - 1 }, ref });
  }

  /** Notes the deletion of a chain (`family table chain`) or a table (`family table`), rules and all. */
  deleted(prefix: string): void {
    for (const [key, ops] of this.#ops) if (`${key} `.startsWith(`${prefix} `)) ops.push({ mode: "clear" });
    this.#gone.add(prefix);
  }

  /** The place of rule `index` (0 the first) of chain `key` as the batch left it, or undefined past its end. */
  async place(key: string, index: number): Promise<IndexedRule | undefined> {
    const entry = (await this.#rules(key))[index];
    if (!entry) return undefined;
    if (entry.handle !== undefined) return { place: { handle: entry.handle }, ref: entry.handle };
    if (entry.id === undefined) {
      entry.id = ++this.#nextId;
      this.tx.identifyRule(entry.message!, entry.id);
    }
    return { place: { positionId: entry.id }, ref: entry };
  }

  async #rules(key: string): Promise<RuleEntry[]> {
    const ops = this.#log(key);
    let kernel = this.#kernel.get(key);
    if (!kernel && !this.flushesRuleset) {
      try {
        kernel = await this.listHandles(key);
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
        kernel = []; // a chain (or table) this batch adds
      }
      this.#kernel.set(key, kernel);
    }
    let rules: RuleEntry[] = (kernel ?? []).map((handle) => ({ handle }));
    for (const op of ops) {
      if (op.mode === "clear") {
        rules = [];
        continue;
      }
      const at = op.ref === undefined
        ? -1
        : rules.findIndex((r) => (typeof op.ref === "number" ? r.handle === op.ref : r === op.ref));
      if (op.mode === "replace") {
        if (at >= 0) rules.splice(at, 1, op.entry!);
      } else if (op.mode === "add") rules.splice(at < 0 ? rules.length : at + 1, 0, op.entry!);
      else rules.splice(at < 0 ? 0 : at, 0, op.entry!);
    }
    return rules;
  }
}
