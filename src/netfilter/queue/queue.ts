/**
 * An NFQUEUE consumer: binds a queue number in a namespace, yields each
 * queued packet, and sends verdicts. A slow consumer is told when the
 * kernel dropped packets, never left to stall silently.
 *
 * @example
 * ```ts ignore
 * import { openQueue } from "./queue.ts";
 * await using q = await openQueue(3, { netns: "lab", flags: ["conntrack"] });
 * for await (const item of q) {
 *   if (item.kind === "overrun") console.error("lost packets", item.stats);
 *   else await q.verdict(item, "accept", { mark: 7 });
 * }
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import type { NetnsTarget } from "../../netns/netns.ts";
import type { NetlinkCapture } from "../../socket/capture.ts";
import type { NetlinkError } from "../../wire/netlink_error.ts";
import { NFNL_SUBSYS_QUEUE, nfnlDescriber } from "../../wire/nfnetlink.ts";
import { checkReceiveBuffer, checkU16 } from "../packet.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { InterfaceNames } from "../ifnames.ts";
import { openPacketSocket, PacketStream } from "../packet_stream.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import {
  buildBatchVerdict,
  buildQueueConfig,
  buildVerdict,
  type QueueConfig,
  type Verdict,
  VERDICT_KEYS,
  verdictNumber,
  type VerdictOptions,
  VerdictTemplate,
} from "./codec.ts";
import { parseQueueMessage, type QueuePacket } from "./packet.ts";
import { type QueueStats, readQueueStats } from "./stats.ts";
import { NFQNL_MSG } from "./tables.ts";

/** Options of {@link openQueue}: the queue's configuration plus where and how to listen. */
export interface OpenQueueOptions extends QueueConfig {
  /** Bind the queue inside this network namespace. */
  netns?: NetnsTarget;
  /** Kernel receive buffer in bytes (`SO_RCVBUFFORCE`): how many packets may wait in the socket. */
  receiveBuffer?: number;
  /**
   * Send verdicts with `NLM_F_ACK` and wait for the kernel's answer, so a
   * refused verdict rejects with a `NetlinkError`. Default false: verdicts
   * are sent and not confirmed (as libnetfilter_queue does), which is faster.
   */
  ackVerdicts?: boolean;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /** Sees every datagram of this queue's socket (falls back to the global netlink capture). */
  capture?: NetlinkCapture;
  /** Fill in the packets' interface names (`indevName`, ...) from link dumps of the namespace. Default false. */
  interfaceNames?: boolean;
}

/**
 * The kernel dropped packets for this queue: the socket's receive buffer
 * overflowed (ENOBUFS), or the queue hit its max length. `stats` holds
 * the queue's counters read at that moment (when readable).
 */
export interface QueueOverrun {
  /** Discriminates the signal from a packet. */
  kind: "overrun";
  /** The queue's `/proc/net/netfilter/nfnetlink_queue` line, with its drop counters. */
  stats?: QueueStats;
}

/** One item of a {@link NfQueue} stream. */
export type QueueItem = QueuePacket | QueueOverrun;

const OPEN_KEYS = [
  "copyMode",
  "copyRange",
  "maxLen",
  "flags",
  "netns",
  "receiveBuffer",
  "ackVerdicts",
  "signal",
  "capture",
  "interfaceNames",
];

const describeQueue = nfnlDescriber(NFNL_SUBSYS_QUEUE, NFQNL_MSG);

/** A bound queue: an async iterator of {@link QueueItem}s, with verdicts. */
export class NfQueue extends PacketStream<QueuePacket, QueueOverrun> {
  /** The queue number. */
  readonly queue: number;
  #netns: NetnsTarget | undefined;
  #ack: boolean;
  #conntrack: boolean;
  #lastDrops = 0;
  #single: VerdictTemplate;
  #batch: VerdictTemplate;

  private constructor(queue: number, socket: NetlinkSocket, opts: OpenQueueOptions) {
    super(
      socket,
      (m) => {
        const p = parseQueueMessage(m);
        return p?.queue === queue ? p : undefined;
      },
      opts.signal,
      opts.interfaceNames ? new InterfaceNames(opts.netns) : undefined,
    );
    this.queue = queue;
    this.#netns = opts.netns;
    this.#ack = opts.ackVerdicts ?? false;
    this.#conntrack = opts.flags?.includes("conntrack") ?? false;
    this.#single = new VerdictTemplate(queue, false);
    this.#batch = new VerdictTemplate(queue, true);
  }

  /** Opens a socket, binds `queue` and configures it. Bad options throw before anything is opened. */
  static async open(queue: number, opts: OpenQueueOptions = {}): Promise<NfQueue> {
    checkU16(queue, "queue number");
    checkKeys(opts, OPEN_KEYS, "queue options");
    const { copyMode, copyRange, maxLen, flags } = opts;
    const bind = buildQueueConfig(queue, { copyMode, copyRange, maxLen, flags }, "bind");
    checkReceiveBuffer(opts.receiveBuffer);
    const socket = await openPacketSocket({
      netns: opts.netns,
      receiveBuffer: opts.receiveBuffer,
      capture: opts.capture,
      describe: describeQueue,
    });
    const q = new NfQueue(queue, socket, opts);
    await q.bind(bind);
    return q;
  }

  /** The overrun signal, with the queue's counters. */
  protected override async onOverrun(): Promise<QueueOverrun> {
    return { kind: "overrun", stats: await this.stats() };
  }

  /** Changes the queue's configuration (copy mode, range, max length, flags). */
  async configure(cfg: QueueConfig): Promise<void> {
    await this.socket.request(buildQueueConfig(this.queue, cfg, "none"));
    this.#conntrack = cfg.flags?.includes("conntrack") ?? false;
  }

  /** Sends the verdict for one packet (or packet id), with an optional new mark, conntrack mark or payload. */
  verdict(packet: QueuePacket | number, verdict: Verdict, opts?: VerdictOptions): Promise<void> {
    const id = typeof packet === "number" ? packet : packet.id;
    const plain = this.#plain(this.#single, id, verdict, opts);
    if (plain) return this.#send(plain);
    // Without the flag the kernel has no conntrack glue for this queue and would skip the change silently.
    if (opts?.ctMark !== undefined && !this.#conntrack) {
      throw new InvalidArgumentError("Cannot set a conntrack mark: open the queue with the conntrack flag");
    }
    return this.#send(buildVerdict(this.queue, id, verdict, opts));
  }

  /** Sends one verdict (and mark) for every packet up to and including `upTo` (`NFQNL_MSG_VERDICT_BATCH`). */
  batchVerdict(upTo: QueuePacket | number, verdict: Verdict, opts?: VerdictOptions): Promise<void> {
    const id = typeof upTo === "number" ? upTo : upTo.id;
    // A payload or conntrack mark is per packet: buildBatchVerdict refuses it.
    return this.#send(this.#plain(this.#batch, id, verdict, opts) ?? buildBatchVerdict(this.queue, id, verdict, opts));
  }

  /** The message from template `t` when `opts` changes at most the mark, else undefined. */
  #plain(t: VerdictTemplate, id: number, verdict: Verdict, opts: VerdictOptions | undefined): Uint8Array | undefined {
    if (opts === undefined) return t.encode(id, verdictNumber(verdict));
    checkKeys(opts, VERDICT_KEYS, "verdict options");
    if (opts.payload !== undefined || opts.ctMark !== undefined) return undefined;
    return t.encode(id, verdictNumber(verdict), opts.mark);
  }

  /** Verdicts sent without `ackVerdicts` that the kernel refused (an unknown packet id, ...). */
  get refusedVerdicts(): number {
    return this.socket.strayRefusals;
  }

  /** The last verdict the kernel refused, if any. */
  get lastRefusedVerdict(): NetlinkError | undefined {
    return this.socket.lastStrayRefusal;
  }

  #send(msg: Uint8Array): Promise<void> {
    // A request stays referenced while in flight: never hand it a template that the next verdict rewrites.
    if (this.#ack) return this.socket.request(msg.slice()).then(() => {});
    try {
      this.socket.send(msg);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The queue's line of `/proc/net/netfilter/nfnetlink_queue` in its namespace, or undefined if absent. */
  async stats(): Promise<QueueStats | undefined> {
    const all = await readQueueStats(this.#netns);
    return all.find((s) => s.queue === this.queue && s.portId === this.socket.portId);
  }

  /**
   * Packets the kernel dropped for this queue since the last call
   * (`queue_dropped` plus `queue_user_dropped`): poll it to notice drops
   * that happen while no overrun reached the socket (queue full).
   */
  async newDrops(): Promise<number> {
    const s = await this.stats();
    if (!s) return 0;
    const total = s.dropped + s.userDropped;
    const delta = total - this.#lastDrops;
    this.#lastDrops = total;
    return delta;
  }
}

/** Binds NFQUEUE number `queue` (0..65535) and returns its consumer. */
export function openQueue(queue: number, opts: OpenQueueOptions = {}): Promise<NfQueue> {
  return NfQueue.open(queue, opts);
}
