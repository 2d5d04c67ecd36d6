/**
 * tc's own options, after `tc` (`tc -s -d -j qdisc show`), matched as tc.c's
 * option loop matches them: in its order, any prefix selects the first
 * option it fits (`-s` is `-stats`, `-n` `-netns`, `-j` `-json`).
 *
 * @module
 */

import { quote, UsageError } from "./args.ts";
import { matches } from "./aliases.ts";
import type { Args } from "./args.ts";
import type { Context } from "./context.ts";

/** tc.c's options in its order: what each applies, or absent where nlkit tc refuses it. */
const TC_OPTIONS: readonly { word: string; arg?: boolean; set?: (c: Context, v: string) => void }[] = [
  { word: "-stats", set: (c) => c.opts.stats++ },
  { word: "-statistics", set: (c) => c.opts.stats++ },
  { word: "-details", set: (c) => c.opts.details++ },
  { word: "-raw" },
  { word: "-pretty", set: (c) => c.opts.pretty = true },
  { word: "-graph" },
  { word: "-Version", set: (c) => c.opts.version = true },
  { word: "-iec" },
  { word: "-help", set: (c) => c.opts.help = true },
  { word: "-force", set: (c) => c.opts.force = true },
  { word: "-batch", arg: true },
  { word: "-netns", arg: true, set: (c, v) => c.opts.netns = c.lib.netns = v },
  { word: "-names" },
  { word: "-nm" },
  { word: "-cf", arg: true },
  { word: "-conf", arg: true },
  { word: "-color" },
  { word: "-timestamp" },
  { word: "-tshort" },
  { word: "-json", set: (c) => c.opts.json = true },
  { word: "-oneline" },
  { word: "-echo" },
];

/**
 * Reads tc's leading options off `args` into a copy of `ctx` (the caller's
 * own options stay as they are). Throws a usage error for an unknown option,
 * and for one tc has and nlkit tc does not apply.
 */
export function tcOptions(ctx: Context, args: Args): Context {
  const c: Context = { ...ctx, opts: { ...ctx.opts }, lib: { ...ctx.lib } };
  for (let word = args.peek(); word?.startsWith("-") && word.length > 1; word = args.peek()) {
    args.next();
    const opt = word.startsWith("--") ? word.slice(1) : word;
    const spec = TC_OPTIONS.find((o) => matches(opt, o.word) || (o.word === "-color" && opt.startsWith("-c")));
    if (!spec) throw new UsageError(`Option ${quote(word)} is unknown, try "tc -help".`, word, true);
    if (!spec.set) throw new UsageError(`Option ${quote(spec.word)} is not supported by nlkit tc`, word);
    const value = spec.arg ? args.next() : "";
    if (value === undefined) throw new UsageError(`Missing value after ${quote(word)}`, word);
    spec.set(c, value);
  }
  return c;
}
