/**
 * CLI benchmark: warm start and peak RSS of `nlkit link show` (deno run,
 * bun run, compiled binary) next to `ip link show`, as ratios; then `route show` on
 * 100,000 routes next to `ip route show` and `ct -L` on 100,000 entries next
 * to `conntrack -L`, with time to first line, total time and peak RSS.
 * Everything runs in a throwaway namespace, deleted at the end. Needs root
 * and /usr/bin/time; the compiled row needs dist/nlkit (scripts/build_binary.sh).
 *
 *   deno run -A bench/cli.ts [--routes 100000] [--entries 100000] [--runs 10] [--startup-only]
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { createConntrackMany } from "../src/netfilter/conntrack/bulk.ts";
import type { ConntrackSpec } from "../src/netfilter/conntrack/spec.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    routes: { type: "string", default: "100000" },
    entries: { type: "string", default: "100000" },
    runs: { type: "string", default: "10" },
    "startup-only": { type: "boolean", default: false },
  },
});
const ROUTES = Number(values.routes), ENTRIES = Number(values.entries), RUNS = Number(values.runs);
const ROOT = new URL("..", import.meta.url).pathname;
const ns = `nlkit-bench-cli-${process.pid}`;

/** Each way of running nlkit, as a command prefix. */
const NLKIT: [string, string[]][] = [
  ["nlkit (deno run)", [`${ROOT}node_modules/.bin/deno`, "run", "-A", `${ROOT}cli.ts`]],
  ["nlkit (bun run)", [`${ROOT}node_modules/.bin/bun`, `${ROOT}cli.ts`]],
  ...(existsSync(`${ROOT}dist/nlkit`) ? [["nlkit (compiled)", [`${ROOT}dist/nlkit`]] as [string, string[]]] : []),
];

interface Sample {
  /** Milliseconds until the first stdout byte. */
  first: number;
  /** Milliseconds until exit. */
  total: number;
  /** Peak RSS in MiB (/usr/bin/time %M). */
  rss: number;
  /** Lines written to stdout. */
  lines: number;
}

/** Runs a command under /usr/bin/time, counting stdout lines without keeping them. */
function measure(cmd: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = -1, lines = 0, err = "";
    const child = spawn("/usr/bin/time", ["-f", "RSS_KB=%M", ...cmd], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Uint8Array) => {
      if (first < 0) first = performance.now() - t0;
      for (const b of d) if (b === 10) lines++;
    });
    child.stderr.on("data", (d) => err += d);
    child.on("close", (code) => {
      const total = performance.now() - t0;
      const m = /RSS_KB=(\d+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`${cmd.join(" ")} failed (${code}): ${err}`));
      resolve({ first, total, rss: Number(m[1]) / 1024, lines });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function row(name: string, cmd: string[], runs: number): Promise<void> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(cmd));
  const f = (n: number) => n.toFixed(1).padStart(8);
  console.log(
    `${name.padEnd(24)} first line ${f(median(samples.map((s) => s.first)))} ms  total ${
      f(median(samples.map((s) => s.total)))
    } ms  peak RSS ${f(Math.max(...samples.map((s) => s.rss)))} MiB  lines ${samples[0].lines}`,
  );
}

/** The runtime's own floor: an empty program compiled as scripts/build_binary.sh compiles nlkit. */
function emptyBinary(): string | undefined {
  if (!existsSync(`${ROOT}dist/nlkit`)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "nlkit-bench-"));
  writeFileSync(join(dir, "empty.ts"), "export {};\n");
  const flags = ["--compile", "--splitting", "--minify", "--bytecode", "--format=esm"];
  flags.push("--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig", "--compile-jit-policy=10");
  execFileSync(`${ROOT}node_modules/.bin/bun`, [
    "build",
    ...flags,
    join(dir, "empty.ts"),
    "--outfile",
    join(dir, "empty"),
  ], {
    stdio: "ignore",
  });
  return join(dir, "empty");
}

/** Warm start of `cmd`: bash's `time` around /usr/bin/time (no spawn cost of this runtime in the figure). */
function startOnce(cmd: string[]): { ms: number; rss: number } {
  const quoted = cmd.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const script = `TIMEFORMAT=WALL=%3R; time /usr/bin/time -f RSS_KB=%M ${quoted} >/dev/null`;
  const err = execFileSync("bash", ["-c", `{ ${script}; } 2>&1`], { encoding: "utf8" });
  const wall = /WALL=([\d.]+)/.exec(err), rss = /RSS_KB=(\d+)/.exec(err);
  if (!wall || !rss) throw new Error(`${cmd.join(" ")}: ${err}`);
  return { ms: Number(wall[1]) * 1000, rss: Number(rss[1]) / 1024 };
}

/** Prints one startup row, as ratios to `base` (ip) when given; returns the medians. */
function startup(name: string, cmd: string[], base?: { ms: number; rss: number }): { ms: number; rss: number } {
  startOnce(cmd);
  const runs = Array.from({ length: RUNS }, () => startOnce(cmd));
  const r = { ms: median(runs.map((x) => x.ms)), rss: Math.max(...runs.map((x) => x.rss)) };
  const ratio = (a: number, b?: number) => b ? ` (${(a / b).toFixed(1)}x ip)` : "";
  console.log(
    `${name.padEnd(24)} warm start ${r.ms.toFixed(1).padStart(6)} ms${ratio(r.ms, base?.ms).padEnd(12)}` +
      `  peak RSS ${r.rss.toFixed(1).padStart(6)} MiB${ratio(r.rss, base?.rss)}`,
  );
  return r;
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "ignore" });
}

function ctSpec(i: number): ConntrackSpec {
  return {
    proto: "udp",
    orig: {
      src: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`,
      dst: "192.0.2.1",
      sport: 1024 + (i % 60000),
      dport: 53,
    },
    timeout: 3600,
  };
}

ip("netns", "add", ns);
try {
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip("-n", ns, "link", "set", "v0", "up");
  const inNs = ["nsenter", `--net=/run/netns/${ns}`];

  console.log(`== link show: warm start (median of ${RUNS} runs after one discarded) and peak RSS`);
  const base = startup("ip link show", ["ip", "-n", ns, "link", "show"]);
  const floor = emptyBinary();
  if (floor) {
    startup("(empty bun binary)", [floor], base);
    rmSync(dirname(floor), { recursive: true });
  }
  for (const [name, cmd] of NLKIT) startup(name, [...cmd, "-n", ns, "link", "show"], base);
  if (!values["startup-only"]) await dumps(ns, inNs);
} finally {
  ip("netns", "del", ns);
}

/** The large-dump rows: route show on ROUTES routes and ct -L on ENTRIES entries. */
async function dumps(ns: string, inNs: string[]): Promise<void> {
  const lines = Array.from(
    { length: ROUTES },
    (_, i) => `route add 10.${64 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}/32 dev v0`,
  );
  execFileSync("ip", ["-n", ns, "-b", "-"], { input: lines.join("\n") + "\n" });
  console.log(`== route show, ${ROUTES} routes, median of 3 runs`);
  await row("ip route show", ["ip", "-n", ns, "route", "show"], 3);
  for (const [name, cmd] of NLKIT) await row(name, [...cmd, "-n", ns, "route", "show"], 3);
  await row("ip -j route show", ["ip", "-n", ns, "-j", "route", "show"], 3);
  for (const [name, cmd] of NLKIT) await row(`${name} -j`, [...cmd, "-n", ns, "-j", "route", "show"], 3);

  const t0 = performance.now();
  const made = await createConntrackMany(Array.from({ length: ENTRIES }, (_, i) => ctSpec(i)), { window: 64 }, {
    netns: ns,
  });
  console.log(
    `== ct -L, ${made.created} entries (inserted in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s), median of 3 runs`,
  );
  await row("conntrack -L", [...inNs, "conntrack", "-L"], 3);
  for (const [name, cmd] of NLKIT) await row(name, [...cmd, "-n", ns, "ct", "-L"], 3);
  for (const [name, cmd] of NLKIT) await row(`${name} -j`, [...cmd, "-n", ns, "-j", "ct", "-L"], 3);
}
