/**
 * `skbedit`: set a packet's queue mapping, priority, mark (with mask) or
 * packet type.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { ActionKind, WordsContext } from "../kind.ts";
import { parseU32, readInt, readWords, type WordTable } from "../word_table.ts";
import type { TcWords } from "../words.ts";
import { type ActionParms, genFields, genParms, printTail, readTail, TC_GEN, TCF_T } from "./control.ts";

const TCA_SKBEDIT_TM = 1, TCA_SKBEDIT_PARMS = 2, TCA_SKBEDIT_PRIORITY = 3, TCA_SKBEDIT_QUEUE_MAPPING = 4;
const TCA_SKBEDIT_MARK = 5, TCA_SKBEDIT_PTYPE = 7, TCA_SKBEDIT_MASK = 8, TCA_SKBEDIT_FLAGS = 9;

/** `TCA_SKBEDIT_*`, in the order tc sends them. */
const SKBEDIT_ATTRS = {
  parms: { type: TCA_SKBEDIT_PARMS, kind: "struct", struct: TC_GEN },
  queueMapping: { type: TCA_SKBEDIT_QUEUE_MAPPING, kind: "u16" },
  priority: { type: TCA_SKBEDIT_PRIORITY, kind: "u32" },
  mark: { type: TCA_SKBEDIT_MARK, kind: "u32" },
  mask: { type: TCA_SKBEDIT_MASK, kind: "u32" },
  ptype: { type: TCA_SKBEDIT_PTYPE, kind: "u16" },
  flags: { type: TCA_SKBEDIT_FLAGS, kind: "u64" },
  tm: { type: TCA_SKBEDIT_TM, kind: "struct", struct: TCF_T },
} as const;
const PTYPES: Record<string, number> = { host: 0, broadcast: 1, multicast: 2, otherhost: 3 };

/** skbedit options. */
export interface SkbeditOptions extends ActionParms {
  /** Transmit queue. */
  queueMapping?: number;
  /** Priority, as a class id (`1:10`). */
  priority?: number;
  /** Firewall mark. */
  mark?: number;
  /** Bits of the mark to set. */
  mask?: number;
  /** Packet type (`host` 0, `broadcast` 1, `multicast` 2, `otherhost` 3). */
  ptype?: number;
  /** Copy the DS field into the priority (`inheritdsfield`). */
  inheritDsfield?: boolean;
}

/** skbedit's words, before the verdict and index. */
const WORDS: WordTable<SkbeditOptions> = {
  queue_mapping: { key: "queueMapping", read: readInt(0, 0xffff) },
  priority: { key: "priority", read: (w, word) => parseHandle(w.value(word, "class id")) },
  mark: {
    key: "mark",
    apply: (w, word, o) => {
      const [mark, mask] = w.value(word, "MARK[/MASK]").split("/");
      o.mark = parseU32(mark, "skbedit mark");
      if (mask !== undefined) o.mask = parseU32(mask, "skbedit mark");
    },
  },
  ptype: {
    key: "ptype",
    read: (w, word) => {
      const t = w.value(word, "packet type");
      // Own keys only: `ptype toString` is no packet type.
      if (!Object.hasOwn(PTYPES, t)) {
        throw new InvalidArgumentError(`Invalid ptype: "${t}" (expected host, broadcast, multicast or otherhost)`);
      }
      return PTYPES[t];
    },
  },
  inheritdsfield: { key: "inheritDsfield" },
};

function words(w: TcWords, ctx: WordsContext): SkbeditOptions {
  const o = readWords<SkbeditOptions>(w, "skbedit", WORDS, {}, ctx, true);
  const tail = readTail(w, TC_ACT.TC_ACT_PIPE);
  if (Object.keys(o).length === 0 && tail.index === undefined) {
    throw new InvalidArgumentError("Missing skbedit parameters");
  }
  return { ...o, ...tail };
}

/** The skbedit module. */
export const skbedit: ActionKind = {
  kind: "skbedit",
  options: {
    keys: [
      "queueMapping",
      "priority",
      "mark",
      "mask",
      "ptype",
      "inheritDsfield",
    ],
    parse(buf, view, start, end): SkbeditOptions {
      const { parms, flags, unknown: _, ...rest } = parseAttrs(SKBEDIT_ATTRS, buf, view, start, end);
      const o: SkbeditOptions = parms ? { ...genFields(parms), ...rest } : rest;
      if (flags !== undefined) o.inheritDsfield = (flags & 1) !== 0;
      return o;
    },
    build(b, options): void {
      const o = options as SkbeditOptions;
      b.attrs(SKBEDIT_ATTRS, {
        parms: genParms(o, TC_ACT.TC_ACT_PIPE),
        queueMapping: o.queueMapping,
        priority: o.priority,
        mark: o.mark,
        mask: o.mask,
        ptype: o.ptype,
        flags: o.inheritDsfield ? 1 : undefined,
      });
    },
    print(p, options, ctx): void {
      const o = options as SkbeditOptions;
      p.str("kind", "%s ", "skbedit");
      if (o.queueMapping !== undefined) p.uint("queue_mapping", "queue_mapping %s", o.queueMapping);
      if (o.priority !== undefined) p.str("priority", " priority %s", formatHandle(o.priority));
      if (o.mark !== undefined) p.uint("mark", " mark %s", o.mark);
      if (o.mask !== undefined) p.field("any", "mask", "/%s", o.mask.toString(16), `0x${o.mask.toString(16)}`);
      if (o.ptype !== undefined) {
        const name = Object.keys(PTYPES).find((k) => PTYPES[k] === o.ptype);
        if (name) p.str("ptype", " ptype %s", name);
        else p.uint("ptype", " ptype %s", o.ptype);
      }
      if (o.inheritDsfield) p.bool("inheritdsfield", " inheritdsfield", true);
      printTail(p, o, "\t index %s", ctx.stats);
    },
    words,
  },
};
