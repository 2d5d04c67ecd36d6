/**
 * `xfrm`: IPsec virtual interfaces (`IFLA_XFRM_*`), read and printed as
 * iproute2's `link_xfrm.c`.
 *
 * @module
 */

import type { KindData, KindJson, KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";
import type { XfrmData } from "./_generated/types.ts";

/** `IFLA_XFRM_*`, in the order iproute2 sends them. */
export const IFLA_XFRM_ATTRS = {
  ifId: { type: 2, kind: "u32" },
  link: { type: 1, kind: "u32" },
  collectMetadata: { type: 3, kind: "flag" },
} as const;

const hex = (n: unknown): string => `0x${(n as number).toString(16)}`;

/** `xfrm_print_opt` in JSON: `external`, else `if_id` in hex. */
function json(d: KindData): KindJson {
  if (d.collectMetadata) return { external: true };
  return d.ifId === undefined ? {} : { if_id: hex(d.ifId) };
}

/** `xfrm_print_opt` in text. */
function details(d: KindData): string {
  if (d.collectMetadata) return "external ";
  return d.ifId === undefined ? "" : `if_id ${hex(d.ifId)} `;
}

function read(r: KindWordReader): KindWordsSpec {
  const k = r.words;
  if (k.external !== undefined) {
    if (k.if_id !== undefined || k.dev !== undefined) {
      throw r.usage("xfrmi: both 'external' and if_id/link cannot be specified", "external");
    }
    return { data: { collectMetadata: true } };
  }
  const data: KindData = { ifId: r.int(r.required("if_id", "xfrm"), "if_id", 1, 0xffffffff) };
  return k.dev === undefined ? { data } : { parent: k.dev, data };
}

/** A new xfrm interface: what `createLink` takes for kind `xfrm`. */
export interface XfrmLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "xfrm";
  /** The underlying link (`IFLA_XFRM_LINK`), name or index. */
  parent?: string | number;
  /** `ifId` (1 and up), or `collectMetadata` for an external interface. */
  data: XfrmData;
}

/** The `xfrm` kind. */
export const XFRM_KIND: LinkKind<"xfrm", typeof IFLA_XFRM_ATTRS, never, Omit<XfrmLinkSpec, "kind">> = {
  kind: "xfrm",
  data: IFLA_XFRM_ATTRS,
  types: {
    data: { name: "XfrmData", prefix: "IFLA_XFRM_", doc: "xfrm interface settings" },
  },
  parentKey: "link",
  json,
  details,
  words: { dev: { arg: "device" }, if_id: { arg: "IF-ID" }, external: {} },
  read,
  help: "xfrm { if_id IF-ID [ dev PHYS_DEV ] | external }",
};
