/**
 * A payload left in place: `TCA_OPTIONS` and `TCA_XSTATS` are decoded by
 * the kind's module once `TCA_KIND` is known, so the table keeps a view
 * into the message instead of a copy.
 *
 * @module
 */

import type { Codec } from "../../wire/table.ts";

/** Parses to a view of the payload (no copy); builds by appending the bytes. */
export const TC_PAYLOAD: Codec<Uint8Array> = {
  parse: (buf, _view, start, end) => buf.subarray(start, end),
  build: (b, value) => void b.raw(value),
};
