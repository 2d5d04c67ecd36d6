/**
 * The typed queued packet and its parser: one `NFQNL_MSG_PACKET` message
 * becomes a {@link QueuePacket}.
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import { NFNL_SUBSYS_QUEUE, nfnlType } from "../../wire/nfnetlink.ts";
import { type ConntrackExpect, expectOf } from "../conntrack/expect.ts";
import { copySharedFields, type NetfilterPacket, readPacket } from "../packet.ts";
import { NFQA_TABLE, NFQNL_MSG } from "./tables.ts";

/** One packet handed to userspace, waiting for a verdict. */
export interface QueuePacket extends NetfilterPacket {
  /** The queue number it came from. */
  queue: number;
  /** Packet id: the verdict names it. */
  id: number;
  /** Length of the whole packet, sent when the payload was cut short. */
  capLen?: number;
  /** The expectation the connection was created from. */
  expect?: ConntrackExpect;
  /** skb details (`gso`, `csum-not-ready`, `csum-not-verified`). */
  skbInfo?: string[];
  /** Security context, when asked for. */
  secctx?: string;
  /** skb priority. */
  priority?: number;
}

const PACKET_TYPE = nfnlType(NFNL_SUBSYS_QUEUE, NFQNL_MSG.NFQNL_MSG_PACKET);

/** Parses one `NFQNL_MSG_PACKET`; returns `undefined` for other messages. */
export function parseQueueMessage(m: NlMsg): QueuePacket | undefined {
  if (m.type !== PACKET_TYPE) return undefined;
  const { family, resId, a, head } = readPacket(m, NFQA_TABLE, "Queued packet");
  const p = head as QueuePacket;
  p.queue = resId;
  p.id = a.packetHdr!.packetId;
  copySharedFields(p, a);
  if (a.capLen !== undefined) p.capLen = a.capLen;
  if (a.exp !== undefined) p.expect = expectOf(a.exp, family);
  if (a.skbInfo !== undefined) p.skbInfo = a.skbInfo;
  if (a.secctx !== undefined) p.secctx = a.secctx;
  if (a.priority !== undefined) p.priority = a.priority;
  if (a.unknown) p.unknown = a.unknown;
  return p;
}
