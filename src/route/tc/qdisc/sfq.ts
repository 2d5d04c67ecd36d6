/**
 * `sfq`: stochastic fairness queueing (without its RED extension, which
 * nlkit refuses).
 *
 * @module
 */

import type { MessageBuilder } from "../../../wire/builder.ts";
import { parseStruct } from "../../../wire/table.ts";
import type { QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { formatSize } from "../units.ts";
import { readInt, readSize, readWords, type WordTable } from "../word_table.ts";

/** `struct tc_sfq_qopt_v1` as tc sends it (RED fields left zero). */
const SFQ_V1 = {
  quantum: "u32",
  perturb: "s32",
  limit: "u32",
  divisor: "u32",
  flows: "u32",
  depth: "u32",
  headdrop: "u32",
  redLimit: "u32",
  qthMin: "u32",
  qthMax: "u32",
  wlog: "u8",
  plog: "u8",
  scellLog: "u8",
  flags: "u8",
  maxP: "u32",
  pad: "pad4",
  pad2: "pad4",
  pad3: "pad4",
  pad4: "pad4",
  pad5: "pad4",
  pad6: "pad4",
} as const;

/** sfq options (zero or absent: the kernel's default). */
export interface SfqOptions {
  /** Bytes a flow may send per round. */
  quantum?: number;
  /** Seconds between hash perturbations. */
  perturb?: number;
  /** Packets the qdisc holds. */
  limit?: number;
  /** Hash table size. */
  divisor?: number;
  /** Flows. */
  flows?: number;
  /** Packets per flow. */
  depth?: number;
  /** Drop from the head of a full flow. */
  headdrop?: boolean;
}

function build(b: MessageBuilder, o: SfqOptions): void {
  b.struct(SFQ_V1, {
    quantum: o.quantum ?? 0,
    perturb: o.perturb ?? 0,
    limit: o.limit ?? 0,
    divisor: o.divisor ?? 0,
    flows: o.flows ?? 0,
    depth: o.depth ?? 0,
    headdrop: o.headdrop ? 1 : 0,
  });
}

/** sfq's RED words, which nlkit refuses rather than drops. */
const RED_WORDS = ["redflowlimit", "min", "max", "burst", "avpkt", "probability", "ecn", "harddrop"];

const WORDS: WordTable<SfqOptions> = {
  quantum: { key: "quantum", read: readSize },
  perturb: { key: "perturb", read: readInt(-0x80000000, 0x7fffffff) },
  limit: { key: "limit", read: readInt(2) },
  divisor: { key: "divisor", read: readInt() },
  flows: { key: "flows", read: readInt() },
  depth: { key: "depth", read: readInt() },
  headdrop: { key: "headdrop" },
  ...Object.fromEntries(
    RED_WORDS.map((word) => [word, `Cannot use sfq "${word}": nlkit does not build sfq's RED options`]),
  ),
};

function print(p: TcPrinter, o: SfqOptions, details: number): void {
  p.uint("limit", "limit %sp ", o.limit ?? 0);
  p.field("any", "quantum", "quantum %s ", o.quantum ?? 0, formatSize(o.quantum ?? 0));
  if (o.depth) p.uint("depth", "depth %s ", o.depth);
  if (o.headdrop) p.bool("headdrop", "headdrop ", true);
  if (details) p.uint("flows", "flows %s ", o.flows ?? 0);
  p.uint("divisor", "divisor %s ", o.divisor ?? 0);
  if (o.perturb) p.uint("perturb", "perturb %ssec ", o.perturb);
}

/** The sfq module. */
export const sfq: QdiscKind = {
  kind: "sfq",
  qdisc: {
    keys: ["quantum", "perturb", "limit", "divisor", "flows", "depth", "headdrop"],
    parse(_buf, view, s, e): SfqOptions {
      const v = parseStruct(SFQ_V1, view, s, e);
      const o: SfqOptions = {
        quantum: v.quantum,
        perturb: v.perturb,
        limit: v.limit,
        divisor: v.divisor,
        flows: v.flows,
      };
      if (v.depth !== undefined) Object.assign(o, { depth: v.depth, headdrop: v.headdrop !== 0 });
      return o;
    },
    build,
    print: (p, o, ctx) => print(p, o as SfqOptions, ctx.details),
    words: (w, ctx) => readWords<SfqOptions>(w, "sfq", WORDS, {}, ctx),
  },
  xstats: {
    parse: (_b, view, s, e): { allot: number } => parseStruct({ allot: "s32" }, view, s, e) as { allot: number },
    print(): void {}, // tc prints sfq's allot only for classes, which nlkit does not list
  },
};
