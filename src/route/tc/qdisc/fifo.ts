/**
 * `pfifo` (limit in packets) and `bfifo` (limit in bytes).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { QdiscKind } from "../kind.ts";
import { formatSize, parseSize } from "../units.ts";

/** fifo options. */
export interface FifoOptions {
  /** Queue limit: packets for pfifo, bytes for bfifo (default: the device's txqueuelen). */
  limit?: number;
}

function fifo(kind: "pfifo" | "bfifo"): QdiscKind {
  return {
    kind,
    qdisc: {
      keys: ["limit"],
      parse: (_b, view, s, e): FifoOptions => (e - s >= 4 ? { limit: view.getUint32(s, true) } : {}),
      // No limit: tc sends no options and the kernel takes the device's queue length.
      build: (b, o): void => {
        const { limit } = o as FifoOptions;
        if (limit !== undefined) b.scalar("u32", limit);
      },
      print(p, o): void {
        const { limit } = o as FifoOptions;
        if (limit === undefined) return;
        if (kind === "bfifo") p.field("any", "limit", "limit %s", limit, formatSize(limit));
        else p.uint("limit", "limit %sp", limit);
      },
      words(w): FifoOptions {
        const o: FifoOptions = {};
        for (let word = w.next(); word !== undefined; word = w.next()) {
          if (word !== "limit") throw new InvalidArgumentError(`Unknown ${kind} argument: "${word}"`);
          o.limit = parseSize(w.value(word, "limit"));
        }
        return o;
      },
    },
  };
}

/** The pfifo module. */
export const pfifo: QdiscKind = fifo("pfifo");
/** The bfifo module. */
export const bfifo: QdiscKind = fifo("bfifo");
