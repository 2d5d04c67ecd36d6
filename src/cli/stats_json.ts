/**
 * The error counters `ip -j -s -s` adds to a link's `stats64` object.
 *
 * @module
 */

import type { Link } from "../route/link/api.ts";

/** Adds `-s -s`'s error counters to the `stats64` of `json` (one `ip -j` link or address object) in place. */
export function addErrorStats(json: Record<string, unknown>, l: Link): void {
  const stats = json.stats64 as { rx?: Record<string, number>; tx?: Record<string, number> } | undefined;
  const s = l.stats64;
  if (!stats?.rx || !stats.tx || !s) return;
  Object.assign(stats.rx, {
    length_errors: s.rxLengthErrors,
    crc_errors: s.rxCrcErrors,
    frame_errors: s.rxFrameErrors,
    fifo_errors: s.rxFifoErrors,
    missed_errors: s.rxMissedErrors,
  });
  if (s.rxNohandler) stats.rx.nohandler = s.rxNohandler;
  if (s.rxOtherhostDropped) stats.rx.otherhost = s.rxOtherhostDropped;
  Object.assign(stats.tx, {
    aborted_errors: s.txAbortedErrors,
    fifo_errors: s.txFifoErrors,
    window_errors: s.txWindowErrors,
    heartbeat_errors: s.txHeartbeatErrors,
    carrier_changes: l.carrierChanges ?? 0,
  });
}
