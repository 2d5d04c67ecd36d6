/**
 * `basic`: a classifier that matches everything, or what its extended
 * matches (`match EXPR`, see ematch.ts) select, with a class id and
 * actions.
 *
 * @module
 */

import { parseAttrs } from "../../../wire/table.ts";
import { printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { formatHandle } from "../handle.ts";
import type { FilterKind } from "../kind.ts";
import { known } from "../payload.ts";
import { readWords, type WordTable } from "../word_table.ts";
import { CLASS_ACTION_WORDS } from "./words.ts";
import { EMATCH_TREE, type EmatchTerm, ematchWords, printEmatch } from "./ematch.ts";

const TCA_BASIC_CLASSID = 1, TCA_BASIC_EMATCHES = 2, TCA_BASIC_ACT = 3;

/** `TCA_BASIC_*`, in the order tc sends them for `match EXPR classid ID action ...`. */
const BASIC_ATTRS = {
  ematches: { type: TCA_BASIC_EMATCHES, kind: "codec", codec: EMATCH_TREE },
  classid: { type: TCA_BASIC_CLASSID, kind: "u32" },
  actions: { type: TCA_BASIC_ACT, kind: "codec", codec: TC_ACTION_LIST },
} as const;

/** basic options. */
export interface BasicOptions {
  /** Class to classify into. */
  classid?: number;
  /** Actions run on a match. */
  actions?: TcAction[];
  /** Extended matches (`match EXPR`): terms joined by and/or. */
  ematches?: EmatchTerm[];
}

const WORDS: WordTable<BasicOptions> = {
  ...CLASS_ACTION_WORDS,
  match: { key: "ematches", read: (w) => ematchWords(w) },
};

/** The basic module. */
export const basic: FilterKind = {
  kind: "basic",
  options: {
    keys: ["classid", "actions", "ematches"],
    parse: (buf, view, start, end): BasicOptions => known(parseAttrs(BASIC_ATTRS, buf, view, start, end)),
    build(b, options): void {
      const o = options as BasicOptions;
      b.attrs(BASIC_ATTRS, {
        classid: o.classid,
        ematches: o.ematches,
        actions: o.actions?.length ? o.actions : undefined,
      });
    },
    print(p, options, ctx): void {
      const o = options as BasicOptions;
      if (ctx.handle) p.field("any", "handle", "handle %s ", ctx.handle.toString(16), `0x${ctx.handle.toString(16)}`);
      if (o.classid !== undefined) p.str("flowid", "flowid %s ", formatHandle(o.classid));
      if (o.ematches) printEmatch(p, o.ematches);
      if (o.actions) printActionList(p, o.actions, ctx, true);
    },
    words: (w, ctx): BasicOptions => readWords<BasicOptions>(w, "basic", WORDS, {}, ctx),
  },
};
