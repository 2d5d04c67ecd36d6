/**
 * `nlkit nft describe EXPR`: what nft 1.0.6 prints of a payload, `meta`
 * or `ct` expression (`expr_describe`): its datatype, the datatype's base
 * types and size, then its symbolic constants, or for protocols the names
 * of `/etc/protocols`.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { parseProtocols } from "./protocols_text.ts";
import { readTextOrUndefined } from "../sys/files.ts";
import { CT_TYPES, HEADER_FIELDS, META_TYPES } from "../netfilter/nftables/json/fields.ts";
import { typeByName } from "../netfilter/nftables/json/types.ts";
import { NlkitError } from "../errors.ts";

/** A type's name as nft prints it, its description and its base types (`bitmask, integer`). */
const TYPES: { readonly [type: string]: readonly [name: string, desc: string, base?: string] } = {
  nf_proto: ["nf_proto", "netfilter protocol", "integer"],
  integer: ["integer", "integer"],
  bitmask: ["bitmask", "bitmask", "integer"],
  be_integer: ["integer", "integer"],
  string: ["string", "string"],
  ipv4_addr: ["ipv4_addr", "IPv4 address", "integer"],
  ipv6_addr: ["ipv6_addr", "IPv6 address", "integer"],
  ether_addr: ["ether_addr", "Ethernet address", "link layer address, integer"],
  ether_type: ["ether_type", "Ethernet protocol", "integer"],
  arp_op: ["arp_op", "ARP operation", "integer"],
  inet_proto: ["inet_proto", "Internet protocol", "integer"],
  inet_service: ["inet_service", "internet network service", "integer"],
  icmp_type: ["icmp_type", "ICMP type", "integer"],
  tcp_flag: ["tcp_flag", "TCP flag", "bitmask, integer"],
  mark: ["mark", "packet mark", "integer"],
  iface_index: ["iface_index", "network interface index", "integer"],
  iface_type: ["iface_type", "network interface type", "integer"],
  uid: ["uid", "user ID", "integer"],
  gid: ["gid", "group ID", "integer"],
  ct_state: ["ct_state", "conntrack state", "bitmask, integer"],
  ct_dir: ["ct_dir", "conntrack direction", "integer"],
  ct_status: ["ct_status", "conntrack status", "bitmask, integer"],
  ct_event: ["ct_event", "conntrack event bits", "bitmask, integer"],
  ct_label: ["ct_label", "conntrack label", "bitmask, integer"],
  icmpv6_type: ["icmpv6_type", "ICMPv6 type", "integer"],
  pkt_type: ["pkt_type", "packet type", "integer"],
  icmp_code: ["icmp_code", "icmp code", "integer"],
  icmpv6_code: ["icmpv6_code", "icmpv6 code", "integer"],
  dscp: ["dscp", "Differentiated Services Code Point", "integer"],
  ecn: ["ecn", "Explicit Congestion Notification", "integer"],
  devgroup: ["devgroup", "devgroup name", "integer"],
  reltime: ["time", "relative time", "integer"],
  time: ["time", "Relative time of packet reception", "integer"],
  hour: ["hour", "Hour of day of packet reception", "integer"],
  day: ["day", "Day of week of packet reception", "integer"],
  dccp_pkttype: ["dccp_pkttype", "DCCP packet type", "integer"],
  igmp_type: ["igmp_type", "IGMP type", "integer"],
  classid: ["classid", "TC classid", "integer"],
  ifname: ["ifname", "network interface name", "string"],
  boolean: ["boolean", "boolean type", "integer"],
  realm: ["realm", "routing realm", "integer"],
  mh_type: ["mh_type", "Mobility Header Type", "integer"],
};

/** A symbol table: printed in hex (padded to `bytes`) or in decimal. */
interface SymbolTable {
  hex: boolean;
  bytes: number;
  list: readonly (readonly [string, number])[];
}

/** nft's symbol tables in its order, aliases included; `bytes`: the hex digits' width (2 per byte of the type). */
const SYMBOLS: { readonly [type: string]: SymbolTable } = {
  nf_proto: { hex: false, bytes: 0, list: [["ipv4", 2], ["ipv6", 10]] },
  ether_type: {
    hex: true,
    bytes: 2,
    list: [["ip", 0x800], ["arp", 0x806], ["ip6", 0x86dd], ["8021q", 0x8100], ["8021ad", 0x88a8], ["vlan", 0x8100]],
  },
  arp_op: {
    hex: true,
    bytes: 2,
    list: [["request", 0x1], ["reply", 0x2], ["rrequest", 0x3], ["rreply", 0x4], ["inrequest", 0x8], ["inreply", 0x9], [
      "nak",
      0xa,
    ]],
  },
  icmp_type: {
    hex: false,
    bytes: 0,
    list: [
      ["echo-reply", 0],
      ["destination-unreachable", 3],
      ["source-quench", 4],
      ["redirect", 5],
      ["echo-request", 8],
      ["router-advertisement", 9],
      ["router-solicitation", 10],
      ["time-exceeded", 11],
      ["parameter-problem", 12],
      ["timestamp-request", 13],
      ["timestamp-reply", 14],
      ["info-request", 15],
      ["info-reply", 16],
      ["address-mask-request", 17],
      ["address-mask-reply", 18],
    ],
  },
  tcp_flag: {
    hex: true,
    bytes: 1,
    list: [["fin", 0x1], ["syn", 0x2], ["rst", 0x4], ["psh", 0x8], ["ack", 0x10], ["urg", 0x20], ["ecn", 0x40], [
      "cwr",
      0x80,
    ]],
  },
  iface_type: {
    hex: true,
    bytes: 2,
    list: [["ether", 0x1], ["ppp", 0x200], ["ipip", 0x300], ["ipip6", 0x301], ["loopback", 0x304], ["sit", 0x308], [
      "ipgre",
      0x30a,
    ]],
  },
  ct_state: {
    hex: true,
    bytes: 4,
    list: [["invalid", 0x1], ["new", 0x8], ["established", 0x2], ["related", 0x4], ["untracked", 0x40]],
  },
  ct_dir: { hex: false, bytes: 0, list: [["original", 0], ["reply", 1]] },
  ct_status: {
    hex: true,
    bytes: 4,
    list: [
      ["expected", 0x1],
      ["seen-reply", 0x2],
      ["assured", 0x4],
      ["confirmed", 0x8],
      ["snat", 0x10],
      ["dnat", 0x20],
      ["dying", 0x200],
    ],
  },
  ct_event: {
    hex: true,
    bytes: 4,
    list: [
      ["new", 0x1],
      ["related", 0x2],
      ["destroy", 0x4],
      ["reply", 0x8],
      ["assured", 0x10],
      ["protoinfo", 0x20],
      ["helper", 0x40],
      ["mark", 0x80],
      ["seqadj", 0x100],
      ["secmark", 0x200],
      ["label", 0x400],
    ],
  },
  icmpv6_type: {
    hex: false,
    bytes: 0,
    list: [
      ["destination-unreachable", 1],
      ["packet-too-big", 2],
      ["time-exceeded", 3],
      ["parameter-problem", 4],
      ["echo-request", 128],
      ["echo-reply", 129],
      ["mld-listener-query", 130],
      ["mld-listener-report", 131],
      ["mld-listener-done", 132],
      ["mld-listener-reduction", 132],
      ["nd-router-solicit", 133],
      ["nd-router-advert", 134],
      ["nd-neighbor-solicit", 135],
      ["nd-neighbor-advert", 136],
      ["nd-redirect", 137],
      ["router-renumbering", 138],
      ["ind-neighbor-solicit", 141],
      ["ind-neighbor-advert", 142],
      ["mld2-listener-report", 143],
    ],
  },
  pkt_type: {
    hex: false,
    bytes: 0,
    list: [["host", 0], ["unicast", 0], ["broadcast", 1], ["multicast", 2], ["other", 3]],
  },
  icmp_code: {
    hex: false,
    bytes: 0,
    list: [
      ["net-unreachable", 0],
      ["host-unreachable", 1],
      ["prot-unreachable", 2],
      ["port-unreachable", 3],
      ["net-prohibited", 9],
      ["host-prohibited", 10],
      ["admin-prohibited", 13],
      ["frag-needed", 4],
    ],
  },
  icmpv6_code: {
    hex: false,
    bytes: 0,
    list: [["no-route", 0], ["admin-prohibited", 1], ["addr-unreachable", 3], ["port-unreachable", 4], [
      "policy-fail",
      5,
    ], ["reject-route", 6]],
  },
  icmpx_code: {
    hex: false,
    bytes: 0,
    list: [["port-unreachable", 1], ["admin-prohibited", 3], ["no-route", 0], ["host-unreachable", 2]],
  },
  dscp: {
    hex: true,
    bytes: 1,
    list: [
      ["cs0", 0x0],
      ["cs1", 0x8],
      ["cs2", 0x10],
      ["cs3", 0x18],
      ["cs4", 0x20],
      ["cs5", 0x28],
      ["cs6", 0x30],
      ["cs7", 0x38],
      ["df", 0x0],
      ["be", 0x0],
      ["lephb", 0x1],
      ["af11", 0xa],
      ["af12", 0xc],
      ["af13", 0xe],
      ["af21", 0x12],
      ["af22", 0x14],
      ["af23", 0x16],
      ["af31", 0x1a],
      ["af32", 0x1c],
      ["af33", 0x1e],
      ["af41", 0x22],
      ["af42", 0x24],
      ["af43", 0x26],
      ["va", 0x2c],
      ["ef", 0x2e],
    ],
  },
  ecn: { hex: true, bytes: 1, list: [["not-ect", 0x0], ["ect1", 0x1], ["ect0", 0x2], ["ce", 0x3]] },
  dccp_pkttype: {
    hex: true,
    bytes: 1,
    list: [
      ["request", 0x0],
      ["response", 0x1],
      ["data", 0x2],
      ["ack", 0x3],
      ["dataack", 0x4],
      ["closereq", 0x5],
      ["close", 0x6],
      ["reset", 0x7],
      ["sync", 0x8],
      ["syncack", 0x9],
    ],
  },
  igmp_type: {
    hex: false,
    bytes: 0,
    list: [["membership-query", 17], ["membership-report-v1", 18], ["membership-report-v2", 22], [
      "membership-report-v3",
      34,
    ], ["leave-group", 23]],
  },
  boolean: { hex: false, bytes: 0, list: [["exists", 1], ["missing", 0]] },
  mh_type: {
    hex: false,
    bytes: 0,
    list: [
      ["binding-refresh-request", 0],
      ["home-test-init", 1],
      ["careof-test-init", 2],
      ["home-test", 3],
      ["careof-test", 4],
      ["binding-update", 5],
      ["binding-acknowledgement", 6],
      ["binding-error", 7],
      ["fast-binding-update", 8],
      ["fast-binding-acknowledgement", 9],
      ["fast-binding-advertisement", 10],
      ["experimental-mobility-header", 11],
      ["home-agent-switch-message", 12],
    ],
  },
  fib_addrtype: {
    hex: false,
    bytes: 0,
    list: [
      ["unspec", 0],
      ["unicast", 1],
      ["local", 2],
      ["broadcast", 3],
      ["anycast", 4],
      ["multicast", 5],
      ["blackhole", 6],
      ["unreachable", 7],
      ["prohibit", 8],
    ],
  },
  day: {
    hex: false,
    bytes: 0,
    list: [["Sunday", 0], ["Monday", 1], ["Tuesday", 2], ["Wednesday", 3], ["Thursday", 4], ["Friday", 5], [
      "Saturday",
      6,
    ]],
  },
};

/** `ct` keys whose type the rule's network protocol decides: nft describes them as of type `invalid`. */
const CT_BY_CONTEXT = ["saddr", "daddr", "proto-src", "proto-dst"];

/** An expression nft can describe: its kind, its type (a key of {@link TYPES}) and its size in bits. */
function lookup(words: readonly string[]): [kind: string, type: string, bits: number] | undefined {
  const [a, ...rest] = words;
  const b = rest.join(" ");
  // `meta nftrace` is one bit in a byte register.
  if (a === "meta" && META_TYPES[b]) return ["meta", META_TYPES[b][0], b === "nftrace" ? 1 : META_TYPES[b][1] * 8];
  if (a === "ct" && CT_TYPES[b] && !b.includes(" ")) return ["ct", CT_TYPES[b][0], CT_TYPES[b][1] * 8];
  const f = HEADER_FIELDS[a]?.[b];
  // nft types `comp flags` a bitmask; nlkit's table reads it as the integer it is on the wire.
  if (f) return [f.key === undefined ? "payload" : "exthdr", a === "comp" && b === "flags" ? "bitmask" : f.type, f.len];
  return undefined;
}

/** IPv4 options' fields and their sizes in bits (nft's ip option: lsrr, rr and ssrr route, ra alert). */
const IP_OPTION_FIELDS: Record<string, Record<string, number>> = {
  lsrr: { type: 8, length: 8, ptr: 8, addr: 32 },
  rr: { type: 8, length: 8, ptr: 8, addr: 32 },
  ssrr: { type: 8, length: 8, ptr: 8, addr: 32 },
  ra: { type: 8, length: 8, value: 16 },
};

/** `describe ip option NAME FIELD`; nft's refusal of a field the option lacks. */
function ipOption(words: readonly string[]): string {
  const bits = words.length === 4 ? IP_OPTION_FIELDS[words[2]]?.[words[3]] : undefined;
  // nft's parser refuses it (exit 1, as any error of nft's input), not its command line.
  if (bits === undefined) throw new NlkitError("unknown ip option type/field", "EINVAL", "nft describe");
  return `exthdr expression, datatype integer (integer), ${bits} bits\n`;
}

/** Type names nft's grammar reads as `meta KEY` (its unqualified meta keys). */
const META_WORDS = ["mark", "time", "hour", "day"];
/** Type names nft's grammar reads as something else (`ecn` a keyword, `ct_label` a symbol). */
const NOT_TYPES = ["ecn", "ct_label"];
/** Sizes nft's datatypes give, where they are not their values' bytes. */
const TYPE_BITS: Record<string, number> = { integer: 0, boolean: 1, dscp: 6 };

/** `describe TYPE` (`describe ct_state`): the datatype, its size and its constants. */
function datatypeText(type: string): string | undefined {
  const t = TYPES[type];
  if (!t || t[0] !== type || NOT_TYPES.includes(type)) return undefined;
  let bits: number;
  try {
    bits = TYPE_BITS[type] ?? typeByName(type).size * 8;
  } catch {
    return undefined;
  }
  const [name, desc, base] = t;
  return `datatype ${name} (${desc})${base ? ` (basetype ${base})` : ""}, ${bits} bits\n` + constants(type);
}

/** nft's text for `nft describe WORDS`. */
export function describeText(words: readonly string[]): string {
  if (words[0] === "ip" && words[1] === "option") return ipOption(words);
  if (words.length === 1 && META_WORDS.includes(words[0])) words = ["meta", words[0]];
  const datatype = words.length === 1 ? datatypeText(words[0]) : undefined;
  if (datatype !== undefined) return datatype;
  const ctKey = words[0] === "ct" ? words.slice(words.length === 3 ? 2 : 1).join(" ") : undefined;
  if (
    ctKey !== undefined && CT_BY_CONTEXT.includes(ctKey) && (words.length === 2 || /^(original|reply)$/.test(words[1]))
  ) {
    return "ct expression, datatype invalid (invalid)"; // nft stops there, with no newline
  }
  const found = lookup(words);
  const t = found && TYPES[found[1]];
  if (!found || !t) {
    throw new UsageError(
      `Cannot describe "${words.join(" ")}": nlkit describes header fields (tcp dport), meta KEY and ct KEY`,
    );
  }
  const [kind, type, bits] = found;
  const [name, desc, base] = t;
  const size = base === "string" || type === "string" ? `${bits / 8} characters` : `${bits} bits`;
  return `${kind} expression, datatype ${name} (${desc})${base ? ` (basetype ${base})` : ""}, ${size}\n` +
    constants(type);
}

/** A type's symbolic constants as nft lists them after its description (for protocols, /etc/protocols). */
function constants(type: string): string {
  let out = "";
  const sym = SYMBOLS[type];
  if (sym) {
    out += `\npre-defined symbolic constants (in ${sym.hex ? "hexadecimal" : "decimal"}):\n`;
    for (const [n, v] of sym.list) {
      const value = sym.hex ? `0x${v.toString(16).padStart(sym.bytes * 2, "0")}` : String(v).padStart(20);
      out += `\t${n.padEnd(30)}\t${value}\n`;
    }
  } else if (type === "inet_proto") out += protocolLines();
  return out;
}

/** nft's list of protocols: the first name of each number below 255 that `/etc/protocols` has (getprotobynumber). */
function protocolLines(): string {
  const byNumber = new Map<number, string>();
  for (const [name, n] of parseProtocols(readTextOrUndefined("/etc/protocols") ?? "")) {
    if (!byNumber.has(n)) byNumber.set(n, name);
  }
  let out = "";
  for (let n = 0; n < 255; n++) if (byNumber.has(n)) out += `\t${byNumber.get(n)!.padEnd(30)}\t${n}\n`;
  return out;
}

/** Runs `nft describe EXPR`. */
export function nftDescribe(ctx: Context, args: Args): void {
  ctx.out.write(describeText(args.rest()));
}
