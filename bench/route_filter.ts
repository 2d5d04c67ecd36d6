/**
 * Filtered route listings on a large table: `route show` with selectors the
 * kernel applies (`proto`, `dev`) and selectors applied in userspace
 * (`via`, `match`, `root`, `metric`), nlkit on the sources next to `ip` in the
 * same namespace, as the ratio of median wall times. Needs root; the
 * namespace is deleted at the end.
 *
 *   deno run -A bench/route_filter.ts [--routes 100000] [--runs 5]
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import process from "node:process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { routes: { type: "string", default: "100000" }, runs: { type: "string", default: "5" } },
});
const ROUTES = Number(values.routes), RUNS = Number(values.runs);
const ROOT = new URL("..", import.meta.url).pathname;
const ns = `nlkit-bench-filter-${process.pid}`;

function ip(...args: string[]): void {
  execFileSync("ip", ["-n", ns, ...args], { stdio: "ignore" });
}

/** Median wall time of `cmd`, in ms, and the size of its output. */
function time(cmd: string[]): { ms: number; bytes: number } {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    bytes = execFileSync(cmd[0], cmd.slice(1), { maxBuffer: 1 << 30 }).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], bytes };
}

const SELECTORS: string[][] = [
  [],
  ["proto", "static"],
  ["dev", "v0"],
  ["via", "10.1.0.3"],
  ["match", "10.65.3.4"],
  ["root", "10.64.0.0/12"],
  ["metric", "7"],
];

execFileSync("ip", ["netns", "add", ns]);
try {
  ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip("link", "set", "v0", "up");
  ip("addr", "add", "10.1.0.1/24", "dev", "v0");
  const lines: string[] = [];
  for (let i = 0; i < ROUTES; i++) {
    const dst = `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`;
    const via = `10.1.0.${2 + (i % 4)}`;
    lines.push(`route add ${dst} via ${via} metric ${i % 16}${i % 3 ? "" : " proto static"}`);
  }
  execFileSync("ip", ["-n", ns, "-batch", "-"], { input: lines.join("\n") + "\n" });
  const nlkit = [`${ROOT}node_modules/.bin/deno`, "run", "-A", `${ROOT}cli.ts`, "-n", ns];
  console.log(`route show on ${ROUTES} routes, median of ${RUNS} runs`);
  console.log("selector".padEnd(24), "ip ms".padStart(8), "nlkit ms".padStart(9), "ratio".padStart(6), "bytes");
  for (const sel of SELECTORS) {
    const theirs = time(["ip", "-n", ns, "route", "show", ...sel]);
    const ours = time([...nlkit, "route", "show", ...sel]);
    if (ours.bytes !== theirs.bytes) throw new Error(`${sel.join(" ")}: ${ours.bytes} bytes vs ip's ${theirs.bytes}`);
    console.log(
      (sel.join(" ") || "(none)").padEnd(24),
      theirs.ms.toFixed(0).padStart(8),
      ours.ms.toFixed(0).padStart(9),
      (ours.ms / theirs.ms).toFixed(2).padStart(6),
      theirs.bytes,
    );
  }
} finally {
  execFileSync("ip", ["netns", "del", ns]);
}
