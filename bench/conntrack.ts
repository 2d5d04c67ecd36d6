/**
 * Conntrack benchmark: insert rate (createConntrack one at a time, then createConntrackMany),
 * streaming list time and peak RSS at 10,000 and 100,000 entries, next to
 * `conntrack -L` on the same table. Runs in a throwaway network namespace,
 * deleted at the end even on error. Needs root.
 *
 *   deno run -A --v8-flags=--expose-gc bench/conntrack.ts [--max 100000] [--reps 3]
 *   bun bench/conntrack.ts [--max 100000] [--reps 3]
 *
 * Each lister runs `--reps` times, interleaved; the table shows the best wall
 * time and the highest peak RSS.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import { createConntrackMany } from "../src/netfilter/conntrack/bulk.ts";
import { openConntrackSocket } from "../src/netfilter/conntrack/ctnetlink.ts";
import { formatConntrack } from "../src/netfilter/conntrack/format.ts";
import { createConntrack, flushConntrack, streamConntrack } from "../src/netfilter/conntrack/ops.ts";
import type { ConntrackSpec } from "../src/netfilter/conntrack/spec.ts";
import { spec } from "./_ct_spec.ts";
import { conntrackCount } from "../src/netfilter/conntrack/stats.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    max: { type: "string", default: "100000" },
    sequential: { type: "string", default: "2000" },
    reps: { type: "string", default: "3" },
  },
});
const MAX = Number(values.max);
const SEQUENTIAL = Number(values.sequential);
const REPS = Number(values.reps);
const STEPS = [10_000, MAX].filter((n, i, a) => n <= MAX && a.indexOf(n) === i);
const runtime = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? "deno" : "bun";
const ns = `nlkit-bench-ct-${process.pid}`;

/** Peak RSS since the last reset, in MiB (`VmHWM`); resets it for the next phase. */
function peakRss(reset = true): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  if (reset) writeFileSync("/proc/self/clear_refs", "5"); // 5: reset the peak RSS counter
  return m ? Number(m[1]) / 1024 : NaN;
}

function rssNow(): number {
  return process.memoryUsage().rss / 1048576;
}

async function listOurs(format: boolean): Promise<{ n: number; ms: number; peakMiB: number }> {
  peakRss();
  const t0 = performance.now();
  let n = 0, chars = 0;
  for await (const e of streamConntrack({}, { netns: ns })) {
    n++;
    if (format) chars += formatConntrack(e).length;
  }
  const ms = performance.now() - t0;
  if (format && chars === 0) throw new Error("Nothing formatted");
  return { n, ms, peakMiB: peakRss() };
}

function listTheirs(): { n: number; ms: number; peakMiB: number } {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", "ip", "netns", "exec", ns, "conntrack", "-L"], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`conntrack -L failed: ${r.stderr}`);
  const n = Number(/(\d+) flow entries have been shown/.exec(r.stderr)?.[1] ?? NaN);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { n, ms, peakMiB: kb / 1024 };
}

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

function collectGarbage(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.(); // Deno: only with --v8-flags=--expose-gc
}

async function insert(from: number, to: number): Promise<void> {
  peakRss();
  // A generator: createConntrackMany streams, so the specs are never all in memory.
  function* specs(): Generator<ConntrackSpec> {
    for (let i = from; i < to; i++) yield spec(i);
  }
  const t0 = performance.now();
  const r = await createConntrackMany(specs(), {}, { netns: ns });
  const s = (performance.now() - t0) / 1000;
  const insertPeak = peakRss();
  if (r.failed.length) throw new Error(`${r.failed.length} inserts failed, first: ${String(r.failed[0].error)}`);
  const count = (await conntrackCount({ netns: ns })).count;
  if (count !== to) throw new Error(`Table holds ${count} entries, expected ${to}`);
  console.log(
    `insert, createConntrackMany: +${fmt(r.created)} entries in ${fmt(s * 1000)} ms = ${fmt(r.created / s)}/s ` +
      `(peak RSS ${fmt(insertPeak, 1)} MiB)`,
  );
}

async function main(): Promise<void> {
  console.log(
    `# conntrack bench: ${runtime}, kernel ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}, netns ${ns}`,
  );
  const max = (await conntrackCount({ netns: ns })).max;
  if (max < MAX) throw new RangeError(`nf_conntrack_max in the namespace is ${max}, below --max ${MAX}`);
  console.log(`nf_conntrack_max ${max}; RSS at start ${fmt(rssNow(), 1)} MiB`);

  // Baseline: one request at a time on one socket.
  {
    const sock = await openConntrackSocket({ netns: ns });
    const t0 = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) await createConntrack(spec(i), { socket: sock });
    const s = (performance.now() - t0) / 1000;
    sock.close();
    console.log(`insert, one at a time: ${fmt(SEQUENTIAL)} entries in ${fmt(s * 1000)} ms = ${fmt(SEQUENTIAL / s)}/s`);
    await flushConntrack({}, { netns: ns });
  }

  let have = 0;
  const rows: string[] = [];
  for (const target of STEPS) {
    await insert(have, target);
    have = target;
    collectGarbage(); // the specs and requests of the insert phase are garbage now
    const before = rssNow();
    // Interleaved repetitions, best wall time of each (the machine may be busy), highest peak RSS.
    type Run = { n: number; ms: number; peakMiB: number };
    const best = (a: Run | undefined, b: Run): Run =>
      a ? { n: b.n, ms: Math.min(a.ms, b.ms), peakMiB: Math.max(a.peakMiB, b.peakMiB) } : b;
    let ours: Run | undefined, oursText: Run | undefined, theirs: Run | undefined;
    for (let r = 0; r < REPS; r++) {
      ours = best(ours, await listOurs(false));
      oursText = best(oursText, await listOurs(true));
      theirs = best(theirs, listTheirs());
    }
    if (!ours || !oursText || !theirs) throw new RangeError(`Invalid --reps: "${REPS}" (must be 1 or more)`);
    if (ours.n !== target || theirs.n !== target) throw new Error(`Listed ${ours.n} / ${theirs.n}, expected ${target}`);
    const row = (name: string, r: { ms: number; peakMiB: number }) =>
      `| ${fmt(target)} | ${name} | ${fmt(r.ms)} | ${fmt(target / r.ms * 1000)} | ${fmt(r.peakMiB, 1)} |`;
    rows.push(
      row(`nlkit list (${runtime}; RSS before ${fmt(before, 1)} MiB)`, ours),
      row(`nlkit list + format (${runtime})`, oursText),
      row("conntrack -L > /dev/null", theirs),
    );
  }
  console.log("\n| entries | lister | wall ms | entries/s | peak RSS MiB |\n|---|---|---|---|---|");
  for (const r of rows) console.log(r);
  console.log(
    `\nBest wall time of ${REPS} interleaved runs. Peak RSS: VmHWM of the whole process (runtime included), ` +
      "reset before each phase; conntrack: /usr/bin/time -v (wall time includes `ip netns exec`).",
  );
}

execFileSync("ip", ["netns", "add", ns]);
const cleanup = () => {
  try {
    execFileSync("ip", ["netns", "del", ns]);
  } catch { /* already gone */ }
};
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});
try {
  await main();
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  cleanup();
}
