/**
 * flower's number keys, one table entry each: the tc word (also the key
 * tc prints), the option, the `TCA_FLOWER_KEY_*` attribute (and its mask
 * attribute, which tc always sends for a masked key), how tc reads the
 * value and how it prints it (f_flower.c, iproute2 6.1).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { intWord } from "../../../words.ts";
import type { TcPrinter } from "../printer.ts";
import { parseProtocol, protocolName } from "../protocol.ts";

/** A value with its mask. */
export interface Masked<T> {
  /** The value. */
  value: T;
  /** Bits compared (all when absent). */
  mask?: T;
}

/** Which ethernet type (or VLAN count) a key needs, as tc checks it before sending. */
export type FlowerNeed = "vlan" | "cvlan" | "mpls" | "arp" | "icmp";

/** How tc prints a key (f_flower.c and tc_util.c). */
type PrintStyle =
  | "uint" // `  NAME %u`, a JSON number
  | "proto" // `  NAME 802.1Q`, ll_proto_n2a
  | "masked" // print_masked_*: `  NAME %u` then `/0x%x` (JSON `NAME_mask`, hex digits) unless the mask is full
  | "u8str" // flower_print_masked_u8: `  NAME %d[/%d]`, a JSON string
  | "arpop" // the same, with request and reply named
  | "tcpflags"; // `  NAME 0x%x/%x`, a JSON string

/** One number key. */
export interface FlowerScalar {
  /** The option in `FlowerOptions`. */
  option: string;
  /** tc's word for it, and the key tc prints unless `key` says otherwise. */
  word: string;
  /** The key tc prints, when it is not the word (`type` prints as `icmp_type`). */
  key?: string;
  /** The attribute (a key of the flower attribute table) and its mask's. */
  attr: string;
  /** The mask attribute: the key is a `Masked<number>`, its mask always sent. */
  mask?: string;
  /**
   * How tc reads the value: `strtoul` base (0: decimal, 0x hex, 0 octal),
   * `"tos"` decimal then hex (flower_parse_ip_tos_ttl), or an ethernet
   * protocol name or number.
   */
  base: 0 | 10 | 16 | "tos" | "proto";
  /** How tc reads the mask (`ip_tos`: decimal value, hex mask). */
  maskBase?: 0 | 10 | 16;
  /** Largest value (and mask); the mask when none is given. */
  max: number;
  /** The ethernet type the key needs. */
  needs?: FlowerNeed;
  /** How tc prints it. */
  print: PrintStyle;
}

const row = (
  option: string,
  word: string,
  attr: string,
  base: FlowerScalar["base"],
  max: number,
  print: PrintStyle,
  more: Partial<FlowerScalar> = {},
): FlowerScalar => ({ option, word, attr, base, max, print, ...more });

/**
 * The number keys in the order tc prints them. `icmpType` and `icmpCode`
 * name their IPv4 attributes; the IPv6 ones are picked from the protocol.
 */
export const FLOWER_SCALARS: readonly FlowerScalar[] = [
  row("numOfVlans", "num_of_vlans", "numOfVlans", 10, 0xff, "uint"),
  row("vlanId", "vlan_id", "vlanId", 10, 0xfff, "uint", { needs: "vlan" }),
  row("vlanPrio", "vlan_prio", "vlanPrio", 10, 7, "uint", { needs: "vlan" }),
  row("vlanEthType", "vlan_ethtype", "vlanEthType", "proto", 0xffff, "proto", { needs: "vlan" }),
  row("cvlanId", "cvlan_id", "cvlanId", 10, 0xfff, "uint", { needs: "cvlan" }),
  row("cvlanPrio", "cvlan_prio", "cvlanPrio", 10, 7, "uint", { needs: "cvlan" }),
  row("cvlanEthType", "cvlan_ethtype", "cvlanEthType", "proto", 0xffff, "proto", { needs: "cvlan" }),
  row("ipTos", "ip_tos", "ipTos", "tos", 0xff, "masked", { mask: "ipTosMask", maskBase: 16 }),
  row("ipTtl", "ip_ttl", "ipTtl", "tos", 0xff, "masked", { mask: "ipTtlMask", maskBase: 16 }),
  row("mplsLabel", "mpls_label", "mplsLabel", 10, 0xfffff, "uint", { needs: "mpls" }),
  row("mplsTc", "mpls_tc", "mplsTc", 10, 7, "u8str", { needs: "mpls" }),
  row("mplsBos", "mpls_bos", "mplsBos", 10, 1, "u8str", { needs: "mpls" }),
  row("mplsTtl", "mpls_ttl", "mplsTtl", 10, 0xff, "u8str", { needs: "mpls" }),
  row("tcpFlags", "tcp_flags", "tcpFlags", 16, 0xfff, "tcpflags", { mask: "tcpFlagsMask", maskBase: 16 }),
  row("icmpType", "type", "icmpv4Type", 10, 0xff, "u8str", {
    mask: "icmpv4TypeMask",
    maskBase: 10,
    needs: "icmp",
    key: "icmp_type",
  }),
  row("icmpCode", "code", "icmpv4Code", 10, 0xff, "u8str", {
    mask: "icmpv4CodeMask",
    maskBase: 10,
    needs: "icmp",
    key: "icmp_code",
  }),
  row("arpOp", "arp_op", "arpOp", 10, 0xff, "arpop", { mask: "arpOpMask", maskBase: 10, needs: "arp" }),
  row("encKeyId", "enc_key_id", "encKeyId", 10, 0xffffffff, "uint"),
  row("encDstPort", "enc_dst_port", "encDstPort", 10, 0xffff, "masked"),
  row("encTos", "enc_tos", "encTos", "tos", 0xff, "masked", { mask: "encTosMask", maskBase: 16 }),
  row("encTtl", "enc_ttl", "encTtl", "tos", 0xff, "masked", { mask: "encTtlMask", maskBase: 16 }),
  row("ctZone", "ct_zone", "ctZone", 0, 0xffff, "masked", { mask: "ctZoneMask", maskBase: 0 }),
  row("ctMark", "ct_mark", "ctMark", 0, 0xffffffff, "masked", { mask: "ctMarkMask", maskBase: 0 }),
];

const ARP_OPS: Record<string, number> = { request: 1, reply: 2 };

// strtoul's bases: 0 takes 0x hex and 0 octal; 10 and 16 only their digits.
function strtoul(text: string, base: 0 | 10 | 16): number {
  if (base === 16) return intWord(text, 16);
  if (base === 10) return /^\d+$/.test(text) ? Number(text) : NaN;
  return /^0[0-7]+$/.test(text) ? parseInt(text, 8) : intWord(text);
}

/** Reads a key's word (`VALUE` or `VALUE/MASK`) as tc does. */
export function readScalar(s: FlowerScalar, text: string): number | Masked<number> {
  const bad = () =>
    new InvalidArgumentError(
      `Invalid ${s.word}: "${text}" (expected ${s.mask ? "VALUE[/MASK]" : "a value"} up to ${s.max})`,
    );
  const slash = s.mask ? text.indexOf("/") : -1;
  const v = slash < 0 ? text : text.slice(0, slash);
  let value: number;
  if (s.base === "proto") value = parseProtocol(v);
  else if (s.base === "tos") value = /^\d+$/.test(v) ? Number(v) : intWord(v, 16);
  else if (s.print === "arpop" && Object.hasOwn(ARP_OPS, v)) value = ARP_OPS[v];
  else value = strtoul(v, s.base);
  if (!(value >= 0 && value <= s.max)) throw bad();
  if (s.print === "arpop" && value > 2) throw bad();
  if (!s.mask) return value;
  const mask = slash < 0 ? s.max : strtoul(text.slice(slash + 1), s.maskBase ?? 10);
  if (!(mask >= 0 && mask <= s.max)) throw bad();
  return { value, mask };
}

/** Prints a number key as tc does. */
export function printScalar(p: TcPrinter, s: FlowerScalar, v: number | Masked<number>): void {
  const value = typeof v === "number" ? v : v.value;
  const mask = typeof v === "number" ? undefined : v.mask;
  const key = s.key ?? s.word;
  p.nl();
  p.text("  ");
  switch (s.print) {
    case "uint":
      return p.uint(key, `${key} %s`, value);
    case "proto":
      return p.str(key, `${key} %s`, protocolName(value));
    case "masked":
      p.uint(key, `${key} %s`, value);
      if (mask !== undefined && mask !== s.max) p.hex(`${key}_mask`, "/0x%s", mask);
      return;
    case "tcpflags":
      return p.str(key, `${key} %s`, `0x${value.toString(16)}${mask === undefined ? "" : `/${mask.toString(16)}`}`);
    default: {
      const name = s.print === "arpop" && (mask ?? 0xff) === 0xff
        ? Object.keys(ARP_OPS).find((k) => ARP_OPS[k] === value)
        : undefined;
      const m = mask !== undefined && mask !== 0xff ? `/${mask}` : "";
      return p.str(key, `${key} %s`, `${name ?? value}${m}`);
    }
  }
}

/** conntrack states as tc names them (`+trk+est`), in tc's order. */
const CT_STATES: readonly [string, number][] = [
  ["trk", 1 << 3],
  ["new", 1 << 0],
  ["est", 1 << 1],
  ["rel", 1 << 2],
  ["inv", 1 << 4],
  ["rpl", 1 << 5],
];

/** Reads `ct_state` (`+trk+est-new`) into state bits and the bits compared. */
export function readCtState(text: string): { state: number; mask: number } {
  let state = 0, mask = 0, rest = text;
  while (rest) {
    const found = CT_STATES.find(([n]) => rest.startsWith(n, 1));
    if ((rest[0] !== "+" && rest[0] !== "-") || !found) {
      throw new InvalidArgumentError(`Invalid ct_state: "${text}" (expected +/- flags trk, new, est, rel, inv, rpl)`);
    }
    if (rest[0] === "+") state |= found[1];
    mask |= found[1];
    rest = rest.slice(found[0].length + 1);
  }
  return { state, mask };
}

/** Prints `ct_state` as tc does: each compared flag with + or -. */
export function printCtState(p: TcPrinter, v: { state: number; mask: number }): void {
  const out = CT_STATES.filter(([, f]) => v.mask & f).map(([n, f]) => `${v.state & f ? "+" : "-"}${n}`).join("");
  p.nl();
  p.str("ct_state", "  ct_state %s", out);
}
