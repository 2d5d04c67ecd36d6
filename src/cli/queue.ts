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
import { ipSummary, ipText, metaJson, metaText, parsePktioArgs } from "./pktio_text.ts";
import { runPktio } from "./pktio_run.ts";
import { openQueue } from "../netfilter/queue/queue.ts";
import type { Verdict } from "../netfilter/queue/codec.ts";

const VERDICTS = ["accept", "drop"];

/** Handles `nlkit queue ...`. */
export async function queueHandler(ctx: Context, args: Args): Promise<number | void> {
  const a = parsePktioArgs(args, "queue", ["--verdict", "--mark"]);
  const verdictWord = a.extra.get("--verdict") ?? "accept";
  if (!VERDICTS.includes(verdictWord)) throw unknownWord("verdict", verdictWord, VERDICTS);
  const verdict = verdictWord as Verdict;
  const markText = a.extra.get("--mark");
  const mark = markText === undefined ? undefined : toInt(markText, "mark");
  const open = (signal: AbortSignal) => openQueue(a.num, { netns: ctx.lib.netns, signal, interfaceNames: true });
  await runPktio(ctx, a, open, {
    overrun: ({ stats: s }) =>
      `Warning: packets were lost (dropped ${s?.dropped ?? "?"}, user dropped ${s?.userDropped ?? "?"})`,
    each: (item, q) => q.verdict(item, verdict, mark === undefined ? {} : { mark }),
    json: (item) => ({ queue: item.queue, id: item.id, ...metaJson(item), verdict: verdictWord }),
    text: (item) => `${item.id} ${metaText(item)}: ${ipText(ipSummary(item.payload), item.hwProtocol)} ${verdictWord}`,
  });
}
