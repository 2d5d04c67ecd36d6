/**
 * `bpf`: a classifier running a BPF program: classic bytecode, or an eBPF
 * program given by file descriptor, optionally in direct-action mode.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { type Codec, parseAttrs } from "../../../wire/table.ts";
import { actionWords, printActionList, TC_ACTION_LIST, type TcAction } from "../action/list.ts";
import { TC_HEX } from "../payload.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { FilterKind, PrintContext, WordsContext } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { printClsFlags } from "./flags.ts";
import type { TcWords } from "../words.ts";

const TCA_BPF_ACT = 1, TCA_BPF_CLASSID = 3, TCA_BPF_OPS_LEN = 4, TCA_BPF_OPS = 5;
const TCA_BPF_FD = 6, TCA_BPF_NAME = 7, TCA_BPF_FLAGS = 8, TCA_BPF_FLAGS_GEN = 9, TCA_BPF_TAG = 10, TCA_BPF_ID = 11;

/** One classic BPF instruction (`struct sock_filter`). */
export interface BpfInsn {
  /** Opcode. */
  code: number;
  /** Jump offset if true. */
  jt: number;
  /** Jump offset if false. */
  jf: number;
  /** Constant. */
  k: number;
}

/** bpf options. */
export interface BpfOptions {
  /** Classic BPF program. */
  bytecode?: BpfInsn[];
  /** An eBPF program's file descriptor, open in this process. */
  fd?: number;
  /** Name shown for the program. */
  name?: string;
  /** Class to classify into. */
  classid?: number;
  /** The program's return value is the verdict (`direct-action`). */
  directAction?: boolean;
  /** `TCA_CLS_FLAGS_*` (skip_hw 1, skip_sw 2). */
  flags?: number;
  /** Actions run on a match. */
  actions?: TcAction[];
  /** eBPF program id (reported). */
  id?: number;
  /** eBPF program tag, hex (reported). */
  tag?: string;
}

/** `TCA_BPF_OPS`: an array of `struct sock_filter`. */
const SOCK_FILTERS: Codec<BpfInsn[]> = {
  parse(_buf, view, start, end): BpfInsn[] {
    const out: BpfInsn[] = [];
    for (let at = start; at + 8 <= end; at += 8) {
      out.push({
        code: view.getUint16(at, true),
        jt: view.getUint8(at + 2),
        jf: view.getUint8(at + 3),
        k: view.getUint32(at + 4, true),
      });
    }
    return out;
  },
  build(b, insns): void {
    for (const i of insns) b.scalar("u16", i.code).scalar("u8", i.jt).scalar("u8", i.jf).scalar("u32", i.k);
  },
};

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
  if ((o.bytecode === undefined) === (o.fd === undefined)) {
    throw new InvalidArgumentError("Cannot attach a bpf filter without exactly one program: give bytecode or fd");
  }
  b.attrs(BPF_ATTRS, {
    classid: o.classid,
    actions: o.actions?.length ? o.actions : undefined,
    opsLen: o.bytecode?.length,
    bytecode: o.bytecode,
    fd: o.fd,
    name: o.bytecode ? undefined : o.name ?? `fd:[${o.fd}]`,
    flags: o.flags || undefined,
    bpfFlags: o.directAction ? 1 : undefined,
  });
}

/** Parses tc's classic bytecode text: `N,code jt jf k,code jt jf k,...`. */
export function parseBytecode(text: string): BpfInsn[] {
  const bad = () => new InvalidArgumentError(`Invalid bpf bytecode: "${text}" (expected "N,code jt jf k,...")`);
  const [count, ...rest] = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1 || n > 4096 || rest.length !== n) throw bad();
  return rest.map((insn) => {
    const f = insn.split(/\s+/).map(Number);
    if (f.length !== 4 || f.some((x) => !Number.isInteger(x) || x < 0)) throw bad();
    return { code: f[0], jt: f[1], jf: f[2], k: f[3] >>> 0 };
  });
}

function words(w: TcWords, ctx: WordsContext): BpfOptions {
  const o: BpfOptions = {};
  for (let word = w.next(); word !== undefined; word = w.next()) {
    switch (word) {
      case "run":
        break;
      case "bytecode":
      case "bc":
        o.bytecode = parseBytecode(w.value(word, "bytecode"));
        break;
      case "fd":
        o.fd = w.int(word, 0, 0x7fffffff);
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
      case "skip_hw":
        o.flags = (o.flags ?? 0) | 1;
        break;
      case "skip_sw":
        o.flags = (o.flags ?? 0) | 2;
        break;
      case "action":
        o.actions = [...(o.actions ?? []), ...actionWords(w, ctx)];
        break;
      default:
        throw new InvalidArgumentError(
          `Unknown bpf argument: "${word}" (nlkit takes bytecode or fd, not object files)`,
        );
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
  if (o.bytecode?.length) {
    const ops = o.bytecode;
    p.open("bytecode");
    p.uint("length", "bytecode '%s,", ops.length);
    p.openArray("insns");
    ops.forEach((i, n) => {
      p.open();
      p.uint("code", "%s ", i.code);
      p.uint("jt", "%s ", i.jt);
      p.uint("jf", "%s ", i.jf);
      p.uint("k", n === ops.length - 1 ? "%s'" : "%s,", i.k);
      p.close();
    });
    p.close();
    p.close();
  }
  if (o.id !== undefined) p.uint("id", "id %s ", o.id);
  if (o.tag !== undefined) p.str("tag", "tag %s ", o.tag);
  if (o.actions) printActionList(p, o.actions, ctx, true);
}

/** The bpf module. */
export const bpf: FilterKind = {
  kind: "bpf",
  options: {
    keys: ["bytecode", "fd", "name", "classid", "directAction", "flags", "actions", "id", "tag"],
    parse,
    build: (b, o) => build(b, o as BpfOptions),
    print: (p, o, c) => print(p, o as BpfOptions, c),
    words,
  },
};
