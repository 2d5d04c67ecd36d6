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
import { onStopSignals } from "./io.ts";
import { writeNdjson } from "./output.ts";
import { ipSummary, ipText, metaJson, metaText, parsePktioArgs } from "./pktio_text.ts";
import { openLog } from "../netfilter/log/log.ts";
import { PacketPcapWriter } from "../pcap/packets.ts";

/** Handles `nlkit log ...`. */
export async function logHandler(ctx: Context, args: Args): Promise<number | void> {
  const a = parsePktioArgs(args, "log group", []);
  const stop = new AbortController();
  const unlisten = onStopSignals(() => stop.abort());
  const pcap = a.write === undefined ? undefined : PacketPcapWriter.open(a.write, "nflog");
  try {
    // Threshold 1: each packet is sent at once, as tcpdump -i nflog asks for.
    await using g = await openLog(a.num, {
      netns: ctx.lib.netns,
      threshold: 1,
      signal: stop.signal,
      interfaceNames: true,
    });
    let seen = 0;
    for await (const item of g) {
      if (item.kind === "overrun") {
        ctx.err.line("Warning: logged packets were lost (receive buffer overrun)");
        ctx.err.flush();
        continue;
      }
      if (pcap) pcap.write(item);
      else if (ctx.opts.json) {
        const o: Record<string, unknown> = { group: item.group };
        if (item.prefix !== undefined) o.prefix = item.prefix;
        if (item.seq !== undefined) o.seq = item.seq;
        writeNdjson(ctx.out, { ...o, ...metaJson(item) });
      } else {
        const prefix = item.prefix ? `"${item.prefix}" ` : "";
        ctx.out.line(`${prefix}${metaText(item)}: ${ipText(ipSummary(item.payload), item.hwProtocol)}`);
        ctx.out.flush();
      }
      if (a.count !== undefined && ++seen >= a.count) break;
    }
  } finally {
    unlisten();
    pcap?.close();
  }
}
