/**
 * Sending a batch of pre-built messages in as few datagrams as the socket
 * buffers allow (see `batch.ts` for the packing), and collecting the ack or
 * refusal of each.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { NETLINK_NETFILTER, NLMSG_HDRLEN } from "../wire/constants.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { planDatagrams, wantsAck } from "./batch.ts";
import { bufferSize, setBuffer, SO_RCVBUF, SO_SNDBUF } from "./buffers.ts";
import { newConsumer } from "./consumer.ts";
import type { SocketCore } from "./core.ts";
import { BatchError, type BatchFailure } from "./errors.ts";
import type { RequestOptions } from "./options.ts";
import { receiveOne } from "./receive.ts";
import { deadlineOf, until } from "./wait.ts";

/** Receive-buffer bytes one queued ack may take (skb truesize, with room for an ext-ack). */
const ACK_COST = 1024;
/** Send-buffer bytes the kernel keeps for itself. */
const SEND_OVERHEAD = 32;

/** Sends `messages` (checked options) and waits for their acks; a {@link BatchError} lists the refused ones. */
export async function requestBatch(
  s: SocketCore,
  messages: readonly Uint8Array[],
  options: RequestOptions,
): Promise<void> {
  for (const [i, m] of messages.entries()) {
    if (!(m instanceof Uint8Array) || m.length < NLMSG_HDRLEN || m.length % 4) {
      throw new InvalidArgumentError(`Invalid batch message ${i}: must be a finished netlink message`);
    }
  }
  if (messages.length === 0) return;
  s.checkOpen();
  const deadline = deadlineOf(options);
  const turn = s.acquire(options.signal);
  if (turn) await turn;
  const entries = messages.map((m) => {
    const c = newConsumer(m, undefined);
    c.silent = !wantsAck(m);
    return c;
  });
  try {
    const nfnl = s.protocol === NETLINK_NETFILTER;
    const room = sendRoom(s, s.checkOpen());
    const plans = planDatagrams(messages, room, Math.floor(bufferSize(s.sys, s.fd, SO_RCVBUF) / ACK_COST), nfnl);
    for (const plan of plans) {
      const fd = s.checkOpen();
      fitBuffers(s, fd, plan.bytes, plan.acks);
      const dgram = new Uint8Array(plan.bytes);
      let off = 0;
      for (let i = plan.start; i < plan.end; i++) {
        const c = entries[i];
        s.register(c);
        dgram.set(c.request, off);
        off += c.request.length;
      }
      s.transmit(fd, dgram);
      // The kernel answered inside sendto: read the acks before the next datagram adds more.
      while (receiveOne(s));
    }
    for (const p of plans) {
      const part = entries.slice(p.start, p.end);
      // A refused nfnetlink batch is aborted whole: its other messages get no ack.
      if (p.group !== -1 && part.some((c) => c.error)) continue;
      for (const c of part) if (!c.silent && !c.done) await until(s, c, () => c.done, options, deadline);
    }
  } finally {
    for (const c of entries) s.forget(c);
    s.turns.release();
  }
  const failures: BatchFailure[] = [];
  for (const [index, c] of entries.entries()) {
    if (c.error instanceof NetlinkError) failures.push({ index, error: c.error });
    else if (c.error) throw c.error; // a timeout, an abort, a closed socket
  }
  if (failures.length) throw new BatchError(failures);
}

/** Bytes one datagram may take in the send buffer. */
function sendRoom(s: SocketCore, fd: number): number {
  return bufferSize(s.sys, fd, SO_SNDBUF) - SEND_OVERHEAD;
}

/** Raises the socket buffers so one datagram of `bytes` with `acks` acks fits both ways. */
function fitBuffers(s: SocketCore, fd: number, bytes: number, acks: number): void {
  if (bytes > sendRoom(s, fd)) setBuffer(s.sys, fd, SO_SNDBUF, bytes + SEND_OVERHEAD);
  if (acks * ACK_COST > bufferSize(s.sys, fd, SO_RCVBUF)) setBuffer(s.sys, fd, SO_RCVBUF, acks * ACK_COST);
  const room = sendRoom(s, fd);
  if (bytes > room) {
    throw new InvalidArgumentError(`Cannot send a ${bytes}-byte batch: the send buffer holds ${room} bytes`);
  }
}
