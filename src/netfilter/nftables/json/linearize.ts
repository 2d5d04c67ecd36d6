/**
 * nft's JSON statements to kernel expressions: the reverse of
 * `rule_json.ts`. Header matches get the protocol dependencies nft adds
 * (`meta nfproto`, `meta l4proto`, `meta iiftype`), anonymous sets become
 * sets added in the same transaction.
 *
 * @module
 */

import { InvalidArgumentError, linkNotFound } from "../../../errors.ts";
import { NFT_REG32_00, NFT_REG_1 } from "../consts.ts";
import type { NftExpr, NftKnownExpr } from "../expr/registry.ts";
import type { NftTransaction } from "../transaction.ts";
import { type ElementShape, elementsOf, isObj, keyRange, typeSize } from "./values.ts";
import { CT_TYPES, HEADER_FIELDS, META_TYPES } from "./fields.ts";
import { concatId, type Json, type NftType, numberToBytes, parseValue, typeByName } from "./types.ts";
import { verdictOf } from "./verdict.ts";

type Obj = { [k: string]: Json };

/** Where a rule goes, and the transaction its anonymous sets join. */
export interface LinearizeContext {
  /** The table family. */
  family: string;
  /** The table. */
  table: string;
  /** The transaction the rule is added in (anonymous sets are added to it first). */
  tx: NftTransaction;
  /** Interface indexes by name, for `meta iif`/`oif` given by name. */
  ifindexes?: ReadonlyMap<string, number>;
  /** Shapes of the table's named sets and maps, for `map @name` values. */
  sets?: ReadonlyMap<string, ElementShape>;
}

/** A loaded value: which register, how long, of which type and byte order. */
interface Loaded {
  type: NftType;
  len: number;
  /** Bits to shift a value left and the mask, for a sub-byte field. */
  shift?: number;
  mask?: Uint8Array;
  /** A payload field (a prefix may shorten its load). */
  payload?: Extract<NftKnownExpr, { name: "payload" }>;
}

const L4 = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 } as const;
const CMP_OPS: Record<string, string> = {
  "==": "eq",
  "!=": "neq",
  "<": "lt",
  "<=": "lte",
  ">": "gt",
  ">=": "gte",
  in: "eq",
  "!": "eq",
};
const UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };
const BYTE_UNITS: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 * 1024 };
const LOG_LEVELS = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"];
const ICMP_CODE_TYPES: Record<string, string> = { icmpx: "icmpx_code", icmp: "icmp_code", icmpv6: "icmpv6_code" };

/** Register number of 4-byte slot `slot` (slot 0 is `NFT_REG_1`, as nft allocates). */
function regOf(slot: number): number {
  return slot === 0 ? NFT_REG_1 : NFT_REG32_00 + slot;
}

function only(o: Obj, what: string): [string, Json] {
  const keys = Object.keys(o);
  if (keys.length !== 1) throw new InvalidArgumentError(`Cannot use ${what} ${JSON.stringify(o)}: expected one key`);
  return [keys[0], o[keys[0]]];
}

function checkObjKeys(o: Obj, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw new InvalidArgumentError(`Cannot use "${k}" in ${what}: expected ${allowed.join(", ")}`);
    }
  }
}

function bytesOf(n: number, len: number): Uint8Array {
  return numberToBytes(n, len, false);
}

class RuleEncoder {
  out: NftExpr[] = [];
  proto: { ll?: string; nh?: string; th?: string } = {};
  constructor(readonly ctx: LinearizeContext) {
    if (ctx.family === "ip") this.proto.nh = "ip";
    if (ctx.family === "ip6") this.proto.nh = "ip6";
    if (ctx.family === "bridge") this.proto.ll = "ether";
  }

  emit(e: NftExpr): void {
    this.out.push(e);
  }

  /** `reg &= mask` (nft's bitwise with a zero xor). */
  mask(reg: number, mask: Uint8Array): void {
    this.emit({
      name: "bitwise",
      sreg: reg,
      dreg: reg,
      len: mask.length,
      mask: { value: mask },
      xor: { value: new Uint8Array(mask.length) },
    });
  }

  cmpEq(sreg: number, value: Uint8Array): void {
    this.emit({ name: "cmp", sreg, op: "eq", data: { value } });
  }

  /** Adds the matches a header field depends on, unless the rule already has them. */
  depend(protocol: string): void {
    const fam = this.ctx.family;
    if (protocol === "ether" || protocol === "vlan") {
      if (this.proto.ll === undefined) {
        if (fam === "bridge") this.proto.ll = "ether";
        else {
          this.emit({ name: "meta", dreg: NFT_REG_1, key: "iiftype" });
          this.cmpEq(NFT_REG_1, numberToBytes(1, 2, true));
          this.proto.ll = "ether";
        }
      }
      if (protocol === "vlan" && this.proto.ll !== "vlan") {
        this.emit({ name: "payload", dreg: NFT_REG_1, base: "ll", offset: 12, len: 2 });
        this.cmpEq(NFT_REG_1, bytesOf(0x8100, 2));
        this.proto.ll = "vlan";
      }
      return;
    }
    if (protocol === "ip" || protocol === "ip6") {
      if (this.proto.nh === protocol) return;
      if (this.proto.nh !== undefined) {
        throw new InvalidArgumentError(`Cannot match ${protocol} in a rule about ${this.proto.nh}`);
      }
      if (fam === "inet") {
        this.emit({ name: "meta", dreg: NFT_REG_1, key: "nfproto" });
        this.cmpEq(NFT_REG_1, new Uint8Array([protocol === "ip" ? 2 : 10]));
      } else if (fam === "bridge" || fam === "netdev") {
        this.emit({ name: "meta", dreg: NFT_REG_1, key: "protocol" });
        this.cmpEq(NFT_REG_1, bytesOf(protocol === "ip" ? 0x0800 : 0x86dd, 2));
      } else throw new InvalidArgumentError(`Cannot match ${protocol} in family ${fam}`);
      this.proto.nh = protocol;
      return;
    }
    if (protocol in L4) {
      if (this.proto.th === protocol) return;
      if (protocol === "icmp") this.depend("ip");
      if (protocol === "icmpv6") this.depend("ip6");
      this.emit({ name: "meta", dreg: NFT_REG_1, key: "l4proto" });
      this.cmpEq(NFT_REG_1, new Uint8Array([L4[protocol as keyof typeof L4]]));
      this.proto.th = protocol;
    }
  }

  /** Loads an expression into the register of `slot` (`hint`: the data type a map value must have). */
  load(e: Json, slot: number, hint?: NftType): Loaded {
    const reg = regOf(slot);
    if (!isObj(e)) throw new InvalidArgumentError(`Cannot match on ${JSON.stringify(e)}: expected an expression`);
    const [k, v] = only(e, "expression");
    switch (k) {
      case "payload": {
        const p = v as Obj;
        if (p.protocol === undefined) {
          checkObjKeys(p, ["base", "offset", "len"], "a raw payload");
          const base = String(p.base);
          if (!["ll", "nh", "th", "ih"].includes(base)) {
            throw new InvalidArgumentError(`Cannot use payload base "${base}"`);
          }
          const off = p.offset as number, bits = p.len as number;
          if (off % 8 || bits % 8) throw new InvalidArgumentError("Cannot load a raw payload that is not whole bytes");
          const payload = { name: "payload", dreg: reg, base, offset: off / 8, len: bits / 8 } as const;
          this.emit(payload);
          return { type: { ...typeByName("integer"), host: false, size: bits / 8 }, len: bits / 8 };
        }
        checkObjKeys(p, ["protocol", "field"], "a payload");
        const f = HEADER_FIELDS[String(p.protocol)]?.[String(p.field)];
        if (!f) throw new InvalidArgumentError(`Cannot match on ${p.protocol} ${p.field}: unknown header field`);
        this.depend(f.protocol);
        const start = Math.floor(f.offset / 8);
        const len = Math.ceil((f.offset + f.len) / 8) - start;
        const payload = { name: "payload", dreg: reg, base: f.base, offset: start, len } as const;
        this.emit(payload);
        const type = { ...typeByName(f.type), host: false };
        if (f.offset % 8 === 0 && f.len % 8 === 0) return { type, len, payload };
        const shift = len * 8 - (f.offset - start * 8) - f.len;
        let m = 0n;
        for (let i = 0; i < f.len; i++) m |= 1n << BigInt(shift + i);
        const mask = new Uint8Array(len);
        for (let i = len - 1; i >= 0; i--, m >>= 8n) mask[i] = Number(m & 0xffn);
        this.mask(reg, mask);
        return { type: { ...type, size: len }, len, shift, mask };
      }
      case "meta": {
        const key = String((v as Obj).key);
        checkObjKeys(v as Obj, ["key"], "meta");
        const [tn, len] = META_TYPES[key] ?? [];
        if (!tn) {
          throw new InvalidArgumentError(`Cannot match on meta ${key}: expected ${Object.keys(META_TYPES).join(", ")}`);
        }
        this.emit({ name: "meta", dreg: reg, key });
        return { type: typeByName(tn), len };
      }
      case "ct": {
        const c = v as Obj;
        checkObjKeys(c, ["key", "dir"], "ct");
        const key = String(c.key);
        const [tn, len] = CT_TYPES[key] ?? [];
        if (!tn) {
          throw new InvalidArgumentError(`Cannot match on ct ${key}: expected ${Object.keys(CT_TYPES).join(", ")}`);
        }
        const dir = c.dir === undefined ? undefined : String(c.dir);
        if (dir !== undefined && dir !== "original" && dir !== "reply") {
          throw new InvalidArgumentError(`Cannot use ct direction "${dir}"`);
        }
        this.emit({ name: "ct", dreg: reg, key, direction: dir });
        return { type: typeByName(tn), len };
      }
      case "concat": {
        if (!Array.isArray(v)) throw new InvalidArgumentError("Cannot use a concat that is not a list");
        // Dependencies go first: loading them later would overwrite the fields already loaded.
        for (const x of v) {
          if (isObj(x) && isObj(x.payload) && typeof x.payload.protocol === "string") {
            const f = HEADER_FIELDS[x.payload.protocol]?.[String(x.payload.field)];
            if (f) this.depend(f.protocol);
          }
        }
        const parts: Loaded[] = [];
        let s = slot;
        for (const x of v) {
          const l = this.load(x, s);
          parts.push(l);
          s += (l.len + 3) >> 2;
        }
        const types = parts.map((p) => p.type);
        return { type: { id: concatId(types), name: "concat", size: 0 }, len: (s - slot) * 4, concat: types } as Loaded;
      }
      case "&": {
        const [x, mask] = v as Json[];
        const l = this.load(x, slot);
        const m = parseValue(l.type, mask, l.len);
        this.mask(reg, m);
        return { ...l, mask: m };
      }
      case "map": {
        const m = v as Obj;
        checkObjKeys(m, ["key", "data"], "map");
        const l = this.load(m.key, slot);
        let types: readonly NftType[];
        let ref: { set: string; setId?: number };
        if (typeof m.data === "string" && m.data.startsWith("@")) {
          const shape = this.ctx.sets?.get(m.data.slice(1));
          if (!shape?.data || "verdict" in shape.data) {
            throw new InvalidArgumentError(`Cannot map through ${m.data}: no such map of values`);
          }
          types = shape.data.types;
          ref = { set: m.data.slice(1) };
        } else if (isObj(m.data) && "set" in m.data && hint) {
          types = [hint];
          ref = this.anonSet(l, Array.isArray(m.data.set) ? m.data.set : [m.data.set], { types: [hint] });
        } else throw new InvalidArgumentError(`Cannot map through ${JSON.stringify(m.data)}`);
        const len = types.length === 1 ? typeSize(types[0]) : types.reduce((n, t) => n + ((typeSize(t) + 3) & ~3), 0);
        this.emit({ name: "lookup", sreg: reg, dreg: reg, ...ref });
        return { type: types[0], len, concat: types.length > 1 ? [...types] : undefined } as Loaded;
      }
      case "fib": {
        const f = v as Obj;
        checkObjKeys(f, ["result", "flags"], "fib");
        const result = String(f.result);
        const flags = Array.isArray(f.flags) ? f.flags.map(String) : f.flags === undefined ? [] : [String(f.flags)];
        this.emit({ name: "fib", dreg: reg, result, flags });
        const tn = result === "type" ? "fib_addrtype" : result === "oifname" ? "ifname" : "iface_index";
        return { type: typeByName(tn), len: result === "oifname" ? 16 : 4 };
      }
      case "numgen": {
        const n = v as Obj;
        checkObjKeys(n, ["mode", "mod", "offset"], "numgen");
        this.emit({
          name: "numgen",
          dreg: reg,
          type: String(n.mode),
          modulus: n.mod as number,
          offset: (n.offset ?? 0) as number,
        });
        return { type: typeByName("integer"), len: 4 };
      }
    }
    throw new InvalidArgumentError(`Cannot match on "${k}": expected payload, meta, ct, concat, &, fib or numgen`);
  }

  /** The bytes of a right-hand value for a loaded left side. */
  value(l: Loaded, v: Json): Uint8Array {
    if (l.type.name === "iface_index" && typeof v === "string" && !/^\d+$/.test(v)) {
      const index = this.ctx.ifindexes?.get(v);
      if (index === undefined) throw linkNotFound(v);
      v = index;
    }
    const b = parseValue(l.type, v, l.len);
    if (!l.shift) return b;
    let n = 0n;
    for (const x of b) n = (n << 8n) | BigInt(x);
    n <<= BigInt(l.shift);
    const out = new Uint8Array(l.len);
    for (let i = l.len - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
    return out;
  }

  /** Adds an anonymous set for `elems` keyed like `l`; returns its lookup name and id. */
  anonSet(l: Loaded, elems: Json[], data?: { verdict: true } | { types: NftType[] }): { set: string; setId: number } {
    const key = (l as Loaded & { concat?: NftType[] }).concat ?? [l.type];
    const interval = elems.some((x) => hasInterval(data ? (Array.isArray(x) ? x[0] : x) : x));
    const elements = elementsOf({ key, data, interval }, elems);
    const { family, table, tx } = this.ctx;
    const flags = ["anonymous", "constant", ...(interval ? ["interval"] : []), ...(data ? ["map"] : [])];
    if (interval && key.length > 1) flags.push("concat");
    const keyLen = key.length > 1 ? key.reduce((n, t) => n + ((typeSize(t) + 3) & ~3), 0) : l.len;
    const dataSpec = !data
      ? {}
      : "verdict" in data
      ? { dataType: 0xffffff00, dataLen: 16 }
      : { dataType: concatId(data.types), dataLen: data.types.reduce((n, t) => n + ((typeSize(t) + 3) & ~3), 0) };
    const setId = tx.addSet({
      family,
      table,
      name: "__set%d",
      keyType: concatId(key),
      keyLen,
      flags,
      size: elems.length,
      fieldLengths: interval && key.length > 1 ? key.map(typeSize) : undefined,
      keyHostOrder: key.length === 1 && key[0].host === true,
      ...dataSpec,
    });
    tx.addElements({ family, table, set: "__set%d", setId }, elements);
    return { set: "__set%d", setId };
  }

  match(m: Obj): void {
    checkObjKeys(m, ["op", "left", "right"], "a match");
    const op = String(m.op ?? "==");
    if (!(op in CMP_OPS)) {
      throw new InvalidArgumentError(`Cannot use operator "${op}": expected ${Object.keys(CMP_OPS).join(", ")}`);
    }
    const l = this.load(m.left, 0);
    const right = m.right;
    const reg = NFT_REG_1;
    if (typeof right === "string" && right.startsWith("@")) {
      this.emit({ name: "lookup", sreg: reg, set: right.slice(1), flags: op === "!=" ? ["inv"] : undefined });
      return;
    }
    if (isObj(right) && "set" in right) {
      const elems = Array.isArray(right.set) ? right.set : [right.set];
      const { set, setId } = this.anonSet(l, elems);
      this.emit({ name: "lookup", sreg: reg, set, setId, flags: op === "!=" ? ["inv"] : undefined });
      return;
    }
    if (isObj(right) && "range" in right) {
      const [lo, hi] = keyRange([{ ...l.type, size: l.len }], right);
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
      if (l.payload && len % 8 === 0 && len > 0) {
        l.payload.len = len / 8; // a byte-aligned prefix loads only its bytes
        this.emit({ name: "cmp", sreg: reg, op: CMP_OPS[op], data: { value: lo.subarray(0, len / 8) } });
      } else {
        const mask = new Uint8Array(l.len);
        for (let i = 0; i < len; i++) mask[i >> 3] |= 0x80 >> (i & 7);
        this.mask(reg, mask);
        this.emit({ name: "cmp", sreg: reg, op: CMP_OPS[op], data: { value: lo } });
      }
      return;
    }
    if (l.type.bits && !l.mask && (op === "==" || op === "in" || op === "!")) {
      // Flag tests: any of the named bits set (or none of them, with !).
      const mask = parseValue(l.type, right, l.len);
      this.mask(reg, mask);
      this.emit({ name: "cmp", sreg: reg, op: op === "!" ? "eq" : "neq", data: { value: new Uint8Array(l.len) } });
      return;
    }
    if (op === "!") throw new InvalidArgumentError(`Cannot use operator "!" on ${l.type.name}: it is not a bitmask`);
    const value = this.value(l, right);
    this.emit({ name: "cmp", sreg: reg, op: CMP_OPS[op], data: { value } });
    this.noteContext(m.left, right, op);
  }

  /** A match on the protocol itself sets the rule's context, so no dependency is added again. */
  noteContext(left: Json, right: Json, op: string): void {
    if (op !== "==" || !isObj(left)) return;
    const meta = isObj(left.meta) ? left.meta.key : undefined;
    const pl = isObj(left.payload) ? `${left.payload.protocol} ${left.payload.field}` : undefined;
    if (meta === "nfproto" && (right === "ipv4" || right === "ipv6")) this.proto.nh = right === "ipv4" ? "ip" : "ip6";
    if (meta === "l4proto" || pl === "ip protocol" || pl === "ip6 nexthdr") {
      const name = right === "ipv6-icmp" ? "icmpv6" : String(right);
      if (name in L4) this.proto.th = name;
    }
  }

  /** Loads a statement value (an expression or a literal typed like `target`) into register `reg`. */
  valueInto(v: Json, target: NftType, len: number, reg: number): Loaded | undefined {
    if (isObj(v) && !("prefix" in v) && !("range" in v)) return this.load(v, (reg - NFT_REG_1) * 4, target);
    this.emit({ name: "immediate", dreg: reg, data: { value: parseValue(target, v, len) } });
    return undefined;
  }

  mangle(m: Obj): void {
    checkObjKeys(m, ["key", "value"], "mangle");
    const key = m.key;
    if (!isObj(key)) throw new InvalidArgumentError("Cannot set a value without a key expression");
    if (isObj(key.meta) || isObj(key.ct)) {
      const isMeta = isObj(key.meta);
      const k = String(((isMeta ? key.meta : key.ct) as Obj).key);
      const [tn, len] = (isMeta ? META_TYPES : CT_TYPES)[k] ?? [];
      if (!tn) throw new InvalidArgumentError(`Cannot set ${isMeta ? "meta" : "ct"} ${k}`);
      this.valueInto(m.value, typeByName(tn), len, NFT_REG_1);
      this.emit(isMeta ? { name: "meta", key: k, sreg: NFT_REG_1 } : { name: "ct", key: k, sreg: NFT_REG_1 });
      return;
    }
    if (isObj(key.payload)) {
      const p = key.payload;
      const f = HEADER_FIELDS[String(p.protocol)]?.[String(p.field)];
      if (!f || f.offset % 8 || f.len % 8) throw new InvalidArgumentError(`Cannot set ${p.protocol} ${p.field}`);
      this.depend(f.protocol);
      this.valueInto(m.value, { ...typeByName(f.type), host: false }, f.len / 8, NFT_REG_1);
      const csum = f.protocol === "ip"
        ? { csumType: 1, csumOffset: 10 }
        : f.base === "th" && f.protocol !== "th"
        ? { csumType: 1, csumOffset: f.protocol === "udp" ? 6 : f.protocol === "tcp" ? 16 : 2 }
        : {};
      this.emit({ name: "payload", sreg: NFT_REG_1, base: f.base, offset: f.offset / 8, len: f.len / 8, ...csum });
      return;
    }
    throw new InvalidArgumentError(`Cannot set ${JSON.stringify(key)}`);
  }

  nat(kind: string, n: Obj | null): void {
    const body = n ?? {};
    checkObjKeys(body, ["addr", "port", "family", "flags"], kind);
    const flags = body.flags === undefined
      ? []
      : Array.isArray(body.flags)
      ? body.flags.map(String)
      : [String(body.flags)];
    const natFamily = body.family === "ip6" || this.ctx.family === "ip6" || this.proto.nh === "ip6" ? 10 : 2;
    const addrType = typeByName(natFamily === 10 ? "ipv6_addr" : "ipv4_addr");
    const port = typeByName("inet_service");
    const out: Record<string, unknown> = {};
    let reg = NFT_REG_1;
    const pair = (v: Json, t: NftType, len: number, min: string, max: string) => {
      if (isObj(v) && "range" in v && Array.isArray(v.range)) {
        this.valueInto(v.range[0], t, len, reg);
        this.valueInto(v.range[1], t, len, reg + 1);
        [out[min], out[max]] = [reg, reg + 1];
        reg += 2;
      } else {
        const l = this.valueInto(v, t, len, reg);
        [out[min], out[max]] = [reg, reg];
        reg++;
        // A map to `address . port` fills the port's register too.
        if ((l as { concat?: NftType[] } | undefined)?.concat?.length === 2 && min === "regAddrMin") {
          [out.regProtoMin, out.regProtoMax] = [NFT_REG32_00 + 1, NFT_REG32_00 + 1];
          flags.unshift("proto-specified");
        }
      }
    };
    if (kind === "snat" || kind === "dnat") {
      if (body.addr !== undefined) {
        pair(body.addr, addrType, addrType.size, "regAddrMin", "regAddrMax");
        flags.unshift("map-ips");
      }
    } else if (body.addr !== undefined) throw new InvalidArgumentError(`Cannot give ${kind} an address`);
    if (body.port !== undefined) {
      pair(body.port, port, 2, "regProtoMin", "regProtoMax");
      flags.unshift("proto-specified");
    }
    const f = flags.length ? flags : undefined;
    if (kind === "masquerade") this.emit({ name: "masq", flags: f, ...out });
    else if (kind === "redirect") this.emit({ name: "redir", flags: f, ...out });
    else this.emit({ name: "nat", type: kind, family: natFamily, flags: f, ...out });
  }

  stmt(st: Json): void {
    if (!isObj(st)) throw new InvalidArgumentError(`Cannot use statement ${JSON.stringify(st)}`);
    const [k, v] = only(st, "statement");
    const verdict = verdictOf(st);
    if (verdict) {
      this.emit({ name: "immediate", dreg: 0, data: { verdict } });
      return;
    }
    switch (k) {
      case "match":
        return this.match(v as Obj);
      case "mangle":
        return this.mangle(v as Obj);
      case "counter":
        if (typeof v === "string") return this.emit({ name: "objref", immType: "counter", immName: v });
        checkObjKeys((v ?? {}) as Obj, ["packets", "bytes"], "counter");
        return this.emit({
          name: "counter",
          packets: (v as Obj)?.packets as number ?? 0,
          bytes: (v as Obj)?.bytes as number ?? 0,
        });
      case "quota":
        if (typeof v === "string") return this.emit({ name: "objref", immType: "quota", immName: v });
        return this.emit({ name: "quota", ...quotaAttrs(v as Obj) });
      case "limit":
        if (typeof v === "string") return this.emit({ name: "objref", immType: "limit", immName: v });
        return this.emit({ name: "limit", ...limitAttrs(v as Obj) });
      case "ct helper":
        return this.emit({ name: "objref", immType: "ct helper", immName: String(v) });
      case "log": {
        const l = (v ?? {}) as Obj;
        checkObjKeys(l, ["prefix", "group", "snaplen", "queue-threshold", "level"], "log");
        const level = l.level === undefined
          ? (l.group === undefined ? 4 : undefined)
          : LOG_LEVELS.indexOf(String(l.level));
        if (level === -1) {
          throw new InvalidArgumentError(`Cannot use log level "${l.level}": expected ${LOG_LEVELS.join(", ")}`);
        }
        return this.emit({
          name: "log",
          prefix: l.prefix as string | undefined,
          group: l.group as number | undefined,
          snaplen: l.snaplen as number | undefined,
          qthreshold: l["queue-threshold"] as number | undefined,
          level,
        });
      }
      case "reject": {
        const r = (v ?? {}) as Obj;
        checkObjKeys(r, ["type", "expr"], "reject");
        const fam = this.ctx.family;
        const type = String(r.type ?? (fam === "ip" ? "icmp" : fam === "ip6" ? "icmpv6" : "icmpx"));
        if (type === "tcp reset") {
          this.depend("tcp");
          return this.emit({ name: "reject", type: "tcp reset", icmpCode: 0 });
        }
        const codeType = ICMP_CODE_TYPES[type];
        if (!codeType) {
          throw new InvalidArgumentError(`Cannot reject with "${type}": expected icmpx, icmp, icmpv6 or tcp reset`);
        }
        if (type !== "icmpx" && fam !== "ip" && fam !== "ip6") this.depend(type === "icmp" ? "ip" : "ip6");
        const code = parseValue(typeByName(codeType), r.expr ?? "port-unreachable", 1)[0];
        return this.emit({ name: "reject", type: type === "icmpv6" ? "icmp" : type, icmpCode: code });
      }
      case "snat":
      case "dnat":
      case "masquerade":
      case "redirect":
        return this.nat(k, v as Obj | null);
      case "vmap": {
        const m = v as Obj;
        checkObjKeys(m, ["key", "data"], "vmap");
        const l = this.load(m.key, 0);
        if (typeof m.data === "string" && m.data.startsWith("@")) {
          return this.emit({ name: "lookup", sreg: NFT_REG_1, dreg: 0, set: m.data.slice(1) });
        }
        if (!isObj(m.data) || !("set" in m.data)) {
          throw new InvalidArgumentError("Cannot use a vmap without @map or a set");
        }
        const elems = Array.isArray(m.data.set) ? m.data.set : [m.data.set];
        const { set, setId } = this.anonSet(l, elems, { verdict: true });
        return this.emit({ name: "lookup", sreg: NFT_REG_1, dreg: 0, set, setId });
      }
      case "notrack":
        return this.emit({ name: "notrack" });
      case "ct count": {
        const c = v as Obj;
        checkObjKeys(c, ["val", "inv"], "ct count");
        return this.emit({ name: "connlimit", count: c.val as number, flags: c.inv ? ["inv"] : undefined });
      }
      case "set": {
        const d = v as Obj;
        checkObjKeys(d, ["op", "elem", "set"], "a set statement");
        const op = String(d.op ?? "add");
        if (!["add", "update", "delete"].includes(op)) {
          throw new InvalidArgumentError(`Cannot use set operation "${op}": expected add, update, delete`);
        }
        if (typeof d.set !== "string" || !d.set.startsWith("@")) {
          throw new InvalidArgumentError('Cannot use a set statement without "set": "@name"');
        }
        let key = d.elem;
        let timeout: number | undefined;
        if (isObj(key) && isObj(key.elem)) {
          checkObjKeys(key.elem, ["val", "timeout"], "a set statement's element");
          timeout = key.elem.timeout === undefined ? undefined : (key.elem.timeout as number) * 1000;
          key = key.elem.val;
        }
        this.load(key, 0);
        return this.emit({ name: "dynset", setName: d.set.slice(1), sregKey: NFT_REG_1, op, timeout });
      }
    }
    throw new InvalidArgumentError(`Cannot use statement "${k}"`);
  }
}

function hasInterval(x: Json): boolean {
  if (!isObj(x)) return false;
  if ("prefix" in x || "range" in x) return true;
  if ("elem" in x && isObj(x.elem)) return hasInterval(x.elem.val);
  if ("concat" in x && Array.isArray(x.concat)) return x.concat.some(hasInterval);
  return false;
}

/** The kernel attributes of nft's JSON `limit` (statement or object). */
export function limitAttrs(l: Obj): { rate: number; unit: number; burst: number; type: string; flags?: string[] } {
  checkObjKeys(l, ["rate", "per", "burst", "inv", "rate_unit", "burst_unit"], "limit");
  const per = UNITS[String(l.per ?? "second")];
  if (!per) {
    throw new InvalidArgumentError(`Cannot use limit unit "${l.per}": expected ${Object.keys(UNITS).join(", ")}`);
  }
  const bytes = l.rate_unit !== undefined;
  const scale = (n: Json, u: Json) => {
    const m = BYTE_UNITS[String(u ?? "bytes")];
    if (!m) throw new InvalidArgumentError(`Cannot use byte unit "${u}": expected bytes, kbytes, mbytes`);
    return (n as number) * m;
  };
  return {
    rate: bytes ? scale(l.rate, l.rate_unit) : l.rate as number,
    unit: per,
    burst: bytes ? scale(l.burst ?? 0, l.burst_unit) : (l.burst ?? 5) as number,
    type: bytes ? "bytes" : "pkts",
    flags: l.inv ? ["inv"] : undefined,
  };
}

/** The kernel attributes of nft's JSON `quota` statement. */
export function quotaAttrs(q: Obj): { bytes: number; consumed?: number; flags?: string[] } {
  checkObjKeys(q, ["val", "val_unit", "used", "used_unit", "inv"], "quota");
  const unit = (u: Json) => {
    const m = BYTE_UNITS[String(u ?? "bytes")];
    if (!m) throw new InvalidArgumentError(`Cannot use byte unit "${u}": expected bytes, kbytes, mbytes`);
    return m;
  };
  return {
    bytes: (q.val as number) * unit(q.val_unit),
    consumed: q.used === undefined ? undefined : (q.used as number) * unit(q.used_unit),
    flags: q.inv ? ["inv"] : undefined,
  };
}

/** The expressions of a rule's nft JSON statements (anonymous sets are added to `ctx.tx` first). */
export function ruleExpressions(stmts: readonly Json[], ctx: LinearizeContext): NftExpr[] {
  const e = new RuleEncoder(ctx);
  for (const st of stmts) e.stmt(st);
  return e.out;
}
