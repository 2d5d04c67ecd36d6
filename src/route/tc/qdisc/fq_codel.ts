/**
 * `fq_codel`: fair queueing with CoDel active queue management. Times are
 * microseconds, as tc gives them to the kernel.
 *
 * @module
 */

import type { MessageBuilder } from "../../../wire/builder.ts";
import { forEachAttr, parseStruct } from "../../../wire/table.ts";
import type { QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { formatSize, formatTime, parseSize, parseTime } from "../units.ts";
import type { TcWords } from "../words.ts";

const A = {
  target: 1,
  limit: 2,
  interval: 3,
  ecn: 4,
  flows: 5,
  quantum: 6,
  ceThreshold: 7,
  dropBatch: 8,
  memoryLimit: 9,
  ceThresholdSelector: 10,
  ceThresholdMask: 11,
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

function parse(_buf: Uint8Array, view: DataView, start: number, end: number): FqCodelOptions {
  const o: FqCodelOptions = {};
  let sel: number | undefined, mask: number | undefined;
  forEachAttr(view, start, end, (t, s) => {
    const type = t & 0x3fff;
    const u = () => view.getUint32(s, true);
    if (type === A.limit) o.limit = u();
    else if (type === A.flows) o.flows = u();
    else if (type === A.quantum) o.quantum = u();
    else if (type === A.target) o.target = u();
    else if (type === A.interval) o.interval = u();
    else if (type === A.ecn) o.ecn = u() !== 0;
    else if (type === A.ceThreshold) o.ceThreshold = u();
    else if (type === A.memoryLimit) o.memoryLimit = u();
    else if (type === A.dropBatch) o.dropBatch = u();
    else if (type === A.ceThresholdSelector) sel = view.getUint8(s);
    else if (type === A.ceThresholdMask) mask = view.getUint8(s);
  });
  if (sel !== undefined || mask !== undefined) o.ceThresholdSelector = { value: sel ?? 0, mask: mask ?? 0 };
  return o;
}

function build(b: MessageBuilder, o: FqCodelOptions): void {
  // tc's order, and tc leaves out zeros it reads as "not given".
  if (o.limit) b.u(A.limit, "u32", o.limit);
  if (o.flows) b.u(A.flows, "u32", o.flows);
  if (o.quantum) b.u(A.quantum, "u32", o.quantum);
  if (o.interval) b.u(A.interval, "u32", o.interval);
  if (o.target) b.u(A.target, "u32", o.target);
  if (o.ecn !== undefined) b.u(A.ecn, "u32", o.ecn ? 1 : 0);
  if (o.ceThreshold !== undefined) b.u(A.ceThreshold, "u32", o.ceThreshold);
  if (o.ceThresholdSelector) {
    b.u(A.ceThresholdMask, "u8", o.ceThresholdSelector.mask);
    b.u(A.ceThresholdSelector, "u8", o.ceThresholdSelector.value);
  }
  if (o.memoryLimit !== undefined) b.u(A.memoryLimit, "u32", o.memoryLimit);
  if (o.dropBatch) b.u(A.dropBatch, "u32", o.dropBatch);
}

function words(w: TcWords): FqCodelOptions {
  const o: FqCodelOptions = {};
  for (let word = w.next(); word !== undefined; word = w.next()) {
    switch (word) {
      case "limit":
      case "flows":
      case "quantum":
        o[word] = w.int(word);
        break;
      case "drop_batch":
        o.dropBatch = w.int(word);
        break;
      case "target":
      case "interval":
        o[word] = parseTime(w.value(word, "time"));
        break;
      case "ce_threshold":
        o.ceThreshold = parseTime(w.value(word, "time"));
        break;
      case "ce_threshold_selector": {
        const v = w.value(word, "VALUE/MASK");
        const m = /^(0x[0-9a-f]+|\d+)\/(0x[0-9a-f]+|\d+)$/i.exec(v);
        if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) {
          throw new TypeError(`Invalid ce_threshold_selector: "${v}" (expected VALUE/MASK, each 0 to 255)`);
        }
        o.ceThresholdSelector = { value: Number(m[1]), mask: Number(m[2]) };
        break;
      }
      case "memory_limit":
        o.memoryLimit = parseSize(w.value(word, "size"));
        break;
      case "ecn":
      case "noecn":
        o.ecn = word === "ecn";
        break;
      default:
        throw new TypeError(`Unknown fq_codel argument: "${word}"`);
    }
  }
  return o;
}

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
    build: (b, o) => build(b, o as FqCodelOptions),
    print: (p, o) => print(p, o as FqCodelOptions),
    words,
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
