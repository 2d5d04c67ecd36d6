/**
 * A byte arena: copies of many small messages packed into a few large
 * buffers, each handed out as a view. One allocation per chunk instead of
 * one per message keeps a runtime's collector (which a new `ArrayBuffer`
 * prompts, and which then walks the whole heap) quiet during a large batch.
 *
 * @module
 */

/** Bytes per chunk: large enough for thousands of rule messages. */
const CHUNK = 1 << 20;

/** Hands out views of copies, packed into shared chunks. */
export class ByteArena {
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;

  /** A copy of `src`'s first `len` bytes, as a view of a chunk (its own buffer past a chunk's size). */
  copy(src: Uint8Array, len: number): Uint8Array {
    if (len > CHUNK / 4) return src.slice(0, len);
    if (this.#at + len > this.#chunk.length) {
      this.#chunk = new Uint8Array(CHUNK);
      this.#at = 0;
    }
    // Views made by the constructor, not `subarray`: cheaper before the JIT has warmed up (a batch makes 14,000).
    const out = new Uint8Array(this.#chunk.buffer, this.#at, len);
    out.set(new Uint8Array(src.buffer, src.byteOffset, len));
    this.#at += (len + 7) & ~7;
    return out;
  }
}
