/**
 * The `nlkit` command line: global options, batch mode and dispatch to one
 * handler per object.
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * const code = await main(["-j", "link", "show"]);
 * ```
 *
 * @module
 */

import { Args, UsageError } from "./args.ts";
import { COMMANDS, type ObjectName, OBJECTS, resolveAlias } from "./aliases.ts";
import { readBatch } from "./batch.ts";
import { painter, useColor } from "./color.ts";
import type { Context, GlobalOptions, Handler } from "./context.ts";
import { asNoDevice, EXIT_OK, reportError } from "./errors.ts";
import { parseGlobal } from "./global.ts";
import { MAIN_HELP, OBJECT_HELP } from "./help.ts";
import { Output } from "./output.ts";
import { VERSION } from "./version.ts";

/** Loads each object's handler on first use, so startup pays only for what runs. */
const HANDLERS: Record<string, () => Promise<Handler>> = {
  link: async () => (await import("./link.ts")).linkHandler,
  addr: async () => (await import("./addr.ts")).addrHandler,
  route: async () => (await import("./route.ts")).routeHandler,
  neigh: async () => (await import("./neigh.ts")).neighHandler,
  rule: async () => (await import("./rule.ts")).ruleHandler,
  monitor: async () => (await import("./monitor.ts")).monitorHandler,
  netns: async () => (await import("./netns.ts")).netnsHandler,
  tuntap: async () => (await import("./tuntap.ts")).tuntapHandler,
  maddr: async () => (await import("./maddr.ts")).maddrHandler,
  ct: async () => (await import("./ct.ts")).ctHandler,
  nexthop: async () => (await import("./nexthop.ts")).nexthopHandler,
  genl: async () => (await import("./genl.ts")).genlHandler,
};

const HELP_WORDS = ["help", "--help", "-h", "-help"];

/** Runs one command (`words` start at the object). */
async function runCommand(ctx: Context, words: readonly string[]): Promise<number> {
  if (words.length === 0 || HELP_WORDS.includes(words[0])) {
    ctx.out.line(MAIN_HELP);
    return EXIT_OK;
  }
  const object = resolveAlias(OBJECTS, words[0], "object", Object.keys(OBJECTS) as ObjectName[]);
  // `help` is a word only where a command is expected; `--help` anywhere, except in the command `netns exec` runs.
  const isExec = object === "netns" && words[1] === "exec";
  const wantsHelp = object === "help" || HELP_WORDS.includes(words[1]) || words[2] === "help" ||
    (!isExec && words.includes("--help"));
  if (wantsHelp) {
    ctx.out.line(OBJECT_HELP[object] ?? MAIN_HELP);
    return EXIT_OK;
  }
  const handler = await HANDLERS[object]();
  try {
    return (await handler(ctx, new Args(words.slice(1)))) ?? EXIT_OK;
  } catch (e) {
    // ip says "does not exist." when listing links or addresses, "Cannot find" elsewhere.
    const cmd = words[1] ?? "show";
    const listing = (object === "link" || object === "addr") &&
      (cmd === "flush" || (COMMANDS.show as readonly string[]).includes(cmd));
    throw asNoDevice(e, listing);
  }
}

function makeContext(opts: GlobalOptions, out: Output, err: Output): Context {
  return { opts, out, err, paint: painter(!opts.json && useColor(opts.color)), lib: { netns: opts.netns } };
}

async function runBatch(ctx: Context, file: string): Promise<number> {
  let first = EXIT_OK;
  for (const { line, words } of readBatch(file)) {
    let code: number;
    try {
      code = await runCommand(ctx, words);
    } catch (e) {
      code = reportError(e, ctx.err);
    }
    ctx.out.flush();
    if (code !== EXIT_OK) {
      ctx.err.line(`Command failed ${file}:${line}`);
      if (first === EXIT_OK) first = code;
      if (!ctx.opts.force) return code;
    }
  }
  return first;
}

/** Runs the CLI on `argv` (without the program name) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const out = new Output(1);
  const err = new Output(2);
  try {
    const { opts, rest } = parseGlobal(argv);
    const ctx = makeContext(opts, out, err);
    if (opts.version) {
      out.line(`nlkit ${VERSION}`);
      return EXIT_OK;
    }
    if (opts.help) {
      out.line(MAIN_HELP);
      return EXIT_OK;
    }
    if (opts.batch !== undefined) {
      if (rest.length) throw new UsageError(`Unexpected "${rest[0]}" with -b (put commands in the file)`, rest[0]);
      return await runBatch(ctx, opts.batch);
    }
    return await runCommand(ctx, rest);
  } catch (e) {
    return reportError(e, err);
  } finally {
    try {
      out.flush();
    } catch { /* stdout closed (EPIPE): nothing left to tell */ }
    err.flush();
  }
}
