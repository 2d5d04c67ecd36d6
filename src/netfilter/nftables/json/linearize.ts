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
import { EXPR_LIST, EXPR_ONE } from "../expr/list.ts";
import { MessageBuilder } from "../../../wire/builder.ts";
import type { NftTransaction } from "../transaction.ts";
import { type ElementShape, elementsOf, isObj, keyRange, typeSize } from "./values.ts";
import { keyOrder } from "./elements.ts";
import {
  CT_TYPES,
  ctAddrType,
  HEADER_FIELDS,
  type HeaderField,
  ICMP_ECHO_REPLY,
  icmpContext,
  LOG_FLAGS,
  LOG_FLAGS_ALL,
  META_JSON_KEYS,
  META_TYPES,
  RT_KEYS,
  SOCKET_TYPES,
  XFRM_KEYS,
} from "./fields.ts";
import { DCCP_OPTION, EXTHDR_KEYS, exthdrByName, type ExthdrOp } from "./exthdr_fields.ts";
import {
  concatId,
  isFlagType,
  type Json,
  msOf,
  type NftType,
  numberToBytes,
  parseValue,
  renderValue,
  typeByName,
} from "./types.ts";
import { verdictOf } from "./verdict.ts";
import { anonSetTypeof } from "./set_typeof.ts";
import { AutoMerge } from "./automerge.ts";
import { withoutOwnProtocol } from "./own_protocol.ts";
import { objTypeId } from "../expr/names.ts";
import { PayloadMerge } from "./payload_merge.ts";

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
  /**
   * Names an anonymous set from its template (`__set%d`) when the caller
   * knows the table's set names (see `AnonNames`); by default the kernel
   * numbers it.
   */
  anonName?: (template: string) => string;
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
  /** Turns the load into a presence test (`fib ... oif missing`), for a boolean right side. */
  present?: () => void;
}

const META_KERNEL_KEYS = Object.fromEntries(Object.entries(META_JSON_KEYS).map(([k, j]) => [j, k]));
const EXTHDR_OPS = Object.fromEntries(Object.entries(EXTHDR_KEYS).map(([op, key]) => [key, op as ExthdrOp]));

/** The fields nft flags as a header's protocol key (proto_key_is_protocol). */
const PROTOCOL_FIELDS: readonly string[] = [
  "ether type",
  "vlan type",
  "ip protocol",
  "ip6 nexthdr",
  "icmp type",
  "icmpv6 type",
  "ah nexthdr",
  "comp nexthdr",
];
/** nft's checksum of each header it writes: `NFT_PAYLOAD_CSUM_*` and the offset in bytes. */
const CSUM: Record<string, [number, number]> = {
  ip: [1, 10],
  icmp: [1, 2],
  igmp: [1, 2],
  udp: [1, 6],
  tcp: [1, 16],
  sctp: [2, 8],
  icmpv6: [1, 2],
};
/** Fields of the transport checksum's pseudo-header (nft's `pseudohdr` of ip and ip6). */
const PSEUDOHDR: readonly string[] = [
  "ip saddr",
  "ip daddr",
  "ip protocol",
  "ip length",
  "ip6 saddr",
  "ip6 daddr",
  "ip6 nexthdr",
  "ip6 length",
];
/** `NFT_PAYLOAD_L4CSUM_PSEUDOHDR`. */
const NFT_PAYLOAD_L4CSUM_PSEUDOHDR = 1;
const IP_KINDS: readonly (string | undefined)[] = ["ip4", "ip6"];
const ETHER_TYPES = { ip: 0x0800, ip6: 0x86dd, arp: 0x0806 } as const;
const VLAN_TYPES: readonly (string | number)[] = ["8021q", "vlan", "8021ad", 0x8100, 0x88a8];
const L4 = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmpv6: 58,
  igmp: 2,
  dccp: 33,
  esp: 50,
  ah: 51,
  comp: 108,
  sctp: 132,
  udplite: 136,
} as const;
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
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(o)} as ${what}: expected an object`);
  }
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
  /** The ICMP(v6) message type the rule matched so far (nft's th_dep.icmp.type; 0: none). */
  icmpType = 0;
  /** vlan tags the rule has matched so far (`ether type 8021ad ... vlan type 8021q`). */
  vlans = 0;
  /** A concatenation loaded now is looked up in intervals: its host-order fields go to network order. */
  #netOrder = false;
  /** The rule's payload matches, joined at the end as nft joins them. */
  readonly merge = new PayloadMerge();
  constructor(readonly ctx: LinearizeContext) {
    if (ctx.family === "ip") this.proto.nh = "ip";
    if (ctx.family === "ip6") this.proto.nh = "ip6";
    if (ctx.family === "arp") this.proto.nh = "arp";
    if (ctx.family === "bridge") this.proto.ll = "ether";
  }

  emit(e: NftExpr): void {
    this.out.push(e);
  }

  /**
   * `x & m`, `x | o`, `x ^ v`, and a left-nested run of them
   * (`(meta mark & 0xffff) | 0x20000`): one bitwise of the run's mask and
   * xor, as nft's netlink_gen_bitwise folds them. A run of `&` alone keeps
   * its mask with the load (a flag type is not masked again).
   */
  bitwise(op: string, v: Json, slot: number): Loaded {
    const run: [string, Json][] = [];
    let x: Json = { [op]: v };
    while (isObj(x) && Object.keys(x).length === 1 && ["&", "|", "^"].includes(Object.keys(x)[0])) {
      const [k] = Object.keys(x);
      const [left, right] = x[k] as Json[];
      run.unshift([k, right]);
      x = left;
    }
    const l = this.load(x, slot);
    const mask = new Uint8Array(l.len).fill(0xff);
    const xor = new Uint8Array(l.len);
    for (const [k, operand] of run) {
      const o = parseValue(l.type, operand, l.len);
      // nft's combine_binop(m, x): xor = x ^ (xor & m), mask &= m.
      for (let i = 0; i < l.len; i++) {
        const [m, x] = k === "&" ? [o[i], 0] : k === "|" ? [~o[i] & 0xff, o[i]] : [0xff, o[i]];
        xor[i] = x ^ (xor[i] & m);
        mask[i] &= m;
      }
    }
    const reg = regOf(slot);
    this.emit({ name: "bitwise", sreg: reg, dreg: reg, len: l.len, mask: { value: mask }, xor: { value: xor } });
    return run.every(([k]) => k === "&") ? { ...l, mask } : l;
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

  /**
   * Adds the matches a header field depends on, unless the rule already has
   * them. `implied`: the network protocol an ICMP or IGMP field implies,
   * which nft names by `ether type` in a bridge (elsewhere `meta protocol`).
   */
  depend(protocol: string, implied = false): void {
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
        this.merge.add(this.out, true);
        [this.proto.ll, this.vlans] = ["vlan", 1];
      }
      return;
    }
    if (protocol === "ip" || protocol === "ip6" || protocol === "arp") {
      if (this.proto.nh === protocol) return;
      if (this.proto.nh !== undefined) {
        throw new InvalidArgumentError(`Cannot match ${protocol} in a rule about ${this.proto.nh}`);
      }
      if (this.proto.ll === "vlan") {
        // Inside vlan tags, the innermost tag's type says what follows: `vlan type ip`.
        this.emit({ name: "payload", dreg: NFT_REG_1, base: "ll", offset: 16 + 4 * (this.vlans - 1), len: 2 });
        this.cmpEq(NFT_REG_1, bytesOf(ETHER_TYPES[protocol], 2));
        this.merge.add(this.out, true);
      } else if (protocol !== "arp" && (fam === "bridge" ? implied : this.proto.ll === "ether")) {
        // The rule is about ethernet already (`meta iiftype ether`, `ether saddr`), or a bridge's ICMP implies ip:
        // the ether type says what follows.
        this.emit({ name: "payload", dreg: NFT_REG_1, base: "ll", offset: 12, len: 2 });
        this.cmpEq(NFT_REG_1, bytesOf(ETHER_TYPES[protocol], 2));
        this.merge.add(this.out, true);
      } else if (fam === "inet" && protocol !== "arp") {
        this.emit({ name: "meta", dreg: NFT_REG_1, key: "nfproto" });
        this.cmpEq(NFT_REG_1, new Uint8Array([protocol === "ip" ? 2 : 10]));
      } else if (fam === "bridge" || fam === "netdev") {
        this.emit({ name: "meta", dreg: NFT_REG_1, key: "protocol" });
        this.cmpEq(NFT_REG_1, bytesOf(ETHER_TYPES[protocol], 2));
      } else throw new InvalidArgumentError(`Cannot match ${protocol} in family ${fam}`);
      this.proto.nh = protocol;
      return;
    }
    if (protocol in L4) {
      if (this.proto.th === protocol) return;
      // Without a network protocol yet, icmp implies ip and icmpv6 ip6; nft links either under both.
      if (this.proto.nh === undefined && (protocol === "icmp" || protocol === "igmp")) this.depend("ip", true);
      if (this.proto.nh === undefined && protocol === "icmpv6") this.depend("ip6", true);
      this.emit({ name: "meta", dreg: NFT_REG_1, key: "l4proto" });
      this.cmpEq(NFT_REG_1, new Uint8Array([L4[protocol as keyof typeof L4]]));
      this.proto.th = protocol;
    }
  }

  /** A reject's dependency, which nft puts at the start of the rule (stmt_reject_gen_dependency). */
  dependFirst(protocol: string): void {
    const at = this.out.length;
    this.depend(protocol);
    if (this.out.length > at) this.out.unshift(...this.out.splice(at));
  }

  /** Adds the matches a header field depends on: its protocol's, and the ICMP message type it belongs to. */
  dependField(f: HeaderField): void {
    this.depend(f.protocol);
    const need = f.icmpType;
    if (need === undefined || this.icmpType === need) return;
    const typeField = HEADER_FIELDS[f.protocol].type;
    const type = { ...typeByName(typeField.type), host: false };
    if (this.icmpType) {
      throw new InvalidArgumentError(
        `Cannot match ${f.protocol} ${f.field} in a rule about ${f.protocol} type ${
          renderValue(type, new Uint8Array([this.icmpType]))
        }: it needs type ${renderValue(type, new Uint8Array([need]))}`,
      );
    }
    this.emit({ name: "payload", dreg: NFT_REG_1, base: "th", offset: 0, len: 1 });
    const reply = ICMP_ECHO_REPLY[need];
    if (reply === undefined) this.cmpEq(NFT_REG_1, new Uint8Array([need]));
    else {
      const keyJson = { payload: { protocol: f.protocol, field: "type" } };
      this.emit({ name: "lookup", sreg: NFT_REG_1, ...this.anonSet({ type, len: 1 }, [need, reply], keyJson) });
    }
    this.icmpType = need;
  }

  /** A raw payload (`@nh,144,48`) as a header field of no protocol. */
  rawField(p: Obj): HeaderField {
    checkObjKeys(p, ["base", "offset", "len"], "a raw payload");
    const base = String(p.base);
    if (!["ll", "nh", "th", "ih"].includes(base)) throw new InvalidArgumentError(`Cannot use payload base "${base}"`);
    const off = p.offset, bits = p.len;
    if (!isBits(off, 0) || !isBits(bits, 1)) {
      throw new InvalidArgumentError(
        `Cannot use raw payload offset ${JSON.stringify(off)} and length ${
          JSON.stringify(bits)
        }: expected whole numbers of bits, a length of 1 to 128`,
      );
    }
    return { protocol: "", field: "", base, offset: off, len: bits, type: "integer" } as HeaderField;
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
          // Bits not on byte boundaries: their bytes are loaded and masked, as a sub-byte field's.
          const f = this.rawField(p);
          const start = Math.floor(f.offset / 8);
          const len = Math.ceil((f.offset + f.len) / 8) - start;
          const payload = { name: "payload", dreg: reg, base: f.base, offset: start, len } as const;
          this.emit(payload);
          const l = this.narrow(f, reg);
          return {
            ...l,
            type: { ...l.type, size: len },
            ...(f.offset % 8 === 0 && f.len % 8 === 0 ? { payload } : {}),
          };
        }
        checkObjKeys(p, ["protocol", "field"], "a payload");
        let f = HEADER_FIELDS[String(p.protocol)]?.[String(p.field)];
        if (!f) throw new InvalidArgumentError(`Cannot match on ${p.protocol} ${p.field}: unknown header field`);
        this.dependField(f);
        // A field of the innermost of stacked vlan tags.
        if (f.protocol === "vlan" && this.vlans > 1) f = { ...f, offset: f.offset + 32 * (this.vlans - 1) };
        const start = Math.floor(f.offset / 8);
        const len = Math.ceil((f.offset + f.len) / 8) - start;
        const payload = { name: "payload", dreg: reg, base: f.base, offset: start, len } as const;
        this.emit(payload);
        const l = this.narrow(f, reg);
        return f.offset % 8 === 0 && f.len % 8 === 0 ? { ...l, payload } : l;
      }
      case "exthdr":
      case "tcp option":
      case "ip option":
      case "sctp chunk":
        return this.exthdr(EXTHDR_OPS[k], v as Obj, reg);
      case DCCP_OPTION:
        return this.dccpOption(v as Obj, reg);
      case "rt": {
        const r = v as Obj;
        checkObjKeys(r, ["key", "family"], "rt");
        // `rt nexthop` without a family takes the table's, or the rule's network protocol, as nft does.
        const fam = r.family !== undefined
          ? String(r.family)
          : r.key === "nexthop"
          ? (["ip", "ip6"].includes(this.ctx.family) ? this.ctx.family : this.proto.nh)
          : undefined;
        const found = Object.entries(RT_KEYS).find(([, [key, , , f]]) => key === r.key && f === fam);
        if (!found) {
          throw new InvalidArgumentError(
            `Cannot match on rt ${JSON.stringify(r)}: expected classid, nexthop (family ip or ip6), mtu or ipsec`,
          );
        }
        const [kkey, [, tn, len]] = found;
        this.emit({ name: "rt", dreg: reg, key: kkey }); // nft adds no dependency for a next hop's family
        return { type: { ...typeByName(tn), size: len }, len };
      }
      case "osf": {
        const o = v as Obj;
        checkObjKeys(o, ["key", "ttl"], "osf");
        if (o.key !== "name" && o.key !== "version") {
          throw new InvalidArgumentError(`Cannot match on osf ${o.key}: expected name or version`);
        }
        if (o.ttl !== undefined && o.ttl !== "loose" && o.ttl !== "skip") {
          throw new InvalidArgumentError(`Cannot use osf ttl "${o.ttl}": expected loose or skip`);
        }
        this.emit({
          name: "osf",
          dreg: reg,
          ttl: o.ttl as string | undefined,
          flags: o.key === "version" ? ["version"] : undefined,
        });
        return { type: typeByName("string"), len: 16 };
      }
      case "socket": {
        const o = v as Obj;
        checkObjKeys(o, ["key"], "socket");
        const [tn, len] = SOCKET_TYPES[String(o.key)] ?? [];
        if (!tn) {
          throw new InvalidArgumentError(
            `Cannot match on socket ${o.key}: expected ${Object.keys(SOCKET_TYPES).join(", ")}`,
          );
        }
        this.emit({ name: "socket", dreg: reg, key: String(o.key) });
        return { type: { ...typeByName(tn), size: len }, len };
      }
      case "ipsec": {
        const o = v as Obj;
        checkObjKeys(o, ["key", "dir", "spnum", "family"], "ipsec");
        const fam = o.family === undefined ? undefined : String(o.family);
        const found = Object.entries(XFRM_KEYS).find(([, [key, , , f]]) => key === o.key && f === fam);
        if (!found) {
          throw new InvalidArgumentError(
            `Cannot match on ipsec ${JSON.stringify(o)}: expected saddr or daddr (family ip or ip6), reqid or spi`,
          );
        }
        const dir = String(o.dir ?? "in");
        if (dir !== "in" && dir !== "out") {
          throw new InvalidArgumentError(`Cannot use ipsec direction "${dir}": expected in or out`);
        }
        const [kkey, [, tn, len]] = found;
        this.emit({ name: "xfrm", dreg: reg, key: kkey, dir, spnum: (o.spnum ?? 0) as number });
        return { type: typeByName(tn), len };
      }
      case "jhash":
      case "symhash": {
        const h = v as Obj;
        checkObjKeys(h, k === "jhash" ? ["mod", "seed", "offset", "expr"] : ["mod", "offset"], k);
        const hash: Record<string, unknown> = { name: "hash", dreg: reg, modulus: h.mod, type: k };
        if (h.offset !== undefined) hash.offset = h.offset;
        if (k === "jhash") {
          // The hashed value goes in the next 16-byte register, as nft puts it.
          if (h.expr === undefined) throw new InvalidArgumentError('Cannot use jhash without "expr"');
          const inner = slot + 4;
          const l = this.load(h.expr, inner);
          Object.assign(hash, { sreg: regOf(inner), len: l.len, seed: h.seed });
        }
        this.emit(hash as NftExpr);
        return { type: typeByName("integer"), len: 4 };
      }
      case "meta": {
        const key = (v as Obj).key === "secpath" ? "ipsec" : String((v as Obj).key); // nft's older name for it
        checkObjKeys(v as Obj, ["key"], "meta");
        const [tn, len] = META_TYPES[key] ?? [];
        if (!tn) {
          throw new InvalidArgumentError(`Cannot match on meta ${key}: expected ${Object.keys(META_TYPES).join(", ")}`);
        }
        this.emit({ name: "meta", dreg: reg, key: META_KERNEL_KEYS[key] ?? key });
        return { type: typeByName(tn), len };
      }
      case "ct": {
        const c = v as Obj;
        checkObjKeys(c, ["key", "dir"], "ct");
        const key = String(c.key);
        if ((key === "saddr" || key === "daddr") && this.proto.nh === undefined) {
          throw new InvalidArgumentError(
            `Cannot match on ct ${key} without a network protocol: match meta nfproto first`,
          );
        }
        const [tn, len] = CT_TYPES[key] ?? ctAddrType(key, this.proto.nh) ?? [];
        if (!tn) {
          throw new InvalidArgumentError(
            `Cannot match on ct ${key}: expected ${Object.keys(CT_TYPES).join(", ")}, saddr or daddr`,
          );
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
            if (f) this.dependField(f);
          }
        }
        const parts: Loaded[] = [];
        let s = slot;
        const net = this.#netOrder;
        this.#netOrder = false;
        for (const x of v) {
          // A field of a concatenation is moved down to its values, in named and anonymous sets alike.
          let l = this.shiftDown(this.load(x, s), s);
          if (net && l.type.host && l.type.kind !== "string") {
            // Each as it is loaded, as nft converts them (an interface name is bytes: it has no byte order).
            this.emit({ name: "byteorder", sreg: regOf(s), dreg: regOf(s), op: "hton", len: l.len, size: l.len });
            l = { ...l, type: { ...l.type, host: false } };
          }
          parts.push(l);
          s += (l.len + 3) >> 2;
        }
        // Each field takes the bytes its load took (`udp length`: 2, not an integer's 4).
        const types = parts.map((p) => (p.len && p.type.size !== p.len ? { ...p.type, size: p.len } : p.type));
        return { type: { id: concatId(types), name: "concat", size: 0 }, len: (s - slot) * 4, concat: types } as Loaded;
      }
      case "&":
      case "|":
      case "^":
        return this.bitwise(k, v, slot);
      case "<<":
      case ">>": {
        // `meta mark << 8`: the kernel's shift, by a host-order 32-bit count.
        const [x, by] = v as Json[];
        if (typeof by !== "number" || !Number.isInteger(by) || by < 0 || by > 31) {
          throw new InvalidArgumentError(`Cannot shift by ${JSON.stringify(by)}: expected 0 to 31`);
        }
        const l = this.load(x, slot);
        const op = k === "<<" ? "lshift" : "rshift";
        this.emit({
          name: "bitwise",
          sreg: reg,
          dreg: reg,
          len: l.len,
          op,
          data: { value: numberToBytes(by, 4, true) },
        });
        return l;
      }
      case "map": {
        const m = v as Obj;
        checkObjKeys(m, ["key", "data"], "map");
        const l = this.loadKey(m.key, m.data, true, slot);
        let types: readonly NftType[];
        let ref: { set: string; setId?: number };
        if (typeof m.data === "string" && m.data.startsWith("@")) {
          const shape = this.ctx.sets?.get(m.data.slice(1));
          if (!shape?.data || !("types" in shape.data)) {
            throw new InvalidArgumentError(`Cannot map through ${m.data}: no such map of values`);
          }
          types = shape.data.types;
          ref = { set: m.data.slice(1) };
        } else if (isObj(m.data) && "set" in m.data && hint) {
          types = [hint];
          const elems = Array.isArray(m.data.set) ? m.data.set : [m.data.set];
          ref = this.anonSet(l, elems, m.key, { types: [hint] }, reg);
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
        const fib = { name: "fib", dreg: reg, result, flags } as const;
        this.emit(fib);
        const tn = result === "type" ? "fib_addrtype" : result === "oifname" ? "ifname" : "iface_index";
        const len = result === "oifname" ? 16 : 4;
        return { type: typeByName(tn), len, present: () => fib.flags.push("present") };
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
    throw new InvalidArgumentError(
      `Cannot match on "${k}": expected payload, exthdr, tcp option, ip option, sctp chunk, dccp option, meta, ct, rt, concat, &, map, fib, numgen, jhash or symhash`,
    );
  }

  /** Masks a sub-byte field loaded as whole bytes into `reg`; the value's shift and mask. */
  narrow(f: HeaderField, reg: number): Loaded {
    const start = Math.floor(f.offset / 8);
    const len = Math.ceil((f.offset + f.len) / 8) - start;
    const type = { ...typeByName(f.type), host: false, size: len }; // a concatenation's field is this wide
    if (f.offset % 8 === 0 && f.len % 8 === 0) return { type, len };
    const shift = len * 8 - (f.offset - start * 8) - f.len;
    let m = 0n;
    for (let i = 0; i < f.len; i++) m |= 1n << BigInt(shift + i);
    const mask = new Uint8Array(len);
    for (let i = len - 1; i >= 0; i--, m >>= 8n) mask[i] = Number(m & 0xffn);
    this.mask(reg, mask);
    return { type: { ...type, size: len }, len, shift, mask };
  }

  /** The `exthdr` expression of an extension header or option field (or its presence, without a field). */
  exthdrExpr(op: ExthdrOp, x: Obj): { expr: Extract<NftKnownExpr, { name: "exthdr" }>; field?: HeaderField } {
    const what = EXTHDR_KEYS[op];
    if (x.base !== undefined) {
      // A raw TCP option: `tcp option @kind,offset,len`.
      checkObjKeys(x, ["base", "offset", "len"], `a raw ${what}`);
      const [type, off, bits] = [x.base, x.offset, x.len] as number[];
      if (op !== "tcpopt" || off % 8 || bits % 8) {
        throw new InvalidArgumentError(`Cannot use a raw ${what} that is not whole bytes of a tcp option`);
      }
      return { expr: { name: "exthdr", op, type, offset: off / 8, len: bits / 8, flags: [] } };
    }
    checkObjKeys(x, ["name", "field"], what);
    const full = String(x.name);
    // A SACK block past the first is named by its number: `sack1 left`.
    const block = op === "tcpopt" ? /^(sack)([0-3])$/.exec(full) : null;
    const desc = exthdrByName(what, block ? block[1] : full);
    if (!desc) throw new InvalidArgumentError(`Cannot match on ${what} "${full}": unknown`);
    if (op === "ipv6") this.depend("ip6");
    if (op === "ipv4") this.depend("ip");
    const type = desc.type;
    if (x.field === undefined) return { expr: { name: "exthdr", op, type, offset: 0, len: 1, flags: ["present"] } };
    const at = block && block[2] !== "0" ? Number(block[2]) * 64 : 0;
    const field = desc.fields.find((f) =>
      f.field === x.field && (!block || (at === 0 ? f.offset < 80 : f.offset === 16 + at || f.offset === 48 + at))
    );
    if (!field) {
      throw new InvalidArgumentError(
        `Cannot match on ${what} ${full} ${x.field}: expected ${
          [...new Set(desc.fields.map((f) => f.field))].join(", ")
        }`,
      );
    }
    const start = Math.floor(field.offset / 8);
    const len = Math.ceil((field.offset + field.len) / 8) - start;
    return { expr: { name: "exthdr", op, type, offset: start, len, flags: [] }, field };
  }

  /** Loads an extension header or option field into `reg`. */
  exthdr(op: ExthdrOp, x: Obj, reg: number): Loaded {
    const { expr, field } = this.exthdrExpr(op, x);
    const e = { ...expr, dreg: reg, flags: [...expr.flags ?? []] };
    this.emit(e);
    if (e.flags.includes("present")) return { type: typeByName("boolean"), len: 1 };
    if (field) return this.narrow(field, reg);
    const len = expr.len ?? 1;
    // A raw option compared with true or false tests its presence (`tcp option 6 exists`).
    return { type: { ...typeByName("integer"), host: false, size: len }, len, present: () => e.flags.push("present") };
  }

  /** `dccp option N`: whether the DCCP option of type N is present (all the kernel tests of DCCP options). */
  dccpOption(x: Obj, reg: number): Loaded {
    checkObjKeys(x, ["type"], "a dccp option");
    const type = x.type;
    if (typeof type !== "number" || !Number.isInteger(type) || type < 0 || type > 255) {
      throw new InvalidArgumentError(
        `Cannot match on dccp option ${JSON.stringify(type)}: expected a type from 0 to 255`,
      );
    }
    this.emit({ name: "exthdr", dreg: reg, op: "dccp", type, offset: 0, len: 1, flags: ["present"] });
    return { type: typeByName("boolean"), len: 1 };
  }

  /** An interface given by name as its index in the namespace (numbers and expressions pass). */
  ifindex(v: Json): Json {
    return ifindexOf(v, this.ctx.ifindexes);
  }

  /** See {@link ifindexElems}. */
  ifindexKeys(key: readonly NftType[], elems: Json[], data: ElementShape["data"]): Json[] {
    return ifindexElems(key, elems, data, this.ctx.ifindexes);
  }

  /** The bytes of a right-hand value for a loaded left side. */
  value(l: Loaded, v: Json): Uint8Array {
    if (l.type.name === "iface_index") v = this.ifindex(v);
    if (l.type.kind === "string" && typeof v === "string") {
      // `"eth*"` matches a prefix: its bytes without the terminating NUL; `"dummy\\*"` is a name ending in `*`.
      if (/(^|[^\\])\*$/.test(v)) return new TextEncoder().encode(v.slice(0, -1));
      if (v.endsWith("\\*")) v = `${v.slice(0, -2)}*`;
    }
    const b = parseValue(l.type, v, l.len);
    return l.shift ? this.shifted(l, b) : b;
  }

  /** The bytes `b` of a sub-byte field moved to where the field sits in its loaded bytes. */
  shifted(l: Loaded, b: Uint8Array): Uint8Array {
    let n = 0n;
    for (const x of b) n = (n << 8n) | BigInt(x);
    n <<= BigInt(l.shift ?? 0);
    const out = new Uint8Array(l.len);
    for (let i = l.len - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
    return out;
  }

  /**
   * Loads the key `keyJson` of a lookup in `target` (`@name` or `{"set":
   * [...]}`, a map's when `map`): a concatenation looked up in intervals
   * (stored in network order) has its host-order fields converted.
   */
  loadKey(keyJson: Json, target: Json, map: boolean, slot = 0): Loaded {
    const named = typeof target === "string" && target.startsWith("@")
      ? this.ctx.sets?.get(target.slice(1))
      : undefined;
    const elems = isObj(target) && "set" in target ? (Array.isArray(target.set) ? target.set : [target.set]) : [];
    const key = (x: Json) => (map && Array.isArray(x) ? x[0] : x);
    this.#netOrder = isObj(keyJson) && "concat" in keyJson &&
      (named?.interval === true || elems.some((x) => hasInterval(key(x))));
    let l: Loaded;
    try {
      l = this.load(keyJson, slot);
    } finally {
      this.#netOrder = false;
    }
    // A named set or map holds a sub-byte field's values as they are (`ip dscp`, `frag frag-off`): the field is
    // moved down to them (an anonymous one's are moved up instead).
    if (typeof target === "string" && target.startsWith("@")) l = this.shiftDown(l, slot);
    const got = (l as Loaded & { concat?: NftType[] }).concat ?? [l.type];
    if (map && named && concatId(got) !== concatId(named.key)) {
      // nft's evaluator wants the map's own key type (`ip6 daddr map @x4`, `@nh,8,8 vmap @dscp_map`).
      const names = (ts: readonly NftType[]) => ts.map((t) => t.name).join(" . ");
      throw new InvalidArgumentError(
        `datatype mismatch, map expects ${names(named.key)}, mapping expression has type ${names(got)}`,
      );
    }
    if (named?.interval && named.key.length === 1 && l.type.host && l.type.kind !== "string" && l.len > 1) {
      // A named set of intervals holds a host-order key (`type mark`) in network order: nft converts the value.
      this.emit({ name: "byteorder", sreg: regOf(slot), dreg: regOf(slot), op: "hton", len: l.len, size: l.len });
      l = { ...l, type: { ...l.type, host: false } };
    }
    return l;
  }

  /** Moves a sub-byte field loaded at `slot` down to bit 0 (`ip dscp` by 2), as nft does where it cannot move values up. */
  shiftDown(l: Loaded, slot: number): Loaded {
    if (!l.shift) return l;
    const by = { value: numberToBytes(l.shift, 4, true) };
    this.emit({ name: "bitwise", sreg: regOf(slot), dreg: regOf(slot), len: l.len, op: "rshift", data: by });
    return { ...l, shift: undefined, mask: undefined };
  }

  /** Adds an anonymous set for `elems` keyed like `l` (loaded from `keyJson`); returns its lookup name and id. */
  anonSet(
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
    if (l.shift) { for (const e of elements) if (e.key?.value) e.key = { value: this.shifted(l, e.key.value) }; }
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
      size: elems.length,
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
      if (l.shift) [lo, hi] = [this.shifted(l, lo), this.shifted(l, hi)]; // a sub-byte field's ends, moved into place
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
    }
    if (meta === "l4proto" || pl === "ip protocol" || pl === "ip6 nexthdr") {
      const name = l4Name(right);
      if (name in L4) this.proto.th = name;
      // `meta l4proto { tcp, udp }`: some transport header, enough for nat ports and `th` fields.
      const set = isObj(right) && Array.isArray(right.set) ? right.set : undefined;
      if (set?.length && set.every((x) => l4Name(x) in L4)) this.proto.th = "th";
    }
  }

  /** Loads a statement value (an expression or a literal typed like `target`) into register `reg`. */
  valueInto(v: Json, target: NftType, len: number, reg: number): Loaded | undefined {
    if (isObj(v) && !("prefix" in v) && !("range" in v)) return this.load(v, (reg - NFT_REG_1) * 4, target);
    this.emit({ name: "immediate", dreg: reg, data: { value: parseValue(target, v, len) } });
    return undefined;
  }

  /**
   * Writes `value` into a header field, as nft's stmt_evaluate_payload
   * does: a field of a checksummed header is written in whole 16-bit words
   * (the kernel's incremental checksum update needs them), so an odd byte
   * or a sub-byte field is read with its neighbour, replaced under a mask
   * and written back; a field of the transport pseudo-header asks the
   * kernel to update the transport checksum too.
   */
  payloadWrite(f: HeaderField, value: Json): void {
    const [csumType, csumOffset] = CSUM[f.protocol] ?? [];
    const opts = {
      ...(csumType ? { csumType, csumOffset } : {}),
      ...(PSEUDOHDR.includes(`${f.protocol} ${f.field}`) ? { csumFlags: NFT_PAYLOAD_L4CSUM_PSEUDOHDR } : {}),
    };
    const whole = f.offset % 8 === 0 && f.len % 8 === 0;
    if (whole && (!csumType || (f.len / 8) % 2 === 0)) {
      this.valueInto(value, { ...typeByName(f.type), host: false }, f.len / 8, NFT_REG_1);
      this.emit({ name: "payload", sreg: NFT_REG_1, base: f.base, offset: f.offset / 8, len: f.len / 8, ...opts });
      return;
    }
    if (isObj(value)) {
      const what = f.protocol ? `${f.protocol} ${f.field}` : "a raw payload";
      throw new InvalidArgumentError(`Cannot set ${what} from an expression: expected a value`);
    }
    // nft's expr_offset_shift, then one more byte for a checksummed header (before the field when it starts odd).
    let start = Math.floor(f.offset / 8), extra = 0;
    let shift = Math.ceil(f.len / 8) * 8 - (f.offset % 8 + f.len);
    while (shift < 0) [shift, extra] = [shift + 8, extra + 8];
    let len = Math.ceil((f.len + extra) / 8);
    if (csumType && len % 2) {
      len++;
      if (start % 2) start--;
      else shift += 8;
    }
    this.emit({ name: "payload", dreg: NFT_REG_1, base: f.base, offset: start, len });
    const xor = this.value({ type: { ...typeByName(f.type), host: false, size: len }, len, shift }, value);
    let keep = ((1n << BigInt(f.len)) - 1n) << BigInt(shift);
    const mask = new Uint8Array(len);
    for (let i = len - 1; i >= 0; i--, keep >>= 8n) mask[i] = ~Number(keep & 0xffn) & 0xff;
    this.emit({ name: "bitwise", sreg: NFT_REG_1, dreg: NFT_REG_1, len, mask: { value: mask }, xor: { value: xor } });
    this.emit({ name: "payload", sreg: NFT_REG_1, base: f.base, offset: start, len, ...opts });
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
      this.valueInto(m.value, { ...typeByName(tn), size: len }, len, NFT_REG_1);
      const dir = isMeta ? undefined : (key.ct as Obj).dir;
      if (dir !== undefined && dir !== "original" && dir !== "reply") {
        throw new InvalidArgumentError(`Cannot use ct direction ${JSON.stringify(dir)}: expected original or reply`);
      }
      this.emit(
        isMeta ? { name: "meta", key: k, sreg: NFT_REG_1 } : { name: "ct", key: k, sreg: NFT_REG_1, direction: dir },
      );
      return;
    }
    if (isObj(key.payload)) {
      const p = key.payload;
      if (p.protocol === undefined) return this.payloadWrite(this.rawField(p), m.value); // `@nh,144,48 set ...`
      const f = HEADER_FIELDS[String(p.protocol)]?.[String(p.field)];
      if (!f) throw new InvalidArgumentError(`Cannot set ${p.protocol} ${p.field}: unknown header field`);
      this.dependField(f);
      return this.payloadWrite(f, m.value);
    }
    const [k] = Object.keys(key);
    if (k in EXTHDR_OPS && Object.keys(key).length === 1 && isObj(key[k])) {
      const op = EXTHDR_OPS[k];
      if (op !== "tcpopt") throw new InvalidArgumentError(`Cannot set ${k} fields: the kernel writes only tcp options`);
      const { expr, field } = this.exthdrExpr(op, key[k]);
      if (!field || field.offset % 8 || field.len % 8) {
        throw new InvalidArgumentError(`Cannot set ${JSON.stringify(key)}: expected a whole-byte field`);
      }
      const len = field.len / 8;
      const loaded = this.valueInto(m.value, { ...typeByName(field.type), host: false }, len, NFT_REG_1);
      if (loaded?.type.host && len > 1) {
        // A host-order value (`rt mtu`) goes into the packet in network order.
        this.emit({ name: "byteorder", sreg: NFT_REG_1, dreg: NFT_REG_1, op: "hton", len, size: len });
      }
      this.emit({ ...expr, sreg: NFT_REG_1, flags: undefined }); // the kernel refuses flags on a write
      return;
    }
    throw new InvalidArgumentError(`Cannot set ${JSON.stringify(key)}`);
  }

  /** `tproxy ip to 1.2.3.4:80`: address and port in registers. */
  tproxy(t: Obj): void {
    checkObjKeys(t, ["family", "addr", "port"], "tproxy");
    const fam = t.family === undefined ? undefined : String(t.family);
    if (fam !== undefined && fam !== "ip" && fam !== "ip6") {
      throw new InvalidArgumentError(`Cannot use tproxy family "${fam}": expected ip or ip6`);
    }
    const v6 = (fam ?? this.ctx.family) === "ip6";
    const out: Record<string, unknown> = {};
    if (t.addr !== undefined) {
      if (this.ctx.family === "inet" && fam === undefined) {
        throw new InvalidArgumentError("Cannot use a tproxy address without a family in an inet table");
      }
      const addrType = typeByName(v6 ? "ipv6_addr" : "ipv4_addr");
      this.valueInto(t.addr, addrType, addrType.size, NFT_REG_1);
      out.regAddr = NFT_REG_1;
    }
    if (t.port !== undefined) {
      const reg = t.addr === undefined ? NFT_REG_1 : NFT_REG_1 + 1;
      this.valueInto(t.port, typeByName("inet_service"), 2, reg);
      out.regPort = reg;
    }
    const family = fam === undefined ? (this.ctx.family === "inet" ? 0 : v6 ? 10 : 2) : fam === "ip6" ? 10 : 2;
    this.emit({ name: "tproxy", family, ...out });
  }

  /** `dup to 1.2.3.4 device "eth0"`, `fwd to "eth0"`: an address and a device in registers. */
  dupFwd(kind: "dup" | "fwd", d: Obj): void {
    checkObjKeys(d, kind === "dup" ? ["addr", "dev"] : ["dev", "family", "addr"], kind);
    const dev = (v: Json, reg: number) => this.valueInto(this.ifindex(v), typeByName("iface_index"), 4, reg);
    const netdev = this.ctx.family === "netdev";
    if (kind === "dup" && netdev) {
      // In netdev, nft calls the device the address: `dup to "eth0"`.
      if (d.dev !== undefined || d.addr === undefined) {
        throw new InvalidArgumentError('Cannot use dup in netdev without "addr" (the device)');
      }
      dev(d.addr, NFT_REG_1);
      return this.emit({ name: "dup", sregDev: NFT_REG_1 });
    }
    if (kind === "dup") {
      if (d.addr === undefined) throw new InvalidArgumentError('Cannot use dup without "addr"');
      const t = typeByName(this.ctx.family === "ip6" ? "ipv6_addr" : "ipv4_addr");
      this.valueInto(d.addr, t, t.size, NFT_REG_1);
      if (d.dev !== undefined) dev(d.dev, NFT_REG_1 + 1);
      return this.emit({ name: "dup", sregAddr: NFT_REG_1, sregDev: d.dev === undefined ? undefined : NFT_REG_1 + 1 });
    }
    if (d.dev === undefined) throw new InvalidArgumentError('Cannot use fwd without "dev"');
    dev(d.dev, NFT_REG_1);
    if (d.addr === undefined) return this.emit({ name: "fwd", sregDev: NFT_REG_1 });
    const v6 = d.family === "ip6";
    const t = typeByName(v6 ? "ipv6_addr" : "ipv4_addr");
    this.valueInto(d.addr, t, t.size, NFT_REG_1 + 1);
    this.emit({ name: "fwd", sregDev: NFT_REG_1, sregAddr: NFT_REG_1 + 1, nfproto: v6 ? 10 : 2 });
  }

  nat(kind: string, n: Obj | null): void {
    const body = n ?? {};
    checkObjKeys(body, ["addr", "port", "family", "flags", "type_flags"], kind);
    const flags = body.flags === undefined
      ? []
      : Array.isArray(body.flags)
      ? body.flags.map(String)
      : [String(body.flags)];
    const typeFlags = body.type_flags === undefined ? [] : [body.type_flags].flat().map(String);
    for (const f of typeFlags) {
      if (f !== "prefix") throw new InvalidArgumentError(`Cannot use ${kind} type_flags "${f}": expected prefix`);
      // `snat ip prefix to ... map`: nft maps whole prefixes (netmap).
      if (!flags.includes("netmap")) flags.push("netmap");
    }
    // In inet, nat without an address is NFPROTO_INET (1), as nft sends it.
    const natFamily = body.family === "ip6" || this.ctx.family === "ip6" || this.proto.nh === "ip6"
      ? 10
      : this.ctx.family === "inet" && body.addr === undefined && body.family === undefined
      ? 1
      : 2;
    const addrType = typeByName(natFamily === 10 ? "ipv6_addr" : "ipv4_addr");
    const port = typeByName("inet_service");
    const out: Record<string, unknown> = {};
    let reg = NFT_REG_1;
    const pair = (v: Json, t: NftType, len: number, min: string, max: string) => {
      if (isObj(v) && "prefix" in v) {
        // `192.168.3.0/24`: the range it spans.
        const [lo, hi] = keyRange([t], v);
        this.emit({ name: "immediate", dreg: reg, data: { value: lo } });
        this.emit({ name: "immediate", dreg: reg + 1, data: { value: hi } });
        [out[min], out[max]] = [reg, reg + 1];
        reg += 2;
      } else if (isObj(v) && "range" in v && Array.isArray(v.range)) {
        this.valueInto(v.range[0], t, len, reg);
        this.valueInto(v.range[1], t, len, reg + 1);
        [out[min], out[max]] = [reg, reg + 1];
        reg += 2;
      } else {
        const l = this.valueInto(v, t, len, reg);
        const first = (l as { concat?: NftType[] } | undefined)?.concat?.[0] ?? l?.type;
        if (min === "regAddrMin" && first && !IP_KINDS.includes(first.kind)) {
          // `dnat ip to ip saddr map @a` of a map to ports: nft's evaluator wants an address there.
          throw new InvalidArgumentError(`datatype mismatch, expected ${t.name}, expression has type ${first.name}`);
        }
        [out[min], out[max]] = [reg, reg];
        reg++;
        // A map to `address . port` fills the port's register too: one address width on, as natMap's.
        if ((l as { concat?: NftType[] } | undefined)?.concat?.length === 2 && min === "regAddrMin") {
          const at = NFT_REG32_00 + t.size / 4;
          [out.regProtoMin, out.regProtoMax] = [at, at];
          flags.unshift("proto-specified");
        }
      }
    };
    if (kind === "snat" || kind === "dnat") {
      if (body.addr !== undefined && this.natMap(body.addr, addrType, port, out)) {
        if (out.regProtoMin !== undefined) flags.unshift("proto-specified");
        flags.unshift("map-ips");
      } else if (body.addr !== undefined) {
        pair(body.addr, addrType, addrType.size, "regAddrMin", "regAddrMax");
        flags.unshift("map-ips");
      }
    } else if (body.addr !== undefined) throw new InvalidArgumentError(`Cannot give ${kind} an address`);
    if (body.port !== undefined) {
      pair(body.port, port, 2, "regProtoMin", "regProtoMax");
      flags.unshift("proto-specified");
    }
    // A port (or a map to `address . port`) needs a transport protocol first, as nft's evaluator has it;
    // loading a map key of `tcp dport` matched tcp already.
    if (out.regProtoMin !== undefined && this.proto.th === undefined && !thKey(body.addr)) {
      throw new InvalidArgumentError("transport protocol mapping is only valid after transport protocol match");
    }
    const f = flags.length ? flags : undefined;
    if (kind === "masquerade") this.emit({ name: "masq", flags: f, ...out });
    else if (kind === "redirect") this.emit({ name: "redir", flags: f, ...out });
    else this.emit({ name: "nat", type: kind, family: natFamily, flags: f, ...out });
  }

  /** Loads a set statement's element (`{"elem": {"val": ..., "timeout": 30}}` or a bare key); its timeout in ms. */
  dynsetKey(elem: Json, keyTypes?: readonly NftType[]): { timeout?: number; loaded: Loaded } {
    let key = elem;
    let timeout: number | undefined;
    if (isObj(key) && isObj(key.elem)) {
      checkObjKeys(key.elem, ["val", "timeout"], "a set statement's element");
      timeout = key.elem.timeout === undefined ? undefined : msOf(key.elem.timeout as number);
      key = key.elem.val;
    }
    if (keyTypes && isObj(key) && Array.isArray(key.concat) && key.concat.some((x) => !isObj(x))) {
      return { timeout, loaded: this.concatWithConstants(key.concat, keyTypes) };
    }
    // A set statement's key is a sub-byte field's value (`add @s { ip dscp }`), as in the set.
    return { timeout, loaded: this.shiftDown(this.load(key, 0), 0) };
  }

  /** `ip saddr . 22` in a set statement: a constant field is an immediate typed by the set's key, as nft's. */
  concatWithConstants(parts: Json[], keyTypes: readonly NftType[]): Loaded {
    for (const x of parts) {
      if (isObj(x) && isObj(x.payload) && typeof x.payload.protocol === "string") {
        const f = HEADER_FIELDS[x.payload.protocol]?.[String(x.payload.field)];
        if (f) this.dependField(f); // first: a dependency loaded later would overwrite the fields
      }
    }
    if (parts.length !== keyTypes.length) {
      throw new InvalidArgumentError(`Cannot use a key of ${parts.length} fields for a set of ${keyTypes.length}`);
    }
    let s = 0;
    for (const [i, x] of parts.entries()) {
      const t = keyTypes[i];
      if (isObj(x)) s += (this.shiftDown(this.load(x, s), s).len + 3) >> 2;
      else {
        this.emit({ name: "immediate", dreg: regOf(s), data: { value: parseValue(t, x, typeSize(t)) } });
        s += (typeSize(t) + 3) >> 2;
      }
    }
    return {
      type: { id: concatId([...keyTypes]), name: "concat", size: 0 },
      len: s * 4,
      concat: [...keyTypes],
    } as Loaded;
  }

  /** Per-element statements (`update @m { ip saddr limit rate 10/second }`), encoded on their own. */
  dynsetStmts(dynset: Record<string, unknown>, stmt: Json | undefined): void {
    if (stmt === undefined) return;
    const stmts = Array.isArray(stmt) ? stmt : [stmt];
    const inner = new RuleEncoder(this.ctx);
    for (const st of stmts) inner.stmt(st);
    const b = new MessageBuilder(0, 0);
    if (inner.out.length === 1) EXPR_ONE.build(b, inner.out[0]);
    else EXPR_LIST.build(b, inner.out);
    dynset[inner.out.length === 1 ? "expr" : "expressions"] = b.finish().subarray(16);
    // The kernel takes a list only with the expr flag (nft sets it then).
    if (inner.out.length > 1) dynset.flags = ["expr"];
  }

  /**
   * A NAT map to ranges or prefixes, or to `address . port` (as nft's JSON lists them): its values fill
   * the registers after the address, which the nat expression names (nft's layout: each part one address
   * width on). Returns false for any other address.
   */
  natMap(addr: Json, addrType: NftType, port: NftType, out: Record<string, unknown>): boolean {
    const m = isObj(addr) && isObj(addr.map) ? addr.map : undefined;
    if (m && typeof m.data === "string" && m.data.startsWith("@")) {
      // A named map: its declaration says whether it maps to ranges or to `address . port`.
      const named = this.ctx.sets?.get(m.data.slice(1));
      const shape = named?.data;
      if (!shape || !("types" in shape) || (shape.types.length < 2 && !shape.interval)) return false;
      checkObjKeys(m, ["key", "data"], "map");
      const l = this.loadKey(m.key, m.data, true);
      // nft's evaluator refuses a key or an address of the other family (`dnat to ip6 daddr map @y4`).
      const [key, got] = [named.key[0]?.kind, l.type.kind];
      const mismatch = (a: string | undefined, b: string | undefined) =>
        IP_KINDS.includes(a) && IP_KINDS.includes(b) && a !== b;
      if (
        (named.key.length === 1 && mismatch(key, got)) || mismatch(shape.types[0]?.kind, addrType.kind)
      ) {
        throw new InvalidArgumentError(
          `datatype mismatch: map ${m.data} does not map ${l.type.name} to ${addrType.name}`,
        );
      }
      this.emit({ name: "lookup", sreg: NFT_REG_1, dreg: NFT_REG_1, set: m.data.slice(1) });
      this.natRegs(addrType, shape.types.length > 1, shape.interval === true, out);
      return true;
    }
    if (!m || !isObj(m.data) || !("set" in m.data)) return false;
    const elems = Array.isArray(m.data.set) ? m.data.set : [m.data.set];
    const values = elems.map((e) => (Array.isArray(e) ? e[1] : undefined));
    const ranged = (x: Json | undefined) => isObj(x) && ("range" in x || "prefix" in x);
    const concat = values.some((v) => isObj(v) && Array.isArray(v.concat));
    const interval = values.some((v) => ranged(v) || (isObj(v) && Array.isArray(v.concat) && v.concat.some(ranged)));
    if (!concat && !interval) return false;
    checkObjKeys(m, ["key", "data"], "map");
    const l = this.loadKey(m.key, m.data, true);
    const ref = this.anonSet(l, elems, m.key, { types: concat ? [addrType, port] : [addrType], interval });
    this.emit({ name: "lookup", sreg: NFT_REG_1, dreg: NFT_REG_1, ...ref });
    this.natRegs(addrType, concat, interval, out);
    return true;
  }

  /** The registers a NAT map's looked-up value fills (nft's layout: each part one address width on). */
  natRegs(addrType: NftType, concat: boolean, interval: boolean, out: Record<string, unknown>): void {
    const step = addrType.size / 4;
    out.regAddrMin = NFT_REG_1;
    if (interval && concat) {
      [out.regProtoMin, out.regAddrMax, out.regProtoMax] = [1, 2, 3].map((i) => NFT_REG32_00 + i * step);
    } else if (interval) out.regAddrMax = NFT_REG32_00 + step;
    else out.regProtoMin = out.regProtoMax = NFT_REG32_00 + step;
  }

  boundChain(code: "jump" | "goto", rules: Json): void {
    this.emit(boundChain(this.ctx, code, rules));
  }

  stmt(st: Json): void {
    if (!isObj(st)) throw new InvalidArgumentError(`Cannot use statement ${JSON.stringify(st)}`);
    const [k, v] = only(st, "statement");
    if (k !== "match") {
      this.statement(k, v, st);
      return this.merge.boundary(); // nft joins no payload matches across another statement
    }
    return this.match(v as Obj);
  }

  /** A statement other than a match. */
  statement(k: string, v: Json, st: Obj): void {
    if ((k === "jump" || k === "goto") && isObj(v) && v.rules !== undefined) return this.boundChain(k, v.rules);
    const verdict = verdictOf(st);
    if (verdict) {
      this.emit({ name: "immediate", dreg: 0, data: { verdict } });
      return;
    }
    switch (k) {
      case "mangle":
        return this.mangle(v as Obj);
      case "counter":
        if (typeof v === "string") return this.emit({ name: "objref", immType: "counter", immName: v });
        if (isObj(v) && "map" in v) return this.objMap(k, v);
        checkObjKeys((v ?? {}) as Obj, ["packets", "bytes"], "counter");
        return this.emit({
          name: "counter",
          packets: (v as Obj)?.packets as number ?? 0,
          bytes: (v as Obj)?.bytes as number ?? 0,
        });
      case "quota":
        if (typeof v === "string") return this.emit({ name: "objref", immType: "quota", immName: v });
        if (isObj(v) && "map" in v) return this.objMap(k, v);
        return this.emit({ name: "quota", ...quotaAttrs(v as Obj) });
      case "limit":
        if (typeof v === "string") return this.emit({ name: "objref", immType: "limit", immName: v });
        if (isObj(v) && "map" in v) return this.objMap(k, v);
        return this.emit({ name: "limit", ...limitAttrs(v as Obj) });
      case "ct helper":
      case "ct expectation":
      case "ct timeout":
        if (isObj(v) && "map" in v) return this.objMap(k, v);
        if (typeof v !== "string") {
          throw new InvalidArgumentError(`Cannot use ${k} ${JSON.stringify(v)}: expected a name or a map`);
        }
        return this.emit({ name: "objref", immType: k, immName: v });
      case "synproxy":
        if (typeof v === "string") return this.emit({ name: "objref", immType: "synproxy", immName: v });
        if (isObj(v) && "map" in v) return this.objMap(k, v);
        return this.emit({ name: "synproxy", ...synproxyAttrs((v ?? {}) as Obj) });
      case "tproxy":
        return this.tproxy((v ?? {}) as Obj);
      case "flow": {
        const f = (v ?? {}) as Obj;
        checkObjKeys(f, ["op", "flowtable"], "flow");
        if (f.op !== "add" || typeof f.flowtable !== "string" || !f.flowtable.startsWith("@")) {
          throw new InvalidArgumentError(
            `Cannot use flow ${JSON.stringify(v)}: expected {"op": "add", "flowtable": "@name"}`,
          );
        }
        return this.emit({ name: "flow_offload", tableName: f.flowtable.slice(1) });
      }
      case "xt":
        throw new InvalidArgumentError(
          "Cannot apply an xt statement: its iptables extension data is not in nft's JSON",
        );
      case "dup":
      case "fwd":
        return this.dupFwd(k, (v ?? {}) as Obj);
      case "log": {
        const l = (v ?? {}) as Obj;
        checkObjKeys(l, ["prefix", "group", "snaplen", "queue-threshold", "level", "flags"], "log");
        let flags = 0;
        for (const f of l.flags === undefined ? [] : Array.isArray(l.flags) ? l.flags : [l.flags]) {
          const bit = f === "all" ? LOG_FLAGS_ALL : LOG_FLAGS[String(f)];
          if (bit === undefined) {
            throw new InvalidArgumentError(
              `Cannot use log flag "${f}": expected all, ${Object.keys(LOG_FLAGS).join(", ")}`,
            );
          }
          flags |= bit;
        }
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
          flags: flags || undefined,
        });
      }
      case "reject": {
        const r = (v ?? {}) as Obj;
        checkObjKeys(r, ["type", "expr"], "reject");
        const fam = this.ctx.family;
        // Without a type, the family's ICMP, or the rule's network protocol's (`meta nfproto ipv4 reject`).
        const nh = fam === "ip" || fam === "ip6" ? fam : this.proto.nh;
        const type = String(r.type ?? (nh === "ip" ? "icmp" : nh === "ip6" ? "icmpv6" : "icmpx"));
        if (type === "tcp reset") {
          this.dependFirst("tcp");
          return this.emit({ name: "reject", type: "tcp reset", icmpCode: 0 });
        }
        const codeType = ICMP_CODE_TYPES[type];
        if (!codeType) {
          throw new InvalidArgumentError(`Cannot reject with "${type}": expected icmpx, icmp, icmpv6 or tcp reset`);
        }
        if (type !== "icmpx" && fam !== "ip" && fam !== "ip6") this.dependFirst(type === "icmp" ? "ip" : "ip6");
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
        const l = this.loadKey(m.key, m.data, true);
        if (typeof m.data === "string" && m.data.startsWith("@")) {
          return this.emit({ name: "lookup", sreg: NFT_REG_1, dreg: 0, set: m.data.slice(1) });
        }
        if (!isObj(m.data) || !("set" in m.data)) {
          throw new InvalidArgumentError("Cannot use a vmap without @map or a set");
        }
        const elems = Array.isArray(m.data.set) ? m.data.set : [m.data.set];
        const { set, setId } = this.anonSet(l, elems, m.key, { verdict: true });
        return this.emit({ name: "lookup", sreg: NFT_REG_1, dreg: 0, set, setId });
      }
      case "notrack":
        return this.emit({ name: "notrack" });
      case "reset": {
        // `reset tcp option sack-perm`: the option is overwritten with no-ops.
        const r = v as Obj;
        const [key] = isObj(r) ? Object.keys(r) : [];
        if (
          EXTHDR_OPS[key] !== "tcpopt" || Object.keys(r).length !== 1 || !isObj(r[key]) || r[key].field !== undefined
        ) {
          throw new InvalidArgumentError(`Cannot reset ${JSON.stringify(v)}: expected a tcp option without a field`);
        }
        const { expr } = this.exthdrExpr("tcpopt", r[key]);
        return this.emit({ name: "exthdr", op: "tcpopt", type: expr.type }); // type and op alone, or the kernel refuses it
      }
      case "ct count": {
        const c = v as Obj;
        checkObjKeys(c, ["val", "inv"], "ct count");
        return this.emit({ name: "connlimit", count: c.val as number, flags: c.inv ? ["inv"] : undefined });
      }
      case "set": {
        const d = v as Obj;
        checkObjKeys(d, ["op", "elem", "set", "stmt"], "a set statement");
        const op = String(d.op ?? "add");
        if (!["add", "update", "delete"].includes(op)) {
          throw new InvalidArgumentError(`Cannot use set operation "${op}": expected add, update, delete`);
        }
        if (typeof d.set !== "string" || !d.set.startsWith("@")) {
          throw new InvalidArgumentError('Cannot use a set statement without "set": "@name"');
        }
        const { timeout } = this.dynsetKey(d.elem, this.ctx.sets?.get(d.set.slice(1))?.key);
        const dynset: Record<string, unknown> = {
          name: "dynset",
          setName: d.set.slice(1),
          sregKey: NFT_REG_1,
          op,
          timeout,
        };
        this.dynsetStmts(dynset, d.stmt);
        return this.emit(dynset as NftExpr);
      }
      case "map": {
        // `update @m { ip saddr timeout 1m : 0x2 }` (nft 1.0.7's JSON): the key, then its data in the next register.
        const d = v as Obj;
        checkObjKeys(d, ["op", "elem", "data", "map"], "a map statement");
        const op = String(d.op ?? "add");
        if (!["add", "update"].includes(op)) {
          throw new InvalidArgumentError(`Cannot use map operation "${op}": expected add, update`);
        }
        const shape = typeof d.map === "string" && d.map.startsWith("@")
          ? this.ctx.sets?.get(d.map.slice(1))
          : undefined;
        if (!shape?.data || !("types" in shape.data)) {
          throw new InvalidArgumentError(`Cannot update ${JSON.stringify(d.map)}: no such map of values`);
        }
        const { timeout, loaded } = this.dynsetKey(d.elem, shape.key);
        // nft's get_register: after a concatenation's 32-bit registers, or after a whole 16-byte one.
        const slot = (loaded as Loaded & { concat?: NftType[] }).concat ? (loaded.len + 3) >> 2 : 4;
        const types = shape.data.types;
        if (isObj(d.data) && !("prefix" in d.data) && !("range" in d.data)) this.load(d.data, slot, types[0]);
        else if (types.length === 1) {
          this.emit({
            name: "immediate",
            dreg: regOf(slot),
            data: { value: parseValue(types[0], d.data, typeSize(types[0])) },
          });
        } else throw new InvalidArgumentError(`Cannot use ${JSON.stringify(d.data)} as data of ${d.map}`);
        return this.emit({
          name: "dynset",
          setName: (d.map as string).slice(1),
          sregKey: NFT_REG_1,
          sregData: regOf(slot),
          op,
          timeout,
        });
      }
      case "meter": {
        // `meter xyz size 8192 { ip saddr timeout 30s counter }`: an anonymous dynamic set of its own.
        const d = v as Obj;
        checkObjKeys(d, ["key", "stmt", "size", "name"], "a meter");
        if (typeof d.name !== "string" || d.name === "") {
          throw new InvalidArgumentError("Cannot use a meter without a name");
        }
        if (d.size !== undefined && (typeof d.size !== "number" || !Number.isInteger(d.size) || d.size < 0)) {
          throw new InvalidArgumentError(`Cannot use meter size ${JSON.stringify(d.size)}: expected a whole number`);
        }
        const { timeout, loaded: l } = this.dynsetKey(d.key);
        const key = (l as Loaded & { concat?: NftType[] }).concat ?? [l.type];
        const { family, table, tx } = this.ctx;
        const setId = tx.addSet({
          family,
          table,
          name: d.name,
          keyType: concatId(key),
          keyLen: key.length > 1 ? key.reduce((n, t) => n + ((typeSize(t) + 3) & ~3), 0) : l.len,
          flags: ["anonymous", "dynamic", ...(timeout !== undefined ? ["timeout"] : [])],
          size: d.size || undefined,
          keyHostOrder: key.length === 1 && key[0].host === true,
        });
        const dynset: Record<string, unknown> = {
          name: "dynset",
          setName: d.name,
          setId,
          sregKey: NFT_REG_1,
          op: timeout !== undefined ? "update" : "add", // nft refreshes an element only when it times out
          timeout,
        };
        this.dynsetStmts(dynset, d.stmt);
        return this.emit(dynset as NftExpr);
      }
    }
    throw new InvalidArgumentError(`Cannot use statement "${k}"`);
  }
}

/** A whole number of bits from `min` (a raw payload's offset or length: at most 128 bits long). */
/** Whether a nat map's key reads a raw transport field (`th dport`), which stands for a protocol match. */
function thKey(addr: Json | undefined): boolean {
  const key = isObj(addr) && isObj(addr.map) ? addr.map.key : undefined;
  const parts = isObj(key) && Array.isArray(key.concat) ? key.concat : [key];
  return parts.some((p) => isObj(p) && isObj(p.payload) && p.payload.protocol === "th");
}

function isBits(n: Json, min: number): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= min && (min === 0 ? n < 65536 : n <= 128);
}

function hasInterval(x: Json): boolean {
  // A wildcard name (`"eth*"`) is the range of names starting so.
  if (typeof x === "string") return /[^\\]\*$/.test(x);
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

/** The kernel attributes of nft's JSON `synproxy` (statement or object). */
export function synproxyAttrs(o: Obj): { mss?: number; wscale?: number; flags: string[] } {
  const { family: _f, table: _t, name: _n, handle: _h, comment: _c, ...p } = o;
  checkObjKeys(p, ["mss", "wscale", "flags"], "synproxy");
  const flags = p.flags === undefined ? [] : Array.isArray(p.flags) ? p.flags.map(String) : [String(p.flags)];
  for (const f of flags) {
    if (f !== "timestamp" && f !== "sack-perm") {
      throw new InvalidArgumentError(`Cannot use synproxy flag "${f}": expected timestamp, sack-perm`);
    }
  }
  if (p.mss !== undefined) flags.push("mss");
  if (p.wscale !== undefined) flags.push("wscale");
  return { mss: p.mss as number | undefined, wscale: p.wscale as number | undefined, flags };
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

/** An interface given by name as its index in `ifindexes` (numbers and expressions pass). */
function ifindexOf(v: Json, ifindexes: ReadonlyMap<string, number> | undefined): Json {
  if (typeof v !== "string" || /^\d+$/.test(v)) return v;
  const index = ifindexes?.get(v);
  if (index === undefined) throw linkNotFound(v);
  return index;
}

/** True when a set of `key` (and `data`) holds interfaces, which nft's JSON names. */
export function holdsIfaces(key: readonly NftType[], data: ElementShape["data"]): boolean {
  const isIf = (t: NftType) => t.name === "iface_index";
  return key.some(isIf) || (!!data && "types" in data && data.types.some(isIf));
}

/**
 * Elements with interfaces named in their `iface_index` key fields
 * (`meta iif . meta oif`), or map data (`dup to meta mark map { 1 : "lo" }`),
 * given as their indexes in `ifindexes`.
 */
export function ifindexElems(
  key: readonly NftType[],
  elems: Json[],
  data: ElementShape["data"],
  ifindexes: ReadonlyMap<string, number> | undefined,
): Json[] {
  if (!holdsIfaces(key, data)) return elems;
  const fixer = (types: readonly NftType[]) => {
    if (!types.some((t) => t.name === "iface_index")) return (k: Json) => k;
    const fix = (k: Json): Json => {
      if (isObj(k) && isObj(k.elem)) return { elem: { ...k.elem, val: fix(k.elem.val) } };
      if (isObj(k) && Array.isArray(k.concat)) {
        return { concat: k.concat.map((x, i) => (types[i]?.name === "iface_index" ? ifindexOf(x, ifindexes) : x)) };
      }
      return types.length === 1 ? ifindexOf(k, ifindexes) : k;
    };
    return fix;
  };
  const [fixKey, fixData] = [fixer(key), fixer(data && "types" in data ? data.types : [])];
  return elems.map((e) => (data && Array.isArray(e) ? [fixKey(e[0]), fixData(e[1])] : fixKey(e)));
}

/** An anonymous set of one value, prefix or range is that value, as nft's evaluator makes it (`{"set": ["invalid"]}`). */
function singleton(right: Json): Json {
  if (!isObj(right) || !Array.isArray(right.set) || right.set.length !== 1) return right;
  const [x] = right.set;
  return !isObj(x) ? (Array.isArray(x) ? right : x) : "prefix" in x || "range" in x ? x : right;
}

/**
 * `jump { ... }` (nlkit's JSON: `{"jump": {"rules": [{"expr": [...]}, ...]}}`):
 * a chain bound to the rule, added with its rules before the rule, as nft orders them.
 */
function boundChain(ctx: LinearizeContext, code: "jump" | "goto", rules: Json): NftExpr {
  if (!Array.isArray(rules) || !rules.every((r) => isObj(r) && Array.isArray(r.expr))) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(rules)} as the rules of a ${code} block`);
  }
  const { tx, family, table } = ctx;
  const chainId = tx.addBoundChain({ family, table });
  for (const r of rules as Obj[]) {
    const expressions = ruleExpressions(r.expr as Json[], ctx);
    tx.addRule({ family, table, chainId, expressions, comment: r.comment as string | undefined });
  }
  return { name: "immediate", dreg: 0, data: { verdict: { code, chainId } } };
}

/** The expressions of a rule's nft JSON statements (anonymous sets are added to `ctx.tx` first). */
export function ruleExpressions(stmts: readonly Json[], ctx: LinearizeContext): NftExpr[] {
  const e = new RuleEncoder(ctx);
  for (const st of withoutOwnProtocol(stmts, ctx.family)) {
    try {
      e.stmt(st);
    } catch (err) {
      // A document is untrusted input: a null or a string where an object belongs, deep inside an
      // expression, is a bad statement, not a crash.
      if (err instanceof Error && err.constructor === TypeError) {
        const text = JSON.stringify(st);
        throw new InvalidArgumentError(`Cannot use statement ${text}: ${err.message}`, text);
      }
      throw err;
    }
  }
  return e.merge.apply(e.out);
}

/** A transport protocol's name as the context keeps it (`6` and `ipv6-icmp` too). */
function l4Name(v: Json): string {
  if (v === "ipv6-icmp" || v === 58) return "icmpv6";
  if (typeof v === "number") return Object.entries(L4).find(([, n]) => n === v)?.[0] ?? String(v);
  return String(v);
}
