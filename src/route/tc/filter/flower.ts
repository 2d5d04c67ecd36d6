/**
 * `flower`: the flow classifier. Matches on MAC addresses, VLAN, IP
 * protocol, addresses, ports (single or ranges), TOS and TTL, with a class
 * id and actions. Tunnel, MPLS, ARP, ICMP, TCP flag and conntrack keys are
 * refused.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { formatHex, formatIp, parseIp, parseMac } from "../../../wire/addr.ts";
import { forEachAttr, readString } from "../../../wire/table.ts";
import { actionWords, buildActionList, parseActionList, printActionList, type TcAction } from "../action/list.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { FilterKind, PrintContext, WordsContext } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { printClsFlags } from "./flags.ts";
import { protocolName } from "../protocol.ts";
import type { TcWords } from "../words.ts";

const F = {
  classid: 1,
  indev: 2,
  act: 3,
  ethDst: 4,
  ethDstMask: 5,
  ethSrc: 6,
  ethSrcMask: 7,
  ethType: 8,
  ipProto: 9,
  ipv4Src: 10,
  ipv4SrcMask: 11,
  ipv4Dst: 12,
  ipv4DstMask: 13,
  ipv6Src: 14,
  ipv6SrcMask: 15,
  ipv6Dst: 16,
  ipv6DstMask: 17,
  flags: 22,
  vlanId: 23,
  vlanPrio: 24,
  ipTos: 73,
  ipTosMask: 74,
  ipTtl: 75,
  ipTtlMask: 76,
  portSrcMin: 87,
  portSrcMax: 88,
  portDstMin: 89,
  portDstMax: 90,
} as const;

/** Port attributes by IP protocol: [src, dst, src mask, dst mask]. */
const PORTS: Record<number, [number, number, number, number]> = {
  6: [18, 19, 35, 36],
  17: [20, 21, 37, 38],
  132: [41, 42, 39, 40],
};

/** A value with its mask. */
export interface Masked<T> {
  /** The value. */
  value: T;
  /** Bits compared (all when absent). */
  mask?: T;
}

/** A port match: one port with a mask, or a range. */
export type PortMatch = { port: number; mask?: number } | { min: number; max: number };

/** flower options. */
export interface FlowerOptions {
  /** Class to classify into. */
  classid?: number;
  /** Input device name. */
  indev?: string;
  /** `TCA_CLS_FLAGS_*` (skip_hw 1, skip_sw 2); tc always sends this. */
  flags?: number;
  /** Ethernet type to match (tc fills it from the filter's protocol unless that is `all`). */
  ethType?: number;
  /** VLAN id. */
  vlanId?: number;
  /** VLAN priority. */
  vlanPrio?: number;
  /** Destination MAC with mask. */
  dstMac?: Masked<string>;
  /** Source MAC with mask. */
  srcMac?: Masked<string>;
  /** IP protocol number. */
  ipProto?: number;
  /** TOS with mask. */
  ipTos?: Masked<number>;
  /** TTL with mask. */
  ipTtl?: Masked<number>;
  /** Destination prefix (`10.0.0.0/8`, `2001:db8::/32`). */
  dstIp?: string;
  /** Source prefix. */
  srcIp?: string;
  /** Destination port or range (needs ip_proto tcp, udp or sctp). */
  dstPort?: PortMatch;
  /** Source port or range. */
  srcPort?: PortMatch;
  /** Actions run on a match. */
  actions?: TcAction[];
}

function prefixMask(bits: number, bytes: number): Uint8Array {
  const m = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    m[i] = bits >= 8 * (i + 1) ? 0xff : bits > 8 * i ? (0xff << (8 - (bits - 8 * i))) & 0xff : 0;
  }
  return m;
}

function maskBits(m: Uint8Array): number | undefined {
  let bits = 0;
  for (const b of m) {
    if (b === 0xff) bits += 8;
    else {
      const n = Math.clz32(~(b << 24));
      if ((b << n & 0xff) !== 0) return undefined;
      bits += n;
      break;
    }
  }
  return m.subarray(Math.ceil(bits / 8)).some((b) => b !== 0) ? undefined : bits;
}

function parse(buf: Uint8Array, view: DataView, start: number, end: number): FlowerOptions {
  const o: FlowerOptions = {};
  const raw = new Map<number, [number, number]>();
  forEachAttr(view, start, end, (t, s, e) => void raw.set(t & 0x3fff, [s, e]));
  const get = (k: number) => raw.get(k);
  const u8 = (k: number) => view.getUint8(get(k)![0]);
  const be16 = (k: number) => view.getUint16(get(k)![0], false);
  const has = (k: number) => raw.has(k);
  if (has(F.classid)) o.classid = view.getUint32(get(F.classid)![0], true);
  if (has(F.indev)) o.indev = readString(buf, ...get(F.indev)!);
  if (has(F.flags)) o.flags = view.getUint32(get(F.flags)![0], true);
  if (has(F.ethType)) o.ethType = be16(F.ethType);
  if (has(F.vlanId)) o.vlanId = view.getUint16(get(F.vlanId)![0], true);
  if (has(F.vlanPrio)) o.vlanPrio = u8(F.vlanPrio);
  const mac = (k: number, km: number): Masked<string> | undefined => {
    const a = get(k);
    if (!a) return undefined;
    const m = get(km);
    return { value: formatHex(buf, a[0], a[1] - a[0]), mask: m && formatHex(buf, m[0], m[1] - m[0]) };
  };
  o.dstMac = mac(F.ethDst, F.ethDstMask);
  o.srcMac = mac(F.ethSrc, F.ethSrcMask);
  if (has(F.ipProto)) o.ipProto = u8(F.ipProto);
  const byte = (k: number, km: number): Masked<number> | undefined =>
    has(k) ? { value: u8(k), mask: has(km) ? u8(km) : undefined } : undefined;
  o.ipTos = byte(F.ipTos, F.ipTosMask);
  o.ipTtl = byte(F.ipTtl, F.ipTtlMask);
  const ip = (k4: number, m4: number, k6: number, m6: number): string | undefined => {
    const [k, m] = has(k4) ? [k4, m4] : has(k6) ? [k6, m6] : [];
    if (k === undefined) return undefined;
    const [s, e] = get(k)!;
    const mk = get(m!);
    const bits = mk ? maskBits(buf.subarray(mk[0], mk[1])) : (e - s) * 8;
    return `${formatIp(buf, s, e - s)}/${bits ?? formatIp(buf, mk![0], mk![1] - mk![0])}`;
  };
  o.dstIp = ip(F.ipv4Dst, F.ipv4DstMask, F.ipv6Dst, F.ipv6DstMask);
  o.srcIp = ip(F.ipv4Src, F.ipv4SrcMask, F.ipv6Src, F.ipv6SrcMask);
  const ports = PORTS[o.ipProto ?? -1];
  const port = (k: number, km: number, kmin: number, kmax: number): PortMatch | undefined => {
    if (has(k)) return { port: be16(k), mask: has(km) ? be16(km) : undefined };
    if (has(kmin) && has(kmax)) return { min: be16(kmin), max: be16(kmax) };
    return undefined;
  };
  if (ports) {
    o.dstPort = port(ports[1], ports[3], F.portDstMin, F.portDstMax);
    o.srcPort = port(ports[0], ports[2], F.portSrcMin, F.portSrcMax);
  }
  if (has(F.act)) o.actions = parseActionList(buf, view, ...get(F.act)!);
  for (const k of Object.keys(o) as (keyof FlowerOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function buildMac(b: MessageBuilder, k: number, km: number, m: Masked<string>): void {
  b.bytes(k, parseMac(m.value));
  if (m.mask === undefined) b.bytes(km, new Uint8Array(6).fill(0xff));
  else if (/^\d+$/.test(m.mask)) b.bytes(km, prefixMask(Number(m.mask), 6));
  else b.bytes(km, parseMac(m.mask));
}

function buildIp(
  b: MessageBuilder,
  prefix: string,
  ethType: number | undefined,
  k4: number,
  m4: number,
  k6: number,
  m6: number,
): void {
  const [addr, len] = prefix.split("/");
  const bytes = parseIp(addr);
  const v6 = bytes.length === 16;
  if (
    (ethType === 0x800 && v6) || (ethType === 0x86dd && !v6) || (ethType && ethType !== 0x800 && ethType !== 0x86dd)
  ) {
    throw new InvalidArgumentError(
      `Cannot match IP address "${prefix}" with ethernet type 0x${(ethType ?? 0).toString(16)}`,
    );
  }
  const bits = len === undefined ? bytes.length * 8 : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8) {
    throw new InvalidArgumentError(`Invalid prefix: "${prefix}"`);
  }
  b.bytes(v6 ? k6 : k4, bytes);
  b.bytes(v6 ? m6 : m4, prefixMask(bits, bytes.length));
}

function buildPort(b: MessageBuilder, p: PortMatch, proto: number | undefined, dst: boolean): void {
  const ports = PORTS[proto ?? -1];
  if (!ports) throw new InvalidArgumentError("Cannot match a port without ip_proto tcp, udp or sctp");
  if ("min" in p) {
    if (p.max <= p.min) throw new InvalidArgumentError(`Invalid port range: ${p.min}-${p.max} (max must be above min)`);
    b.u(dst ? F.portDstMin : F.portSrcMin, "u16be", p.min);
    b.u(dst ? F.portDstMax : F.portSrcMax, "u16be", p.max);
    return;
  }
  b.u(ports[dst ? 1 : 0], "u16be", p.port);
  if (p.mask !== undefined) b.u(ports[dst ? 3 : 2], "u16be", p.mask);
}

function build(b: MessageBuilder, o: FlowerOptions): void {
  if (o.classid !== undefined) b.u(F.classid, "u32", o.classid);
  if (o.indev !== undefined) b.string(F.indev, o.indev);
  if (o.vlanId !== undefined) b.u(F.vlanId, "u16", o.vlanId);
  if (o.vlanPrio !== undefined) b.u(F.vlanPrio, "u8", o.vlanPrio);
  if (o.dstMac) buildMac(b, F.ethDst, F.ethDstMask, o.dstMac);
  if (o.srcMac) buildMac(b, F.ethSrc, F.ethSrcMask, o.srcMac);
  if (o.ipProto !== undefined) b.u(F.ipProto, "u8", o.ipProto);
  for (const [m, k, km] of [[o.ipTos, F.ipTos, F.ipTosMask], [o.ipTtl, F.ipTtl, F.ipTtlMask]] as const) {
    if (!m) continue;
    b.u(k, "u8", m.value);
    b.u(km, "u8", m.mask ?? 0xff);
  }
  if (o.dstIp) buildIp(b, o.dstIp, o.ethType, F.ipv4Dst, F.ipv4DstMask, F.ipv6Dst, F.ipv6DstMask);
  if (o.srcIp) buildIp(b, o.srcIp, o.ethType, F.ipv4Src, F.ipv4SrcMask, F.ipv6Src, F.ipv6SrcMask);
  if (o.dstPort) buildPort(b, o.dstPort, o.ipProto, true);
  if (o.srcPort) buildPort(b, o.srcPort, o.ipProto, false);
  if (o.actions?.length) buildActionList(b, F.act, o.actions);
  b.u(F.flags, "u32", o.flags ?? 0);
  if (o.ethType !== undefined) b.u(F.ethType, "u16be", o.ethType);
}

const IP_PROTOS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58 };

function maskedByte(text: string, what: string): Masked<number> {
  const [v, m] = text.split("/");
  const num = (x: string) => {
    const n = /^(0x[0-9a-f]+|\d+)$/i.test(x) ? Number(x) : NaN;
    if (!(n >= 0 && n <= 255)) {
      throw new InvalidArgumentError(`Invalid ${what}: "${text}" (expected VALUE[/MASK], 0 to 255)`);
    }
    return n;
  };
  return { value: num(v), mask: m === undefined ? undefined : num(m) };
}

function portWords(text: string): PortMatch {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  const [p, m] = text.split("/");
  const num = (x: string) => {
    const n = /^(0x[0-9a-f]+|\d+)$/i.test(x) ? Number(x) : NaN;
    if (!(n >= 0 && n <= 0xffff)) {
      throw new InvalidArgumentError(`Invalid port: "${text}" (expected PORT, PORT/MASK or MIN-MAX)`);
    }
    return n;
  };
  return m === undefined ? { port: num(p) } : { port: num(p), mask: num(m) };
}

function words(w: TcWords, ctx: WordsContext): FlowerOptions {
  const o: FlowerOptions = {};
  const proto = ctx.protocol ?? 3;
  if (proto !== 3) o.ethType = proto;
  let flags = 0;
  const ethIp = o.ethType === 0x800 || o.ethType === 0x86dd;
  for (let word = w.next(); word !== undefined; word = w.next()) {
    switch (word) {
      case "classid":
      case "flowid":
        o.classid = parseHandle(w.value(word, "class id"));
        break;
      case "indev":
        o.indev = w.value(word, "device");
        break;
      case "skip_hw":
        flags |= 1;
        break;
      case "skip_sw":
        flags |= 2;
        break;
      case "vlan_id":
      case "vlan_prio": {
        if (o.ethType !== 0x8100 && o.ethType !== 0x88a8) {
          throw new InvalidArgumentError(`Cannot match "${word}" unless the protocol is 802.1Q or 802.1ad`);
        }
        if (word === "vlan_id") o.vlanId = w.int(word, 0, 0xfff);
        else o.vlanPrio = w.int(word, 0, 7);
        break;
      }
      case "dst_mac":
      case "src_mac": {
        const [value, mask] = w.value(word, "address").split("/");
        o[word === "dst_mac" ? "dstMac" : "srcMac"] = { value, mask };
        break;
      }
      case "ip_proto": {
        if (!ethIp) throw new InvalidArgumentError(`Cannot match "ip_proto" unless the protocol is ip or ipv6`);
        const v = w.value(word, "protocol");
        const n = IP_PROTOS[v] ?? (/^[0-9a-f]{1,2}$/i.test(v) ? parseInt(v, 16) : NaN);
        if (Number.isNaN(n)) {
          throw new InvalidArgumentError(`Invalid ip_proto: "${v}" (expected tcp, udp, sctp, icmp, icmpv6 or hex)`);
        }
        o.ipProto = n;
        break;
      }
      case "ip_tos":
        o.ipTos = maskedByte(w.value(word), word);
        break;
      case "ip_ttl":
        o.ipTtl = maskedByte(w.value(word), word);
        break;
      case "dst_ip":
        o.dstIp = w.value(word, "prefix");
        break;
      case "src_ip":
        o.srcIp = w.value(word, "prefix");
        break;
      case "dst_port":
        o.dstPort = portWords(w.value(word, "port"));
        break;
      case "src_port":
        o.srcPort = portWords(w.value(word, "port"));
        break;
      case "action":
        o.actions = [...(o.actions ?? []), ...actionWords(w, ctx)];
        break;
      default:
        throw new InvalidArgumentError(`Unknown flower argument: "${word}"`);
    }
  }
  o.flags = flags;
  return o;
}

function print(p: TcPrinter, o: FlowerOptions, ctx: PrintContext): void {
  if (ctx.handle) p.field("any", "handle", "handle %s ", ctx.handle, `0x${ctx.handle.toString(16)}`);
  if (o.classid !== undefined) p.str("classid", "classid %s ", formatHandle(o.classid));
  if (o.indev !== undefined) {
    p.nl();
    p.str("indev", "  indev %s", o.indev);
  }
  p.open("keys");
  const line = (key: string, v: string | number) => {
    p.nl();
    p.field("any", key, `  ${key} %s`, v, String(v));
  };
  if (o.vlanId !== undefined) line("vlan_id", o.vlanId);
  if (o.vlanPrio !== undefined) line("vlan_prio", o.vlanPrio);
  const mac = (key: string, m?: Masked<string>) => {
    if (m) line(key, m.mask && m.mask !== "ff:ff:ff:ff:ff:ff" ? `${m.value}/${m.mask}` : m.value);
  };
  mac("dst_mac", o.dstMac);
  mac("src_mac", o.srcMac);
  if (o.ethType !== undefined) line("eth_type", protocolName(o.ethType));
  if (o.ipProto !== undefined) {
    line("ip_proto", Object.entries(IP_PROTOS).find(([, n]) => n === o.ipProto)?.[0] ?? `0x${o.ipProto.toString(16)}`);
  }
  const byte = (key: string, m?: Masked<number>) => {
    if (m) line(key, `0x${m.value.toString(16)}/0x${(m.mask ?? 0xff).toString(16)}`);
  };
  byte("ip_tos", o.ipTos);
  byte("ip_ttl", o.ipTtl);
  if (o.dstIp) line("dst_ip", o.dstIp);
  if (o.srcIp) line("src_ip", o.srcIp);
  const port = (key: string, v?: PortMatch) => {
    if (!v) return;
    if ("min" in v) line(key, `${v.min}-${v.max}`);
    else line(key, v.mask !== undefined && v.mask !== 0xffff ? `${v.port}/0x${v.mask.toString(16)}` : v.port);
  };
  port("dst_port", o.dstPort);
  port("src_port", o.srcPort);
  p.close();
  printClsFlags(p, o.flags ?? 0, true);
  if (o.actions) printActionList(p, o.actions, ctx, true);
}

/** The flower module. */
export const flower: FilterKind = {
  kind: "flower",
  options: {
    keys: [
      "classid",
      "indev",
      "flags",
      "ethType",
      "vlanId",
      "vlanPrio",
      "dstMac",
      "srcMac",
      "ipProto",
      "ipTos",
      "ipTtl",
      "dstIp",
      "srcIp",
      "dstPort",
      "srcPort",
      "actions",
    ],
    parse,
    build: (b, o) => build(b, o as FlowerOptions),
    print: (p, o, c) => print(p, o as FlowerOptions, c),
    words,
  },
};
