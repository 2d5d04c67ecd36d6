/**
 * The `dynset` expression: adds or updates the packet's key in a set from the data path.
 *
 * @module
 */

import { BYTES } from "../codecs.ts";

/** `NFTA_DYNSET_*`; nested expressions are kept as bytes. */
export const NFTA_DYNSET_TABLE = {
  setName: { type: 1, kind: "string" }, // NFTA_DYNSET_SET_NAME
  setId: { type: 2, kind: "u32be" }, // NFTA_DYNSET_SET_ID
  op: { type: 3, kind: "u32be", names: { 0: "add", 1: "update", 2: "delete" } }, // NFTA_DYNSET_OP
  sregKey: { type: 4, kind: "u32be" }, // NFTA_DYNSET_SREG_KEY
  sregData: { type: 5, kind: "u32be" }, // NFTA_DYNSET_SREG_DATA
  timeout: { type: 6, kind: "u64be" }, // NFTA_DYNSET_TIMEOUT (ms)
  expr: { type: 7, kind: "codec", codec: BYTES }, // NFTA_DYNSET_EXPR
  flags: { type: 9, kind: "u32be", bits: { 1: "inv", 2: "expr" } }, // NFTA_DYNSET_FLAGS
  expressions: { type: 10, kind: "codec", codec: BYTES }, // NFTA_DYNSET_EXPRESSIONS
} as const;
