/**
 * `nlkit neigh show|add|replace|del|flush`, in `ip neigh`'s grammar.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import type { Context } from "./context.ts";
import { familyOf } from "./family.ts";
import { parseWords, required, type WordTable } from "./keywords.ts";
import { linkNames } from "./names.ts";
import { formatNeighbour } from "./neigh_text.ts";
import { JsonArrayWriter } from "./output.ts";
import {
  addNeighbour,
  deleteNeighbour,
  flushNeighbours,
  type NeighbourSpec,
  replaceNeighbour,
  streamNeighbours,
} from "../route/neigh.ts";
import { neighToIpJson } from "../route/neigh_json.ts";

const SHOW: WordTable = {
  dev: { arg: "device" },
  nud: { arg: "state" },
  proxy: {},
  to: { arg: "address", key: "dst" },
  master: { arg: "master device" },
};

const CHANGE: WordTable = {
  to: { arg: "address", key: "dst" },
  dev: { arg: "device" },
  lladdr: { arg: "link-layer address" },
  nud: { arg: "state" },
  router: {},
  proxy: {},
  extern_learn: {},
  managed: {},
  protocol: { arg: "protocol" },
};

async function show(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, SHOW, "neigh show", "dst");
  const names = await linkNames(ctx);
  const filter = { link: w.dev, master: w.master, family: familyOf(ctx), proxy: w.proxy !== undefined };
  const nud = w.nud?.toUpperCase();
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  const text = { dev: w.dev === undefined, stats: ctx.opts.stats };
  for await (const n of streamNeighbours(filter, ctx.lib)) {
    // ip hides NOARP entries (multicast, loopback) unless asked for them by state.
    if (nud === undefined ? n.state.includes("NOARP") : nud !== "ALL" && !n.state.includes(nud)) continue;
    if (w.dst !== undefined && n.dst !== w.dst) continue;
    if (json) json.item(neighToIpJson(n, { byIndex: names, stats: ctx.opts.stats > 0, dev: text.dev }));
    else ctx.out.line(formatNeighbour(n, names, ctx.paint, text));
  }
  json?.end();
}

async function change(ctx: Context, args: Args, cmd: "add" | "replace" | "del"): Promise<void> {
  const w = parseWords(args, CHANGE, `neigh ${cmd}`, "dst");
  const spec: NeighbourSpec = { dst: required(w, "dst", `neigh ${cmd}`), link: required(w, "dev", `neigh ${cmd}`) };
  const flags = ["router", "proxy", "extern_learn", "managed"].filter((f) => w[f] !== undefined);
  if (flags.length) spec.flags = flags;
  if (cmd === "del") return await deleteNeighbour(spec, ctx.lib);
  if (w.lladdr !== undefined) spec.lladdr = w.lladdr;
  if (w.nud !== undefined) spec.state = w.nud;
  if (w.protocol !== undefined) spec.protocol = /^\d+$/.test(w.protocol) ? Number(w.protocol) : w.protocol;
  await (cmd === "add" ? addNeighbour : replaceNeighbour)(spec, ctx.lib);
}

async function flush(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, { dev: { arg: "device" }, nud: { arg: "state" } }, "neigh flush", "dev");
  if (w.dev === undefined) throw new UsageError(`Flush requires arguments: "dev NAME"`, "flush");
  if (w.nud !== undefined && w.nud.toLowerCase() !== "permanent" && w.nud.toLowerCase() !== "all") {
    throw new UsageError(`Unsupported flush state: "${w.nud}" (use permanent or all)`, w.nud);
  }
  await flushNeighbours({ link: w.dev, family: familyOf(ctx), permanent: w.nud !== undefined }, ctx.lib);
}

/** Handles `nlkit neigh ...`. */
export async function neighHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = resolveAlias(COMMANDS, args.next() ?? "show", "neigh command", [
    "show",
    "add",
    "replace",
    "del",
    "flush",
  ]);
  if (cmd === "show") return await show(ctx, args);
  if (cmd === "flush") return await flush(ctx, args);
  return await change(ctx, args, cmd);
}
