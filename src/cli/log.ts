/**
 * `nlkit [-j] log GROUP [-c N] [-w FILE]`: binds NFLOG group GROUP and prints
 * each logged packet (one line, or NDJSON with `-j`), like
 * `tcpdump -i nflog:GROUP`. With `-w` the packets go to a pcap file
 * (LINKTYPE_NFLOG, `-` for stdout) instead. Ends after `-c N` packets or on
 * SIGINT/SIGTERM.
 *
 * @module
 */

import type { Args } from "./args.ts";
import type { Context } from "./context.ts";
import { ipSummary, ipText, metaJson, metaText, parsePktioArgs } from "./pktio_text.ts";
import { runPktio } from "./pktio_run.ts";
import { openLog } from "../netfilter/log/log.ts";

/** Handles `nlkit log ...`. */
export async function logHandler(ctx: Context, args: Args): Promise<number | void> {
  const a = parsePktioArgs(args, "log group", []);
  // Threshold 1: each packet is sent at once, as tcpdump -i nflog asks for.
  const open = (signal: AbortSignal) =>
    openLog(a.num, { netns: ctx.lib.netns, threshold: 1, signal, interfaceNames: true });
  await runPktio(ctx, a, open, {
    overrun: () => "Warning: logged packets were lost (receive buffer overrun)",
    json(item): Record<string, unknown> {
      const o: Record<string, unknown> = { group: item.group };
      if (item.prefix !== undefined) o.prefix = item.prefix;
      if (item.seq !== undefined) o.seq = item.seq;
      return { ...o, ...metaJson(item) };
    },
    text(item): string {
      const prefix = item.prefix ? `"${item.prefix}" ` : "";
      return `${prefix}${metaText(item)}: ${ipText(ipSummary(item.payload), item.hwProtocol)}`;
    },
  });
}
