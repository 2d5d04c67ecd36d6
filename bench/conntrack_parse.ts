/**
 * Benchmark: `parseConntrackMessage` per message on the entry a TCP dump
 * reply carries (tuples, status, timeout, mark, zone, id, use, TCP state,
 * counters, timestamp, labels, synproxy; captured from Linux 6.18). It uses
 * only the public parser, so the same file measures another tree too (copy
 * it there) for before/after figures.
 *
 * Run: `deno run -A bench/conntrack_parse.ts` or `bun bench/conntrack_parse.ts` (no root needed).
 *
 * @module
 */

import process from "node:process";
import { parseConntrackMessage } from "../src/netfilter/conntrack/entry.ts";
import { readMessage } from "../src/wire/message.ts";

// The TCP entry of tests/conntrack_codec_test.ts (zone, mark, counters, timestamp, labels).
const HEX = "5401000000010200016038f52028000002000000340001801400018008000100c000020108000200c63364071c00028005" +
  "00010006000000060002009c4000000600030020fb0000340002801400018008000100c633640708000200c00002011c00028005" +
  "000100060000000600020020fb0000060003009c4000000600120002bc0000080003000000000e080008001234567808000c003a" +
  "e44f6108000b0000000001080007000001517f300004802c0001800500010003000000050002000000000005000300000000000600" +
  "04000000000006000500000000001c0009800c00010000000000000000000c00020000000000000000001c000a800c000100000000" +
  "00000000000c0002000000000000000000100014800c00010018eb5e96dcc2b6f214001600020000000000000040000000000000801c" +
  "001880080001000000000008000200000000000800030000000000";
const bytes = Uint8Array.from(HEX.match(/../g)!, (h) => parseInt(h, 16));
const m = readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length);
const N = 300_000;
let best = Infinity, cpuBest = Infinity;
for (let r = 0; r < 7; r++) {
  const c = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < N; i++) parseConntrackMessage(m);
  best = Math.min(best, performance.now() - t);
  const d = process.cpuUsage(c);
  cpuBest = Math.min(cpuBest, (d.user + d.system) / 1000);
}
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
console.log(
  `${runtime}: parseConntrackMessage ${(best * 1e6 / N).toFixed(0)} ns/message wall, ${
    (cpuBest * 1e6 / N).toFixed(0)
  } ns CPU (best of 7 x ${N})`,
);
