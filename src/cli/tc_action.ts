/**
 * `nlkit tc action add|replace|change|del|get|show|flush`: shared actions, in
 * `tc actions`' grammar.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { pickWord, wordTable } from "./aliases.ts";
import type { Context } from "./context.ts";
import { indexNames, nameOfIndex } from "./names.ts";
import {
  type ActionMessage,
  actionRequest,
  flushActions,
  getAction,
  modifyActions,
  streamActionMessages,
} from "../route/tc/actions.ts";
import { linkLookup } from "./tc_links.ts";
import { actionWords, printActionList, type TcAction } from "../route/tc/action/list.ts";
import { TcPrinter } from "../route/tc/printer.ts";
import { TcWords } from "../route/tc/words.ts";

/** Reads `[action] KIND [index N]`, repeated as tc_action_gd reads it (one item unless `many`). */
function kindsAndIndexes(w: TcWords, many: boolean): { kind: string; index?: number }[] {
  const out: { kind: string; index?: number }[] = [];
  do {
    if (w.peek() === "action") w.next();
    const kind = w.value("action", "kind");
    let index: number | undefined;
    if (w.peek() === "index") {
      w.next();
      index = w.int("index", 1);
    }
    out.push({ kind, index });
  } while (many && !w.done);
  if (!w.done) throw new UsageError(`Unexpected argument: "${w.peek()}"`, w.peek());
  return out;
}

/** tc's action commands in m_action.c's order. */
const ACTION_COMMANDS = wordTable("add change replace delete=del get list=show show=show lst=show flush");

function actionsOf(words: readonly string[], linkIndex: (name: string) => number): TcAction[] {
  const w = new TcWords(words);
  const actions = actionWords(w, { linkIndex });
  if (!w.done) throw new UsageError(`Unexpected argument: "${w.peek()}"`, w.peek());
  return actions;
}

/** Builds the request of `tc actions add|replace|change WORDS...`; nothing is sent or opened. */
export function actionsRequest(
  cmd: "add" | "replace" | "change",
  words: readonly string[],
  linkIndex: (name: string) => number,
): Uint8Array {
  return actionRequest(cmd, actionsOf(words, linkIndex));
}

/** Handles `nlkit tc action ...`. */
export async function tcActionHandler(ctx: Context, args: Args): Promise<void> {
  const word = args.next() ?? "show";
  const cmd = pickWord(ACTION_COMMANDS, word)?.name;
  if (cmd === undefined) throw new UsageError(`Unknown tc action command: "${word}"`, word);
  const w = new TcWords(args.rest());
  const links = await indexNames(ctx);
  if (cmd === "add" || cmd === "replace" || cmd === "change") {
    const names = new Map([...links].map(([i, l]) => [l.name ?? "", i]));
    return await modifyActions(cmd, actionsOf(w.rest(), linkLookup(names)), ctx.lib);
  }
  const items = kindsAndIndexes(w, cmd === "del");
  if (cmd === "del") {
    if (items.some((a) => a.index === undefined)) throw new UsageError(`Missing "index" in tc action del`, "index");
    return await modifyActions("delete", items, ctx.lib);
  }
  const [{ kind, index }] = items;
  if (cmd === "flush") {
    if (index !== undefined) throw new UsageError(`Unexpected "index" in tc action flush`, "index");
    return await flushActions(kind, ctx.lib);
  }
  let messages: ActionMessage[];
  if (cmd === "get") {
    if (index === undefined) throw new UsageError(`Missing "index" in tc action get`, "index");
    messages = [{ actions: [await getAction(kind, index, ctx.lib)] }];
  } else {
    if (index !== undefined) throw new UsageError(`Unexpected "index" in tc action show (use get)`, "index");
    messages = await Array.fromAsync(streamActionMessages(kind, ctx.lib));
  }
  const p = new TcPrinter(ctx.opts.json, ctx.opts.pretty);
  const pctx = {
    details: ctx.opts.details,
    stats: ctx.opts.stats,
    linkName: (i: number) => nameOfIndex(links, i),
    handle: 0,
    protocol: 0,
  };
  p.openArray();
  for (const m of messages) {
    // As tc's print_action: a count object, then the actions object, per kernel message.
    p.open();
    p.uint("total acts", "total acts %s", m.count ?? 0);
    p.nl();
    p.close();
    p.open();
    printActionList(p, m.actions, pctx, false);
    p.close();
  }
  p.close();
  ctx.out.write(ctx.opts.json ? p.json() + "\n" : p.take());
}
