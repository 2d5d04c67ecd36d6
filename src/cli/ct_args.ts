/**
 * conntrack-tools' command line, parsed from one option table: the same
 * commands, filters and output flags, plus word aliases (`nlkit ct list`).
 *
 * @module
 */

import { unknownWord, UsageError } from "./args.ts";
import { checkCtOptions, type CtRow, protoOptions } from "./ct_options.ts";
import { type CtArgs, type CtCommand, CtOptionConflict, type CtTable } from "./ct_arg_types.ts";
import { BY_NAME, type OptSpec } from "./ct_arg_table.ts";

/** Words accepted in place of the command flags. */
export const CT_WORDS: ReadonlyMap<string, CtCommand> = new Map([
  ["list", "list"],
  ["show", "list"],
  ["ls", "list"],
  ["dump", "list"],
  ["get", "get"],
  ["delete", "delete"],
  ["del", "delete"],
  ["create", "create"],
  ["add", "add"],
  ["update", "update"],
  ["event", "event"],
  ["events", "event"],
  ["flush", "flush"],
  ["count", "count"],
  ["stats", "stats"],
]);

const TABLES: readonly CtTable[] = ["expect", "conntrack", "dying", "unconfirmed"];

/** conntrack's table word after a command: any prefix of a table name, tried in conntrack's order. */
function tableOf(word: string): CtTable {
  if (word === "expectation") return "expect";
  const t = TABLES.find((t) => t.startsWith(word));
  if (!t) throw new UsageError(`unknown type \`${word}'`, word);
  return t;
}

/** Whether the extension of the protocol `-p` has named so far has this option. */
function protoHas(protoNum: number | undefined, spec: OptSpec): boolean {
  if (protoNum === undefined) return false;
  return spec.flag ? protoOptions(protoNum).includes(spec.flag) : true;
}

/** A word that is not an option value: conntrack reads it as an optional argument (table, NAT address). */
const optionalValue = (w: string | undefined): w is string =>
  w !== undefined && !w.startsWith("-") && !w.startsWith("!");

const ROW_OF: { readonly [c in CtCommand]: CtRow } = {
  list: "list",
  get: "get",
  delete: "delete",
  create: "create",
  add: "add",
  update: "update",
  event: "event",
  flush: "flush",
  count: "count",
  stats: "stats",
  version: "version",
};

/** Parses `nlkit ct` arguments; throws {@link UsageError} (exit 2) with conntrack's words. */
export function parseCtArgs(words: readonly string[]): CtArgs {
  const a: CtArgs = {
    command: "list",
    table: "conntrack",
    zero: false,
    output: [],
    help: false,
    given: new Set(),
    stray: [],
    warnings: [],
  };
  // conntrack with no arguments at all prints its usage and succeeds.
  if (words.length === 0) a.help = true;
  let command: CtCommand | undefined;
  const setCommand = (c: CtCommand): void => {
    if (command) throw new UsageError("Invalid commands combination");
    command = c;
  };
  for (let i = 0; i < words.length; i++) {
    let word = words[i];
    let isCommand = false;
    const alias = i === 0 ? CT_WORDS.get(word) : undefined;
    if (alias) {
      setCommand(alias);
      isCommand = true;
    } else if (!word.startsWith("-") || word === "-") {
      // conntrack (getopt) skips words that are neither options nor their values, the first one too
      // (`conntrack conntrack -L`); a first word and no command is a misspelt command word.
      a.stray.push(word);
      continue;
    } else {
      let inline: string | undefined;
      const eq = word.startsWith("--") ? word.indexOf("=") : -1;
      if (eq > 0) [word, inline] = [word.slice(0, eq), word.slice(eq + 1)];
      const spec = BY_NAME.get(word);
      // A protocol's options exist once -p has named it (conntrack adds them to getopt's table then).
      if (!spec || spec.proto && !protoHas(a.protoNum, spec)) throw new UsageError(`unknown option \`${word}'`, word);
      if (spec.command) setCommand(spec.command);
      isCommand = spec.command !== undefined;
      let value = inline ?? "";
      if (spec.arg === "required" && inline === undefined) {
        if (i + 1 >= words.length) throw new UsageError(`option \`${word}' requires an argument`, word);
        value = words[++i];
      } else if (spec.arg === "optional" && inline === undefined && optionalValue(words[i + 1])) {
        value = words[++i];
      }
      spec.set?.(a, value, word);
      if (spec.flag) a.given.add(spec.flag);
    }
    // A command may be followed by its table's name, as in `-L expect`.
    if (isCommand && optionalValue(words[i + 1])) a.table = tableOf(words[++i]);
  }
  if (command && a.help) throw new UsageError("Invalid commands combination");
  if (command) a.command = command;
  else if (a.stray.length && words[0] === a.stray[0] && !a.help) {
    throw unknownWord("command or option", words[0], [...CT_WORDS.keys(), ...BY_NAME.keys()]);
  } else if (!a.help) throw new UsageError("Missing command (one of -L -G -D -I -A -U -E -F -C -S)", "ct");
  if (a.help) return a;
  if (a.table === "dying" || a.table === "unconfirmed") {
    if (a.command !== "list") throw new UsageError("Can't do that command with tables `dying' and `unconfirmed'");
  }
  if (a.table === "expect" && (a.command === "update" || a.command === "add")) {
    throw new UsageError(`Can't do --${a.command} on expectations`);
  }
  if (a.anyNat && (a.srcNat || a.dstNat)) {
    throw new UsageError("cannot specify `--src-nat' or `--dst-nat' with `--any-nat'");
  }
  if (a.statusClear && ["create", "add", "update"].includes(a.command)) {
    throw new UsageError("Can't use '!FLAG' or UNREPLIED with -u here: they only select entries");
  }
  if (a.labelAdd && a.labelDel) {
    throw new CtOptionConflict("cannot use --label-add and --label-del at the same time");
  }
  const row: CtRow = a.table === "expect" ? `exp-${ROW_OF[a.command]}` as CtRow : ROW_OF[a.command];
  // nlkit names one expectation more ways than conntrack (--tuple-*, --master-*, --helper): ct_expect.ts checks those.
  if (!["exp-create", "exp-delete", "exp-get"].includes(row)) checkCtOptions(row, a.given, a.protoNum);
  if (a.command === "list" && a.table === "conntrack" && a.zero) {
    const filtering = ["protonum", "src", "dst", "reply-src", "reply-dst", "mark", "status", "zone", "label"]
      .concat(["orig-zone", "reply-zone"]);
    if (filtering.some((f) => a.given.has(f))) throw new UsageError("Can't use -z with filtering parameters");
  }
  if (a.given.has("mask-src") && a.maskSrc !== undefined && a.origSrc === undefined && a.table === "conntrack") {
    throw new UsageError("Can't use --mask-src without --src");
  }
  if (a.given.has("mask-dst") && a.maskDst !== undefined && a.origDst === undefined && a.table === "conntrack") {
    throw new UsageError("Can't use --mask-dst without --dst");
  }
  return a;
}
