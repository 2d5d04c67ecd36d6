/**
 * One-change operations, each its own atomic batch, and compare-and-swap:
 * plan against a generation, and on ERESTART re-run the caller's reconcile
 * function against the fresh ruleset.
 *
 * @module
 */

import { InvalidArgumentError, NotFoundError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import type { NftElement } from "./element.ts";
import { getGeneration } from "./gen.ts";
import { listChains, listRuleset, type NftFilter, type NftRuleset } from "./list.ts";
import { type NftOptions, withNftSocket } from "./socket.ts";
import { NftTransaction } from "./transaction.ts";
import { NftTransactionError } from "./transaction_error.ts";
import type { NftChainSpec, NftObjectSpec, NftRuleSpec, NftSetSpec, NftTableSpec } from "./transaction_specs.ts";

/**
 * Commits a one-object transaction. Its refusal is the kernel's own error
 * (a `NotFoundError` for a missing table...), not a transaction error.
 */
async function one(opts: NftOptions, fn: (tx: NftTransaction) => unknown): Promise<void> {
  const tx = new NftTransaction();
  fn(tx);
  try {
    await tx.commit(opts);
  } catch (e) {
    throw e instanceof NftTransactionError && e.failures.length === 1 ? e.failures[0].error : e;
  }
}

/** Adds a table (no error if it exists). */
export function addTable(t: NftTableSpec, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.addTable(t));
}

/** Creates a table (EEXIST if it exists). */
export function createTable(t: NftTableSpec, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.addTable(t, true));
}

/** Deletes a table, by name or handle, with everything in it. */
export function deleteTable(
  t: { family: string; name?: string; handle?: number },
  opts: NftOptions = {},
): Promise<void> {
  return one(opts, (tx) => tx.deleteTable(t));
}

/** Deletes every rule of a table. */
export function flushTable(t: { family: string; name: string }, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.flushTable(t));
}

/** Deletes every table (of one family with `family`). */
export function flushRuleset(family?: string, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.flushRuleset(family));
}

/** Adds a chain. */
export function addChain(c: NftChainSpec, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.addChain(c));
}

/** Deletes a chain, by name or handle. */
export function deleteChain(
  c: { family: string; table: string; name?: string; handle?: number },
  opts: NftOptions = {},
): Promise<void> {
  return one(opts, (tx) => tx.deleteChain(c));
}

/** Renames chain `name` of a table to `newName`; a missing chain rejects with ENOENT. */
export async function renameChain(
  c: { family: string; table: string; name: string; newName: string },
  opts: NftOptions = {},
): Promise<void> {
  checkKeys(c, ["family", "table", "name", "newName"], "a chain rename");
  const found = (await listChains({ family: c.family, table: c.table }, opts)).find((x) => x.name === c.name);
  if (found?.handle === undefined) {
    const key = `${c.family} ${c.table} ${c.name}`;
    throw new NotFoundError(2, {}, 0, "NFT_MSG_NEWCHAIN", undefined, `No such file or directory: chain ${key}`, {
      kind: "nft chain",
      key,
    });
  }
  await one(
    opts,
    (tx) => tx.renameChain({ family: c.family, table: c.table, handle: found.handle!, newName: c.newName }),
  );
}

/** Deletes every rule of a chain. */
export function flushChain(c: { family: string; table: string; name: string }, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.flushChain(c));
}

/** Appends a rule (after rule `handle` when given). */
export function addNftRule(r: NftRuleSpec, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.addRule(r, "add"));
}

/** Prepends a rule (before rule `handle` when given). */
export function insertNftRule(r: NftRuleSpec, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.addRule(r, "insert"));
}

/** Replaces rule `handle`. */
export function replaceNftRule(r: NftRuleSpec, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.addRule(r, "replace"));
}

/** Deletes rule `handle`. */
export function deleteNftRule(
  r: { family: string; table: string; chain: string; handle: number },
  opts: NftOptions = {},
): Promise<void> {
  return one(opts, (tx) => tx.deleteRule(r));
}

/** Adds a set or map. */
export function addSet(s: NftSetSpec, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.addSet(s));
}

/** Deletes a set or map, by name or handle. */
export function deleteSet(
  s: { family: string; table: string; name?: string; handle?: number },
  opts: NftOptions = {},
): Promise<void> {
  return one(opts, (tx) => tx.deleteSet(s));
}

/** Removes every element of a set. */
export function flushSet(s: { family: string; table: string; name: string }, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.flushSet(s));
}

/** Adds elements in one batch. */
export function addElements(
  ref: { family: string; table: string; set: string },
  elements: readonly NftElement[],
  opts: NftOptions = {},
): Promise<void> {
  return one(opts, (tx) => tx.addElements(ref, elements));
}

/** Deletes elements in one batch. */
export function deleteElements(
  ref: { family: string; table: string; set: string },
  elements: readonly NftElement[],
  opts: NftOptions = {},
): Promise<void> {
  return one(opts, (tx) => tx.deleteElements(ref, elements));
}

/** Adds a stateful object. */
export function addObject(o: NftObjectSpec, opts: NftOptions = {}): Promise<void> {
  return one(opts, (tx) => tx.addObject(o));
}

/** Deletes a stateful object, by name or handle. */
export function deleteObject(
  o: { family: string; table: string; name?: string; handle?: number; type: string },
  opts: NftOptions = {},
): Promise<void> {
  return one(opts, (tx) => tx.deleteObject(o));
}

/** Options of {@link addElementsBulk}. */
export interface BulkOptions {
  /** Bytes of messages per batch (default 4 MiB): each batch is one datagram the socket buffer must hold. */
  batchBytes?: number;
}

/**
 * Adds many elements in several batches, each small enough for the socket
 * buffer (one batch is one datagram). Batches commit one after another:
 * each is atomic, the whole is not.
 */
export async function addElementsBulk(
  ref: { family: string; table: string; set: string },
  elements: Iterable<NftElement>,
  options: BulkOptions = {},
  opts: NftOptions = {},
): Promise<number> {
  checkKeys(options, ["batchBytes"], "addElementsBulk");
  const limit = options.batchBytes ?? 4 << 20;
  if (!Number.isInteger(limit) || limit < 65536) {
    throw new InvalidArgumentError(`Cannot use batchBytes ${limit}: expected at least 65536`);
  }
  return await withNftSocket(opts, async (socket) => {
    let count = 0;
    let chunk: NftElement[] = [];
    let bytes = 0;
    const flush = async () => {
      if (!chunk.length) return;
      await new NftTransaction().addElements(ref, chunk).commitOn(socket);
      count += chunk.length;
      chunk = [];
      bytes = 0;
    };
    for (const e of elements) {
      chunk.push(e);
      bytes += 32 + (e.key?.value?.length ?? 0) + (e.keyEnd?.value?.length ?? 0) + (e.data ? 40 : 0);
      if (bytes >= limit) await flush();
    }
    await flush();
    return count;
  });
}

/** What a reconcile function sees: the ruleset and the generation it was read at. */
export interface NftState {
  /** The ruleset (filtered as asked). */
  ruleset: NftRuleset;
  /** Its generation. */
  generation: number;
}

/** Options of {@link compareAndSwap}. */
export interface CasOptions {
  /** Re-runs after a lost race (ERESTART) before giving up. Default 3. */
  retries?: number;
  /** What part of the ruleset to read for the reconcile function. Default all. */
  filter?: NftFilter;
}

/** How a compare-and-swap ended. */
export interface CasResult {
  /** Attempts made (1 when the first won). */
  attempts: number;
  /** Whether a batch was committed (the reconcile function may find nothing to do). */
  committed: boolean;
}

/**
 * Compare-and-swap: reads the generation and the ruleset, asks `reconcile`
 * for the changes, and commits them carrying that generation. If another
 * writer committed in between, the kernel refuses the batch (ERESTART) and
 * `reconcile` runs again on the fresh ruleset, up to `retries` times.
 * `reconcile` returns the transaction to commit, or nothing when the
 * ruleset is already as wanted.
 */
export async function compareAndSwap(
  reconcile: (state: NftState) => NftTransaction | undefined | Promise<NftTransaction | undefined>,
  options: CasOptions = {},
  opts: NftOptions = {},
): Promise<CasResult> {
  checkKeys(options, ["retries", "filter"], "compareAndSwap");
  const retries = options.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new InvalidArgumentError(`Cannot use retries ${retries}: expected 0 or more`);
  }
  return await withNftSocket(opts, async (socket) => {
    for (let attempt = 1;; attempt++) {
      const { id: generation = 0 } = await getGeneration({ socket });
      const ruleset = await listRuleset(options.filter ?? {}, { socket });
      const tx = await reconcile({ ruleset, generation });
      if (!tx || tx.length === 0) return { attempts: attempt, committed: false };
      try {
        await tx.commitOn(socket, generation);
        return { attempts: attempt, committed: true };
      } catch (e) {
        if (!(e instanceof NftTransactionError) || e.code !== "ERESTART" || attempt > retries) throw e;
      }
    }
  });
}
