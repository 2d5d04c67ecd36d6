/**
 * A rule's expressions as nft's JSON statements: registers are followed
 * from loads to the comparison, lookup or statement that uses them, and
 * protocol dependencies (`meta nfproto`, `meta l4proto`) that a later
 * header match implies are dropped, as nft does.
 *
 * @module
 */

import type { NftExpr, NftKnownExpr } from "../expr/registry.ts";
import { EXPR_LIST, parseExpr } from "../expr/list.ts";
import { objTypeName } from "../expr/names.ts";
import { NFT_FAMILIES, NFT_REG32_COUNT, regSlot } from "../consts.ts";
import { type DataRender, elementsJson, flagsJson, isIntervalData, renderRange } from "./elements.ts";
import {
  coveringFields,
  CT_TYPES,
  ctAddrType,
  expandFields,
  fieldJson,
  fieldsAt,
  fieldsOf,
  findFieldIn,
  type HeaderField,
  icmpContext,
  icmpFields,
  LOG_FLAGS,
  LOG_FLAGS_ALL,
  META_JSON_KEYS,
  META_TYPES,
  RT_KEYS,
  SOCKET_TYPES,
  XFRM_KEYS,
} from "./fields.ts";
import { elemText, exprText } from "../text/stmt_text.ts";
import { DCCP_OPTION, EXTHDR_KEYS, exthdrByType, exthdrJson, type ExthdrOp } from "./exthdr_fields.ts";
import {
  bytesToNumber,
  concatTypes,
  isFlagType,
  type Json,
  type NftType,
  type NftTypeName,
  numberToBytes,
  renderBits,
  renderRangeEnd,
  renderValue,
  renderWhole,
  seconds,
  typeByName,
} from "./types.ts";
import { verdictJson } from "./verdict.ts";
import { isObj } from "./values.ts";
import type { NftSetWithElements } from "../list.ts";

/** What a rule's JSON needs besides its expressions. */
export interface RuleContext {
  /** The table family. */
  family: string;
  /** Sets of the rule's table by name (anonymous sets are printed inline). */
  sets: ReadonlyMap<string, NftSetWithElements>;
  /** Interface names by index (for `meta iif`/`oif`); numbers are printed when missing. */
  ifnames?: ReadonlyMap<number, string>;
  /** Keep a timeout's milliseconds, which nft's text shows and its JSON drops (the input of the text output). */
  full?: boolean;
}

interface Val {
  json: Json;
  type?: NftType;
  /** Bytes the value occupies in registers. */
  len: number;
  /** A header field loaded whole or partly. */
  field?: HeaderField;
  /** Bits of a field loaded (shorter than the field: a prefix). */
  loadBits?: number;
  /** The header's fields and the bit offset the load started at, for a mask to narrow it to a field. */
  at?: { fields: readonly HeaderField[]; offset: number };
  mask?: Uint8Array;
  /** Adjacent fields loaded at once: an equality splits into one match per field. */
  merged?: HeaderField[];
  /** The mask only selected a sub-byte field (`vlan id`), it is no `&` of the rule's. */
  narrowed?: boolean;
  /** Puts back the written dependency this load removed (a map key in a statement keeps it). */
  revive?: () => void;
  /** A map lookup's result: its data types, and whether each value is a range. */
  mapData?: { types: readonly NftType[]; interval: boolean };
  /** The xor of a bitwise (a field's new value, when a write follows). */
  xor?: Uint8Array;
  /** An immediate value, typed by whoever uses it. */
  imm?: Uint8Array;
  /** A narrowed field's load and mask as nft shows them where it cannot name the field (`@nh,8,8 & 0xfc`). */
  raw?: Json;
  /** Puts back the dependency the load of a field removed (nft keeps it where the field stays unnamed). */
  unkill?: () => void;
  /** A sub-byte field shifted down to its value (`ip dscp` by 2), shown where nft shows the shift. */
  down?: number;
}

type Layer = "ll" | "nh" | "th";

const NH_OF_ETHER_TYPE: Record<number, string> = { 0x0800: "ip", 0x86dd: "ip6", 0x0806: "arp" };
const L4_NAMES: Record<number, string> = {
  1: "icmp",
  2: "igmp",
  6: "tcp",
  17: "udp",
  33: "dccp",
  50: "esp",
  51: "ah",
  58: "icmpv6",
  108: "comp",
  132: "sctp",
  136: "udplite",
};
/** Lengths in bits of the link-layer headers nft stacks. */
const LL_BITS: Record<string, number> = { ether: 112, vlan: 32 };
const OPS: Record<string, string> = { eq: "==", neq: "!=", lt: "<", lte: "<=", gt: ">", gte: ">=" };
const UNITS: Record<number, string> = { 1: "second", 60: "minute", 3600: "hour", 86400: "day", 604800: "week" };
const LOG_LEVELS = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"];

/** Bytes as the largest unit that divides them: `[100, "mbytes"]`. */
export function byteUnit(n: number): [number, string] {
  const units = ["bytes", "kbytes", "mbytes"];
  let i = 0;
  while (i < units.length - 1 && n >= 1024 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return [n, units[i]];
}

class RuleDecoder {
  regs: (Val | undefined)[] = [];
  out: (Json | undefined)[] = [];
  deps: Partial<Record<Layer, number>> = {};
  /** The index of a written `ip protocol`/`ip6 nexthdr` that is the family's own dependency. */
  written?: number;
  proto: Partial<Record<Layer, string>> = {};
  /** Link-layer headers before the current one (`proto.ll`): ether, then each vlan tag but the last. */
  llStack: string[] = [];
  /** The ICMP(v6) message type the rule matched so far (nft's th_dep.icmp.type; 0: none), naming fields. */
  icmpType = 0;
  /** A matched ICMP(v6) type that a field of that message implies (`icmp type redirect` by `icmp gateway`). */
  icmpDep?: { i: number; type: number };
  constructor(readonly ctx: RuleContext) {
    if (ctx.family === "ip") this.proto.nh = "ip";
    if (ctx.family === "ip6") this.proto.nh = "ip6";
    if (ctx.family === "arp") this.proto.nh = "arp";
    if (ctx.family === "bridge") this.proto.ll = "ether";
  }

  reg(r: number | undefined): Val | undefined {
    return r === undefined ? undefined : this.regs[regSlot(r)];
  }

  set(r: number | undefined, v: Val): void {
    if (r === undefined) return;
    const slot = regSlot(r);
    this.regs[slot] = v;
    // A value wider than one slot overwrites the slots it spills into, up to
    // the end of the register file (a bad length must not run past it).
    const end = Math.min(slot + ((v.len + 3) >> 2), NFT_REG32_COUNT);
    for (let i = slot + 1; i < end; i++) this.regs[i] = undefined;
  }

  /** Values starting at register `r` that together cover `len` bytes (a concatenation when more than one). */
  span(r: number | undefined, len: number): Val[] {
    const out: Val[] = [];
    if (r === undefined) return out;
    let slot = regSlot(r);
    let have = 0;
    while (have < len) {
      const v = this.regs[slot];
      if (!v) break;
      out.push(v);
      const n = (v.len + 3) & ~3;
      // A value of no width (a load whose length is missing) covers nothing.
      if (!(n > 0)) break;
      have += n;
      slot += n / 4;
    }
    return out;
  }

  /** Removes the dependency `layer` implies; returns what puts it back. */
  kill(layer: Layer): () => void {
    const i = this.deps[layer];
    const was = i === undefined ? undefined : this.out[i];
    // A written `ip protocol tcp` goes only when the header match follows it right away.
    if (i !== undefined && (i !== this.written || i === this.out.length - 1)) this.out[i] = undefined;
    delete this.deps[layer];
    return () => {
      if (i !== undefined) this.out[i] = was;
    };
  }

  push(stmt: Json): number {
    this.out.push(stmt);
    // A statement other than a match ends what later matches may imply (`meta nfproto ipv4 counter ip saddr ...`
    // keeps its nfproto): nft's rule_maybe_reset_payload_deps.
    if (!isObj(stmt) || !("match" in stmt || "vmap" in stmt)) [this.deps, this.icmpDep] = [{}, undefined];
    return this.out.length - 1;
  }

  /** `meta iif`/`oif` print interface names where the namespace has them. */
  metaType(tn: NftTypeName): NftType {
    const t = typeByName(tn);
    const names = this.ctx.ifnames;
    if (tn !== "iface_index" || !names) return t;
    return { ...t, names: Object.fromEntries(names) };
  }

  typed(v: Val): NftType {
    return v.type ?? typeByName("integer");
  }

  value(target: Val, src: Val | undefined): Json {
    if (!src) return null;
    if (src.imm) return renderValue(this.typed(target), src.imm);
    if (src.mask && !src.narrowed) return binopJson(src.json, this.typed(src), src.mask, src.xor);
    return src.json;
  }

  payload(e: Extract<NftKnownExpr, { name: "payload" }>): void {
    const base = (e.base ?? "nh") as Layer;
    const off = (e.offset ?? 0) * 8;
    const bits = (e.len ?? 0) * 8;
    // The link layer is ether only where the family (bridge) or a `meta iiftype ether` says so: else raw, as nft.
    const stacked = base === "ll" ? this.llHeader(off) : undefined;
    const protocol = stacked?.[0] ?? this.proto[base] ?? (base === "th" ? "th" : undefined);
    const icmp = protocol === "icmp" || protocol === "icmpv6";
    const fields = stacked
      ? fieldsAt(stacked[0], stacked[1])
      : protocol
      ? (icmp ? icmpFields(protocol, this.icmpType) : fieldsOf(protocol))
      : undefined;
    const field = findFieldIn(fields, off, bits);
    const raw: Json = { payload: { base: base === "ll" ? "ll" : base, offset: off, len: bits } };
    if (e.sreg !== undefined) {
      const src = this.reg(e.sreg);
      if (src?.mask && src.at && this.subFieldWrite(src, src.at, base)) return;
      // A write: `ip daddr set ...`.
      const key: Json = field ? fieldJson(field) : raw;
      if (field) this.kill(base);
      const target: Val = { json: key, len: e.len ?? 0, type: field ? fieldType(field) : undefined };
      this.push({ mangle: { key, value: this.value(target, src) } });
      return;
    }
    // `vlan type` is the stacked header's own protocol key: the `ether type 8021q` before it stays (as nft prints).
    // A written `ip protocol tcp` a map key in a statement follows stays (nft kills it for matches only).
    const written = this.written !== undefined && this.deps[base] === this.written ? this.out[this.written] : undefined;
    const unkill = field && !(field.protocol === "vlan" && field.field === "type") ? this.kill(base) : undefined;
    const v: Val = field
      ? {
        // A sub-byte field loaded as whole bytes is named once a mask narrows it.
        json: field.len < bits ? raw : fieldJson(field),
        type: fieldType(field),
        len: e.len ?? 0,
        field,
        loadBits: bits,
      }
      : { json: raw, type: { ...typeByName("be_integer"), size: e.len ?? 0 }, len: e.len ?? 0 }; // raw: network order
    v.unkill = unkill;
    if (fields) v.at = { fields, offset: off };
    // ICMP fields share offsets: a value compared splits as nft expands it (`icmp id . sequence`, not `gateway`).
    const expanded = icmp ? expandFields(fields!, off, bits) : undefined;
    const merged = icmp
      ? (expanded && expanded.length > 1 ? expanded : undefined)
      : protocol && (!field || field.len < bits)
      ? coveringFields(protocol, off, bits)
      : undefined;
    if (merged) {
      v.unkill = this.kill(base);
      v.merged = merged;
    }
    for (const f of merged ?? (field?.len === bits ? [field] : [])) this.killIcmp(f);
    if (written !== undefined && this.out[this.written!] === undefined) {
      const i = this.written!;
      v.revive = () => (this.out[i] = written);
    }
    this.set(e.dreg, v);
  }

  /**
   * The link-layer header a load at `off` bits falls in, and how far the
   * field rows move: ether, or a stacked vlan header after it (nft's
   * get_stacked_desc, quirks included).
   */
  llHeader(off: number): [string, number] | undefined {
    const top = this.proto.ll;
    if (top !== "ether" && top !== "vlan") return undefined;
    // vlan rows sit after ether's 112 bits: moved back by that, forward by the headers before this one.
    const at = (p: string, total: number): [string, number] => [p, p === "vlan" ? total - 112 : total];
    if (off < LL_BITS[top]) return at(top, 0);
    let total = 0;
    for (const d of this.llStack) {
      if (off < total + LL_BITS[d]) return at(d, total);
      total += LL_BITS[d];
    }
    return at(top, total);
  }

  /** A field of one ICMP message type makes a match on that type before it redundant (nft drops it). */
  killIcmp(f: HeaderField): void {
    if (f.icmpType === undefined || this.icmpDep?.type !== f.icmpType) return;
    this.out[this.icmpDep.i] = undefined;
    this.icmpDep = undefined;
  }

  /** `icmp type X` sets the message type that names later fields; one without echo fields is a dependency. */
  icmpTypeMatch(protocol: string, type: number, i: number): void {
    this.icmpType = icmpContext(protocol, type);
    if (this.icmpType !== 8 && this.icmpType !== 128) this.icmpDep = { i, type };
  }

  /** `ip dscp set af11`: the bytes holding a sub-byte field, masked and xored with its new value, written back. */
  subFieldWrite(src: Val, at: { fields: readonly HeaderField[]; offset: number }, base: Layer): boolean {
    const keep = src.mask!.map((b) => ~b & 0xff);
    const lead = leadingBits(keep, 0);
    const trail = trailingZeroBits(keep);
    const f = findFieldIn(at.fields, at.offset + lead, keep.length * 8 - lead - trail);
    if (!f || f.offset !== at.offset + lead) return false;
    this.kill(base);
    const shifted = shiftRight(src.xor ?? new Uint8Array(keep.length), trail);
    const value = renderValue(fieldType(f), shifted.subarray(shifted.length - Math.ceil(f.len / 8)));
    this.push({ mangle: { key: fieldJson(f), value } });
    return true;
  }

  bitwise(e: Extract<NftKnownExpr, { name: "bitwise" }>): void {
    const src = this.reg(e.sreg);
    const mask = e.mask?.value;
    if (src && (e.op === "lshift" || e.op === "rshift") && e.data?.value) {
      const by = bytesToNumber(e.data.value.subarray(0, 4), true);
      if (e.op === "rshift" && src.narrowed && src.mask && by === trailingZeroBits(src.mask)) {
        // A sub-byte field shifted down to its value (a set's key, `ip version @s`): nft prints the field alone
        // where it matches, and the shift or the whole load elsewhere (see `shown`).
        const { json, type, len, field, raw, unkill } = src;
        this.set(e.dreg, { json, type, len, field, raw, unkill, down: by });
        return;
      }
      // `(meta mark | 0x10) << 8`: what was computed so far, shifted.
      const inner = src.mask && !src.narrowed ? binopJson(src.json, this.typed(src), src.mask, src.xor) : src.json;
      this.set(e.dreg, { json: { [e.op === "lshift" ? "<<" : ">>"]: [inner, by] }, type: src.type, len: src.len });
      return;
    }
    if (!src || !mask || (e.op && e.op !== "bool")) {
      this.set(e.dreg, { json: { unknown: "bitwise" }, len: e.len ?? 4 });
      return;
    }
    if (mask.length >= src.len && mask.every((b) => b === 0xff) && isZero(e.xor?.value ?? new Uint8Array(0))) {
      this.set(e.dreg, src); // a mask of the whole value changes nothing: nft drops it
      return;
    }
    let v: Val = { ...src, mask, xor: e.xor?.value };
    const at = src.at;
    if (at && (!src.field || (src.loadBits !== undefined && src.loadBits > src.field.len))) {
      // A sub-byte field was loaded as whole bytes: the mask selects it.
      const lead = leadingBits(mask, 0);
      const f = findFieldIn(at.fields, at.offset + lead, mask.length * 8 - lead - trailingZeroBits(mask));
      if (f && f.offset === at.offset + lead) {
        this.kill(f.base);
        const raw = binopJson(src.json, { ...typeByName("be_integer"), size: src.len }, mask, e.xor?.value);
        v = { ...v, field: f, json: fieldJson(f), type: fieldType(f), loadBits: f.len, narrowed: true, raw };
      }
    }
    this.set(e.dreg, v);
  }

  cmp(e: Extract<NftKnownExpr, { name: "cmp" }>, next: NftExpr | undefined): boolean {
    const left = this.reg(e.sreg);
    const data = e.data?.value ?? new Uint8Array(0);
    if (!left) {
      this.push({ unknown: { cmp: e.op ?? "eq" } });
      return false;
    }
    const op = e.op ?? "eq";
    const t = this.typed(left);
    // `cmp gte` then `cmp lte` on the same register is a range.
    if (op === "gte" && next?.name === "cmp" && "sreg" in next && next.sreg === e.sreg && next.op === "lte") {
      const hi = next.data?.value ?? new Uint8Array(0);
      this.match("==", this.masked(left), { range: [this.rangeEnd(left, data), this.rangeEnd(left, hi)] });
      return true;
    }
    if (left.mask && isZero(left.mask.map((b, i) => b & ~(data[i] ?? 0))) === false && isFlagType(t)) {
      if (isZero(data)) {
        // Flag tests: `ct state established,related` / `ct state != established`.
        const flags = renderValue(t, left.mask);
        this.match(op === "neq" ? "in" : "!", left, flags);
        return false;
      }
      this.match(OPS[op], { ...left, json: { "&": [left.json, renderBits(t, left.mask)] } }, renderValue(t, data));
      return false;
    }
    if (left.merged && (op === "eq" || op === "neq") && !left.mask) {
      let at = 0;
      for (const f of left.merged) {
        const part = data.subarray(at, at + f.len / 8);
        at += f.len / 8;
        const v: Val = { json: fieldJson(f), len: part.length, field: f };
        const i = this.match(OPS[op], v, renderValue(fieldType(f), part));
        if (op === "eq") this.dependency(v, part, i);
      }
      return false;
    }
    const prefix = prefixOf(left, data, t);
    if (prefix) {
      this.match(OPS[op], left, prefix);
      return false;
    }
    if (left.mask && !left.narrowed) {
      this.match(OPS[op], { ...left, json: binopJson(left.json, t, left.mask, left.xor) }, renderValue(t, data));
      return false;
    }
    if (t.kind === "string" && (op === "eq" || op === "neq")) {
      this.match(OPS[op], left, ifnameJson(data));
      return false;
    }
    const shifted = left.mask ? tail(shiftRight(data, trailingZeroBits(left.mask)), t) : data;
    const right = isFlagType(t) && t.bits ? renderWhole(t, shifted) : renderValue(t, shifted);
    const i = this.match(OPS[op], left, right);
    if (op === "eq") this.dependency(left, data, i);
    return false;
  }

  /** A value masked by the rule itself (not to narrow a field) shows its `&`: `@th,8,16 & 0x7ff`. */
  masked(left: Val): Val {
    return left.mask && !left.narrowed
      ? { ...left, json: binopJson(left.json, this.typed(left), left.mask, left.xor) }
      : left;
  }

  /** A range's end as its field's value: a sub-byte field's (`frag frag-off 33-45`) shifted down from its place. */
  rangeEnd(left: Val, b: Uint8Array): Json {
    const t = this.typed(left);
    return renderRangeEnd(t, left.narrowed ? tail(shiftRight(b, trailingZeroBits(left.mask!)), t) : b);
  }

  /** Records a protocol match that a later header match may imply. */
  dependency(left: Val, data: Uint8Array, i: number): void {
    const j = left.json as Record<string, Record<string, string>>;
    // `ct original saddr 1.2.3.4` implies its family (`meta nfproto ipv4` goes).
    if (j.ct?.key === "saddr" || j.ct?.key === "daddr") this.kill("nh");
    const key = j.meta?.key;
    const n = bytesToNumber(data, true);
    const pf = left.field ? `${left.field.protocol} ${left.field.field}` : undefined;
    if ((pf === "icmp type" || pf === "icmpv6 type") && data.length === 1) {
      this.icmpTypeMatch(left.field!.protocol, data[0], i);
      return;
    }
    if (key === "nfproto" || key === "protocol") {
      const proto = key === "nfproto"
        ? { 2: "ip", 10: "ip6" }[n]
        : { 0x0008: "ip", 0xdd86: "ip6", 0x0608: "arp" }[n & 0xffff];
      if (proto) [this.proto.nh, this.deps.nh] = [proto, i];
    } else if (key === "l4proto" || pf === "ip protocol" || pf === "ip6 nexthdr") {
      // In the ip and ip6 families `meta l4proto` makes an `ether type` or `meta protocol` of the family's own
      // protocol redundant (nft's meta_may_dependency_kill).
      const fam = this.ctx.family;
      if (key === "l4proto" && (fam === "ip" || fam === "ip6") && this.proto.nh === fam) this.kill("nh");
      const name = L4_NAMES[data[0]];
      if (!name) return;
      // `meta l4proto` is nft's own dependency; a written `ip protocol` (`ip6 nexthdr`) goes too where it
      // is the family's own header, and stays in inet, bridge and netdev.
      this.proto.th = name;
      const own = (pf === "ip protocol" && this.ctx.family === "ip") ||
        (pf === "ip6 nexthdr" && this.ctx.family === "ip6");
      if (key === "l4proto" || own) this.deps.th = i;
      if (own) this.written = i;
      // icmp implies its network protocol (igmp does not: nft keeps `meta nfproto ipv4` before it).
      if ((name === "icmp" && this.proto.nh === "ip") || (name === "icmpv6" && this.proto.nh === "ip6")) {
        this.kill("nh");
      }
    } else if (key === "iiftype" && n === 1) {
      [this.proto.ll, this.deps.ll] = ["ether", i];
    } else if (pf === "ether type" || pf === "vlan type") {
      const et = bytesToNumber(data, false);
      if (et === 0x8100 || et === 0x88a8) {
        // A vlan header follows; only `ether type 8021q` is implied by its fields (nft keeps 8021ad and `vlan type`).
        this.llStack.push(this.proto.ll ?? "ether");
        this.proto.ll = "vlan";
        if (pf === "ether type" && et === 0x8100) this.deps.ll = i;
        else delete this.deps.ll;
      } else if (et in NH_OF_ETHER_TYPE) [this.proto.nh, this.deps.nh] = [NH_OF_ETHER_TYPE[et], i];
    }
  }

  match(op: string, left: Val, right: Json): number {
    return this.push({ match: { op, left: left.json, right } });
  }

  /**
   * A key as nft 1.0.6 shows it. A sub-byte field shifted down to a named
   * set's values is the field alone in a match, `ip dscp >> 2` in a
   * concatenation or a set statement, and its load and mask as a map's key,
   * where nft names neither the field nor so its dependency: `(@nh,8,8 &
   * 0xfc) >> 2 vmap @m` (none of these three reads back the same in nft).
   */
  key(parts: Val[], use: "match" | "map" | "elem"): Json {
    const shown = (p: Val): Json => (p.down ? { ">>": [p.json, p.down] } : p.json);
    if (parts.length !== 1) return { concat: parts.map(shown) };
    const [p] = parts;
    if (!p.down || use === "match") return maskedJson(p, this.typed(p));
    if (use === "elem" || p.raw === undefined) return shown(p);
    p.unkill?.();
    return { ">>": [p.raw, p.down] };
  }

  lookup(e: Extract<NftKnownExpr, { name: "lookup" }>): void {
    const set = this.ctx.sets.get(e.set ?? "");
    const keyLen = set?.keyLen ?? 4;
    const parts = this.span(e.sreg, keyLen);
    const left = this.key(parts, e.dreg === undefined ? "match" : "map");
    // A concatenation's fields take the bytes their loads took (`udp length`: 2 of an integer's 4).
    const types = parts.length > 1
      ? parts.map((p) => ({ ...this.typed(p), size: p.len || this.typed(p).size }))
      : parts.length
      ? [this.typed(parts[0])]
      : concatTypes(set?.keyType ?? 4);
    let right: Json = `@${e.set}`;
    const isMap = e.dreg !== undefined;
    const f = parts.length === 1 ? parts[0].field : undefined;
    if (!isMap && !this.icmpType && f?.field === "type" && (f.protocol === "icmp" || f.protocol === "icmpv6")) {
      // An ICMP type set sets nft's message type from its first element (nft's payload_icmp_check).
      const first = set?.flags?.includes("anonymous") ? set.elements[0]?.key?.value : undefined;
      if (first?.length === 1) this.icmpType = first[0];
    }
    // Interfaces a map gives (`dup to meta mark map { 1 : "lo" }`) are named as the namespace names them.
    const dataTypes = concatTypes(set?.dataType ?? 4).map((t) => t.name === "iface_index" ? this.metaType(t.name) : t);
    if (set?.flags?.includes("anonymous")) {
      const data: DataRender = !isMap ? undefined : e.dreg === 0 ? { verdict: true } : {
        types: dataTypes,
        interval: isIntervalData(dataTypes, set.dataLen),
      };
      // A sub-byte field's keys are stored in place (`ip dscp`: shifted left by 2): printed as the field's value.
      const shift = parts.length === 1 && parts[0].mask && parts[0].narrowed ? trailingZeroBits(parts[0].mask) : 0;
      const at = (d?: { value?: Uint8Array }) => d?.value && { value: tail(shiftRight(d.value, shift), types[0]) };
      const elems = shift ? set.elements.map((x) => ({ ...x, key: at(x.key), keyEnd: at(x.keyEnd) })) : set.elements;
      right = { set: elementsJson(elems, types, set.flags.includes("interval"), data) };
    }
    if (e.dreg === 0) this.push({ vmap: { key: left, data: right } });
    else if (isMap) {
      for (const p of parts) p.revive?.();
      const mapData = { types: dataTypes, interval: isIntervalData(dataTypes, set?.dataLen) };
      this.set(e.dreg, { json: { map: { key: left, data: right } }, len: set?.dataLen ?? 4, mapData });
    } else this.push({ match: { op: e.flags?.includes("inv") ? "!=" : "==", left, right } });
  }

  /** `add @set { ip saddr timeout 10m }`: a key added to (or updated in, deleted from) a set. */
  dynset(e: Extract<NftKnownExpr, { name: "dynset" }>): boolean {
    const set = this.ctx.sets.get(e.setName ?? "");
    const parts = this.span(e.sregKey, set?.keyLen ?? 4);
    if (!parts.length) {
      this.push({ unknown: { name: "dynset" } });
      return false;
    }
    // A constant field of the key (`ip saddr . 22`) is an immediate, typed by the set's key.
    const keyTypes = concatTypes(set?.keyType ?? 4);
    const json = parts.map((p, i) =>
      p.imm && keyTypes[i] ? this.value({ json: null, type: keyTypes[i], len: p.len }, p) : this.key([p], "elem")
    );
    let elem: Json = json.length === 1 ? json[0] : { concat: json };
    if (e.timeout) elem = { elem: { val: elem, timeout: seconds(e.timeout, this.ctx.full) } };
    if (e.sregData !== undefined) {
      // nft 1.0.6 has no JSON for a map update: it prints the statement's text as a string.
      const types = concatTypes(set?.dataType ?? 4);
      // Concatenated data (`ip daddr . tcp dport`) spans registers, as a concatenated key does.
      const dparts = types.length > 1 ? this.span(e.sregData, set?.dataLen ?? 4) : [];
      const data = dparts.length > 1
        ? {
          concat: dparts.map((p, i) =>
            p.imm && types[i] ? this.value({ json: null, type: types[i], len: p.len }, p) : p.json
          ),
        }
        : this.operand(e.sregData, { ...types[0], size: set?.dataLen ?? types[0].size });
      const hex = types.length === 1 && types[0].name === "mark";
      this.push(`${e.op ?? "add"} @${e.setName} { ${elemText(elem)} : ${exprText(data, { hex })} }`);
      return false;
    }
    const body: Record<string, Json> = { op: e.op ?? "add", elem, set: `@${e.setName}` };
    const exprs = e.expr
      ? [parseExpr(e.expr, viewOf(e.expr), 0, e.expr.length)]
      : e.expressions
      ? EXPR_LIST.parse(e.expressions, viewOf(e.expressions), 0, e.expressions.length)
      : [];
    // nft prints an element's statements without their state.
    const stmts = exprs.length ? ruleStatements(exprs, this.ctx).map(stateless) : [];
    if (stmts.length && set?.flags?.includes("anonymous")) {
      // A statement updating an anonymous set of its own is a meter (its first statement only, as nft shows).
      this.push({ meter: { key: elem, stmt: stmts[0], size: set.desc?.size ?? 0, name: e.setName ?? "" } });
      return false;
    }
    if (stmts.length) body.stmt = stmts;
    this.push({ set: body });
    return false;
  }

  /** The value a statement takes from register `r`: an immediate typed `t`, or the expression loaded there. */
  operand(r: number | undefined, t: NftType): Json {
    return this.value({ json: null, type: t, len: t.size }, this.reg(r));
  }

  /** An IPv6 extension header, TCP or IPv4 option or SCTP chunk (loaded, tested for, written or reset), or a DCCP option (tested for). */
  exthdr(e: Extract<NftKnownExpr, { name: "exthdr" }>): void {
    const op = (e.op ?? "ipv6") as ExthdrOp;
    if ((op as string) === "dccp" && e.flags?.includes("present") && e.dreg !== undefined) {
      this.set(e.dreg, { json: { [DCCP_OPTION]: { type: e.type ?? 0 } }, type: typeByName("boolean"), len: 1 });
      return;
    }
    if (!Object.hasOwn(EXTHDR_KEYS, op)) {
      this.push({ unknown: { name: "exthdr", op } });
      if (e.dreg !== undefined) this.set(e.dreg, { json: { unknown: "exthdr" }, len: e.len ?? 4 });
      return;
    }
    if (op === "ipv6" || op === "ipv4") this.kill("nh");
    const desc = exthdrByType(op, e.type ?? 0);
    const off = (e.offset ?? 0) * 8;
    const bits = (e.len ?? 0) * 8;
    const exists = e.flags?.includes("present") === true;
    const field = desc && !exists ? findFieldIn(desc.fields, off, bits) : undefined;
    const whole: Json = desc
      ? exthdrJson(op, desc.name)
      : { [EXTHDR_KEYS[op]]: { base: e.type ?? 0, offset: off, len: bits } };
    const key = field && field.len === bits ? fieldJson(field) : whole;
    const type = exists ? typeByName("boolean") : field ? fieldType(field) : { ...typeByName("integer"), host: false };
    if (e.sreg !== undefined) {
      const target: Val = { json: key, type, len: e.len ?? 0 };
      this.push({ mangle: { key, value: this.value(target, this.reg(e.sreg)) } });
    } else if (e.dreg === undefined) this.push({ reset: whole });
    else {
      const v: Val = { json: key, type, len: e.len ?? 0, field, loadBits: bits };
      if (desc && !exists) v.at = { fields: desc.fields, offset: off };
      this.set(e.dreg, v);
    }
  }

  nat(
    kind: string,
    e: {
      regAddrMin?: number;
      regAddrMax?: number;
      regProtoMin?: number;
      regProtoMax?: number;
      flags?: string[];
      family?: number;
    },
  ): void {
    const body: Record<string, Json> = {};
    const addrType = typeByName(e.family === 10 ? "ipv6_addr" : "ipv4_addr");
    const port = typeByName("inet_service");
    const pick = (min: number | undefined, max: number | undefined, t: NftType): Json | undefined => {
      if (min === undefined) return undefined;
      const a = this.reg(min);
      if (!a) return undefined; // part of a wider value (a concatenated map's data)
      const b = max === undefined ? a : this.reg(max);
      const va = a?.imm ? renderValue(t, a.imm) : a?.json ?? null;
      const vb = b?.imm ? renderValue(t, b.imm) : b?.json ?? null;
      return max === undefined || max === min || JSON.stringify(va) === JSON.stringify(vb) ? va : { range: [va, vb] };
    };
    const family = e.family === 10 ? "ip6" : "ip";
    const mapped = this.reg(e.regAddrMin);
    const isMap = mapped?.mapData !== undefined;
    if (kind === "snat" || kind === "dnat") {
      if (this.ctx.family === "inet" && (e.family === 2 || e.family === 10)) body.family = family;
      if (isMap) {
        // A map to ranges, or to `address . port`, fills the other registers itself: nft names the family.
        const data = mapped!.mapData!;
        if (data.interval || data.types.length === 2) body.family = family;
        body.addr = mapped!.json;
      } else {
        const addr = pick(e.regAddrMin, e.regAddrMax, addrType);
        // `192.168.3.0-192.168.3.255` is the prefix it spans.
        const lo = e.regAddrMin === undefined ? undefined : this.reg(e.regAddrMin)?.imm;
        const hi = e.regAddrMax === undefined ? undefined : this.reg(e.regAddrMax)?.imm;
        const range = lo && hi && e.regAddrMax !== e.regAddrMin ? renderRange([addrType], lo, hi) : undefined;
        if (addr !== undefined) body.addr = range && typeof range === "object" && "prefix" in range ? range : addr;
      }
    }
    const p = isMap ? undefined : pick(e.regProtoMin, e.regProtoMax, port);
    if (p !== undefined) body.port = p;
    // nft names them in this order, not the bits'.
    const order = ["random", "fully-random", "persistent", "proto-offset", "netmap"];
    const flags = order.filter((f) => e.flags?.includes(f as never));
    if (flags.length) body.flags = flags.length === 1 ? flags[0] : flags;
    if (flags.includes("netmap")) body.type_flags = "prefix";
    this.push({ [kind]: Object.keys(body).length ? body : null });
  }

  expr(e: NftExpr, next: NftExpr | undefined): boolean {
    if ("raw" in e) {
      this.push({ unknown: { name: e.name } });
      return false;
    }
    switch (e.name) {
      case "payload":
        this.payload(e);
        return false;
      case "meta": {
        const key = META_JSON_KEYS[e.key ?? ""] ?? e.key ?? "";
        const [tn, len] = META_TYPES[key] ?? ["integer", 4];
        if (e.sreg !== undefined) {
          const target: Val = { json: { meta: { key } }, type: this.metaType(tn), len };
          this.push({ mangle: { key: target.json, value: this.value(target, this.reg(e.sreg)) } });
        } else {
          this.set(e.dreg, { json: { meta: { key } }, type: this.metaType(tn), len });
        }
        return false;
      }
      case "ct": {
        const key = e.key ?? "";
        const [tn, len] = CT_TYPES[key] ?? ctAddrType(key, this.proto.nh) ?? ["integer", 4];
        const body: Record<string, Json> = { key };
        if (e.direction) body.dir = e.direction;
        if (e.sreg !== undefined) {
          const target: Val = { json: { ct: body }, type: typeByName(tn), len };
          this.push({ mangle: { key: target.json, value: this.value(target, this.reg(e.sreg)) } });
        } else {
          this.set(e.dreg, { json: { ct: body }, type: typeByName(tn), len });
        }
        return false;
      }
      case "bitwise":
        this.bitwise(e);
        return false;
      case "cmp":
        return this.cmp(e, next);
      case "range": {
        const left = this.reg(e.sreg);
        if (!left) return false;
        const lo = this.rangeEnd(left, e.fromData?.value ?? new Uint8Array(0));
        const hi = this.rangeEnd(left, e.toData?.value ?? new Uint8Array(0));
        this.match(e.op === "neq" ? "!=" : "==", this.masked(left), { range: [lo, hi] });
        return false;
      }
      case "lookup":
        this.lookup(e);
        return false;
      case "immediate":
        if (e.dreg === 0 || e.data?.verdict) this.push(verdictJson(e.data?.verdict ?? {}));
        else this.set(e.dreg, { json: null, imm: e.data?.value ?? new Uint8Array(0), len: e.data?.value?.length ?? 4 });
        return false;
      case "counter":
        this.push({ counter: { packets: e.packets ?? 0, bytes: e.bytes ?? 0 } });
        return false;
      case "objref": {
        if (e.setSreg === undefined) {
          this.push({ [e.immType ?? "counter"]: e.immName ?? "" });
          return false;
        }
        // A map of objects (`counter name tcp dport map { 443 : "cnt1" }`), by the map's object type.
        const set = this.ctx.sets.get(e.setName ?? "");
        const parts = this.span(e.setSreg, set?.keyLen ?? 4);
        const key = this.key(parts, "map");
        const types = parts.length ? parts.map((p) => this.typed(p)) : concatTypes(set?.keyType ?? 4);
        const data: Json = set?.flags?.includes("anonymous")
          ? { set: elementsJson(set.elements, types, set.flags.includes("interval"), { objref: true }) }
          : `@${e.setName}`;
        const kind = objTypeName(set?.objType);
        this.push({ [kind]: { map: { key, data } } });
        return false;
      }
      case "limit":
        this.push(limitJson(e, false));
        return false;
      case "quota": {
        const [val, valUnit] = byteUnit(e.bytes ?? 0);
        const body: Record<string, Json> = { val, val_unit: valUnit };
        if (e.consumed) [body.used, body.used_unit] = byteUnit(e.consumed);
        if (e.flags?.includes("inv")) body.inv = true;
        this.push({ quota: body });
        return false;
      }
      case "log": {
        const body: Record<string, Json> = {};
        if (e.prefix !== undefined) body.prefix = e.prefix;
        if (e.group !== undefined) body.group = e.group;
        if (e.snaplen !== undefined) body.snaplen = e.snaplen;
        if (e.qthreshold !== undefined) body["queue-threshold"] = e.qthreshold;
        if (e.level !== undefined && e.level !== 4) body.level = LOG_LEVELS[e.level] ?? e.level;
        const flags = (e.flags ?? 0) & LOG_FLAGS_ALL;
        if (flags === LOG_FLAGS_ALL) body.flags = "all";
        else if (flags) {
          const names = Object.keys(LOG_FLAGS).filter((n) => flags & LOG_FLAGS[n]);
          body.flags = names.length === 1 ? names[0] : names;
        }
        this.push({ log: Object.keys(body).length ? body : null });
        return false;
      }
      case "reject": {
        let type: string = e.type ?? "icmp";
        if (type === "icmp" && (this.ctx.family === "ip6" || this.proto.nh === "ip6")) type = "icmpv6";
        if (type !== "icmpx") this.kill("nh"); // `reject with icmp` implies the network protocol
        const fam = this.ctx.family;
        if (type === "tcp reset" && (fam === "ip" || fam === "ip6")) this.kill("th"); // and `tcp reset` tcp
        if (type === "tcp reset") this.push({ reject: { type } });
        else {
          const codeType = typeByName(`${type}_code`);
          this.push({ reject: { type, expr: renderValue(codeType, new Uint8Array([e.icmpCode ?? 0])) } });
        }
        return false;
      }
      case "nat":
        this.nat(e.type ?? "snat", e);
        return false;
      case "masq":
        this.nat("masquerade", e);
        return false;
      case "redir":
        this.nat("redirect", e);
        return false;
      case "notrack":
        this.push({ notrack: null });
        return false;
      case "fib": {
        const result = e.result ?? "oif";
        const tn: NftTypeName = e.flags?.includes("present")
          ? "boolean"
          : result === "type"
          ? "fib_addrtype"
          : result === "oifname"
          ? "ifname"
          : "iface_index";
        const json = { fib: { result, flags: (e.flags ?? []).filter((f) => f !== "present") } };
        this.set(e.dreg, { json, type: this.metaType(tn), len: result === "oifname" ? 16 : 4 });
        return false;
      }
      case "connlimit": {
        const body: Record<string, Json> = { val: e.count ?? 0 };
        if (e.flags?.includes("inv")) body.inv = true;
        this.push({ "ct count": body });
        return false;
      }
      case "dynset":
        return this.dynset(e);
      case "exthdr":
        this.exthdr(e);
        return false;
      case "rt": {
        const [key, tn, len, family] = RT_KEYS[e.key ?? ""] ?? [e.key ?? "", "integer", 4];
        this.set(e.dreg, { json: { rt: family ? { key, family } : { key } }, type: typeByName(tn), len });
        return false;
      }
      case "hash": {
        const body: Record<string, Json> = { mod: e.modulus ?? 0 };
        if (e.seed !== undefined) body.seed = e.seed;
        if (e.offset) body.offset = e.offset;
        const parts = e.type === "symhash" ? [] : this.span(e.sreg, e.len ?? 0);
        if (parts.length) body.expr = parts.length === 1 ? parts[0].json : { concat: parts.map((p) => p.json) };
        this.set(e.dreg, { json: { [e.type ?? "jhash"]: body }, type: typeByName("integer"), len: 4 });
        return false;
      }
      case "byteorder": {
        // nft prints no conversion: the value is the one converted, now compared in the other byte order.
        const src = this.reg(e.sreg);
        const t = src?.type;
        // A value wider than its type's default (`ct bytes`: 8 bytes) is read whole.
        const size = t && t.size && src ? Math.max(t.size, src.len) : t?.size;
        if (src) this.set(e.dreg, { ...src, type: t && { ...t, host: e.op === "ntoh", size: size ?? t.size } });
        return false;
      }
      case "tproxy": {
        const fam = e.family === 2 ? "ip" : e.family === 10 ? "ip6" : undefined;
        const body: Record<string, Json> = {};
        if (this.ctx.family === "inet" && fam) body.family = fam;
        const addrType = typeByName((fam ?? this.ctx.family) === "ip6" ? "ipv6_addr" : "ipv4_addr");
        if (e.regAddr !== undefined) body.addr = this.operand(e.regAddr, addrType);
        if (e.regPort !== undefined) body.port = this.operand(e.regPort, typeByName("inet_service"));
        this.push({ tproxy: body });
        return false;
      }
      case "dup": {
        const dev = e.sregDev === undefined ? undefined : this.operand(e.sregDev, this.metaType("iface_index"));
        if (e.sregAddr === undefined) this.push({ dup: dev === undefined ? null : { addr: dev } });
        else {
          const addrType = typeByName(this.proto.nh === "ip6" ? "ipv6_addr" : "ipv4_addr");
          const body: Record<string, Json> = { addr: this.operand(e.sregAddr, addrType) };
          if (dev !== undefined) body.dev = dev;
          this.push({ dup: body });
        }
        return false;
      }
      case "fwd": {
        const body: Record<string, Json> = { dev: this.operand(e.sregDev, this.metaType("iface_index")) };
        if (e.sregAddr !== undefined) {
          const v6 = e.nfproto === 10;
          body.family = v6 ? "ip6" : "ip";
          body.addr = this.operand(e.sregAddr, typeByName(v6 ? "ipv6_addr" : "ipv4_addr"));
        }
        this.push({ fwd: body });
        return false;
      }
      case "synproxy": {
        const body = synproxyJson(e);
        this.push({ synproxy: Object.keys(body).length ? body : null }); // the statement's empty body is null
        return false;
      }
      case "flow_offload":
        this.push({ flow: { op: "add", flowtable: `@${e.tableName ?? ""}` } });
        return false;
      case "match":
      case "target":
        this.push({ xt: { type: e.name, name: e.xtName ?? "" } });
        return false;
      case "osf": {
        const body: Record<string, Json> = { key: e.flags?.includes("version") ? "version" : "name" };
        if (e.ttl === "loose" || e.ttl === "skip") body.ttl = e.ttl;
        this.set(e.dreg, { json: { osf: body }, type: typeByName("string"), len: 16 });
        return false;
      }
      case "socket": {
        const key = e.key ?? "";
        const [tn, len] = SOCKET_TYPES[key] ?? ["integer", 4];
        this.set(e.dreg, { json: { socket: { key } }, type: { ...typeByName(tn), size: len }, len });
        return false;
      }
      case "xfrm": {
        const [key, tn, len, family] = XFRM_KEYS[e.key ?? ""] ?? [String(e.key), "integer", 4];
        const body: Record<string, Json> = family ? { key, family } : { key };
        Object.assign(body, { dir: e.dir ?? "in", spnum: e.spnum ?? 0 });
        this.set(e.dreg, { json: { ipsec: body }, type: typeByName(tn), len });
        return false;
      }
      case "numgen": {
        const json = { numgen: { mode: e.type ?? "inc", mod: e.modulus ?? 0, offset: e.offset ?? 0 } };
        this.set(e.dreg, { json, type: typeByName("integer"), len: 4 });
        return false;
      }
    }
    // Every registered expression is handled above; this keeps a future one listable.
    const { name, ...rest } = e as unknown as { name: string; dreg?: number };
    this.push({ unknown: { name, ...jsonSafe(rest) } });
    if (typeof rest.dreg === "number") this.set(rest.dreg, { json: { unknown: name }, len: 4 });
    return false;
  }
}

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** A statement as nft prints it in a set statement: counters and quotas without what they counted. */
export function stateless(st: Json): Json {
  const o = st as Record<string, Record<string, Json>>;
  if (o && typeof o === "object" && "counter" in o && typeof o.counter === "object") return { counter: null };
  if (o && typeof o === "object" && o.quota && typeof o.quota === "object") {
    const { used: _u, used_unit: _uu, ...rest } = o.quota;
    return { quota: rest };
  }
  return st;
}

function jsonSafe(o: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = v instanceof Uint8Array
      ? Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")
      : (JSON.parse(JSON.stringify(v, (_k, x) => x instanceof Uint8Array ? Array.from(x) : x)) as Json);
  }
  return out;
}

/** nft's JSON of a synproxy statement or object body: MSS and window scale when their flags say so. */
export function synproxyJson(e: { mss?: number; wscale?: number; flags?: string[] }): Record<string, Json> {
  const body: Record<string, Json> = {};
  if (e.flags?.includes("mss")) body.mss = e.mss ?? 0;
  if (e.flags?.includes("wscale")) body.wscale = e.wscale ?? 0;
  const flags = ["timestamp", "sack-perm"].filter((f) => e.flags?.includes(f));
  if (flags.length) body.flags = flags;
  return body;
}

/** nft's JSON of a limit statement or object body. */
export function limitJson(
  e: { rate?: number; unit?: number; burst?: number; type?: string; flags?: string[] },
  object: boolean,
): Record<string, Json> {
  const bytes = e.type === "bytes";
  const [rate, rateUnit] = bytes ? byteUnit(e.rate ?? 0) : [e.rate ?? 0, ""];
  const [burst, burstUnit] = bytes ? byteUnit(e.burst ?? 0) : [e.burst ?? 0, ""];
  const per = UNITS[e.unit ?? 1] ?? String(e.unit);
  const inv = e.flags?.includes("inv") === true;
  // nft orders an object's keys differently from a statement's.
  if (object) {
    return {
      rate,
      per,
      ...(inv ? { inv } : {}),
      ...(bytes ? { rate_unit: rateUnit } : {}),
      burst,
      ...(bytes ? { burst_unit: burstUnit } : {}),
    };
  }
  const body: Record<string, Json> = inv ? { rate, burst, per, inv } : { rate, burst, per };
  if (bytes) Object.assign(body, { rate_unit: rateUnit, burst_unit: burstUnit });
  return { limit: body };
}

/**
 * A written value computed by a bitwise (`meta mark set ct mark | 0x10`): the
 * mask and xor split into `&`, `^` and `|` as nft's netlink_parse_bitwise_bool.
 */
function binopJson(json: Json, t: NftType, mask: Uint8Array, xor: Uint8Array = new Uint8Array(mask.length)): Json {
  const or = mask.map((m, i) => (m & xor[i]) ^ xor[i]);
  const x = xor.map((b, i) => b & mask[i]);
  const m = mask.map((b, i) => b | or[i]);
  if (m.some((b) => b !== 0xff)) json = { "&": [json, renderValue(t, m)] };
  if (!isZero(x)) json = { "^": [json, renderValue(t, x)] };
  if (!isZero(or)) json = { "|": [json, renderValue(t, or)] };
  return json;
}

/** A lookup's key: a masked value shows its mask (`tcp flags & (fin | syn) == { ... }`, `ip6 saddr & ::ffff`). */
function maskedJson(v: Val, t: NftType): Json {
  if (!v.mask || v.narrowed) return v.json;
  return t.bits ? { "&": [v.json, flagsJson(renderValue(t, v.mask))] } : binopJson(v.json, t, v.mask, v.xor);
}

function isZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

/** How many bits from the start of `b` are `bit`. */
function leadingBits(b: Uint8Array, bit: 0 | 1): number {
  const fill = bit ? 0xff : 0;
  let n = 0;
  for (const x of b) {
    if (x !== fill) return n + Math.clz32((x ^ fill) & 0xff) - 24;
    n += 8;
  }
  return n;
}

function trailingZeroBits(b: Uint8Array): number {
  let n = 0;
  for (let i = b.length - 1; i >= 0; i--) {
    const x = b[i];
    if (x === 0) {
      n += 8;
      continue;
    }
    return n + (31 - Math.clz32(x & -x));
  }
  return n;
}

/** The last bytes of a shifted network-order value, as many as its type has (`ip6 dscp`: 2 loaded, 1 kept). */
function tail(b: Uint8Array, t: NftType): Uint8Array {
  return t.size && !t.host && b.length > t.size ? b.subarray(b.length - t.size) : b;
}

function shiftRight(b: Uint8Array, bits: number): Uint8Array {
  if (bits === 0) return b;
  let n = BigInt("0x" + (Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("") || "0"));
  n >>= BigInt(bits);
  const out = new Uint8Array(b.length);
  for (let i = b.length - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

/** A prefix match: a partial load of an address field, or an address masked by a prefix mask. */
function prefixOf(left: Val, data: Uint8Array, t: NftType): Json | undefined {
  if (t.name === "mark" && left.mask && isZero(left.xor ?? new Uint8Array(0))) {
    // `meta mark 0xffffff00/24`: a mask of leading ones, on a host-order number.
    const m = bytesToNumber(left.mask, true);
    const len = 32 - trailingZeroBits(numberToBytes(m, 4, false));
    if (m === 0 || m === 0xffffffff || (2 ** 32 - 2 ** (32 - len)) !== m) return undefined;
    return { prefix: { addr: renderValue(t, data), len } };
  }
  if (t.kind !== "ip4" && t.kind !== "ip6") return undefined;
  const full = t.size;
  let len: number | undefined;
  if (left.mask) {
    const lead = leadingBits(left.mask, 1);
    if (lead === left.mask.length * 8 || !isPrefixMask(left.mask, lead)) return undefined;
    len = lead;
  } else if (left.loadBits !== undefined && left.loadBits < full * 8) len = left.loadBits;
  else if (data.length < full) len = data.length * 8; // a shorter compare (`ct original ip saddr 192.168.1.0/24`)
  if (len === undefined) return undefined;
  const addr = new Uint8Array(full);
  addr.set(data.subarray(0, full));
  return { prefix: { addr: renderValue(t, addr), len } };
}

function isPrefixMask(b: Uint8Array, ones: number): boolean {
  for (let i = 0; i < b.length * 8; i++) {
    const bit = (b[i >> 3] >> (7 - (i & 7))) & 1;
    if (bit !== (i < ones ? 1 : 0)) return false;
  }
  return true;
}

/** nft's JSON statements of a rule's expressions. */
export function ruleStatements(exprs: readonly NftExpr[], ctx: RuleContext): Json[] {
  const d = new RuleDecoder(ctx);
  for (let i = 0; i < exprs.length; i++) {
    if (d.expr(exprs[i], exprs[i + 1])) i++;
  }
  return d.out.filter((s): s is Json => s !== undefined);
}

/** The family name nft prints for a `NFPROTO_*` number (ct helper `l3proto`). */
export function nfprotoName(n: number): string {
  return NFT_FAMILIES[n as keyof typeof NFT_FAMILIES] ?? String(n);
}

const FIELD_TYPES = new Map<HeaderField, NftType>();

/** Header fields are in network order whatever their type. */
function fieldType(f: HeaderField): NftType {
  let t = FIELD_TYPES.get(f);
  // As wide as the field's bytes (`udp length`: 2, in a concatenation too).
  if (!t) FIELD_TYPES.set(f, t = { ...typeByName(f.type), host: false, size: Math.ceil(f.len / 8) });
  return t;
}

/**
 * An interface name compared: without its terminating NUL it is a prefix
 * (`"eth*"`); a name really ending in `*` is escaped (`"dummy\\*"`).
 */
function ifnameJson(data: Uint8Array): string {
  const z = data.indexOf(0);
  const name = new TextDecoder().decode(z < 0 ? data : data.subarray(0, z));
  if (z < 0) return `${name}*`;
  return name.endsWith("*") ? `${name.slice(0, -1)}\\*` : name;
}
