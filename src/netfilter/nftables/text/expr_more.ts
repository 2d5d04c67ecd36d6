/**
 * The left-hand expressions of nft's language beyond header fields, meta
 * and ct, read into nft's JSON: extension headers and options (`frag
 * more-fragments`, `exthdr hbh`, `tcp option maxseg size`, `ip option rr
 * addr`, `sctp chunk init init-tag`), `rt`, `socket`, `osf`, `fib`,
 * `ipsec` and `numgen`. The inverse of `exprText` in `stmt_text.ts`.
 *
 * @module
 */

import { EXTHDR_KEYS, exthdrByName, exthdrByType, type ExthdrOp } from "../json/exthdr_fields.ts";
import { RT_KEYS, SOCKET_TYPES } from "../json/fields.ts";
import type { Json } from "../json/types.ts";
import { nftNumber } from "./tokens.ts";

const IPV6_EXTHDRS = ["hbh", "rt", "rt0", "rt2", "srh", "frag", "dst", "mh"];
const OPTION_OPS: Record<string, ExthdrOp> = { "tcp option": "tcpopt", "ip option": "ipv4", "sctp chunk": "sctp" };
const RT_NAMES = new Set(Object.values(RT_KEYS).map(([k]) => k));
const FIB_FLAGS = ["saddr", "daddr", "mark", "iif", "oif"];
const FIB_RESULTS = ["oif", "oifname", "type"];
const IPSEC_KEYS = ["reqid", "spi", "saddr", "daddr"];

/** True when header `name` (of JSON key `key`) has a field `w`. */
function hasField(key: string, name: string, w: string | undefined): boolean {
  return w !== undefined && (exthdrByName(key, name)?.fields.some((f) => f.field === w) ?? false);
}

/**
 * The expression at `w[i]`: its JSON and how many words it took; undefined
 * when the words start none of these expressions.
 */
export function moreExpr(w: readonly string[], i: number): [Json, number] | undefined {
  const [a, b, c, d] = [w[i], w[i + 1], w[i + 2], w[i + 3]];
  // A raw payload, `@th,16,16` (the tokenizer splits it at its commas).
  const raw = /^@(ll|nh|th|ih)$/.exec(a ?? "");
  if (raw && b === "," && d === ",") {
    const [offset, len] = [nftNumber(c ?? ""), nftNumber(w[i + 4] ?? "")];
    if (!Number.isNaN(offset) && !Number.isNaN(len)) return [{ payload: { base: raw[1], offset, len } }, 5];
  }
  if (a === "exthdr" && b !== undefined && exthdrByName(EXTHDR_KEYS.ipv6, b)) return [{ exthdr: { name: b } }, 2];
  if (a === "rt" && RT_NAMES.has(b ?? "")) return [{ rt: { key: b! } }, 2];
  if (a === "rt" && (b === "ip" || b === "ip6") && c === "nexthop") return [{ rt: { key: c, family: b } }, 3];
  if (IPV6_EXTHDRS.includes(a) && hasField(EXTHDR_KEYS.ipv6, a, b)) return [{ exthdr: { name: a, field: b! } }, 2];
  const op = OPTION_OPS[`${a} ${b}`];
  if (op === "tcpopt" && c !== undefined) {
    const opt = tcpOptionByNumber(w, i + 2, 8);
    if (opt) return [opt[0], opt[1] + 2];
  }
  if (op && c !== undefined) {
    const key = EXTHDR_KEYS[op];
    // A SACK block's number is part of the name (`sack1 left`); the table knows `sack`.
    const base = op === "tcpopt" ? c.replace(/^sack[0-3]$/, "sack") : c;
    if (!exthdrByName(key, base)) return undefined;
    if (hasField(key, base, d)) return [{ [key]: { name: c, field: d! } }, 4];
    return [{ [key]: { name: c } }, 3];
  }
  if (a === "socket" && b !== undefined && b in SOCKET_TYPES) return [{ socket: { key: b } }, 2];
  if (a === "osf") {
    const ttl = b === "ttl" ? c : undefined;
    const key = ttl === undefined ? b : d;
    if (key !== "name" && key !== "version") return undefined;
    return [{ osf: ttl === undefined ? { key } : { key, ttl } }, ttl === undefined ? 2 : 4];
  }
  if (a === "fib") return fib(w, i);
  if (a === "ipsec" && (b === "in" || b === "out")) return ipsec(w, i);
  if (a === "numgen" && (b === "inc" || b === "random") && c === "mod" && /^\d+$/.test(d ?? "")) {
    const off = w[i + 4] === "offset" && /^\d+$/.test(w[i + 5] ?? "");
    return [{ numgen: { mode: b, mod: nftNumber(d), offset: off ? nftNumber(w[i + 5]) : 0 } }, off ? 6 : 4];
  }
  return undefined;
}

/**
 * A TCP option by number at `w[i]`: `2` (a known kind, by its name), `6`
 * (raw: the kind, a `len`-bit field at 0) or `@255,8,8`; with the words taken.
 */
export function tcpOptionByNumber(w: readonly string[], i: number, len: number): [Json, number] | undefined {
  const raw = /^@(\d+)$/.exec(w[i] ?? "");
  if (raw && w[i + 1] === "," && /^\d+$/.test(w[i + 2] ?? "") && w[i + 3] === "," && /^\d+$/.test(w[i + 4] ?? "")) {
    return [{ "tcp option": { base: Number(raw[1]), offset: Number(w[i + 2]), len: Number(w[i + 4]) } }, 5];
  }
  if (!/^\d+$/.test(w[i] ?? "")) return undefined;
  const known = exthdrByType("tcpopt", Number(w[i]));
  return [{ "tcp option": known ? { name: known.name } : { base: Number(w[i]), offset: 0, len } }, 1];
}

/** `fib saddr . iif oif`. */
function fib(w: readonly string[], i: number): [Json, number] | undefined {
  const flags: string[] = [];
  let k = i + 1;
  for (; FIB_FLAGS.includes(w[k]); k += 2) {
    flags.push(w[k]);
    if (w[k + 1] !== ".") break;
  }
  const result = w[k + 1];
  if (!flags.length || !FIB_RESULTS.includes(result)) return undefined;
  return [{ fib: { result, flags } }, k + 2 - i];
}

/** `ipsec in [spnum N] [ip|ip6] reqid|spi|saddr|daddr`. */
function ipsec(w: readonly string[], i: number): [Json, number] | undefined {
  const o: { [k: string]: Json } = { dir: w[i + 1] };
  let k = i + 2;
  if (w[k] === "spnum" && /^\d+$/.test(w[k + 1] ?? "")) (o.spnum = Number(w[k + 1])), (k += 2);
  if (w[k] === "ip" || w[k] === "ip6") o.family = w[k++];
  if (!IPSEC_KEYS.includes(w[k])) return undefined;
  o.key = w[k];
  return [{ ipsec: o }, k + 1 - i];
}
