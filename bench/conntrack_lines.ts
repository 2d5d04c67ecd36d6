/**
 * Benchmark: the in-process cost per entry of a conntrack listing, kernel
 * and start-up left out. Reads one dump of NETNS (a namespace filled with
 * `conntrack -I` or the bench-peers harness's `build/ctinsert`) into memory
 * once, then times, over those very messages, best of 11 interleaved rounds
 * (wall and CPU ns per entry):
 * - `parse`: `parseConntrackMessage` alone (what the typed API pays),
 * - `parse+format`: the reference line path, `writeConntrack(parse(m))`,
 * - `line`: `conntrackLineWriter`, the line written from the bytes.
 *
 * Run as root: `deno run -A bench/conntrack_lines.ts NETNS` or `bun bench/conntrack_lines.ts NETNS`.
 *
 * @module
 */

import process from "node:process";
import { parseConntrackMessage } from "../src/netfilter/conntrack/entry.ts";
import { writeConntrack } from "../src/netfilter/conntrack/format.ts";
import { conntrackLineWriter } from "../src/netfilter/conntrack/line.ts";
import { streamConntrackMessages } from "../src/netfilter/conntrack/ops.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { TextSink } from "../src/wire/text_sink.ts";

const netns = process.argv[process.argv.length - 1];
const copies: Uint8Array[] = [];
for await (const _ of streamConntrackMessages(undefined, (m) => copies.push(m.buf.slice(m.start, m.end)), { netns })) {
  // the messages are copied as they arrive
}
const msgs: NlMsg[] = copies.map((b) => readMessage(b, new DataView(b.buffer), 0, b.length));
if (msgs.length === 0) throw new Error(`Cannot bench: no conntrack entries in namespace "${netns}"`);

const sink = new TextSink(1 << 20);
/** Ends a line as the CLI's output does, emptying the buffer now and then. */
function endLine(): void {
  sink.byte(10);
  if (sink.at > 1 << 19) sink.at = 0;
}
const line = conntrackLineWriter({});
const ROUNDS = 11;
const cases: [string, (m: NlMsg) => void][] = [
  ["parse", (m) => parseConntrackMessage(m)],
  ["parse+format", (m) => {
    writeConntrack(sink, parseConntrackMessage(m));
    endLine();
  }],
  ["line", (m) => {
    line(sink, m);
    endLine();
  }],
];
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const chosen = cases.filter(([n]) => !process.env.CASE || n === process.env.CASE);
const wall = chosen.map(() => Infinity), cpu = chosen.map(() => Infinity);
// Rounds interleave the cases, so a burst of load on the shared machine hits them alike.
for (let r = 0; r < ROUNDS; r++) {
  chosen.forEach(([, fn], c) => {
    const c0 = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < msgs.length; i++) fn(msgs[i]);
    wall[c] = Math.min(wall[c], performance.now() - t);
    const d = process.cpuUsage(c0);
    cpu[c] = Math.min(cpu[c], (d.user + d.system) / 1000);
  });
}
const per = (ms: number) => (ms * 1e6 / msgs.length).toFixed(0).padStart(5);
chosen.forEach(([name], c) => {
  console.log(
    `${runtime} ${name.padEnd(13)} ${per(wall[c])} ns/entry wall ${per(cpu[c])} ns CPU (${msgs.length} entries)`,
  );
});
