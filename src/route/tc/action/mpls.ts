/**
 * `mpls`: pop, push, mac_push, modify or dec_ttl an MPLS label stack entry
 * (`act_mpls`), read and printed as tc's `m_mpls.c` does.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind } from "../kind.ts";
import { parseProtocol, protocolName } from "../protocol.ts";
import type { TcWords } from "../words.ts";
import { intWord } from "../../../words.ts";
import { type ActionParms, genFields, genParms, printTail, readTail, TC_GEN, TCF_T } from "./control.ts";

const TCA_MPLS_TM = 1, TCA_MPLS_PARMS = 2, TCA_MPLS_PROTO = 4, TCA_MPLS_LABEL = 5;
const TCA_MPLS_TC = 6, TCA_MPLS_TTL = 7, TCA_MPLS_BOS = 8;
const MPLS_PARMS = { ...TC_GEN, mAction: "s32" } as const;

/** `TCA_MPLS_*`, in the order tc sends them. */
const MPLS_ATTRS = {
  parms: { type: TCA_MPLS_PARMS, kind: "struct", struct: MPLS_PARMS },
  label: { type: TCA_MPLS_LABEL, kind: "u32" },
  protocol: { type: TCA_MPLS_PROTO, kind: "u16be" },
  tc: { type: TCA_MPLS_TC, kind: "u8" },
  ttl: { type: TCA_MPLS_TTL, kind: "u8" },
  bos: { type: TCA_MPLS_BOS, kind: "u8" },
  tm: { type: TCA_MPLS_TM, kind: "struct", struct: TCF_T },
} as const;
/** `TCA_MPLS_ACT_*` by number. */
const VERBS = ["", "pop", "push", "modify", "dec_ttl", "mac_push"] as const;
const ETH_P_MPLS_UC = 0x8847, ETH_P_MPLS_MC = 0x8848;

/** mpls options. */
export interface MplsOptions extends ActionParms {
  /** `pop`, `push`, `mac_push`, `modify` or `dec_ttl`. */
  mplsAction: "pop" | "push" | "modify" | "dec_ttl" | "mac_push";
  /** Label (push, mac_push, modify; 20 bits). */
  label?: number;
  /** Ethertype: the next header after pop, `mpls_uc`/`mpls_mc` for a push. */
  protocol?: number;
  /** Traffic class (3 bits). */
  tc?: number;
  /** TTL (1 to 255). */
  ttl?: number;
  /** Bottom of stack bit. */
  bos?: number;
}

const FIELDS: { [word: string]: [max: number, why: string] } = {
  label: [0xfffff, "label must be <=0xFFFFF"],
  tc: [7, "tc field is 3 bits max"],
  ttl: [255, "ttl must be >0 and <=255"],
  bos: [1, "bos must be 0 or 1"],
};

function field(w: TcWords, word: string): number {
  const [max, why] = FIELDS[word];
  const v = w.value(word, "number");
  const n = intWord(v);
  if (!(n >= (word === "ttl" ? 1 : 0) && n <= max)) {
    throw new InvalidArgumentError(`Invalid mpls ${word}: "${v}" (${why})`);
  }
  return n;
}

function words(w: TcWords): MplsOptions {
  if (w.peek() === "index") return { mplsAction: "pop", ...readTail(w, TC_ACT.TC_ACT_PIPE) };
  let verb: MplsOptions["mplsAction"] | undefined;
  const o: Partial<MplsOptions> = {};
  for (let word = w.peek(); word !== undefined; word = w.peek()) {
    if ((VERBS as readonly string[]).includes(word) && word !== "") {
      if (verb) throw new InvalidArgumentError(`Cannot use "${word}": the mpls action is already "${verb}"`);
      verb = (w.next(), word as MplsOptions["mplsAction"]);
    } else if (Object.hasOwn(FIELDS, word)) {
      if (verb !== "push" && verb !== "mac_push" && verb !== "modify") {
        throw new InvalidArgumentError(`Cannot use mpls "${word}": only valid for push, mac_push and modify`);
      }
      o[word as "label"] = (w.next(), field(w, word));
    } else if (word === "protocol") {
      if (verb !== "push" && verb !== "mac_push" && verb !== "pop") {
        throw new InvalidArgumentError(`Cannot use mpls "protocol": only valid for push, mac_push and pop`);
      }
      w.next();
      o.protocol = parseProtocol(w.value(word, "protocol"));
    } else break;
  }
  if (!verb) throw new InvalidArgumentError(`Missing mpls action (pop, push, mac_push, modify or dec_ttl)`);
  if (verb === "push" && o.label === undefined) throw new InvalidArgumentError(`Missing mpls "label" for push`);
  const pushed = o.protocol;
  if ((verb === "push" || verb === "mac_push") && pushed && pushed !== ETH_P_MPLS_UC && pushed !== ETH_P_MPLS_MC) {
    const hex = pushed.toString(16).padStart(4, "0");
    throw new InvalidArgumentError(`Invalid ${verb} protocol "0x${hex}" - use mpls_(uc|mc)`);
  }
  if (verb === "pop" && !o.protocol) throw new InvalidArgumentError(`Missing mpls "protocol" for pop`);
  return { ...o, mplsAction: verb, ...readTail(w, TC_ACT.TC_ACT_PIPE) };
}

/** The mpls module. */
export const mpls: ActionKind = {
  kind: "mpls",
  options: {
    keys: ["mplsAction", "label", "protocol", "tc", "ttl", "bos"],
    parse(buf, view, start, end): MplsOptions {
      const { parms: p, unknown: _, ...rest } = parseAttrs(MPLS_ATTRS, buf, view, start, end);
      const o = { mplsAction: "pop", ...rest } as MplsOptions;
      if (p) Object.assign(o, { mplsAction: VERBS[p.mAction] || String(p.mAction), ...genFields(p) });
      return o;
    },
    build(b, options): void {
      const o = options as MplsOptions;
      const mAction = VERBS.indexOf(o.mplsAction);
      if (mAction < 1) throw new InvalidArgumentError(`Invalid mpls action: "${o.mplsAction}"`);
      const { label, protocol, tc, ttl, bos } = o;
      b.attrs(MPLS_ATTRS, { parms: { ...genParms(o, TC_ACT.TC_ACT_PIPE), mAction }, label, protocol, tc, ttl, bos });
    },
    print(p, options, ctx): void {
      const o = options as MplsOptions;
      p.str("kind", "%s ", "mpls");
      p.str("mpls_action", " %s", o.mplsAction);
      const pushes = o.mplsAction === "push" || o.mplsAction === "mac_push";
      if ((pushes || o.mplsAction === "pop") && o.protocol !== undefined) {
        p.str("protocol", " protocol %s", protocolName(o.protocol));
      }
      if (pushes || o.mplsAction === "modify") {
        for (const k of ["label", "tc", "bos", "ttl"] as const) if (o[k] !== undefined) p.uint(k, ` ${k} %s`, o[k]);
      }
      printTail(p, o, "\t index %s", ctx.stats);
    },
    words,
  },
};
