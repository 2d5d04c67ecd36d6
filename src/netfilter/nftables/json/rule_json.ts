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
import { NFT_QUEUE_FLAGS } from "../expr/queue.ts";
import { type DataRender, elementsJson, isIntervalData, renderRange } from "./elements.ts";
import {
  CT_TYPES,
  ctAddrType,
  fieldJson,
  findFieldIn,
  LOG_FLAGS,
  LOG_FLAGS_ALL,
  META_JSON_KEYS,
  META_TYPES,
  RT_KEYS,
  SOCKET_TYPES,
  XFRM_KEYS,
} from "./fields.ts";
import { elemText, exprText } from "../text/stmt_text.ts";
import { xtText } from "../text/xt_xlate.ts";
import { DCCP_OPTION, EXTHDR_KEYS, exthdrByType, exthdrJson, type ExthdrOp } from "./exthdr_fields.ts";
import { concatTypes, type Json, type NftType, type NftTypeName, typeByName } from "./types.ts";
import { renderValue } from "./value_codec.ts";
import { seconds } from "./time_values.ts";
import { verdictJson } from "./verdict.ts";
import {
  byteUnit,
  cInt,
  fieldType,
  jsonSafe,
  limitJson,
  LOG_LEVELS,
  type RuleContext,
  shiftRight,
  stateless,
  synproxyJson,
  tail,
  trailingZeroBits,
  type Val,
  viewOf,
} from "./rule_json_base.ts";
import { DecoderCore } from "./rule_decode.ts";

/** The last layer of the rule decoder: lookups, dynsets, exthdr, nat, and every other expression. */
class RuleDecoder extends DecoderCore {
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
      this.push({ meter: { key: elem, stmt: stmts[0], size: cInt(set.desc?.size ?? 0), name: e.setName ?? "" } });
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
        // `ct bytes` is nft's (4-byte) integer type loaded as 8 bytes: its values are read whole.
        const named = typeByName(tn);
        const type = len > named.size && named.size ? { ...named, size: len } : named;
        if (e.sreg !== undefined) {
          const target: Val = { json: { ct: body }, type, len };
          this.push({ mangle: { key: target.json, value: this.value(target, this.reg(e.sreg)) } });
        } else {
          this.set(e.dreg, { json: { ct: body }, type, len });
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
        const body: Record<string, Json> = { val: cInt(e.count ?? 0) };
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
        const body: Record<string, Json> = { mod: cInt(e.modulus ?? 0) };
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
      case "queue": {
        // nft lists the queue always, `0` when the kernel has none (`queue` alone), and a range when total > 1.
        const body: Record<string, Json> = {};
        if (e.sregQnum !== undefined) body.num = this.operand(e.sregQnum, typeByName("integer"));
        else {
          const [num, total] = [e.num ?? 0, e.total ?? 0];
          body.num = total > 1 ? { range: [num, (num + total - 1) & 0xffff] } : num;
        }
        const flags = Object.entries(NFT_QUEUE_FLAGS).filter(([, bit]) => (e.flags ?? 0) & bit).map(([f]) => f);
        if (flags.length) body.flags = flags.length === 1 ? flags[0] : flags;
        this.push({ queue: body });
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
      case "target": {
        const name = e.xtName ?? "";
        // ebtables' log and nflog are watchers (nft's is_watcher), which nft names so.
        const watcher = this.ctx.family === "bridge" && e.name === "target" && (name === "log" || name === "nflog");
        const type = watcher ? "watcher" : e.name;
        const xt: Record<string, Json> = { type, name };
        // nft's text translates the extension as libxtables does (its JSON does not): kept for the text alone.
        const { family, full } = this.ctx;
        const text = full && e.info
          ? xtText({ type, name, rev: e.rev ?? 0, info: e.info, family, proto: this.proto.th })
          : undefined;
        if (text !== undefined) xt.xlate = text;
        this.push({ xt });
        return false;
      }
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
        const json = { numgen: { mode: e.type ?? "inc", mod: cInt(e.modulus ?? 0), offset: cInt(e.offset ?? 0) } };
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

/** nft's JSON statements of a rule's expressions. */
export function ruleStatements(exprs: readonly NftExpr[], ctx: RuleContext): Json[] {
  const d = new RuleDecoder(ctx);
  for (let i = 0; i < exprs.length; i++) {
    if (d.expr(exprs[i], exprs[i + 1])) i++;
  }
  return d.out.filter((s): s is Json => s !== undefined);
}
