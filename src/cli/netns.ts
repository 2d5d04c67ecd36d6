/**
 * `nlkit netns list|add|del|exec|set|list-id|identify|pids`: named
 * namespaces shared with `ip netns`, and their ids (nsid).
 * `exec` runs `nsenter --net=/run/netns/NAME CMD...`, so it needs util-linux
 * (or busybox) nsenter; unlike `ip netns exec` it does not remount /sys.
 *
 * @module
 */

import { isRuntimePermissionDenied, runtimePermission } from "../errors.ts";
import { type Args, toInt, UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import type { Context } from "./context.ts";
import { parseWords } from "./keywords.ts";
import { netnsNames } from "./names.ts";
import { nsidJson, nsidName, nsidText } from "./nsid_text.ts";
import { JsonArrayWriter } from "./output.ts";
import { checkNetnsName, createNetns, deleteNetns, listNetns, NETNS_RUN_DIR } from "../netns/netns.ts";

function name(args: Args, cmd: string): string {
  const n = args.value(cmd, "namespace name");
  checkNetnsName(n);
  return n;
}

function noMore(args: Args): void {
  const w = args.next();
  if (w !== undefined) throw new UsageError(`Unexpected argument: "${w}"`, w);
}

/** `NAME (id: N)`: the id is the one the namespace has where nlkit runs (`-n`). */
async function list(ctx: Context): Promise<void> {
  const { getNsid } = await import("../netns/nsid.ts");
  const w = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  for (const n of listNetns()) {
    let id: number | undefined;
    try {
      id = await getNsid(n, ctx.lib);
    } catch { /* not a namespace (a stale file): listed without an id, as ip does */ }
    if (w) w.item(id === undefined ? { name: n } : { name: n, id });
    else ctx.out.line(id === undefined ? n : `${n} (id: ${id})`);
  }
  w?.end();
}

async function setId(ctx: Context, args: Args): Promise<void> {
  const n = name(args, "set");
  const v = args.value(n, "nsid");
  noMore(args);
  const nsid = v === "auto" ? "auto" : toInt(v, "nsid", 0, 0x7fffffff);
  const { setNsid } = await import("../netns/nsid.ts");
  await setNsid(n, nsid, ctx.lib);
}

async function listIds(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, { "target-nsid": { arg: "nsid" }, nsid: { arg: "nsid" } }, "netns list-id");
  const id = (v: string | undefined) => v === undefined ? undefined : toInt(v, "nsid", 0, 0x7fffffff);
  const { listNsids } = await import("../netns/nsid.ts");
  const entries = await listNsids({ targetNsid: id(w["target-nsid"]), nsid: id(w.nsid) }, ctx.lib);
  const known = await netnsNames(ctx);
  const out = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  for (const e of entries) {
    const name = await nsidName(ctx, known, e, true);
    if (out) out.item(nsidJson(e, name));
    else ctx.out.line(nsidText(e, name));
  }
  out?.end();
}

async function identify(ctx: Context, args: Args): Promise<void> {
  const p = args.next();
  noMore(args);
  if (p !== undefined && !/^\d+$/.test(p)) throw new UsageError(`Invalid pid: "${p}" (a process id)`, p);
  const { identifyNetns } = await import("../netns/nsid.ts");
  // ip prints the last matching name, or an empty line.
  ctx.out.line(identifyNetns(p === undefined ? "self" : Number(p), { netns: ctx.lib.netns }).at(-1) ?? "");
}

async function pids(ctx: Context, args: Args): Promise<void> {
  const n = name(args, "pids");
  noMore(args);
  const { netnsPids } = await import("../netns/nsid.ts");
  for (const pid of netnsPids(n)) ctx.out.line(String(pid));
}

async function exec(args: Args): Promise<number> {
  const ns = name(args, "exec");
  const cmd = args.rest();
  if (cmd.length === 0) throw new UsageError(`Missing command after "${ns}"`, ns);
  // Loaded here so that other commands do not pay for Deno's Node layer.
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync("nsenter", [`--net=${NETNS_RUN_DIR}/${ns}`, ...cmd], { stdio: "inherit" });
  if (r.error) {
    throw isRuntimePermissionDenied(r.error) ? runtimePermission("run nsenter", "--allow-run", r.error) : r.error;
  }
  return r.status ?? 1;
}

const ID_COMMANDS: Record<string, (ctx: Context, args: Args) => Promise<void>> = {
  set: setId,
  "list-id": listIds,
  identify,
  pids,
};

/** Handles `nlkit netns ...`. */
export async function netnsHandler(ctx: Context, args: Args): Promise<number | void> {
  const word = args.next() ?? "show";
  if (Object.hasOwn(ID_COMMANDS, word)) return await ID_COMMANDS[word](ctx, args);
  const cmd = word === "exec" ? "exec" : resolveAlias(COMMANDS, word, "netns command", ["show", "add", "del", "exec"]);
  switch (cmd) {
    case "show":
      noMore(args);
      return await list(ctx);
    case "add": {
      const n = name(args, "add");
      noMore(args);
      return await createNetns(n);
    }
    case "del": {
      const n = name(args, "del");
      noMore(args);
      return await deleteNetns(n);
    }
    default:
      ctx.out.flush();
      return await exec(args);
  }
}
