/**
 * `nlkit [-j] nft monitor`: ruleset changes as they commit, like
 * `nft monitor` (one JSON object per line with `-j`; nft's text lines
 * otherwise), with `# new generation N` after each batch.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { onStopSignals } from "./io.ts";
import { subscribeNftables } from "../netfilter/nftables/events.ts";
import { interfaceNames } from "../netfilter/nftables/ifnames.ts";
import { listRuleset } from "../netfilter/nftables/list.ts";
import { MonitorJson } from "../netfilter/nftables/json/event_json.ts";
import { nftJsonText } from "../netfilter/nftables/json/serialize.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";
import { elemText, stmtText } from "../netfilter/nftables/text/stmt_text.ts";

/** nft's monitor text of one event's JSON (`add rule inet t c handle 4 accept`). */
export function monitorText(ev: Json): string {
  const [type] = Object.keys(ev as object);
  const body = (ev as Record<string, Record<string, Record<string, Json>>>)[type];
  const [kind] = Object.keys(body);
  const o = body[kind];
  switch (kind) {
    case "table":
      return `${type} table ${o.family} ${o.name}`;
    case "chain":
      return `${type} chain ${o.family} ${o.table} ${o.name}`;
    case "rule":
      return `${type} rule ${o.family} ${o.table} ${o.chain} handle ${o.handle} ${
        (o.expr as Json[]).map(stmtText).join(" ")
      }`;
    case "element": {
      const elems = ((o.elem as Record<string, Json>).set as Json[]).map((e) => elemText(e)).join(", ");
      return `${type} element ${o.family} ${o.table} ${o.name} { ${elems} }`;
    }
  }
  return `${type} ${kind} ${o.family} ${o.table} ${o.name}`;
}

/** Runs `nft monitor` until interrupted. */
export async function nftMonitor(ctx: Context, args: Args, json: boolean): Promise<number> {
  const w = args.next();
  if (w !== undefined) throw new UsageError(`Cannot filter nft monitor by "${w}": nlkit shows every change`, w);
  const ac = new AbortController();
  const stop = onStopSignals(() => ac.abort());
  const sub = await subscribeNftables({ signal: ac.signal }, ctx.lib);
  try {
    // Rules of later events may use sets that already exist: know them first.
    const { sets } = await listRuleset({}, ctx.lib);
    const render = new MonitorJson(await interfaceNames(ctx.lib), sets);
    for await (const ev of sub) {
      if (ev.type === "overrun") {
        ctx.err.line("Warning: events were lost (receive buffer overrun); list the ruleset again");
      } else if (ev.type === "generation") {
        if (!json) ctx.out.line(`# new generation ${ev.generation} by process ${ev.pid ?? "?"} (${ev.process ?? "?"})`);
      } else {
        const out = render.event(ev);
        if (out !== undefined) ctx.out.line(json ? nftJsonText(out) : monitorText(out));
      }
      ctx.out.flush();
    }
  } finally {
    stop();
    await sub.return();
  }
  return 0;
}
