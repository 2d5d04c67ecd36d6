/**
 * `nft -e`: what a batch added, printed back as nft prints it (the monitor
 * format, `# handle N` with `-a`, one JSON document with `-j`). The kernel
 * reports each committed change to the ruleset's listeners; the changes of
 * our own commit are the events up to the generation it made, from our
 * process id. nft echoes additions (and insertions) only, as seen from nft 1.0.6.
 *
 * @module
 */

import process from "node:process";
import type { Context } from "./context.ts";
import { monitorText, SetDecls } from "./nft_monitor.ts";
import { subscribeNftables } from "../netfilter/nftables/events.ts";
import { getGeneration } from "../netfilter/nftables/gen.ts";
import { interfaceNames } from "../netfilter/nftables/ifnames.ts";
import { listRuleset } from "../netfilter/nftables/list.ts";
import { MonitorJson } from "../netfilter/nftables/json/event_json.ts";
import { nftJsonText } from "../netfilter/nftables/json/serialize.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";

type Obj = { [k: string]: Json };

/** Receive buffer of the echo's subscription (bytes): the kernel only takes what the events use. */
const ECHO_BUFFER = 64 << 20;

/** Runs `commit` and prints what it added, as `nft -e` does. */
export async function withEcho(
  ctx: Context,
  opts: { json: boolean; handles: boolean },
  commit: () => Promise<void>,
): Promise<void> {
  const before = (await getGeneration(ctx.lib)).id ?? 0;
  const ac = new AbortController();
  // A batch of thousands of rules echoes thousands of events before we read one: room for them (nft too
  // raises its socket's buffer for the echo).
  const sub = await subscribeNftables({ signal: ac.signal, receiveBuffer: ECHO_BUFFER }, ctx.lib);
  const lines: string[] = [];
  const adds: Json[] = [];
  try {
    const { sets } = await listRuleset({}, ctx.lib);
    const render = new MonitorJson(await interfaceNames(ctx.lib), sets, !opts.json);
    await commit();
    const after = (await getGeneration(ctx.lib)).id ?? 0;
    if (after === before) return; // nothing changed: nothing to echo
    const decls = new SetDecls();
    let group: { out: Json; position?: number }[] = [];
    // A replace is a rule's delete then its add under the same handle: nft echoes both.
    let deleted: { out: Json; rule: string } | undefined;
    for await (const ev of sub) {
      if (ev.type === "overrun") throw new Error("Cannot echo the changes: events were lost (receive buffer overrun)");
      if (ev.type !== "generation") {
        decls.note(ev);
        const out = render.event(ev);
        if (out === undefined) continue;
        const rule = ev.kind === "rule"
          ? `${ev.object.family} ${ev.object.table} ${ev.object.chain} ${ev.object.handle}`
          : "";
        if (ev.kind === "rule" && ev.type === "delete") {
          deleted = { out, rule };
          continue;
        }
        if (deleted && deleted.rule === rule) group.push({ out: deleted.out });
        deleted = undefined;
        // Rules inserted (not appended) echo as `insert`, as nft prints them.
        if (["add", "insert"].includes(Object.keys(out as Obj)[0])) {
          group.push({ out, position: ev.kind === "rule" ? ev.object.position : undefined });
        }
        continue;
      }
      if (ev.pid === process.pid && group.length) {
        for (const o of group) adds.push(o.out);
        if (!opts.json) {
          const text = { handles: opts.handles, decl: decls.decl };
          for (const o of group) lines.push(monitorText(o.out, o.position, text));
          lines.push(genLine(ev));
        }
      }
      group = [];
      if (ev.generation >= after) break;
    }
  } finally {
    ac.abort();
    await sub.return();
  }
  if (opts.json) {
    if (adds.length) ctx.out.line(nftJsonText({ nftables: adds }));
  } else for (const l of lines) ctx.out.line(l);
}

function genLine(ev: { generation: number; pid?: number; process?: string }): string {
  return `# new generation ${ev.generation} by process ${ev.pid ?? "?"} (${ev.process ?? "?"})`;
}
