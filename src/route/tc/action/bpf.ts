/**
 * `bpf` (act_bpf): an action running a BPF program (classic bytecode, a
 * pinned program or a descriptor), then a verdict (default `pipe`).
 *
 * @module
 */

import { parseAttrs } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind, WordsContext } from "../kind.ts";
import { readWords } from "../word_table.ts";
import type { TcWords } from "../words.ts";
import type { BpfProgram } from "../bpf_prog.ts";
import { openProgram, printProgram, PROGRAM_KEYS, PROGRAM_WORDS, programAttrs, programRows } from "../bpf_prog.ts";
import { type ActionParms, genFields, genParms, printRefs, printVerdict, readTail, TC_GEN, TCF_T } from "./control.ts";

const TCA_ACT_BPF_TM = 1, TCA_ACT_BPF_PARMS = 2, TCA_ACT_BPF_OPS_LEN = 3, TCA_ACT_BPF_OPS = 4;
const TCA_ACT_BPF_FD = 5, TCA_ACT_BPF_NAME = 6, TCA_ACT_BPF_TAG = 8, TCA_ACT_BPF_ID = 9;

/** `TCA_ACT_BPF_*`, in the order tc sends them (the tag and id are only reported). */
const ACT_BPF_ATTRS = {
  ...programRows(
    TCA_ACT_BPF_OPS_LEN,
    TCA_ACT_BPF_OPS,
    TCA_ACT_BPF_FD,
    TCA_ACT_BPF_NAME,
    TCA_ACT_BPF_TAG,
    TCA_ACT_BPF_ID,
  ),
  parms: { type: TCA_ACT_BPF_PARMS, kind: "struct", struct: TC_GEN },
  tm: { type: TCA_ACT_BPF_TM, kind: "struct", struct: TCF_T },
} as const;

/** act_bpf options: the program and the verdict after it. */
export interface ActBpfOptions extends BpfProgram, ActionParms {}

function words(w: TcWords, ctx: WordsContext): ActBpfOptions {
  const o = readWords<ActBpfOptions>(w, "bpf", PROGRAM_WORDS, {}, ctx, true);
  return { ...o, ...readTail(w, TC_ACT.TC_ACT_PIPE) };
}

/** The act_bpf module. */
export const actBpf: ActionKind = {
  kind: "bpf",
  options: {
    keys: PROGRAM_KEYS,
    parse(buf, view, start, end): ActBpfOptions {
      const { opsLen: _, parms, unknown: _u, ...o } = parseAttrs(ACT_BPF_ATTRS, buf, view, start, end);
      return parms ? { ...o, ...genFields(parms) } : o;
    },
    build(b, options): void {
      const o = options as ActBpfOptions;
      b.attrs(ACT_BPF_ATTRS, { ...programAttrs(o, "bpf action"), parms: genParms(o, TC_ACT.TC_ACT_PIPE) });
    },
    print(p, options, ctx): void {
      const o = options as ActBpfOptions;
      p.str("kind", "%s ", "bpf");
      if (o.name !== undefined) p.str("bpf_name", "%s ", o.name);
      printProgram(p, o, ctx, " ");
      printVerdict(p, "default-action ", o.action ?? 0, "\n");
      printRefs(p, o, "\t index %s", ctx.stats);
      p.nl();
    },
    words,
  },
  open: openProgram,
};
