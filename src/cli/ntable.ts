/**
 * `nlkit ntable show [ dev DEV | dev none ] [ name NAME ]` and
 * `nlkit ntable change name NAME [ dev DEV ] SETTINGS`: the neighbour
 * tables in `ip ntable`'s words, text (`-s` adds the configuration and
 * counters, `-o` one line each) and `-j` layout (iproute2 6.1,
 * ip/ipntable.c).
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { indexNames } from "./names.ts";
import { invalidArgument, ipNumber } from "./numbers.ts";
import { JsonArrayWriter } from "./output.ts";
import { ntableJson, ntableText } from "./ntable_text.ts";
import {
  changeNeighTable,
  type NeighTableFilter,
  type NeighTableSettings,
  type NeighTableTarget,
  streamNeighTables,
} from "../route/ntable/api.ts";
import { familyName } from "../wire/family.ts";

const U64 = Number.MAX_SAFE_INTEGER;

/** ip's change words: the setting each sets and its largest value (u32 or u64). */
const SETTING_WORDS: { readonly [word: string]: readonly [keyof NeighTableSettings, number] } = {
  thresh1: ["thresh1", 0xffffffff],
  thresh2: ["thresh2", 0xffffffff],
  thresh3: ["thresh3", 0xffffffff],
  gc_int: ["gcInterval", U64],
  base_reachable: ["baseReachableTime", U64],
  retrans: ["retransTime", U64],
  gc_stale: ["gcStaleTime", U64],
  delay_probe: ["delayProbeTime", U64],
  queue: ["queueLen", 0xffffffff],
  app_probes: ["appProbes", 0xffffffff],
  ucast_probes: ["ucastProbes", 0xffffffff],
  mcast_probes: ["mcastProbes", 0xffffffff],
  mcast_reprobes: ["mcastReprobes", 0xffffffff],
  anycast_delay: ["anycastDelay", U64],
  proxy_delay: ["proxyDelay", U64],
  proxy_queue: ["proxyQlen", 0xffffffff],
  locktime: ["locktime", U64],
};

async function show(ctx: Context, args: Args): Promise<void> {
  const filter: NeighTableFilter = {};
  if (ctx.opts.family !== undefined) filter.family = ctx.opts.family;
  const names = await indexNames(ctx);
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w === "dev") {
      const v = args.value(w, "device name");
      if (v === "none") filter.dev = null;
      else {
        const index = [...names].find(([, l]) => l.name === v)?.[0];
        if (index === undefined) throw invalidArgument(v, '"DEV" is invalid');
        filter.dev = index;
      }
    } else if (w === "name") filter.name = args.value(w, "table name");
    else throw invalidArgument(w, "unknown");
  }
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  const opts = { stats: ctx.opts.stats > 0, oneline: ctx.opts.oneline, now: Date.now() };
  for await (const t of streamNeighTables(filter, ctx.lib)) {
    if (json) json.item(ntableJson(t, names, opts));
    else ctx.out.write(ntableText(t, names, opts));
  }
  json?.end();
}

async function change(ctx: Context, args: Args): Promise<void> {
  let name: string | undefined;
  let dev: string | undefined;
  const settings: NeighTableSettings = {};
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w === "name") {
      const v = args.value(w, "table name");
      if (name !== undefined) throw new UsageError(`Error: duplicate "NAME": "${v}" is the second value.`, v, true);
      name = v;
    } else if (w === "dev") dev = args.value(w, "device name");
    else if (Object.hasOwn(SETTING_WORDS, w)) {
      const [key, max] = SETTING_WORDS[w];
      settings[key] = ipNumber(args.value(w, "value"), `"${w}" value is invalid`, max);
    } else throw invalidArgument(w, "unknown");
  }
  if (name === undefined) throw new UsageError(`Error: argument "NAME" is required`, "name", true);
  if (Object.keys(settings).length === 0) {
    throw new UsageError("Not enough information: changeable attributes required.", undefined, true);
  }
  const target: NeighTableTarget = { name, dev };
  if (ctx.opts.family !== undefined) target.family = familyName(ctx.opts.family);
  await changeNeighTable(target, settings, ctx.lib);
}

/** Handles `nlkit ntable ...` (the dispatcher resolved ip's abbreviations). */
export async function ntableHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = args.next() ?? "show";
  if (cmd === "show") return await show(ctx, args);
  if (cmd === "change") return await change(ctx, args);
  const { OBJECT_HELP } = await import("./help.ts");
  ctx.out.line(OBJECT_HELP.ntable);
}
