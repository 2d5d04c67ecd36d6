/**
 * Set keys as nft compares and steps them: big-endian byte strings, an
 * interval's end being the key one above its last (or the next start's
 * key one below).
 *
 * @module
 */

/** Whether `a` holds the same bytes as `b` (false when `a` is absent). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Orders keys bytewise; of two where one begins the other, the shorter first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The key one below `b` (all zero bytes wrap to all 0xff). */
export function minusOne(b: Uint8Array): Uint8Array {
  const out = b.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]-- !== 0) break;
  }
  return out;
}

/** The key one above `b`, or `undefined` when `b` is the top key (the range runs to the end). */
export function plusOne(b: Uint8Array): Uint8Array | undefined {
  const out = b.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]++ !== 0xff) return out;
  }
  return undefined;
}
