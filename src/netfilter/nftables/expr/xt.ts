/**
 * The `match` and `target` expressions: iptables extensions run through nft_compat (rules iptables-nft adds).
 *
 * @module
 */

import { BYTES } from "../codecs.ts";

/** `NFTA_MATCH_*` (and the same layout, `NFTA_TARGET_*`). */
export const NFTA_XT_TABLE = {
  xtName: { type: 1, kind: "string" }, // NFTA_MATCH_NAME / NFTA_TARGET_NAME
  rev: { type: 2, kind: "u32be" }, // NFTA_MATCH_REV / NFTA_TARGET_REV
  info: { type: 3, kind: "codec", codec: BYTES }, // NFTA_MATCH_INFO / NFTA_TARGET_INFO: the extension's own struct
} as const;
