/**
 * Packing a batch of messages into as few datagrams as the socket buffers
 * allow. An nfnetlink `NFNL_MSG_BATCH_BEGIN`..`END` group is one unit: the
 * kernel handles a batch only when it arrives whole in one datagram.
 *
 * @module
 */

import { NLM_F_ACK } from "../wire/constants.ts";
import { NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END } from "../wire/nfnetlink.ts";

/** Messages `[start, end)` sent as one datagram of `bytes`, with `acks` acknowledged messages. */
export interface DatagramPlan {
  /** First message index. */
  start: number;
  /** One past the last message index. */
  end: number;
  /** Datagram size. */
  bytes: number;
  /** Messages with `NLM_F_ACK` (each queues an ack in the receive buffer). */
  acks: number;
  /** Index of the batch group (`BEGIN`..`END`) the messages belong to, or -1. */
  group: number;
}

/** Whether `msg` asks for an acknowledgement. */
export function wantsAck(msg: Uint8Array): boolean {
  return ((msg[6] | (msg[7] << 8)) & NLM_F_ACK) !== 0;
}

function isNfnlMarker(msg: Uint8Array, type: number): boolean {
  return (msg[4] | (msg[5] << 8)) === type;
}

/**
 * Splits `messages` into datagrams of at most `maxBytes` and `maxAcks`
 * acknowledged messages. With `nfnetlink`, a `BEGIN`..`END` group stays in
 * one datagram even when it exceeds the limits (the caller raises the
 * socket buffers for it). Message lengths must be multiples of 4.
 */
export function planDatagrams(
  messages: readonly Uint8Array[],
  maxBytes: number,
  maxAcks: number,
  nfnetlink: boolean,
): DatagramPlan[] {
  const out: DatagramPlan[] = [];
  let cur: DatagramPlan | undefined;
  let groups = 0;
  for (let i = 0; i < messages.length;) {
    // One unit: a single message, or a whole BEGIN..END group.
    let end = i + 1;
    let group = -1;
    if (nfnetlink && isNfnlMarker(messages[i], NFNL_MSG_BATCH_BEGIN)) {
      while (end < messages.length && !isNfnlMarker(messages[end - 1], NFNL_MSG_BATCH_END)) end++;
      group = groups++;
    }
    let bytes = 0, acks = 0;
    for (let j = i; j < end; j++) {
      bytes += messages[j].length;
      if (wantsAck(messages[j])) acks++;
    }
    const fits = cur && cur.group === -1 && group === -1 && cur.bytes + bytes <= maxBytes &&
      cur.acks + acks <= maxAcks;
    if (fits) {
      cur!.end = end;
      cur!.bytes += bytes;
      cur!.acks += acks;
    } else {
      cur = { start: i, end, bytes, acks, group };
      out.push(cur);
    }
    i = end;
  }
  return out;
}
