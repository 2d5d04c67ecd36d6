/**
 * `nlkit token [ list | get ] [ dev DEV ]`, `nlkit token set TOKEN dev DEV`
 * and `nlkit token del [ TOKEN ] dev DEV`: the IPv6 interface identifier
 * each link gives its autoconfigured addresses, in `ip token`'s words, text
 * and `-j` keys (iproute2 6.1, ip/iptoken.c).
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { invalidArgument } from "./numbers.ts";
import { JsonArrayWriter } from "./output.ts";
import { changeLink } from "../route/link/change.ts";
import { getLink, type Link, streamLinks } from "../route/link/api.ts";
import { InvalidArgumentError, NotFoundError } from "../errors.ts";
import { formatIp, parseIp } from "../wire/addr.ts";

/** The link named `dev`, as ip's `ll_name_to_index` finds it, or ip's refusal. */
async function device(ctx: Context, dev: string): Promise<Link> {
  try {
    return await getLink(dev, ctx.lib);
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof InvalidArgumentError) throw invalidArgument(dev, "dev is invalid");
    throw e;
  }
}

/** The token of a link ip lists: one with IPv6, neither loopback nor `NOARP`. */
function tokenOf(l: Link): string | undefined {
  const token = l.afSpec?.inet6?.token;
  if (token === undefined || l.flags.includes("LOOPBACK") || l.flags.includes("NOARP")) return undefined;
  return token;
}

/** `TOKEN[/LEN]` (or `default`, `any`, `all`: `::`) as ip's `get_prefix` reads it, in its canonical form. */
function parseToken(v: string): string {
  if (v === "default" || v === "any" || v === "all") return "::";
  const [addr, len, extra] = v.split("/");
  const bad = () => new UsageError(`inet6 prefix is expected rather than "${v}".`, v);
  if (extra !== undefined || !addr.includes(":")) throw bad();
  if (len !== undefined && !(/^\d+$/.test(len) && Number(len) <= 128)) throw bad();
  try {
    return formatIp(parseIp(addr));
  } catch {
    throw bad();
  }
}

async function list(ctx: Context, args: Args): Promise<void> {
  let only: number | undefined;
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w !== "dev") throw invalidArgument(w, "unknown");
    only = (await device(ctx, args.value(w, "device name"))).index;
  }
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  for await (const l of streamLinks({}, ctx.lib)) {
    const token = tokenOf(l);
    if (token === undefined || (only !== undefined && l.index !== only)) continue;
    if (json) json.item({ token, ifname: l.name });
    else ctx.out.line(`token ${ctx.paint("inet6", token)} dev ${ctx.paint("ifname", l.name ?? "")}`);
  }
  json?.end();
}

/** `set`: the token given; `del`: `::`, once a token given with it is the one the link has. */
async function set(ctx: Context, args: Args, del: boolean): Promise<void> {
  let token: string | undefined;
  let dev: string | undefined;
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w === "dev") {
      const v = args.value(w, "device name");
      if (dev !== undefined && v !== dev) throw new UsageError(`Use one "dev": "${dev}" and "${v}"`, v);
      dev = v;
    } else if (token === undefined) token = parseToken(w);
    else throw new UsageError(`Unexpected "${w}" after the token "${token}"`, w);
  }
  if (token === undefined && !del) throw new UsageError("Not enough information: token is required.", "", true);
  if (dev === undefined) throw new UsageError(`Not enough information: "dev" argument is required.`, "dev", true);
  const link = await device(ctx, dev);
  if (del && token !== undefined) {
    // ip clears whatever token the link has; a token named with del must be the one to clear.
    const current = link.afSpec?.inet6?.token;
    if (current !== token) {
      throw new UsageError(`Cannot delete token ${token}: ${dev} has token ${current ?? "none"}`, token);
    }
  }
  await changeLink(link.index, { token: del ? "::" : token }, ctx.lib);
}

/** Handles `nlkit token ...` (the dispatcher resolved ip's abbreviations). */
export async function tokenHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = args.next() ?? "show";
  if (cmd === "show" || cmd === "get") return await list(ctx, args);
  if (cmd === "set" || cmd === "del") return await set(ctx, args, cmd === "del");
  const { OBJECT_HELP } = await import("./help.ts");
  ctx.out.line(OBJECT_HELP.token);
}
