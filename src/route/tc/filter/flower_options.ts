/**
 * What a flower filter matches, as the library takes and gives it.
 *
 * @module
 */

import type { TcAction } from "../action/list.ts";
import type { Masked } from "./flower_keys.ts";

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
