/**
 * Benchmark: list 10,000 nexthop objects (gateways, blackholes and groups)
 * as typed objects and as `ip -j` JSON, next to `ip -j nexthop show` timed
 * in the same run, and the whole `nlkit -j nexthop show` process against
 * `ip`'s, wall and CPU time. Everything runs in a throwaway namespace,
 * deleted even on error.
 *
 * Run as root: `deno run -A bench/nexthop.ts` or `bun bench/nexthop.ts`.
 *
 * @module
 */

import { existsSync } from "node:fs";
import process from "node:process";
import { against, best, cliProc, proc, sh, type Timing } from "./_timing.ts";
import { streamNexthops } from "../src/route/nexthop/api.ts";
import { nexthopToIpJson } from "../src/route/nexthop/json.ts";

const COUNT = 10000;
const RUNS = 7;
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const ns = `nlkit-bench-nh-${process.pid}`;

sh("ip", ["netns", "add", ns]);
try {
  sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
  sh("ip", ["-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
  sh("ip", ["-n", ns, "link", "set", "v0", "up"]);
  sh("ip", ["-n", ns, "link", "set", "v1", "up"]);
  sh("ip", ["-n", ns, "addr", "add", "10.0.0.1/8", "dev", "v0"]);
  const lines: string[] = [];
  for (let i = 1; i <= COUNT; i++) {
    if (i % 10 === 0) lines.push(`nexthop add id ${i} group ${i - 1}/${i - 2},3`);
    else if (i % 10 === 5) lines.push(`nexthop add id ${i} blackhole`);
    else lines.push(`nexthop add id ${i} via 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} dev v0`);
  }
  sh("ip", ["-n", ns, "-batch", "-"], lines.join("\n") + "\n");
  let n = 0;
  const typed = await best(RUNS, async () => {
    n = 0;
    for await (const _ of streamNexthops({}, { netns: ns })) n++;
  });
  const json = await best(RUNS, async () => {
    let bytes = 0;
    for await (const nh of streamNexthops({}, { netns: ns })) bytes += JSON.stringify(nexthopToIpJson(nh)).length;
    if (!bytes) throw new Error("no nexthops listed");
  });
  const show = ["-n", ns, "-j", "nexthop", "show"];
  const ipMs = await best(RUNS, proc("ip", show));
  const cliMs = await best(RUNS, cliProc(show));
  const bin = existsSync("dist/nlkit") ? await best(RUNS, proc("dist/nlkit", show)) : undefined;
  const r = (x: Timing) => against(x, ipMs);
  console.log(`${runtime}: ${n} nexthops, best of ${RUNS}`);
  console.log(`  ip -j nexthop show (process)         wall ${ipMs.wall.toFixed(0)} ms, cpu ${ipMs.cpu.toFixed(0)} ms`);
  console.log(`  streamNexthops, typed (in process)   ${r(typed)}`);
  console.log(`  ... and ip -j JSON text (in process) ${r(json)}`);
  console.log(`  nlkit -j nexthop show, ${runtime} run   ${r(cliMs)}`);
  if (bin) console.log(`  nlkit -j nexthop show, compiled      ${r(bin)}`);
} finally {
  sh("ip", ["netns", "del", ns]);
}
