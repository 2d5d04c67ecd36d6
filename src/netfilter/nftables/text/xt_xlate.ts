/**
 * iptables extensions in nft's text. A rule iptables-nft adds keeps some
 * of its matches and targets as `match`/`target` expressions (nft_compat)
 * holding the extension's own struct. nft 1.0.6 lists each through
 * libxtables' translator (iptables 1.8.9's `*_xlate`), so a Docker host's
 * `-m conntrack --ctstate RELATED,ESTABLISHED` lists as `ct state
 * related,established`; an extension without one lists as `xt match
 * "name"`. These are the translators of the extensions such hosts use,
 * read from the same structs, printed as libxtables prints them.
 *
 * @module
 */

import { formatIp } from "../../../wire/addr.ts";

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

const PORT_PROTOS: Record<string, string> = { tcp: "tcp", udp: "udp", udplite: "udplite", sctp: "sctp", dccp: "dccp" };

/** xt_multiport_v1, as `__multiport_xlate_v1` after the protocol's name. */
const multiport: Translator = (x, v, out) => {
  if (x.rev !== 1 || v.byteLength < 48) return false;
  const proto = PORT_PROTOS[x.proto ?? ""] ?? "(null)";
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

/** syslog's level names as glibc's table lists them first (`warn` before `warning`). */
const LEVELS: Record<number, string> = {
  0: "emerg",
  1: "alert",
  2: "crit",
  3: "err",
  4: "warn",
  5: "notice",
  6: "info",
  7: "debug",
  16: "none",
};

/** xt_log_info, as `LOG_xlate`. */
const log: Translator = (_x, v, out) => {
  if (v.byteLength < 32) return false;
  const [level, flags] = [v.getUint8(0), v.getUint8(1)];
  const prefix = cstr(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 2, 30);
  const name = LEVELS[level];
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

/** The translators, by match or target name. */
const TRANSLATORS: Record<string, Record<string, Translator>> = {
  match: {
    conntrack,
    addrtype,
    comment: () => true, // libxtables keeps the comment apart; nft prints nothing in its place
    statistic,
    multiport,
    connmark: connmarkMatch,
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
  },
};

/**
 * nft's text of an iptables extension in an ip or ip6 table, or undefined
 * where nft prints `xt match "name"` (no translator, or one that declines).
 */
export function xtText(x: XtInfo): string | undefined {
  if (x.family !== "ip" && x.family !== "ip6") return undefined;
  const t = TRANSLATORS[x.type]?.[x.name];
  if (!t) return undefined;
  const out = new Xlate();
  const v = new DataView(x.info.buffer, x.info.byteOffset, x.info.byteLength);
  return t(x, v, out) ? out.text : undefined;
}
