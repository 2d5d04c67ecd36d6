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
import { formatHex } from "../../../wire/addr.ts";
import { type Attrs, parseAttrs } from "../../../wire/table.ts";
import { TC_ACTION_LIST } from "../action/list.ts";
import type { FilterKind } from "../kind.ts";
import { FLOWER_SCALARS, type FlowerNeed, type FlowerScalar, type Masked } from "./flower_keys.ts";
import { ipAttrs, macMask, prefixOf } from "./flower_masks.ts";
import type { FlowerOptions, MplsLse, PortMatch } from "./flower_options.ts";
import { print } from "./flower_print.ts";
import { words } from "./flower_words.ts";

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
