/**
 * Field printers shared by the kind modules: `ip -j` values mapped from
 * table fields, and `ip -d` `word value ` runs.
 *
 * @module
 */

import { parseIp } from "../../../wire/addr.ts";
import type { KindData, KindJson, KindPrintContext, KindWordReader } from "./kind.ts";

/**
 * How one field is printed in JSON: `num` as is; `bool` as true/false;
 * `true` only when set; `str` as text; `hex` as C's `%#x` (`0` or `0x..`);
 * `0x` always with the prefix; `timer` centiseconds as seconds; `bridgeId`
 * as `8000.aa:bb:..`; `ifname` an index as a link name.
 */
export type JsonFmt = "num" | "bool" | "true" | "str" | "hex" | "0x" | "timer" | "bridgeId" | "ifname";

/** `[json key, parsed field, format]`, in the order ip prints them. */
export type JsonFieldMap = readonly (readonly [string, string, JsonFmt])[];

/** `struct ifla_bridge_id` as iproute2 prints it: `8000.aa:b:cc:d:ee:f` (`ether_ntoa` does not pad). */
export function bridgeId(v: unknown): string | undefined {
  if (!(v instanceof Uint8Array) || v.length < 8) return undefined;
  const hex2 = (b: number): string => b.toString(16).padStart(2, "0");
  return `${hex2(v[0])}${hex2(v[1])}.${Array.from(v.subarray(2, 8), (b) => b.toString(16)).join(":")}`;
}

function jsonValue(v: unknown, fmt: JsonFmt, ctx: KindPrintContext): unknown {
  switch (fmt) {
    case "bool":
      return v !== 0 && v !== false;
    case "true":
      return v ? true : undefined;
    case "hex":
      return v ? `0x${(v as number).toString(16)}` : "0";
    case "0x":
      return `0x${(v as number).toString(16)}`;
    case "timer":
      return Math.round(v as number) / 100;
    case "bridgeId":
      return v instanceof Uint8Array && v.length === 8 ? bridgeId(v) : undefined;
    case "ifname":
      return v ? ctx.linkName(v as number) : undefined;
    default:
      return v;
  }
}

/** The present fields of `data` under ip's JSON keys. */
export function jsonFields(data: KindData, map: JsonFieldMap, ctx: KindPrintContext): KindJson {
  const out: KindJson = {};
  for (const [key, field, fmt] of map) {
    if (data[field] === undefined) continue;
    const v = jsonValue(data[field], fmt, ctx);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** A text field: `[word, parsed field, printer]` (no printer: the value as is). */
export type TextField = readonly [string, string, ((v: never) => string | undefined)?];

/** `word value ` for each present field, in order; a printer returning `undefined` skips the field. */
export function textFields(d: KindData, spec: readonly TextField[]): string {
  let s = "";
  for (const [word, key, fmt] of spec) {
    const v = d[key];
    if (v === undefined) continue;
    const text = fmt ? (fmt as (v: unknown) => string | undefined)(v) : String(v);
    if (text !== undefined) s += `${word} ${text} `;
  }
  return s;
}

/** A timer in 1/100 s, as `%7.2f`. */
export const timerText = (v: number): string => (v / 100).toFixed(2).padStart(7);

/** `on` or `off`. */
export const onOffText = (v: unknown): string => (v ? "on" : "off");

/** An address in a multicast range (224/4 or ff00::/8). */
export function isMulticast(ip: string): boolean {
  return /^(22[4-9]|23\d)\./.test(ip) || /^ff/i.test(ip);
}

/**
 * A pair of words that switch a setting (`udpcsum`/`noudpcsum`): 1 for the
 * first, 0 for the second, `undefined` for neither; both is a usage error.
 */
export function switchWord(r: KindWordReader, on: string, off: string): 0 | 1 | undefined {
  const k = r.words;
  if (k[on] !== undefined && k[off] !== undefined) throw r.usage(`Use "${on}" or "${off}", not both`, off);
  return k[off] !== undefined ? 0 : k[on] !== undefined ? 1 : undefined;
}

/** A name from `names`, or its number (iproute2's `get_index`), read for `word`. */
export function namedWord(
  r: { unknown(what: string, word: string, choices: readonly string[]): Error },
  word: string,
  v: string,
  names: { readonly [n: number]: string },
): string {
  const list = Object.values(names);
  if (list.includes(v)) return v;
  if (/^\d+$/.test(v) && names[Number(v)] !== undefined) return names[Number(v)];
  throw r.unknown(word, v, list);
}

/** A tunnel's TTL as ip prints it: `ttl inherit `, `ttl N ` or `ttl auto ` (0); nothing when absent. */
export function ttlText(d: KindData): string {
  if (d.ttlInherit) return "ttl inherit ";
  return typeof d.ttl === "number" ? (d.ttl ? `ttl ${d.ttl} ` : "ttl auto ") : "";
}

/** A tunnel's TOS as ip prints it: `tos inherit ` (1) or `tos 0x.. `; nothing for 0. */
export function tosText(d: KindData): string {
  if (typeof d.tos !== "number" || !d.tos) return "";
  return d.tos === 1 ? "tos inherit " : `tos 0x${d.tos.toString(16)} `;
}

/** `flowlabel 0x.. ` when a label is set. */
export function flowlabelText(d: KindData): string {
  return typeof d.label === "number" && d.label ? `flowlabel 0x${d.label.toString(16)} ` : "";
}

/** `word ` or `noword ` for a present on/off field. */
export function switchText(d: KindData, key: string, word: string): string {
  return d[key] === undefined ? "" : `${d[key] ? "" : "no"}${word} `;
}

/** Moves IPv6 addresses given under an IPv4 key to its IPv6 key (`[v4, v6]` pairs), as iproute2 sends them. */
export function ipv6ToOwnKeys(data: KindData, pairs: readonly (readonly [string, string])[]): KindData {
  const out = { ...data };
  for (const [v4, v6] of pairs) {
    const addr = out[v4];
    if (typeof addr === "string" && parseIp(addr).length === 16) {
      out[v6] = addr;
      delete out[v4];
    }
  }
  return out;
}
