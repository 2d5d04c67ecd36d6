/**
 * Kernel expressions back to nft's JSON matches: the first layer of the
 * rule decoder (see `rule_json.ts`).
 *
 * @module
 */

import type { NftExpr, NftKnownExpr } from "../expr/registry.ts";
import { NFT_REG32_COUNT, regSlot } from "../consts.ts";
import {
  coveringFields,
  expandFields,
  fieldJson,
  fieldsAt,
  fieldsOf,
  findFieldIn,
  type HeaderField,
  icmpContext,
  icmpFields,
} from "./fields.ts";
import { type Json, type NftType, type NftTypeName, typeByName } from "./types.ts";
import { bytesToNumber, isFlagType, renderBits, renderRangeEnd, renderValue, renderWhole } from "./value_codec.ts";
import { isObj } from "./values.ts";
import {
  binopJson,
  fieldType,
  ifnameJson,
  isZero,
  L4_NAMES,
  type Layer,
  leadingBits,
  LL_BITS,
  maskedJson,
  NH_OF_ETHER_TYPE,
  OPS,
  prefixOf,
  type RuleContext,
  shiftRight,
  tail,
  trailingZeroBits,
  type Val,
} from "./rule_json_base.ts";

/**
 * The first layer of the rule decoder: registers, loads (payload and the
 * dependencies nft leaves out of its listing), bitwise, and comparisons.
 */
export abstract class DecoderCore {
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
    // A load past a whole-byte field's end (`@th,0,64`) is raw: the field does not type its value.
    const past = field !== undefined && field.len < bits && field.len % 8 === 0;
    const v: Val = field
      ? {
        // A sub-byte field loaded as whole bytes is named once a mask narrows it.
        json: field.len < bits ? raw : fieldJson(field),
        type: past ? { ...typeByName("be_integer"), size: e.len ?? 0 } : fieldType(field),
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
}
