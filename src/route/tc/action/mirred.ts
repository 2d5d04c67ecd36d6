/**
 * `mirred`: mirror or redirect packets to another device's egress or
 * ingress.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind } from "../kind.ts";
import type { TcWords } from "../words.ts";
import { type ActionParms, genFields, genParms, printTail, readVerdict, TC_GEN, TCF_T } from "./control.ts";

const TCA_MIRRED_TM = 1, TCA_MIRRED_PARMS = 2;
const MIRRED = { ...TC_GEN, eaction: "s32", ifindex: "u32" } as const;

/** `TCA_MIRRED_*`, in the order tc sends them. */
const MIRRED_ATTRS = {
  parms: { type: TCA_MIRRED_PARMS, kind: "struct", struct: MIRRED },
  tm: { type: TCA_MIRRED_TM, kind: "struct", struct: TCF_T },
} as const;

const EACTIONS: Record<number, [string, "redirect" | "mirror", "egress" | "ingress"]> = {
  1: ["Egress Redirect", "redirect", "egress"],
  2: ["Egress Mirror", "mirror", "egress"],
  3: ["Ingress Redirect", "redirect", "ingress"],
  4: ["Ingress Mirror", "mirror", "ingress"],
};

/** mirred options; its verdict (`action`) is `TC_ACT_STOLEN` for a redirect. */
export interface MirredOptions extends ActionParms {
  /** `redirect` or `mirror`. */
  mode?: "redirect" | "mirror";
  /** Where on the target: `egress` or `ingress`. */
  direction?: "egress" | "ingress";
  /** Target device index. */
  ifindex?: number;
}

function eactionOf(o: MirredOptions): number {
  if (!o.mode || !o.direction) return 0;
  return (o.direction === "egress" ? 1 : 3) + (o.mode === "mirror" ? 1 : 0);
}

/**
 * Reads mirred's words as m_mirred.c does: `index N` may come anywhere
 * before `dev` (alone, it names an existing action), then `egress|ingress`,
 * `mirror|redirect`, `dev DEV`, a verdict (a mirror's) and `index N`.
 */
function words(w: TcWords, ctx: { linkIndex(name: string): number }): MirredOptions {
  const o: MirredOptions = {};
  const index = () => {
    if (o.index !== undefined) throw new InvalidArgumentError("mirred: Illegal double index");
    w.next();
    o.index = w.int("index");
  };
  for (let word = w.peek();; word = w.peek()) {
    if (word === "index") {
      index();
      if (!o.direction) return o;
    } else if (!o.direction) {
      if (word !== "egress" && word !== "ingress") {
        throw new InvalidArgumentError(`Invalid mirred argument: "${word ?? ""}" (expected egress, ingress or index)`);
      }
      o.direction = word;
      w.next();
    } else if (!o.mode) {
      if (word !== "mirror" && word !== "redirect") {
        throw new InvalidArgumentError(`Invalid mirred mode: "${word ?? ""}" (expected mirror or redirect)`);
      }
      o.mode = word;
      w.next();
    } else if (word === "dev") {
      w.next();
      o.ifindex = ctx.linkIndex(w.value("dev", "device"));
      break;
    } else throw new InvalidArgumentError(`Missing "dev" after mirred ${o.mode}`);
  }
  // Only a mirror takes a verdict (a redirect steals the packet).
  o.action = o.mode === "mirror"
    ? (w.peek() === "index" ? undefined : readVerdict(w)) ?? TC_ACT.TC_ACT_PIPE
    : TC_ACT.TC_ACT_STOLEN;
  if (w.peek() === "index") index();
  return o;
}

/** The mirred module. */
export const mirred: ActionKind = {
  kind: "mirred",
  options: {
    keys: ["mode", "direction", "ifindex"],
    parse(buf, view, start, end): MirredOptions {
      const { parms: p, tm } = parseAttrs(MIRRED_ATTRS, buf, view, start, end);
      const names = p && EACTIONS[p.eaction];
      const o: MirredOptions = p
        ? {
          mode: names?.[1],
          direction: names?.[2],
          ifindex: p.ifindex,
          ...genFields(p),
        }
        : {};
      if (tm) o.tm = tm;
      return o;
    },
    build(b, options): void {
      const o = options as MirredOptions;
      b.attrs(MIRRED_ATTRS, {
        parms: { ...genParms(o, 0), eaction: eactionOf(o), ifindex: o.ifindex ?? 0 },
      });
    },
    print(p, options, ctx): void {
      const o = options as MirredOptions;
      p.str("kind", "%s ", "mirred");
      const names = EACTIONS[eactionOf(o)] ?? ["unknown", "unknown", "unknown"];
      p.str(undefined, "(%s", names[0], "fp");
      p.str("mirred_action", "", names[1], "json");
      p.str("direction", "", names[2], "json");
      p.str("to_dev", " to device %s)", ctx.linkName(o.ifindex ?? 0));
      printTail(p, o, "\tindex %s", ctx.stats);
    },
    words,
  },
};
