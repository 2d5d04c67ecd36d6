/**
 * `nlkit [-j] queue NUM [--verdict accept|drop] [--mark M] [-c N] [-w FILE]`:
 * binds NFQUEUE number NUM, prints each packet (one line, or NDJSON with
 * `-j`) and gives it the verdict. With `-w` the packets go to a pcap file
 * (LINKTYPE_NFLOG, `-` for stdout) instead of being printed, as tcpdump does.
 * Ends after `-c N` packets or on SIGINT/SIGTERM.
 *
 * @module
 */

import { type Args, toInt, unknownWord } from "./args.ts";
import type { Context } from "./context.ts";
import { onStopSignals } from "./io.ts";
import { writeNdjson } from "./output.ts";
import { ipSummary, ipText, metaJson, metaText, parsePktioArgs } from "./pktio_text.ts";
import { openQueue } from "../netfilter/queue/queue.ts";
import type { Verdict } from "../netfilter/queue/codec.ts";
import { PacketPcapWriter } from "../pcap/packets.ts";

const VERDICTS = ["accept", "drop"];

/** Handles `nlkit queue ...`. */
export async function queueHandler(ctx: Context, args: Args): Promise<number | void> {
  const a = parsePktioArgs(args, "queue", ["--verdict", "--mark"]);
  const verdictWord = a.extra.get("--verdict") ?? "accept";
  if (!VERDICTS.includes(verdictWord)) throw unknownWord("verdict", verdictWord, VERDICTS);
  const verdict = verdictWord as Verdict;
  const markText = a.extra.get("--mark");
  const mark = markText === undefined ? undefined : toInt(markText, "mark");
  const stop = new AbortController();
  const unlisten = onStopSignals(() => stop.abort());
  const pcap = a.write === undefined ? undefined : PacketPcapWriter.open(a.write, "nflog");
  try {
    await using q = await openQueue(a.num, { netns: ctx.lib.netns, signal: stop.signal, interfaceNames: true });
    let seen = 0;
    for await (const item of q) {
      if (item.kind === "overrun") {
        const s = item.stats;
        ctx.err.line(
          `Warning: packets were lost (dropped ${s?.dropped ?? "?"}, user dropped ${s?.userDropped ?? "?"})`,
        );
        ctx.err.flush();
        continue;
      }
      await q.verdict(item, verdict, mark === undefined ? {} : { mark });
      if (pcap) pcap.write(item);
      else if (ctx.opts.json) {
        writeNdjson(ctx.out, { queue: item.queue, id: item.id, ...metaJson(item), verdict: verdictWord });
      } else {
        ctx.out.line(
          `${item.id} ${metaText(item)}: ${ipText(ipSummary(item.payload), item.hwProtocol)} ${verdictWord}`,
        );
        ctx.out.flush();
      }
      if (a.count !== undefined && ++seen >= a.count) break;
    }
  } finally {
    unlisten();
    pcap?.close();
  }
}
