/**
 * `nlkit nexthop` (alias `nh`), in `ip nexthop`'s grammar: add, replace,
 * delete, show, get, flush, and the buckets of resilient groups.
 *
 * @module
 */

import { type Args, toInt, unknownWord, UsageError } from "./args.ts";
import { inetWord } from "./inet_words.ts";
import { invalidArgument } from "./numbers.ts";
import type { Context } from "./context.ts";
import { familyOf } from "./family.ts";
import { formatNexthop, formatNexthopBucket } from "./nexthop_text.ts";
import { JsonArrayWriter } from "./output.ts";
import {
  addNexthop,
  deleteNexthop,
  flushNexthops,
  getNexthop,
  getNexthopBucket,
  replaceNexthop,
  streamNexthopBuckets,
  streamNexthops,
} from "../route/nexthop/api.ts";
import type { NexthopBucketFilter, NexthopFilter, NexthopObjectSpec } from "../route/nexthop/build.ts";
import { nexthopBucketToIpJson, nexthopToIpJson } from "../route/nexthop/json.ts";
import type { IpNexthopJson } from "../route/nexthop/json.ts";
import type { NexthopGroupMember } from "../route/nexthop/table.ts";
import { AF_INET6 } from "../wire/addr.ts";

/** `ip nexthop`'s commands, in the order its `matches()` tries them. */
const COMMANDS = ["add", "replace", "delete", "list", "show", "lst", "get", "flush", "bucket", "help"] as const;
const BUCKET_COMMANDS = ["list", "show", "lst", "get", "help"] as const;

/** iproute2's `matches()`: `word` is a non-empty prefix of the first command that has it. */
function command<T extends string>(word: string, commands: readonly T[], what: string): T {
  const hit = word === "" ? undefined : commands.find((c) => c.startsWith(word));
  if (hit === undefined) throw unknownWord(what, word, commands);
  return hit;
}

function id(args: Args, word: string): number {
  return toInt(args.value(word, "nexthop id"), "nexthop id", 1);
}

/** Parses `ID[,WEIGHT]/ID[,WEIGHT]/...`. */
function group(text: string): NexthopGroupMember[] {
  return text.split("/").map((part) => {
    const [i, w, extra] = part.split(",");
    if (extra !== undefined || i === "") throw new UsageError(`Invalid "group" value: "${text}"`, text);
    return { id: toInt(i, "group member id", 1), weight: w === undefined ? 1 : toInt(w, "weight", 1, 65536) };
  });
}

function spec(ctx: Context, args: Args, what: string): NexthopObjectSpec {
  const s: NexthopObjectSpec = {};
  const fam = familyOf(ctx);
  if (fam !== undefined) s.family = fam === AF_INET6 ? "inet6" : "inet";
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w === "id") s.id = id(args, w);
    else if (w === "dev") s.dev = args.value(w, "device");
    else if (w === "via") {
      let gw = args.value(w, "gateway");
      if (gw === "inet" || gw === "inet6") {
        s.family = gw;
        gw = args.value(w, "gateway");
      }
      s.gateway = inetWord(gw);
    } else if (w === "blackhole") s.blackhole = true;
    else if (w === "fdb") s.fdb = true;
    else if (w === "onlink") s.onlink = true;
    else if (w === "group") s.group = group(args.value(w, "group"));
    else if (w === "type") {
      const t = args.value(w, "group type");
      if (t !== "mpath" && t !== "resilient") throw new UsageError(`Invalid "type" value: "${t}"`, t);
      s.groupType = t;
      if (t === "resilient") s.resilient = resilientArgs(args);
    } else if (w !== "" && "protocol".startsWith(w)) {
      const p = args.value(w, "protocol");
      s.protocol = /^\d+$/.test(p) ? Number(p) : p;
    } else if (w === "encap") {
      throw new UsageError(`Cannot use "encap" in ${what}: this version sends no lightweight tunnel nexthops`, w);
    } else {throw unknownWord(`argument of ${what}`, w, [
        "id",
        "dev",
        "via",
        "blackhole",
        "fdb",
        "onlink",
        "group",
        "type",
        "protocol",
      ]);}
  }
  return s;
}

function resilientArgs(args: Args): NonNullable<NexthopObjectSpec["resilient"]> {
  const r: NonNullable<NexthopObjectSpec["resilient"]> = {};
  for (let w = args.peek(); w !== undefined; w = args.peek()) {
    if (w === "buckets") r.buckets = toInt(args.value(args.next()!, "buckets"), "buckets", 1, 0xffff);
    else if (w === "idle_timer") r.idleTimer = toInt(args.value(args.next()!, "idle timer"), "idle timer", 0, 42949671);
    else if (w === "unbalanced_timer") {
      r.unbalancedTimer = toInt(args.value(args.next()!, "unbalanced timer"), "unbalanced timer", 0, 42949671);
    } else break;
  }
  return r;
}

/** `vrf NAME`: the name, once checked to be a VRF device (ip's "Invalid VRF"). */
async function vrf(ctx: Context, name: string): Promise<string> {
  const { getLink } = await import("../route/link/api.ts");
  const link = await getLink(name, ctx.lib).catch(() => undefined);
  if (link?.linkinfo?.kind !== "vrf") throw invalidArgument(name, "Invalid VRF");
  return name;
}

async function filter(ctx: Context, args: Args): Promise<NexthopFilter> {
  const f: NexthopFilter = {};
  const fam = familyOf(ctx);
  if (fam !== undefined) f.family = fam === AF_INET6 ? "inet6" : "inet";
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w === "id") f.id = id(args, w);
    else if (w !== "" && "dev".startsWith(w)) f.dev = args.value(w, "device");
    else if (w !== "" && "groups".startsWith(w)) f.groups = true;
    else if (w !== "" && "master".startsWith(w)) f.master = args.value(w, "device");
    else if (w !== "" && "vrf".startsWith(w)) f.master = await vrf(ctx, args.value(w, "VRF"));
    else if (w !== "" && "protocol".startsWith(w)) {
      const p = args.value(w, "protocol");
      f.protocol = /^\d+$/.test(p) ? Number(p) : p;
    } else if (w !== "" && "fdb".startsWith(w)) f.fdb = true;
    else throw unknownWord("argument of nexthop show", w, ["id", "dev", "groups", "master", "vrf", "protocol", "fdb"]);
  }
  return f;
}

function printer(ctx: Context, format: (j: IpNexthopJson) => string): { item(j: IpNexthopJson): void; end(): void } {
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  return {
    item: (j) => json ? json.item(j) : ctx.out.line(format(j)),
    end: () => json?.end(),
  };
}

async function show(ctx: Context, args: Args): Promise<void> {
  const f = await filter(ctx, args);
  const p = printer(ctx, formatNexthop);
  const details = ctx.opts.details > 0;
  if (f.id !== undefined && Object.keys(f).length === 1) {
    p.item(nexthopToIpJson(await getNexthop(f.id, ctx.lib), details));
  } else {
    // ip lists what the kernel sends for fdb, which kernels ignore; flush checks it (never deletes more).
    const asked = f.fdb ? { ...f, kernelFdb: true } : f;
    for await (const nh of streamNexthops(asked, ctx.lib)) p.item(nexthopToIpJson(nh, details));
  }
  p.end();
}

async function bucket(ctx: Context, args: Args): Promise<void> {
  const cmd = command(args.next() ?? "list", BUCKET_COMMANDS, "nexthop bucket command");
  const p = printer(ctx, formatNexthopBucket);
  if (cmd === "get") {
    let gid: number | undefined, index: number | undefined;
    for (let w = args.next(); w !== undefined; w = args.next()) {
      if (w === "id") gid = id(args, w);
      else if (w === "index") index = toInt(args.value(w, "bucket index"), "bucket index", 0, 0xffff);
      else throw unknownWord("argument of nexthop bucket get", w, ["id", "index"]);
    }
    if (gid === undefined || index === undefined) throw new UsageError(`Missing "id" or "index" in nexthop bucket get`);
    p.item(nexthopBucketToIpJson(await getNexthopBucket(gid, index, ctx.lib)));
  } else if (cmd === "help") {
    throw new UsageError("Usage: nlkit nexthop bucket { list | get } ...");
  } else {
    const f: NexthopBucketFilter = {};
    for (let w = args.next(); w !== undefined; w = args.next()) {
      if (w === "id") f.id = id(args, w);
      else if (w === "nhid") f.nhid = id(args, w);
      else if (w !== "" && "dev".startsWith(w)) f.dev = args.value(w, "device");
      else if (w !== "" && "master".startsWith(w)) f.master = args.value(w, "device");
      else if (w !== "" && "vrf".startsWith(w)) f.master = await vrf(ctx, args.value(w, "VRF"));
      else throw unknownWord("argument of nexthop bucket list", w, ["id", "nhid", "dev", "master", "vrf"]);
    }
    for await (const b of streamNexthopBuckets(f, ctx.lib)) p.item(nexthopBucketToIpJson(b));
  }
  p.end();
}

/** Handles `nlkit nexthop ...`. */
export async function nexthopHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = command(args.next() ?? "list", COMMANDS, "nexthop command");
  switch (cmd) {
    case "add":
      return await addNexthop(spec(ctx, args, "nexthop add"), ctx.lib);
    case "replace":
      return await replaceNexthop(spec(ctx, args, "nexthop replace"), ctx.lib);
    case "delete": {
      const s = spec(ctx, args, "nexthop delete");
      if (s.id === undefined) throw new UsageError(`Missing "id" in nexthop delete`, "id");
      return await deleteNexthop(s.id, ctx.lib);
    }
    case "get": {
      const f = await filter(ctx, args);
      if (f.id === undefined || Object.keys(f).length !== 1) throw new UsageError(`Usage: nlkit nexthop get id ID`);
      const p = printer(ctx, formatNexthop);
      p.item(nexthopToIpJson(await getNexthop(f.id, ctx.lib), ctx.opts.details > 0));
      return p.end();
    }
    case "flush": {
      const f = await filter(ctx, args);
      // ip's "flush id N" deletes that one nexthop, silently, and fails when there is none.
      if (f.id !== undefined && Object.keys(f).length === 1) return await deleteNexthop(f.id, ctx.lib);
      const n = await flushNexthops(f, ctx.lib);
      ctx.out.line(n ? `Flushed ${n} nexthops` : "Nothing to flush");
      return;
    }
    case "bucket":
      return await bucket(ctx, args);
    case "help":
      throw new UsageError("Usage: nlkit nexthop { list | flush | add | replace | get | del | bucket } ...");
    default:
      return await show(ctx, args);
  }
}
