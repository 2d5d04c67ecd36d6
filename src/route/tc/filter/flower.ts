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
import { type Attrs, parseAttrs } from "../../../wire/table.ts";
import { actionWords, printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { FilterKind, PrintContext, WordsContext } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { printClsFlags } from "./flags.ts";
import { protocolName } from "../protocol.ts";
import type { TcWords } from "../words.ts";

/**
 * `TCA_FLOWER_*`, in the order tc sends them for its usual word order
 * (ports: the key of the packet's protocol, or a range). Options map onto
 * these raw keys in {@link toAttrs} and back in {@link fromAttrs}.
 */
const FLOWER_ATTRS = {
  classid: { type: 1, kind: "u32" },
  indev: { type: 2, kind: "string" },
  vlanId: { type: 23, kind: "u16" },
  vlanPrio: { type: 24, kind: "u8" },
  ethDst: { type: 4, kind: "mac" },
  ethDstMask: { type: 5, kind: "bytes" },
  ethSrc: { type: 6, kind: "mac" },
  ethSrcMask: { type: 7, kind: "bytes" },
  ipProto: { type: 9, kind: "u8" },
  ipTos: { type: 73, kind: "u8" },
  ipTosMask: { type: 74, kind: "u8" },
  ipTtl: { type: 75, kind: "u8" },
  ipTtlMask: { type: 76, kind: "u8" },
  ipv4Dst: { type: 12, kind: "ip" },
  ipv4DstMask: { type: 13, kind: "bytes" },
  ipv6Dst: { type: 16, kind: "ip" },
  ipv6DstMask: { type: 17, kind: "bytes" },
  ipv4Src: { type: 10, kind: "ip" },
  ipv4SrcMask: { type: 11, kind: "bytes" },
  ipv6Src: { type: 14, kind: "ip" },
  ipv6SrcMask: { type: 15, kind: "bytes" },
  tcpDst: { type: 19, kind: "u16be" },
  tcpDstMask: { type: 36, kind: "u16be" },
  udpDst: { type: 21, kind: "u16be" },
  udpDstMask: { type: 38, kind: "u16be" },
  sctpDst: { type: 42, kind: "u16be" },
  sctpDstMask: { type: 40, kind: "u16be" },
  portDstMin: { type: 89, kind: "u16be" },
  portDstMax: { type: 90, kind: "u16be" },
  tcpSrc: { type: 18, kind: "u16be" },
  tcpSrcMask: { type: 35, kind: "u16be" },
  udpSrc: { type: 20, kind: "u16be" },
  udpSrcMask: { type: 37, kind: "u16be" },
  sctpSrc: { type: 41, kind: "u16be" },
  sctpSrcMask: { type: 39, kind: "u16be" },
  portSrcMin: { type: 87, kind: "u16be" },
  portSrcMax: { type: 88, kind: "u16be" },
  act: { type: 3, kind: "codec", codec: TC_ACTION_LIST },
  flags: { type: 22, kind: "u32" },
  ethType: { type: 8, kind: "u16be" },
} as const;

type FlowerAttrs = Attrs<typeof FLOWER_ATTRS>;

/** The port keys of each IP protocol. */
const PORT_KEYS: Record<number, "tcp" | "udp" | "sctp"> = { 6: "tcp", 17: "udp", 132: "sctp" };

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
  return fromAttrs(parseAttrs(FLOWER_ATTRS, buf, view, start, end));
}

/** Options from the raw attributes. */
function fromAttrs(a: FlowerAttrs): FlowerOptions {
  const o: FlowerOptions = {};
  if (a.classid !== undefined) o.classid = a.classid;
  if (a.indev !== undefined) o.indev = a.indev;
  if (a.flags !== undefined) o.flags = a.flags;
  if (a.ethType !== undefined) o.ethType = a.ethType;
  if (a.vlanId !== undefined) o.vlanId = a.vlanId;
  if (a.vlanPrio !== undefined) o.vlanPrio = a.vlanPrio;
  const mac = (v: string, m?: Uint8Array): Masked<string> => ({ value: v, mask: m && formatHex(m, 0, m.length) });
  if (a.ethDst !== undefined) o.dstMac = mac(a.ethDst, a.ethDstMask);
  if (a.ethSrc !== undefined) o.srcMac = mac(a.ethSrc, a.ethSrcMask);
  if (a.ipProto !== undefined) o.ipProto = a.ipProto;
  if (a.ipTos !== undefined) o.ipTos = { value: a.ipTos, mask: a.ipTosMask };
  if (a.ipTtl !== undefined) o.ipTtl = { value: a.ipTtl, mask: a.ipTtlMask };
  const ip = (v: string, m: Uint8Array | undefined, bytes: number) => {
    const bits = m ? maskBits(m) : bytes * 8;
    return `${v}/${bits ?? formatIp(m!, 0, m!.length)}`;
  };
  if (a.ipv4Dst !== undefined) o.dstIp = ip(a.ipv4Dst, a.ipv4DstMask, 4);
  else if (a.ipv6Dst !== undefined) o.dstIp = ip(a.ipv6Dst, a.ipv6DstMask, 16);
  if (a.ipv4Src !== undefined) o.srcIp = ip(a.ipv4Src, a.ipv4SrcMask, 4);
  else if (a.ipv6Src !== undefined) o.srcIp = ip(a.ipv6Src, a.ipv6SrcMask, 16);
  const p = PORT_KEYS[o.ipProto ?? -1];
  if (p) {
    const port = (v?: number, m?: number, min?: number, max?: number): PortMatch | undefined =>
      v !== undefined ? { port: v, mask: m } : min !== undefined && max !== undefined ? { min, max } : undefined;
    const dst = port(a[`${p}Dst`], a[`${p}DstMask`], a.portDstMin, a.portDstMax);
    const src = port(a[`${p}Src`], a[`${p}SrcMask`], a.portSrcMin, a.portSrcMax);
    if (dst) o.dstPort = dst;
    if (src) o.srcPort = src;
  }
  if (a.act) o.actions = a.act;
  return o;
}

function macMask(m: Masked<string>): Uint8Array {
  if (m.mask === undefined) return new Uint8Array(6).fill(0xff);
  return /^\d+$/.test(m.mask) ? prefixMask(Number(m.mask), 6) : parseMac(m.mask);
}

/** An IP prefix as address and mask, checked against the ethernet type. */
function ipAttrs(prefix: string, ethType: number | undefined): { v6: boolean; addr: string; mask: Uint8Array } {
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
  return { v6, addr, mask: prefixMask(bits, bytes.length) };
}

function portAttrs(a: Record<string, unknown>, p: PortMatch, proto: number | undefined, dir: "Dst" | "Src"): void {
  const key = PORT_KEYS[proto ?? -1];
  if (!key) throw new InvalidArgumentError("Cannot match a port without ip_proto tcp, udp or sctp");
  if ("min" in p) {
    if (p.max <= p.min) throw new InvalidArgumentError(`Invalid port range: ${p.min}-${p.max} (max must be above min)`);
    a[`port${dir}Min`] = p.min;
    a[`port${dir}Max`] = p.max;
    return;
  }
  a[`${key}${dir}`] = p.port;
  a[`${key}${dir}Mask`] = p.mask;
}

/** The raw attributes of options (tc always sends the flags). */
function toAttrs(o: FlowerOptions): FlowerAttrs {
  const a: Record<string, unknown> = {
    classid: o.classid,
    indev: o.indev,
    vlanId: o.vlanId,
    vlanPrio: o.vlanPrio,
    ipProto: o.ipProto,
    act: o.actions?.length ? o.actions : undefined,
    flags: o.flags ?? 0,
    ethType: o.ethType,
  };
  if (o.dstMac) [a.ethDst, a.ethDstMask] = [o.dstMac.value, macMask(o.dstMac)];
  if (o.srcMac) [a.ethSrc, a.ethSrcMask] = [o.srcMac.value, macMask(o.srcMac)];
  if (o.ipTos) [a.ipTos, a.ipTosMask] = [o.ipTos.value, o.ipTos.mask ?? 0xff];
  if (o.ipTtl) [a.ipTtl, a.ipTtlMask] = [o.ipTtl.value, o.ipTtl.mask ?? 0xff];
  for (const [prefix, dir] of [[o.dstIp, "Dst"], [o.srcIp, "Src"]] as const) {
    if (!prefix) continue;
    const { v6, addr, mask } = ipAttrs(prefix, o.ethType);
    a[`ipv${v6 ? 6 : 4}${dir}`] = addr;
    a[`ipv${v6 ? 6 : 4}${dir}Mask`] = mask;
  }
  if (o.dstPort) portAttrs(a, o.dstPort, o.ipProto, "Dst");
  if (o.srcPort) portAttrs(a, o.srcPort, o.ipProto, "Src");
  return a as FlowerAttrs;
}

function build(b: MessageBuilder, o: FlowerOptions): void {
  b.attrs(FLOWER_ATTRS, toAttrs(o));
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
