/**
 * nft's JSON expressions loaded into registers: the first layer of the
 * rule encoder (see `linearize.ts`).
 *
 * @module
 */

import { cIntField } from "./apply_checks.ts";
import { InvalidArgumentError } from "../../../errors.ts";
import { NFT_REG_1 } from "../consts.ts";
import type { NftExpr, NftKnownExpr } from "../expr/registry.ts";
import { type ElementShape, isObj, keyLen, soleKey } from "./values.ts";
import {
  CT_TYPES,
  ctAddrType,
  HEADER_FIELDS,
  type HeaderField,
  ICMP_ECHO_REPLY,
  META_TYPES,
  RT_KEYS,
  SOCKET_TYPES,
  XFRM_KEYS,
} from "./fields.ts";
import { DCCP_OPTION, EXTHDR_KEYS, exthdrByName, type ExthdrOp } from "./exthdr_fields.ts";
import { concatId, type Json, type NftType, typeByName } from "./types.ts";
import { numberToBytes, parseValue, renderValue } from "./value_codec.ts";
import { PayloadMerge } from "./payload_merge.ts";
import {
  bytesOf,
  checkObjKeys,
  ETHER_TYPES,
  EXTHDR_OPS,
  hasInterval,
  isBits,
  L4,
  type LinearizeContext,
  type Loaded,
  META_KERNEL_KEYS,
  only,
  regOf,
} from "./linearize_base.ts";
import { ifindexElems, ifindexOf } from "./ifindex_values.ts";

type Obj = { [k: string]: Json };

/**
 * The first layer of a rule's encoder: the expressions emitted so far, the
 * protocol context, and loading values into registers (payload, meta, ct,
 * exthdr, fib, ... and their protocol dependencies).
 */
export abstract class LoadEncoder {
  out: NftExpr[] = [];
  proto: { ll?: string; nh?: string; th?: string } = {};
  /** The transport protocols of `meta l4proto { tcp, udp }` (then `proto.th` is "th"), in the order written. */
  thSet: string[] = [];
  /** An `ether type` other than a vlan tag's was matched: no vlan header can follow. */
  etherTyped = false;
  /** The ICMP(v6) message type the rule matched so far (nft's th_dep.icmp.type; 0: none). */
  icmpType = 0;
  /** vlan tags the rule has matched so far (`ether type 8021ad ... vlan type 8021q`). */
  vlans = 0;
  /** A concatenation loaded now is looked up in intervals: its host-order fields go to network order. */
  protected netOrder = false;
  /** The rule's payload matches, joined at the end as nft joins them. */
  readonly merge = new PayloadMerge();
  constructor(readonly ctx: LinearizeContext) {
    if (ctx.family === "ip") this.proto.nh = "ip";
    if (ctx.family === "ip6") this.proto.nh = "ip6";
    if (ctx.family === "arp") this.proto.nh = "arp";
    if (ctx.family === "bridge") this.proto.ll = "ether";
  }

  /**
   * Adds an anonymous set for `elems` keyed like `l` (loaded from
   * `keyJson`); returns its lookup name and id (see `MatchEncoder`).
   */
  abstract anonSet(
    l: Loaded,
    elems: Json[],
    keyJson: Json,
    data?: ElementShape["data"],
    reg?: number,
    objType?: number,
  ): { set: string; setId: number };

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
    for (let k = soleKey(x); isObj(x) && (k === "&" || k === "|" || k === "^"); k = soleKey(x)) {
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
        // The ether type says what follows already (`ether type ip`, `meta protocol ip`, an ip field's dependency).
        if ((this.proto.nh !== undefined && fam !== "ip" && fam !== "ip6" && fam !== "arp") || this.etherTyped) {
          throw conflict("ether", "vlan");
        }
        this.emit({ name: "payload", dreg: NFT_REG_1, base: "ll", offset: 12, len: 2 });
        this.cmpEq(NFT_REG_1, bytesOf(0x8100, 2));
        this.merge.add(this.out, true);
        [this.proto.ll, this.vlans] = ["vlan", 1];
      }
      return;
    }
    if (protocol === "ip" || protocol === "ip6" || protocol === "arp") {
      if (this.proto.nh === protocol) return;
      if (this.proto.nh !== undefined) throw conflict(this.proto.nh, protocol);
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
      // `meta l4proto tcp udp dport 1`, `meta l4proto { tcp, udp } tcp dport 1`: nft names the first other one.
      const other = this.proto.th === "th" ? this.thSet.find((p) => p !== protocol) : this.proto.th;
      if (other !== undefined) throw conflict(other, protocol);
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
        if (r.key === "nexthop") {
          const table = this.ctx.family;
          if (fam === undefined) {
            throw new InvalidArgumentError(
              'Cannot match on rt nexthop: cannot determine ip protocol version, use "ip nexthop" or "ip6 nexthop" instead',
            );
          }
          if ((table === "ip" || table === "ip6") && fam !== table) {
            throw new InvalidArgumentError(`Cannot match on rt ${fam} nexthop in an ${table} table: it will not match`);
          }
        }
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
        const [tn, len, bits] = SOCKET_TYPES[String(o.key)] ?? [];
        if (!tn) {
          throw new InvalidArgumentError(
            `Cannot match on socket ${o.key}: expected ${Object.keys(SOCKET_TYPES).join(", ")}`,
          );
        }
        this.emit({ name: "socket", dreg: reg, key: String(o.key) });
        return { type: { ...typeByName(tn), size: len }, len, bits };
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
        const hash: Record<string, unknown> = {
          name: "hash",
          dreg: reg,
          modulus: cIntField(h.mod, `${k} mod`),
          type: k,
        };
        // nft sends the offset always, 0 when none is written.
        hash.offset = h.offset === undefined ? 0 : cIntField(h.offset, `${k} offset`);
        if (k === "jhash") {
          // The hashed value goes in the next 16-byte register, as nft puts it.
          if (h.expr === undefined) throw new InvalidArgumentError('Cannot use jhash without "expr"');
          const inner = slot + 4;
          const l = this.load(h.expr, inner);
          Object.assign(hash, { sreg: regOf(inner), len: l.len, seed: cIntField(h.seed, "jhash seed") });
        }
        this.emit(hash as NftExpr);
        return { type: typeByName("integer"), len: 4 };
      }
      case "meta": {
        const key = (v as Obj).key === "secpath" ? "ipsec" : String((v as Obj).key); // nft's older name for it
        checkObjKeys(v as Obj, ["key"], "meta");
        if (key === "nfproto" && this.ctx.family !== "inet") {
          throw new InvalidArgumentError(
            `Cannot use meta nfproto in a ${this.ctx.family} table: meta nfproto is only useful in the inet family`,
          );
        }
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
        // `ct original ip saddr` after `meta nfproto ipv6`, or in an ip6 table.
        const own = /^(ip6?) /.exec(key)?.[1];
        if (own && this.proto.nh !== undefined && this.proto.nh !== own) throw conflict(this.proto.nh, own);
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
          bareCtAddr(x);
          if (isObj(x) && isObj(x.payload) && typeof x.payload.protocol === "string") {
            const f = HEADER_FIELDS[x.payload.protocol]?.[String(x.payload.field)];
            if (f) this.dependField(f);
          }
        }
        const parts: Loaded[] = [];
        let s = slot;
        const net = this.netOrder;
        this.netOrder = false;
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
        const len = keyLen(types);
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
          modulus: cIntField(n.mod, "numgen mod"),
          offset: cIntField(n.offset ?? 0, "numgen offset"),
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
    return { type: { ...type, size: len }, len, shift, mask, bits: f.len };
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
      if (!Number.isInteger(type) || type < 0 || type > 255) {
        throw new InvalidArgumentError(`Cannot use tcp option ${JSON.stringify(x.base)}: expected a kind of 0 to 255`);
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
      if (v === "") throw new InvalidArgumentError(`Cannot match ${l.type.name} "": empty string is not allowed`);
      // `"eth*"` matches a prefix: its bytes without the terminating NUL; `"dummy\\*"` is a name ending in `*`.
      if (/(^|[^\\])\*$/.test(v)) return new TextEncoder().encode(v.slice(0, -1));
      if (v.endsWith("\\*")) v = `${v.slice(0, -2)}*`;
    }
    const b = parseValue(l.type, v, l.len);
    return l.bits !== undefined ? this.shifted(l, b) : b;
  }

  /** The bytes `b` of a sub-byte field moved to where the field sits in its loaded bytes. */
  shifted(l: Loaded, b: Uint8Array): Uint8Array {
    let n = 0n;
    for (const x of b) n = (n << 8n) | BigInt(x);
    if (l.bits !== undefined && n >> BigInt(l.bits)) {
      throw new InvalidArgumentError(`Cannot use ${n}: value exceeds valid range 0-${(1n << BigInt(l.bits)) - 1n}`);
    }
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
    if (map) bareCtAddr(keyJson);
    const named = typeof target === "string" && target.startsWith("@")
      ? this.ctx.sets?.get(target.slice(1))
      : undefined;
    const elems = isObj(target) && "set" in target ? (Array.isArray(target.set) ? target.set : [target.set]) : [];
    const key = (x: Json) => (map && Array.isArray(x) ? x[0] : x);
    this.netOrder = isObj(keyJson) && "concat" in keyJson &&
      (named?.interval === true || elems.some((x) => hasInterval(key(x))));
    let l: Loaded;
    try {
      l = this.load(keyJson, slot);
    } finally {
      this.netOrder = false;
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
}

/** nft's refusal of a field whose protocol the rule has already ruled out. */
function conflict(had: string, wanted: string): InvalidArgumentError {
  return new InvalidArgumentError(`Cannot match ${wanted}: conflicting protocols specified: ${had} vs. ${wanted}`);
}

/** `ct original saddr` is typed by the rule's protocol, which a map key or a concatenation needs named. */
function bareCtAddr(x: Json): void {
  if (isObj(x) && isObj(x.ct) && (x.ct.key === "saddr" || x.ct.key === "daddr")) {
    throw new InvalidArgumentError(
      `Cannot use ct ${x.ct.key} in a map key or a concatenation: specify either ip or ip6 for address matching`,
    );
  }
}
