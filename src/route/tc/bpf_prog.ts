/**
 * The BPF program a `bpf` classifier or action runs, as both declare it:
 * classic bytecode, a program pinned in a bpf filesystem (opened when the
 * request is sent) or a descriptor; `tc`'s words for it, and how `tc`
 * prints it (the bytecode, or the loaded program's id, name and tag).
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import type { Codec } from "../../wire/table.ts";
import { TC_HEX } from "./payload.ts";
import { bpfObjGet } from "../../sys/bpf.ts";
import type { Sys } from "../../sys/sys.ts";
import type { OpenedOptions, PrintContext } from "./kind.ts";
import type { TcPrinter } from "./printer.ts";
import type { WordRule, WordTable } from "./word_table.ts";

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

/** Which program: exactly one of bytecode, pinned or fd is given. */
export interface BpfProgram {
  /** Classic BPF program. */
  bytecode?: BpfInsn[];
  /** An eBPF program's file descriptor, open in this process. */
  fd?: number;
  /** Path of a program pinned in a bpf filesystem (`object-pinned`): opened when the request is sent. */
  pinned?: string;
  /** Name shown for the program (default: tc's, `FILE:[*fsobj]` or `fd:[N]`). */
  name?: string;
  /** eBPF program id (reported). */
  id?: number;
  /** eBPF program tag, hex (reported). */
  tag?: string;
}

/** The option keys of {@link BpfProgram}. */
export const PROGRAM_KEYS = ["bytecode", "fd", "pinned", "name", "id", "tag"] as const;

/** `*_BPF_OPS`: an array of `struct sock_filter`. */
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

/** The attribute table rows of a program ({@link programRows}). */
export interface ProgramRows {
  /** The instruction count sent before the bytecode. */
  readonly opsLen: { readonly type: number; readonly kind: "u16" };
  /** Classic bytecode. */
  readonly bytecode: { readonly type: number; readonly kind: "codec"; readonly codec: Codec<BpfInsn[]> };
  /** An eBPF program's descriptor. */
  readonly fd: { readonly type: number; readonly kind: "u32" };
  /** The program's name. */
  readonly name: { readonly type: number; readonly kind: "string" };
  /** A loaded program's tag, hex. */
  readonly tag: { readonly type: number; readonly kind: "codec"; readonly codec: Codec<string> };
  /** A loaded program's id. */
  readonly id: { readonly type: number; readonly kind: "u32" };
}

/** The program's rows of a classifier's or an action's attribute table, at its `*_BPF_*` type numbers. */
export function programRows(
  opsLen: number,
  ops: number,
  fd: number,
  name: number,
  tag: number,
  id: number,
): ProgramRows {
  return {
    opsLen: { type: opsLen, kind: "u16" },
    bytecode: { type: ops, kind: "codec", codec: SOCK_FILTERS },
    fd: { type: fd, kind: "u32" },
    name: { type: name, kind: "string" },
    tag: { type: tag, kind: "codec", codec: TC_HEX },
    id: { type: id, kind: "u32" },
  };
}

/** The program attributes to send (`OPS_LEN`, `OPS`, `FD`, `NAME`); throws unless exactly one program is given. */
export function programAttrs(o: BpfProgram, what: string): {
  opsLen?: number;
  bytecode?: BpfInsn[];
  fd?: number;
  name?: string;
} {
  if ((o.bytecode === undefined) === (o.fd === undefined && o.pinned === undefined)) {
    throw new InvalidArgumentError(`Cannot attach a ${what} without exactly one program: give bytecode, pinned or fd`);
  }
  if (o.fd === undefined && o.pinned !== undefined) {
    throw new InvalidArgumentError(
      `Cannot send pinned program "${o.pinned}" unopened: send it through the API or the CLI`,
    );
  }
  if (o.bytecode) return { opsLen: o.bytecode.length, bytecode: o.bytecode };
  const name = o.name ?? (o.pinned === undefined ? `fd:[${o.fd}]` : pinnedName(o.pinned));
  return { fd: o.fd, name };
}

/** The name tc gives a pinned program: the file's base name and `[*fsobj]`. */
function pinnedName(path: string): string {
  return `${path.slice(path.lastIndexOf("/") + 1)}:[*fsobj]`;
}

/** Opens a pinned program (`BPF_OBJ_GET`); its descriptor is sent, then closed by `close`. */
export function openProgram(options: unknown, sys: Sys): OpenedOptions {
  const o = options as BpfProgram;
  if (o.pinned === undefined || o.fd !== undefined) return { options, close: () => {} };
  const fd = bpfObjGet(sys, o.pinned);
  return { options: { ...o, fd }, close: () => sys.close(fd) };
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

const REFUSED = (word: string) => `Cannot load "${word}" programs: load and pin them (bpftool), then use object-pinned`;
const BYTECODE: WordRule<BpfProgram> = { key: "bytecode", read: (w, word) => parseBytecode(w.value(word, "bytecode")) };
// tc reads all three as a pinned path; a bare number after "fd" is a descriptor (nlkit's own form).
const PINNED: WordRule<BpfProgram> = {
  key: "pinned",
  apply(w, word, o): void {
    const v = w.value(word, "pinned program path");
    if (word === "fd" && /^\d+$/.test(v)) {
      o.fd = Number(v);
      if (o.fd > 0x7fffffff) throw new InvalidArgumentError(`Invalid fd: "${v}" (expected a file descriptor)`);
    } else o.pinned = v;
  },
};

/** The words that name a program, and the program sources nlkit refuses. */
export const PROGRAM_WORDS: WordTable<BpfProgram> = {
  bytecode: BYTECODE,
  bc: BYTECODE,
  "object-pinned": PINNED,
  pinned: PINNED,
  fd: PINNED,
  "object-file": REFUSED("object-file"),
  obj: REFUSED("obj"),
  "bytecode-file": REFUSED("bytecode-file"),
  bcf: REFUSED("bcf"),
};

// Classic bytecode as tc prints it (`bytecode 'N,c t f k,...'`).
function printBytecode(p: TcPrinter, ops: readonly BpfInsn[]): void {
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

/**
 * Prints the program as tc does: its classic bytecode (then `afterCode`:
 * the action puts a space there, the filter nothing), and a loaded
 * program's `bpf_dump_prog_info` when it has an id, else its tag.
 */
export function printProgram(p: TcPrinter, o: BpfProgram, ctx: PrintContext, afterCode = ""): void {
  if (o.bytecode?.length) {
    printBytecode(p, o.bytecode);
    if (afterCode) p.text(afterCode);
  }
  if (o.id === undefined || !printProg(p, o.id, ctx)) {
    if (o.tag !== undefined) p.str("tag", "tag %s ", o.tag);
  }
}

// `bpf_dump_prog_info`: the id, then what the bpf syscall says of the program; false if nothing.
function printProg(p: TcPrinter, id: number, ctx: PrintContext): boolean {
  p.open("prog");
  p.uint("id", "id %s ", id);
  const info = ctx.progInfo?.(id);
  if (info) {
    p.str("name", "name %s ", info.name);
    p.str("tag", "tag %s ", info.tag);
    p.uint("jited", "", info.jited ? 1 : 0, "json");
    if (info.jited) p.text("jited ");
    if (ctx.details) {
      if (info.loadTime) {
        p.uint("load_time", "load_time %s ", info.loadTime);
        p.uint("created_by_uid", "created_by_uid %s ", info.createdByUid);
      }
      if (info.btfId) p.uint("btf_id", "btf_id %s ", info.btfId);
    }
  }
  p.close();
  return info !== undefined;
}
