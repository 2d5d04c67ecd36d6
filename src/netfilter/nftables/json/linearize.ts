/**
 * nft's JSON statements to kernel expressions: the reverse of
 * `rule_json.ts`. Header matches get the protocol dependencies nft adds
 * (`meta nfproto`, `meta l4proto`, `meta iiftype`), anonymous sets become
 * sets added in the same transaction.
 *
 * @module
 */

import { cIntField } from "./apply_checks.ts";
import { InvalidArgumentError } from "../../../errors.ts";
import { NFT_REG32_00, NFT_REG_1 } from "../consts.ts";
import type { NftExpr, NftKnownExpr } from "../expr/registry.ts";
import { NFT_QUEUE_FLAGS } from "../expr/queue.ts";
import { EXPR_LIST, EXPR_ONE } from "../expr/list.ts";
import { MessageBuilder } from "../../../wire/builder.ts";
import { isObj, keyRange, soleKey, typeSize } from "./values.ts";
import { CT_TYPES, HEADER_FIELDS, type HeaderField, LOG_FLAGS, LOG_FLAGS_ALL, META_TYPES } from "./fields.ts";
import { concatId, type Json, type NftType, typeByName } from "./types.ts";
import { parseValue } from "./value_codec.ts";
import { msOf } from "./time_values.ts";
import { verdictOf } from "./verdict.ts";
import { withoutOwnProtocol } from "./own_protocol.ts";
import {
  checkObjKeys,
  CSUM,
  EXTHDR_OPS,
  ICMP_CODE_TYPES,
  IP_KINDS,
  type LinearizeContext,
  type Loaded,
  LOG_LEVELS,
  NFT_PAYLOAD_L4CSUM_PSEUDOHDR,
  only,
  PSEUDOHDR,
  regOf,
  thKey,
} from "./linearize_base.ts";
import { MatchEncoder } from "./linearize_match.ts";
import { limitAttrs, quotaAttrs, synproxyAttrs } from "./stmt_attrs.ts";

type Obj = { [k: string]: Json };

/** The last layer of a rule's encoder: every other statement. */
class RuleEncoder extends MatchEncoder {
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
    const xor = this.value({ type: { ...typeByName(f.type), host: false, size: len }, len, shift, bits: f.len }, value);
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
    const k = soleKey(key);
    if (k !== undefined && k in EXTHDR_OPS && isObj(key[k])) {
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

  /** `queue flags bypass to 1-3`, `queue to symhash mod 2`: a queue, a range of them, or one a register names. */
  queue(q: Obj): void {
    checkObjKeys(q, ["num", "flags"], "queue");
    let flags = 0;
    for (const f of q.flags === undefined ? [] : Array.isArray(q.flags) ? q.flags : [q.flags]) {
      const bit = NFT_QUEUE_FLAGS[f as keyof typeof NFT_QUEUE_FLAGS];
      if (typeof f !== "string" || bit === undefined) {
        throw new InvalidArgumentError(`Cannot use queue flag ${JSON.stringify(f)}: expected bypass or fanout`);
      }
      flags |= bit;
    }
    // A string is a queue number's text, read as nft reads an integer's (GMP's mpz_set_str, base 0): "1",
    // "0x10", "010" (octal: 8), "0b11", blanks anywhere ignored; "1-3" or "abc" it cannot parse.
    const queueText = (s: string): number => {
      const m = /^(?:0x([0-9a-f]*)|0b([01]*)|(0[0-7]*)|([1-9]\d*))$/i.exec(s.replace(/[ \t\n\v\f\r]/g, ""));
      if (!m) {
        throw new InvalidArgumentError(`Cannot use ${JSON.stringify(s)} as a queue number: Could not parse integer`);
      }
      const [, hex, bin, oct, dec] = m;
      if (hex !== undefined) return hex ? parseInt(hex, 16) : 0;
      if (bin !== undefined) return bin ? parseInt(bin, 2) : 0;
      return oct !== undefined ? parseInt(oct, 8) : Number(dec);
    };
    const queueNum = (x: Json): number => {
      const v = typeof x === "string" ? queueText(x) : x;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffff) {
        throw new InvalidArgumentError(`Cannot use ${JSON.stringify(x)} as a queue number: expected 0 to 65535`);
      }
      return v;
    };
    const n = q.num;
    const e: Extract<NftKnownExpr, { name: "queue" }> = { name: "queue" };
    if (isObj(n) && "range" in n) {
      const [lo, hi] = Array.isArray(n.range) && n.range.length === 2 ? n.range.map(queueNum) : [NaN, NaN];
      if (!(lo <= hi)) {
        throw new InvalidArgumentError(
          `Cannot use queue ${JSON.stringify(n)}: expected a range of queue numbers, low to high`,
        );
      }
      [e.num, e.total] = [lo, hi - lo + 1];
    } else if (isObj(n)) {
      // nft's evaluator wants a 16-bit integer: a hash, numgen, or a map to queue numbers.
      const l = this.load(n, 0, { ...typeByName("integer"), size: 2 });
      if (l.type.name !== "integer") {
        throw new InvalidArgumentError(
          `Cannot queue to ${
            JSON.stringify(n)
          }: datatype mismatch, expected integer, expression has type ${l.type.name}`,
        );
      }
      const gen = Object.values(n)[0] as Obj;
      const top = "mod" in gen ? Number(gen.mod) + Number(gen.offset ?? 0) - 1 : 0;
      if (top > 0xffff) {
        throw new InvalidArgumentError(
          `Cannot queue to ${JSON.stringify(n)}: queue expression max value exceeds 65535`,
        );
      }
      e.sregQnum = NFT_REG_1;
    } else [e.num, e.total] = [n === undefined ? 0 : queueNum(n), 1];
    if (flags & NFT_QUEUE_FLAGS.fanout && !(isObj(n) && "range" in n)) {
      throw new InvalidArgumentError("Cannot queue with fanout to one queue: fanout requires a range to be specified");
    }
    if (flags) e.flags = flags;
    this.emit(e);
  }

  /** `tproxy ip to 1.2.3.4:80`: address and port in registers. */
  tproxy(t: Obj): void {
    checkObjKeys(t, ["family", "addr", "port"], "tproxy");
    const table = this.ctx.family;
    if (table !== "ip" && table !== "ip6" && table !== "inet") {
      throw new InvalidArgumentError(`Cannot use tproxy in a ${table} table: it is only supported for IPv4/IPv6/INET`);
    }
    const fam = t.family === undefined ? (table === "inet" ? undefined : table) : String(t.family);
    if (fam !== undefined && fam !== "ip" && fam !== "ip6") {
      throw new InvalidArgumentError(`Cannot use tproxy family "${fam}": expected ip or ip6`);
    }
    if (this.proto.th === undefined) {
      throw new InvalidArgumentError(
        "Cannot use tproxy here: Transparent proxy support requires transport protocol match",
      );
    }
    if (t.addr === undefined && t.port === undefined) {
      throw new InvalidArgumentError("Cannot use tproxy without an address or a port: either must be specified");
    }
    l3Fits(this.proto.nh, fam, "tproxy");
    for (const [k, v] of [["Address", t.addr], ["Port", t.port]] as const) {
      if (isObj(v) && ("range" in v || "prefix" in v)) {
        throw new InvalidArgumentError(
          `Cannot use tproxy to ${JSON.stringify(v)}: ${k} ranges are not supported for tproxy.`,
        );
      }
    }
    const v6 = fam === "ip6";
    const out: Record<string, unknown> = {};
    if (t.addr !== undefined) {
      if (fam === undefined) {
        throw new InvalidArgumentError("Cannot use a tproxy address without a family: " + INET_ADDR);
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
    const family = t.family === undefined ? (table === "inet" ? 0 : v6 ? 10 : 2) : v6 ? 10 : 2;
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
    const natFamily = this.natFamily(body);
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
      throw new InvalidArgumentError(
        `Cannot map to a port in ${kind}: transport protocol mapping is only valid after transport protocol match`,
      );
    }
    const f = flags.length ? flags : undefined;
    if (kind === "masquerade") this.emit({ name: "masq", flags: f, ...out });
    else if (kind === "redirect") this.emit({ name: "redir", flags: f, ...out });
    else this.emit({ name: "nat", type: kind, family: natFamily, flags: f, ...out });
  }

  /**
   * The family a nat statement sends (nft's nat_evaluate_family): the
   * table's, or in inet the one written or the rule's network protocol, and
   * NFPROTO_INET (1) without an address.
   */
  natFamily(body: Obj): number {
    const fam = this.ctx.family;
    if (fam !== "ip" && fam !== "ip6" && fam !== "inet") {
      throw new InvalidArgumentError(`Cannot use nat in a ${fam} table: NAT is only supported for IPv4/IPv6`);
    }
    if (body.family !== undefined && body.family !== "ip" && body.family !== "ip6") {
      throw new InvalidArgumentError(`Cannot use nat family ${JSON.stringify(body.family)}: expected ip or ip6`);
    }
    if (fam === "inet" && body.addr === undefined) return 1;
    const written = body.family as string | undefined ?? (fam === "inet" ? this.proto.nh : fam);
    if (body.addr !== undefined) l3Fits(this.proto.nh, written, "nat");
    if (written === undefined) {
      throw new InvalidArgumentError("Cannot use a nat address without a family: " + INET_ADDR);
    }
    return written === "ip6" ? 10 : 2;
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
      case "queue":
        return this.queue((v ?? {}) as Obj);
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
        const more = ["prefix", "group", "snaplen", "queue-threshold", "flags"].filter((k) => l[k] !== undefined);
        if (l.level === "audit" && more.length) {
          throw new InvalidArgumentError(`Cannot use log ${more[0]} with level audit: it takes no further options`);
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
        if (fam === "arp") throw new InvalidArgumentError("Cannot use reject with arp");
        // Without a type, the family's ICMP, or the rule's network protocol's (`meta nfproto ipv4 reject`).
        const nh = fam === "ip" || fam === "ip6" ? fam : this.proto.nh;
        const type = String(r.type ?? (nh === "ip" ? "icmp" : nh === "ip6" ? "icmpv6" : "icmpx"));
        const codeType = ICMP_CODE_TYPES[type];
        if (!codeType && type !== "tcp reset") {
          throw new InvalidArgumentError(`Cannot reject with "${type}": expected icmpx, icmp, icmpv6 or tcp reset`);
        }
        rejectFits(fam, nh, type, this.proto.th === "th" ? this.thSet.at(-1) : this.proto.th);
        if (type === "tcp reset") {
          if (this.proto.th === undefined) this.dependFirst("tcp"); // a known transport protocol is tcp by now
          return this.emit({ name: "reject", type: "tcp reset", icmpCode: 0 });
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
        return this.emit({
          name: "connlimit",
          count: cIntField(c.val ?? 0, "ct count"),
          flags: c.inv ? ["inv"] : undefined,
        });
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
          size: cIntField(d.size, "a meter size") || undefined,
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

/** Statements that end a rule's evaluation (nft's STMT_F_TERMINAL): a verdict but continue, reject, nat, fwd, queue. */
const TERMINAL = new Set([
  "accept",
  "drop",
  "jump",
  "goto",
  "return",
  "reject",
  "snat",
  "dnat",
  "masquerade",
  "redirect",
  "fwd",
  "queue",
]);

/** The expressions of a rule's nft JSON statements (anonymous sets are added to `ctx.tx` first). */
export function ruleExpressions(stmts: readonly Json[], ctx: LinearizeContext): NftExpr[] {
  const e = new RuleEncoder(ctx);
  let terminal: string | undefined;
  for (const st of withoutOwnProtocol(stmts, ctx.family)) {
    const key = soleKey(st);
    if (terminal !== undefined) {
      // nft refuses it: the kernel would keep a statement that never runs.
      throw new InvalidArgumentError(
        `Cannot add ${key ?? JSON.stringify(st)} after ${terminal}: it would have no effect`,
      );
    }
    if (key !== undefined && TERMINAL.has(key)) terminal = key;
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

/** nft's words for an address statement of an inet table without ip or ip6. */
const INET_ADDR = "ip or ip6 must be specified with address for inet tables.";

/** Refuses a nat or tproxy family the rule's network protocol rules out (nft's stmt_evaluate_l3proto). */
function l3Fits(nh: string | undefined, family: string | undefined, stmt: string): void {
  if ((nh === "ip" || nh === "ip6") && family !== nh) {
    throw new InvalidArgumentError(
      `Cannot use ${stmt} ${family ?? "without a family"} in a rule about ${nh}: conflicting protocols specified: ` +
        `${nh} vs. ${family ?? "unknown"}. You must specify ip or ip6 family in ${stmt} statement`,
    );
  }
}

/**
 * Refuses a reject the rule's protocols rule out, as nft's evaluator does:
 * `th` is the transport protocol known (of a set, the last one written).
 */
function rejectFits(fam: string, nh: string | undefined, type: string, th: string | undefined): void {
  if (type === "tcp reset" && th !== undefined && th !== "tcp") {
    throw new InvalidArgumentError(`Cannot reject ${th} with tcp reset: you cannot use tcp reset with this protocol`);
  }
  if ((fam === "ip" || fam === "ip6") && type === "icmpx") {
    throw new InvalidArgumentError(
      `Cannot reject with icmpx in an ${fam} table: abstracted ICMP unreachable not supported`,
    );
  }
  if ((fam === "bridge" || fam === "netdev") && nh !== undefined && nh !== "ip" && nh !== "ip6") {
    throw new InvalidArgumentError(`Cannot reject ${nh}: cannot reject this network family`);
  }
  const icmpOf = type === "icmp" ? "ip" : type === "icmpv6" ? "ip6" : undefined;
  if (icmpOf !== undefined && nh !== undefined && nh !== icmpOf) {
    throw new InvalidArgumentError(`Cannot reject ${nh} with ${type}: conflicting protocols specified: ip vs ip6`);
  }
}
