/**
 * `nlkit netns list|add|del|exec`: named namespaces shared with `ip netns`.
 * `exec` runs `nsenter --net=/run/netns/NAME CMD...`, so it needs util-linux
 * (or busybox) nsenter; unlike `ip netns exec` it does not remount /sys.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import type { Context } from "./context.ts";
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

function list(ctx: Context): void {
  if (ctx.opts.json) {
    const w = new JsonArrayWriter(ctx.out, ctx.opts.pretty);
    for (const n of listNetns()) w.item({ name: n });
    w.end();
  } else {
    for (const n of listNetns()) ctx.out.line(n);
  }
}

async function exec(args: Args): Promise<number> {
  const ns = name(args, "exec");
  const cmd = args.rest();
  if (cmd.length === 0) throw new UsageError(`Missing command after "${ns}"`, ns);
  // Loaded here so that other commands do not pay for Deno's Node layer.
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync("nsenter", [`--net=${NETNS_RUN_DIR}/${ns}`, ...cmd], { stdio: "inherit" });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** Handles `nlkit netns ...`. */
export async function netnsHandler(ctx: Context, args: Args): Promise<number | void> {
  const word = args.next() ?? "show";
  const cmd = word === "exec" ? "exec" : resolveAlias(COMMANDS, word, "netns command", ["show", "add", "del", "exec"]);
  switch (cmd) {
    case "show":
      noMore(args);
      return list(ctx);
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
