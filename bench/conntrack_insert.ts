/**
 * Benchmark: conntrack bulk insert rate, one request at a time
 * (`createConntrack` on one socket) against `createConntrackMany` (many
 * requests per `sendmsg` through `NetlinkSocket.requestBatch`), next to the
 * C libmnl inserter of `../shared/bench-peers` (`build/ctinsert`, hundreds of
 * messages per `sendto`) in the same run. Reports entries per second and
 * CPU microseconds per entry (`process.cpuUsage`, the whole process: the
 * machine is shared, so CPU time is the figure to compare). Uses only the
 * public calls, so the same file measures another tree too (copy it there).
 *
 *   deno run -A bench/conntrack_insert.ts [COUNT] [ONE_BY_ONE]   (as root)
 *   bun bench/conntrack_insert.ts [COUNT] [ONE_BY_ONE]
 *
 * `CTINSERT=/path/to/ctinsert` adds the C row (bench/conntrack_list.sh builds one), and
 * `OLD=/path/to/tree` the same calls of another tree in the same run (the tree
 * before issue 10's batches: `git archive 447ccf5 | tar -x -C /tmp/prev10`).
 * The table ends with each row's rate and CPU per entry against the first
 * `createConntrackMany` row of `OLD` (else against one at a time).
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import process from "node:process";
import { createConntrackMany } from "../src/netfilter/conntrack/bulk.ts";
import { openConntrackSocket } from "../src/netfilter/conntrack/ctnetlink.ts";
import { createConntrack, flushConntrack } from "../src/netfilter/conntrack/ops.ts";
import type { ConntrackSpec } from "../src/netfilter/conntrack/spec.ts";
import { spec } from "./_ct_spec.ts";

const COUNT = Number(process.argv[2] ?? 50_000);
const ONE = Number(process.argv[3] ?? 5_000);
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const ns = `nlkit-bench-ctins-${process.pid}`;

function* specs(n: number): Generator<ConntrackSpec> {
  for (let i = 0; i < n; i++) yield spec(i);
}

/** Each row measured: its name, entries per second (wall) and CPU microseconds per entry. */
const rows: [string, number, number][] = [];

function row(name: string, rate: number, us: number): void {
  rows.push([name, rate, us]);
  console.log(
    `  ${name.padEnd(34)} ${Math.round(rate).toString().padStart(8)}/s wall  ${us.toFixed(1).padStart(6)} us CPU/entry`,
  );
}

async function measure(name: string, n: number, fn: () => Promise<void>): Promise<void> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  const s = (performance.now() - t) / 1000;
  const d = process.cpuUsage(cpu);
  row(name, n / s, (d.user + d.system) / n);
}

/** The bulk insert and the flush of another tree. */
interface OldCalls {
  createMany: typeof createConntrackMany;
  flush: typeof flushConntrack;
}

/** The insert calls of another tree (`OLD`), imported from its sources. */
async function oldCalls(dir: string): Promise<OldCalls> {
  const bulk = await import(`${dir}/src/netfilter/conntrack/bulk.ts`);
  const ops = await import(`${dir}/src/netfilter/conntrack/ops.ts`);
  return { createMany: bulk.createConntrackMany, flush: ops.flushConntrack };
}

execFileSync("ip", ["netns", "add", ns]);
try {
  execFileSync("ip", ["netns", "exec", ns, "sysctl", "-qw", `net.netfilter.nf_conntrack_max=${COUNT * 2}`]);
  console.log(`${runtime}: ${COUNT} entries (one at a time: ${ONE})`);
  await measure("createConntrack, one at a time", ONE, async () => {
    const sock = await openConntrackSocket({ netns: ns });
    try {
      for (let i = 0; i < ONE; i++) await createConntrack(spec(i), { socket: sock });
    } finally {
      sock.close();
    }
  });
  await flushConntrack({}, { netns: ns });
  const old = process.env.OLD ? await oldCalls(process.env.OLD) : undefined;
  for (let r = 0; r < 2; r++) {
    if (old) {
      await measure("old createConntrackMany", COUNT, async () => {
        const { failed } = await old.createMany(specs(COUNT), {}, { netns: ns });
        if (failed.length) throw new Error(`${failed.length} refused: ${failed[0].error}`);
      });
      await old.flush({}, { netns: ns });
    }
    await measure("createConntrackMany", COUNT, async () => {
      const { failed } = await createConntrackMany(specs(COUNT), {}, { netns: ns });
      if (failed.length) throw new Error(`${failed.length} refused: ${failed[0].error}`);
    });
    await flushConntrack({}, { netns: ns });
  }
  const c = process.env.CTINSERT;
  if (c) {
    const t = performance.now();
    const r = spawnSync("/usr/bin/time", ["-f", "%U %S", c, "-n", ns, String(COUNT)], { encoding: "utf8" });
    const s = (performance.now() - t) / 1000;
    const [u, sy] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
    row("C libmnl ctinsert", COUNT / s, (u + sy) * 1e6 / COUNT);
  }
  // Best of each name, against the base: the old tree's bulk call, else one at a time.
  const best = new Map<string, [number, number]>();
  for (const [n, r, us] of rows) {
    const b = best.get(n);
    best.set(n, b ? [Math.max(b[0], r), Math.min(b[1], us)] : [r, us]);
  }
  const baseName = best.has("old createConntrackMany") ? "old createConntrackMany" : "createConntrack, one at a time";
  const base = best.get(baseName)!;
  console.log(`${runtime}: best of each, against ${baseName} (rate: higher is better; CPU: base/row)`);
  for (const [n, [r, us]] of best) {
    console.log(
      `  ${n.padEnd(34)} ${Math.round(r).toString().padStart(8)}/s ${(r / base[0]).toFixed(2).padStart(6)}x  ${
        us.toFixed(1).padStart(6)
      } us CPU ${(base[1] / us).toFixed(2).padStart(6)}x`,
    );
  }
} finally {
  execFileSync("ip", ["netns", "del", ns]);
}
