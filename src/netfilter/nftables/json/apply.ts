/**
 * nft's JSON documents (libnftables-json(5)) applied as one transaction,
 * as `nft -j -f` does: listing objects (an implicit `add`) and the `add`,
 * `create`, `insert`, `replace`, `delete`, `flush` and `rename` commands.
 *
 * @module
 */

import { InvalidArgumentError, notFound, NotFoundError } from "../../../errors.ts";
import { hookNumber } from "../consts.ts";
import { interfaceNames } from "../ifnames.ts";
import { listElements, listNftRules, streamElements, streamSets } from "../list.ts";
import { chainHandle } from "./chain_rename.ts";
import { setDecl } from "../text/set_decl.ts";
import type { NftOptions } from "../socket.ts";
import { NftTransaction } from "../transaction.ts";
import { ruleExpressions } from "./linearize.ts";
import { holdsIfaces, ifindexElems } from "./ifindex_values.ts";
import type { NftElement } from "../element.ts";
import { exprsOf } from "./set_stmts.ts";
import { elemStmtExprs, setStmtExprs } from "./set_stmt_exprs.ts";
import { objTypeId } from "../expr/names.ts";
import {
  type ElementShape,
  elementsOf,
  isObj,
  keyLen,
  packedIp4Keys,
  soleKey,
  typeSize,
  withFirstSegment,
} from "./values.ts";
import { setTypes } from "./ruleset_json.ts";
import { AutoMerge } from "./automerge.ts";
import { AnonNames } from "./anon_names.ts";
import { cIntField, duration, family, keys, notAKind, num, str, typesOf } from "./apply_checks.ts";
import { planStateful } from "./stateful_cmd.ts";
import { type IndexedRule, RuleOrder } from "./rule_order.ts";
import { declExtra } from "./decl_extra.ts";
import { deviceNames, planFlowtable } from "./flowtable_cmd.ts";
import { sizedByTypeof } from "./set_typeof.ts";
import { concatId, intervalKey, type Json } from "./types.ts";
import { msOf } from "./time_values.ts";
import { setHostResolver } from "./value_codec.ts";
import { loadSys } from "../../../sys/load.ts";

type Obj = { [k: string]: Json };

const COMMANDS = ["add", "create", "insert", "replace", "delete", "destroy", "flush", "rename"];
const OBJECTS = [
  "table",
  "chain",
  "rule",
  "set",
  "map",
  "element",
  "counter",
  "quota",
  "limit",
  "ct helper",
  "ct expectation",
  "ct timeout",
  "synproxy",
  "flowtable",
  "ruleset",
];

/**
 * What a rule's statements need of the namespace, as {@link NEEDS_IFINDEXES}
 * and {@link NEEDS_SHAPES} bits: its words (keys and strings) looked up
 * anywhere inside `v`, by a walk with an explicit stack, bounded by the
 * document's size and cheaper than stringifying every rule.
 */
function needsOf(v: Json): number {
  let need = 0;
  const stack: Json[] = [v];
  while (stack.length && need !== (NEEDS_IFINDEXES | NEEDS_SHAPES)) {
    const x = stack.pop();
    if (typeof x === "string") need |= x.charCodeAt(0) === 64 ? NEEDS_SHAPES : NEEDS[x] ?? 0; // `@set`
    else if (Array.isArray(x)) {
      for (const y of x) stack.push(y);
    } else if (typeof x === "object" && x !== null) {
      for (const k in x) {
        need |= NEEDS[k] ?? 0;
        stack.push(x[k]);
      }
    }
  }
  return need;
}

/** Interface indexes: `meta iif`, `dup`, `fwd`. */
const NEEDS_IFINDEXES = 1;
/** Set shapes: map types, whether a concatenation's set holds intervals, a named set's (`@`) host-order key. */
const NEEDS_SHAPES = 2;
const NEEDS: Readonly<Record<string, number>> = Object.assign(Object.create(null), {
  iif: NEEDS_IFINDEXES,
  oif: NEEDS_IFINDEXES,
  sdif: NEEDS_IFINDEXES,
  dup: NEEDS_IFINDEXES,
  fwd: NEEDS_IFINDEXES,
  map: NEEDS_SHAPES,
  concat: NEEDS_SHAPES,
});

/** A rule's keys in a document (a constant: a literal would be a new array for each of 10,000 rules). */
const RULE_KEYS = ["family", "table", "chain", "handle", "position", "index", "expr", "comment"];

/**
 * Commands from which a batch names its anonymous sets itself (see
 * AnonNames): then one read of each table's set names costs little next to
 * the kernel's scans it saves; below, a single `add rule` reads nothing.
 */
const NAMING_BATCH = 64;

/** The JSON schema version nft 1.0.6 writes and reads. */
const JSON_SCHEMA_VERSION = 1;

/** Refuses a document of a later schema (its `metainfo`), as nft does; the metainfo's other keys are informative. */
export function checkSchema(meta: Json): void {
  const v = isObj(meta) ? meta.json_schema_version : undefined;
  if (typeof v === "number" && v > JSON_SCHEMA_VERSION) {
    throw new InvalidArgumentError(
      `Schema version ${v} not supported, maximum supported version is ${JSON_SCHEMA_VERSION}`,
    );
  }
}

/** Turns an nft JSON document into a transaction, reading set types from the kernel when elements need them. */
export class DocumentPlanner {
  /** The transaction the document's commands are added to. */
  readonly tx: NftTransaction = new NftTransaction();
  #shapes = new Map<string, ElementShape>();
  /** The shapes of the kernel's sets by `family table` (see #tableShapes). */
  #kernelShapes = new Map<string, Map<string, ElementShape>>();
  /** Whether each set the document declares is a set or a map (by `family table name`), for flush. */
  #kinds = new Map<string, string>();
  #ifindexes?: Map<string, number>;
  /** Sets a rule's set statement updates (`family table name`): nft makes them dynamic, as the kernel requires. */
  #updated = new Set<string>();
  /** The ranges of the document's auto-merge sets so far. */
  #autoMerge = new AutoMerge();
  /** Sets the batch has added elements to (or declared with them): nft gives them no first segment again. */
  #filled = new Set<string>();
  /** The rules the batch adds, by chain, for rules placed by index. */
  #order = new RuleOrder(this.tx, async (key) => {
    const [family, table, chain] = key.split(" ");
    return (await listNftRules({ family, table, chain }, this.opts)).map((r) => r.handle!);
  });
  /** Verdict map elements jumping to chains, added once the document's chains are. */
  #afterChains: (() => void)[] = [];
  /** The anonymous set names of each table (`family table`), when the batch names them (see NAMING_BATCH). */
  #anonNames?: Map<string, AnonNames>;
  /** The families whose ruleset the document flushed (`*`: all). */
  #flushedFamilies = new Set<string>();
  /** Whether the document flushed the ruleset (nft then no longer goes by the kernel's sets). */
  #flushedRuleset = false;
  /** The tables (`family name`) and chains (`family table name`) the document adds, for a rename's lookup. */
  #added = new Set<string>();
  /** Plans for the namespace (or socket) of `opts`, where set types and interface names are read. */
  constructor(
    readonly opts: NftOptions = {},
    /**
     * Send an element's statements as written (nft's language), for the kernel to check against its set's;
     * by default (nft's JSON, which lists an element's first only) the set's fill in the rest.
     */
    readonly asWritten = false,
  ) {}

  /**
   * Where the rule at a rule's `index` (0 the first) stands, which add goes
   * after and insert before: the kernel's rules as the batch so far changed them.
   */
  async #indexPlace(family: string, table: string, chain: string, v: { [k: string]: Json }): Promise<IndexedRule> {
    const index = num(v.index, "an index")!;
    const at = await this.#order.place(`${family} ${table} ${chain}`, index);
    if (!at) {
      const key = `${family} ${table} ${chain} index ${index}`;
      throw notFound(
        { kind: "nft rule", key },
        "NFT_MSG_NEWRULE",
        `No such file or directory: rule index ${index} of chain ${family} ${table} ${chain}`,
      );
    }
    return at;
  }

  /** nft flushes only what the command names: `flush set` a set, `flush map` a map (never a meter or the other kind). */
  async #flushable(kind: string, fam: string, table: string, name: string): Promise<void> {
    const declared = this.#kinds.get(`${fam} ${table} ${name}`);
    if (declared !== undefined && declared !== kind) throw notAKind(kind, fam, table, name);
    if (declared !== undefined) return;
    for await (const set of streamSets({ family: fam, table }, this.opts)) {
      if (set.name !== name) continue;
      const f = set.flags ?? [];
      const isMap = f.includes("map") || f.includes("object");
      if (!f.includes("anonymous") && isMap === (kind === "map")) return;
      throw notAKind(kind, fam, table, name);
    }
  }

  /**
   * Elements added to a set, with nft's first segment when nft would think
   * the set empty: one field of intervals, and nothing added to it by the
   * batch so far nor held by the kernel (nft reads an interval set's
   * elements before changing it).
   */
  async #firstSegment(
    fam: string,
    table: string,
    name: string,
    shape: ElementShape,
    elements: NftElement[],
  ): Promise<NftElement[]> {
    if (!shape.interval || shape.key.length !== 1 || !elements.length) return elements;
    const k = `${fam} ${table} ${name}`;
    const filled = this.#filled.has(k) || await this.#kernelFilled(fam, table, name);
    this.#filled.add(k);
    return filled ? elements : withFirstSegment(elements);
  }

  /** Whether the kernel's set holds an element the batch keeps: its first one is enough to tell. */
  async #kernelFilled(fam: string, table: string, name: string): Promise<boolean> {
    if (this.#flushedFamilies.has("*") || this.#flushedFamilies.has(fam)) return false;
    try {
      for await (const _ of streamElements({ family: fam, table, set: name }, this.opts)) return true;
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    return false;
  }

  async #shape(fam: string, table: string, name: string): Promise<ElementShape> {
    const k = `${fam} ${table} ${name}`;
    let s = this.#shapes.get(k);
    if (!s) {
      let merging = false;
      for await (const set of streamSets({ family: fam, table }, this.opts)) {
        if (set.name !== name) continue;
        const t = setTypes({ ...set, elements: [] });
        const stmts = elemStmtExprs(exprsOf(set), { family: fam, table, tx: this.tx }, this.asWritten);
        s = { key: t.key, data: t.data, interval: set.flags?.includes("interval") ?? false, stmts };
        merging = setDecl(set.userdata).autoMerge && s.interval && !s.data && s.key.length === 1;
      }
      if (!s) throw notFound({ kind: "nft set", key: k }, "NFT_MSG_NEWSETELEM", `No such file or directory: set ${k}`);
      this.#shapes.set(k, s);
      // nft merges what is added to an auto-merge set with the ranges the kernel holds.
      if (merging) this.#autoMerge.seed(k, await listElements({ family: fam, table, set: name }, this.opts));
    }
    return s;
  }

  /** Shapes of a table's sets: declared in the document, else listed from the kernel. */
  async #tableShapes(fam: string, table: string): Promise<Map<string, ElementShape>> {
    // The kernel's sets are read once per table: a plan sends nothing, so they do not change meanwhile.
    let kernel = this.#kernelShapes.get(`${fam} ${table}`);
    if (!kernel) {
      kernel = new Map();
      for await (const set of streamSets({ family: fam, table }, this.opts)) {
        const t = setTypes({ ...set, elements: [] });
        kernel.set(set.name ?? "", { key: t.key, data: t.data, interval: set.flags?.includes("interval") ?? false });
      }
      this.#kernelShapes.set(`${fam} ${table}`, kernel);
    }
    const out = new Map(kernel);
    for (const [k, shape] of this.#shapes) {
      const [f, t, name] = k.split(" ");
      if (f === fam && t === table) out.set(name, shape);
    }
    return out;
  }

  /**
   * Adds every command of `doc` (`{"nftables": [...]}`) to the transaction;
   * `at` is told the index of each command before it is planned (to say
   * where a refusal came from).
   */
  async plan(document: unknown, at?: (index: number) => void): Promise<NftTransaction> {
    const doc = document as Json;
    if (!isObj(doc) || !Array.isArray(doc.nftables)) {
      throw new InvalidArgumentError('Cannot apply a document without an "nftables" array');
    }
    keys(doc, ["nftables"], "the document");
    // A name where an address belongs resolves with libc's resolver, as nft's getaddrinfo does; libc is
    // loaded here only when the plan opens sockets of its own (a caller's socket may need no libc at all).
    if (this.opts.socket === undefined) {
      const sys = await loadSys();
      setHostResolver((name, fam) => sys.hostAddresses(name, fam));
    }
    for (const item of doc.nftables) this.#noteUpdates(item);
    if (doc.nftables.length >= NAMING_BATCH) this.#anonNames = new Map();
    const items = doc.nftables;
    for (let i = 0; i < items.length; i++) {
      at?.(i);
      await this.#command(items[i]);
    }
    // nft lists a map before the chains its elements jump to (and nft -j -f then fails with ENOENT).
    for (const add of this.#afterChains.splice(0)) add();
    return this.tx;
  }

  #noteUpdates(item: Json): void {
    const cmd = soleKey(item); // an item of more keys is refused when it is planned
    if (cmd === undefined || !isObj(item)) return;
    const body = item[cmd];
    if (cmd === "flush" && isObj(body) && body.ruleset !== undefined) this.#order.flushesRuleset = true;
    const rule = cmd === "rule"
      ? body
      : cmd === "add" || cmd === "insert"
      ? (isObj(body) ? body.rule : undefined)
      : undefined;
    if (isObj(rule) && Array.isArray(rule.expr)) this.#noteSetStatements(`${rule.family} ${rule.table} `, rule.expr);
  }

  /** The sets `stmts` update (`"set": {"set": "@s", ...}`), and those of the rules of chains bound to them (`jump { ... }`). */
  #noteSetStatements(at: string, stmts: readonly Json[]): void {
    // One key read per statement: a statement is an object of one key, and a document has 10,000 rules.
    for (const st of stmts) {
      const k = soleKey(st);
      if (k === undefined || !isObj(st)) continue;
      const v = st[k];
      if (k === "set" && isObj(v) && typeof v.set === "string" && v.set.startsWith("@")) {
        this.#updated.add(at + v.set.slice(1));
      } else if ((k === "jump" || k === "goto") && isObj(v) && Array.isArray(v.rules)) {
        for (const r of v.rules) if (isObj(r) && Array.isArray(r.expr)) this.#noteSetStatements(at, r.expr);
      }
    }
  }

  async #command(item: Json): Promise<void> {
    const cmd = soleKey(item);
    if (cmd === undefined || !isObj(item)) {
      throw new InvalidArgumentError(`Cannot apply ${JSON.stringify(item)}: expected an object with one key`);
    }
    if (cmd === "metainfo") return checkSchema(item.metainfo);
    if (OBJECTS.includes(cmd)) return await this.#object("add", cmd, item[cmd], true);
    if (!COMMANDS.includes(cmd)) {
      throw new InvalidArgumentError(`Cannot apply "${cmd}": expected ${[...COMMANDS, ...OBJECTS].join(", ")}`);
    }
    const body = item[cmd];
    const kind = soleKey(body);
    if (kind === undefined || !isObj(body)) {
      throw new InvalidArgumentError(`Cannot apply ${cmd}: expected one object`);
    }
    if (!OBJECTS.includes(kind)) {
      throw new InvalidArgumentError(`Cannot ${cmd} "${kind}": expected ${OBJECTS.join(", ")}`);
    }
    await this.#object(cmd, kind, body[kind], false);
  }

  async #object(cmd: string, kind: string, v: Json, listing: boolean): Promise<void> {
    const tx = this.tx;
    if (kind === "ruleset") {
      if (cmd !== "flush") throw new InvalidArgumentError(`Cannot ${cmd} the ruleset: only flush`);
      const only = isObj(v) && v.family !== undefined ? family(v, "ruleset") : undefined;
      tx.flushRuleset(only);
      this.#flushedRuleset = true;
      this.#flushedFamilies.add(only ?? "*");
      return;
    }
    if (!isObj(v)) throw new InvalidArgumentError(`Cannot ${cmd} ${kind} ${JSON.stringify(v)}`);
    const fam = family(v, kind);
    if (cmd === "rename") return await this.#rename(kind, v, fam);
    const create = cmd === "create";
    const del = cmd === "delete" || cmd === "destroy";
    if (cmd === "destroy") throw new InvalidArgumentError("Cannot destroy: nft 1.0.6 has no destroy; use delete");
    switch (kind) {
      case "table": {
        keys(v, ["family", "name", "handle", "flags", "comment"], "a table");
        const name = v.name === undefined && v.handle !== undefined ? undefined : str(v, "name", "a table");
        if (name !== undefined && del) this.#order.deleted(`${fam} ${name}`);
        if (del) return void tx.deleteTable({ family: fam, name, handle: num(v.handle, "a handle") });
        if (cmd === "flush") return void tx.flushTable({ family: fam, name: name! });
        const flags = v.flags === undefined
          ? []
          : (Array.isArray(v.flags) ? v.flags : [v.flags]).map((f) => f === "dorm" ? "dormant" : String(f));
        this.#added.add(`${fam} ${name}`);
        tx.addTable({ family: fam, name: name!, flags, comment: v.comment as string | undefined }, create);
        return;
      }
      case "chain": {
        keys(
          v,
          ["family", "table", "name", "handle", "type", "hook", "prio", "policy", "dev", "comment", "newname"],
          "a chain",
        );
        const table = str(v, "table", "a chain");
        if (del) {
          if (typeof v.name === "string") this.#order.deleted(`${fam} ${table} ${v.name}`);
          return void tx.deleteChain({
            family: fam,
            table,
            name: v.name as string | undefined,
            handle: num(v.handle, "a handle"),
          });
        }
        const name = str(v, "name", "a chain");
        if (cmd === "flush") return void tx.flushChain({ family: fam, table, name });
        if (v.newname !== undefined) throw new InvalidArgumentError("Cannot rename chains");
        const hook = v.hook === undefined ? undefined : String(v.hook);
        if (hook !== undefined) hookNumber(fam, hook);
        const policy = v.policy === undefined ? undefined : String(v.policy);
        if (policy !== undefined && policy !== "accept" && policy !== "drop") {
          throw new InvalidArgumentError(`Cannot use policy "${policy}": expected accept or drop`);
        }
        this.#added.add(`${fam} ${table} ${name}`);
        tx.addChain({
          family: fam,
          table,
          name,
          type: v.type as string | undefined,
          hook,
          priority: num(v.prio, "a priority"),
          policy: policy as "accept" | "drop" | undefined,
          devices: deviceNames(v.dev, `chain ${name}`),
          comment: v.comment as string | undefined,
        }, create);
        return;
      }
      case "rule": {
        keys(v, RULE_KEYS, "a rule");
        const table = str(v, "table", "a rule");
        const chain = str(v, "chain", "a rule");
        if (del) {
          // nft requires the handle ("Object item not found: handle"): without one the kernel deletes every rule.
          if (v.handle === undefined) {
            throw new InvalidArgumentError(`Cannot delete a rule of ${chain} without its "handle"`);
          }
          return void tx.deleteRule({ family: fam, table, chain, handle: num(v.handle, "a handle")! });
        }
        if (!Array.isArray(v.expr)) {
          throw new InvalidArgumentError(`Cannot add a rule to ${chain} without an "expr" list`);
        }
        const mode = cmd === "insert" ? "insert" : cmd === "replace" ? "replace" : "add";
        // In an add or insert command "handle" names the rule to place it by, as "position" does
        // (libnftables-json); in a listing it is the rule's own, assigned anew (as nft -j -f does).
        const at = mode === "replace" || listing ? v.position : v.position ?? v.handle;
        if (mode !== "replace" && !listing && v.position !== undefined && v.handle !== undefined) {
          throw new InvalidArgumentError('Cannot place a rule by both "handle" and "position"');
        }
        if (mode !== "replace" && v.index !== undefined && at !== undefined) {
          throw new InvalidArgumentError(
            `Cannot place a rule by both "index" and "${v.position !== undefined ? "position" : "handle"}"`,
          );
        }
        if (mode === "replace" && (v.position !== undefined || v.index !== undefined)) {
          throw new InvalidArgumentError('Cannot replace a rule by "position" or "index": its "handle" names it');
        }
        const byIndex = mode !== "replace" && v.index !== undefined
          ? await this.#indexPlace(fam, table, chain, v)
          : undefined;
        const handle = mode === "replace"
          ? num(v.handle, "a handle")
          : byIndex
          ? byIndex.place.handle
          : num(at, "a position");
        const needs = needsOf(v.expr);
        // Interface names need the namespace's indexes; look them up once, and only then.
        if (needs & NEEDS_IFINDEXES) await this.#loadIfindexes();
        const sets = needs & NEEDS_SHAPES ? await this.#tableShapes(fam, table) : undefined;
        // Once a table's namer is made, a rule needs nothing awaited of it.
        const anonName = this.#anonNames?.get(`${fam} ${table}`)?.namer ?? await this.#anonNamer(fam, table);
        const expressions = ruleExpressions(v.expr, {
          family: fam,
          table,
          tx,
          ifindexes: this.#ifindexes,
          sets,
          anonName,
        });
        const comment = v.comment as string | undefined;
        tx.addRule(
          { family: fam, table, chain, handle, positionId: byIndex?.place.positionId, expressions, comment },
          mode,
        );
        this.#order.added(`${fam} ${table} ${chain}`, mode, byIndex?.ref ?? handle);
        return;
      }
      case "set":
      case "map":
        return this.#set(cmd, kind, v, fam);
      case "element": {
        keys(v, ["family", "table", "name", "elem"], "an element");
        const table = str(v, "table", "an element");
        const name = str(v, "name", "an element");
        let elems = Array.isArray(v.elem) ? v.elem : [v.elem];
        let shape = await this.#shape(fam, table, name);
        if (del && shape.data) {
          // A map's element goes by its key: `delete element t m { 1.2.3.4 }` gives no data, as nft allows.
          shape = { ...shape, data: undefined };
          elems = elems.map((e) => (Array.isArray(e) ? e[0] : e));
        }
        // create's "fail when one exists" flag goes with the element messages, not the packed keys.
        const packed = cmd === "create" ? undefined : packedIp4Keys(shape, elems);
        if (packed) return void tx.addElementKeys({ family: fam, table, set: name }, packed, 4, del);
        let elements = await this.#elementsOf(shape, elems);
        const at = `${fam} ${table} ${name}`;
        if (del) this.#autoMerge.forget(at);
        else if (this.#autoMerge.has(at)) {
          const { purge, add } = this.#autoMerge.add(at, elements);
          if (purge.length) tx.deleteElements({ family: fam, table, set: name }, purge);
          elements = add;
        }
        if (del) return void tx.deleteElements({ family: fam, table, set: name }, elements);
        elements = await this.#firstSegment(fam, table, name, shape, elements);
        tx.addElements({ family: fam, table, set: name }, elements, cmd === "create");
        return;
      }
      case "flowtable":
        return planFlowtable(tx, cmd, v, fam);
      case "counter":
      case "quota":
      case "limit":
      case "ct helper":
      case "ct expectation":
      case "ct timeout":
      case "synproxy":
        return planStateful(this.tx, cmd, kind, v, fam);
    }
  }

  /** `rename chain`, nft's only rename: a `NEWCHAIN` naming the kernel's chain by its handle. */
  async #rename(kind: string, v: Obj, fam: string): Promise<void> {
    if (kind !== "chain") throw new InvalidArgumentError(`Cannot rename a ${kind}: only a chain`);
    keys(v, ["family", "table", "name", "newname"], "a chain rename");
    const table = str(v, "table", "a chain rename");
    const name = str(v, "name", "a chain rename");
    const newName = str(v, "newname", "a chain rename");
    const handle = await chainHandle(fam, table, name, (key) => this.#added.has(key), this.opts);
    this.tx.renameChain({ family: fam, table, handle, newName });
  }

  /**
   * Names the table's anonymous sets, when the batch does: past every set
   * name of the table, the kernel's (read once) and the batch's.
   */
  async #anonNamer(fam: string, table: string): Promise<((template: string) => string) | undefined> {
    if (!this.#anonNames) return undefined;
    const key = `${fam} ${table}`;
    let names = this.#anonNames.get(key);
    if (!names) {
      const taken = [...this.#kinds.keys()].filter((k) => k.startsWith(`${key} `)).map((k) => k.slice(key.length + 1));
      // After a flush of the ruleset the kernel's sets are gone by the time the batch adds these.
      if (!this.#flushedFamilies.has("*") && !this.#flushedFamilies.has(fam)) {
        for await (const set of streamSets({ family: fam, table }, this.opts)) taken.push(set.name ?? "");
      }
      names = new AnonNames(taken);
      this.#anonNames.set(key, names);
    }
    return names.namer;
  }

  async #loadIfindexes(): Promise<void> {
    this.#ifindexes ??= new Map([...await interfaceNames(this.opts)].map(([i, n]) => [n, i]));
  }

  /** The kernel's elements of `elems`, interfaces named in them looked up in the namespace. */
  async #elementsOf(shape: ElementShape, elems: Json[]): Promise<NftElement[]> {
    if (!holdsIfaces(shape.key, shape.data)) return elementsOf(shape, elems);
    await this.#loadIfindexes();
    return elementsOf(shape, ifindexElems(shape.key, elems, shape.data, this.#ifindexes));
  }

  async #set(cmd: string, kind: string, v: Obj, fam: string): Promise<void> {
    const tx = this.tx;
    keys(v, [
      "family",
      "table",
      "name",
      "handle",
      "type",
      "map",
      "flags",
      "timeout",
      "gc-interval",
      "size",
      "policy",
      "elem",
      "comment",
      "stmt",
    ], `a ${kind}`);
    const table = str(v, "table", `a ${kind}`);
    if (cmd === "delete" && v.name === undefined) {
      return void tx.deleteSet({ family: fam, table, handle: num(v.handle, "a handle") });
    }
    const name = str(v, "name", `a ${kind}`);
    if (cmd === "delete") return void tx.deleteSet({ family: fam, table, name });
    if (cmd === "flush") {
      await this.#flushable(kind, fam, table, name);
      // Elements added after the flush merge only with each other, not with the ranges flushed.
      await this.#shape(fam, table, name);
      this.#autoMerge.forget(`${fam} ${table} ${name}`);
      return void tx.flushSet({ family: fam, table, name });
    }
    this.#kinds.set(`${fam} ${table} ${name}`, kind);
    this.#anonNames?.get(`${fam} ${table}`)?.take(name);
    const extra = declExtra(v);
    // A typeof gives an integer field its size and byte order (`udp length`: 2 bytes, network order).
    const key = sizedByTypeof(typesOf(v.type, `set ${name}`), extra?.keyTypeof);
    if (key.length > 1 && key.some((t) => t.name === "integer") && !extra?.keyTypeof) {
      // Its size is not in the type, and nft 1.0.6's JSON has no typeof to say it: nft -j -f refuses it too.
      throw new InvalidArgumentError(
        `Cannot declare ${kind} ${name} of ${
          key.map((t) => t.name).join(" . ")
        }: an integer in a concatenation has no size`,
      );
    }
    const flags = (v.flags === undefined ? [] : Array.isArray(v.flags) ? v.flags : [v.flags]).map(String);
    for (const f of flags) {
      if (!["constant", "interval", "timeout", "dynamic"].includes(f)) {
        throw new InvalidArgumentError(`Cannot use set flag "${f}": expected constant, interval, timeout, dynamic`);
      }
    }
    // nft flags the set its cache holds: the declared one, or the kernel's (left unchanged) when there is one.
    if (this.#updated.has(`${fam} ${table} ${name}`) && !flags.includes("dynamic")) {
      if (this.#flushedRuleset || !(await this.#tableShapes(fam, table)).has(name)) flags.push("dynamic");
    }
    let data: ElementShape["data"];
    let dataSpec = {};
    if (kind === "map") {
      if (v.map === undefined) throw new InvalidArgumentError(`Cannot add map ${name} without "map" (its data type)`);
      const objType = typeof v.map === "string" ? objTypeId(v.map) : undefined;
      if (v.map === "verdict") {
        data = { verdict: true };
        dataSpec = { dataType: 0xffffff00, dataLen: 16 };
      } else if (objType !== undefined) {
        // A map of stateful objects (`type ipv4_addr : counter`): the object flag, not the map flag.
        data = { objref: true };
        dataSpec = { objType, dataInterval: false };
      } else {
        const types = sizedByTypeof(typesOf(v.map, `map ${name}`), extra?.dataTypeof);
        data = { types, interval: extra?.dataInterval };
        dataSpec = {
          dataType: concatId(types),
          // Ranges are a start and an end.
          dataLen: keyLen(types) * (extra?.dataInterval ? 2 : 1),
          dataHostOrder: types.length === 1 && types[0].host === true,
          dataInterval: extra?.dataInterval,
        };
      }
      flags.push(data && "objref" in data ? "object" : "map");
    } else if (v.map !== undefined) {
      throw new InvalidArgumentError(`Cannot give set ${name} a "map" type: declare a map`);
    }
    const interval = flags.includes("interval");
    if (interval && key.length > 1) {
      flags.push("concat");
      // Stored in network order, host-order fields too (`meta mark . tcp dport`), as nft stores them.
      key.forEach((t, i) => t.host && (key[i] = { ...t, host: false }));
    }
    const ctx = { family: fam, table, tx, anonName: await this.#anonNamer(fam, table) };
    const stmt = v.stmt === undefined ? [] : Array.isArray(v.stmt) ? v.stmt : [v.stmt];
    const expressions = setStmtExprs(stmt, ctx, `${kind} ${name}`);
    if (v.timeout !== undefined && !flags.includes("timeout")) flags.push("timeout");
    const setId = tx.addSet({
      family: fam,
      table,
      name,
      keyType: concatId(key),
      keyLen: keyLen(key),
      flags,
      timeout: v.timeout === undefined ? undefined : msOf(duration(v.timeout, "a timeout")),
      gcInterval: v["gc-interval"] === undefined ? undefined : msOf(duration(v["gc-interval"], "a gc-interval")),
      size: cIntField(v.size, "a set size"),
      policy: v.policy === undefined
        ? undefined
        : v.policy === "memory"
        ? "memory"
        : v.policy === "performance"
        ? "performance"
        : (() => {
          throw new InvalidArgumentError(
            `Cannot use set policy ${JSON.stringify(v.policy)}: expected memory or performance`,
          );
        })(),
      fieldLengths: interval && key.length > 1 ? key.map(typeSize) : undefined,
      keyHostOrder: key.length === 1 && key[0].host === true,
      comment: v.comment as string | undefined,
      expressions: expressions.length ? expressions : undefined,
      keyTypeof: extra?.keyTypeof,
      dataTypeof: extra?.dataTypeof,
      autoMerge: extra?.autoMerge,
      ...dataSpec,
    }, cmd === "create");
    // nft stores a single host-order key of intervals (`type mark`) in network order too; its user data says host.
    const elemKey = interval && key.length === 1 ? intervalKey(key) : key;
    const shape: ElementShape = {
      key: elemKey,
      data,
      interval,
      stmts: elemStmtExprs(expressions, ctx, this.asWritten),
    };
    this.#shapes.set(`${fam} ${table} ${name}`, shape);
    if (extra?.autoMerge && !interval) {
      throw new InvalidArgumentError(
        `Cannot declare ${kind} ${name} auto-merge: auto-merge only works with interval sets`,
      );
    }
    // nft merges a map's ranges only by sorting them, and a concatenation's not at all.
    if (extra?.autoMerge && interval && !data && key.length === 1) {
      // Declared again over a set the kernel holds (a script run twice): nft merges with its ranges too.
      const held = await listElements({ family: fam, table, set: name }, this.opts).catch((e) => {
        if (e instanceof NotFoundError) return [];
        throw e;
      });
      this.#autoMerge.seed(`${fam} ${table} ${name}`, held);
    }
    if (v.elem !== undefined) {
      const elems = Array.isArray(v.elem) ? v.elem : [v.elem];
      const packed = packedIp4Keys(shape, elems);
      if (packed) return void tx.addElementKeys({ family: fam, table, set: name, setId }, packed, 4);
      let elements = await this.#elementsOf(shape, elems);
      if (this.#autoMerge.has(`${fam} ${table} ${name}`)) {
        const { purge, add } = this.#autoMerge.add(`${fam} ${table} ${name}`, elements);
        if (purge.length) tx.deleteElements({ family: fam, table, set: name }, purge);
        elements = add;
      }
      // Declared with its elements: nft gives the set its first segment whatever the kernel holds.
      if (elements.length) {
        if (interval && key.length === 1) elements = withFirstSegment(elements);
        this.#filled.add(`${fam} ${table} ${name}`);
      }
      const add = () => tx.addElements({ family: fam, table, set: name, setId }, elements);
      // Only a map's data can jump: a plain set's elements are not written out to be searched.
      if (kind === "map" && /"(jump|goto)"/.test(JSON.stringify(elems))) this.#afterChains.push(add);
      else add();
    }
  }
}

/** Options of {@link applyJson}. */
export interface ApplyOptions extends NftOptions {
  /** The generation the document was planned against (compare-and-swap). */
  genId?: number;
  /** Only let the kernel validate the batch, committing nothing (`nft -c`). */
  check?: boolean;
}

/** Applies an nft JSON document atomically (`nft -j -f`); a refusal changes nothing. */
export async function applyJson(doc: unknown, opts: ApplyOptions = {}): Promise<void> {
  const { genId, check, ...sock } = opts;
  const tx = await new DocumentPlanner(sock).plan(doc);
  await tx.commit({ ...sock, genId, check });
}
