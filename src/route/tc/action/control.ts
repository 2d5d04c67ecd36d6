/**
 * Action verdicts (`pass`, `drop`, `pipe`, `goto chain N`, ...) read and
 * printed as `tc` does, and the header every action's parameters start
 * with (`struct tc_gen`).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { TC_ACT } from "../constants.ts";
import type { TcPrinter } from "../printer.ts";
import type { TcWords } from "../words.ts";
import type { StructValue } from "../../../wire/table.ts";

/** `tc_gen`: the fields every action's parameter struct starts with. */
export const TC_GEN = { index: "u32", capab: "u32", action: "s32", refcnt: "s32", bindcnt: "s32" } as const;

const EXT_MASK = (1 << 28) - 1;

/** Verb names in tc's match order (a prefix selects the first that it starts). */
const VERBS: readonly [string, number][] = [
  ["continue", TC_ACT.TC_ACT_UNSPEC],
  ["drop", TC_ACT.TC_ACT_SHOT],
  ["shot", TC_ACT.TC_ACT_SHOT],
  ["pass", TC_ACT.TC_ACT_OK],
  ["ok", TC_ACT.TC_ACT_OK],
  ["reclassify", TC_ACT.TC_ACT_RECLASSIFY],
  ["pipe", TC_ACT.TC_ACT_PIPE],
  ["goto", TC_ACT.TC_ACT_GOTO_CHAIN],
  ["jump", TC_ACT.TC_ACT_JUMP],
  ["trap", TC_ACT.TC_ACT_TRAP],
];

/** The verdict a word names (prefixes as tc's `matches`), or undefined. */
export function verdictOf(word: string): number | undefined {
  return VERBS.find(([name]) => word.length > 0 && name.startsWith(word))?.[1];
}

/** Reads a verdict (`goto chain N` and `jump N` take their number); undefined if the next word is none. */
export function readVerdict(w: TcWords): number | undefined {
  const word = w.peek();
  const v = word === undefined ? undefined : verdictOf(word);
  if (v === undefined) return undefined;
  w.next();
  if (v === TC_ACT.TC_ACT_GOTO_CHAIN) {
    if (w.next() !== "chain") throw new InvalidArgumentError(`Missing "chain" after "goto"`);
    return (v | w.int("chain", 0, EXT_MASK)) >>> 0 | 0;
  }
  if (v === TC_ACT.TC_ACT_JUMP) return v | w.int("jump", 0, EXT_MASK);
  return v;
}

const VERDICT_NAMES: Record<number, string> = {
  [-1]: "continue",
  0: "pass",
  1: "reclassify",
  2: "drop",
  3: "pipe",
  4: "stolen",
  8: "trap",
};

/** Names a verdict as tc prints it. */
export function verdictName(action: number): string {
  const op = action & ~EXT_MASK;
  if (op === TC_ACT.TC_ACT_GOTO_CHAIN) return "goto";
  if (op === TC_ACT.TC_ACT_JUMP) return "jump";
  return VERDICT_NAMES[action] ?? String(action);
}

/** Prints a verdict as `print_action_control`. */
export function printVerdict(p: TcPrinter, prefix: string, action: number, suffix: string): void {
  p.text(prefix);
  p.open("control_action");
  p.str("type", "%s", verdictName(action));
  const op = action & ~EXT_MASK;
  if (op === TC_ACT.TC_ACT_GOTO_CHAIN) p.uint("chain", " chain %s", action & EXT_MASK);
  if (op === TC_ACT.TC_ACT_JUMP) p.uint("jump", " %s", action & EXT_MASK);
  p.close();
  p.text(suffix);
}

/** Prints an action's install and use times (`print_tm`), in seconds of USER_HZ ticks. */
export function printTimes(
  p: TcPrinter,
  tm: { install: number; lastuse: number; expires: number; firstuse: number },
): void {
  const hz = 100;
  if (tm.install) p.uint("installed", " installed %s sec", Math.trunc(tm.install / hz));
  if (tm.lastuse) p.uint("last_used", " used %s sec", Math.trunc(tm.lastuse / hz));
  if (tm.firstuse) p.uint("first_used", " firstused %s sec", Math.trunc(tm.firstuse / hz));
  if (tm.expires) p.uint("expires", " expires %s sec", Math.trunc(tm.expires / hz));
}

/** `struct tcf_t`: when an action was installed, last used, first used (clock ticks). */
export const TCF_T = { install: "u64", lastuse: "u64", expires: "u64", firstuse: "u64" } as const;

/** The option keys of {@link ActionParms}, which every action's options accept. */
export const ACTION_PARMS_KEYS = ["action", "index", "refcnt", "bindcnt", "tm"] as const;

/** The common fields of an action's parameters. */
export interface ActionParms {
  /** The verdict after the action (`TC_ACT_*`). */
  action?: number;
  /** Shared action index (0: the kernel picks one). */
  index?: number;
  /** References (reported). */
  refcnt?: number;
  /** Filters bound (reported). */
  bindcnt?: number;
  /** Times in clock ticks (reported). */
  tm?: StructValue<typeof TCF_T>;
}

/** Reads tc's tail of most actions: an optional verdict (default `dflt`), then `index N`. */
export function readTail(w: TcWords, dflt: number): { action: number; index?: number } {
  const action = readVerdict(w) ?? dflt;
  if (w.peek() !== "index") return { action };
  w.next();
  return { action, index: w.int("index") };
}

/** The `tc_gen` fields a request carries: index and verdict (`dflt` when not given), the rest zero. */
export function genParms(o: ActionParms, dflt: number): StructValue<typeof TC_GEN> {
  return { index: o.index ?? 0, capab: 0, action: o.action ?? dflt, refcnt: 0, bindcnt: 0 };
}

/** Copies the `tc_gen` fields of a parsed struct into action options. */
export function genFields(g: StructValue<typeof TC_GEN>): ActionParms {
  return { action: g.action, index: g.index, refcnt: g.refcnt, bindcnt: g.bindcnt };
}

/** Prints an action's usual tail: its verdict, then a line with its index, references and (with `-s`) times. */
export function printTail(p: TcPrinter, o: ActionParms, indexFmt: string, stats: number): void {
  printVerdict(p, " ", o.action ?? 0, "");
  p.nl();
  printRefs(p, o, indexFmt, stats);
  p.nl();
}

/** Prints `index N ref N bind N` with tc's separator, then times with `-s`. */
export function printRefs(p: TcPrinter, o: ActionParms, indexFmt: string, stats: number): void {
  p.uint("index", indexFmt, o.index ?? 0);
  p.uint("ref", " ref %s", o.refcnt ?? 0);
  p.uint("bind", " bind %s", o.bindcnt ?? 0);
  if (stats && o.tm) printTimes(p, o.tm);
}
