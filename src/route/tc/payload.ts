/**
 * A payload left in place: `TCA_OPTIONS` and `TCA_XSTATS` are decoded by
 * the kind's module once `TCA_KIND` is known, so the table keeps only where
 * the payload lies in the message (no copy, no view object).
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { type Codec, readString } from "../../wire/table.ts";

/** Where a payload lies in the message being decoded. */
export interface TcSpan {
  /** Offset of the payload's first byte. */
  readonly start: number;
  /** Offset past its last byte. */
  readonly end: number;
}

/** A payload: bytes to send, or (parsed) its place in the message. */
export type TcPayload = Uint8Array | TcSpan;

/** Parses to the payload's bounds; builds by appending the bytes. */
export const TC_PAYLOAD: Codec<TcPayload> = {
  parse: (_buf, _view, start, end) => ({ start, end }),
  build: (b, value) => {
    if (!(value instanceof Uint8Array)) {
      throw new InvalidArgumentError("Cannot send a payload parsed from another message");
    }
    b.raw(value);
  },
};

const encoder = new TextEncoder();
// Kind names already seen, by a hash of their bytes; a dump repeats a handful of kinds thousands of times.
const KINDS = new Map<number, string>();
const MAX_KINDS = 256;

/** A kind name (`TCA_KIND`, `TCA_ACT_KIND`): a NUL-terminated string, read once per distinct name. */
export const TC_KIND: Codec<string> = {
  parse(buf, _view, start, end): string {
    let h = 0, n = start;
    for (; n < end && buf[n] !== 0; n++) h = (Math.imul(h, 31) + buf[n]) | 0;
    const known = KINDS.get(h);
    if (known !== undefined && known.length === n - start) {
      let i = 0;
      while (i < known.length && known.charCodeAt(i) === buf[start + i]) i++;
      if (i === known.length) return known;
    }
    const s = readString(buf, start, n);
    if (KINDS.size < MAX_KINDS) KINDS.set(h, s);
    return s;
  },
  build: (b, value) => void b.raw(encoder.encode(value)).scalar("u8", 0),
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

/** Parsed attributes without the `unknown` ones (copied only when there are some). */
export function known<T extends { unknown?: unknown }>(a: T): Omit<T, "unknown"> {
  if (a.unknown === undefined) return a;
  const { unknown: _, ...rest } = a;
  return rest;
}

/** Decodes a payload that {@link TC_PAYLOAD} left in place inside `buf`; raw bytes without a codec. */
export function decodeIn<V>(
  codec: { parse(buf: Uint8Array, view: DataView, start: number, end: number): V } | undefined,
  buf: Uint8Array,
  view: DataView,
  payload: TcPayload,
): V | Uint8Array {
  if (payload instanceof Uint8Array) {
    return codec
      ? codec.parse(payload, new DataView(payload.buffer, payload.byteOffset, payload.length), 0, payload.length)
      : payload.slice();
  }
  return codec ? codec.parse(buf, view, payload.start, payload.end) : buf.slice(payload.start, payload.end);
}
