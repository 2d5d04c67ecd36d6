/**
 * `NFTA_DATA_*`: the value or verdict an immediate, a comparison or a set
 * element carries, and the shared parse step of every nf_tables message.
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import { payloadOf } from "../../wire/message.ts";
import { TruncatedError } from "../../wire/errors.ts";
import { type Attrs, type AttrTable, parseAttrs } from "../../wire/table.ts";
import { familyName, NFT_VERDICTS } from "./consts.ts";
import type { NftHeader } from "./_generated/data_types.ts";
import { BYTES } from "./codecs.ts";

/** `NFTA_VERDICT_*`: a verdict code and, for jump and goto, the target chain. */
export const NFTA_VERDICT_TABLE = {
  code: { type: 1, kind: "u32be", names: NFT_VERDICTS }, // NFTA_VERDICT_CODE
  chain: { type: 2, kind: "string" }, // NFTA_VERDICT_CHAIN
  chainId: { type: 3, kind: "u32be" }, // NFTA_VERDICT_CHAIN_ID
} as const;

/** `NFTA_DATA_*`: raw bytes or a verdict. */
export const NFTA_DATA_TABLE = {
  value: { type: 1, kind: "codec", codec: BYTES }, // NFTA_DATA_VALUE
  verdict: { type: 2, kind: "nested", table: NFTA_VERDICT_TABLE }, // NFTA_DATA_VERDICT
} as const;

export type { NftData, NftHeader, NftVerdict } from "./_generated/data_types.ts";

/**
 * Parses an nf_tables message: the `nfgenmsg` family, then the attributes
 * by `table`, from a copy of the message (bytes values are views into it:
 * one buffer per message rather than one per value).
 */
export function parseNftMessage<T extends AttrTable>(table: T, m: NlMsg): Attrs<T> & NftHeader {
  const off = payloadOf(m);
  if (off + 4 > m.end) throw new TruncatedError("nfgenmsg", off, 4, m.end - off);
  // A copy made as an ArrayBuffer, then viewed: in Bun, `.buffer` of a sliced array copies it once more.
  const ab = m.buf.buffer.slice(m.buf.byteOffset + off + 4, m.buf.byteOffset + m.end) as ArrayBuffer;
  const out = parseAttrs(table, new Uint8Array(ab), new DataView(ab), 0, ab.byteLength) as Attrs<T> & NftHeader;
  out.family = familyName(m.buf[off]);
  return out;
}
