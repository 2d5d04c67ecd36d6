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

import { existsSync } from "node:fs";
import process from "node:process";
import { against, best, cliProc, proc, sh, type Timing } from "./_timing.ts";
import { streamMulticastRoutes } from "../src/route/mroute/api.ts";
import { mrouteToIpJson } from "../src/route/mroute/json.ts";
import { MrouteSocket } from "../tests/_mroute.ts";

const COUNT = 10000;
const RUNS = 7;
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const ns = `nlkit-bench-mr-${process.pid}`;

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
  const typed = await best(RUNS, async () => {
    n = 0;
    for await (const _ of streamMulticastRoutes({ family: "inet" }, { netns: ns })) n++;
  });
  const json = await best(RUNS, async () => {
    let bytes = 0;
    for await (const r of streamMulticastRoutes({ family: "inet" }, { netns: ns })) {
      bytes += JSON.stringify(mrouteToIpJson(r)).length;
    }
    if (!bytes) throw new Error("no multicast routes listed");
  });
  const show = ["-n", ns, "-j", "mroute", "show"];
  const ipMs = await best(RUNS, proc("ip", show));
  const cliMs = await best(RUNS, cliProc(show));
  const bin = existsSync("dist/nlkit") ? await best(RUNS, proc("dist/nlkit", show)) : undefined;
  const r = (x: Timing) => against(x, ipMs);
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
