/**
 * `NLMSG_ERROR` and `NLMSG_DONE` payloads with their extended-ack TLVs.
 *
 * @module
 */

import {
  align4,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
} from "./constants.ts";
import { MalformedError, TruncatedError } from "./errors.ts";
import type { NlMsg } from "./message.ts";
import { parseAttrs, type RawAttr } from "./table.ts";

/** Extended-ack attributes (`NLMSGERR_ATTR_*`). */
export const EXTACK_ATTRS = {
  message: { type: NLMSGERR_ATTR_MSG, kind: "string" },
  offset: { type: NLMSGERR_ATTR_OFFS, kind: "u32" },
  cookie: { type: NLMSGERR_ATTR_COOKIE, kind: "bytes" },
  policy: { type: NLMSGERR_ATTR_POLICY, kind: "bytes" },
  missingType: { type: NLMSGERR_ATTR_MISS_TYPE, kind: "u32" },
  missingNest: { type: NLMSGERR_ATTR_MISS_NEST, kind: "u32" },
} as const;

/** The kernel's extended acknowledgement ({@link EXTACK_ATTRS}). */
export interface ExtAck {
  /** Why the request was refused (`NLMSGERR_ATTR_MSG`). */
  message?: string;
  /** Offset in the request of the attribute at fault (`NLMSGERR_ATTR_OFFS`). */
  offset?: number;
  /** Cookie the operation returned (`NLMSGERR_ATTR_COOKIE`). */
  cookie?: Uint8Array;
  /** The policy the rejected attribute broke, undecoded (`NLMSGERR_ATTR_POLICY`). */
  policy?: Uint8Array;
  /** Type of a missing attribute (`NLMSGERR_ATTR_MISS_TYPE`). */
  missingType?: number;
  /** Offset of the nest that misses it (`NLMSGERR_ATTR_MISS_NEST`). */
  missingNest?: number;
  /** Attributes no table entry describes. */
  unknown?: RawAttr[];
}

/** A parsed `NLMSG_ERROR` (an error when `errno` is not 0, else an ACK). */
export interface ErrorMessage {
  /** Positive errno, or 0 for an acknowledgement. */
  errno: number;
  /** Type of the request that this answers. */
  requestType: number;
  /** Sequence number of the request that this answers. */
  requestSeq: number;
  /** Extended-ack details, when the kernel sent any. */
  ext: ExtAck;
}

/** Parses an `NLMSG_ERROR` message. */
export function parseErrorMessage(m: NlMsg): ErrorMessage {
  const p = m.start + NLMSG_HDRLEN;
  const need = 4 + NLMSG_HDRLEN;
  if (p + need > m.end) throw new TruncatedError("nlmsgerr", p, need, m.end - p);
  const errno = 0 - m.view.getInt32(p, true); // 0 - x, not -x: an ACK is +0
  const inner = p + 4;
  const innerLen = m.view.getUint32(inner, true);
  let tlv = inner + NLMSG_HDRLEN;
  if (!(m.flags & NLM_F_CAPPED)) {
    if (innerLen < NLMSG_HDRLEN || inner + innerLen > m.end) {
      throw new MalformedError(`Echoed request length ${innerLen} does not fit the error message`, inner);
    }
    tlv = inner + align4(innerLen);
  }
  const ext = m.flags & NLM_F_ACK_TLVS && tlv < m.end ? parseAttrs(EXTACK_ATTRS, m.buf, m.view, tlv, m.end) : {};
  return {
    errno,
    requestType: m.view.getUint16(inner + 4, true),
    requestSeq: m.view.getUint32(inner + 8, true),
    ext,
  };
}

/** Parses an `NLMSG_DONE` message: its error code (positive errno or 0) and ext-ack. */
export function parseDoneMessage(m: NlMsg): { errno: number; ext: ExtAck } {
  const p = m.start + NLMSG_HDRLEN;
  if (p + 4 > m.end) return { errno: 0, ext: {} };
  const errno = 0 - m.view.getInt32(p, true); // 0 - x, not -x: an ACK is +0
  const ext = m.flags & NLM_F_ACK_TLVS && p + 4 < m.end ? parseAttrs(EXTACK_ATTRS, m.buf, m.view, p + 4, m.end) : {};
  return { errno, ext };
}
