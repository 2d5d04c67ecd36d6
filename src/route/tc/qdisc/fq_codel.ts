/**
 * `fq_codel`: fair queueing with CoDel active queue management. Times are
 * microseconds, as tc gives them to the kernel.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { parseAttrs, parseStruct } from "../../../wire/table.ts";
import type { QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { formatSize, formatTime } from "../units.ts";
import type { TcWords } from "../words.ts";
import { readInt, readSize, readTime, readWords, type WordTable } from "../word_table.ts";

const TCA_FQ_CODEL_TARGET = 1, TCA_FQ_CODEL_LIMIT = 2, TCA_FQ_CODEL_INTERVAL = 3, TCA_FQ_CODEL_ECN = 4;
const TCA_FQ_CODEL_FLOWS = 5, TCA_FQ_CODEL_QUANTUM = 6, TCA_FQ_CODEL_CE_THRESHOLD = 7;
const TCA_FQ_CODEL_DROP_BATCH_SIZE = 8, TCA_FQ_CODEL_MEMORY_LIMIT = 9;
const TCA_FQ_CODEL_CE_THRESHOLD_SELECTOR = 10, TCA_FQ_CODEL_CE_THRESHOLD_MASK = 11;

/** `TCA_FQ_CODEL_*`, in the order tc sends them. */
const FQ_CODEL_ATTRS = {
  limit: { type: TCA_FQ_CODEL_LIMIT, kind: "u32" },
  flows: { type: TCA_FQ_CODEL_FLOWS, kind: "u32" },
  quantum: { type: TCA_FQ_CODEL_QUANTUM, kind: "u32" },
  interval: { type: TCA_FQ_CODEL_INTERVAL, kind: "u32" },
  target: { type: TCA_FQ_CODEL_TARGET, kind: "u32" },
  ecn: { type: TCA_FQ_CODEL_ECN, kind: "u32" },
  ceThreshold: { type: TCA_FQ_CODEL_CE_THRESHOLD, kind: "u32" },
  ceMask: { type: TCA_FQ_CODEL_CE_THRESHOLD_MASK, kind: "u8" },
  ceSelector: { type: TCA_FQ_CODEL_CE_THRESHOLD_SELECTOR, kind: "u8" },
  memoryLimit: { type: TCA_FQ_CODEL_MEMORY_LIMIT, kind: "u32" },
  dropBatch: { type: TCA_FQ_CODEL_DROP_BATCH_SIZE, kind: "u32" },
} as const;

/** fq_codel options (absent fields keep the kernel's defaults). */
export interface FqCodelOptions {
  /** Packets the qdisc holds. */
  limit?: number;
  /** Number of flow queues. */
  flows?: number;
  /** Bytes dequeued per round. */
  quantum?: number;
  /** Acceptable queue delay, microseconds. */
  target?: number;
  /** Width of the moving window, microseconds. */
  interval?: number;
  /** Mark ECN-capable packets instead of dropping them. */
  ecn?: boolean;
  /** Mark CE above this delay, microseconds. */
  ceThreshold?: number;
  /** Apply the CE threshold to packets whose DS field `& mask == selector`. */
  ceThresholdSelector?: { value: number; mask: number };
  /** Bytes of memory the queues may use. */
  memoryLimit?: number;
  /** Packets dropped at once when over limit. */
  dropBatch?: number;
}

/** fq_codel qdisc statistics. */
export interface FqCodelXstats {
  /** Largest packet seen. */
  maxpacket: number;
  /** Drops because the limit was hit. */
  dropOverlimit: number;
  /** Flows created. */
  newFlowCount: number;
  /** Packets ECN-marked. */
  ecnMark: number;
  /** Flows on the new list. */
  newFlowsLen: number;
  /** Flows on the old list. */
  oldFlowsLen: number;
  /** Packets CE-marked above the threshold. */
  ceMark: number;
  /** Bytes in use. */
  memoryUsage: number;
  /** Drops because memory ran out. */
  dropOvermemory: number;
}

function parse(buf: Uint8Array, view: DataView, start: number, end: number): FqCodelOptions {
  const { ecn, ceMask, ceSelector, unknown: _, ...o } = parseAttrs(FQ_CODEL_ATTRS, buf, view, start, end);
  const out: FqCodelOptions = o;
  if (ecn !== undefined) out.ecn = ecn !== 0;
  if (ceSelector !== undefined || ceMask !== undefined) {
    out.ceThresholdSelector = { value: ceSelector ?? 0, mask: ceMask ?? 0 };
  }
  return out;
}

function build(b: MessageBuilder, o: FqCodelOptions): void {
  // tc leaves out zeros it reads as "not given".
  b.attrs(FQ_CODEL_ATTRS, {
    limit: o.limit || undefined,
    flows: o.flows || undefined,
    quantum: o.quantum || undefined,
    interval: o.interval || undefined,
    target: o.target || undefined,
    ecn: o.ecn === undefined ? undefined : o.ecn ? 1 : 0,
    ceThreshold: o.ceThreshold,
    ceMask: o.ceThresholdSelector?.mask,
    ceSelector: o.ceThresholdSelector?.value,
    memoryLimit: o.memoryLimit,
    dropBatch: o.dropBatch || undefined,
  });
}

/** Reads `VALUE/MASK`, each 0 to 255. */
function readSelector(w: TcWords, word: string): FqCodelOptions["ceThresholdSelector"] {
  const v = w.value(word, "VALUE/MASK");
  const m = /^(0x[0-9a-f]+|\d+)\/(0x[0-9a-f]+|\d+)$/i.exec(v);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) {
    throw new InvalidArgumentError(`Invalid ce_threshold_selector: "${v}" (expected VALUE/MASK, each 0 to 255)`);
  }
  return { value: Number(m[1]), mask: Number(m[2]) };
}

const WORDS: WordTable<FqCodelOptions> = {
  limit: { key: "limit", read: readInt() },
  flows: { key: "flows", read: readInt() },
  quantum: { key: "quantum", read: readInt() },
  drop_batch: { key: "dropBatch", read: readInt() },
  target: { key: "target", read: readTime },
  interval: { key: "interval", read: readTime },
  ce_threshold: { key: "ceThreshold", read: readTime },
  ce_threshold_selector: { key: "ceThresholdSelector", read: readSelector },
  memory_limit: { key: "memoryLimit", read: readSize },
  ecn: { key: "ecn", value: true },
  noecn: { key: "ecn", value: false },
};

function print(p: TcPrinter, o: FqCodelOptions): void {
  if (o.limit !== undefined) p.uint("limit", "limit %sp ", o.limit);
  if (o.flows !== undefined) p.uint("flows", "flows %s ", o.flows);
  if (o.quantum !== undefined) p.uint("quantum", "quantum %s ", o.quantum);
  const time = (key: string, v: number | undefined) => {
    if (v !== undefined) p.field("any", key, `${key} %s `, v, formatTime(v));
  };
  time("target", o.target);
  time("ce_threshold", o.ceThreshold);
  const sel = o.ceThresholdSelector;
  if (sel && (sel.value || sel.mask)) {
    p.field("any", "ce_threshold_selector", "ce_threshold_selector %s", sel.value, hex(sel.value));
    p.field("any", "ce_threshold_mask", "/%s ", sel.mask, hex(sel.mask));
  }
  time("interval", o.interval);
  if (o.memoryLimit !== undefined) {
    p.field("any", "memory_limit", "memory_limit %s ", o.memoryLimit, formatSize(o.memoryLimit));
  }
  if (o.ecn) p.bool("ecn", "ecn ", true);
  if (o.dropBatch) p.uint("drop_batch", "drop_batch %s ", o.dropBatch);
}

const hex = (n: number) => (n ? `0x${n.toString(16)}` : "0");

const XSTATS = {
  type: "u32",
  maxpacket: "u32",
  dropOverlimit: "u32",
  ecnMark: "u32",
  newFlowCount: "u32",
  newFlowsLen: "u32",
  oldFlowsLen: "u32",
  ceMark: "u32",
  memoryUsage: "u32",
  dropOvermemory: "u32",
} as const;

/** The fq_codel module. */
export const fqCodel: QdiscKind = {
  kind: "fq_codel",
  qdisc: {
    keys: [
      "limit",
      "flows",
      "quantum",
      "target",
      "interval",
      "ecn",
      "ceThreshold",
      "ceThresholdSelector",
      "memoryLimit",
      "dropBatch",
    ],
    parse,
    build,
    print,
    words: (w, ctx) => readWords<FqCodelOptions>(w, "fq_codel", WORDS, {}, ctx),
  },
  xstats: {
    parse(_b, view, s, e): FqCodelXstats | undefined {
      const x = parseStruct(XSTATS, view, s, e);
      if (x.type !== 0) return undefined; // class statistics: nlkit lists no fq_codel classes
      const { type: _, ...rest } = x;
      return Object.assign({ ceMark: 0, memoryUsage: 0, dropOvermemory: 0 }, rest) as FqCodelXstats;
    },
    print(p, xs): void {
      if (!xs) return;
      const x = xs as FqCodelXstats;
      p.uint("maxpacket", "  maxpacket %s", x.maxpacket);
      p.uint("drop_overlimit", " drop_overlimit %s", x.dropOverlimit);
      p.uint("new_flow_count", " new_flow_count %s", x.newFlowCount);
      p.uint("ecn_mark", " ecn_mark %s", x.ecnMark);
      if (x.ceMark) p.uint("ce_mark", " ce_mark %s", x.ceMark);
      if (x.memoryUsage) p.uint("memory_used", " memory_used %s", x.memoryUsage);
      if (x.dropOvermemory) p.uint("drop_overmemory", " drop_overmemory %s", x.dropOvermemory);
      p.nl();
      p.uint("new_flows_len", "  new_flows_len %s", x.newFlowsLen);
      p.uint("old_flows_len", " old_flows_len %s", x.oldFlowsLen);
    },
  },
};
