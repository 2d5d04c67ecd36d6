/**
 * `gact`: the generic verdicts (`pass`, `drop`, `pipe`, `reclassify`,
 * `continue`, `goto chain N`, `jump N`, `trap`), optionally random.
 *
 * @module
 */

import { forEachAttr, parseStruct, type StructValue } from "../../../wire/table.ts";
import type { ActionKind } from "../kind.ts";
import type { TcWords } from "../words.ts";
import { printTimes, printVerdict, readVerdict, TC_GEN, TCF_T } from "./control.ts";

const TCA_GACT_TM = 1, TCA_GACT_PARMS = 2, TCA_GACT_PROB = 3;
const GACT_PROB = { ptype: "u16", pval: "u16", paction: "s32" } as const;
const PTYPES = ["none", "netrand", "determ"];

/** gact options. */
export interface GactOptions {
  /** The verdict (`TC_ACT_*`). */
  action?: number;
  /** A second verdict taken at random (`random netrand|determ VERDICT VAL`). */
  random?: { type: "netrand" | "determ"; action: number; value: number };
  /** Shared action index. */
  index?: number;
  /** References (reported). */
  refcnt?: number;
  /** Filters bound (reported). */
  bindcnt?: number;
  /** Times in clock ticks (reported). */
  tm?: StructValue<typeof TCF_T>;
}

function words(w: TcWords): GactOptions {
  const o: GactOptions = {};
  if (w.peek() === "gact") w.next();
  if (w.peek() !== "index") {
    const v = readVerdict(w);
    if (v === undefined) {
      throw new TypeError(`Invalid gact verdict: "${w.peek() ?? ""}" (expected pass, drop, pipe, ...)`);
    }
    o.action = v;
    if (w.peek() === "random") {
      w.next();
      const type = w.value("random", "netrand or determ");
      if (type !== "netrand" && type !== "determ") {
        throw new TypeError(`Invalid random type: "${type}" (expected netrand or determ)`);
      }
      const action = readVerdict(w);
      if (action === undefined) throw new TypeError(`Missing verdict after "random ${type}"`);
      o.random = { type, action, value: w.int("random", 0, 10000) };
    }
  }
  if (w.peek() === "index") {
    w.next();
    o.index = w.int("index");
  }
  return o;
}

/** The gact module. */
export const gact: ActionKind = {
  kind: "gact",
  options: {
    keys: ["action", "index", "refcnt", "bindcnt", "tm", "random"],
    parse(_buf, view, start, end): GactOptions {
      const o: GactOptions = {};
      forEachAttr(view, start, end, (t, s, e) => {
        const type = t & 0x3fff;
        if (type === TCA_GACT_PARMS) {
          const p = parseStruct(TC_GEN, view, s, e);
          Object.assign(o, { action: p.action, index: p.index, refcnt: p.refcnt, bindcnt: p.bindcnt });
        } else if (type === TCA_GACT_PROB) {
          const p = parseStruct(GACT_PROB, view, s, e);
          o.random = { type: PTYPES[p.ptype] as "netrand", action: p.paction, value: p.pval };
        } else if (type === TCA_GACT_TM) o.tm = parseStruct(TCF_T, view, s, e);
      });
      return o;
    },
    build(b, options): void {
      const o = options as GactOptions;
      b.attr(TCA_GACT_PARMS, (x) => x.struct(TC_GEN, { index: o.index ?? 0, action: o.action ?? 0 }));
      const r = o.random;
      if (r) {
        b.attr(
          TCA_GACT_PROB,
          (x) => x.struct(GACT_PROB, { ptype: PTYPES.indexOf(r.type), pval: r.value, paction: r.action }),
        );
      }
    },
    print(p, options, ctx): void {
      const o = options as GactOptions;
      p.str("kind", "%s ", "gact");
      printVerdict(p, "action ", o.action ?? 0, "");
      const r = o.random ?? { type: "none", action: 0, value: 0 };
      p.open("prob");
      p.nl();
      p.str("random_type", "\t random type %s", r.type);
      printVerdict(p, " ", r.action, " ");
      p.uint("val", "val %s", r.value);
      p.close();
      p.nl();
      p.uint("index", "\t index %s", o.index ?? 0);
      p.uint("ref", " ref %s", o.refcnt ?? 0);
      p.uint("bind", " bind %s", o.bindcnt ?? 0);
      if (ctx.stats && o.tm) printTimes(p, o.tm);
      p.nl();
    },
    words,
  },
};
