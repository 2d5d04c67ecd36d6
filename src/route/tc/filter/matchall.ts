/**
 * `matchall`: every packet matches; used to run actions on all traffic.
 *
 * @module
 */

import { parseAttrs } from "../../../wire/table.ts";
import { printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { formatHandle } from "../handle.ts";
import type { FilterKind } from "../kind.ts";
import { known } from "../payload.ts";
import { readWords, type WordTable } from "../word_table.ts";
import { CLASS_ACTION_WORDS, CLS_FLAG_WORDS } from "./words.ts";
import { checkClsFlags, printClsFlags } from "./flags.ts";

const TCA_MATCHALL_CLASSID = 1, TCA_MATCHALL_ACT = 2, TCA_MATCHALL_FLAGS = 3;

/** `TCA_MATCHALL_*`, in the order tc sends them. */
const MATCHALL_ATTRS = {
  classid: { type: TCA_MATCHALL_CLASSID, kind: "u32" },
  actions: { type: TCA_MATCHALL_ACT, kind: "codec", codec: TC_ACTION_LIST },
  flags: { type: TCA_MATCHALL_FLAGS, kind: "u32" },
} as const;

/** matchall options. */
export interface MatchallOptions {
  /** Class to classify into. */
  classid?: number;
  /** Actions run on every packet. */
  actions?: TcAction[];
  /** `TCA_CLS_FLAGS_*` (skip_hw 1, skip_sw 2). */
  flags?: number;
}

const WORDS: WordTable<MatchallOptions> = { ...CLASS_ACTION_WORDS, ...CLS_FLAG_WORDS };

/** The matchall module. */
export const matchall: FilterKind = {
  kind: "matchall",
  options: {
    keys: ["classid", "actions", "flags"],
    parse: (buf, view, start, end): MatchallOptions => known(parseAttrs(MATCHALL_ATTRS, buf, view, start, end)),
    build(b, options): void {
      const o = options as MatchallOptions;
      checkClsFlags(o.flags);
      b.attrs(MATCHALL_ATTRS, {
        classid: o.classid,
        actions: o.actions?.length ? o.actions : undefined,
        flags: o.flags || undefined,
      });
    },
    print(p, options, ctx): void {
      const o = options as MatchallOptions;
      if (ctx.handle) p.field("any", "handle", "handle %s ", ctx.handle, `0x${ctx.handle.toString(16)}`);
      if (o.classid !== undefined) p.str("flowid", "flowid %s ", formatHandle(o.classid));
      printClsFlags(p, o.flags ?? 0, true);
      if (o.actions) printActionList(p, o.actions, ctx, true);
    },
    words: (w, ctx): MatchallOptions => readWords<MatchallOptions>(w, "matchall", WORDS, {}, ctx),
  },
};
