/**
 * `gre` and `gretap`: GRE tunnels carrying IP packets or Ethernet frames
 * (`IFLA_GRE_*`). Keys, ports and flow info are big-endian on the wire.
 *
 * @module
 */

import type { Attrs } from "../../../wire/table.ts";
import { ipFamily } from "../../../wire/addr.ts";
import type { KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { GreData } from "./_generated/types.ts";
import { switchWord } from "./format.ts";

/** `GRE_*` header flag bits of `IFLA_GRE_IFLAGS`/`IFLA_GRE_OFLAGS` (big-endian on the wire). */
export const GRE_FLAGS = { 0x8000: "csum", 0x4000: "routing", 0x2000: "key", 0x1000: "seq" } as const;

/** `IFLA_GRE_*`: GRE and GRE-tap tunnel settings; keys, ports and flow info are big-endian. */
export const IFLA_GRE_ATTRS = {
  link: { type: 1, kind: "u32" },
  iflags: { type: 2, kind: "u16be", bits: GRE_FLAGS },
  oflags: { type: 3, kind: "u16be", bits: GRE_FLAGS },
  ikey: { type: 4, kind: "u32be" },
  okey: { type: 5, kind: "u32be" },
  local: { type: 6, kind: "ip" },
  remote: { type: 7, kind: "ip" },
  ttl: { type: 8, kind: "u8" },
  tos: { type: 9, kind: "u8" },
  pmtudisc: { type: 10, kind: "u8" },
  encapLimit: { type: 11, kind: "u8" },
  flowinfo: { type: 12, kind: "u32be" },
  flags: { type: 13, kind: "u32" },
  encapType: { type: 14, kind: "u16" },
  encapFlags: { type: 15, kind: "u16" },
  encapSport: { type: 16, kind: "u16be" },
  encapDport: { type: 17, kind: "u16be" },
  collectMetadata: { type: 18, kind: "flag" },
  ignoreDf: { type: 19, kind: "u8" },
  fwmark: { type: 20, kind: "u32" },
} as const;

/** GRE flag words: `[word, flag, in, out]`; the `no` forms clear. */
const GRE_FLAG_WORDS = [
  ["key", "key", true, true],
  ["seq", "seq", true, true],
  ["iseq", "seq", true, false],
  ["oseq", "seq", false, true],
  ["csum", "csum", true, true],
  ["icsum", "csum", true, false],
  ["ocsum", "csum", false, true],
] as const;

const WORDS = {
  remote: { arg: "address", inet: true },
  local: { arg: "address", inet: true },
  dev: { arg: "device" },
  key: { arg: "key" },
  ikey: { arg: "key" },
  okey: { arg: "key" },
  ttl: { arg: "TTL" },
  hoplimit: { arg: "TTL", key: "ttl" },
  tos: { arg: "TOS" },
  dsfield: { arg: "TOS", key: "tos" },
  pmtudisc: {},
  nopmtudisc: {},
  external: {},
  "ignore-df": {},
  "noignore-df": {},
  fwmark: { arg: "mark" },
  ...Object.fromEntries(GRE_FLAG_WORDS.filter(([w]) => w !== "key").map(([w]) => [w, {}])),
};

function ipv4(r: KindWordReader, word: string, v: string): string {
  if (ipFamily(v) !== 2) throw r.usage(`Invalid "${word}": "${v}" (an IPv4 address)`, v);
  return v;
}

/** A GRE key: a number or a dotted quad, as iproute2's `tnl_parse_key` reads it. */
function greKey(r: KindWordReader, word: string, v: string): number {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) {
    const parts = v.split(".").map(Number);
    if (parts.every((p) => p <= 255)) return parts.reduce((a, p) => a * 256 + p, 0);
  }
  return r.int(v, word);
}

function read(r: KindWordReader): KindWordsSpec {
  const k = r.words;
  const iflags = new Set<string>(), oflags = new Set<string>();
  const d: Attrs<typeof IFLA_GRE_ATTRS> = {};
  for (const [w, flag, i, o] of GRE_FLAG_WORDS) {
    if (k[w] === undefined) continue;
    if (i) iflags.add(flag);
    if (o) oflags.add(flag);
  }
  if (k.key !== undefined) d.ikey = d.okey = greKey(r, "key", k.key);
  if (k.ikey !== undefined) (iflags.add("key"), d.ikey = greKey(r, "ikey", k.ikey));
  if (k.okey !== undefined) (oflags.add("key"), d.okey = greKey(r, "okey", k.okey));
  if (iflags.size) d.iflags = [...iflags] as typeof d.iflags;
  if (oflags.size) d.oflags = [...oflags] as typeof d.oflags;
  if (k.remote !== undefined) d.remote = ipv4(r, "remote", k.remote);
  if (k.local !== undefined) d.local = ipv4(r, "local", k.local);
  if (k.ttl !== undefined) d.ttl = k.ttl === "inherit" ? 0 : r.int(k.ttl, "TTL", 0, 255);
  if (k.tos !== undefined) d.tos = k.tos === "inherit" ? 1 : r.int(k.tos, "TOS", 0, 255);
  const pmtudisc = switchWord(r, "pmtudisc", "nopmtudisc");
  if (pmtudisc !== undefined) d.pmtudisc = pmtudisc;
  if (k["ignore-df"] !== undefined || k["noignore-df"] !== undefined) d.ignoreDf = k["ignore-df"] ? 1 : 0;
  if (k.fwmark !== undefined) d.fwmark = r.int(k.fwmark, "fwmark");
  if (k.external !== undefined) d.collectMetadata = true;
  const parent = k.dev ?? r.common.link;
  return parent === undefined ? { data: d } : { parent, data: d };
}

/** A new GRE tunnel: what `createLink` takes for kinds `gre` and `gretap`. */
export interface GreLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "gre" | "gretap";
  /** The underlay link (`IFLA_GRE_LINK`), name or index. */
  parent?: string | number;
  /** Tunnel settings. */
  data?: GreData;
}

/** {@link GreLinkSpec} but its kind: what the kind modules declare. */
export type GreSpec = Omit<GreLinkSpec, "kind">;

/** The `gre` kind. */
export const GRE_KIND: LinkKind<"gre", typeof IFLA_GRE_ATTRS, never, GreSpec> = {
  kind: "gre",
  data: IFLA_GRE_ATTRS,
  types: {
    data: { name: "GreData", prefix: "IFLA_GRE_", doc: "GRE and GRE-tap settings" },
  },
  parentKey: "link",
  words: WORDS,
  read,
  help: "gre|gretap [ remote A ] [ local A ] [ key K | ikey K | okey K ] [ seq ] [ csum ] [ ttl N ] [ dev D ] ...",
};

/** The `gretap` kind: GRE carrying Ethernet frames. */
export const GRETAP_KIND: LinkKind<"gretap", typeof IFLA_GRE_ATTRS, never, GreSpec> = {
  ...GRE_KIND,
  kind: "gretap",
  help: undefined,
};
