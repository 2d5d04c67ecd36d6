/**
 * `basic`: a classifier that matches everything unless given ematches
 * (nlkit builds none: `match` is refused), with a class id and actions.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { actionWords, printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { FilterKind } from "../kind.ts";

const TCA_BASIC_CLASSID = 1, TCA_BASIC_EMATCHES = 2, TCA_BASIC_ACT = 3;

/** `TCA_BASIC_*`, in the order tc sends them. */
const BASIC_ATTRS = {
  classid: { type: TCA_BASIC_CLASSID, kind: "u32" },
  ematches: { type: TCA_BASIC_EMATCHES, kind: "bytes" },
  actions: { type: TCA_BASIC_ACT, kind: "codec", codec: TC_ACTION_LIST },
} as const;

/** basic options. */
export interface BasicOptions {
  /** Class to classify into. */
  classid?: number;
  /** Actions run on a match. */
  actions?: TcAction[];
  /** Extended matches as the kernel reported them (kept raw; nlkit does not build them). */
  ematches?: Uint8Array;
}

/** The basic module. */
export const basic: FilterKind = {
  kind: "basic",
  options: {
    keys: ["classid", "actions", "ematches"],
    parse(buf, view, start, end): BasicOptions {
      const { unknown: _, ...o } = parseAttrs(BASIC_ATTRS, buf, view, start, end);
      return o;
    },
    build(b, options): void {
      const o = options as BasicOptions;
      if (o.ematches) throw new InvalidArgumentError("Cannot build basic ematches: nlkit does not support them");
      b.attrs(BASIC_ATTRS, { classid: o.classid, actions: o.actions?.length ? o.actions : undefined });
    },
    print(p, options, ctx): void {
      const o = options as BasicOptions;
      if (ctx.handle) p.field("any", "handle", "handle %s ", ctx.handle.toString(16), `0x${ctx.handle.toString(16)}`);
      if (o.classid !== undefined) p.str("flowid", "flowid %s ", formatHandle(o.classid));
      if (o.actions) printActionList(p, o.actions, ctx, true);
    },
    words(w, ctx): BasicOptions {
      const o: BasicOptions = {};
      for (let word = w.next(); word !== undefined; word = w.next()) {
        if (word === "classid" || word === "flowid") o.classid = parseHandle(w.value(word, "class id"));
        else if (word === "action") o.actions = [...(o.actions ?? []), ...actionWords(w, ctx)];
        else if (word === "match") {
          throw new InvalidArgumentError(`Cannot use basic "match": nlkit does not build ematches`);
        } else throw new InvalidArgumentError(`Unknown basic argument: "${word}"`);
      }
      return o;
    },
  },
};
