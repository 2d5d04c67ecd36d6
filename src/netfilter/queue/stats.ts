/**
 * NFQUEUE statistics: `/proc/net/netfilter/nfnetlink_queue`, read inside
 * the queue's namespace.
 *
 * @module
 */

import { type NetnsTarget, withNetns } from "../../netns/netns.ts";
import { loadSys } from "../../sys/load.ts";
import { COPY_MODES } from "../packet.ts";

/** One bound queue, as the kernel counts it. */
export interface QueueStats {
  /** Queue number. */
  queue: number;
  /** Port id of the socket bound to it. */
  portId: number;
  /** Packets waiting for a verdict now. */
  waiting: number;
  /** Copy mode name (`none`, `meta`, `packet`). */
  copyMode: string;
  /** Copy range in bytes. */
  copyRange: number;
  /** Packets dropped because the queue was full (`queue_dropped`). */
  dropped: number;
  /** Packets dropped because they could not be sent to the socket (`queue_user_dropped`). */
  userDropped: number;
  /** Id of the last packet queued (`id_sequence`). */
  idSequence: number;
}

const PROC = "/proc/thread-self/net/netfilter/nfnetlink_queue";
const MODE_NAMES = Object.fromEntries(Object.entries(COPY_MODES).map(([k, v]) => [v, k]));

/** Parses the text of `/proc/net/netfilter/nfnetlink_queue`. */
export function parseQueueStats(text: string): QueueStats[] {
  const out: QueueStats[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/).map(Number);
    if (f.length < 8 || f.slice(0, 8).some((n) => !Number.isInteger(n))) continue;
    out.push({
      queue: f[0],
      portId: f[1],
      waiting: f[2],
      copyMode: MODE_NAMES[f[3]] ?? String(f[3]),
      copyRange: f[4],
      dropped: f[5],
      userDropped: f[6],
      idSequence: f[7],
    });
  }
  return out;
}

/** Reads every bound queue of a namespace (the caller's by default); empty when none is bound. */
export async function readQueueStats(netns?: NetnsTarget): Promise<QueueStats[]> {
  const { readFileSync } = await import("node:fs"); // loaded on use: node:fs costs Deno ~100 ms at import
  const read = () => {
    try {
      return readFileSync(PROC, "utf8");
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return ""; // nfnetlink_queue not loaded yet
      throw e;
    }
  };
  return parseQueueStats(netns === undefined ? read() : withNetns(await loadSys(), netns, read));
}
