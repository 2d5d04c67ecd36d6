/**
 * Lists of actions, as filters carry them (`TCA_*_ACT`) and as shared
 * action messages do (`TCA_ACT_TAB`): decoding, encoding, printing and
 * `tc`'s `action KIND ... [action KIND ...]` words.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { NLA_F_NESTED } from "../../../wire/constants.ts";
import { copyDefined, type FieldCopies } from "../../../wire/copy.ts";
import { type Codec, forEachAttr, parseAttrs } from "../../../wire/table.ts";
import { TruncatedError } from "../../../wire/errors.ts";
import { decodeIn, TC_HEX, TC_KIND, TC_PAYLOAD } from "../payload.ts";
import { TCA_ACT, TCA_ACT_MAX_PRIO } from "../constants.ts";
import type { PrintContext, WordsContext } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { printStats, TCA_STATS_ATTRS, type TcStats, withoutApp } from "../stats.ts";
import type { TcWords } from "../words.ts";
import { ACTION_PARMS_KEYS, verdictOf } from "./control.ts";
import { actionKind } from "./registry.ts";
import { checkKeys } from "../../../wire/invalid.ts";

/** One action. */
export interface TcAction {
  /** `gact`, `mirred`, ... */
  kind: string;
  /** Position in the list (1-based), as the kernel numbers it. */
  order?: number;
  /** Options decoded by the kind's module; raw bytes for a kind nlkit does not know. */
  options?: unknown;
  /** Shared action index (`TCA_ACT_INDEX`), for actions referred to by index. */
  index?: number;
  /** Statistics. */
  stats?: TcStats;
  /** Opaque user cookie, as hex. */
  cookie?: string;
  /** `TCA_ACT_FLAGS_*` bits set (`no_percpu` 1, `skip_hw` 2, `skip_sw` 4). */
  flags?: number;
  /** Hardware offload count (reported). */
  inHwCount?: number;
  /** Hardware statistics types asked for (`TCA_ACT_HW_STATS_*` bits; reported). */
  hwStats?: number;
  /** Hardware statistics types in use (reported). */
  usedHwStats?: number;
}

const ACTION_KEYS = [
  "kind",
  "order",
  "options",
  "index",
  "stats",
  "cookie",
  "flags",
  "inHwCount",
  "hwStats",
  "usedHwStats",
];

/** `NLA_BITFIELD32` (value, selector): parsed as the selected bits; built with every given bit selected. */
const BITFIELD32: Codec<number> = {
  parse: (_buf, view, start, end) => {
    if (end - start < 8) throw new TruncatedError("bitfield32", start, 8, end - start);
    return view.getUint32(start, true) & view.getUint32(start + 4, true);
  },
  build: (b, bits) => void b.scalar("u32", bits).scalar("u32", bits),
};

/** `TCA_ACT_*` of one action, in the order tc sends them (`TCA_ACT_OPTIONS` is nested apart, see {@link buildAction}). */
const TCA_ACT_ATTRS = {
  kind: { type: TCA_ACT.TCA_ACT_KIND, kind: "codec", codec: TC_KIND },
  options: { type: TCA_ACT.TCA_ACT_OPTIONS, kind: "codec", codec: TC_PAYLOAD },
  cookie: { type: TCA_ACT.TCA_ACT_COOKIE, kind: "codec", codec: TC_HEX },
  flags: { type: TCA_ACT.TCA_ACT_FLAGS, kind: "codec", codec: BITFIELD32 },
  index: { type: TCA_ACT.TCA_ACT_INDEX, kind: "u32" },
  stats: { type: TCA_ACT.TCA_ACT_STATS, kind: "nested", table: TCA_STATS_ATTRS },
  inHwCount: { type: TCA_ACT.TCA_ACT_IN_HW_COUNT, kind: "u32" },
  hwStats: { type: TCA_ACT.TCA_ACT_HW_STATS, kind: "codec", codec: BITFIELD32 },
  usedHwStats: { type: TCA_ACT.TCA_ACT_USED_HW_STATS, kind: "codec", codec: BITFIELD32 },
} as const;

const ACTION_FIELDS: FieldCopies = ["cookie", "flags", "inHwCount", "hwStats", "usedHwStats"];

/** Decodes one action's attributes. */
export function parseAction(buf: Uint8Array, view: DataView, start: number, end: number): TcAction {
  const a = parseAttrs(TCA_ACT_ATTRS, buf, view, start, end);
  // Built field by field: no rest copy, no delete (both are slow paths in the engines).
  const out: TcAction = { kind: a.kind ?? "" };
  if (a.options) out.options = decodeIn(actionKind(out.kind)?.options, buf, view, a.options);
  if (a.index !== undefined) out.index = a.index;
  if (a.stats) out.stats = withoutApp(a.stats);
  copyDefined(out, a, ACTION_FIELDS);
  return out;
}

/** Decodes a list of actions (each nested under its order number). */
export function parseActionList(buf: Uint8Array, view: DataView, start: number, end: number): TcAction[] {
  const out: TcAction[] = [];
  forEachAttr(view, start, end, (t, s, e) => {
    const a = parseAction(buf, view, s, e);
    a.order = t & 0x3fff;
    out.push(a);
  });
  return out;
}

/** Writes one action's attributes (kind, options, cookie, flags) as `tc` does. */
export function buildAction(b: MessageBuilder, a: TcAction): void {
  checkKeys(a, ACTION_KEYS, "action");
  const k = actionKind(a.kind);
  if (!k) throw new InvalidArgumentError(`Unknown action kind: "${a.kind}"`);
  if (a.options !== undefined) checkKeys(a.options, [...ACTION_PARMS_KEYS, ...k.options.keys], `${a.kind} options`);
  if (a.cookie !== undefined && !/^([0-9a-f]{2}){1,16}$/i.test(a.cookie)) {
    throw new InvalidArgumentError(`Invalid action cookie: "${a.cookie}" (expected up to 16 bytes as hex)`);
  }
  b.attrs(TCA_ACT_ATTRS, { kind: a.kind });
  // tc nests the options with NLA_F_NESTED, which a table's codec entry does not set.
  if (a.options !== undefined) b.attr(TCA_ACT.TCA_ACT_OPTIONS | NLA_F_NESTED, (x) => k.options.build(x, a.options));
  b.attrs(TCA_ACT_ATTRS, { cookie: a.cookie, flags: a.flags || undefined });
}

/** Writes a list of actions under attribute `type` (numbered from 1). */
export function buildActionList(b: MessageBuilder, type: number, actions: readonly TcAction[]): void {
  b.attr(type, (x) => TC_ACTION_LIST.build(x, actions as TcAction[]));
}

/** A list of actions as a table attribute (`TCA_*_ACT`): each nested under its order number. */
export const TC_ACTION_LIST: Codec<TcAction[]> = {
  parse: parseActionList,
  build(b, actions): void {
    if (actions.length > TCA_ACT_MAX_PRIO) {
      throw new InvalidArgumentError(`Cannot attach ${actions.length} actions (at most ${TCA_ACT_MAX_PRIO})`);
    }
    actions.forEach((a, i) => b.attr(i + 1, (y) => buildAction(y, a)));
  },
};

/** Prints one action (`tc_print_one_action`); `bind`: inside a filter. */
export function printAction(p: TcPrinter, a: TcAction, ctx: PrintContext, bind: boolean): void {
  const k = actionKind(a.kind);
  // tc's print_aopt refuses an action without TCA_ACT_OPTIONS, and prints nothing more of it.
  if (!k || a.options === undefined) return;
  k.options.print(p, a.options, ctx);
  if (ctx.stats && a.stats) {
    p.text("\tAction statistics:");
    p.nl();
    p.open("stats");
    printStats(p, a.stats, "\t");
    p.close();
    p.nl();
  }
  if (a.cookie !== undefined) {
    p.str("cookie", "\tcookie %s", a.cookie);
    p.nl();
  }
  if (a.flags !== undefined || a.inHwCount !== undefined) printFlags(p, a, bind);
  if (a.hwStats !== undefined) printHwStats(p, "hw_stats", a.hwStats);
  if (a.usedHwStats !== undefined) printHwStats(p, "used_hw_stats", a.usedHwStats);
}

function printHwStats(p: TcPrinter, key: string, bits: number): void {
  p.text("\t");
  p.openArray(key);
  p.text(key);
  for (const [name, bit] of [["immediate", 1], ["delayed", 2], ["disabled", 0]] as const) {
    if ((!bits && !bit) || bits & bit) p.str(undefined, " %s", name);
  }
  p.close();
  p.nl();
}

function printFlags(p: TcPrinter, a: TcAction, bind: boolean): void {
  let newline = false, skipHw = false;
  const f = a.flags ?? 0;
  if (f & 1) {
    newline = true;
    p.bool("no_percpu", "\tno_percpu", true);
  }
  if (!bind && f & 2) {
    newline = skipHw = true;
    p.bool("skip_hw", "\tskip_hw", true);
  }
  if (!bind && f & 4) {
    newline = true;
    p.bool("skip_sw", "\tskip_sw", true);
  }
  if (a.inHwCount !== undefined && !bind && !skipHw) {
    newline = true;
    if (a.inHwCount) {
      p.bool("in_hw", "\tin_hw", true);
      p.uint("in_hw_count", " in_hw_count %s", a.inHwCount);
    } else p.bool("not_in_hw", "\tnot_in_hw", true);
  }
  if (newline) p.nl();
}

/** Prints a list of actions as `tc_dump_action` does. */
export function printActionList(p: TcPrinter, actions: readonly TcAction[], ctx: PrintContext, bind: boolean): void {
  p.openArray("actions");
  for (const a of actions) {
    p.open();
    p.nl();
    p.uint("order", "\taction order %s: ", a.order ?? 0);
    printAction(p, a, ctx, bind);
    p.close();
  }
  p.close();
}

/**
 * Reads `tc`'s action words: `action KIND ARGS [cookie HEX] [no_percpu]
 * [skip_hw|skip_sw] [action ...]`. A bare verdict (`drop`, `pass`) is a
 * gact. Stops at the first word that starts no action.
 */
export function actionWords(w: TcWords, ctx: WordsContext): TcAction[] {
  const out: TcAction[] = [];
  for (let word = w.peek(); word !== undefined; word = w.peek()) {
    if (word === "action") {
      w.next();
      if (w.done) throw new InvalidArgumentError(`Missing action kind after "action"`);
      continue;
    }
    const kind = verdictOf(word) !== undefined ? "gact" : word;
    const k = actionKind(kind);
    if (!k) {
      if (out.length === 0) throw new InvalidArgumentError(`Unknown action kind: "${word}"`);
      break;
    }
    if (kind === word) w.next();
    const a: TcAction = { kind, options: k.options.words(w, ctx) };
    if (w.peek() === "cookie") {
      w.next();
      a.cookie = w.value("cookie", "hex string");
    }
    let flags = 0;
    if (w.peek() === "no_percpu") {
      w.next();
      flags |= 1;
    }
    for (let i = 0; i < 2; i++) {
      if (w.peek() === "skip_sw") flags |= 4;
      else if (w.peek() === "skip_hw") flags |= 2;
      else break;
      w.next();
    }
    if (flags) a.flags = flags;
    out.push(a);
  }
  if (out.length === 0) throw new InvalidArgumentError(`Missing action after "action"`);
  return out;
}
