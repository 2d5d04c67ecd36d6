/**
 * `nlkit nft`: nft's grammar for the commands scripts use, with nft's own
 * flags (`-j`, `-a`, `-f FILE`) after `nft` and nlkit's global flags before.
 *
 * @module
 */

import { Args, unknownWord, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { errorText, EXIT_FAILURE, isUsageError, NftNotFoundError, NftRefusal } from "./errors.ts";
import { normalJitPolicy } from "../sys/jit.ts";
import { loadSys } from "../sys/load.ts";
import { type NftFlags, nftList, REFUSED_FLAGS } from "./nft_list.ts";
import { VERSION } from "./version.ts";
import { COMMAND_LINE } from "../netfilter/nftables/text/script_lex.ts";
import { NotFoundError } from "../errors.ts";
import { errnoText } from "../sys/errno.ts";
import type { FileFlags } from "./nft_apply.ts";

/** nft's flags this command honours. */
const FLAGS: Record<string, keyof NftFlags | "file" | "version" | "versionLong" | "interactive" | keyof FileFlags> = {
  "-v": "version",
  "--version": "version",
  "-V": "versionLong",
  "-j": "json",
  "--json": "json",
  "-a": "handles",
  "--handle": "handles",
  "-s": "stateless",
  "--stateless": "stateless",
  "-t": "terse",
  "--terse": "terse",
  "-y": "numericPriority",
  "--numeric-priority": "numericPriority",
  "-T": "numericTime",
  "--numeric-time": "numericTime",
  "-n": "numeric",
  "--numeric": "numeric",
  "-p": "numericProtocol",
  "--numeric-protocol": "numericProtocol",
  "-S": "service",
  "--service": "service",
  "-N": "reverseDns",
  "--reversedns": "reverseDns",
  "-u": "guid",
  "--guid": "guid",
  "-f": "file",
  "--file": "file",
  "-c": "check",
  "--check": "check",
  "-e": "echo",
  "--echo": "echo",
  "-I": "includePaths",
  "--includepath": "includePaths",
  "-D": "defines",
  "--define": "defines",
  "-i": "interactive",
  "--interactive": "interactive",
  "-o": "optimize",
  "--optimize": "optimize",
};

/** Commands with their own path when the command line holds only them; the rest is read as a script. */
const QUERIES = ["list", "monitor", "reset", "rename", "get", "describe"];

/** Runs `nlkit nft ...`: nft exits 1 on any error of its command line (its syntax errors too). */
export async function nftHandler(ctx: Context, args: Args): Promise<number | void> {
  try {
    return await nftCommand(ctx, args);
  } catch (e) {
    if (!isUsageError(e) || e instanceof NftRefusal) throw e;
    ctx.err.line(errorText(e));
    return EXIT_FAILURE;
  }
}

async function nftCommand(ctx: Context, args: Args): Promise<number | void> {
  const flags: NftFlags = {
    json: false,
    handles: false,
    stateless: false,
    terse: false,
    numericPriority: false,
    numericTime: false,
    numeric: false,
    numericProtocol: false,
    service: false,
    reverseDns: false,
    guid: false,
  };
  let file: string | undefined;
  let interactive = false;
  const fileFlags: FileFlags = { check: false, echo: false, optimize: false, includePaths: [], defines: [] };
  for (let word = args.peek(); word?.startsWith("-") && word !== "-"; word = args.peek()) {
    args.next();
    // `--` ends the options, as for getopt: `nft -- add chain ... priority -100`.
    if (word === "--") break;
    for (const [w, inline] of options(word)) {
      if (Object.hasOwn(REFUSED_FLAGS, w)) throw new NftRefusal(`Cannot use nft's "${w}": ${REFUSED_FLAGS[w]}`, w);
      const f = FLAGS[w];
      if (!f) throw unknownWord("nft option", w, Object.keys(FLAGS));
      if (inline !== undefined && !takesArgument(w)) {
        throw new UsageError(`Cannot give "${w}" an argument ("${word}"): it takes none`, word);
      }
      const arg = () => inline ?? args.next();
      if (f === "version" || f === "versionLong") {
        ctx.out.line(`nlkit v${VERSION} (nftables)`);
        // nft -V's build features; nlkit's JSON is always there (it links no CLI, mini-gmp or xtables library).
        if (f === "versionLong") ctx.out.line("  json:\t\tyes");
        return 0;
      }
      if (f === "file") {
        file = arg();
        if (file === undefined) throw new UsageError(`Missing file after "${w}"`, w);
      } else if (f === "includePaths") {
        const dir = arg();
        if (dir === undefined) throw new UsageError(`Missing directory after "${w}"`, w);
        fileFlags.includePaths.push(dir);
      } else if (f === "defines") fileFlags.defines.push(define(w, arg()));
      else if (f === "interactive") interactive = true;
      else if (f === "check" || f === "echo" || f === "optimize") fileFlags[f] = true;
      else flags[f] = true;
    }
  }
  if (flags.numeric) flags.numericPriority = flags.numericTime = flags.numericProtocol = true;
  await applyOutputFlags(flags, flags.json || ctx.opts.json);
  const json = flags.json || ctx.opts.json;
  if (fileFlags.optimize && (file === undefined || json)) {
    // nft optimizes only the table blocks of a file in its language; elsewhere its -o does nothing.
    throw new NftRefusal("Cannot use -o without -f, or with -j: nft optimizes the table blocks of a script file", "-o");
  }
  if (file !== undefined || interactive) {
    normalJitPolicy();
    if (file !== undefined && interactive) {
      throw new NftRefusal("Cannot use -f with -i: both name where commands come from");
    }
    if (!args.done) {
      throw new NftRefusal(`Unexpected "${args.peek()}" with ${interactive ? "-i" : "-f"} (give commands there)`);
    }
    const { nftApplyFile, nftInteractive } = await import("./nft_apply.ts");
    if (interactive) return await nftInteractive(ctx, { ...flags, ...fileFlags, json });
    return await nftApplyFile(ctx, file!, { ...flags, ...fileFlags, json });
  }
  const words = args.rest();
  const cmd = words[0];
  if (cmd === undefined) throw new UsageError(`Missing command: expected list, add, flush... or a script`);
  // One list, get... command keeps its own path; anything else is a one-line script, as nft reads its arguments.
  const single = !words.some((w) => /[;\n]/.test(w));
  if (single && QUERIES.includes(cmd)) {
    try {
      return await nftQuery(ctx, words, flags, fileFlags, json);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      const { suggestion } = await import("./nft_suggest.ts");
      throw new NftNotFoundError(e, queryNotFound(words, e, await suggestion(words, e, ctx.lib)));
    }
  }
  if (single) refuseUnused(cmd, flags, fileFlags);
  const { nftApplyText } = await import("./nft_apply.ts");
  return await nftApplyText(ctx, scriptLine(words), COMMAND_LINE, { ...flags, ...fileFlags, json });
}

/** `list`, `monitor`, `reset`, `rename`, `get` or `describe` alone on the command line. */
async function nftQuery(
  ctx: Context,
  words: string[],
  flags: NftFlags,
  fileFlags: FileFlags,
  json: boolean,
): Promise<number | void> {
  const cmd = words[0];
  refuseUnused(cmd, flags, fileFlags);
  const rest = new Args(words.slice(1));
  if (cmd === "list") {
    normalJitPolicy();
    return await nftList(ctx, rest, flags);
  }
  if (cmd === "monitor") {
    // -t has nothing to leave out of an event (a set's elements come as events of their own), as in nft.
    const { handles, numericPriority, numericTime, stateless } = flags;
    const { nftMonitor } = await import("./nft_monitor.ts");
    return await nftMonitor(ctx, rest, json, { handles, numericPriority, numericTime, stateless });
  }
  const { nftMore } = await import("./nft_more.ts");
  return await nftMore(ctx, cmd, rest, flags);
}

/**
 * nft's text of an object a query found missing: the error, the command
 * line, and carets under the missing table's or object's name (under the
 * whole line, and one past it, for the kernel's refusal of a `reset`).
 */
function queryNotFound(words: readonly string[], e: NotFoundError, didYouMean: string): string {
  const line = words.join(" ");
  const cols: number[] = [];
  words.reduce((col, w) => (cols.push(col), col + w.length + 1), 0);
  if (e.requestType !== 0) {
    return `Error: Could not process rule: ${errnoText(e.errno)}\n${line}\n${"^".repeat(line.length + 1)}`;
  }
  const key = String(e.key ?? "").split(" ");
  const name = key[key.length - 1];
  const table = e.kind === "nft table" ? name : key[1];
  let at = words.indexOf(table, 2);
  if (e.kind !== "nft table") at = words.indexOf(name, at + 1);
  const carets = at < 0 ? "" : `\n${line}\n${" ".repeat(cols[at])}${"^".repeat(words[at].length)}`;
  return `Error: ${errnoText(e.errno)}${didYouMean}${carets}`;
}

/**
 * The command line as nft reads it, its words joined by spaces; a comment or
 * log prefix the shell unquoted (`comment "a b"` typed as `comment 'a b'`)
 * gets its quotes back, where nft would stop at a syntax error.
 */
function scriptLine(words: readonly string[]): string {
  return words.map((w, i) =>
    ["comment", "prefix"].includes(words[i - 1]) && /\s/.test(w) && !w.startsWith('"') ? `"${w}"` : w
  ).join(" ");
}

/** `-D NAME=VALUE` as a name and its value. */
function define(flag: string, word: string | undefined): [string, string] {
  const eq = word?.indexOf("=") ?? -1;
  if (word === undefined || eq < 1) throw new UsageError(`Expected NAME=VALUE after "${flag}"`, word ?? flag);
  return [word.slice(0, eq), word.slice(eq + 1)];
}

/** Options whose argument follows them (`-f FILE`), or is joined to them (`-fFILE`, `--file=FILE`). */
function takesArgument(w: string): boolean {
  const f = FLAGS[w];
  return f === "file" || f === "includePaths" || f === "defines" || Object.hasOwn(REFUSED_FLAGS, w);
}

/**
 * The options of one word as nft's getopt_long reads them, each with the
 * argument joined to it: `--name` or `--name=ARG`; short ones written
 * together (`-nSu`), where one that takes an argument takes the rest of the
 * word (`-jf/etc/nftables.conf`, `-Dx=1`), else the next word.
 */
function options(word: string): [string, string | undefined][] {
  if (word.startsWith("--")) {
    const eq = word.indexOf("=");
    return [eq < 0 ? [word, undefined] : [word.slice(0, eq), word.slice(eq + 1)]];
  }
  const out: [string, string | undefined][] = [];
  for (let i = 1; i < word.length; i++) {
    const w = `-${word[i]}`;
    if (takesArgument(w) && i < word.length - 1) return [...out, [w, word.slice(i + 1)]];
    out.push([w, undefined]);
  }
  return out;
}

/** Flags a one-command line would not apply: refused, never ignored. */
function refuseUnused(cmd: string, flags: NftFlags, fileFlags: FileFlags): void {
  const change = !QUERIES.includes(cmd);
  if (!change && fileFlags.includePaths.length) {
    throw new NftRefusal(`Cannot use -I with "${cmd}": it is where include looks`);
  }
  if (!change && fileFlags.defines.length) throw new UsageError(`Cannot use -D with "${cmd}": it defines variables`);
  if (!change && (fileFlags.check || fileFlags.echo)) {
    throw new NftRefusal(`Cannot use -c or -e with "${cmd}": they apply to changes`, fileFlags.check ? "-c" : "-e");
  }
  const printing = flags.numericPriority || flags.numericTime || flags.stateless || flags.terse || flags.handles ||
    flags.json || valueFlags(flags);
  if (change && !fileFlags.echo && printing) {
    throw new NftRefusal(
      `Cannot use -j, -a, -n, -p, -S, -N, -u, -y, -T, -s or -t with "${cmd}" without -e: they change what is printed`,
    );
  }
}

/** True when a flag changes how values print (`-n`, `-p`, `-S`, `-N`, `-u`). */
function valueFlags(f: NftFlags): boolean {
  return f.numeric || f.numericProtocol || f.service || f.reverseDns || f.guid;
}

/** Makes nft's JSON and text print values as the flags say (nft's output context); `-N` binds libc's resolver. */
async function applyOutputFlags(f: NftFlags, json: boolean): Promise<void> {
  if (!valueFlags(f)) return;
  const { setNftOutput } = await import("../netfilter/nftables/json/output.ts");
  const sys = f.reverseDns ? await loadSys() : undefined;
  setNftOutput({
    numericSymbol: f.numeric,
    numericProto: f.numericProtocol,
    service: f.service,
    guid: f.guid,
    hostName: sys && ((addr) => sys.hostName(addr)),
    text: !json,
  });
}
