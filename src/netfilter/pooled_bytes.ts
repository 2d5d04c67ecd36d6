/**
 * Packet bytes copied out of the receive buffer into shared slabs. Every
 * queued or logged packet carries its payload, and allocating one
 * `ArrayBuffer` per packet costs microseconds in V8 (more than reading the
 * datagram), so small copies are carved from a 64 KiB slab instead, as
 * Node's `Buffer` pool does. Each copy is a view of its own bytes; its
 * `.buffer` is the slab, which stays alive while any view of it does.
 *
 * @module
 */

import type { MessageBuilder } from "../wire/builder.ts";
import type { Codec } from "../wire/table.ts";

const SLAB = 0x10000;
/** Larger runs (GSO packets) get their own buffer: they would waste most of a slab. */
const MAX_POOLED = 0x1000;

let slab = new Uint8Array(SLAB);
let used = 0;

/** A copy of `buf[start, end)`, as a view into a shared slab when it is small. */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n > MAX_POOLED) return buf.slice(start, end);
  if (used + n > SLAB) {
    slab = new Uint8Array(SLAB);
    used = 0;
  }
  const out = slab.subarray(used, used + n);
  out.set(buf.subarray(start, end));
  used = (used + n + 7) & ~7; // keep each copy 8-byte aligned
  return out;
}

/** An attribute of raw bytes (like kind `bytes`) whose parsed copies come from {@link copyBytes}. */
export const POOLED_BYTES: Codec<Uint8Array> = {
  parse: (buf, _view, start, end) => copyBytes(buf, start, end),
  build(b: MessageBuilder, value: Uint8Array): void {
    b.raw(value);
  },
};
