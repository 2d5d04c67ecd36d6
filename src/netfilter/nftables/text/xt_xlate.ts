/**
 * iptables extensions in nft's text. A rule iptables-nft adds keeps some
 * of its matches and targets as `match`/`target` expressions (nft_compat)
 * holding the extension's own struct. nft 1.0.6 lists each through
 * libxtables' translator (iptables 1.8.9's `*_xlate`), so a Docker host's
 * `-m conntrack --ctstate RELATED,ESTABLISHED` lists as `ct state
 * related,established`; an extension without one lists as `xt match
 * name`. These are the translators of the extensions such hosts use
 * (ebtables' too, in bridge tables), read from the same structs, printed
 * as libxtables prints them.
 *
 * @module
 */

import { formatIp } from "../../../wire/addr.ts";
import { realms } from "../json/realms.ts";
import { INET_PROTOS, NFT_TYPES } from "../json/types.ts";
import { LOG_LEVELS } from "../json/rule_json_base.ts";

/** What an extension is read with: its struct, the rule's revision and table family, and the rule's transport protocol. */
export interface XtInfo {
  /** `match` or `target`. */
  type: string;
  /** The extension's name (`conntrack`, `MASQUERADE`). */
  name: string;
  /** Its revision. */
  rev: number;
  /** Its struct (`NFTA_MATCH_INFO`, `NFTA_TARGET_INFO`). */
  info: Uint8Array;
  /** The table family (`ip`, `ip6`). */
  family: string;
  /** The transport protocol nft's context knows before it (`tcp`), if any. */
  proto?: string;
}

/**
 * libxtables' buffer: a piece starting with a letter, a digit or a brace
 * gets a space after a piece that ends without one; trailing blanks go.
 */
class Xlate {
  #s = "";
  add(piece: string): this {
    if (this.#s && !/\s$/.test(this.#s) && /^[A-Za-z0-9(){}[\]]/.test(piece)) this.#s += " ";
    this.#s += piece;
    return this;
  }
  get text(): string {
    return this.#s.replace(/\s+$/, "");
  }
}

type Translator = (x: XtInfo, v: DataView, out: Xlate) => boolean;

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
const cstr = (b: Uint8Array, at: number, max: number): string => {
  const s = b.subarray(at, at + max);
  const end = s.indexOf(0);
  return new TextDecoder().decode(end < 0 ? s : s.subarray(0, end));
};

// xt_conntrack's match flags, state bits and status bits.
const CT_STATE = 1 << 0, CT_PROTO = 1 << 1, CT_ORIGSRC = 1 << 2, CT_ORIGDST = 1 << 3, CT_REPLSRC = 1 << 4;
const CT_REPLDST = 1 << 5, CT_STATUS = 1 << 6, CT_EXPIRES = 1 << 7, CT_ORIGSRC_PORT = 1 << 8;
const CT_ORIGDST_PORT = 1 << 9, CT_REPLSRC_PORT = 1 << 10, CT_REPLDST_PORT = 1 << 11, CT_DIRECTION = 1 << 12;
// XT_CONNTRACK_STATE_BIT(ctinfo) is 1 << (ctinfo + 1); SNAT, DNAT and UNTRACKED follow IP_CT_NUMBER (5).
const STATES: [number, string][] = [[1, "invalid"], [8, "new"], [4, "related"], [2, "established"], [
  0x100,
  "untracked",
]];
const STATE_SNAT = 0x40, STATE_DNAT = 0x80;
const STATUSES: [number, string][] = [[1, "expected"], [2, "seen-reply"], [4, "assured"], [8, "confirmed"]];

function list(out: Xlate, mask: number, names: [number, string][], inverted: boolean): void {
  if (inverted) out.add("! ");
  let sep = "";
  for (const [bit, name] of names) {
    if (mask & bit) {
      out.add(`${sep}${name}`);
      sep = ",";
    }
  }
}

/** An address and its mask as xtables prints them: `/len`, nothing for a host, the mask itself when no prefix. */
function addrMask(b: Uint8Array, at: number, v6: boolean): string {
  const n = v6 ? 16 : 4;
  const addr = formatIp(b, at, n);
  let ones = 0;
  while (ones < n * 8 && (b[at + 16 + (ones >> 3)] >> (7 - (ones & 7))) & 1) ones++;
  for (let i = ones; i < n * 8; i++) {
    if ((b[at + 16 + (i >> 3)] >> (7 - (i & 7))) & 1) return `${addr}/${formatIp(b, at + 16, n)}`;
  }
  return ones === n * 8 ? addr : `${addr}/${ones}`;
}

/** xt_conntrack_mtinfo3 (revision 3, what iptables 1.8 sends), as `_conntrack3_mt_xlate`. */
const conntrack: Translator = (x, v, out) => {
  if (x.rev !== 3 || v.byteLength < 162) return false;
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const flags = v.getUint16(146, true), inv = v.getUint16(148, true);
  const v6 = x.family === "ip6";
  const dir = inv & CT_DIRECTION ? "reply" : "original";
  let space = "";
  const not = (f: number) => (inv & f ? "!= " : "");
  if (flags & CT_DIRECTION) {
    out.add(`ct direction ${dir}`);
    space = " ";
  }
  if (flags & CT_PROTO) {
    out.add(`${space}ct ${dir} protocol ${not(CT_PROTO)}${v.getUint16(136, true)}`);
    space = " ";
  }
  if (flags & CT_STATE) {
    const state = v.getUint16(150, true);
    if (state & (STATE_SNAT | STATE_DNAT)) {
      out.add(`${space}ct status ${inv & CT_STATUS ? "!=" : ""}${state & STATE_SNAT ? "snat" : "dnat"}`);
    } else {
      out.add(`${space}ct state `);
      list(out, state, STATES, (inv & CT_STATE) !== 0);
    }
    space = " ";
  }
  if (flags & CT_STATUS) {
    out.add(`${space}ct status `);
    list(out, v.getUint16(152, true), STATUSES, (inv & CT_STATUS) !== 0);
    space = " ";
  }
  if (flags & CT_EXPIRES) {
    const [lo, hi] = [v.getUint32(128, true), v.getUint32(132, true)];
    out.add(`${space}ct expiration ${not(CT_EXPIRES)}`).add(lo === hi ? `${lo}` : `${lo}-${hi}`);
    space = " ";
  }
  const addrs: [number, string, number][] = [
    [CT_ORIGSRC, "original saddr", 0],
    [CT_ORIGDST, "original daddr", 32],
    [CT_REPLSRC, "reply saddr", 64],
    [CT_REPLDST, "reply daddr", 96],
  ];
  for (const [f, what, at] of addrs) {
    if (!(flags & f)) continue;
    out.add(`${space}ct ${what} ${not(f)}`).add(addrMask(b, at, v6));
    space = " ";
  }
  const ports: [number, string, number, number][] = [
    [CT_ORIGSRC_PORT, "original proto-src", 138, 154],
    [CT_ORIGDST_PORT, "original proto-dst", 140, 156],
    [CT_REPLSRC_PORT, "reply proto-src", 142, 158],
    [CT_REPLDST_PORT, "reply proto-dst", 144, 160],
  ];
  for (const [f, what, at, high] of ports) {
    if (!(flags & f)) continue;
    const [lo, hi] = [v.getUint16(at, true), v.getUint16(high, true)];
    out.add(`${space}ct ${what} ${not(f)}`).add(lo === hi ? `${lo}` : `${lo}-${hi}`);
    space = " ";
  }
  return true;
};

const RTN_NAMES = [
  "unspec",
  "unicast",
  "local",
  "broadcast",
  "anycast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
];

/** xt_addrtype_info_v1, as `addrtype_xlate`: a fib type lookup. */
const addrtype: Translator = (x, v, out) => {
  if (x.rev !== 1 || v.byteLength < 8) return false;
  const [source, dest, flags] = [v.getUint16(0, true), v.getUint16(2, true), v.getUint32(4, true)];
  const val = source ? source : dest;
  out.add("fib ").add(source ? "saddr " : "daddr ");
  if (flags & 4) out.add(". iif ");
  else if (flags & 8) out.add(". oif ");
  out.add("type ");
  if (flags & 3) out.add("!= ");
  const braces = (val & (val - 1)) !== 0;
  if (braces) out.add("{ ");
  let sep = "";
  RTN_NAMES.forEach((name, i) => {
    if (val & (1 << i)) {
      out.add(`${sep}${name}`);
      sep = ", ";
    }
  });
  if (braces) out.add(" }");
  return true;
};

/** xt_statistic_info, as `statistic_xlate`. */
const statistic: Translator = (_x, v, out) => {
  if (v.byteLength < 16) return false;
  const invert = (v.getUint16(2, true) & 1) !== 0;
  switch (v.getUint16(0, true)) {
    case 0:
      out.add(`meta random & 2147483647 ${invert ? ">=" : "<"} ${v.getUint32(4, true)}`);
      return true;
    case 1:
      out.add(`numgen inc mod ${v.getUint32(4, true) + 1} ${invert ? "!= " : ""}${v.getUint32(8, true)}`);
      return true;
  }
  return false;
};

/** The transport protocols with ports, by number, as xtables' `proto_to_name` names them. */
const PORT_PROTOS: Record<number, string> = { 6: "tcp", 17: "udp", 136: "udplite", 132: "sctp", 33: "dccp" };

/** xt_multiport_v1, as `__multiport_xlate_v1` after the protocol's name. */
const multiport: Translator = (x, v, out) => {
  if (x.rev !== 1 || v.byteLength < 48) return false;
  const proto = Object.values(PORT_PROTOS).includes(x.proto ?? "") ? x.proto! : "(null)";
  const [flags, count] = [v.getUint8(0), Math.min(v.getUint8(1), 15)];
  const port = (i: number) => v.getUint16(2 + 2 * i, true);
  const pflag = (i: number) => v.getUint8(32 + i);
  out.add(proto);
  if (flags === 2) {
    out.add(` sport . ${proto} dport { `);
    for (let i = 0; i < count; i++) out.add(`${i ? ", " : ""}0-65535 . ${port(i)}, ${port(i)} . 0-65535`);
    out.add(" }");
    return true;
  }
  if (flags === 0) out.add(" sport ");
  else if (flags === 1) out.add(" dport ");
  if (v.getUint8(47)) out.add("!= ");
  const braces = count > 2 || (count > 1 && !pflag(0));
  if (braces) out.add("{ ");
  for (let i = 0; i < count; i++) {
    out.add(`${i ? ", " : ""}${port(i)}`);
    if (pflag(i)) out.add(`-${port(++i)}`);
  }
  if (braces) out.add("}");
  return true;
};

/** xt_connmark_mtinfo1, as `connmark_mt_xlate`. */
const connmarkMatch: Translator = (x, v, out) => {
  if (x.rev !== 1 || v.byteLength < 9) return false;
  const [mark, mask, invert] = [v.getUint32(0, true), v.getUint32(4, true), v.getUint8(8)];
  out.add("ct mark");
  if (mask !== 0xffffffff) out.add(` and ${hex(mask)} ${invert ? "!=" : "=="} ${hex(mark)}`);
  else out.add(` ${invert ? "!= " : ""}${hex(mark)}`);
  return true;
};

/** xt_mark_tginfo2, as `mark_tg_xlate`. */
const markTarget: Translator = (x, v, out) => {
  if (x.rev !== 2 || v.byteLength < 8) return false;
  const [mark, mask] = [v.getUint32(0, true), v.getUint32(4, true)];
  out.add("meta mark set ");
  if (mask === 0xffffffff) out.add(`${hex(mark)} `);
  else if (mark === 0) out.add(`mark and ${hex(~mask)} `);
  else if (mark === mask) out.add(`mark or ${hex(mark)} `);
  else if (mask === 0) out.add(`mark xor ${hex(mark)} `);
  else out.add(`mark and ${hex(~mask)} xor ${hex(mark)} `);
  return true;
};

/** xt_connmark_tginfo2, as `connmark_tg_xlate_v2`. */
const connmarkTarget: Translator = (x, v, out) => {
  if (x.rev !== 2 || v.byteLength < 15) return false;
  const [ctmark, ctmask, nfmask] = [v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true)];
  const [shiftDir, shiftBits, mode] = [v.getUint8(12), v.getUint8(13), v.getUint8(14)];
  const braces = shiftBits ? "( " : "";
  const masks = (): boolean => {
    if (nfmask === 0xffffffff && ctmask === 0xffffffff) return true;
    if (nfmask !== ctmask) return false;
    out.add(` and ${hex(nfmask)}`);
    return true;
  };
  switch (mode) {
    case 0:
      out.add(`ct mark set ${braces}`);
      if (ctmask === 0xffffffff) out.add(`${hex(ctmark)} `);
      else if (ctmark === 0) out.add(`ct mark and ${hex(~ctmask)}`);
      else if (ctmark === ctmask) out.add(`ct mark or ${hex(ctmark)}`);
      else if (ctmask === 0) out.add(`ct mark xor ${hex(ctmark)}`);
      else out.add(`ct mark xor ${hex(ctmark)} and ${hex(~ctmask)}`);
      break;
    case 1:
      out.add(`ct mark set ${braces}mark`);
      if (!masks()) return false;
      break;
    case 2:
      out.add(`meta mark set ${braces}ct mark`);
      if (!masks()) return false;
      break;
  }
  if (mode <= 2 && shiftBits) out.add(` ) ${shiftDir ? ">>" : "<<"} ${shiftBits}`);
  return true;
};

/** xt_log_info, as `LOG_xlate`. */
const log: Translator = (_x, v, out) => {
  if (v.byteLength < 32) return false;
  const [level, flags] = [v.getUint8(0), v.getUint8(1)];
  const prefix = cstr(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 2, 30);
  // glibc's first name of each level is nft's (`warn`, not `warning`); 16 is syslog's internal `none`.
  const name = level === 16 ? "none" : level < 8 ? LOG_LEVELS[level] : undefined;
  out.add("log");
  if (prefix) out.add(` prefix "${prefix}"`);
  if (level !== 4 && name) out.add(` level ${name}`);
  else if (!name) return false;
  if ((flags & 0x2f) === 0x2f) return out.add(" flags all"), true;
  if (flags & 3) {
    out.add(" flags tcp");
    let delim = " ";
    if (flags & 1) {
      out.add(" sequence");
      delim = ",";
    }
    if (flags & 2) out.add(`${delim}options`);
  }
  if (flags & 4) out.add(" flags ip options");
  if (flags & 8) out.add(" flags skuid");
  if (flags & 0x20) out.add(" flags ether");
  return true;
};

const REJECT4: Record<number, string> = {
  0: "net-unreachable",
  1: "host-unreachable",
  2: "prot-unreachable",
  5: "net-prohibited",
  6: "host-prohibited",
  8: "admin-prohibited",
};
const REJECT6: Record<number, string> = {
  0: "no-route",
  1: "admin-prohibited",
  3: "addr-unreachable",
  7: "policy-fail",
  8: "reject-route",
};

/** ipt_reject_info / ip6t_reject_info, as `REJECT_xlate` of each family. */
const reject: Translator = (x, v, out) => {
  if (v.byteLength < 4) return false;
  const withType = v.getUint32(0, true);
  const v6 = x.family === "ip6";
  if (withType === (v6 ? 4 : 3)) out.add("reject");
  else if (withType === (v6 ? 6 : 7)) out.add("reject with tcp reset");
  else {
    // An unnamed type prints libxtables' empty name.
    out.add(`reject with ${v6 ? "icmpv6" : "icmp"} type ${(v6 ? REJECT6 : REJECT4)[withType] ?? "(null)"}`);
  }
  return true;
};

/** xt_NFQ_info (revisions 0 to 3), as `NFQUEUE_xlate*`. */
const nfqueue: Translator = (x, v, out) => {
  const need = [2, 4, 6, 6][x.rev];
  if (need === undefined || v.byteLength < need) return false;
  const num = v.getUint16(0, true);
  const total = x.rev ? v.getUint16(2, true) : 1;
  out.add(total > 1 ? `queue num ${num}-${total + num - 1} ` : `queue num ${num} `);
  const flags = x.rev >= 2 ? v.getUint16(4, true) : 0;
  if (flags & 1) out.add("bypass");
  if (x.rev === 3 && flags & 2) out.add(`${flags & 1 ? "," : ""}fanout `);
  return true;
};

/** xt_tcpmss_info, as `TCPMSS_xlate`. */
const tcpmss: Translator = (_x, v, out) => {
  if (v.byteLength < 2) return false;
  const mss = v.getUint16(0, true);
  out.add(mss === 0xffff ? "tcp option maxseg size set rt mtu" : `tcp option maxseg size set ${mss}`);
  return true;
};

/** A NAT range: flags, both addresses, both ports (network order), as `nf_nat_range2`. */
interface NatRange {
  flags: number;
  min: Uint8Array;
  max: Uint8Array;
  minPort: number;
  maxPort: number;
}

/** `nf_nat_ipv4_multi_range_compat` (IPv4 revision 0) or `nf_nat_range(2)` (IPv6, DNAT revision 2). */
function natRange(x: XtInfo, v: DataView): NatRange | undefined {
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (x.family === "ip" && x.rev === 0) {
    if (v.byteLength < 20) return undefined;
    return {
      flags: v.getUint32(4, true),
      min: b.slice(8, 12),
      max: b.slice(12, 16),
      minPort: v.getUint16(16),
      maxPort: v.getUint16(18),
    };
  }
  if (v.byteLength < 40) return undefined;
  const n = x.family === "ip6" ? 16 : 4;
  return {
    flags: v.getUint32(0, true),
    min: b.slice(4, 4 + n),
    max: b.slice(20, 20 + n),
    minPort: v.getUint16(36),
    maxPort: v.getUint16(38),
  };
}

/** `__NAT_xlate`: the statement, `to` its range (`sprint_range`), then its flags. */
function nat(stmt: string): Translator {
  return (x, v, out) => {
    if (x.family !== "ip" && x.family !== "ip6") return false;
    // iptables' revisions: IPv4 0 (DNAT also 2), IPv6 1 (SNAT, DNAT; DNAT also 2) and 0 (MASQUERADE, REDIRECT).
    const r = natRange(x, v);
    if (!r || r.flags & 32) return false; // shifted port maps have no nft form
    const v6 = x.family === "ip6";
    let range = "";
    const brackets = v6 && (r.flags & 2) !== 0;
    if (r.flags & 1) {
      const n = v6 ? 16 : 4;
      range = formatIp(r.min, 0, n);
      if (r.min.some((b, i) => b !== r.max[i])) range += `-${formatIp(r.max, 0, n)}`;
      if (brackets) range = `[${range}]`;
    }
    if (r.flags & 2) range += `:${r.minPort}${r.maxPort !== r.minPort ? `-${r.maxPort}` : ""}`;
    out.add(stmt);
    if (range) out.add(` to ${range}`);
    let sep = " ";
    for (const [bit, word] of [[4, "random"], [16, "fully-random"], [8, "persistent"]] as const) {
      if (r.flags & bit) {
        out.add(`${sep}${word}`);
        sep = ",";
      }
    }
    return true;
  };
}

/** ipt_icmp, as `icmp_xlate`: a type with every code, or any. */
const icmp: Translator = (x, v, out) => {
  if (x.family !== "ip" || v.byteLength < 4) return false;
  const [type, lo, hi, inv] = [v.getUint8(0), v.getUint8(1), v.getUint8(2), v.getUint8(3)];
  if (type === 0xff) return out.add("ip protocol icmp"), true;
  out.add(`icmp type${inv & 1 ? " !=" : ""} `);
  // xtables names a type with its whole code range as nft does, but for info-request and info-reply.
  const names = NFT_TYPES.icmp_type.names as Record<number, string>;
  const name = lo === 0 && hi === 0xff && type !== 15 && type !== 16 ? names[type] : undefined;
  if (name === undefined) return false;
  out.add(name);
  return true;
};

/** xt_iprange_mtinfo (revision 1), as `iprange_mt4_xlate` and `iprange_mt6_xlate`. */
const iprange: Translator = (x, v, out) => {
  if (x.rev !== 1 || v.byteLength < 65) return false;
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const v6 = x.family === "ip6";
  const flags = v.getUint8(64);
  const ip = (at: number) => formatIp(b, at, v6 ? 16 : 4);
  for (const [bit, inv, dir, at] of [[1, 0x10, "saddr", 0], [2, 0x20, "daddr", 32]] as const) {
    if (!(flags & bit)) continue;
    out.add(`${v6 ? "ip6" : "ip"} ${dir}${flags & inv ? " !=" : ""} ${ip(at)}`).add(`-${ip(at + 16)}`);
  }
  return true;
};

/** xt_mac_info, as `mac_xlate`. */
const mac: Translator = (_x, v, out) => {
  if (v.byteLength < 12) return false;
  out.add(`ether saddr${v.getInt32(8, true) ? " !=" : ""} `);
  for (let i = 0; i < 6; i++) out.add(`${i ? ":" : ""}${v.getUint8(i).toString(16).padStart(2, "0")}`);
  return true;
};

/** xt_pkttype_info, as `pkttype_xlate`. */
const pkttype: Translator = (_x, v, out) => {
  if (v.byteLength < 8) return false;
  const t = v.getInt32(0, true);
  out.add(`pkttype${v.getInt32(4, true) ? " !=" : ""} `).add(["unicast", "broadcast", "multicast"][t] ?? `${t}`);
  return true;
};

/** xt_length_info, as `length_xlate`. */
const length: Translator = (_x, v, out) => {
  if (v.byteLength < 5) return false;
  const [lo, hi] = [v.getUint16(0, true), v.getUint16(2, true)];
  out.add(`meta length ${v.getUint8(4) ? "!= " : ""}`).add(lo === hi ? `${lo}` : `${lo}-${hi}`);
  return true;
};

/** ipt_ttl_info, as `ttl_xlate`. */
const ttl: Translator = (x, v, out) => {
  if (x.family !== "ip" || v.byteLength < 2) return false;
  const op = ["", " !=", " lt", " gt"][v.getUint8(0)];
  if (op === undefined) return false;
  out.add(`ip ttl${op}`).add(` ${v.getUint8(1)}`);
  return true;
};

/** xt_dscp_info, as `dscp_xlate` (`dscp_xlate6`). */
const dscp: Translator = (x, v, out) => {
  if (v.byteLength < 2) return false;
  out.add(x.family === "ip6" ? "ip6 " : "ip ");
  out.add(`dscp ${v.getUint8(1) ? "!= " : ""}0x${v.getUint8(0).toString(16).padStart(2, "0")}`);
  return true;
};

/** xt_helper_info, as `helper_xlate`. */
const helper: Translator = (_x, v, out) => {
  if (v.byteLength < 34) return false;
  const name = cstr(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 4, 30);
  out.add(`ct helper${v.getInt32(0, true) ? " !=" : ""} "${name}"`);
  return true;
};

/** xt_esp, ipt_ah and xt_ipcomp: an SPI range and its inversion, as `esp_xlate`, `ah_xlate` and `comp_xlate`. */
function spi(what: "esp" | "ah" | "comp"): Translator {
  return (x, v, out) => {
    if (v.byteLength < 9 || (what === "ah" && x.family !== "ip")) return false;
    const [lo, hi, inv] = [v.getUint32(0, true), v.getUint32(4, true), (v.getUint8(8) & 1) !== 0];
    const range = lo !== hi ? `${lo}-${hi}` : `${lo}`;
    if (what === "comp") return out.add(`comp cpi ${inv ? "!= " : ""}`).add(range), true;
    if (lo === 0 && hi === 0xffffffff) return true;
    if (what === "esp") out.add(`esp spi${inv ? " !=" : ""}`).add(` ${range}`);
    else out.add(`ah spi${inv ? " !=" : ""} `).add(range);
    return true;
  };
}

/** xt_cpu_info, as `cpu_xlate`. */
const cpu: Translator = (_x, v, out) => {
  if (v.byteLength < 8) return false;
  out.add(`cpu${v.getUint32(4, true) ? " !=" : ""} ${v.getUint32(0, true)}`);
  return true;
};

/** xt_quota_info, as `quota_xlate`. */
const quota: Translator = (_x, v, out) => {
  if (v.byteLength < 16) return false;
  out.add(`quota ${v.getUint32(0, true) & 1 ? "over " : ""}${v.getBigUint64(8, true)} bytes`);
  return true;
};

/** xt_policy_info, as `policy_xlate`: only `--dir in` with no element (a secpath test). */
const policy: Translator = (_x, v, out) => {
  if (v.byteLength < 308) return false;
  const [flags, len] = [v.getUint16(304, true), v.getUint16(306, true)];
  if (flags & ~(8 | 4 | 1) || len > 1) return false;
  for (let i = 0; i < 76; i++) if (v.getUint8(i)) return false;
  out.add("meta secpath ").add(flags & 4 ? "missing" : "exists");
  return true;
};

/** xt_owner_match_info, as `owner_mt_xlate`: a uid or a gid (range). */
const owner: Translator = (x, v, out) => {
  if (x.rev !== 1 || v.byteLength < 18) return false;
  const [match, invert] = [v.getUint8(16), v.getUint8(17)];
  if (match !== 1 && match !== 2) return false;
  const at = match === 1 ? 0 : 8;
  const [lo, hi] = [v.getUint32(at, true), v.getUint32(at + 4, true)];
  out.add(`${match === 1 ? "skuid" : "skgid"}${invert ? " !=" : ""} `).add(lo !== hi ? `${lo}-${hi}` : `${lo}`);
  return true;
};

/** xt_ct_target_info_v1 (revisions 1 and 2), as `xlate_ct1_tg`: notrack only. */
const ct: Translator = (x, v, out) => {
  if (x.rev < 1 || v.byteLength < 2 || !(v.getUint16(0, true) & 1)) return false;
  out.add("notrack");
  return true;
};

/** xt_DSCP_info, as `DSCP_xlate` (`DSCP_xlate6`). */
const dscpTarget: Translator = (x, v, out) => {
  if (v.byteLength < 1) return false;
  out.add(`${x.family === "ip6" ? "ip6" : "ip"} dscp set 0x${v.getUint8(0).toString(16).padStart(2, "0")}`);
  return true;
};

/** xt_tos_target_info (revision 1), as `tos_xlate6`: libxtables names ip6 whatever the family. */
const tosTarget: Translator = (x, v, out) => {
  if (x.rev !== 1 || v.byteLength < 2) return false;
  const [tos, mask] = [v.getUint8(0), v.getUint8(1)];
  const h = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;
  out.add("ip6 dscp set ");
  if ((mask & 0x3f) === 0x3f) out.add(h(tos >> 2));
  else if (!tos) out.add(`ip6 dscp and ${h((~mask & 0xff) >> 2)}`);
  else if (tos === mask) out.add(`ip6 dscp or ${h(tos >> 2)}`);
  else if (!mask) out.add(`ip6 dscp xor ${h(tos >> 2)}`);
  else out.add(`ip6 dscp and ${h((~mask & 0xff) >> 2)} xor ${h(tos >> 2)}`);
  return true;
};

/** xt_classify_target_info, as `CLASSIFY_xlate`. */
const classify: Translator = (_x, v, out) => {
  if (v.byteLength < 4) return false;
  const p = v.getUint32(0, true);
  out.add("meta priority set ");
  out.add(p === 0xffffffff ? "root" : p === 0 ? "none" : `${(p >>> 16).toString(16)}:${(p & 0xffff).toString(16)}`);
  return true;
};

const two = (n: number) => String(n).padStart(2, "0");

/** xt_time_info, as `time_xlate`: dates (UTC), daytimes, weekdays; month days have no nft form. */
const time: Translator = (_x, v, out) => {
  if (v.byteLength < 21) return false;
  const [dateStart, dateStop] = [v.getUint32(0, true), v.getUint32(4, true)];
  const [dayStart, dayStop] = [v.getUint32(8, true), v.getUint32(12, true)];
  const date = (t: number) => {
    const d = new Date(t * 1000);
    return `"${String(d.getUTCFullYear()).padStart(4, "0")}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ` +
      `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}"`;
  };
  const hour = (t: number) => `"${two(Math.floor(t / 3600))}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}"`;
  if (dateStart !== 0 || dateStop !== 0x7fffffff) out.add("meta time ").add(date(dateStart)).add(`-${date(dateStop)}`);
  if (dayStart !== 0 || dayStop !== 86399) out.add(` meta hour ${hour(dayStart)}`).add(`-${hour(dayStop)}`);
  if (v.getUint32(16, true) !== 0xfffffffe) return false;
  const days = v.getUint8(20);
  if (days !== 0xfe) {
    const list = [1, 2, 3, 4, 5, 6, 7].filter((i) => days & (1 << i)).map((i) => i % 7);
    out.add(" meta day ");
    if (list.length > 1) out.add("{");
    list.forEach((d, i) => out.add(`${i ? ", " : ""}${d}`));
    if (list.length > 1) out.add("}");
  }
  return true;
};

/** A value under a mask as xtables prints a realm or device group: `and MASK == ID`, a name, or the number. */
function valMask(out: Xlate, id: number, mask: number, neq: boolean, name: string | undefined, lead: string): void {
  if (mask !== 0xffffffff) out.add(`${lead}and ${hex(mask)} ${neq ? "!=" : "=="} ${hex(id)}`);
  else out.add(`${lead}${neq ? "!= " : ""}${name ?? hex(id)}`);
}

/** xt_realm_info, as `realm_xlate` (names from rt_realms). */
const realm: Translator = (_x, v, out) => {
  if (v.byteLength < 9) return false;
  const [id, mask] = [v.getUint32(0, true), v.getUint32(4, true)];
  out.add("rtclassid");
  valMask(out, id, mask, v.getUint8(8) !== 0, realms().get(id), " ");
  return true;
};

/** xt_devgroup_info, as `devgroup_xlate` (names as iproute2's group file has them). */
const devgroup: Translator = (_x, v, out) => {
  if (v.byteLength < 20) return false;
  const flags = v.getUint32(0, true);
  const names = NFT_TYPES.devgroup.names as Record<number, string>;
  let neq = false;
  for (const [bit, inv, word, at] of [[1, 2, "iifgroup", 4], [4, 8, "oifgroup", 12]] as const) {
    if (!(flags & bit)) continue;
    if (flags & inv) neq = true; // libxtables never resets it: a second group inherits the first's inversion
    const id = v.getUint32(at, true);
    out.add(`${word} `);
    valMask(out, id, v.getUint32(at + 4, true), neq, names[id], "");
  }
  return true;
};

/** xt_cgroup_info_v0/v1/v2, as `cgroup_xlate_v*`: a classid (a path has no nft form). */
const cgroup: Translator = (x, v, out) => {
  if (x.rev === 0) {
    if (v.byteLength < 8) return false;
    out.add(`meta cgroup ${v.getUint32(4, true) ? "!= " : ""}${v.getUint32(0, true)}`);
    return true;
  }
  const at = x.rev === 1 ? 4100 : x.rev === 2 ? 4 : -1;
  if (at < 0 || v.byteLength < at + 4 || v.getUint8(0)) return false;
  if (v.getUint8(1)) out.add(`meta cgroup ${v.getUint8(3) ? "!= " : ""}${v.getUint32(at, true)}`);
  return true;
};

// ebtables' verdicts, as its translators print them (`EBT_ACCEPT` is -1).
const EBT_VERDICTS: Record<number, string> = { [-1]: "accept", [-2]: "drop", [-3]: "continue", [-4]: "return" };
const ebtVerdict = (n: number) => EBT_VERDICTS[n] ?? "";

/** ebt_ip_info, as `brip_xlate`: addresses, dscp, protocol, ports, icmp and igmp types. */
const ebtIp: Translator = (_x, v, out) => {
  if (v.byteLength < 24) return false;
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const [tos, proto, bits, inv] = [v.getUint8(16), v.getUint8(17), v.getUint8(18), v.getUint8(19)];
  const not = (bit: number) => (inv & bit ? "!= " : "");
  for (const [bit, dir, at] of [[1, "saddr", 0], [2, "daddr", 4]] as const) {
    if (!(bits & bit)) continue;
    // The address, then its mask at 8 past it: the same layout addrMask reads (mask 16 on), so copied.
    const pair = new Uint8Array(32);
    pair.set(b.subarray(at, at + 4), 0);
    pair.set(b.subarray(at + 8, at + 12), 16);
    out.add(`ip ${dir} `).add(not(bit)).add(`${addrMask(pair, 0, false)} `);
  }
  if (bits & 4) out.add("ip dscp ").add(not(4)).add(`0x${(tos & 0x3f).toString(16).padStart(2, "0")} `);
  let pname: string | undefined;
  if (bits & 8) {
    if (bits & (0x10 | 0x20 | 0x40) && !(inv & 8)) pname = PORT_PROTOS[proto];
    else out.add("ip protocol ").add(not(8)).add(`${(INET_PROTOS as Record<number, string>)[proto] ?? proto} `);
  }
  for (const [bit, dir, at, raw] of [[0x10, "sport", 20, "@th,0,16"], [0x20, "dport", 24, "@th,16,16"]] as const) {
    if (!(bits & bit) || v.byteLength < at + 4) continue;
    out.add(pname ? `${pname} ${dir} ` : `${raw} `).add(not(bit));
    const [lo, hi] = [v.getUint16(at, true), v.getUint16(at + 2, true)];
    out.add(lo === hi ? `${lo} ` : `${lo}-${hi} `);
  }
  const span = (lo: number, hi: number) => (lo === hi ? `${lo} ` : `${lo}-${hi} `);
  if (bits & 0x40) {
    out.add("icmp type ").add(not(0x40)).add(span(v.getUint8(20), v.getUint8(21)));
    const [lo, hi] = [v.getUint8(24), v.getUint8(25)];
    if (!(lo === 0 && hi === 0xff)) out.add("icmp code ").add(not(0x40)).add(span(lo, hi));
  }
  if (bits & 0x80) out.add("@th,0,8 ").add(not(0x80)).add(span(v.getUint8(20), v.getUint8(21)));
  return true;
};

const EBT_LEVELS = ["emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"];

/** ebt_log_info, as `brlog_xlate`: nft's log always decodes the MAC header. */
const ebtLog: Translator = (_x, v, out) => {
  if (v.byteLength < 36) return false;
  const level = v.getUint8(0);
  const prefix = cstr(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 1, 30);
  out.add("log");
  if (prefix) out.add(` prefix "${prefix}"`);
  if (level !== 6) out.add(` level ${EBT_LEVELS[level] ?? "(null)"}`);
  out.add(" flags ether ");
  return true;
};

/** ebt_nflog_info, as `brnflog_xlate`. */
const ebtNflog: Translator = (_x, v, out) => {
  if (v.byteLength < 12) return false;
  const prefix = cstr(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 12, 64);
  out.add("log ");
  if (prefix) out.add(`prefix "${prefix}" `);
  out.add(`group ${v.getUint16(4, true)} `);
  if (v.getUint32(0, true)) out.add(`snaplen ${v.getUint32(0, true)} `);
  if (v.getUint16(6, true) !== 1) out.add(`queue-threshold ${v.getUint16(6, true)} `);
  return true;
};

/** ebt_mark_m_info, as `brmark_m_xlate`. */
const ebtMarkMatch: Translator = (_x, v, out) => {
  if (v.byteLength < 18) return false;
  const [mark, mask, invert, bitmask] = [v.getUint32(0, true), v.getUint32(8, true), v.getUint8(16), v.getUint8(17)];
  out.add("meta mark ");
  if (bitmask === 2) out.add(`and ${hex(mask)} ${invert ? "" : "!= "}0 `);
  else if (mask !== 0xffffffff) out.add(`and ${hex(mask)} ${invert ? "!= " : ""}${hex(mark)} `);
  else out.add(`${invert ? "!= " : ""}${hex(mark)} `);
  return true;
};

/** ebt_mark_t_info, as `brmark_xlate`: the operation in the target's high bits, the verdict in its low ones. */
const ebtMarkTarget: Translator = (_x, v, out) => {
  if (v.byteLength < 12) return false;
  const target = v.getInt32(8, true);
  const op = ({ [0xfffffff0 | 0]: "", [0xffffffe0 | 0]: "meta mark or ", [0xffffffc0 | 0]: "meta mark xor " } as Record<
    number,
    string
  >)[target & ~0xf] ?? ((target & ~0xf) === (0xffffffd0 | 0) ? "meta mark and " : undefined);
  if (op === undefined) return false;
  out.add("meta mark set ");
  if (op) out.add(op);
  out.add(`0x${v.getUint32(0, true).toString(16)} ${ebtVerdict(target | ~0xf)} `);
  return true;
};

/** ebt_vlan_info, as `brvlan_xlate`. */
const ebtVlan: Translator = (_x, v, out) => {
  if (v.byteLength < 8) return false;
  const [bits, inv] = [v.getUint8(6), v.getUint8(7)];
  const not = (bit: number) => (inv & bit ? "!= " : "");
  if (bits & 1) out.add(`vlan id ${not(1)}${v.getUint16(0, true)} `);
  if (bits & 2) out.add(`vlan pcp ${not(2)}${v.getUint8(2)} `);
  if (bits & 4) out.add(`vlan type ${not(4)}0x${v.getUint16(4).toString(16).padStart(4, "0")} `);
  return true;
};

/** ebt_pkttype_info, as `brpkttype_xlate`. */
const ebtPkttype: Translator = (_x, v, out) => {
  if (v.byteLength < 2) return false;
  const t = v.getUint8(0);
  out.add(`meta pkttype ${v.getUint8(1) ? "!= " : ""}`).add(`${["host", "broadcast", "multicast", "other"][t] ?? t} `);
  return true;
};

/** A MAC address as glibc's ether_ntoa prints it: no leading zeros. */
const etherNtoa = (v: DataView) => Array.from({ length: 6 }, (_, i) => v.getUint8(i).toString(16)).join(":");

/** ebt_nat_info of `dnat` and `snat`, as `brdnat_xlate` and `brsnat_xlate`. */
function ebtNat(dir: "daddr" | "saddr"): Translator {
  return (_x, v, out) => {
    if (v.byteLength < 12) return false;
    const target = v.getInt32(8, true);
    out.add(`ether ${dir} set ${etherNtoa(v)} `);
    if (dir === "daddr") return out.add(`${ebtVerdict(target)} `), true;
    // NAT_ARP_BIT set means no ARP mangling, which is all nft can do.
    if (!(target & 0x10)) return false;
    out.add(`${ebtVerdict(target | ~0xf)} `);
    return true;
  };
}

/** ebt_redirect_info, as `brredir_xlate`. */
const ebtRedirect: Translator = (_x, v, out) => {
  if (v.byteLength < 4) return false;
  const target = v.getInt32(0, true);
  out.add("meta set pkttype host");
  if (target !== -1) out.add(` ${ebtVerdict(target)} `);
  return true;
};

/** ebtables' translators (the bridge family), by match or target name. */
const BRIDGE: Record<string, Record<string, Translator>> = {
  match: { ip: ebtIp, mark_m: ebtMarkMatch, vlan: ebtVlan, pkttype: ebtPkttype },
  target: {
    log: ebtLog,
    nflog: ebtNflog,
    mark: ebtMarkTarget,
    dnat: ebtNat("daddr"),
    snat: ebtNat("saddr"),
    redirect: ebtRedirect,
  },
};

/** The translators, by match or target name. */
const TRANSLATORS: Record<string, Record<string, Translator>> = {
  match: {
    conntrack,
    addrtype,
    comment: () => true, // libxtables keeps the comment apart; nft prints nothing in its place
    statistic,
    multiport,
    connmark: connmarkMatch,
    icmp,
    iprange,
    mac,
    pkttype,
    length,
    ttl,
    dscp,
    helper,
    esp: spi("esp"),
    ah: spi("ah"),
    ipcomp: spi("comp"),
    cpu,
    quota,
    policy,
    owner,
    time,
    realm,
    devgroup,
    cgroup,
  },
  target: {
    MARK: markTarget,
    CONNMARK: connmarkTarget,
    LOG: log,
    REJECT: reject,
    NFQUEUE: nfqueue,
    TCPMSS: tcpmss,
    SNAT: nat("snat"),
    DNAT: nat("dnat"),
    MASQUERADE: nat("masquerade"),
    REDIRECT: nat("redirect"),
    CT: ct,
    DSCP: dscpTarget,
    TOS: tosTarget,
    CLASSIFY: classify,
    AUDIT: (_x, _v, out) => (out.add("log level audit"), true), // nft has no audit types: a log level
  },
};

/**
 * nft's text of an iptables extension in an ip or ip6 table (an ebtables
 * one in a bridge table), or undefined
 * where nft prints `xt match name` (no translator, or one that declines).
 */
export function xtText(x: XtInfo): string | undefined {
  if (x.family !== "ip" && x.family !== "ip6" && x.family !== "bridge") return undefined;
  // A bridge's log and nflog are ebtables' watchers, translated as its targets.
  const kind = x.type === "watcher" ? "target" : x.type;
  const t = (x.family === "bridge" ? BRIDGE : TRANSLATORS)[kind]?.[x.name];
  if (!t) return undefined;
  const out = new Xlate();
  const v = new DataView(x.info.buffer, x.info.byteOffset, x.info.byteLength);
  return t(x, v, out) ? out.text : undefined;
}
