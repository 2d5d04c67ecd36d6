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

import { Args, didYouMean, escapeControls, quote, UsageError } from "./args.ts";
import { pickWord } from "./aliases.ts";
import { painter, useColor } from "./color.ts";
import type { Context, GlobalOptions } from "./context.ts";
import { asNoDevice, EXIT_OK, reportError } from "./errors.ts";
import { familyName } from "./family.ts";
import { parseGlobal } from "./global.ts";
import { startNetlinkCapture } from "./pcap_flag.ts";
import { commandTable, familiesOf, type ObjectChoice, OBJECTS, pickObject } from "./objects.ts";
import { Output } from "./output.ts";
import { VERSION } from "./version.ts";

const DASH_HELP = ["--help", "-h", "-help"];
const HELP_WORDS = ["help", ...DASH_HELP];

/** The usage of `object` (or the main usage); the texts load only when asked for. */
async function usage(object?: string): Promise<string> {
  const { MAIN_HELP, OBJECT_HELP } = await import("./help.ts");
  return (object === undefined ? undefined : OBJECT_HELP[object]) ?? MAIN_HELP;
}

/** The object `word` selects, refused in ip's words when there is none or nlkit lacks it. */
function objectOf(word: string): ObjectChoice {
  const choice = pickObject(word);
  if (!choice) {
    const known = OBJECTS.filter((o) => o.load).map((o) => o.word);
    throw new UsageError(`Object ${quote(word)} is unknown, try "nlkit help"${didYouMean(word, known)}.`, word, true);
  }
  if (!choice.entry.load && choice.name !== "help") {
    throw new UsageError(`Object "${choice.entry.word}" is not supported by nlkit, try "nlkit help".`, word, true);
  }
  return choice;
}

/** The object's words with the command abbreviation replaced by its canonical name. */
function withCommand({ entry, name }: ObjectChoice, rest: readonly string[]): string[] {
  if (entry.commands === undefined || !rest.length || HELP_WORDS.includes(rest[0])) return [...rest];
  const table = commandTable(entry);
  const cmd = pickWord(table, rest[0]);
  if (!cmd) {
    const msg = `Command ${quote(rest[0])} is unknown, try "nlkit ${entry.say ?? name} help"`;
    throw new UsageError(`${msg}${didYouMean(rest[0], table.map((e) => e.word))}.`, rest[0], true);
  }
  return [cmd.name, ...rest.slice(1)];
}

/** Runs one command (`words` start at the object). */
async function runCommand(ctx: Context, words: readonly string[]): Promise<number> {
  const choice = words.length && !DASH_HELP.includes(words[0]) ? objectOf(words[0]) : undefined;
  const load = choice?.entry.load;
  if (!choice || !load) {
    // `help OBJECT` is `OBJECT help`, as in ip.
    const about = choice && words[1] !== undefined ? objectOf(words[1]).name : undefined;
    ctx.out.line(await usage(about));
    return EXIT_OK;
  }
  const { entry, name } = choice;
  const rest = withCommand(choice, words.slice(1));
  // `help` is a word only where a command is expected; `--help` anywhere, except in the command `netns exec` runs.
  const isExec = name === "netns" && rest[0] === "exec";
  // conntrack's -h is one of its commands, refused with another one: ct's own parser reads it.
  const dashHelp = name !== "ct" && (DASH_HELP.includes(rest[0]) || (!isExec && rest.includes("--help")));
  if (rest[0] === "help" || (name !== "ct" && rest[1] === "help") || dashHelp) {
    ctx.out.line(await usage(name));
    return EXIT_OK;
  }
  const family = ctx.opts.family;
  if (family !== undefined && !familiesOf(entry).includes(family)) {
    throw new UsageError(`Cannot use family "${familyName(family)}" with "${name}"`, familyName(family));
  }
  const handler = await load();
  try {
    return (await handler(ctx, new Args(rest))) ?? EXIT_OK;
  } catch (e) {
    // ip says "does not exist." when listing links or addresses, "Cannot find" elsewhere.
    const cmd = rest[0] ?? "show";
    throw asNoDevice(
      e,
      (name === "link" || name === "addr" || name === "netconf") && (cmd === "flush" || cmd === "show"),
    );
  }
}

function makeContext(opts: GlobalOptions, out: Output, err: Output): Context {
  return { opts, out, err, paint: painter(!opts.json && useColor(opts.color)), lib: { netns: opts.netns } };
}

async function runBatch(ctx: Context, file: string): Promise<number> {
  let first = EXIT_OK;
  const { readBatch } = await import("./batch.ts");
  for (const { line, words } of readBatch(file)) {
    let code: number;
    try {
      code = await runCommand(ctx, words);
    } catch (e) {
      code = reportError(e, ctx.err);
    }
    ctx.out.flush();
    if (code !== EXIT_OK) {
      ctx.err.line(`Command failed ${escapeControls(file)}:${line}`);
      if (first === EXIT_OK) first = code;
      if (!ctx.opts.force) return code;
    }
  }
  return first;
}

/**
 * Runs the CLI on `argv` (without the program name), writing to `out` and
 * `err`; returns the exit code and lets errors through ({@link main}
 * reports them).
 */
export async function run(argv: readonly string[], out: Output, err: Output): Promise<number> {
  const { opts, rest, refused } = parseGlobal(argv);
  const stopCapture = opts.pcap === undefined ? undefined : await startNetlinkCapture(opts.pcap);
  try {
    return await runParsed(opts, rest, refused, out, err);
  } finally {
    stopCapture?.();
  }
}

async function runParsed(
  opts: GlobalOptions,
  rest: string[],
  refused: string | undefined,
  out: Output,
  err: Output,
): Promise<number> {
  const ctx = makeContext(opts, out, err);
  if (opts.version) {
    out.line(`nlkit ${VERSION}`);
    return EXIT_OK;
  }
  // Like ip, options alone print the usage (`-h` is ip's -human, and `nlkit -h` still helps).
  if (opts.help || (rest.length === 0 && opts.batch === undefined)) {
    out.line(await usage());
    return EXIT_OK;
  }
  if (refused) throw new UsageError(`Option "${refused}" is not supported by nlkit`, refused);
  if (opts.batch !== undefined) {
    if (rest.length) throw new UsageError(`Unexpected ${quote(rest[0])} with -b (put commands in the file)`, rest[0]);
    return await runBatch(ctx, opts.batch);
  }
  return await runCommand(ctx, rest);
}

/** Runs the CLI on `argv` (without the program name) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const out = new Output(1);
  const err = new Output(2);
  try {
    return await run(argv, out, err);
  } catch (e) {
    return reportError(e, err);
  } finally {
    try {
      out.flush();
    } catch { /* stdout closed (EPIPE): nothing left to tell */ }
    err.flush();
  }
}
