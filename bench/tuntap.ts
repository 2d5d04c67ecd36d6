/**
 * tun/tap and multicast listings at scale: creates N tap devices in a
 * throwaway namespace (library `createTuntap`, timed next to `ip tuntap
 * add`), then times `tuntap show` and `maddr show` of nlkit (deno run, bun
 * run, compiled when built) next to ip's, with peak RSS. Needs root and
 * /usr/bin/time.
 *
 *   deno run -A bench/tuntap.ts [--devices 1000] [--runs 5]
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import { createTuntap } from "../src/route/link/tuntap.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { devices: { type: "string", default: "1000" }, runs: { type: "string", default: "5" } },
});
const DEVICES = Number(values.devices), RUNS = Number(values.runs);
const ROOT = new URL("..", import.meta.url).pathname;
const ns = `nlkit-bench-tun-${process.pid}`;

const NLKIT: [string, string[]][] = [
  ["nlkit (deno run)", [`${ROOT}node_modules/.bin/deno`, "run", "-A", `${ROOT}cli.ts`]],
  ["nlkit (bun run)", [`${ROOT}node_modules/.bin/bun`, `${ROOT}cli.ts`]],
  ...(existsSync(`${ROOT}dist/nlkit`) ? [["nlkit (compiled)", [`${ROOT}dist/nlkit`]] as [string, string[]]] : []),
];

/** Median wall time (ms) and peak RSS (MiB) of a command, run RUNS times. */
function measure(cmd: string[]): { ms: number; rss: number; lines: number } {
  const times: number[] = [], rss: number[] = [];
  let lines = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync("/usr/bin/time", ["-f", "RSS_KB=%M", ...cmd], { encoding: "utf8", maxBuffer: 1 << 28 });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr}`);
    rss.push(Number(/RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024);
    lines = r.stdout.split("\n").length - 1;
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1], rss: Math.max(...rss), lines };
}

function row(name: string, m: { ms: number; rss: number; lines: number }, base?: number): void {
  const ratio = base ? ` ${(m.ms / base).toFixed(2)}x ip` : "";
  console.log(
    `  ${name.padEnd(18)} ${m.ms.toFixed(1).padStart(8)} ms ${
      m.rss.toFixed(1).padStart(7)
    } MiB ${m.lines} lines${ratio}`,
  );
}

execFileSync("ip", ["netns", "add", ns]);
try {
  let t0 = performance.now();
  for (let i = 0; i < DEVICES; i++) await createTuntap({ name: `tp${i}`, mode: "tap" }, { netns: ns });
  const lib = performance.now() - t0;
  t0 = performance.now();
  const probe = Math.min(50, DEVICES);
  for (let i = 0; i < probe; i++) execFileSync("ip", ["-n", ns, "tuntap", "add", "dev", `ip${i}`, "mode", "tap"]);
  const ipEach = (performance.now() - t0) / probe;
  console.log(
    `create: createTuntap ${(lib / DEVICES).toFixed(3)} ms/device, ip tuntap add ${ipEach.toFixed(3)} ms/device`,
  );
  for (const cmd of [["tuntap", "show"], ["-j", "tuntap", "show"], ["maddr", "show"]]) {
    console.log(`${cmd.join(" ")} (${DEVICES + probe} tap devices, median of ${RUNS}):`);
    const ip = measure(["ip", "-n", ns, ...cmd]);
    row("ip", ip);
    for (const [name, prefix] of NLKIT) row(name, measure([...prefix, "-n", ns, ...cmd]), ip.ms);
  }
} finally {
  execFileSync("ip", ["netns", "del", ns]);
}
