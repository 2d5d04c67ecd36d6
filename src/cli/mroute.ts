/**
 * `nlkit mroute show|list [[to] PREFIX] [from PREFIX] [iif DEV] [table TABLE]`:
 * the multicast forwarding cache in `ip mroute show`'s text and `-j`
 * layout (iproute2 6.1, ip/ipmroute.c), read as ip reads its words. `-4`
 * (the default) lists IPv4 and only its `default` table unless `table`
 * says otherwise, `-6` IPv6 and every table; `-s` adds the counters.
 * Prefixes (`to`, `from`) are read as iproute2 reads them since commit
 * f305296e ("use preferred_family to get prefix"): 6.1 itself refuses
 * every prefix ("??? prefix is expected"). A word repeated is refused.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { matches } from "./aliases.ts";
import type { Context } from "./context.ts";
import { errorText, EXIT_FAILURE } from "./errors.ts";
import { formatMroute } from "./mroute_text.ts";
import { invalidArgument } from "./numbers.ts";
import { JsonArrayWriter } from "./output.ts";
import { ROUTE_WORDS } from "./route_select.ts";
import { type MulticastRouteFilter, streamMulticastRoutes } from "../route/mroute/api.ts";
import { mrouteToIpJson } from "../route/mroute/json.ts";
import { AF_INET, AF_INET6, parseCidr } from "../wire/addr.ts";
import { NetlinkError } from "../wire/netlink_error.ts";

/** `RT_TABLE_DEFAULT`: ip lists only this IPv4 table unless told otherwise ("for backward compatibility"). */
const RT_TABLE_DEFAULT = 253;

/** What the words asked: a prefix matching nothing of the listed family leaves the listing empty, as in ip. */
interface Selection {
  filter: MulticastRouteFilter;
  /** A prefix of the other family: nothing can match. */
  none: boolean;
}

/** ip's `get_prefix` with the preferred family: `default`/`all`/`any` match all. */
function prefixWord(word: string, family: number | undefined, why: string): string | undefined {
  if (word === "default" || word === "all" || word === "any") return undefined;
  try {
    const p = parseCidr(word);
    if (family === undefined || p.family === family) return word;
  } catch { /* refused below */ }
  throw invalidArgument(word, why);
}

/** Reads `mroute_list`'s words; a word that starts `help` prints the usage (undefined). */
function select(ctx: Context, args: Args): Selection | undefined {
  const f = ctx.opts.family;
  const family = f === AF_INET6 ? AF_INET6 : AF_INET;
  const filter: MulticastRouteFilter = { family: family === AF_INET ? "inet" : "inet6" };
  let table: number | undefined = family === AF_INET ? RT_TABLE_DEFAULT : undefined;
  const given = new Set<string>();
  const once = (key: string, v: string) => {
    if (given.has(key)) throw new UsageError(`Error: duplicate "${key}": "${v}" is the second value.`, v, true);
    given.add(key);
  };
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (matches(w, "table")) {
      const v = args.value(w, "table id");
      if (v === "help") return undefined;
      once("table", v);
      table = v === "all" ? undefined : ROUTE_WORDS.table(v) || undefined;
    } else if (w === "iif") {
      const v = args.value(w, "device name");
      once("iif", v);
      filter.iif = v;
    } else if (matches(w, "from")) {
      const v = args.value(w, "prefix");
      once("from", v);
      filter.from = prefixWord(v, f, "from value is invalid");
    } else {
      if (w === "to") w = args.value(w, "prefix");
      if (matches(w, "help")) return undefined;
      once("to", w);
      filter.to = prefixWord(w, f, "to value is invalid");
    }
  }
  if (table !== undefined) {
    filter.table = table;
    filter.strictTable = true;
  }
  const other = [filter.from, filter.to].some((p) => p !== undefined && parseCidr(p).family !== family);
  if (other) delete filter.from, delete filter.to;
  return { filter, none: other };
}

async function show(ctx: Context, args: Args): Promise<number | void> {
  const f = ctx.opts.family;
  if (f !== undefined && f !== AF_INET && f !== AF_INET6) return; // ip: "family does not have multicast routing"
  const sel = select(ctx, args);
  if (!sel) {
    const { OBJECT_HELP } = await import("./help.ts");
    ctx.out.line(OBJECT_HELP.mroute);
    return;
  }
  const opts = { stats: ctx.opts.stats > 0, details: ctx.opts.details > 0, oneTable: sel.filter.table !== undefined };
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  // -o: ip's line separator within a record (before the counters) becomes a backslash.
  const oneline = ctx.opts.oneline ? (t: string) => t.replaceAll("\n", "\\") : (t: string) => t;
  try {
    for await (const r of streamMulticastRoutes(sel.filter, ctx.lib)) {
      if (sel.none) continue;
      if (json) json.item(mrouteToIpJson(r, opts));
      else ctx.out.line(oneline(formatMroute(r, ctx.paint, opts)));
    }
  } catch (e) {
    // A table that does not exist: the kernel's words, then ip's (with -j, ip closes its empty array first).
    if (!(e instanceof NetlinkError && e.code === "ENOENT")) throw e;
    json?.end();
    ctx.err.line(errorText(e));
    ctx.err.line("Dump terminated");
    return EXIT_FAILURE;
  }
  json?.end();
}

/** Handles `nlkit mroute ...` (the dispatcher resolved `list`, `lst` and abbreviations to `show`). */
export async function mrouteHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = args.next() ?? "show";
  if (cmd !== "show") throw new UsageError(`Command "${cmd}" is unknown, try "nlkit mroute help".`, cmd, true);
  return await show(ctx, args);
}
