/**
 * `nlkit nft`: nft's grammar for the commands scripts use, with nft's own
 * flags (`-j`, `-a`, `-f FILE`) after `nft` and nlkit's global flags before.
 *
 * @module
 */

import { type Args, unknownWord, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { bulkJitPolicy } from "../sys/jit.ts";
import { loadSys } from "../sys/load.ts";
import { type NftFlags, nftList, REFUSED_FLAGS } from "./nft_list.ts";
import { VERSION } from "./version.ts";
import type { FileFlags } from "./nft_apply.ts";

/** nft's flags this command honours. */
const FLAGS: Record<string, keyof NftFlags | "file" | "version" | keyof FileFlags> = {
  "-v": "version",
  "--version": "version",
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
};

const COMMANDS = [
  "list",
  "flush",
  "add",
  "create",
  "delete",
  "destroy",
  "insert",
  "replace",
  "monitor",
  "reset",
  "rename",
  "get",
  "describe",
];

/** Runs `nlkit nft ...`. */
export async function nftHandler(ctx: Context, args: Args): Promise<number | void> {
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
  const fileFlags: FileFlags = { check: false, echo: false, includePaths: [] };
  for (let word = args.peek(); word?.startsWith("-") && word !== "-"; word = args.peek()) {
    args.next();
    const words = cluster(word);
    for (const [i, w] of words.entries()) {
      if (w in REFUSED_FLAGS) throw new UsageError(`Cannot use nft's "${w}": ${REFUSED_FLAGS[w]}`, w);
      const f = FLAGS[w];
      if (!f) throw unknownWord("nft option", w, Object.keys(FLAGS));
      if (f === "version") {
        ctx.out.line(`nlkit v${VERSION} (nftables)`);
        return 0;
      }
      if ((f === "file" || f === "includePaths") && i < words.length - 1) {
        throw new UsageError(`Cannot put "${w}" before other options in "${word}": its argument follows it`, word);
      }
      if (f === "file") {
        file = args.next();
        if (file === undefined) throw new UsageError(`Missing file after "${w}"`, w);
      } else if (f === "includePaths") {
        const dir = args.next();
        if (dir === undefined) throw new UsageError(`Missing directory after "${w}"`, w);
        fileFlags.includePaths.push(dir);
      } else if (f === "check" || f === "echo") fileFlags[f] = true;
      else flags[f] = true;
    }
  }
  if (flags.numeric) flags.numericPriority = flags.numericTime = flags.numericProtocol = true;
  await applyOutputFlags(flags, flags.json || ctx.opts.json);
  if (file !== undefined) {
    bulkJitPolicy();
    if (!args.done) throw new UsageError(`Unexpected "${args.peek()}" with -f (put commands in the file)`);
    const { nftApplyFile } = await import("./nft_apply.ts");
    return await nftApplyFile(ctx, file, { ...flags, ...fileFlags, json: flags.json || ctx.opts.json });
  }
  const cmd = args.next();
  if (cmd === undefined) throw new UsageError(`Missing command: expected ${COMMANDS.join(", ")}`);
  refuseUnused(cmd, flags, fileFlags);
  switch (cmd) {
    case "list":
      bulkJitPolicy();
      return await nftList(ctx, args, flags);
    case "reset":
    case "rename":
    case "get":
    case "describe": {
      const { nftMore } = await import("./nft_more.ts");
      return await nftMore(ctx, cmd, args, flags);
    }
    case "monitor": {
      if (flags.numericPriority || flags.numericTime || valueFlags(flags)) {
        throw new UsageError("Cannot use -n, -p, -S, -N, -u, -y or -T with monitor (yet)");
      }
      const { nftMonitor } = await import("./nft_monitor.ts");
      return await nftMonitor(ctx, args, flags.json || ctx.opts.json);
    }
    case "flush":
    case "add":
    case "create":
    case "delete":
    case "destroy":
    case "insert":
    case "replace": {
      if (fileFlags.check || fileFlags.echo) {
        // nft reads its command line as a one-line script; so do -c and -e here.
        const { nftApplyText } = await import("./nft_apply.ts");
        const text = [cmd, ...args.rest()].join(" ");
        return await nftApplyText(ctx, text, "command line", {
          ...flags,
          ...fileFlags,
          json: flags.json || ctx.opts.json,
        });
      }
      const { nftChange } = await import("./nft_change.ts");
      return await nftChange(ctx, cmd, args);
    }
  }
  throw unknownWord("nft command", cmd, COMMANDS);
}

/** Short options written together (`-nSu`), one by one, as nft's getopt reads them. */
function cluster(word: string): string[] {
  if (word in FLAGS || !/^-[a-zA-Z]{2,}$/.test(word)) return [word];
  return [...word.slice(1)].map((c) => `-${c}`);
}

const CHANGES = ["flush", "add", "create", "delete", "destroy", "insert", "replace"];

/** Flags a command without -f would not apply: refused, never ignored. */
function refuseUnused(cmd: string, flags: NftFlags, fileFlags: FileFlags): void {
  if (fileFlags.includePaths.length) {
    throw new UsageError(`Cannot use -I with "${cmd}": it is where -f's include looks`);
  }
  const change = CHANGES.includes(cmd);
  if (!change && (fileFlags.check || fileFlags.echo)) {
    throw new UsageError(`Cannot use -c or -e with "${cmd}": they apply to changes`, fileFlags.check ? "-c" : "-e");
  }
  const printing = flags.numericPriority || flags.numericTime || flags.stateless || flags.terse || flags.handles ||
    flags.json || valueFlags(flags);
  if (change && !fileFlags.echo && printing) {
    throw new UsageError(
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
