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
  neighTableSettingSpec,
  type NeighTableTarget,
  streamNeighTables,
} from "../route/ntable/api.ts";
import { familyName } from "../wire/family.ts";
import { KIND_RANGE } from "../wire/table.ts";

/** ip's change words and the setting each sets; the value's range comes from the setting's attribute. */
const SETTING_WORDS: { readonly [word: string]: keyof NeighTableSettings } = {
  thresh1: "thresh1",
  thresh2: "thresh2",
  thresh3: "thresh3",
  gc_int: "gcInterval",
  base_reachable: "baseReachableTime",
  retrans: "retransTime",
  gc_stale: "gcStaleTime",
  delay_probe: "delayProbeTime",
  queue: "queueLen",
  app_probes: "appProbes",
  ucast_probes: "ucastProbes",
  mcast_probes: "mcastProbes",
  mcast_reprobes: "mcastReprobes",
  anycast_delay: "anycastDelay",
  proxy_delay: "proxyDelay",
  proxy_queue: "proxyQlen",
  locktime: "locktime",
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
      const key = SETTING_WORDS[w];
      const max = KIND_RANGE[neighTableSettingSpec(key).kind][1];
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
