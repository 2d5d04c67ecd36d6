/**
 * `nlkit route show|get|add|replace|append|del|flush`, in `ip route`'s
 * grammar. `show` streams: each route is printed as the kernel sends it.
 * The other commands are in `route_change.ts`, loaded only when one runs.
 *
 * @module
 */

import type { Args } from "./args.ts";
import { UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import type { Context } from "./context.ts";
import { linkNames } from "./names.ts";
import { JsonArrayWriter } from "./output.ts";
import { formatRoute, writeRoute } from "./route_text.ts";
import { nexthopInfo, withNhInfo, withNhInfoText } from "./route_nhinfo.ts";
import { applyVrf, ownDevice, parseRouteSelectors } from "./route_select.ts";
import { errorText } from "./errors.ts";
import type { Route } from "../route/route/table.ts";
import { withRouteSocket } from "../route/rtnl.ts";
import { readLinkNames } from "../route/link_names.ts";
import { nameRoute, RouteStream } from "../route/route/stream.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { normalJitPolicy, noTopTier } from "../sys/jit.ts";
import { parseRoute } from "../route/route/_generated/table.ts";
import { matchRoute } from "../route/route/filter.ts";
import { formatIp } from "../wire/addr.ts";
import { TextSink } from "../wire/text_sink.ts";
import { JsonTextFields } from "../wire/json_fields.ts";
import { routeToIpJson, writeRouteIpJson } from "../route/route/json.ts";

async function show(ctx: Context, args: Args): Promise<void> {
  const sel = parseRouteSelectors(ctx, args, "show");
  const { filter, omit } = sel;
  // Whole links only to find a VRF's table; printing needs names alone, read once for the stream too.
  if (sel.vrf !== undefined) applyVrf(sel, await linkNames(ctx));
  const names = await withRouteSocket(ctx.lib, readLinkNames);
  const details = ctx.opts.details;
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  const lookup = (index: number) => names.get(index)?.name;
  const jsonOpts = { omit, details: details > 0 };
  const textOpts = { omit, details };
  const line = ctx.opts.oneline ? (t: string) => t.replaceAll("\n", "\\") : (t: string) => t;
  try {
    const nhInfo = details > 0 ? nexthopInfo(ctx) : undefined;
    const stream = new RouteStream(filter, ctx.lib, names);
    if (nhInfo === undefined && !ctx.opts.pretty && !ctx.opts.oneline) {
      // The common listing: each route printed as it is parsed, with no promise per route, by a
      // small function the JIT compiles apart from this one.
      const out = ctx.out;
      normalJitPolicy();
      const print = json
        ? (r: Route) => {
          writeRouteIpJson(json.open(), r, lookup, jsonOpts);
          json.wrote();
        }
        : (r: Route) => {
          writeRoute(out.sink, r, names, ctx.paint, textOpts);
          out.endLine();
        };
      // The route parser and printers stay out of the top tier: its compiles, the generated
      // parser's above all, cost more CPU than a listing of 100,000 routes saves (see noTopTier).
      noTopTier(
        [
          print,
          parseRoute,
          nameRoute,
          matchRoute,
          writeRouteIpJson,
          writeRoute,
          formatIp,
          ...JsonTextFields.hotMethods(),
        ],
        [JsonArrayWriter.prototype, TextSink.prototype, JsonTextFields.prototype],
      );
      await stream.forEach(filter.dev === undefined ? print : (r) => ownDevice(r, filter) && print(r));
    } else {
      for await (const r of stream) {
        if (!ownDevice(r, filter)) continue;
        const info = r.nhid === undefined ? undefined : await nhInfo?.(r.nhid);
        if (json) json.item(withNhInfo(routeToIpJson(r, lookup, jsonOpts), info));
        else {ctx.out.line(
            withNhInfoText(line(formatRoute(r, names, ctx.paint, textOpts)), info, ctx.opts.oneline ? "\\" : "\n"),
          );}
      }
    }
  } catch (e) {
    // A table that does not exist: the kernel's words, then ip's, and ip's exit code 2.
    if (!(e instanceof NetlinkError && e.code === "ENOENT")) throw e;
    ctx.err.line(errorText(e));
    throw new UsageError("Dump terminated", undefined, true);
  }
  json?.end();
}

/** Handles `nlkit route ...`. */
export async function routeHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = resolveAlias(COMMANDS, args.next() ?? "show", "route command", [
    "show",
    "get",
    "add",
    "replace",
    "change",
    "append",
    "del",
    "flush",
  ]);
  if (cmd === "show") return await show(ctx, args);
  await (await import("./route_change.ts")).routeChange(ctx, cmd, args);
}
