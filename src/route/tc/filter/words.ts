/**
 * The words classifiers share, as word-table rules: `classid`/`flowid`,
 * `action ...` (appended, as tc repeats them) and `skip_hw`/`skip_sw`.
 *
 * @module
 */

import { actionWords, type TcAction } from "../action/list.ts";
import { parseHandle } from "../handle.ts";
import type { WordRule, WordTable } from "../word_table.ts";
import { clsFlagWord } from "./flags.ts";

const CLASSID: WordRule<{ classid?: number }> = {
  key: "classid",
  read: (w, word) => parseHandle(w.value(word, "class id")),
};

/** `classid`/`flowid CLASSID` and `action ...`: the class and actions of a classifier's matches. */
export const CLASS_ACTION_WORDS: WordTable<{ classid?: number; actions?: TcAction[] }> = {
  classid: CLASSID,
  flowid: CLASSID,
  action: {
    key: "actions",
    apply(w, _word, o, ctx): void {
      o.actions = [...(o.actions ?? []), ...actionWords(w, ctx)];
    },
  },
};

const CLS_FLAG: WordRule<{ flags?: number }> = { key: "flags", apply: (_w, word, o) => clsFlagWord(word, o) };

/** `skip_hw` and `skip_sw`: `TCA_CLS_FLAGS_*` bits. */
export const CLS_FLAG_WORDS: WordTable<{ flags?: number }> = { skip_hw: CLS_FLAG, skip_sw: CLS_FLAG };
