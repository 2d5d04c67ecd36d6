/**
 * `nlkit maddr show [dev NAME]`: multicast addresses per link, in `ip maddr`'s
 * text and `-j` layout (iproute2's `ip/ipmaddr.c`). `-4`/`-6` pick one
 * family. `add`/`del ADDR dev NAME` add and remove static link-layer
 * entries, with ip's words for every refusal.
 *
 * @module
 */

import { type Args, unknownWord, UsageError } from "./args.ts";
import { COMMANDS, matches, resolveAlias } from "./aliases.ts";
import { EXIT_FAILURE } from "./errors.ts";
import type { Context } from "./context.ts";
import { parseWords } from "./keywords.ts";
import { JsonArrayWriter } from "./output.ts";
import { listMulticastAddresses, type MulticastAddress } from "../route/link/maddr.ts";
import { addMulticastAddress, deleteMulticastAddress } from "../route/link/maddr_change.ts";
import { AF_INET, AF_INET6, AF_PACKET, parseMac } from "../wire/addr.ts";
import { SysError } from "../sys/sys.ts";
import { errnoText } from "../sys/errno.ts";

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

/**
 * `maddr add|del [address] LLADDR dev NAME`, read as ip's
 * `multiaddr_modify` reads it; the ioctl's failure is printed as ip prints it.
 */
async function modify(ctx: Context, args: Args, add: boolean): Promise<number | void> {
  let dev: string | undefined;
  let address: string | undefined;
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w === "dev") {
      const v = args.value(w);
      if (dev !== undefined) throw new UsageError(`Error: duplicate "dev": "${v}" is the second value.`, v, true);
      dev = v;
      continue;
    }
    if (matches(w, "address")) w = args.value(w);
    if (address !== undefined) throw new UsageError(`Error: duplicate "address": "${w}" is the second value.`, w, true);
    address = w;
    const len = lladdrLength(w);
    if (len !== 6) throw new UsageError(`Error: Invalid address length ${len} - must be 6 bytes`, w, true);
  }
  if (dev === undefined) throw new UsageError(`Not enough information: "dev" is required.`, "dev", true);
  if (address === undefined) throw new UsageError(`Missing link-layer address in "maddr ${add ? "add" : "del"}"`);
  try {
    await (add ? addMulticastAddress : deleteMulticastAddress)(dev, address, ctx.lib);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    ctx.err.line(`ioctl: ${errnoText(e.errno)}`);
    return EXIT_FAILURE;
  }
}

/** Bytes of a link-layer address as ip's `ll_addr_a2n` reads it (an IPv4 address is 4); ip's error otherwise. */
function lladdrLength(word: string): number {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(word)) return 4;
  try {
    return parseMac(word).length;
  } catch {
    throw new UsageError(`"${word}" is invalid lladdr.`, word, true);
  }
}

/** Handles `nlkit maddr ...`. */
export async function maddrHandler(ctx: Context, args: Args): Promise<number | void> {
  const word = args.next() ?? "show";
  const cmd = resolveAlias(COMMANDS, word, "maddr command", ["add", "del", "show"]);
  if (cmd === "add" || cmd === "del") return await modify(ctx, args, cmd === "add");
  if (cmd !== "show") throw unknownWord("maddr command", word, ["add", "del", "show"]);
  await show(ctx, args);
}
