/**
 * Benchmark: list 10,000 multicast routes (MFC entries, held by this
 * process's multicast routing socket) as typed objects and as `ip -j`
 * JSON, next to `ip -j mroute show` timed in the same run, and the whole
 * `nlkit -j mroute show` process against `ip`'s, wall and CPU time.
 * Everything runs in a throwaway namespace, deleted even on error.
 *
 * Run as root: `deno run -A bench/mroute.ts` or `bun bench/mroute.ts`.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { streamMulticastRoutes } from "../src/route/mroute/api.ts";
import { mrouteToIpJson } from "../src/route/mroute/json.ts";
import { MrouteSocket } from "../tests/_mroute.ts";

const COUNT = 10000;
const RUNS = 7;
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const ns = `nlkit-bench-mr-${process.pid}`;

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
  const devs = ["v0", "v1", "v2"];
  for (const d of devs) sh("ip", ["-n", ns, "link", "add", d, "type", "veth", "peer", "name", `p${d}`]);
  for (const d of devs) sh("ip", ["-n", ns, "link", "set", d, "up"]);
  using m = await MrouteSocket.open(ns, "inet");
  for (const d of devs) m.addVif(d);
  for (let i = 0; i < COUNT; i++) {
    const group = `239.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    m.addMfc({ src: `10.0.${(i >> 8) & 255}.${i & 255}`, group, iif: devs[i % 3], oifs: [devs[(i + 1) % 3]] });
  }
  let n = 0;
  const typed = await best(async () => {
    n = 0;
    for await (const _ of streamMulticastRoutes({ family: "inet" }, { netns: ns })) n++;
  });
  const json = await best(async () => {
    let bytes = 0;
    for await (const r of streamMulticastRoutes({ family: "inet" }, { netns: ns })) {
      bytes += JSON.stringify(mrouteToIpJson(r)).length;
    }
    if (!bytes) throw new Error("no multicast routes listed");
  });
  const show = ["-n", ns, "-j", "mroute", "show"];
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
  console.log(`${runtime}: ${n} multicast routes, best of ${RUNS}`);
  console.log(
    `  ip -j mroute show (process)                 wall ${ipMs.wall.toFixed(0)} ms, cpu ${ipMs.cpu.toFixed(0)} ms`,
  );
  console.log(`  streamMulticastRoutes, typed (in process)   ${r(typed)}`);
  console.log(`  ... and ip -j JSON text (in process)        ${r(json)}`);
  console.log(`  nlkit -j mroute show, ${runtime} run           ${r(cliMs)}`);
  if (bin) console.log(`  nlkit -j mroute show, compiled              ${r(bin)}`);
} finally {
  sh("ip", ["netns", "del", ns]);
}
