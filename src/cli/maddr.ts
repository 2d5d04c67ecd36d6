/**
 * `nlkit maddr show [dev NAME]`: multicast addresses per link, in `ip maddr`'s
 * text and `-j` layout (iproute2's `ip/ipmaddr.c`). `-4`/`-6` pick one
 * family; `add`/`del` (static link-layer entries) are not implemented.
 *
 * @module
 */

import { type Args, unknownWord, UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import type { Context } from "./context.ts";
import { parseWords } from "./keywords.ts";
import { JsonArrayWriter } from "./output.ts";
import { listMulticastAddresses, type MulticastAddress } from "../route/link/maddr.ts";
import { AF_INET, AF_INET6, AF_PACKET } from "../wire/addr.ts";

function entryJson(m: MulticastAddress): Record<string, unknown> {
  const o: Record<string, unknown> = m.family === "link"
    ? { link: m.address }
    : { family: m.family, address: m.address };
  if (m.users !== 1) o.users = m.users;
  if (m.static) o.features = "static";
  return o;
}

function entryText(ctx: Context, m: MulticastAddress): string {
  let s = m.family === "link"
    ? `\tlink  ${ctx.paint("mac", m.address)}`
    : `\t${m.family.padEnd(5)} ${ctx.paint(m.family === "inet" ? "inet" : "inet6", m.address)}`;
  if (m.users !== 1) s += ` users ${m.users}`;
  if (m.static) s += " static";
  return s;
}

async function show(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, { dev: { arg: "device name" } }, "maddr show", "dev");
  const f = ctx.opts.family;
  const family = f === AF_INET ? "inet" : f === AF_INET6 ? "inet6" : f === AF_PACKET ? "link" : undefined;
  const list = await listMulticastAddresses({ dev: w.dev, family }, ctx.lib);
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  let group: { ifindex: number; ifname: string; maddr: unknown[] } | undefined;
  for (const m of list) {
    if (group?.ifindex !== m.ifindex) {
      if (group && json) json.item(group);
      group = { ifindex: m.ifindex, ifname: m.ifname, maddr: [] };
      if (!json) ctx.out.line(`${m.ifindex}:\t${ctx.paint("ifname", m.ifname)}`);
    }
    if (json) group.maddr.push(entryJson(m));
    else ctx.out.line(entryText(ctx, m));
  }
  if (group && json) json.item(group);
  json?.end();
}

/** Handles `nlkit maddr ...`. */
export async function maddrHandler(ctx: Context, args: Args): Promise<number | void> {
  const word = args.next() ?? "show";
  if (word === "add" || word === "del" || word === "delete") {
    throw new UsageError(`Unsupported maddr command: "${word}" (nlkit lists multicast addresses only)`, word);
  }
  const cmd = resolveAlias(COMMANDS, word, "maddr command", ["show"]);
  if (cmd !== "show") throw unknownWord("maddr command", word, ["show"]);
  await show(ctx, args);
}
