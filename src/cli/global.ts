/**
 * Global options, accepted before the object as `ip` does.
 *
 * @module
 */

import { unknownWord, UsageError } from "./args.ts";
import type { GlobalOptions } from "./context.ts";

type Flag = (o: GlobalOptions, value: string) => void;

/** Each option word, whether it takes a value, and what it sets. */
const FLAGS: Record<string, { arg?: string; set: Flag }> = {
  "-j": { set: (o) => o.json = true },
  "-json": { set: (o) => o.json = true },
  "--json": { set: (o) => o.json = true },
  "-p": { set: (o) => o.pretty = true },
  "-pretty": { set: (o) => o.pretty = true },
  "--pretty": { set: (o) => o.pretty = true },
  "-d": { set: (o) => o.details++ },
  "-details": { set: (o) => o.details++ },
  "--details": { set: (o) => o.details++ },
  "-s": { set: (o) => o.stats++ },
  "-stats": { set: (o) => o.stats++ },
  "-statistics": { set: (o) => o.stats++ },
  "--stats": { set: (o) => o.stats++ },
  "-n": { arg: "namespace name", set: (o, v) => o.netns = v },
  "-netns": { arg: "namespace name", set: (o, v) => o.netns = v },
  "--netns": { arg: "namespace name", set: (o, v) => o.netns = v },
  "-4": { set: (o) => o.family = 4 },
  "-6": { set: (o) => o.family = 6 },
  "-b": { arg: "batch file", set: (o, v) => o.batch = v },
  "-batch": { arg: "batch file", set: (o, v) => o.batch = v },
  "--batch": { arg: "batch file", set: (o, v) => o.batch = v },
  "-t": { set: (o) => o.timestamp = Math.max(o.timestamp ?? 0, 1) },
  "-timestamp": { set: (o) => o.timestamp = Math.max(o.timestamp ?? 0, 1) },
  "-ts": { set: (o) => o.timestamp = 2 },
  "-tshort": { set: (o) => o.timestamp = 2 },
  "-force": { set: (o) => o.force = true },
  "--force": { set: (o) => o.force = true },
  "-c": { set: (o) => o.color = "always" },
  "-color": { set: (o) => o.color = "always" },
  "--color": { set: (o) => o.color = "always" },
  "-V": { set: (o) => o.version = true },
  "-Version": { set: (o) => o.version = true },
  "--version": { set: (o) => o.version = true },
  "-h": { set: (o) => o.help = true },
  "-help": { set: (o) => o.help = true },
  "--help": { set: (o) => o.help = true },
};

/** Fresh defaults. */
function defaultOptions(): GlobalOptions {
  return { json: false, pretty: false, details: 0, stats: 0, force: false, color: "auto", version: false, help: false };
}

/** Splits the leading global options off `argv`. */
export function parseGlobal(argv: readonly string[]): { opts: GlobalOptions; rest: string[] } {
  const opts = defaultOptions();
  let i = 0;
  for (; i < argv.length && argv[i].startsWith("-"); i++) {
    const word = argv[i];
    const eq = word.indexOf("=");
    if (eq > 0 && /^--?colou?r$/.test(word.slice(0, eq))) {
      const mode = word.slice(eq + 1);
      if (!["always", "auto", "never"].includes(mode)) {
        throw unknownWord("colour mode", mode, ["always", "auto", "never"]);
      }
      opts.color = mode;
      continue;
    }
    const flag = FLAGS[word];
    if (!flag) throw unknownWord("option", word, Object.keys(FLAGS));
    let value = "";
    if (flag.arg) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`Missing ${flag.arg} after "${word}"`, word);
    }
    flag.set(opts, value);
  }
  return { opts, rest: argv.slice(i) };
}
