/**
 * The read loop `nlkit queue` and `nlkit log` share: packets go to the
 * `-w` pcap file, or are printed (a line, or NDJSON with `-j`); lost
 * packets are a warning on stderr; the loop ends after `-c N` packets or
 * on SIGINT/SIGTERM.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { onStopSignals } from "./io.ts";
import { writeNdjson } from "./output.ts";
import type { PktioArgs } from "./pktio_text.ts";
import { type NfPacket, PacketPcapWriter } from "../pcap/packets.ts";

/** A queue's or a log group's stream: packets, and the signal that some were lost. */
export type PktioStream = AsyncIterable<NfPacket | { kind: "overrun" }> & AsyncDisposable;

/** The items of stream `S`. */
type ItemOf<S> = S extends AsyncIterable<infer T> ? T : never;

/** What one command does with its stream's items. */
export interface PktioHandlers<S extends PktioStream> {
  /** The warning printed where packets were lost. */
  overrun(o: Extract<ItemOf<S>, { kind: "overrun" }>): string;
  /** Runs on each packet before it is written or printed (the queue's verdict). */
  each?(p: Extract<ItemOf<S>, NfPacket>, stream: S): Promise<void>;
  /** The packet's NDJSON object (`-j`). */
  json(p: Extract<ItemOf<S>, NfPacket>): Record<string, unknown>;
  /** The packet's line. */
  text(p: Extract<ItemOf<S>, NfPacket>): string;
}

/** Opens the stream with the stop signal, then reads it as {@link PktioHandlers} say until done. */
export async function runPktio<S extends PktioStream>(
  ctx: Context,
  a: PktioArgs,
  open: (signal: AbortSignal) => Promise<S>,
  on: PktioHandlers<S>,
): Promise<void> {
  const stop = new AbortController();
  const unlisten = onStopSignals(() => stop.abort());
  const pcap = a.write === undefined ? undefined : PacketPcapWriter.open(a.write, "nflog");
  try {
    await using s = await open(stop.signal);
    let seen = 0;
    for await (const item of s as AsyncIterable<ItemOf<S>>) {
      if (item.kind === "overrun") {
        ctx.err.line(on.overrun(item as Extract<ItemOf<S>, { kind: "overrun" }>));
        ctx.err.flush();
        continue;
      }
      const p = item as Extract<ItemOf<S>, NfPacket>;
      await on.each?.(p, s);
      if (pcap) pcap.write(p);
      else if (ctx.opts.json) writeNdjson(ctx.out, on.json(p));
      else {
        ctx.out.line(on.text(p));
        ctx.out.flush();
      }
      if (a.count !== undefined && ++seen >= a.count) break;
    }
  } finally {
    unlisten();
    pcap?.close();
  }
}
