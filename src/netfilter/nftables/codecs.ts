/**
 * Payload codecs nf_tables needs beyond the table engine's kinds.
 *
 * @module
 */

import { TruncatedError } from "../../wire/errors.ts";
import { NLA_TYPE_MASK } from "../../wire/constants.ts";
import { type Attrs, type AttrTable, type Codec, forEachAttr, parseAttrs } from "../../wire/table.ts";

/** A signed 32-bit big-endian integer (chain priorities, nat flags are unsigned). */
export const S32BE: Codec<number> = {
  parse(_buf, view, start, end): number {
    if (end - start < 4) throw new TruncatedError("s32be attribute", start, 4, end - start);
    return view.getInt32(start, false);
  },
  build(b, value): void {
    b.scalar("u32be", value >>> 0);
  },
};

/**
 * Bytes as a view into the message, not a copy of their own: many small
 * buffers (a key per set element, data per comparison) are what a large
 * dump spends its time collecting. Safe because `parseNftMessage`
 * (data.ts) parses a private copy of each message.
 */
export const BYTES: Codec<Uint8Array> = {
  parse(buf, _view, start, end): Uint8Array {
    return buf.subarray(start, end);
  },
  build(b, value): void {
    b.raw(value);
  },
};

/**
 * `NFTA_CT_TIMEOUT_DATA`: one u32 (big-endian, seconds) per protocol
 * state, attribute type n holding state n - 1; absent states are holes.
 */
export const TIMEOUTS: Codec<(number | undefined)[]> = {
  parse(_buf, view, start, end): (number | undefined)[] {
    const out: (number | undefined)[] = [];
    forEachAttr(view, start, end, (type, s, e) => {
      const t = type & NLA_TYPE_MASK;
      if (t >= 1 && t <= 64 && e - s >= 4) out[t - 1] = view.getUint32(s, false);
    });
    return out;
  },
  build(b, value): void {
    value.forEach((v, i) => {
      if (v !== undefined) b.u(i + 1, "u32be", v);
    });
  },
};

/** A list of `NFTA_LIST_ELEM` nests, each decoded by `table` (`NFTA_SET_ELEM_LIST_ELEMENTS`, `NFTA_SET_DESC_CONCAT`). */
export function listOf<T extends AttrTable>(table: T): Codec<Attrs<T>[]> {
  return {
    parse(buf, view, start, end): Attrs<T>[] {
      const out: Attrs<T>[] = [];
      forEachAttr(view, start, end, (type, s, e) => {
        if ((type & NLA_TYPE_MASK) === 1) out.push(parseAttrs(table, buf, view, s, e));
      });
      return out;
    },
    build(b, value): void {
      for (const item of value) b.nest(1, (n) => n.attrs(table, item));
    },
  };
}
