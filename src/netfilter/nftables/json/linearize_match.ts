/**
 * nft's JSON `match` statements and anonymous sets: the second layer of
 * the rule encoder (see `linearize.ts`).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { NFT_REG_1 } from "../consts.ts";
import { type ElementShape, elementsOf, isObj, keyLen, keyRange, typeSize, withFirstSegment } from "./values.ts";
import { keyOrder } from "./elements.ts";
import { icmpContext } from "./fields.ts";
import { concatId, type Json, type NftType, typeByName } from "./types.ts";
import { isFlagType, parseValue } from "./value_codec.ts";
import { anonSetTypeof } from "./set_typeof.ts";
import { AutoMerge } from "./automerge.ts";
import { objTypeId } from "../expr/names.ts";
import {
  checkObjKeys,
  CMP_OPS,
  ETHER_TYPES,
  hasInterval,
  L4,
  l4Name,
  type Loaded,
  PROTOCOL_FIELDS,
  singleton,
  VLAN_TYPES,
} from "./linearize_base.ts";
import { LoadEncoder } from "./linearize_load.ts";

type Obj = { [k: string]: Json };

/**
 * The second layer of a rule's encoder: matches (`==`, `!=`, `in`, sets,
 * maps) and what they teach the protocol context.
 */
export abstract class MatchEncoder extends LoadEncoder {
  /** Adds an anonymous set for `elems` keyed like `l` (loaded from `keyJson`); returns its lookup name and id. */
  override anonSet(
    l: Loaded,
    elems: Json[],
    keyJson: Json,
    data?: ElementShape["data"],
    reg = NFT_REG_1,
    objType?: number,
  ): { set: string; setId: number } {
    let key = (l as Loaded & { concat?: NftType[] }).concat ?? [l.type];
    const interval = elems.some((x) => hasInterval(data ? (Array.isArray(x) ? x[0] : x) : x));
    if (interval && key.length === 1 && key[0].host && key[0].kind !== "string" && l.len > 1) {
      // Intervals are ordered in network byte order: a host-order key (`meta length`) is converted first.
      this.emit({ name: "byteorder", sreg: reg, dreg: reg, op: "hton", len: l.len, size: l.len });
      key = [{ ...key[0], host: false }];
    }
    // A header field narrower than its bytes (`ip dscp`, `ip length`): keys take the field's bytes, shifted into place.
    const single = key.length === 1 ? [{ ...key[0], size: l.len }] : key;
    let elements = elementsOf({ key: single, data, interval }, this.ifindexKeys(key, elems, data));
    // nft merges an anonymous set's overlapping and adjacent ranges (`{ 1-128, 1 }` is `{ 1-128 }`).
    if (interval && !data && key.length === 1) elements = new AutoMerge().add("", elements).add;
    if (key.length === 1 && key[0].bits && !interval) {
      // nft adds them in the order written, and lists flags that sort alike (`syn`, `syn | ack`) in the reverse
      // of that: nlkit adds an anonymous set's in value order, which nft's JSON listing applied again keeps.
      elements = keyOrder(elements.length, (i) => elements[i].key?.value, key[0].host === true).map((i) => elements[i]);
    }
    if (l.bits !== undefined) {
      for (const e of elements) if (e.key?.value) e.key = { value: this.shifted(l, e.key.value) };
    }
    // A concatenation's ranges carry their own ends: only one field's have nft's first segment.
    if (interval && key.length === 1) elements = withFirstSegment(elements);
    const { family, table, tx } = this.ctx;
    const objects = data !== undefined && "objref" in data;
    const flags = [
      "anonymous",
      "constant",
      ...(interval ? ["interval"] : []),
      ...(data ? [objects ? "object" : "map"] : []),
    ];
    if (interval && key.length > 1) flags.push("concat");
    const keyLen = key.length > 1 ? key.reduce((n, t) => n + ((typeSize(t) + 3) & ~3), 0) : l.len;
    const dataSpec = !data
      ? {}
      : "objref" in data
      ? { objType }
      : "verdict" in data
      ? { dataType: 0xffffff00, dataLen: 16 }
      : {
        dataType: concatId(data.types),
        // One value takes its own size (`ct zone`: 2 bytes); a concatenation pads each field to 4; a range twice that.
        dataLen: (data.interval ? 2 : 1) *
          (data.types.length === 1
            ? typeSize(data.types[0])
            : data.types.reduce((n, t) => n + ((typeSize(t) + 3) & ~3), 0)),
      };
    // nft's names: maps and maps of objects apart from sets (listings tell them by their flags alone).
    const template = objects ? "__objmap%d" : data ? "__map%d" : "__set%d";
    const name = this.ctx.anonName?.(template) ?? template;
    const setId = tx.addSet({
      family,
      table,
      name,
      keyType: concatId(key),
      keyLen,
      flags,
      size: elements.length, // as nft: what is sent, ends and first segment included
      fieldLengths: interval && key.length > 1 ? key.map(typeSize) : undefined,
      keyHostOrder: key.length === 1 && key[0].host === true,
      dataHostOrder: !!data && "types" in data && data.types.length === 1 && data.types[0].host === true,
      // nft sizes a concatenation's fields by their types, and an integer has none: it needs the typeof.
      ...(key.some((t) => t.name === "integer") ? anonSetTypeof(keyJson, !!data && "verdict" in data) : {}),
      dataInterval: data ? "types" in data && data.interval === true : undefined,
      ...dataSpec,
      // Named here, it must be new: a set of that name made meanwhile fails the batch rather than joins it.
    }, name !== template);
    tx.addElements({ family, table, set: name, setId }, elements);
    return { set: name, setId };
  }

  /** `counter name ip saddr map @m` (`{"counter": {"map": {...}}}`): the object named by a map of `kind` objects. */
  objMap(kind: string, v: Obj): void {
    checkObjKeys(v, ["map"], kind);
    const m = v.map as Obj;
    if (!isObj(m)) throw new InvalidArgumentError(`Cannot use ${kind} map ${JSON.stringify(m)}: expected {key, data}`);
    checkObjKeys(m, ["key", "data"], `${kind} map`);
    const l = this.loadKey(m.key, m.data, true);
    if (typeof m.data === "string" && m.data.startsWith("@")) {
      return this.emit({ name: "objref", setSreg: NFT_REG_1, setName: m.data.slice(1) });
    }
    if (!isObj(m.data) || !("set" in m.data)) {
      throw new InvalidArgumentError(`Cannot use ${kind} map data ${JSON.stringify(m.data)}: expected @map or a set`);
    }
    const elems = Array.isArray(m.data.set) ? m.data.set : [m.data.set];
    const { set, setId } = this.anonSet(l, elems, m.key, { objref: true }, NFT_REG_1, objTypeId(kind));
    this.emit({ name: "objref", setSreg: NFT_REG_1, setName: set, setId });
  }

  /**
   * nft 1.0.6 lists `meta nfproto ipv4 ct original saddr 1.2.3.4` of an inet
   * table as `ct saddr` alone (and then refuses its own JSON): the address
   * says which protocol it is, and the dependency nft wrote is written again.
   */
  ctAddrDependency(left: Json, right: Json): void {
    if (this.ctx.family !== "inet" || this.proto.nh !== undefined || !isObj(left) || !isObj(left.ct)) return;
    if (left.ct.key !== "saddr" && left.ct.key !== "daddr") return;
    const addr = isObj(right) && isObj(right.prefix) ? right.prefix.addr : right;
    if (typeof addr !== "string") return;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) this.depend("ip");
    else if (addr.includes(":")) this.depend("ip6");
  }

  match(m: Obj): void {
    checkObjKeys(m, ["op", "left", "right"], "a match");
    const op = String(m.op ?? "==");
    if (!Object.hasOwn(CMP_OPS, op)) {
      throw new InvalidArgumentError(`Cannot use operator "${op}": expected ${Object.keys(CMP_OPS).join(", ")}`);
    }
    this.ctAddrDependency(m.left, m.right);
    const right = singleton(m.right);
    let l = this.loadKey(m.left, right, false);
    const reg = NFT_REG_1;
    const ordered = ["<", ">", "<=", ">="].includes(op) || (isObj(right) && "range" in right);
    if (ordered && l.type.host && l.type.kind !== "string" && l.len > 1) {
      // The kernel compares bytes: nft turns a host-order value (`meta mark > 0x10`) to network order first.
      this.emit({ name: "byteorder", sreg: reg, dreg: reg, op: "hton", len: l.len, size: l.len });
      l = { ...l, type: { ...l.type, host: false } };
    }
    if (typeof right === "string" && right.startsWith("@")) {
      // The kernel reads the set's key length from the register: a wider or narrower left side would match on
      // the wrong bytes (`ip6 daddr @v4set`), where nft refuses the datatype mismatch.
      const key = this.ctx.sets?.get(right.slice(1))?.key;
      const klen = key && keyLen(key);
      if (klen !== undefined && klen !== l.len) {
        throw new InvalidArgumentError(
          `Cannot look up ${l.len} bytes of ${l.type.name} in ${right}: its key is ${
            key!.map((t) => t.name).join(" . ")
          } (datatype mismatch)`,
        );
      }
      this.emit({ name: "lookup", sreg: reg, set: right.slice(1), flags: op === "!=" ? ["inv"] : undefined });
      return;
    }
    if (isObj(right) && "set" in right) {
      const elems = Array.isArray(right.set) ? right.set : [right.set];
      // Each type of an ICMP type set sets the message type in turn (nft's relational_expr_pctx_update).
      if (op === "==" || op === "in") { for (const x of elems) this.noteIcmpType(m.left, l, x); }
      const { set, setId } = this.anonSet(l, elems, m.left);
      this.emit({ name: "lookup", sreg: reg, set, setId, flags: op === "!=" ? ["inv"] : undefined });
      if (op === "==") this.noteContext(m.left, right, op, l); // `meta l4proto { tcp, udp }`
      return;
    }
    if (isObj(right) && "range" in right) {
      let [lo, hi] = keyRange([{ ...l.type, size: l.len }], right);
      if (l.bits !== undefined) [lo, hi] = [this.shifted(l, lo), this.shifted(l, hi)]; // a sub-byte field's ends, moved into place
      if (op === "!=") {
        this.emit({ name: "range", sreg: reg, op: "neq", fromData: { value: lo }, toData: { value: hi } });
      } else {
        this.emit({ name: "cmp", sreg: reg, op: "gte", data: { value: lo } });
        this.emit({ name: "cmp", sreg: reg, op: "lte", data: { value: hi } });
      }
      return;
    }
    if (isObj(right) && "prefix" in right) {
      const p = right.prefix as Obj;
      const len = p.len as number;
      const [lo] = keyRange([{ ...l.type, size: l.len }], right);
      if (!l.type.host && len % 8 === 0 && len > 0) {
        // A byte-aligned prefix of a network-order value compares only its bytes (and loads only them).
        if (l.payload) l.payload.len = len / 8;
        this.emit({ name: "cmp", sreg: reg, op: CMP_OPS[op], data: { value: lo.subarray(0, len / 8) } });
      } else {
        let mask = new Uint8Array(l.len);
        for (let i = 0; i < len; i++) mask[i >> 3] |= 0x80 >> (i & 7);
        if (l.type.host) mask = mask.reverse(); // `meta mark 0xffffff00/24`: the mask of a host-order number
        this.mask(reg, mask);
        const value = l.type.host ? parseValue(l.type, p.addr, l.len).map((b, i) => b & mask[i]) : lo;
        this.emit({ name: "cmp", sreg: reg, op: CMP_OPS[op], data: { value } });
      }
      return;
    }
    // `in` (nft's implicit operator) tests flags; `==` compares the whole value (`tcp flags == syn`).
    if (isFlagType(l.type) && !l.mask && (op === "in" || op === "!" || m.op === undefined)) {
      // Flag tests: any of the named bits set (or none of them, with !).
      const mask = parseValue(l.type, right, l.len);
      this.mask(reg, mask);
      this.emit({ name: "cmp", sreg: reg, op: op === "!" ? "eq" : "neq", data: { value: new Uint8Array(l.len) } });
      return;
    }
    if (op === "!") throw new InvalidArgumentError(`Cannot use operator "!" on ${l.type.name}: it is not a bitmask`);
    if (typeof right === "boolean" && l.present) {
      l.present();
      this.emit({
        name: "cmp",
        sreg: reg,
        op: CMP_OPS[op],
        data: { value: parseValue(typeByName("boolean"), right, l.len) },
      });
      return;
    }
    const value = this.value(l, right);
    this.emit({ name: "cmp", sreg: reg, op: CMP_OPS[op], data: { value } });
    if (l.payload && this.out.at(-2) === l.payload) {
      const p = isObj(m.left) && isObj(m.left.payload) ? m.left.payload : {};
      this.merge.add(this.out, PROTOCOL_FIELDS.includes(`${p.protocol} ${p.field}`));
    }
    this.noteContext(m.left, right, op, l);
  }

  /** `icmp type X` sets the ICMP message type that later fields need. */
  noteIcmpType(left: Json, l: Loaded, v: Json): void {
    const p = isObj(left) && isObj(left.payload) ? left.payload : undefined;
    if (p?.field !== "type" || (p.protocol !== "icmp" && p.protocol !== "icmpv6") || isObj(v)) return;
    this.icmpType = icmpContext(p.protocol, this.value(l, v)[0]);
  }

  /** A match on the protocol itself sets the rule's context, so no dependency is added again. */
  noteContext(left: Json, right: Json, op: string, l: Loaded): void {
    if (op === "==" || op === "in") this.noteIcmpType(left, l, right);
    if (op !== "==" || !isObj(left)) return;
    const meta = isObj(left.meta) ? left.meta.key : undefined;
    const pl = isObj(left.payload) ? `${left.payload.protocol} ${left.payload.field}` : undefined;
    if (meta === "nfproto" && (right === "ipv4" || right === "ipv6")) this.proto.nh = right === "ipv4" ? "ip" : "ip6";
    // `meta protocol ip` in a bridge or netdev chain: the very match a field of ip would depend on.
    const fam = this.ctx.family;
    if (meta === "protocol" && (fam === "bridge" || fam === "netdev") && (right === "ip" || right === "ip6")) {
      this.proto.nh = right;
    }
    // `meta iiftype ether` is the dependency of ethernet fields (and the reason to name ip by `ether type`).
    if (meta === "iiftype" && (right === "ether" || right === 1) && this.proto.ll === undefined) {
      this.proto.ll = "ether";
    }
    // A written `ether type 8021q` is the vlan header's dependency already.
    if ((pl === "ether type" || pl === "vlan type") && VLAN_TYPES.includes(right as string | number)) {
      [this.proto.ll, this.vlans] = ["vlan", this.vlans + 1]; // one more vlan tag: its fields come 4 bytes later
    } else if ((pl === "vlan type" && this.proto.ll === "vlan") || (pl === "ether type" && this.proto.ll !== "vlan")) {
      // `vlan type ip`, `ether type ip6`: what follows is that network header.
      const nh = Object.entries(ETHER_TYPES).find(([n, t]) => right === n || right === t)?.[0];
      if (nh && this.proto.nh === undefined) this.proto.nh = nh;
      if (pl === "ether type") this.etherTyped = true;
    }
    // The first transport match sets it: `meta l4proto tcp meta l4proto udp udp dport 1` conflicts, as in nft.
    if ((meta === "l4proto" || pl === "ip protocol" || pl === "ip6 nexthdr") && this.proto.th === undefined) {
      const name = l4Name(right);
      if (name in L4) this.proto.th = name;
      // `meta l4proto { tcp, udp }`: some transport header, enough for nat ports and `th` fields.
      const set = isObj(right) && Array.isArray(right.set) ? right.set.map(l4Name) : undefined;
      if (set?.length && set.every((x) => x in L4)) [this.proto.th, this.thSet] = ["th", set];
    }
  }

  /** Loads a statement value (an expression or a literal typed like `target`) into register `reg`. */
  valueInto(v: Json, target: NftType, len: number, reg: number): Loaded | undefined {
    if (isObj(v) && !("prefix" in v) && !("range" in v)) return this.load(v, (reg - NFT_REG_1) * 4, target);
    this.emit({ name: "immediate", dreg: reg, data: { value: parseValue(target, v, len) } });
    return undefined;
  }
}
