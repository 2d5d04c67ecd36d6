/**
 * Transactions: nf_tables changes collected into one batch
 * (`NFNL_MSG_BATCH_BEGIN` ... `END`) that the kernel applies whole or not
 * at all. Each message remembers the object it changes, so a refusal names
 * it (table, chain, rule position or set) with the kernel's extended ack.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { BatchError } from "../../socket/errors.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import type { MessageBuilder } from "../../wire/builder.ts";
import { ByteArena } from "../../wire/arena.ts";
import {
  NLA_TYPE_MASK,
  NLM_F_ACK,
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
} from "../../wire/constants.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { NFNL_SUBSYS_NFTABLES, nfnlBatch } from "../../wire/nfnetlink.ts";
import type { Attrs, AttrTable } from "../../wire/table.ts";
import { NFTA_CHAIN_TABLE } from "./chain.ts";
import { familyNumber, hookNumber, NFT_MSG } from "./consts.ts";
import { NFTA_FLOWTABLE_TABLE } from "./flowtable.ts";
import { buildPackedKeys, NFTA_SET_ELEM_LIST_TABLE, type NftElement } from "./element.ts";
import { NFTA_OBJ_TABLE, objDataBytes } from "./obj.ts";
import { NFTA_RULE_TABLE } from "./rule.ts";
import { NFTA_SET_TABLE } from "./set.ts";
import { nftMessage, withNftSocket } from "./socket.ts";
import { NFTA_TABLE_TABLE } from "./table.ts";
import {
  buildUdata,
  UDATA_COMMENT,
  UDATA_DATA_INTERVAL,
  UDATA_DATA_TYPEOF,
  UDATA_KEY_TYPEOF,
  UDATA_MERGE_ELEMENTS,
  UDATA_SET_COMMENT,
} from "./udata.ts";
import type {
  CommitOptions,
  NftChainSpec,
  NftFlowtableSpec,
  NftObjectSpec,
  NftRuleSpec,
  NftSetSpec,
  NftTableSpec,
} from "./transaction_specs.ts";
import { type NftFailure, NftTransactionError } from "./transaction_error.ts";

const SET_FLAG_BITS: Record<string, number> = {
  anonymous: 0x1,
  constant: 0x2,
  interval: 0x4,
  map: 0x8,
  timeout: 0x10,
  dynamic: 0x20,
  object: 0x40,
  concat: 0x80,
  expr: 0x100,
};

/** Elements per `NEWSETELEM` message are capped so its attribute stays under 64 KiB. */
const ELEMENT_BYTES = 60000;

/** The keys of a rule spec (a constant, not a new array for each of a batch's rules). */
const RULE_SPEC_KEYS = ["family", "table", "chain", "chainId", "expressions", "handle", "positionId", "comment"];

/** Collects changes and commits them as one atomic batch. */
export class NftTransaction {
  #messages: Uint8Array[] = [];
  // The batch's messages live as long as it does: packed into shared chunks (see ByteArena).
  #arena = new ByteArena();
  #objects: string[] = [];
  #nextId = 1;
  #ruleCount = new Map<string, number>();

  /** Messages collected so far. */
  get length(): number {
    return this.#messages.length;
  }

  /** Bytes collected so far. */
  get bytes(): number {
    return this.#messages.reduce((n, m) => n + m.length, 0);
  }

  #add(b: MessageBuilder, object: string): this {
    this.#messages.push(b.finishIn(this.#arena));
    this.#objects.push(object);
    return this;
  }

  #msg(type: number, flags: number, family: string): MessageBuilder {
    return nftMessage(type, flags, familyNumber(family));
  }

  /**
   * Deletes an object named by `o.name` or `o.handle`: `keys` are its other
   * attributes (its table, its type), `what` names it in errors (`chain inet t`).
   */
  #deleteNamed<T extends AttrTable>(
    type: number,
    table: T,
    o: { family: string; name?: string; handle?: number },
    keys: Attrs<T>,
    what: string,
  ): this {
    const b = this.#msg(type, 0, o.family).attrs(table, { ...keys, name: o.name, handle: o.handle });
    return this.#add(b, `${what} ${o.name ?? `handle ${o.handle}`}`);
  }

  /** Adds a table (`create`: fail if it exists). */
  addTable(t: NftTableSpec, create = false): this {
    checkKeys(t, ["family", "name", "flags", "comment"], "a table");
    const flags = (t.flags ?? []).map((f) => {
      if (f !== "dormant") throw new InvalidArgumentError(`Cannot use table flag "${f}": expected dormant`);
      return f;
    });
    const b = this.#msg(NFT_MSG.NFT_MSG_NEWTABLE, NLM_F_CREATE | (create ? NLM_F_EXCL : 0), t.family);
    b.attrs(NFTA_TABLE_TABLE, {
      name: t.name,
      flags,
      userdata: t.comment === undefined ? undefined : buildUdata([[UDATA_COMMENT, t.comment]]),
    });
    return this.#add(b, `table ${t.family} ${t.name}`);
  }

  /** Deletes a table and everything in it. */
  deleteTable(t: { family: string; name?: string; handle?: number }): this {
    return this.#deleteNamed(NFT_MSG.NFT_MSG_DELTABLE, NFTA_TABLE_TABLE, t, {}, `table ${t.family}`);
  }

  /** Deletes every rule of every chain of a table. */
  flushTable(t: { family: string; name: string }): this {
    const b = this.#msg(NFT_MSG.NFT_MSG_DELRULE, 0, t.family).attrs(NFTA_RULE_TABLE, { table: t.name });
    return this.#add(b, `table ${t.family} ${t.name}`);
  }

  /** Deletes every table (of one family, or all). */
  flushRuleset(family?: string): this {
    const b = nftMessage(NFT_MSG.NFT_MSG_DELTABLE, 0, family === undefined ? 0 : familyNumber(family));
    return this.#add(b, family === undefined ? "ruleset" : `ruleset ${family}`);
  }

  /** Adds a chain. */
  addChain(c: NftChainSpec, create = false): this {
    checkKeys(
      c,
      ["family", "table", "name", "type", "hook", "priority", "policy", "device", "devices", "comment"],
      "a chain",
    );
    const base = c.hook !== undefined;
    const devs = c.devices !== undefined;
    if (!base && (c.type !== undefined || c.priority !== undefined || c.device || devs)) {
      throw new InvalidArgumentError(`Cannot give chain ${c.name} a type, priority or device without a hook`);
    }
    if (devs && c.device !== undefined) {
      throw new InvalidArgumentError(`Cannot give chain ${c.name} both device and devices`);
    }
    // One device goes as NFTA_HOOK_DEV, several as NFTA_HOOK_DEVS: as nft sends them.
    const dev = c.devices?.length === 1 ? c.devices[0] : c.device;
    const many = (c.devices?.length ?? 0) > 1 ? { name: c.devices } : undefined;
    const b = this.#msg(NFT_MSG.NFT_MSG_NEWCHAIN, NLM_F_CREATE | (create ? NLM_F_EXCL : 0), c.family);
    b.attrs(NFTA_CHAIN_TABLE, {
      table: c.table,
      name: c.name,
      hook: base ? { hooknum: hookNumber(c.family, c.hook!), priority: c.priority ?? 0, dev, devs: many } : undefined,
      policy: c.policy,
      type: base ? c.type ?? "filter" : undefined,
      userdata: c.comment === undefined ? undefined : buildUdata([[UDATA_COMMENT, c.comment]]),
    });
    return this.#add(b, `chain ${c.family} ${c.table} ${c.name}`);
  }

  /**
   * Adds a chain bound to a rule (nft's `jump { ... }`): nameless (the
   * kernel names it `__chain%d`), flagged `NFT_CHAIN_BINDING`, known in the
   * batch by the id returned, which its rules (`chainId`) and the verdict
   * jumping to it (`NFTA_VERDICT_CHAIN_ID`) name it by. Add its rules, then
   * the rule that jumps to it; deleting that rule deletes the chain.
   */
  addBoundChain(c: { family: string; table: string }): number {
    checkKeys(c, ["family", "table"], "a bound chain");
    const id = this.#nextId++;
    const b = this.#msg(NFT_MSG.NFT_MSG_NEWCHAIN, NLM_F_CREATE, c.family);
    b.attrs(NFTA_CHAIN_TABLE, { table: c.table, id, flags: ["binding"] });
    this.#add(b, `chain ${c.family} ${c.table} (bound, id ${id})`);
    return id;
  }

  /** Deletes a chain (it must be empty and unreferenced). */
  deleteChain(c: { family: string; table: string; name?: string; handle?: number }): this {
    return this.#deleteNamed(
      NFT_MSG.NFT_MSG_DELCHAIN,
      NFTA_CHAIN_TABLE,
      c,
      { table: c.table },
      `chain ${c.family} ${c.table}`,
    );
  }

  /** Renames the chain of `handle` in `table` to `newName` (a `NEWCHAIN` naming it by handle, as nft does). */
  renameChain(c: { family: string; table: string; handle: number; newName: string }): this {
    checkKeys(c, ["family", "table", "handle", "newName"], "a chain rename");
    const b = this.#msg(NFT_MSG.NFT_MSG_NEWCHAIN, 0, c.family).attrs(NFTA_CHAIN_TABLE, {
      table: c.table,
      handle: c.handle,
      name: c.newName,
    });
    return this.#add(b, `chain ${c.family} ${c.table} handle ${c.handle}`);
  }

  /** Deletes every rule of a chain. */
  flushChain(c: { family: string; table: string; name: string }): this {
    const b = this.#msg(NFT_MSG.NFT_MSG_DELRULE, 0, c.family).attrs(NFTA_RULE_TABLE, { table: c.table, chain: c.name });
    return this.#add(b, `chain ${c.family} ${c.table} ${c.name}`);
  }

  /**
   * Adds a rule: `add` appends (after `handle` when given), `insert`
   * prepends (before `handle`), `replace` replaces rule `handle`.
   */
  addRule(r: NftRuleSpec, mode: "add" | "insert" | "replace" = "add"): this {
    checkKeys(r, RULE_SPEC_KEYS, "a rule");
    if ((r.chain === undefined) === (r.chainId === undefined)) {
      throw new InvalidArgumentError("Cannot add a rule without exactly one of chain and chainId");
    }
    if (mode === "replace" && r.handle === undefined) {
      throw new InvalidArgumentError("Cannot replace a rule without its handle");
    }
    if (r.positionId !== undefined && (mode === "replace" || r.handle !== undefined)) {
      throw new InvalidArgumentError("Cannot place a rule by a batch id with a handle, or replace by one");
    }
    const flags = mode === "replace" ? NLM_F_REPLACE : NLM_F_CREATE | (mode === "add" ? NLM_F_APPEND : 0);
    const b = this.#msg(NFT_MSG.NFT_MSG_NEWRULE, flags, r.family);
    b.attrs(NFTA_RULE_TABLE, {
      table: r.table,
      chain: r.chain,
      chainId: r.chainId,
      handle: mode === "replace" ? r.handle : undefined,
      position: mode === "replace" ? undefined : r.handle,
      expressions: r.expressions,
      userdata: r.comment === undefined ? undefined : buildUdata([[UDATA_COMMENT, r.comment]]),
      positionId: r.positionId,
    });
    const key = `${r.family} ${r.table} ${r.chain ?? `(bound chain ${r.chainId})`}`;
    const n = (this.#ruleCount.get(key) ?? 0) + 1;
    this.#ruleCount.set(key, n);
    const where = r.handle !== undefined ? ` (handle ${r.handle})` : "";
    return this.#add(b, `rule #${n}${where} of chain ${key}`);
  }

  /**
   * Gives the rule added by message `message` (`length - 1` just after its
   * {@link addRule}) the batch id `id` (`NFTA_RULE_ID`, appended to it) that
   * later rules' `positionId` names it by: nft does so only once a later
   * rule is placed by it.
   */
  identifyRule(message: number, id: number): this {
    const m = this.#messages[message];
    if (
      !m || m[4] !== NFT_MSG.NFT_MSG_NEWRULE || m[5] !== NFNL_SUBSYS_NFTABLES || !Number.isInteger(id) || id < 1 ||
      id > 0xffffffff
    ) {
      throw new InvalidArgumentError(`Cannot give message ${message} rule id ${id}: expected a rule and a u32 above 0`);
    }
    const out = new Uint8Array(m.length + 8);
    out.set(m);
    const v = new DataView(out.buffer);
    v.setUint32(0, out.length, true); // nlmsg_len, host order
    v.setUint16(m.length, 8, true);
    v.setUint16(m.length + 2, NFTA_RULE_TABLE.id.type, true);
    v.setUint32(m.length + 4, id);
    this.#messages[message] = out;
    return this;
  }

  /** Deletes rule `handle`. */
  deleteRule(r: { family: string; table: string; chain: string; handle: number }): this {
    // A DELRULE without a handle deletes every rule of the chain: that is flushChain, asked for by name.
    if (!Number.isSafeInteger(r.handle) || r.handle < 0) {
      throw new InvalidArgumentError(
        `Cannot delete a rule by handle ${
          JSON.stringify(r.handle)
        }: expected an integer (flushChain deletes every rule)`,
      );
    }
    const b = this.#msg(NFT_MSG.NFT_MSG_DELRULE, 0, r.family).attrs(NFTA_RULE_TABLE, {
      table: r.table,
      chain: r.chain,
      handle: r.handle,
    });
    return this.#add(b, `rule handle ${r.handle} of chain ${r.family} ${r.table} ${r.chain}`);
  }

  /** Adds a set or map; returns the batch id rules and elements may refer to it by. */
  addSet(s: NftSetSpec, create = false): number {
    checkKeys(s, [
      "family",
      "table",
      "name",
      "keyType",
      "keyLen",
      "flags",
      "dataType",
      "dataLen",
      "objType",
      "timeout",
      "gcInterval",
      "size",
      "policy",
      "fieldLengths",
      "keyHostOrder",
      "dataHostOrder",
      "keyTypeof",
      "dataTypeof",
      "dataInterval",
      "autoMerge",
      "comment",
      "expressions",
    ], "a set");
    let flags = 0;
    for (const f of s.flags ?? []) {
      const bit = SET_FLAG_BITS[f];
      if (bit === undefined) {
        throw new InvalidArgumentError(`Cannot use set flag "${f}": expected ${Object.keys(SET_FLAG_BITS).join(", ")}`);
      }
      flags |= bit;
    }
    // The kernel takes NFTA_SET_EXPRESSIONS only with the expr flag (nft sets it then, and only then).
    if ((s.expressions?.length ?? 0) > 1) flags |= SET_FLAG_BITS.expr;
    const id = this.#nextId++;
    const order = (host: boolean | undefined) => new Uint8Array([host ? 1 : 2, 0, 0, 0]);
    const udata: [number, Uint8Array | string][] = [[0, order(s.keyHostOrder)]];
    if (s.dataType !== undefined) udata.push([1, order(s.dataHostOrder)]);
    if (s.autoMerge) udata.push([UDATA_MERGE_ELEMENTS, new Uint8Array([1, 0, 0, 0])]);
    if (s.keyTypeof) udata.push([UDATA_KEY_TYPEOF, s.keyTypeof]);
    if (s.dataTypeof) udata.push([UDATA_DATA_TYPEOF, s.dataTypeof]);
    if (s.dataInterval !== undefined) {
      udata.push([UDATA_DATA_INTERVAL, new Uint8Array([s.dataInterval ? 1 : 0, 0, 0, 0])]);
    }
    if (s.comment !== undefined) udata.push([UDATA_SET_COMMENT, s.comment]);
    const b = this.#msg(NFT_MSG.NFT_MSG_NEWSET, NLM_F_CREATE | (create ? NLM_F_EXCL : 0), s.family);
    b.attrs(NFTA_SET_TABLE, {
      table: s.table,
      name: s.name,
      flags: bitNamesOf(flags),
      keyType: s.keyType,
      keyLen: s.keyLen,
      dataType: s.dataType,
      dataLen: s.dataLen,
      objType: s.objType,
      policy: s.policy,
      desc: s.size !== undefined || s.fieldLengths
        ? { size: s.size, concat: s.fieldLengths?.map((len) => ({ len })) }
        : undefined,
      id,
      timeout: s.timeout,
      gcInterval: s.gcInterval,
      userdata: buildUdata(udata),
      // One as NFTA_SET_EXPR, more as NFTA_SET_EXPRESSIONS: as nft sends them.
      expr: s.expressions?.length === 1 ? s.expressions[0] : undefined,
      expressions: (s.expressions?.length ?? 0) > 1 ? s.expressions : undefined,
    });
    this.#add(b, `set ${s.family} ${s.table} ${s.name}`);
    return id;
  }

  /** Deletes a set or map, by name or handle. */
  deleteSet(s: { family: string; table: string; name?: string; handle?: number }): this {
    return this.#deleteNamed(
      NFT_MSG.NFT_MSG_DELSET,
      NFTA_SET_TABLE,
      s,
      { table: s.table },
      `set ${s.family} ${s.table}`,
    );
  }

  /** Removes every element of a set. */
  flushSet(s: { family: string; table: string; name: string }): this {
    const b = this.#msg(NFT_MSG.NFT_MSG_DELSETELEM, 0, s.family).attrs(NFTA_SET_ELEM_LIST_TABLE, {
      table: s.table,
      set: s.name,
    });
    return this.#add(b, `set ${s.family} ${s.table} ${s.name}`);
  }

  /**
   * Adds elements (split over messages of at most 60 KB); `setId` names a set
   * added in this batch; `create` fails when one exists (nft's `create element`).
   */
  addElements(
    ref: { family: string; table: string; set: string; setId?: number },
    elements: readonly NftElement[],
    create = false,
  ): this {
    const flags = NLM_F_CREATE | (create ? NLM_F_EXCL : 0);
    return this.#elements(NFT_MSG.NFT_MSG_NEWSETELEM, flags, ref, elements);
  }

  /**
   * Adds (or with `remove`, deletes) elements that are bare keys of
   * `keyLen` bytes each, packed one after another in `keys` (a block list):
   * the messages {@link addElements} writes for `{ key: { value } }`
   * elements, without an object per element.
   */
  addElementKeys(
    ref: { family: string; table: string; set: string; setId?: number },
    keys: Uint8Array,
    keyLen: number,
    remove = false,
  ): this {
    if (!Number.isInteger(keyLen) || keyLen < 1 || keys.length % keyLen) {
      throw new InvalidArgumentError(`Cannot split ${keys.length} bytes into keys of ${keyLen} bytes`);
    }
    // As many per message as #elements puts there (its estimate for a bare key).
    const step = Math.floor(ELEMENT_BYTES / (24 + keyLen)) * keyLen;
    for (let at = 0; at < keys.length; at += step) {
      const end = Math.min(at + step, keys.length);
      const type = remove ? NFT_MSG.NFT_MSG_DELSETELEM : NFT_MSG.NFT_MSG_NEWSETELEM;
      const b = this.#msg(type, remove ? 0 : NLM_F_CREATE, ref.family);
      b.attrs(NFTA_SET_ELEM_LIST_TABLE, { table: ref.table, set: ref.set });
      b.attr(NFTA_SET_ELEM_LIST_TABLE.elements.type, () => buildPackedKeys(b, keys, keyLen, at, end));
      if (ref.setId !== undefined) b.attrs(NFTA_SET_ELEM_LIST_TABLE, { setId: ref.setId });
      this.#add(b, `elements of set ${ref.family} ${ref.table} ${ref.set}`);
    }
    return this;
  }

  /** Deletes elements. */
  deleteElements(ref: { family: string; table: string; set: string }, elements: readonly NftElement[]): this {
    return this.#elements(NFT_MSG.NFT_MSG_DELSETELEM, 0, ref, elements);
  }

  #elements(
    type: number,
    flags: number,
    ref: { family: string; table: string; set: string; setId?: number },
    elements: readonly NftElement[],
  ): this {
    let chunk: NftElement[] = [];
    let bytes = 0;
    const flush = () => {
      const b = this.#msg(type, flags, ref.family).attrs(NFTA_SET_ELEM_LIST_TABLE, {
        table: ref.table,
        set: ref.set,
        setId: ref.setId,
        elements: chunk,
      } as Attrs<typeof NFTA_SET_ELEM_LIST_TABLE>);
      this.#add(b, `elements of set ${ref.family} ${ref.table} ${ref.set}`);
      chunk = [];
      bytes = 0;
    };
    for (const e of elements) {
      const size = 24 + (e.key?.value?.length ?? 0) + (e.keyEnd?.value?.length ?? 0) + (e.data ? 40 : 0) +
        (e.userdata?.length ?? 0) + (e.timeout !== undefined ? 12 : 0) + (e.expr ? 80 : 0) +
        (e.expressions?.length ?? 0) * 80;
      if (bytes + size > ELEMENT_BYTES && chunk.length) flush();
      chunk.push(e);
      bytes += size;
    }
    if (chunk.length) flush();
    return this;
  }

  /** Adds a stateful object. */
  addObject(o: NftObjectSpec, create = false): this {
    checkKeys(o, ["family", "table", "name", "type", "data", "comment"], "an object");
    const b = this.#msg(NFT_MSG.NFT_MSG_NEWOBJ, NLM_F_CREATE | (create ? NLM_F_EXCL : 0), o.family);
    b.attrs(NFTA_OBJ_TABLE, {
      table: o.table,
      name: o.name,
      type: o.type,
      data: objDataBytes(o.type, o.data),
      userdata: o.comment === undefined ? undefined : buildUdata([[UDATA_COMMENT, o.comment]]),
    });
    return this.#add(b, `${o.type} ${o.family} ${o.table} ${o.name}`);
  }

  /** Adds a flowtable (`create`: fail if it exists). */
  addFlowtable(f: NftFlowtableSpec, create = false): this {
    checkKeys(f, ["family", "table", "name", "priority", "devices", "flags"], "a flowtable");
    for (const flag of f.flags ?? []) {
      if (flag !== "offload" && flag !== "counter") {
        throw new InvalidArgumentError(`Cannot use flowtable flag "${flag}": expected offload, counter`);
      }
    }
    const b = this.#msg(NFT_MSG.NFT_MSG_NEWFLOWTABLE, NLM_F_CREATE | (create ? NLM_F_EXCL : 0), f.family);
    b.attrs(NFTA_FLOWTABLE_TABLE, {
      table: f.table,
      name: f.name,
      // Flowtables hook netdev ingress (NF_NETDEV_INGRESS, 0) in every family.
      hook: { num: 0, priority: f.priority ?? 0, devs: f.devices?.length ? { name: f.devices } : undefined },
      flags: f.flags ?? [],
    });
    return this.#add(b, `flowtable ${f.family} ${f.table} ${f.name}`);
  }

  /** Deletes a flowtable, by name or handle. */
  deleteFlowtable(f: { family: string; table: string; name?: string; handle?: number }): this {
    const what = `flowtable ${f.family} ${f.table}`;
    return this.#deleteNamed(NFT_MSG.NFT_MSG_DELFLOWTABLE, NFTA_FLOWTABLE_TABLE, f, { table: f.table }, what);
  }

  /** Deletes a stateful object, by name or handle. */
  deleteObject(o: { family: string; table: string; name?: string; handle?: number; type: string }): this {
    const keys = { table: o.table, type: o.type };
    return this.#deleteNamed(NFT_MSG.NFT_MSG_DELOBJ, NFTA_OBJ_TABLE, o, keys, `${o.type} ${o.family} ${o.table}`);
  }

  /**
   * The batch's messages, framed by `BATCH_BEGIN` (with `genId`) and
   * `BATCH_END`. Only the last change asks for an ack: the kernel reports
   * every failure anyway, before that ack, so thousands of acks are saved.
   */
  messages(genId?: number, check = false): Uint8Array[] {
    const out = nfnlBatch(NFNL_SUBSYS_NFTABLES, this.#messages, genId);
    if (check) out.pop(); // no BATCH_END: the kernel validates, then aborts (nft -c)
    const lastAt = out.length - (check ? 1 : 2);
    const last = out[lastAt].slice();
    last[6] |= NLM_F_ACK;
    out[lastAt] = last;
    return out;
  }

  /** Sends the batch on `socket` and waits for every ack. */
  async commitOn(socket: NetlinkSocket, genId?: number, check = false): Promise<void> {
    if (!this.#messages.length) return;
    try {
      await socket.requestBatch(this.messages(genId, check));
    } catch (e) {
      throw this.#named(e);
    }
  }

  /** Commits the batch: all changes, or none and an {@link NftTransactionError}. */
  async commit(opts: CommitOptions = {}): Promise<void> {
    checkKeys(opts, ["netns", "socket", "genId", "check"], "commit");
    const { genId, check, ...sock } = opts;
    await withNftSocket(sock, (s) => this.commitOn(s, genId, check));
  }

  #named(e: unknown): unknown {
    if (!(e instanceof BatchError)) return e;
    const failures = e.failures.map(({ index, error }) => ({
      index,
      error,
      object: index === 0 ? "batch (generation check)" : this.#objects[index - 1] ?? `message ${index}`,
      ...pointedAt(this.#messages[index - 1], error instanceof NetlinkError ? error.offset : undefined),
    }));
    return failures.length && failures.every((f) => f.error instanceof NetlinkError)
      ? new NftTransactionError(failures)
      : e;
  }
}

/**
 * What the kernel's ack offset points at in `message`: the top-level
 * attribute that starts there, or the element of an element list it falls in.
 */
function pointedAt(
  message: Uint8Array | undefined,
  offset: number | undefined,
): Pick<NftFailure, "attribute" | "element"> {
  if (!message || offset === undefined) return {};
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const type = message[4]; // the low byte of nlmsg_type (little-endian): NFT_MSG_*
  // After the netlink header (16 bytes) and nfgenmsg (4).
  for (let p = 20; p + 4 <= message.length;) {
    const len = view.getUint16(p, true), attr = view.getUint16(p + 2, true) & NLA_TYPE_MASK;
    if (len < 4) return {};
    if (p === offset) return { attribute: attr };
    const elements = (type === NFT_MSG.NFT_MSG_NEWSETELEM || type === NFT_MSG.NFT_MSG_DELSETELEM) &&
      attr === NFTA_SET_ELEM_LIST_TABLE.elements.type;
    if (elements && offset > p && offset < p + len) {
      for (let q = p + 4, k = 0; q + 4 <= p + len; k++) {
        const n = view.getUint16(q, true);
        if (n < 4) return {};
        if (offset >= q && offset < q + n) return { attribute: attr, element: k };
        q += (n + 3) & ~3;
      }
    }
    p += (len + 3) & ~3;
  }
  return {};
}

function bitNamesOf(flags: number): string[] {
  return Object.entries(SET_FLAG_BITS).filter(([, bit]) => flags & bit).map(([name]) => name);
}
