/**
 * A payload left in place: `TCA_OPTIONS` and `TCA_XSTATS` are decoded by
 * the kind's module once `TCA_KIND` is known, so the table keeps a view
 * into the message instead of a copy.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import type { Codec } from "../../wire/table.ts";

/** Parses to a view of the payload (no copy); builds by appending the bytes. */
export const TC_PAYLOAD: Codec<Uint8Array> = {
  parse: (buf, _view, start, end) => buf.subarray(start, end),
  build: (b, value) => void b.raw(value),
};

/** Bytes as lower-case hex text (a program tag, an action cookie). */
export const TC_HEX: Codec<string> = {
  parse: (buf, _view, start, end) => {
    let s = "";
    for (let i = start; i < end; i++) s += buf[i].toString(16).padStart(2, "0");
    return s;
  },
  build: (b, value) => {
    if (!/^([0-9a-f]{2})*$/i.test(value)) throw new InvalidArgumentError(`Invalid hex bytes: "${value}"`);
    for (let i = 0; i < value.length; i += 2) b.scalar("u8", parseInt(value.slice(i, i + 2), 16));
  },
};

/** Decodes a payload that {@link TC_PAYLOAD} left in place inside `buf`; raw bytes without a codec. */
export function decodeIn<V>(
  codec: { parse(buf: Uint8Array, view: DataView, start: number, end: number): V } | undefined,
  buf: Uint8Array,
  view: DataView,
  payload: Uint8Array,
): V | Uint8Array {
  if (!codec) return payload.slice();
  const s = payload.byteOffset - buf.byteOffset;
  return codec.parse(buf, view, s, s + payload.length);
}
