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

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { streamNexthops } from "../src/route/nexthop/api.ts";
import { nexthopToIpJson } from "../src/route/nexthop/json.ts";

const COUNT = 10000;
const RUNS = 7;
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const ns = `nlkit-bench-nh-${process.pid}`;

function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: "utf8", input, maxBuffer: 1 << 30 });
}

/** Wall and CPU (user + system) time of one run, ms. */
interface Timing {
  wall: number;
  cpu: number;
}

/**
 * Best of `RUNS` runs of `fn`. CPU time is reported too: on a shared
 * machine wall time mostly measures waiting for a core. A child process's
 * CPU time is what `fn` returns.
 */
async function best(fn: () => unknown | Promise<number>): Promise<Timing> {
  const b = { wall: Infinity, cpu: Infinity };
  for (let i = 0; i < RUNS; i++) {
    const c = process.cpuUsage(), t = performance.now();
    const child = await fn();
    const wall = performance.now() - t, used = process.cpuUsage(c);
    b.wall = Math.min(b.wall, wall);
    b.cpu = Math.min(b.cpu, typeof child === "number" ? child : (used.user + used.system) / 1000);
  }
  return b;
}

/** Runs a process under /usr/bin/time and returns its CPU time, ms. */
function proc(cmd: string, args: string[]): () => number {
  return () => {
    const r = spawnSync("/usr/bin/time", ["-f", "%U %S", cmd, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
    const [u, sys] = String(r.stderr).trim().split("\n").pop()!.split(" ").map(Number);
    return (u + sys) * 1000;
  };
}

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
  const typed = await best(async () => {
    n = 0;
    for await (const _ of streamNexthops({}, { netns: ns })) n++;
  });
  const json = await best(async () => {
    let bytes = 0;
    for await (const nh of streamNexthops({}, { netns: ns })) bytes += JSON.stringify(nexthopToIpJson(nh)).length;
    if (!bytes) throw new Error("no nexthops listed");
  });
  const show = ["-n", ns, "-j", "nexthop", "show"];
  const ipMs = await best(proc("ip", show));
  const cliMs = await best(
    runtime === "bun"
      ? proc(process.execPath, ["cli.ts", ...show])
      : proc(process.execPath, ["run", "-A", "cli.ts", ...show]),
  );
  const bin = existsSync("dist/nlkit") ? await best(proc("dist/nlkit", show)) : undefined;
  // /usr/bin/time counts in 10 ms steps: a 0 ms baseline has no ratio.
  const ratio = (a: number, b: number) => (b ? `${(a / b).toFixed(2)}x ip` : "ip under 10 ms");
  const r = (x: Timing) =>
    `wall ${x.wall.toFixed(0)} ms (${ratio(x.wall, ipMs.wall)}), cpu ${x.cpu.toFixed(0)} ms (${
      ratio(x.cpu, ipMs.cpu)
    })`;
  console.log(`${runtime}: ${n} nexthops, best of ${RUNS}`);
  console.log(`  ip -j nexthop show (process)         wall ${ipMs.wall.toFixed(0)} ms, cpu ${ipMs.cpu.toFixed(0)} ms`);
  console.log(`  streamNexthops, typed (in process)   ${r(typed)}`);
  console.log(`  ... and ip -j JSON text (in process) ${r(json)}`);
  console.log(`  nlkit -j nexthop show, ${runtime} run   ${r(cliMs)}`);
  if (bin) console.log(`  nlkit -j nexthop show, compiled      ${r(bin)}`);
} finally {
  sh("ip", ["netns", "del", ns]);
}
