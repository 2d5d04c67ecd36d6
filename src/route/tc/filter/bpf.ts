/**
 * `bpf`: a classifier running a BPF program: classic bytecode, or an eBPF
 * program pinned in a bpf filesystem (`object-pinned`) or given by file
 * descriptor, optionally in direct-action mode.
 *
 * @module
 */

import type { MessageBuilder } from "../../../wire/builder.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { formatHandle } from "../handle.ts";
import type { FilterKind, PrintContext } from "../kind.ts";
import { readWords, type WordRule, type WordTable } from "../word_table.ts";
import type { BpfProgram } from "../bpf_prog.ts";
import { openProgram, printProgram, PROGRAM_KEYS, PROGRAM_WORDS, programAttrs, programRows } from "../bpf_prog.ts";
import type { TcPrinter } from "../printer.ts";
import { printClsFlags } from "./flags.ts";
import { CLASS_ACTION_WORDS, CLS_FLAG_WORDS } from "./words.ts";

const TCA_BPF_ACT = 1, TCA_BPF_CLASSID = 3, TCA_BPF_OPS_LEN = 4, TCA_BPF_OPS = 5;
const TCA_BPF_FD = 6, TCA_BPF_NAME = 7, TCA_BPF_FLAGS = 8, TCA_BPF_FLAGS_GEN = 9, TCA_BPF_TAG = 10, TCA_BPF_ID = 11;

/** bpf options: the program, and what the classifier does with it. */
export interface BpfOptions extends BpfProgram {
  /** Class to classify into. */
  classid?: number;
  /** The program's return value is the verdict (`direct-action`). */
  directAction?: boolean;
  /** `TCA_CLS_FLAGS_*` (skip_hw 1, skip_sw 2). */
  flags?: number;
  /** Actions run on a match. */
  actions?: TcAction[];
}

/** `TCA_BPF_*`, in the order tc sends them (the tag and id are only reported). */
const BPF_ATTRS = {
  classid: { type: TCA_BPF_CLASSID, kind: "u32" },
  actions: { type: TCA_BPF_ACT, kind: "codec", codec: TC_ACTION_LIST },
  ...programRows(TCA_BPF_OPS_LEN, TCA_BPF_OPS, TCA_BPF_FD, TCA_BPF_NAME, TCA_BPF_TAG, TCA_BPF_ID),
  flags: { type: TCA_BPF_FLAGS_GEN, kind: "u32" },
  bpfFlags: { type: TCA_BPF_FLAGS, kind: "u32" },
} as const;

function parse(buf: Uint8Array, view: DataView, start: number, end: number): BpfOptions {
  const { opsLen: _, bpfFlags, unknown: _u, ...o } = parseAttrs(BPF_ATTRS, buf, view, start, end);
  const out: BpfOptions = o;
  if (bpfFlags !== undefined) out.directAction = (bpfFlags & 1) !== 0;
  return out;
}

function build(b: MessageBuilder, o: BpfOptions): void {
  b.attrs(BPF_ATTRS, {
    classid: o.classid,
    actions: o.actions?.length ? o.actions : undefined,
    ...programAttrs(o, "bpf filter"),
    flags: o.flags || undefined,
    bpfFlags: o.directAction ? 1 : undefined,
  });
}

const NAME: WordRule<BpfOptions> = { key: "name", read: (w, word) => w.value(word, "name") };
const DIRECT_ACTION: WordRule<BpfOptions> = { key: "directAction" };

const WORDS: WordTable<BpfOptions> = {
  ...PROGRAM_WORDS,
  ...CLASS_ACTION_WORDS,
  ...CLS_FLAG_WORDS,
  run: { key: "name", apply: () => {} }, // tc's optional word before the program: sets nothing
  name: NAME,
  "direct-action": DIRECT_ACTION,
  da: DIRECT_ACTION,
};

function print(p: TcPrinter, o: BpfOptions, ctx: PrintContext): void {
  if (ctx.handle) p.hex0x("handle", "handle %s ", ctx.handle);
  if (o.classid !== undefined) p.str("flowid", "flowid %s ", formatHandle(o.classid));
  if (o.name !== undefined) p.str("bpf_name", "%s ", o.name);
  if (o.directAction) p.bool("direct-action", "direct-action ", true);
  if (o.flags !== undefined) printClsFlags(p, o.flags, false);
  printProgram(p, o, ctx);
  if (o.actions) printActionList(p, o.actions, ctx, true);
}

/** The bpf module. */
export const bpf: FilterKind = {
  kind: "bpf",
  options: {
    keys: [...PROGRAM_KEYS, "classid", "directAction", "flags", "actions"],
    parse,
    build,
    print: (p, o, c) => print(p, o as BpfOptions, c),
    words: (w, ctx): BpfOptions => readWords<BpfOptions>(w, "bpf", WORDS, {}, ctx),
  },
  open: openProgram,
};
