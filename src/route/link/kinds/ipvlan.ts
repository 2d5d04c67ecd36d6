/**
 * `ipvlan` and `ipvtap`: virtual links sharing the parent's MAC address
 * (`IFLA_IPVLAN_*`).
 *
 * @module
 */

import type { Attrs } from "../../../wire/table.ts";
import type { KindData, KindJson, KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { IpvlanData } from "./_generated/types.ts";

/** `IPVLAN_MODE_*`. */
export const IPVLAN_MODE = {
  0: "l2",
  1: "l3",
  2: "l3s",
} as const;

/** `IPVLAN_F_*` flag bits. */
export const IPVLAN_F = {
  1: "private",
  2: "vepa",
} as const;

/** `IFLA_IPVLAN_*`: ipvlan and ipvtap settings. */
export const IFLA_IPVLAN_ATTRS = {
  mode: { type: 1, kind: "u16", names: IPVLAN_MODE },
  flags: { type: 2, kind: "u16", bits: IPVLAN_F },
} as const;

/** The mode (`unknown` for a number ip has no name for) and `private`, `vepa` or `bridge`, as `ipvlan_print_opt` prints them. */
function json(d: KindData): KindJson {
  const out: KindJson = {};
  if (d.mode !== undefined) out.mode = typeof d.mode === "string" ? d.mode : "unknown";
  const flags = d.flags as string[] | undefined;
  if (flags) out[flags.includes("private") ? "private" : flags.includes("vepa") ? "vepa" : "bridge"] = true;
  return out;
}

function details(d: KindData): string {
  // ip prints " mode X " after "ipvlan ", hence two spaces.
  return Object.entries(json(d)).map(([k, v]) => k === "mode" ? ` mode ${v} ` : `${k} `).join("");
}

/** ip sends `IFLA_IPVLAN_FLAGS` 0 for `bridge` and when no flag is given. */
function reader(kind: string): (r: KindWordReader) => KindWordsSpec {
  return (r) => {
    const k = r.words;
    const modes = Object.values(IPVLAN_MODE);
    const flags = (["bridge", "private", "vepa"] as const).filter((f) => k[f] !== undefined);
    if (flags.length > 1) throw r.usage(`Use one of "bridge", "private" or "vepa"`, flags[1]);
    const d: Attrs<typeof IFLA_IPVLAN_ATTRS> = {
      flags: flags[0] === "private" || flags[0] === "vepa" ? [flags[0]] : [],
    };
    if (k.mode !== undefined) {
      if (!(modes as string[]).includes(k.mode)) throw r.unknown("ipvlan mode", k.mode, modes);
      d.mode = k.mode as "l2";
    }
    return { parent: r.required("link", kind, true), data: d };
  };
}

/** A new ipvlan or ipvtap: what `createLink` takes for kinds `ipvlan` and `ipvtap`. */
export interface IpvlanLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "ipvlan" | "ipvtap";
  /** The link it sits on (name or index). */
  parent: string | number;
  /** Its settings. */
  data?: IpvlanData;
}

/** {@link IpvlanLinkSpec} but its kind: what the kind modules declare. */
export type IpvlanSpec = Omit<IpvlanLinkSpec, "kind">;

const WORDS = { mode: { arg: "ipvlan mode" }, bridge: {}, private: {}, vepa: {} };

/** The `ipvlan` kind. */
export const IPVLAN_KIND: LinkKind<"ipvlan", typeof IFLA_IPVLAN_ATTRS, never, IpvlanSpec> = {
  kind: "ipvlan",
  data: IFLA_IPVLAN_ATTRS,
  types: {
    data: { name: "IpvlanData", prefix: "IFLA_IPVLAN_", doc: "ipvlan and ipvtap settings" },
  },
  json,
  details,
  words: WORDS,
  read: reader("ipvlan"),
  help: "ipvlan|ipvtap [ mode l2|l3|l3s ] [ bridge|private|vepa ]",
};

/** The `ipvtap` kind: an ipvlan with a character device. */
export const IPVTAP_KIND: LinkKind<"ipvtap", typeof IFLA_IPVLAN_ATTRS, never, IpvlanSpec> = {
  ...IPVLAN_KIND,
  kind: "ipvtap",
  read: reader("ipvtap"),
  help: undefined,
};
