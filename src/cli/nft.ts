/**
 * `nlkit nft`: nft's grammar for the commands scripts use, with nft's own
 * flags (`-j`, `-a`, `-f FILE`) after `nft` and nlkit's global flags before.
 *
 * @module
 */

import { type Args, unknownWord, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { bulkJitPolicy } from "../sys/jit.ts";
import { type NftFlags, nftList, REFUSED_FLAGS } from "./nft_list.ts";
import { VERSION } from "./version.ts";

/** nft's flags this command honours. */
const FLAGS: Record<string, keyof NftFlags | "file" | "version"> = {
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
  "-f": "file",
  "--file": "file",
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
  };
  let file: string | undefined;
  for (let w = args.peek(); w?.startsWith("-") && w !== "-"; w = args.peek()) {
    args.next();
    if (w in REFUSED_FLAGS) throw new UsageError(`Cannot use nft's "${w}": ${REFUSED_FLAGS[w]}`, w);
    const f = FLAGS[w];
    if (!f) throw unknownWord("nft option", w, Object.keys(FLAGS));
    if (f === "version") {
      ctx.out.line(`nlkit v${VERSION} (nftables)`);
      return 0;
    }
    if (f === "file") {
      file = args.next();
      if (file === undefined) throw new UsageError(`Missing file after "${w}"`, w);
    } else flags[f] = true;
  }
  if (file !== undefined) {
    bulkJitPolicy();
    if (!args.done) throw new UsageError(`Unexpected "${args.peek()}" with -f (put commands in the file)`);
    const { nftApplyFile } = await import("./nft_apply.ts");
    return await nftApplyFile(ctx, file, flags.json || ctx.opts.json);
  }
  const cmd = args.next();
  if (cmd === undefined) throw new UsageError(`Missing command: expected ${COMMANDS.join(", ")}`);
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
      if (flags.numericPriority || flags.numericTime) throw new UsageError("Cannot use -y or -T with monitor (yet)");
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
      const { nftChange } = await import("./nft_change.ts");
      return await nftChange(ctx, cmd, args);
    }
  }
  throw unknownWord("nft command", cmd, COMMANDS);
}
