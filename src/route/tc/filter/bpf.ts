/**
 * `bpf`: a classifier running a BPF program: classic bytecode, or an eBPF
 * program pinned in a bpf filesystem (`object-pinned`) or given by file
 * descriptor, optionally in direct-action mode.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { actionWords, printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { TC_HEX } from "../payload.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { FilterKind, PrintContext, WordsContext } from "../kind.ts";
import {
  type BpfProgram,
  openProgram,
  printBytecode,
  printProgram,
  PROGRAM_KEYS,
  programAttrs,
  programWord,
  SOCK_FILTERS,
} from "../bpf_prog.ts";
import type { TcPrinter } from "../printer.ts";
import { clsFlagWord, printClsFlags } from "./flags.ts";
import type { TcWords } from "../words.ts";

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

/** `TCA_BPF_*`, in the order tc sends them. */
const BPF_ATTRS = {
  classid: { type: TCA_BPF_CLASSID, kind: "u32" },
  actions: { type: TCA_BPF_ACT, kind: "codec", codec: TC_ACTION_LIST },
  opsLen: { type: TCA_BPF_OPS_LEN, kind: "u16" },
  bytecode: { type: TCA_BPF_OPS, kind: "codec", codec: SOCK_FILTERS },
  fd: { type: TCA_BPF_FD, kind: "u32" },
  name: { type: TCA_BPF_NAME, kind: "string" },
  flags: { type: TCA_BPF_FLAGS_GEN, kind: "u32" },
  bpfFlags: { type: TCA_BPF_FLAGS, kind: "u32" },
  tag: { type: TCA_BPF_TAG, kind: "codec", codec: TC_HEX },
  id: { type: TCA_BPF_ID, kind: "u32" },
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

function words(w: TcWords, ctx: WordsContext): BpfOptions {
  const o: BpfOptions = {};
  for (let word = w.next(); word !== undefined; word = w.next()) {
    if (programWord(word, w, o) || clsFlagWord(word, o)) continue;
    switch (word) {
      case "run":
        break;
      case "name":
        o.name = w.value(word, "name");
        break;
      case "classid":
      case "flowid":
        o.classid = parseHandle(w.value(word, "class id"));
        break;
      case "direct-action":
      case "da":
        o.directAction = true;
        break;
      case "action":
        o.actions = [...(o.actions ?? []), ...actionWords(w, ctx)];
        break;
      default:
        throw new InvalidArgumentError(`Unknown bpf argument: "${word}"`);
    }
  }
  return o;
}

function print(p: TcPrinter, o: BpfOptions, ctx: PrintContext): void {
  if (ctx.handle) p.hex0x("handle", "handle %s ", ctx.handle);
  if (o.classid !== undefined) p.str("flowid", "flowid %s ", formatHandle(o.classid));
  if (o.name !== undefined) p.str("bpf_name", "%s ", o.name);
  if (o.directAction) p.bool("direct-action", "direct-action ", true);
  if (o.flags !== undefined) printClsFlags(p, o.flags, false);
  if (o.bytecode?.length) printBytecode(p, o.bytecode);
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
    words,
  },
  open: openProgram,
};
