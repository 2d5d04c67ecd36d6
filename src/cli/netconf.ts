/**
 * `nlkit netconf show [ dev NAME ]`: each device's IP settings (forwarding,
 * rp_filter, ...), in `ip netconf show`'s text and `-j` layout (iproute2
 * 6.1, ip/ipnetconf.c). `-4`, `-6` and `-M` pick a family; by default every
 * family is dumped at once, as ip asks for it. ip skips words it does not
 * know; nlkit refuses them.
 *
 * @module
 */

import { type Args, unknownWord, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { indexNames } from "./names.ts";
import { netconfJson, netconfText } from "./netconf_text.ts";
import { JsonArrayWriter } from "./output.ts";
import { type NetconfFilter, streamNetconf } from "../route/netconf.ts";
import { AF_INET, AF_INET6, AF_MPLS } from "../wire/addr.ts";

const FAMILIES: { readonly [af: number]: NetconfFilter["family"] } = {
  [AF_INET]: "inet",
  [AF_INET6]: "inet6",
  [AF_MPLS]: "mpls",
};

async function show(ctx: Context, args: Args): Promise<void> {
  const filter: NetconfFilter = {};
  if (ctx.opts.family !== undefined) filter.family = FAMILIES[ctx.opts.family];
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w !== "dev") throw unknownWord("argument of netconf show", w, ["dev"]);
    if (filter.dev !== undefined) throw new UsageError(`Duplicate "dev" in netconf show`, w);
    filter.dev = args.value(w, "device name");
  }
  const names = await indexNames(ctx);
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  for await (const c of streamNetconf(filter, ctx.lib)) {
    if (json) json.item(netconfJson(c, names));
    else ctx.out.line(netconfText(c, names));
  }
  json?.end();
}

/** Handles `nlkit netconf ...` (the dispatcher resolved `list` and `lst` to `show`). */
export async function netconfHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = args.next() ?? "show";
  if (cmd === "show") return await show(ctx, args);
  const { OBJECT_HELP } = await import("./help.ts");
  ctx.out.line(OBJECT_HELP.netconf);
}
