/**
 * `nlkit genl [ctrl] { list | get name NAME | get id ID }`: the generic
 * netlink families, as `genl ctrl list` prints them.
 *
 * @module
 */

import { type Args, toInt, unknownWord, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { formatFamily } from "./genl_text.ts";
import { JsonArrayWriter } from "./output.ts";
import { type GenericFamily, getGenericFamily, listGenericFamilies } from "../genl/ctrl.ts";

/** `genl ctrl`'s commands, in the order its `matches()` tries them. */
const COMMANDS = ["monitor", "get", "policy", "list", "show", "ls", "help"] as const;

function json(f: GenericFamily): Record<string, unknown> {
  return {
    name: f.name,
    id: f.id,
    version: f.version,
    hdrsize: f.hdrsize,
    maxattr: f.maxattr,
    ops: f.ops.map((o) => ({ id: o.id, flags: o.flags })),
    mcast_groups: f.groups.map((g) => ({ name: g.name, id: g.id })),
  };
}

function print(ctx: Context, families: GenericFamily[]): void {
  if (ctx.opts.json) {
    const w = new JsonArrayWriter(ctx.out, ctx.opts.pretty);
    for (const f of families) w.item(json(f));
    w.end();
  } else {
    for (const f of families) ctx.out.write(formatFamily(f));
  }
}

/** Handles `nlkit genl ...`. */
export async function genlHandler(ctx: Context, args: Args): Promise<number | void> {
  if (args.peek() === "ctrl" || args.peek() === "nlctrl") args.next();
  const word = args.next() ?? "list";
  const cmd = word === "" ? undefined : COMMANDS.find((c) => c.startsWith(word));
  if (cmd === undefined || cmd === "help") throw unknownWord("genl ctrl command", word, ["list", "get"]);
  if (cmd === "monitor" || cmd === "policy") {
    throw new UsageError(`Cannot run "genl ctrl ${cmd}": nlkit lists and gets families only`, word);
  }
  if (cmd !== "get") {
    if (!args.done) throw new UsageError(`Unexpected argument: "${args.peek()}"`, args.peek());
    return print(ctx, await listGenericFamilies(ctx.lib));
  }
  const key = args.next();
  const value = args.value(key ?? "get", key === "id" ? "family id" : "family name");
  if (!args.done) throw new UsageError(`Unexpected argument: "${args.peek()}"`, args.peek());
  let which: string | number;
  if (key === "name") which = value;
  else if (key === "id") which = toInt(value, "family id", 1, 0xffff);
  else throw unknownWord("argument of genl ctrl get", key ?? "", ["name", "id"]);
  print(ctx, [await getGenericFamily(which, ctx.lib)]);
}
