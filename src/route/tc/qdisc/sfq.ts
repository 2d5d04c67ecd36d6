/**
 * `sfq`: stochastic fairness queueing (without its RED extension, which
 * nlkit refuses).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { parseStruct } from "../../../wire/table.ts";
import type { QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { formatSize, parseSize } from "../units.ts";
import type { TcWords } from "../words.ts";

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

function words(w: TcWords): SfqOptions {
  const o: SfqOptions = {};
  for (let word = w.next(); word !== undefined; word = w.next()) {
    switch (word) {
      case "quantum":
        o.quantum = parseSize(w.value(word, "size"));
        break;
      case "perturb":
        o.perturb = w.int(word, -0x80000000, 0x7fffffff);
        break;
      case "limit":
        o.limit = w.int(word, 2);
        break;
      case "divisor":
      case "flows":
      case "depth":
        o[word] = w.int(word);
        break;
      case "headdrop":
        o.headdrop = true;
        break;
      case "redflowlimit":
      case "min":
      case "max":
      case "burst":
      case "avpkt":
      case "probability":
      case "ecn":
      case "harddrop":
        throw new InvalidArgumentError(`Cannot use sfq "${word}": nlkit does not build sfq's RED options`);
      default:
        throw new InvalidArgumentError(`Unknown sfq argument: "${word}"`);
    }
  }
  return o;
}

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
    words,
  },
  xstats: {
    parse: (_b, view, s, e): { allot: number } => parseStruct({ allot: "s32" }, view, s, e) as { allot: number },
    print(): void {}, // tc prints sfq's allot only for classes, which nlkit does not list
  },
};
