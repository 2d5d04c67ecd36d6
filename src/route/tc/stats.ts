/**
 * Statistics of qdiscs, classes, filters and actions (`TCA_STATS2`):
 * basic counters, queue counters and rate estimators, printed as `tc -s`.
 *
 * @module
 */

import { type Attrs, parseAttrs } from "../../wire/table.ts";
import { TC_PAYLOAD } from "./payload.ts";
import type { TcPrinter } from "./printer.ts";
import { formatRate, formatSize } from "./units.ts";

const BASIC = { bytes: "u64", packets: "u32" } as const;

/** `TCA_STATS_*` inside `TCA_STATS2`. */
export const TCA_STATS_ATTRS = {
  basic: { type: 1, kind: "struct", struct: BASIC },
  rateEst: { type: 2, kind: "struct", struct: { bps: "u32", pps: "u32" } },
  queue: {
    type: 3,
    kind: "struct",
    struct: { qlen: "u32", backlog: "u32", drops: "u32", requeues: "u32", overlimits: "u32" },
  },
  app: { type: 4, kind: "codec", codec: TC_PAYLOAD },
  rateEst64: { type: 5, kind: "struct", struct: { bps: "u64", pps: "u64" } },
  basicHw: { type: 7, kind: "struct", struct: BASIC },
  pkt64: { type: 8, kind: "u64" },
} as const;

/** Parsed `TCA_STATS2`. */
export type TcStats = Attrs<typeof TCA_STATS_ATTRS>;

/**
 * `s` without its `TCA_STATS_APP` bytes (a kind's xstats, decoded apart);
 * copied only when they are there, so the common case allocates nothing.
 */
export function withoutApp(s: TcStats): TcStats {
  if (s.app === undefined) return s;
  const { app: _, ...rest } = s;
  return rest;
}

/** Decodes `TCA_STATS2`. */
export function parseStats(buf: Uint8Array, view: DataView, start: number, end: number): TcStats {
  return parseAttrs(TCA_STATS_ATTRS, buf, view, start, end);
}

/** Prints stats as `print_tcstats2_attr` does, each text line starting with `prefix`. */
export function printStats(p: TcPrinter, s: TcStats, prefix: string): void {
  if (s.basic) {
    p.text(prefix);
    p.uint("bytes", "Sent %s bytes", s.basic.bytes ?? 0);
    p.uint("packets", " %s pkt", s.pkt64 || (s.basic.packets ?? 0));
  }
  const q = s.queue;
  if (q) {
    p.uint("drops", " (dropped %s", q.drops ?? 0);
    p.uint("overlimits", ", overlimits %s", q.overlimits ?? 0);
    p.uint("requeues", " requeues %s) ", q.requeues ?? 0);
  }
  printHw(p, s, prefix);
  const est = s.rateEst64 ?? s.rateEst;
  if (est) {
    p.text("\n" + prefix);
    p.uint("rate", "", est.bps ?? 0, "json");
    p.str(undefined, "rate %s", formatRate(est.bps ?? 0), "fp");
    p.uint("pps", " %spps", est.pps ?? 0);
  }
  if (q) {
    if (!s.rateEst) p.nl();
    p.text(prefix);
    p.field("any", "backlog", "backlog %s", q.backlog ?? 0, formatSize(q.backlog ?? 0));
    p.uint("qlen", " %sp", q.qlen ?? 0);
    p.uint(undefined, " requeues %s", q.requeues ?? 0, "fp");
  }
}

function printHw(p: TcPrinter, s: TcStats, prefix: string): void {
  const hwBytes = s.basicHw?.bytes ?? 0, hwPkts = s.basicHw?.packets ?? 0;
  if (hwBytes === 0 && hwPkts === 0) return;
  const swBytes = s.basic?.bytes ?? 0, swPkts = s.basic?.packets ?? 0;
  if (s.basic && swBytes >= hwBytes && swPkts >= hwPkts) {
    p.nl();
    p.text(prefix);
    p.uint("sw_bytes", "Sent software %s bytes", swBytes - hwBytes);
    p.uint("sw_packets", " %s pkt", swPkts - hwPkts);
  }
  p.nl();
  p.text(prefix);
  p.uint("hw_bytes", "Sent hardware %s bytes", hwBytes);
  p.uint("hw_packets", " %s pkt", hwPkts);
}
