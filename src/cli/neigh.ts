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
import { type LinkNames, linkNames } from "./names.ts";
import { formatNeighbour, formatNeighbourBrief, neighBriefJson } from "./neigh_text.ts";
import { invalidArgument, ipUnsigned } from "./numbers.ts";
import { checkPrefix, ROUTE_WORDS } from "./route_select.ts";
import { inetWord } from "./inet_words.ts";
import type { Neighbour } from "../route/neigh/table.ts";
import { JsonArrayWriter } from "./output.ts";
import {
  addNeighbour,
  changeNeighbour,
  deleteNeighbour,
  flushNeighbours,
  getNeighbour,
  type NeighbourFilter,
  type NeighbourSpec,
  replaceNeighbour,
  streamNeighbours,
} from "../route/neigh/api.ts";
import { neighToIpJson } from "../route/neigh/json.ts";

const CHANGE: WordTable = {
  to: { arg: "address", key: "dst", inet: true },
  dev: { arg: "device" },
  lladdr: { arg: "link-layer address" },
  nud: { arg: "state" },
  router: {},
  proxy: {},
  extern_learn: {},
  managed: {},
  protocol: { arg: "protocol" },
};

/** ip's `nud` words, with the kernel's state names. */
const NUD_WORDS: Record<string, string> = {
  permanent: "PERMANENT",
  reachable: "REACHABLE",
  noarp: "NOARP",
  none: "NONE",
  stale: "STALE",
  incomplete: "INCOMPLETE",
  delay: "DELAY",
  probe: "PROBE",
  failed: "FAILED",
};

/** A `nud` word (or its single-bit number) as a state name; `all` is every state. */
function nudState(word: string): string[] {
  if (word === "all") return [...Object.values(NUD_WORDS)];
  // ip takes prefixes of these three (its matches()), the other words whole.
  const prefixed = ["permanent", "reachable", "failed"].find((w) => w.startsWith(word) && word !== "");
  const name = prefixed ? NUD_WORDS[prefixed] : Object.hasOwn(NUD_WORDS, word) ? NUD_WORDS[word] : undefined;
  if (name) return [name];
  const n = ipUnsigned(word);
  const names = Object.values(NUD_WORDS).filter((v) => v !== "NONE");
  const bits = ["INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"];
  if (n === 0) return ["NONE"];
  if (n === undefined || n >= 0x100 || (n & (n - 1))) throw invalidArgument(word, "nud state is bad");
  return [names.includes(bits[Math.log2(n)]) ? bits[Math.log2(n)] : "NONE"];
}

/** Reads `ip neigh show` selectors into a library filter. */
function parseNeighSelectors(ctx: Context, args: Args): NeighbourFilter {
  const filter: NeighbourFilter = {};
  const fam = familyOf(ctx);
  if (fam !== undefined) filter.family = fam;
  let states: string[] | undefined;
  for (let w = args.next(); w !== undefined; w = args.next()) {
    const value = (): string => args.value(w!);
    if (w === "dev") {
      if (filter.dev !== undefined) {
        throw new UsageError(`duplicate "dev": "${args.peek() ?? ""}" is the second value.`, w);
      }
      filter.dev = value();
    } else if (w === "master") filter.master = value();
    else if (w === "nomaster") filter.nomaster = true;
    else if (w === "nud") (states ??= []).push(...nudState(value()));
    else if (w === "proxy") filter.proxy = true;
    else if (w === "unused") filter.unused = true;
    else if (w === "proto" || w === "protocol") {
      const v = value();
      if (v !== "all") filter.protocol = ROUTE_WORDS.protocol(v);
    } else {
      if (w === "to") w = value();
      w = inetWord(w);
      checkPrefix(w);
      if (filter.to !== undefined) throw new UsageError(`Duplicate address "${w}"`, w);
      if (w !== "default" && w !== "all" && w !== "any") filter.to = w;
    }
  }
  // ip hides NOARP entries (multicast, loopback) unless asked for them by state.
  filter.states = states ?? Object.values(NUD_WORDS).filter((v) => v !== "NOARP" && v !== "NONE");
  return filter;
}

async function show(ctx: Context, args: Args): Promise<void> {
  const filter = parseNeighSelectors(ctx, args);
  const names = await linkNames(ctx);
  if (filter.master !== undefined && ![...names.values()].some((l) => l.name === filter.master)) {
    throw invalidArgument(String(filter.master), "Device does not exist");
  }
  await printNeighbours(ctx, streamNeighbours(filter, ctx.lib), names, filter.dev === undefined);
}

async function printNeighbours(
  ctx: Context,
  list: AsyncIterable<Neighbour> | Iterable<Neighbour>,
  names: LinkNames,
  dev: boolean,
): Promise<void> {
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  const text = { dev, stats: ctx.opts.stats };
  for await (const n of list) {
    if (ctx.opts.brief) {
      if (json) json.item(neighBriefJson(n, names, text));
      else ctx.out.line(formatNeighbourBrief(n, names, ctx.paint, text));
    } else if (json) json.item(neighToIpJson(n, { byIndex: names, stats: ctx.opts.stats > 0, dev }));
    else ctx.out.line(formatNeighbour(n, names, ctx.paint, text));
  }
  json?.end();
}

/** `ip neigh get ADDR dev DEV`. */
async function get(ctx: Context, args: Args): Promise<void> {
  const words = { to: { arg: "address", key: "dst", inet: true }, dev: { arg: "device" }, proxy: {} };
  const w = parseWords(args, words, "neigh get", "dst");
  if (w.dst === undefined || w.dev === undefined) throw new UsageError("Device and address are required arguments.");
  w.dst = inetWord(w.dst);
  checkPrefix(w.dst);
  const n = await getNeighbour(
    { dst: w.dst, dev: w.dev, flags: w.proxy === undefined ? undefined : ["proxy"] },
    ctx.lib,
  );
  await printNeighbours(ctx, [n], await linkNames(ctx), true);
}

async function change(ctx: Context, args: Args, cmd: "add" | "replace" | "change" | "del"): Promise<void> {
  const w = parseWords(args, CHANGE, `neigh ${cmd}`, "dst");
  const spec: NeighbourSpec = {
    dst: inetWord(required(w, "dst", `neigh ${cmd}`)),
    dev: required(w, "dev", `neigh ${cmd}`),
  };
  const flags = ["router", "proxy", "extern_learn", "managed"].filter((f) => w[f] !== undefined);
  if (flags.length) spec.flags = flags;
  if (cmd === "del") return await deleteNeighbour(spec, ctx.lib);
  if (w.lladdr !== undefined) spec.lladdr = w.lladdr;
  if (w.nud !== undefined) spec.state = w.nud;
  if (w.protocol !== undefined) spec.protocol = /^\d+$/.test(w.protocol) ? Number(w.protocol) : w.protocol;
  await (cmd === "add" ? addNeighbour : cmd === "change" ? changeNeighbour : replaceNeighbour)(spec, ctx.lib);
}

async function flush(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, { dev: { arg: "device" }, nud: { arg: "state" } }, "neigh flush", "dev");
  if (w.dev === undefined) throw new UsageError(`Flush requires arguments: "dev NAME"`, "flush");
  if (w.nud !== undefined && w.nud.toLowerCase() !== "permanent" && w.nud.toLowerCase() !== "all") {
    throw new UsageError(`Unsupported flush state: "${w.nud}" (use permanent or all)`, w.nud);
  }
  await flushNeighbours({ dev: w.dev, family: familyOf(ctx), permanent: w.nud !== undefined }, ctx.lib);
}

/** Handles `nlkit neigh ...`. */
export async function neighHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = resolveAlias(COMMANDS, args.next() ?? "show", "neigh command", [
    "show",
    "get",
    "add",
    "replace",
    "change",
    "del",
    "flush",
  ]);
  if (cmd === "show") return await show(ctx, args);
  if (cmd === "get") return await get(ctx, args);
  if (cmd === "flush") return await flush(ctx, args);
  return await change(ctx, args, cmd);
}
