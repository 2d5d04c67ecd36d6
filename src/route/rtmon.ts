/**
 * The rtmon dump format (`rtmon file FILE`, read back by `ip monitor file
 * FILE`): rtnetlink messages written one after another as the kernel sent
 * them, each padded to 4 bytes, with `NLMSG_TSTAMP` (type 15) records of
 * `{ u32 sec, u32 usec }` before each live event. Pure codec: give it the
 * file's bytes.
 *
 * @example
 * ```ts ignore
 * import { readRtmon } from "./rtmon.ts";
 * for (const rec of readRtmon(Deno.readFileSync("/tmp/rtmon.log"))) console.log(rec);
 * ```
 *
 * @module
 */

import { NLMSG_HDRLEN } from "../wire/constants.ts";
import { TruncatedError } from "../wire/errors.ts";
import { forEachMessage } from "../wire/message.ts";
import { type MonitorEvent, parseMonitorEvent } from "./monitor_events.ts";

/** `NLMSG_TSTAMP`: iproute2's own record type for the time of the next message. */
export const NLMSG_TSTAMP = 15;

/** A time record of the dump. */
export interface RtmonTimestamp {
  /** Discriminant. */
  type: "timestamp";
  /** Seconds since the epoch. */
  sec: number;
  /** Microseconds. */
  usec: number;
}

/** A message of a type nlkit does not decode (kept so nothing is dropped silently). */
export interface RtmonOther {
  /** Discriminant. */
  type: "other";
  /** `nlmsg_type`. */
  messageType: number;
}

/** One record of an rtmon dump. */
export type RtmonRecord = Exclude<MonitorEvent, { type: "overrun" }> | RtmonTimestamp | RtmonOther;

/**
 * Decodes an rtmon dump. A cut-off last message or a bad length throws
 * `TruncatedError`/`MalformedError`, as ip stops with "truncated message".
 */
export function readRtmon(bytes: Uint8Array): RtmonRecord[] {
  const out: RtmonRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  forEachMessage(bytes, view, 0, bytes.length, (m) => {
    if (m.type === NLMSG_TSTAMP) {
      const p = m.start + NLMSG_HDRLEN;
      if (m.end - p < 8) throw new TruncatedError("rtmon timestamp", p, 8, m.end - p);
      out.push({ type: "timestamp", sec: view.getUint32(p, true), usec: view.getUint32(p + 4, true) });
      return;
    }
    const ev = parseMonitorEvent(m);
    out.push(ev && ev.type !== "overrun" ? ev : { type: "other", messageType: m.type });
  });
  return out;
}
