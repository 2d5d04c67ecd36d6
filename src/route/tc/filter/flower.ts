/**
 * `flower`: the flow classifier. Matches on MAC addresses, VLAN tags (outer
 * and inner), MPLS, IP protocol, addresses, ports (single or ranges), TOS,
 * TTL, TCP flags, ICMP, ARP, IP fragment flags, tunnel (`enc_*`) and
 * conntrack keys, with a class id and actions. Tunnel options (geneve,
 * vxlan, erspan, gtp), `ct_label`, `hw_tc`, PPPoE
 * and L2TPv3 keys are not supported (refused as unknown words).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { formatHex, formatIp, parseIp, parseMac } from "../../../wire/addr.ts";
import { type Attrs, parseAttrs } from "../../../wire/table.ts";
import { printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { formatHandle } from "../handle.ts";
import type { FilterKind, PrintContext, WordsContext } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { printClsFlags } from "./flags.ts";
import { CLASS_ACTION_WORDS, CLS_FLAG_WORDS } from "./words.ts";
import { readWords, type WordRule, type WordTable } from "../word_table.ts";
import type { TcWords } from "../words.ts";
import { intWord } from "../../../words.ts";
import {
  FLOWER_SCALARS,
  type FlowerNeed,
  type FlowerScalar,
  type Masked,
  printCtState,
  printScalar,
  readCtState,
  readScalar,
} from "./flower_keys.ts";

/** `TCA_FLOWER_KEY_MPLS_OPT_LSE_*`: one label stack entry, in the order tc sends them. */
const MPLS_LSE_ATTRS = {
  depth: { type: 1, kind: "u8" },
  label: { type: 5, kind: "u32" },
  tc: { type: 4, kind: "u8" },
  bos: { type: 3, kind: "u8" },
  ttl: { type: 2, kind: "u8" },
} as const;

/** `TCA_FLOWER_KEY_MPLS_OPTS`: the label stack entries (`TCA_FLOWER_KEY_MPLS_OPTS_LSE`). */
const MPLS_OPTS_ATTRS = { lse: { type: 1, kind: "nested", table: MPLS_LSE_ATTRS, repeat: true } } as const;

/**
 * `TCA_FLOWER_*`, in the order tc's parser sends them (f_flower.c tests
 * its words in this order; actions, flags, ip_flags and the ethernet type
 * come last). Options map onto these raw keys in {@link toAttrs} and back
 * in {@link fromAttrs}.
 */
const FLOWER_ATTRS = {
  classid: { type: 1, kind: "u32" },
  ctState: { type: 91, kind: "u16" },
  ctStateMask: { type: 92, kind: "u16" },
  ctZone: { type: 93, kind: "u16" },
  ctZoneMask: { type: 94, kind: "u16" },
  ctMark: { type: 95, kind: "u32" },
  ctMarkMask: { type: 96, kind: "u32" },
  indev: { type: 2, kind: "string" },
  numOfVlans: { type: 102, kind: "u8" },
  vlanId: { type: 23, kind: "u16" },
  vlanPrio: { type: 24, kind: "u8" },
  vlanEthType: { type: 25, kind: "u16be" },
  cvlanId: { type: 77, kind: "u16" },
  cvlanPrio: { type: 78, kind: "u8" },
  cvlanEthType: { type: 79, kind: "u16be" },
  mplsOpts: { type: 99, kind: "nested", table: MPLS_OPTS_ATTRS },
  mplsLabel: { type: 70, kind: "u32" },
  mplsTc: { type: 69, kind: "u8" },
  mplsBos: { type: 68, kind: "u8" },
  mplsTtl: { type: 67, kind: "u8" },
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
  tcpFlags: { type: 71, kind: "u16be" },
  tcpFlagsMask: { type: 72, kind: "u16be" },
  icmpv4Type: { type: 51, kind: "u8" },
  icmpv4TypeMask: { type: 52, kind: "u8" },
  icmpv6Type: { type: 55, kind: "u8" },
  icmpv6TypeMask: { type: 56, kind: "u8" },
  icmpv4Code: { type: 49, kind: "u8" },
  icmpv4CodeMask: { type: 50, kind: "u8" },
  icmpv6Code: { type: 53, kind: "u8" },
  icmpv6CodeMask: { type: 54, kind: "u8" },
  arpTip: { type: 59, kind: "ip" },
  arpTipMask: { type: 60, kind: "bytes" },
  arpSip: { type: 57, kind: "ip" },
  arpSipMask: { type: 58, kind: "bytes" },
  arpOp: { type: 61, kind: "u8" },
  arpOpMask: { type: 62, kind: "u8" },
  arpTha: { type: 65, kind: "mac" },
  arpThaMask: { type: 66, kind: "bytes" },
  arpSha: { type: 63, kind: "mac" },
  arpShaMask: { type: 64, kind: "bytes" },
  encIpv4Dst: { type: 29, kind: "ip" },
  encIpv4DstMask: { type: 30, kind: "bytes" },
  encIpv6Dst: { type: 33, kind: "ip" },
  encIpv6DstMask: { type: 34, kind: "bytes" },
  encIpv4Src: { type: 27, kind: "ip" },
  encIpv4SrcMask: { type: 28, kind: "bytes" },
  encIpv6Src: { type: 31, kind: "ip" },
  encIpv6SrcMask: { type: 32, kind: "bytes" },
  encKeyId: { type: 26, kind: "u32be" },
  encDstPort: { type: 45, kind: "u16be" },
  encTos: { type: 80, kind: "u8" },
  encTosMask: { type: 81, kind: "u8" },
  encTtl: { type: 82, kind: "u8" },
  encTtlMask: { type: 83, kind: "u8" },
  act: { type: 3, kind: "codec", codec: TC_ACTION_LIST },
  flags: { type: 22, kind: "u32" },
  keyFlags: { type: 47, kind: "u32be" },
  keyFlagsMask: { type: 48, kind: "u32be" },
  ethType: { type: 8, kind: "u16be" },
} as const;

type FlowerAttrs = Attrs<typeof FLOWER_ATTRS>;
type AttrName = keyof typeof FLOWER_ATTRS;

/** The port keys of each IP protocol. */
const PORT_KEYS: Record<number, "tcp" | "udp" | "sctp"> = { 6: "tcp", 17: "udp", 132: "sctp" };

/** A port match: one port with a mask, or a range. */
export type PortMatch = { port: number; mask?: number } | { min: number; max: number };

export type { Masked };

/**
 * flower options. Prefixes are `ADDR/BITS` (or `ADDR/MASK` for a mask
 * with holes); MAC masks are MAC addresses or bit counts.
 */
export interface FlowerOptions {
  /** Class to classify into. */
  classid?: number;
  /** Input device name. */
  indev?: string;
  /** `TCA_CLS_FLAGS_*` (skip_hw 1, skip_sw 2); tc always sends this. */
  flags?: number;
  /** Ethernet type to match (tc fills it from the filter's protocol unless that is `all`). */
  ethType?: number;
  /** Number of VLAN tags. */
  numOfVlans?: number;
  /** VLAN id (needs protocol 802.1Q or 802.1ad, or numOfVlans). */
  vlanId?: number;
  /** VLAN priority. */
  vlanPrio?: number;
  /** Ethernet type inside the VLAN tag. */
  vlanEthType?: number;
  /** Inner VLAN id (needs an 802.1Q or 802.1ad vlanEthType). */
  cvlanId?: number;
  /** Inner VLAN priority. */
  cvlanPrio?: number;
  /** Ethernet type inside the inner VLAN tag. */
  cvlanEthType?: number;
  /** MPLS label stack entries to match (`mpls lse depth N ...`; needs an MPLS ethernet type, not with `mplsLabel`...). */
  mplsLse?: MplsLse[];
  /** MPLS label (needs an MPLS ethernet type). */
  mplsLabel?: number;
  /** MPLS traffic class. */
  mplsTc?: number;
  /** MPLS bottom of stack bit. */
  mplsBos?: number;
  /** MPLS TTL. */
  mplsTtl?: number;
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
  /** TCP flags (12 bits) with mask. */
  tcpFlags?: Masked<number>;
  /** ICMP type with mask (needs ip_proto icmp or icmpv6). */
  icmpType?: Masked<number>;
  /** ICMP code with mask. */
  icmpCode?: Masked<number>;
  /** ARP target IPv4 prefix (needs protocol arp or rarp). */
  arpTip?: string;
  /** ARP sender IPv4 prefix. */
  arpSip?: string;
  /** ARP opcode (1 request, 2 reply) with mask. */
  arpOp?: Masked<number>;
  /** ARP target MAC with mask. */
  arpTha?: Masked<string>;
  /** ARP sender MAC with mask. */
  arpSha?: Masked<string>;
  /** Tunnel destination prefix. */
  encDstIp?: string;
  /** Tunnel source prefix. */
  encSrcIp?: string;
  /** Tunnel key id (VNI). */
  encKeyId?: number;
  /** Tunnel UDP destination port. */
  encDstPort?: number;
  /** Tunnel TOS with mask. */
  encTos?: Masked<number>;
  /** Tunnel TTL with mask. */
  encTtl?: Masked<number>;
  /** IP fragment flags (`ip_flags frag/nofirstfrag`): the flags set and the flags compared. */
  ipFlags?: { flags: number; mask: number };
  /** conntrack state (`+trk+est`): the state bits set and the bits compared. */
  ctState?: { state: number; mask: number };
  /** conntrack zone with mask. */
  ctZone?: Masked<number>;
  /** conntrack mark with mask. */
  ctMark?: Masked<number>;
  /** Actions run on a match. */
  actions?: TcAction[];
}

/** One MPLS label stack entry of `mpls lse`: its depth (1 is the outermost) and the fields to match. */
export interface MplsLse {
  /** Depth in the stack, from 1. */
  depth: number;
  /** Label (20 bits). */
  label?: number;
  /** Traffic class (3 bits). */
  tc?: number;
  /** Bottom of stack bit. */
  bos?: number;
  /** TTL. */
  ttl?: number;
}

const LSE_MAX: Record<string, number> = { depth: 0xff, label: 0xfffff, tc: 7, bos: 1, ttl: 0xff };

/** `mpls lse depth N [label L] [tc T] [bos B] [ttl T] [lse ...]`, read as tc reads it (decimal numbers). */
function mplsWords(w: TcWords): MplsLse[] {
  const out: MplsLse[] = [];
  while (w.peek() === "lse") {
    w.next();
    const lse: Record<string, number> = {};
    for (let word = w.peek(); word !== undefined && Object.hasOwn(LSE_MAX, word); word = w.peek()) {
      w.next();
      const v = w.value(word, "number");
      const n = /^\d+$/.test(v) ? Number(v) : NaN;
      if (!(n >= (word === "depth" ? 1 : 0) && n <= LSE_MAX[word])) {
        throw new InvalidArgumentError(
          `Illegal "${word}": "${v}" (expected 0 to ${LSE_MAX[word]}${word === "depth" ? ", not 0" : ""})`,
        );
      }
      lse[word] = n;
    }
    if (lse.depth === undefined) throw new InvalidArgumentError(`Missing "depth" in mpls lse`);
    out.push(lse as unknown as MplsLse);
  }
  return out;
}

function prefixMask(bits: number, bytes: number): Uint8Array {
  const m = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    m[i] = bits >= 8 * (i + 1) ? 0xff : bits > 8 * i ? (0xff << (8 - (bits - 8 * i))) & 0xff : 0;
  }
  return m;
}

/** tc's `__mask_bits`: the prefix length of a mask, or -1 when it has holes or starts with a zero bit. */
function maskBits(m: Uint8Array): number {
  let bits = 0, hole = false;
  for (const b of m) {
    for (let j = 7; j >= 0; j--) {
      if ((b >> j) & 1) {
        if (hole) return -1;
        bits++;
      } else if (bits) hole = true;
      else return -1;
    }
  }
  return bits;
}

/** A prefix option (`ADDR/BITS`, or `ADDR/MASK` with holes) from an address and its mask. */
function prefixOf(addr: string, mask: Uint8Array | undefined, bytes: number): string {
  const bits = mask ? maskBits(mask) : bytes * 8;
  return `${addr}/${bits < 0 ? formatIp(mask!, 0, mask!.length) : bits}`;
}

/** The first of an IPv4 or IPv6 address/mask attribute pair that is present, as a prefix option. */
function ipOf(a: FlowerAttrs, v4: AttrName, v6?: AttrName): string | undefined {
  const rec = a as Record<string, unknown>;
  if (rec[v4] !== undefined) return prefixOf(rec[v4] as string, rec[`${v4}Mask`] as Uint8Array, 4);
  if (v6 && rec[v6] !== undefined) return prefixOf(rec[v6] as string, rec[`${v6}Mask`] as Uint8Array, 16);
}

function macOf(a: FlowerAttrs, name: AttrName): Masked<string> | undefined {
  const rec = a as Record<string, unknown>;
  const v = rec[name] as string | undefined, m = rec[`${name}Mask`] as Uint8Array | undefined;
  return v === undefined ? undefined : { value: v, mask: m && formatHex(m, 0, m.length) };
}

function parse(buf: Uint8Array, view: DataView, start: number, end: number): FlowerOptions {
  return fromAttrs(parseAttrs(FLOWER_ATTRS, buf, view, start, end));
}

/** Which attribute pair an ICMP key uses: IPv4's or IPv6's. */
function icmpAttr(s: FlowerScalar, v6: boolean): AttrName {
  return (v6 ? s.attr.replace("v4", "v6") : s.attr) as AttrName;
}

/** Options from the raw attributes. */
function fromAttrs(a: FlowerAttrs): FlowerOptions {
  const o: FlowerOptions = {};
  const rec = a as Record<string, unknown>, out = o as Record<string, unknown>;
  if (a.classid !== undefined) o.classid = a.classid;
  if (a.indev !== undefined) o.indev = a.indev;
  if (a.flags !== undefined) o.flags = a.flags;
  if (a.ethType !== undefined) o.ethType = a.ethType;
  if (a.ipProto !== undefined) o.ipProto = a.ipProto;
  for (const s of FLOWER_SCALARS) {
    const attr = s.needs === "icmp" && rec[s.attr] === undefined ? icmpAttr(s, true) : s.attr as AttrName;
    const v = rec[attr] as number | undefined;
    if (v === undefined) continue;
    out[s.option] = s.mask ? { value: v, mask: rec[`${attr}Mask`] as number | undefined } : v;
  }
  for (const [opt, attr] of [["dstMac", "ethDst"], ["srcMac", "ethSrc"], ["arpTha", "arpTha"], ["arpSha", "arpSha"]]) {
    const m = macOf(a, attr as AttrName);
    if (m) out[opt] = m;
  }
  const ips: [string, AttrName, AttrName?][] = [
    ["dstIp", "ipv4Dst", "ipv6Dst"],
    ["srcIp", "ipv4Src", "ipv6Src"],
    ["arpTip", "arpTip"],
    ["arpSip", "arpSip"],
    ["encDstIp", "encIpv4Dst", "encIpv6Dst"],
    ["encSrcIp", "encIpv4Src", "encIpv6Src"],
  ];
  for (const [opt, v4, v6] of ips) {
    const ip = ipOf(a, v4, v6);
    if (ip) out[opt] = ip;
  }
  const p = PORT_KEYS[o.ipProto ?? -1];
  if (p) {
    const port = (v?: number, m?: number, min?: number, max?: number): PortMatch | undefined =>
      v !== undefined ? { port: v, mask: m } : min !== undefined && max !== undefined ? { min, max } : undefined;
    const dst = port(a[`${p}Dst`], a[`${p}DstMask`], a.portDstMin, a.portDstMax);
    const src = port(a[`${p}Src`], a[`${p}SrcMask`], a.portSrcMin, a.portSrcMax);
    if (dst) o.dstPort = dst;
    if (src) o.srcPort = src;
  }
  if (a.ctState !== undefined) o.ctState = { state: a.ctState, mask: a.ctStateMask ?? 0xffff };
  if (a.keyFlagsMask !== undefined) o.ipFlags = { flags: a.keyFlags ?? 0, mask: a.keyFlagsMask };
  if (a.mplsOpts?.lse) o.mplsLse = a.mplsOpts.lse.map(({ unknown: _, ...lse }) => lse as MplsLse);
  if (a.act) o.actions = a.act;
  return o;
}

function macMask(m: Masked<string>): Uint8Array {
  if (m.mask === undefined) return new Uint8Array(6).fill(0xff);
  return /^\d+$/.test(m.mask) ? prefixMask(Number(m.mask), 6) : parseMac(m.mask);
}

/** An IP prefix as address and mask; `family` 4 or 6 when the ethernet type decides it. */
function ipAttrs(prefix: string, family?: 4 | 6): { v6: boolean; addr: string; mask: Uint8Array } {
  const [addr, len] = prefix.split("/");
  const bytes = parseIp(addr);
  const v6 = bytes.length === 16;
  if (family && family !== (v6 ? 6 : 4)) {
    throw new InvalidArgumentError(`Cannot match IP address "${prefix}": the protocol is IPv${family}`);
  }
  if (len !== undefined && /[.:]/.test(len)) {
    const mask = parseIp(len);
    if (mask.length !== bytes.length) throw new InvalidArgumentError(`Invalid prefix: "${prefix}"`);
    return { v6, addr, mask };
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

const VLAN_TYPES = [0x8100, 0x88a8], MPLS_TYPES = [0x8847, 0x8848], ARP_TYPES = [0x806, 0x8035];

/** The ethernet type the keys after the VLAN tags see (tc's running `eth_type`). */
const innerType = (o: FlowerOptions) => o.cvlanEthType ?? o.vlanEthType ?? o.ethType;

/** Whether the protocol allows a key, as tc checks it. */
function allowed(need: FlowerNeed, o: FlowerOptions): boolean {
  const eth = innerType(o) ?? 0;
  switch (need) {
    case "vlan":
      return VLAN_TYPES.includes(o.ethType ?? 0) || (o.numOfVlans ?? 0) > 0;
    case "cvlan":
      return VLAN_TYPES.includes(o.vlanEthType ?? 0) || (o.numOfVlans ?? 0) > 1;
    case "mpls":
      return MPLS_TYPES.includes(eth);
    case "arp":
      return ARP_TYPES.includes(eth);
    case "icmp":
      return (eth === 0x800 && o.ipProto === 1) || (eth === 0x86dd && o.ipProto === 58);
  }
}

const NEEDS: Record<FlowerNeed, string> = {
  vlan: "the protocol is 802.1Q or 802.1ad (or num_of_vlans is set)",
  cvlan: "vlan_ethtype is 802.1Q or 802.1ad (or num_of_vlans is 2 or more)",
  mpls: "the ethernet type is MPLS",
  arp: "the ethernet type is arp or rarp",
  icmp: "ip_proto is icmp (ip) or icmpv6 (ipv6)",
};

/** The raw attributes of options (tc always sends the flags). */
function toAttrs(o: FlowerOptions): FlowerAttrs {
  const a: Record<string, unknown> = {
    classid: o.classid,
    indev: o.indev,
    ipProto: o.ipProto,
    act: o.actions?.length ? o.actions : undefined,
    flags: o.flags ?? 0,
    ethType: o.ethType,
  };
  const opts = o as Record<string, unknown>;
  const eth = innerType(o);
  if (o.ipProto !== undefined && eth !== 0x800 && eth !== 0x86dd) {
    throw new InvalidArgumentError(`Cannot match "ip_proto" unless the protocol is ip or ipv6`);
  }
  for (const s of FLOWER_SCALARS) {
    const v = opts[s.option] as number | Masked<number> | undefined;
    if (v === undefined) continue;
    if (s.needs && !allowed(s.needs, o)) {
      throw new InvalidArgumentError(`Cannot match "${s.word}" unless ${NEEDS[s.needs]}`);
    }
    const attr = s.needs === "icmp" ? icmpAttr(s, eth === 0x86dd) : s.attr;
    if (typeof v === "number") a[attr] = v;
    else [a[attr], a[`${attr}Mask`]] = [v.value, v.mask ?? s.max];
  }
  for (
    const [opt, attr, need] of [
      ["dstMac", "ethDst"],
      ["srcMac", "ethSrc"],
      ["arpTha", "arpTha", "arp"],
      ["arpSha", "arpSha", "arp"],
    ] as const
  ) {
    const m = opts[opt] as Masked<string> | undefined;
    if (!m) continue;
    if (need && !allowed(need, o)) throw new InvalidArgumentError(`Cannot match "${opt}" unless ${NEEDS[need]}`);
    [a[attr], a[`${attr}Mask`]] = [m.value, macMask(m)];
  }
  const family = eth === 0x800 ? 4 : eth === 0x86dd ? 6 : undefined;
  for (
    const [opt, v4, v6, fam] of [
      ["dstIp", "ipv4Dst", "ipv6Dst", family],
      ["srcIp", "ipv4Src", "ipv6Src", family],
      ["arpTip", "arpTip", undefined, 4],
      ["arpSip", "arpSip", undefined, 4],
      ["encDstIp", "encIpv4Dst", "encIpv6Dst", undefined],
      ["encSrcIp", "encIpv4Src", "encIpv6Src", undefined],
    ] as const
  ) {
    const prefix = opts[opt] as string | undefined;
    if (!prefix) continue;
    if (opt === "dstIp" || opt === "srcIp") {
      if (!family) throw new InvalidArgumentError(`Cannot match "${opt}" unless the protocol is ip or ipv6`);
    } else if (!v6 && !allowed("arp", o)) throw new InvalidArgumentError(`Cannot match "${opt}" unless ${NEEDS.arp}`);
    const { v6: six, addr, mask } = ipAttrs(prefix, fam);
    const name = six ? v6! : v4;
    [a[name], a[`${name}Mask`]] = [addr, mask];
  }
  if (o.mplsLse) {
    if (!allowed("mpls", o)) throw new InvalidArgumentError(`Cannot match "mpls" unless ${NEEDS.mpls}`);
    const old = FLOWER_SCALARS.find((s) => s.needs === "mpls" && opts[s.option] !== undefined);
    if (old) throw new InvalidArgumentError(`Cannot match "mpls" with "${old.word}"`);
    a.mplsOpts = { lse: o.mplsLse };
  }
  if (o.dstPort) portAttrs(a, o.dstPort, o.ipProto, "Dst");
  if (o.srcPort) portAttrs(a, o.srcPort, o.ipProto, "Src");
  if (o.ctState) [a.ctState, a.ctStateMask] = [o.ctState.state, o.ctState.mask];
  if (o.ipFlags) [a.keyFlags, a.keyFlagsMask] = [o.ipFlags.flags, o.ipFlags.mask];
  return a as FlowerAttrs;
}

function build(b: MessageBuilder, o: FlowerOptions): void {
  b.attrs(FLOWER_ATTRS, toAttrs(o));
}

const IP_PROTOS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58 };

/** `ip_flags` words (`frag/nofirstfrag`): TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT 1, FRAG_IS_FIRST 2. */
const IP_FLAGS: readonly [string, number][] = [["frag", 1], ["firstfrag", 2]];

function ipFlagsWords(text: string): { flags: number; mask: number } {
  let flags = 0, mask = 0;
  for (const token of text.split("/")) {
    const no = token.startsWith("no");
    const f = IP_FLAGS.find(([n]) => n === (no ? token.slice(2) : token));
    if (!f) {
      throw new InvalidArgumentError(`Invalid ip_flags: "${text}" (expected [no]frag and [no]firstfrag joined by /)`);
    }
    if (!no) flags |= f[1];
    mask |= f[1];
  }
  return { flags, mask };
}

function portWords(text: string): PortMatch {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  const [p, m] = text.split("/");
  const num = (x: string) => {
    const n = intWord(x);
    if (!(n >= 0 && n <= 0xffff)) {
      throw new InvalidArgumentError(`Invalid port: "${text}" (expected PORT, PORT/MASK or MIN-MAX)`);
    }
    return n;
  };
  return m === undefined ? { port: num(p) } : { port: num(p), mask: num(m) };
}

function ipProtoWord(w: TcWords, word: string): number {
  const v = w.value(word, "protocol");
  const n = IP_PROTOS[v] ?? (/^[0-9a-f]{1,2}$/i.test(v) ? parseInt(v, 16) : NaN);
  if (Number.isNaN(n)) {
    throw new InvalidArgumentError(`Invalid ip_proto: "${v}" (expected tcp, udp, sctp, icmp, icmpv6 or hex)`);
  }
  return n;
}

type Rule = WordRule<FlowerOptions>;
const prefix = (key: keyof FlowerOptions): Rule => ({ key, read: (w, word) => w.value(word, "prefix") });
const mac = (key: keyof FlowerOptions): Rule => ({
  key,
  read(w, word): Masked<string> {
    const [value, mask] = w.value(word, "address").split("/");
    return { value, mask };
  },
});
const port = (key: keyof FlowerOptions): Rule => ({ key, read: (w, word) => portWords(w.value(word, "port")) });

/** flower's words: its own, the scalar keys (flower_keys.ts) and the words classifiers share. */
const WORDS: WordTable<FlowerOptions> = {
  ...CLASS_ACTION_WORDS,
  indev: { key: "indev", read: (w, word) => w.value(word, "device") },
  ip_proto: { key: "ipProto", read: ipProtoWord },
  dst_port: port("dstPort"),
  src_port: port("srcPort"),
  ip_flags: { key: "ipFlags", read: (w, word) => ipFlagsWords(w.value(word, "flags")) },
  ct_state: { key: "ctState", read: (w, word) => readCtState(w.value(word, "state")) },
  mpls: {
    key: "mplsLse",
    apply(w, _word, o): void {
      o.mplsLse = [...(o.mplsLse ?? []), ...mplsWords(w)];
    },
  },
  dst_mac: mac("dstMac"),
  src_mac: mac("srcMac"),
  arp_tha: mac("arpTha"),
  arp_sha: mac("arpSha"),
  dst_ip: prefix("dstIp"),
  src_ip: prefix("srcIp"),
  arp_tip: prefix("arpTip"),
  arp_sip: prefix("arpSip"),
  enc_dst_ip: prefix("encDstIp"),
  enc_src_ip: prefix("encSrcIp"),
  ...Object.fromEntries(
    FLOWER_SCALARS.map((s): [string, Rule] => [
      s.word,
      { key: s.option as keyof FlowerOptions, read: (w, word) => readScalar(s, w.value(word)) },
    ]),
  ),
  ...CLS_FLAG_WORDS,
};

function words(w: TcWords, ctx: WordsContext): FlowerOptions {
  const proto = ctx.protocol ?? 3;
  const { flags, ...o } = readWords<FlowerOptions>(w, "flower", WORDS, proto !== 3 ? { ethType: proto } : {}, ctx);
  return { ...o, flags: flags ?? 0 };
}

/** `print_indent_name_value`: a new line, two spaces, `NAME VALUE` (a JSON string). */
function line(p: TcPrinter, key: string, v: string): void {
  p.nl();
  p.str(key, `  ${key} %s`, v);
}

function printMac(p: TcPrinter, key: string, m?: Masked<string>): void {
  if (!m) return;
  const bits = m.mask === undefined ? 48 : maskBits(macMask(m));
  line(p, key, `${m.value}${bits < 0 ? `/${m.mask}` : bits < 48 ? `/${bits}` : ""}`);
}

function printPrefix(p: TcPrinter, key: string, prefix?: string): void {
  if (!prefix) return;
  const { v6, addr, mask } = ipAttrs(prefix);
  const bits = maskBits(mask);
  line(p, key, `${addr}${bits < 0 ? `/${formatIp(mask)}` : bits < (v6 ? 128 : 32) ? `/${bits}` : ""}`);
}

function printPort(p: TcPrinter, key: string, v?: PortMatch): void {
  if (!v || "min" in v) return;
  p.nl();
  p.uint(key, `  ${key} %s`, v.port);
  if (v.mask !== undefined && v.mask !== 0xffff) p.hex(`${key}_mask`, "/0x%s", v.mask);
}

function printRange(p: TcPrinter, key: string, v?: PortMatch): void {
  if (!v || !("min" in v)) return;
  if (p.isJson) {
    p.open(key);
    p.uint("start", "", v.min, "json");
    p.uint("end", "", v.max, "json");
    p.close();
  } else line(p, key, `${v.min}-${v.max}`);
}

const ETH_NAMES: Record<number, string> = { 0x800: "ipv4", 0x86dd: "ipv6", 0x806: "arp", 0x8035: "rarp" };

/** The keys tc prints between the number keys, by the number key they come before. */
const PRINT_BEFORE: Record<string, (p: TcPrinter, o: FlowerOptions) => void> = {
  ipTos(p, o): void {
    printMac(p, "dst_mac", o.dstMac);
    printMac(p, "src_mac", o.srcMac);
    if (o.ethType !== undefined) line(p, "eth_type", ETH_NAMES[o.ethType] ?? o.ethType.toString(16).padStart(4, "0"));
    if (o.ipProto !== undefined) {
      const name = Object.keys(IP_PROTOS).find((k) => IP_PROTOS[k] === o.ipProto);
      line(p, "ip_proto", name ?? o.ipProto.toString(16).padStart(2, "0"));
    }
  },
  mplsLabel(p, o): void {
    if (!o.mplsLse) return;
    p.nl();
    p.text("  mpls");
    p.openArray("mpls");
    for (const lse of o.mplsLse) {
      p.nl();
      p.text("    lse");
      p.open();
      for (const k of ["depth", "label", "tc", "bos", "ttl"] as const) {
        if (lse[k] !== undefined) p.uint(k, ` ${k} %s`, lse[k]);
      }
      p.close();
    }
    p.close();
  },
  tcpFlags(p, o): void {
    // tc prints the addresses only for its own ethernet type (not one inside a VLAN tag).
    if (o.ethType === 0x800 || o.ethType === 0x86dd) {
      printPrefix(p, "dst_ip", o.dstIp);
      printPrefix(p, "src_ip", o.srcIp);
    }
    printPort(p, "dst_port", o.dstPort);
    printPort(p, "src_port", o.srcPort);
    printRange(p, "dst_port", o.dstPort);
    printRange(p, "src_port", o.srcPort);
  },
  arpOp(p, o): void {
    printPrefix(p, "arp_sip", o.arpSip);
    printPrefix(p, "arp_tip", o.arpTip);
  },
  encKeyId(p, o): void {
    printMac(p, "arp_sha", o.arpSha);
    printMac(p, "arp_tha", o.arpTha);
    printPrefix(p, "enc_dst_ip", o.encDstIp);
    printPrefix(p, "enc_src_ip", o.encSrcIp);
  },
  ctZone(p, o): void {
    if (o.ipFlags?.mask) {
      p.nl();
      p.text("  ip_flags ");
      p.open("ip_flags");
      const set = IP_FLAGS.filter(([, f]) => o.ipFlags!.mask & f);
      set.forEach(([n, f], i) => {
        if (i) p.text("/");
        p.bool(n, "", (o.ipFlags!.flags & f) !== 0, "json");
        p.text(o.ipFlags!.flags & f ? n : `no${n}`);
      });
      p.close();
    }
    if (o.ctState) printCtState(p, o.ctState);
  },
};

function print(p: TcPrinter, o: FlowerOptions, ctx: PrintContext): void {
  if (ctx.handle) p.field("any", "handle", "handle %s ", ctx.handle, `0x${ctx.handle.toString(16)}`);
  if (o.classid !== undefined) {
    const min = o.classid & 0xffff;
    if (min >= 0xffe0 && min <= 0xffef) p.uint("hw_tc", "hw_tc %s ", min - 0xffe0);
    else p.str("classid", "classid %s ", formatHandle(o.classid));
  }
  if (o.indev !== undefined) {
    p.nl();
    p.str("indev", "  indev %s", o.indev);
  }
  p.open("keys");
  const opts = o as Record<string, unknown>;
  for (const s of FLOWER_SCALARS) {
    PRINT_BEFORE[s.option]?.(p, o);
    const v = opts[s.option] as number | Masked<number> | undefined;
    if (v !== undefined) printScalar(p, s, v);
  }
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
      "dstMac",
      "srcMac",
      "ipProto",
      "dstIp",
      "srcIp",
      "dstPort",
      "srcPort",
      "arpTip",
      "arpSip",
      "arpTha",
      "arpSha",
      "encDstIp",
      "encSrcIp",
      "ipFlags",
      "ctState",
      "mplsLse",
      ...FLOWER_SCALARS.map((s) => s.option),
      "actions",
    ],
    parse,
    build,
    print: (p, o, c) => print(p, o as FlowerOptions, c),
    words,
  },
};
