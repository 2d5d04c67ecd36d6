/**
 * `macvlan` and `macvtap`: virtual links with their own MAC address on a
 * parent link (`IFLA_MACVLAN_*`).
 *
 * @module
 */

import { type JsonFieldMap, jsonFields, textFields } from "./format.ts";
import type { KindData, KindJson, KindPrintContext, KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { MacvlanData } from "./_generated/types.ts";

/** `MACVLAN_MODE_*`, named as iproute2 spells them. */
export const MACVLAN_MODE = {
  1: "private",
  2: "vepa",
  4: "bridge",
  8: "passthru",
  16: "source",
} as const;

/** `IFLA_MACVLAN_*`: macvlan and macvtap settings. */
export const IFLA_MACVLAN_ATTRS = {
  mode: { type: 1, kind: "u32", names: MACVLAN_MODE },
  flags: { type: 2, kind: "u16" },
  macaddrMode: { type: 3, kind: "u32" },
  macaddr: { type: 4, kind: "mac" },
  macaddrCount: { type: 6, kind: "u32" },
  bcQueueLen: { type: 7, kind: "u32" },
  bcQueueLenUsed: { type: 8, kind: "u32" },
} as const;

const TAIL_JSON: JsonFieldMap = [["bcqueuelen", "bcQueueLen", "num"], ["usedbcqueuelen", "bcQueueLenUsed", "num"]];

/** `MACVLAN_FLAG_*` and the source-mode address count, printed as iproute2 does. */
function json(d: KindData, ctx: KindPrintContext): KindJson {
  const out = jsonFields(d, [["mode", "mode", "str"]], ctx);
  const flags = (d.flags as number | undefined) ?? 0;
  if (flags & 1) out.nopromisc = true;
  if (flags & 2) out.nodst = true;
  if (d.mode === "source" && d.macaddrCount !== undefined) out.macaddr_count = d.macaddrCount;
  return Object.assign(out, jsonFields(d, TAIL_JSON, ctx));
}

function details(d: KindData): string {
  let s = textFields(d, [["mode", "mode"]]);
  if (typeof d.flags === "number" && d.flags & 1) s += "nopromisc ";
  return s + textFields(d, [["bcqueuelen", "bcQueueLen"], ["usedbcqueuelen", "bcQueueLenUsed"]]);
}

function reader(kind: string): (r: KindWordReader) => KindWordsSpec {
  return (r) => {
    const modes = Object.values(MACVLAN_MODE);
    const mode = r.words.mode;
    if (mode !== undefined && !(modes as string[]).includes(mode)) throw r.unknown("macvlan mode", mode, modes);
    const data = mode === undefined ? undefined : { mode };
    return { parent: r.required("link", kind, true), data };
  };
}

/** A new macvlan or macvtap: what `createLink` takes for kinds `macvlan` and `macvtap`. */
export interface MacvlanLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "macvlan" | "macvtap";
  /** The link it sits on (name or index). */
  parent: string | number;
  /** Its settings. */
  data?: MacvlanData;
}

/** {@link MacvlanLinkSpec} but its kind: what the kind modules declare. */
export type MacvlanSpec = Omit<MacvlanLinkSpec, "kind">;

/** The `macvlan` kind. */
export const MACVLAN_KIND: LinkKind<"macvlan", typeof IFLA_MACVLAN_ATTRS, never, MacvlanSpec> = {
  kind: "macvlan",
  data: IFLA_MACVLAN_ATTRS,
  types: {
    data: { name: "MacvlanData", prefix: "IFLA_MACVLAN_", doc: "macvlan and macvtap settings" },
  },
  json,
  details,
  words: { mode: { arg: "macvlan mode" } },
  read: reader("macvlan"),
  help: "macvlan|macvtap [ mode private|vepa|bridge|passthru|source ]",
};

/** The `macvtap` kind: a macvlan with a character device. */
export const MACVTAP_KIND: LinkKind<"macvtap", typeof IFLA_MACVLAN_ATTRS, never, MacvlanSpec> = {
  ...MACVLAN_KIND,
  kind: "macvtap",
  read: reader("macvtap"),
  help: undefined,
};
