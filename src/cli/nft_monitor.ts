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
import { objectLines, priorityText, setLines } from "../netfilter/nftables/text/ruleset_text.ts";

/** nft's monitor text of one event's JSON (`add rule inet t c accept`); `position`: a rule event's `NFTA_RULE_POSITION`. */
export function monitorText(ev: Json, position?: number): string {
  const [type] = Object.keys(ev as object);
  const body = (ev as Record<string, Record<string, Record<string, Json>>>)[type];
  const [kind] = Object.keys(body);
  const o = body[kind];
  const head = `${type} ${kind} ${o.family} ${o.table} ${o.name}`;
  switch (kind) {
    case "table":
      return `${type} table ${o.family} ${o.name}`;
    case "chain": {
      if (type !== "add" || o.hook === undefined) return head;
      const dev = o.dev !== undefined ? ` device ${JSON.stringify(o.dev)}` : "";
      const prio = priorityText(String(o.family), String(o.hook), o.prio as number);
      return `${head} { type ${o.type} hook ${o.hook}${dev} priority ${prio}; policy ${o.policy}; }`;
    }
    case "rule": {
      const where = `${type} rule ${o.family} ${o.table} ${o.chain}`;
      // nft names a deleted rule by its handle alone, and prints an added one without it.
      if (type === "delete") return `${where} handle ${o.handle}`;
      const comment = o.comment !== undefined ? ` comment ${JSON.stringify(o.comment)}` : "";
      // A replaced rule's event carries its predecessor, which nft prints as a handle.
      const at = position !== undefined ? `handle ${position} ` : "";
      return `${where} ${at}${(o.expr as Json[]).map((x) => stmtText(x)).join(" ")}${comment}`;
    }
    case "element": {
      const elems = ((o.elem as Record<string, Json>).set as Json[]).map((e) => elemText(e)).join(", ");
      return `${type} element ${o.family} ${o.table} ${o.name} { ${elems} }`;
    }
  }
  if (type !== "add") return head;
  // The listing's body on one line: a set's lines end in `;`, a counter's or quota's do not.
  const inner = (kind === "set" || kind === "map" ? setLines(kind, o, {}) : objectLines(kind, o, {}))
    .slice(1, -1).map((l) => l.trim());
  const plain = kind === "counter" || kind === "quota" || kind === "limit";
  return `${head} { ${inner.map((l) => plain ? `${l} ` : `${l}; `).join("")}} `;
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
    const render = new MonitorJson(await interfaceNames(ctx.lib), sets, !json);
    for await (const ev of sub) {
      if (ev.type === "overrun") {
        ctx.err.line("Warning: events were lost (receive buffer overrun); list the ruleset again");
      } else if (ev.type === "generation") {
        for (const out of render.flush()) ctx.out.line(json ? nftJsonText(out) : monitorText(out));
        if (!json) ctx.out.line(`# new generation ${ev.generation} by process ${ev.pid ?? "?"} (${ev.process ?? "?"})`);
      } else {
        const out = render.event(ev);
        const position = ev.kind === "rule" ? ev.object.position : undefined;
        if (out !== undefined) ctx.out.line(json ? nftJsonText(out) : monitorText(out, position));
      }
      ctx.out.flush();
    }
  } finally {
    stop();
    await sub.return();
  }
  return 0;
}
