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
 * `CTINSERT=/path/to/ctinsert` adds the C row (bench/conntrack_list.sh builds one).
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

async function measure(name: string, n: number, fn: () => Promise<void>): Promise<void> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  const s = (performance.now() - t) / 1000;
  const d = process.cpuUsage(cpu);
  const us = (d.user + d.system) / n;
  console.log(
    `  ${name.padEnd(34)} ${Math.round(n / s).toString().padStart(8)}/s wall  ${
      us.toFixed(1).padStart(6)
    } us CPU/entry`,
  );
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
  for (let r = 0; r < 2; r++) {
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
    console.log(
      `  ${"C libmnl ctinsert".padEnd(34)} ${Math.round(COUNT / s).toString().padStart(8)}/s wall  ${
        ((u + sy) * 1e6 / COUNT).toFixed(1).padStart(6)
      } us CPU/entry`,
    );
  }
} finally {
  execFileSync("ip", ["netns", "del", ns]);
}
