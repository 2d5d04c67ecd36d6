/**
 * `gact`: the generic verdicts (`pass`, `drop`, `pipe`, `reclassify`,
 * `continue`, `goto chain N`, `jump N`, `trap`), optionally random.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseAttrs } from "../../../wire/table.ts";
import type { ActionKind } from "../kind.ts";
import type { TcWords } from "../words.ts";
import {
  type ActionParms,
  genFields,
  genParms,
  printTimes,
  printVerdict,
  readVerdict,
  TC_GEN,
  TCF_T,
} from "./control.ts";

const TCA_GACT_TM = 1, TCA_GACT_PARMS = 2, TCA_GACT_PROB = 3;
const GACT_PROB = { ptype: "u16", pval: "u16", paction: "s32" } as const;
const PTYPES = ["none", "netrand", "determ"];

/** `TCA_GACT_*`, in the order tc sends them. */
const GACT_ATTRS = {
  parms: { type: TCA_GACT_PARMS, kind: "struct", struct: TC_GEN },
  prob: { type: TCA_GACT_PROB, kind: "struct", struct: GACT_PROB },
  tm: { type: TCA_GACT_TM, kind: "struct", struct: TCF_T },
} as const;

/** gact options. */
export interface GactOptions extends ActionParms {
  /** A second verdict taken at random (`random netrand|determ VERDICT VAL`). */
  random?: { type: "netrand" | "determ"; action: number; value: number };
}

function words(w: TcWords): GactOptions {
  const o: GactOptions = {};
  if (w.peek() === "gact") w.next();
  if (w.peek() !== "index") {
    const v = readVerdict(w);
    if (v === undefined) {
      throw new InvalidArgumentError(`Invalid gact verdict: "${w.peek() ?? ""}" (expected pass, drop, pipe, ...)`);
    }
    o.action = v;
    if (w.peek() === "random") {
      w.next();
      const type = w.value("random", "netrand or determ");
      if (type !== "netrand" && type !== "determ") {
        throw new InvalidArgumentError(`Invalid random type: "${type}" (expected netrand or determ)`);
      }
      const action = readVerdict(w);
      if (action === undefined) throw new InvalidArgumentError(`Missing verdict after "random ${type}"`);
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
    keys: ["random"],
    parse(buf, view, start, end): GactOptions {
      const { parms: p, prob: r, tm } = parseAttrs(GACT_ATTRS, buf, view, start, end);
      const o: GactOptions = p ? genFields(p) : {};
      // tc's prob_n2a names an unknown type "none".
      if (r) o.random = { type: (PTYPES[r.ptype] ?? "none") as "netrand", action: r.paction, value: r.pval };
      if (tm) o.tm = tm;
      return o;
    },
    build(b, options): void {
      const o = options as GactOptions;
      const r = o.random;
      b.attrs(GACT_ATTRS, {
        parms: genParms(o, 0),
        prob: r && { ptype: PTYPES.indexOf(r.type), pval: r.value, paction: r.action },
      });
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
