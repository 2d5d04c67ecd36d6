/**
 * Global options, before the object, matched as `ip` matches them: in the
 * order of ip/ip.c's option loop, any prefix selects the first option it
 * fits (`-s` is `-stats`, `-b` `-batch`, `-br` `-brief`, `-h` `-human`),
 * `--opt` is `-opt`, and `--` ends the options.
 *
 * @module
 */

import { didYouMean, quote, UsageError } from "./args.ts";
import { invalidArgument } from "./numbers.ts";
import { matches } from "./aliases.ts";
import type { GlobalOptions } from "./context.ts";
import { FAMILIES } from "./family.ts";
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET } from "../wire/addr.ts";

/** One global option: `word` (or a prefix, unless `exact`), its value's name, and what it sets. */
interface OptionSpec {
  readonly word: string;
  readonly exact?: boolean;
  readonly arg?: string;
  /** Applies the option; absent: ip has it, nlkit refuses it. */
  readonly set?: (o: GlobalOptions, value: string) => void;
}

const family = (af: number) => (o: GlobalOptions) => o.family = af;

/** ip's options in ip's order; `-c[olor][=MODE]` is matched separately, where ip matches it. */
const OPTIONS: readonly OptionSpec[] = [
  { word: "-loops", arg: "flush attempts" },
  { word: "-family", arg: "family", set: (o, v) => v === "help" ? o.help = true : o.family = parseFamily(v) },
  { word: "-4", exact: true, set: family(AF_INET) },
  { word: "-6", exact: true, set: family(AF_INET6) },
  { word: "-0", exact: true, set: family(AF_PACKET) },
  { word: "-M", exact: true, set: family(AF_MPLS) },
  { word: "-B", exact: true, set: family(AF_BRIDGE) },
  { word: "-human" },
  { word: "-human-readable" },
  { word: "-iec" },
  { word: "-stats", set: (o) => o.stats++ },
  { word: "-statistics", set: (o) => o.stats++ },
  { word: "-details", set: (o) => o.details++ },
  { word: "-resolve" },
  { word: "-oneline", set: (o) => o.oneline = true },
  { word: "-timestamp", set: (o) => o.timestamp++ },
  {
    word: "-tshort",
    set: (o) => {
      o.timestamp++;
      o.timestampShort = true;
    },
  },
  { word: "-Version", set: (o) => o.version = true },
  { word: "-force", set: (o) => o.force = true },
  { word: "-batch", arg: "batch file", set: (o, v) => o.batch = v },
  { word: "-brief", set: (o) => o.brief = true },
  { word: "-json", set: (o) => o.json = true },
  { word: "-pretty", set: (o) => o.pretty = true },
  { word: "-rcvbuf", arg: "buffer size" },
];

/** The options after `-color` in ip's loop. */
const AFTER_COLOR: readonly OptionSpec[] = [
  { word: "-help", set: (o) => o.help = true },
  { word: "-netns", arg: "namespace name", set: (o, v) => o.netns = v },
  { word: "-Numeric" },
  { word: "-all" },
  { word: "-echo", exact: true },
  // nlkit's own: GNU-style `--version` (ip has only -Version).
  { word: "-version", set: (o) => o.version = true },
  { word: "-pcap", exact: true, arg: "pcap file", set: (o, v) => o.pcap = v },
];

const COLOR_MODES = ["always", "auto", "never"];

function parseFamily(name: string): number {
  const af = FAMILIES.get(name);
  // ip's invarg() wording.
  if (af === undefined) throw invalidArgument(name, "invalid protocol family");
  return af;
}

function pick(table: readonly OptionSpec[], opt: string): OptionSpec | undefined {
  return table.find((s) => s.exact ? s.word === opt : matches(opt, s.word));
}

/** `-c`, `-color`, `-c=MODE` (any prefix of `-color`); true when `opt` is one. */
function colorOption(o: GlobalOptions, opt: string): boolean {
  const eq = opt.indexOf("=");
  if (!matches(eq < 0 ? opt : opt.slice(0, eq), "-color")) return false;
  const mode = eq < 0 ? "always" : opt.slice(eq + 1) || "always";
  // ip takes any other mode for an unknown option.
  if (!COLOR_MODES.includes(mode)) {
    throw new UsageError(`Option ${quote(opt)} is unknown, try "nlkit -help".`, opt, true);
  }
  o.color = mode;
  return true;
}

/** Fresh defaults. */
function defaultOptions(): GlobalOptions {
  return {
    json: false,
    pretty: false,
    details: 0,
    stats: 0,
    force: false,
    color: "never",
    version: false,
    help: false,
    brief: false,
    oneline: false,
    timestamp: 0,
    timestampShort: false,
  };
}

/** What {@link parseGlobal} found. */
export interface ParsedGlobal {
  /** The options. */
  opts: GlobalOptions;
  /** The words after the options (the object and its arguments). */
  rest: string[];
  /** The first option ip has and nlkit refuses, e.g. `-human` for `-h`. */
  refused?: string;
}

/** Splits the leading global options off `argv`. */
export function parseGlobal(argv: readonly string[]): ParsedGlobal {
  const opts = defaultOptions();
  let refused: string | undefined;
  let i = 0;
  for (; i < argv.length && argv[i].startsWith("-"); i++) {
    const word = argv[i];
    if (word === "--") {
      i++;
      break;
    }
    const opt = word.startsWith("--") ? word.slice(1) : word;
    const before = pick(OPTIONS, opt);
    if (!before && colorOption(opts, opt)) continue;
    const spec = before ?? pick(AFTER_COLOR, opt);
    if (!spec) {
      const known = [...OPTIONS, ...AFTER_COLOR].filter((s) => s.set && !s.exact).map((s) => s.word);
      throw new UsageError(
        `Option ${quote(word)} is unknown, try "nlkit -help"${didYouMean(word, known)}.`,
        word,
        true,
      );
    }
    let value = "";
    if (spec.arg) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`Missing ${spec.arg} after ${quote(word)}`, word);
    }
    if (spec.set) spec.set(opts, value);
    else refused ??= spec.word;
  }
  return { opts, rest: argv.slice(i), refused };
}
