/**
 * Benchmark: stream 10,000 and 100,000 IPv4 routes and 1,000 links as typed
 * objects (`streamRoutes`, `streamLinks`) and compare with `ip -j route
 * show` / `ip -j link show` timed in the same run. Each of our measurements
 * runs in a fresh child process of the same runtime, so its peak RSS
 * (`VmHWM`) is its own, like `ip`'s maximum RSS from `/usr/bin/time -v`.
 * Everything runs in a throwaway namespace that is deleted even on error.
 *
 * Run as root: `deno run -A bench/route_objects.ts` or `bun bench/route_objects.ts`.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { streamLinks } from "../src/route/link/api.ts";
import { streamRoutes } from "../src/route/route/api.ts";
import { routeToIpJson } from "../src/route/route/json.ts";

const LINKS = 1000;
const RUNS = 10;
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const runtime = isBun ? "bun" : "deno";

/** One measurement: wall and CPU time of a pass, and memory. */
interface Sample {
  /** Objects streamed. */
  count: number;
  /** Wall time of the first pass. */
  firstMs: number;
  /** Best wall time over the passes. */
  bestMs: number;
  /** CPU time (user + system, including the kernel's dump work) of the best pass. */
  cpuMs: number;
  /** Peak RSS of the whole process, MB. */
  peakMb: number;
  /** RSS before the first pass (runtime, code, FFI loaded), MB. */
  baseMb: number;
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---- child: one kind of stream, RUNS passes, result as JSON on stdout ----

async function child(kind: string, ns: string): Promise<void> {
  const opts = { netns: ns };
  // Load the FFI and open a first socket outside the timed region.
  for await (const _ of streamLinks({}, opts)) break;
  const names = new Map<number, string>();
  if (kind === "json") { for await (const l of streamLinks({}, opts)) names.set(l.index, l.name!); }
  let sink = 0;
  const stream = (): AsyncIterable<unknown> =>
    kind === "links" ? streamLinks({}, opts) : streamRoutes({ family: "inet" }, opts);
  const each = kind === "json"
    ? (r: unknown) => {
      sink += JSON.stringify(routeToIpJson(r as Parameters<typeof routeToIpJson>[0], names)).length;
    }
    : undefined;
  const baseMb = process.memoryUsage().rss / 2 ** 20;
  const out: Sample = { count: 0, firstMs: 0, bestMs: Infinity, cpuMs: 0, peakMb: 0, baseMb };
  for (let i = 0; i < RUNS; i++) {
    let count = 0;
    const cpu = process.cpuUsage();
    const t = performance.now();
    for await (const x of stream()) {
      each?.(x);
      count++;
    }
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    if (i === 0) out.firstMs = ms;
    if (ms < out.bestMs) [out.bestMs, out.cpuMs] = [ms, (used.user + used.system) / 1000];
    out.count = count;
  }
  out.peakMb = vmHwmMb();
  process.stdout.write(JSON.stringify(out) + "\n");
}

// ---- parent: namespace, fixtures, ip runs, table ----

function ours(kind: string, ns: string): Sample {
  const self = new URL(import.meta.url).pathname;
  const args = isBun ? [self, "--child", kind, ns] : ["run", "-A", self, "--child", kind, ns];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(`Child ${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const haveTime = spawnSync("/usr/bin/time", ["-v", "true"]).status === 0;

/** Times `ip -j ARGS` with output discarded; CPU and max RSS from `/usr/bin/time -v`. */
function ipRun(ns: string, args: string[], count: number): Sample {
  const out: Sample = { count, firstMs: 0, bestMs: Infinity, cpuMs: NaN, peakMb: NaN, baseMb: NaN };
  for (let i = 0; i < RUNS; i++) {
    const cmd = haveTime ? "/usr/bin/time" : "ip";
    const argv = haveTime ? ["-v", "ip", "-j", "-n", ns, ...args] : ["-j", "-n", ns, ...args];
    const t = performance.now();
    const r = spawnSync(cmd, argv, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    const err = r.stderr ?? "";
    const num = (re: RegExp) => Number(re.exec(err)?.[1] ?? NaN);
    if (i === 0) out.firstMs = ms;
    if (ms < out.bestMs) {
      out.bestMs = ms;
      out.cpuMs = (num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/)) * 1000;
    }
    out.peakMb = Math.max(num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024 || 0, out.peakMb || 0);
  }
  return out;
}

/** Writes `ip -batch` lines to a file in chunks (no big arrays in this process) and runs it. */
function batch(ns: string, lines: (emit: (line: string) => void) => void): void {
  const file = `${tmpdir()}/${ns}.batch`;
  const fd = openSync(file, "w");
  let buf = "";
  try {
    lines((l) => {
      buf += l + "\n";
      if (buf.length > 65536) [writeSync(fd, buf), buf = ""];
    });
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  try {
    sh("ip", ["-n", ns, "-batch", file]);
  } finally {
    rmSync(file, { force: true });
  }
}

function addRoutes(ns: string, from: number, to: number): void {
  batch(ns, (emit) => {
    for (let i = from; i < to; i++) {
      emit(`route add ${11 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24 via 10.255.0.2`);
    }
  });
}

const rows: string[][] = [];

function row(what: string, s: Sample): void {
  const f = (n: number, d = 1) => Number.isFinite(n) ? n.toFixed(d) : "-";
  rows.push([what, String(s.count), f(s.firstMs), f(s.bestMs), f(s.cpuMs, 0), f(s.peakMb), f(s.baseMb)]);
}

function print(ns: string): void {
  const head = ["what", "objects", "first ms", `best of ${RUNS} ms`, "best CPU ms", "peak RSS MB", "base RSS MB"];
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ");
  console.log(`\nroute_objects: ${runtime} ${process.versions[runtime] ?? ""}, namespace ${ns}`);
  console.log(line(head));
  console.log(w.map((n) => "-".repeat(n)).join("  "));
  for (const r of rows) console.log(line(r));
  console.log("first/best: first of and best of the passes in one process; CPU includes the kernel's dump work;");
  console.log(
    "peak RSS: whole process (VmHWM for nlkit, /usr/bin/time -v for ip); base RSS: runtime before streaming.",
  );
}

function measureRoutes(ns: string, n: number): void {
  const typed = ours("routes", ns);
  if (typed.count !== n + 1) throw new Error(`Expected ${n + 1} routes, streamed ${typed.count}`);
  row("streamRoutes: typed objects", typed);
  row("streamRoutes + routeToIpJson + JSON", ours("json", ns));
  row("ip -j route show", ipRun(ns, ["route", "show"], typed.count));
}

function main(): void {
  const ns = `nlkit-bench-${process.pid}`;
  const cleanup = () => {
    try {
      sh("ip", ["netns", "del", ns]);
    } catch { /* not created or already gone */ }
  };
  process.on("SIGINT", () => {
    cleanup();
    process.exit(130);
  });
  sh("ip", ["netns", "add", ns]);
  try {
    const t = performance.now();
    batch(ns, (emit) => {
      for (const l of ["link set lo up", "link add v0 type veth peer name v1", "link set v0 up", "link set v1 up"]) {
        emit(l);
      }
      emit("addr add 10.255.0.1/16 dev v0");
      for (let i = 0; i < LINKS - 3; i++) emit(`link add ifb${i} type ifb`);
    });
    addRoutes(ns, 0, 10_000);
    console.error(`setup: ${LINKS} links and 10,000 routes in ${(performance.now() - t).toFixed(0)} ms`);
    const links = ours("links", ns);
    row("streamLinks: typed objects", links);
    row("ip -j link show", ipRun(ns, ["link", "show"], links.count));
    measureRoutes(ns, 10_000);
    const t2 = performance.now();
    addRoutes(ns, 10_000, 100_000);
    console.error(`setup: 90,000 more routes in ${(performance.now() - t2).toFixed(0)} ms`);
    measureRoutes(ns, 100_000);
    print(ns);
  } finally {
    cleanup();
  }
}

const at = process.argv.indexOf("--child");
if (at >= 0) await child(process.argv[at + 1], process.argv[at + 2]);
else main();
