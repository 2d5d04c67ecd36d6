/**
 * Benchmark: list 10,000 u32 filters (each with a flowid, half with a
 * mirred action) as typed objects and as `tc -j` JSON, next to `tc -j
 * filter show` timed in the same run, and the whole `nlkit -j tc filter
 * show` process against `tc`'s; then 2,000 htb classes with `-s class
 * show` and `-s qdisc show`, whole processes. Everything runs in a
 * throwaway namespace, deleted even on error.
 *
 * Run as root: `deno run -A bench/tc.ts` or `bun bench/tc.ts`.
 *
 * @module
 */

import { existsSync } from "node:fs";
import process from "node:process";
import { streamFilters } from "../src/route/tc/ops.ts";
import { printFilter } from "../src/route/tc/print.ts";
import { TcPrinter } from "../src/route/tc/printer.ts";
import { against, best as bestOf, cliProc, proc, sh, type Timing } from "./_timing.ts";

const COUNT = 10000;
const CLASSES = 2000;
const RUNS = 7;
const best = (fn: () => unknown | Promise<number>) => bestOf(RUNS, fn);
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const ns = `nlkit-bench-tc-${process.pid}`;

sh("ip", ["netns", "add", ns]);
try {
  sh("ip", ["-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
  sh("tc", ["-n", ns, "qdisc", "add", "dev", "v0", "root", "handle", "1:", "htb"]);
  const lines: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const dst = `10.${(i >> 8) & 255}.${i & 255}.0/24`;
    const act = i % 2 ? " action mirred egress mirror dev v1" : "";
    lines.push(
      `filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst ${dst} flowid 1:${(i % 100) + 1}${act}`,
    );
  }
  sh("tc", ["-n", ns, "-batch", "-"], lines.join("\n") + "\n");
  const filter = { dev: "v0", parent: "1:" };
  let n = 0;
  const typed = await best(async () => {
    n = 0;
    for await (const _ of streamFilters(filter, { netns: ns })) n++;
  });
  const names = (i: number) => (i === 2 ? "v1" : "v0");
  let bytes = 0;
  const json = await best(async () => {
    bytes = 0;
    const p = new TcPrinter(true);
    for await (const f of streamFilters(filter, { netns: ns })) {
      printFilter(p, f, { linkName: names, hideDev: true, listedBy: { parent: 0x10000 } });
      bytes += p.json().length;
    }
  });
  const nlkit = (words: string[]) => cliProc(["-n", ns, ...words]);
  const show = ["-j", "filter", "show", "dev", "v0", "parent", "1:"];
  const tcMs = await best(proc("tc", ["-n", ns, ...show]));
  const cliMs = await best(nlkit(["-j", "tc", ...show.slice(1)]));
  const bin = existsSync("dist/nlkit")
    ? await best(proc("dist/nlkit", ["-n", ns, "-j", "tc", ...show.slice(1)]))
    : undefined;
  const r = (x: Timing, base = tcMs) => against(x, base, "tc");
  console.log(`${runtime}: ${n} filter messages (${COUNT} u32 filters), best of ${RUNS}`);
  console.log(`  tc -j filter show (process)          wall ${tcMs.wall.toFixed(0)} ms, cpu ${tcMs.cpu.toFixed(0)} ms`);
  console.log(`  streamFilters, typed (in process)    ${r(typed)}`);
  console.log(`  ... and tc -j JSON text (in process) ${r(json)}, ${bytes} bytes`);
  console.log(`  nlkit -j tc filter show, ${runtime} run  ${r(cliMs)}`);
  if (bin) console.log(`  nlkit -j tc filter show, compiled    ${r(bin)}`);
  // Classes: an htb with 2,000 classes on v1, listed with statistics.
  const classes = ["qdisc add dev v1 root handle 1: htb default 1"];
  for (let i = 1; i <= CLASSES; i++) {
    classes.push(`class add dev v1 parent 1: classid 1:${i.toString(16)} htb rate 1mbit`);
  }
  sh("tc", ["-n", ns, "-batch", "-"], classes.join("\n") + "\n");
  console.log(`${runtime}: ${CLASSES} htb classes, best of ${RUNS}`);
  for (const words of [["-s", "class", "show", "dev", "v1"], ["-s", "qdisc", "show"]]) {
    const base = await best(proc("tc", ["-n", ns, ...words]));
    const ours = await best(nlkit([words[0], "tc", ...words.slice(1)]));
    console.log(`  tc ${words.join(" ")}: tc cpu ${base.cpu.toFixed(0)} ms; nlkit ${r(ours, base)}`);
  }
} finally {
  try {
    sh("ip", ["netns", "del", ns]);
  } catch { /* never created */ }
}
