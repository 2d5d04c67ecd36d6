/**
 * `basic`: a classifier that matches everything unless given ematches
 * (nlkit builds none: `match` is refused), with a class id and actions.
 *
 * @module
 */

import { forEachAttr } from "../../../wire/table.ts";
import { actionWords, buildActionList, parseActionList, printActionList, type TcAction } from "../action/list.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { FilterKind } from "../kind.ts";

const TCA_BASIC_CLASSID = 1, TCA_BASIC_EMATCHES = 2, TCA_BASIC_ACT = 3;

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
      const o: BasicOptions = {};
      forEachAttr(view, start, end, (t, s, e) => {
        const type = t & 0x3fff;
        if (type === TCA_BASIC_CLASSID) o.classid = view.getUint32(s, true);
        else if (type === TCA_BASIC_ACT) o.actions = parseActionList(buf, view, s, e);
        else if (type === TCA_BASIC_EMATCHES) o.ematches = buf.slice(s, e);
      });
      return o;
    },
    build(b, options): void {
      const o = options as BasicOptions;
      if (o.ematches) throw new TypeError("Cannot build basic ematches: nlkit does not support them");
      if (o.classid !== undefined) b.u(TCA_BASIC_CLASSID, "u32", o.classid);
      if (o.actions?.length) buildActionList(b, TCA_BASIC_ACT, o.actions);
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
        else if (word === "match") throw new TypeError(`Cannot use basic "match": nlkit does not build ematches`);
        else throw new TypeError(`Unknown basic argument: "${word}"`);
      }
      return o;
    },
  },
};
