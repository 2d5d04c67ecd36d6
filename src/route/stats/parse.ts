/**
 * Parses `RTM_NEWSTATS` messages: which link, and the offload
 * hardware-statistics info (`l3_stats` requested, used) they report.
 *
 * @module
 */

import { MalformedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { parseAttrs, parseStruct, structSize } from "../../wire/table.ts";
import { IF_STATS_MSG, IFLA_STATS_ATTRS } from "./table.ts";

/** One kind of hardware statistics: asked for, and whether hardware counts it. */
export interface HwStatsInfo {
  /** The statistics were requested (`ip stats set ... l3_stats on`). */
  request?: boolean;
  /** The hardware is counting them. */
  used?: boolean;
}

/** A link statistics message. */
export interface LinkStats {
  /** The link's index. */
  ifindex: number;
  /** `IFLA_OFFLOAD_XSTATS_HW_S_INFO`, when the message carries it. */
  hwStatsInfo?: {
    /** `IFLA_OFFLOAD_XSTATS_L3_STATS`. */
    l3Stats?: HwStatsInfo;
  };
}

const HEADER = structSize(IF_STATS_MSG);

/** Parses an `RTM_NEWSTATS` message; throws {@link MalformedError} on bytes that are not one. */
export function parseStatsMessage(m: NlMsg): LinkStats {
  const off = payloadOf(m);
  if (m.end - off < HEADER) {
    throw new MalformedError(`Stats message of ${m.end - off} bytes is shorter than its header`, off);
  }
  const h = parseStruct(IF_STATS_MSG, m.view, off, m.end);
  const a = parseAttrs(IFLA_STATS_ATTRS, m.buf, m.view, off + HEADER, m.end);
  const out: LinkStats = { ifindex: h.ifindex };
  const hw = a.offloadXstats?.hwSInfo;
  if (hw) {
    out.hwStatsInfo = {};
    const l3 = hw.l3Stats;
    if (l3) {
      const info: HwStatsInfo = {};
      if (l3.request !== undefined) info.request = l3.request !== 0;
      if (l3.used !== undefined) info.used = l3.used !== 0;
      out.hwStatsInfo.l3Stats = info;
    }
  }
  return out;
}
