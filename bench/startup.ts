/**
 * Start-up benchmark: short commands on an almost empty namespace, where
 * start-up is the whole cost. Each row is run `--runs` times, interleaved
 * with the others (so load from other processes hits every row alike), and
 * shows wall time (best and median), CPU time (user+sys, best and median)
 * and peak RSS (median), with the ratio of the medians to the kernel tool
 * measured in the same run:
 * - the compiled binary (dist/nlkit, scripts/build_binary.sh): `link show`
 *   next to `ip link show` and next to an empty program compiled with the
 *   same flags (the runtime's floor);
 * - `deno run -A cli.ts` and `bun cli.ts` (and the binary): `ct -L` (empty
 *   table), `-j route show`, `-j tc filter show dev v0`, `-j nft list ruleset`
 *   next to conntrack, ip, tc and nft, and an empty script on each runtime.
 *
 * Each figure is the process's own: bench/startup_spawn.c (built with gcc
 * into a temporary directory) forks and execs the command directly, takes
 * wall time around fork and wait4(), and CPU time (user+sys) and peak RSS
 * from wait4()'s rusage. No shell or time(1) is in any figure (they added
 * ~20 ms to each before), nor this runtime's own spawn cost. Caches are
 * warm: every row runs once before the measured runs. Peak RSS is mostly
 * the runtime's code pages, and how many of them a page fault maps depends
 * on how the file came into the page cache: a binary just written (bun
 * build, cp) sits in large folios and shows ~5 MB more than one read from
 * disk. So each compiled binary is first dropped from the cache (sync, then
 * `dd iflag=nocache`) and read back by its first run, as on a device that
 * loads it from flash. Needs root (a throwaway namespace, deleted at the
 * end) and gcc.
 *
 *   deno run -A bench/startup.ts [--runs 21] [--only compiled|deno|bun] [--bin PATH]...
 *
 * `--bin PATH` adds another compiled nlkit (say, the binary before a change)
 * as a runner named "compiled PATH", to compare both in the same run. Each
 * nlkit row also shows what it costs over its runtime's empty program.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    runs: { type: "string", default: "21" },
    only: { type: "string" },
    bin: { type: "string", multiple: true },
  },
});
const RUNS = Number(values.runs);
const ROOT = new URL("..", import.meta.url).pathname;
const BIN = `${ROOT}node_modules/.bin`;
const ns = `nlkit-bench-startup-${process.pid}`;
const inNs = ["nsenter", `--net=/run/netns/${ns}`];

/** One way of running nlkit: a name and a command prefix. */
type Runner = [string, string[]];
const RUNNERS: Runner[] = ([
  ["deno run", [`${BIN}/deno`, "run", "-A", `${ROOT}cli.ts`]],
  ["bun run", [`${BIN}/bun`, `${ROOT}cli.ts`]],
  ...(existsSync(`${ROOT}dist/nlkit`) ? [["compiled", [`${ROOT}dist/nlkit`]] as Runner] : []),
  ...(values.bin ?? []).map((path): Runner => [`compiled ${path}`, [path]]),
] as Runner[]).filter(([name]) => values.only === undefined || name.startsWith(values.only));

/** The short commands: nlkit's words, the tool's command, and the tool's command prefix in the namespace. */
const COMMANDS: [string[], string[], string[]][] = [
  [["link", "show"], ["ip", "link", "show"], ["ip", "-n", ns]],
  [["ct", "-L"], ["conntrack", "-L"], [...inNs, "conntrack"]],
  [["-j", "route", "show"], ["ip", "-j", "route", "show"], ["ip", "-n", ns]],
  [["-j", "tc", "filter", "show", "dev", "v0"], ["tc", "-j", "filter", "show", "dev", "v0"], ["tc", "-n", ns]],
  [["-j", "nft", "list", "ruleset"], ["nft", "-j", "list", "ruleset"], [...inNs, "nft"]],
];

/** One run: wall and CPU in ms, peak RSS in MiB. */
interface Sample {
  wall: number;
  cpu: number;
  rss: number;
}

/** Builds the measuring spawner (bench/startup_spawn.c) into `dir`. */
function spawner(dir: string): string {
  const bin = join(dir, "startup_spawn");
  execFileSync("gcc", ["-O2", "-o", bin, new URL("./startup_spawn.c", import.meta.url).pathname]);
  return bin;
}

/** Drops a compiled binary's pages from the page cache (runtimes and tools stay: other users share them). */
function dropFromCache(path: string): void {
  if (!existsSync(path)) return;
  execFileSync("sync", [path]);
  execFileSync("dd", [`if=${path}`, "iflag=nocache", "count=0", "status=none"]);
}

/** Runs `cmd` once under the spawner: wall from fork to wait4, CPU and peak RSS from its rusage. */
function once(cmd: string[]): Sample {
  const out = execFileSync(SPAWN, [ERR, ...cmd], { encoding: "utf8" });
  const [wall, user, sys, rss, status] = out.trim().split(" ").map(Number);
  if (status !== 0) throw new Error(`${cmd.join(" ")} exited ${status}: ${readFileSync(ERR, "utf8")}`);
  return { wall: wall / 1000, cpu: (user + sys) / 1000, rss: rss / 1024 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const best = (xs: number[]): number => Math.min(...xs);

/** A compiled empty program: the runtime's floor, built with scripts/build_binary.sh's flags. */
function emptyBinary(dir: string): string {
  const flags = ["--compile", "--splitting", "--minify", "--bytecode", "--format=esm", "--no-compile-autoload-dotenv"];
  flags.push("--no-compile-autoload-bunfig", "--compile-jit-policy=10");
  execFileSync(`${BIN}/bun`, ["build", ...flags, join(dir, "empty.ts"), "--outfile", join(dir, "empty")], {
    stdio: "ignore",
  });
  return join(dir, "empty");
}

/** A row: its name, command and the tool row it is compared with. */
interface Row {
  name: string;
  cmd: string[];
  base?: string;
  /** The runtime's empty program, for the cost over it. */
  floor?: string;
  samples: Sample[];
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "ignore" });
}

const dir = mkdtempSync(join(tmpdir(), "nlkit-bench-startup-"));
const SPAWN = spawner(dir);
const ERR = join(dir, "stderr");
ip("netns", "add", ns);
try {
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip("-n", ns, "link", "set", "v0", "up");
  ip("-n", ns, "addr", "add", "192.0.2.1/24", "dev", "v0");
  execFileSync("tc", ["-n", ns, "qdisc", "add", "dev", "v0", "clsact"]);
  const rows: Row[] = [];
  const add = (name: string, cmd: string[], base?: string, floor?: string) =>
    rows.push({ name, cmd, base, floor, samples: [] });
  writeFileSync(join(dir, "empty.ts"), "export {};\n");
  for (const [, [tool, ...words], prefix] of COMMANDS) add([tool, ...words].join(" "), [...prefix, ...words]);
  for (const [runner, prefix] of RUNNERS) {
    const compiled = runner.startsWith("compiled");
    const floor = compiled ? "empty bun binary" : `empty script (${runner})`;
    if (runner === "compiled" || (compiled && !rows.some((r) => r.name === floor))) add(floor, [emptyBinary(dir)]);
    else if (!compiled) add(floor, [...prefix.slice(0, -1), join(dir, "empty.ts")]);
    for (const [words, tool] of COMMANDS) {
      add(`nlkit ${words.join(" ")} (${runner})`, [...prefix, "-n", ns, ...words], tool.join(" "), floor);
    }
  }
  const binaries = new Set([
    ...RUNNERS.filter(([n]) => n.startsWith("compiled")).map(([, [p]]) => p),
    join(dir, "empty"),
  ]);
  for (const path of binaries) dropFromCache(path);
  for (const r of rows) once(r.cmd); // warm caches (Deno's transpile cache, page cache)
  for (let i = 0; i < RUNS; i++) for (const r of rows) r.samples.push(once(r.cmd));

  console.log(
    `${RUNS} runs each, interleaved; ms and MiB; ratios of the medians to the tool's; medians over the empty program`,
  );
  const head = ["command", "wall best", "wall median", "CPU best", "CPU median", "peak RSS", "vs tool", "over empty"];
  console.log(head.join("\t"));
  const stat = (r: Row) => ({
    wall: r.samples.map((s) => s.wall),
    cpu: r.samples.map((s) => s.cpu),
    rss: median(r.samples.map((s) => s.rss)),
  });
  for (const r of rows) {
    const s = stat(r);
    const b = r.base === undefined ? undefined : stat(rows.find((x) => x.name === r.base)!);
    const vs = b
      ? `wall ${(median(s.wall) / median(b.wall)).toFixed(1)}x, CPU ${
        (median(s.cpu) / Math.max(median(b.cpu), 1)).toFixed(1)
      }x, RSS ${(s.rss / b.rss).toFixed(1)}x`
      : "";
    const f = (n: number) => n.toFixed(1);
    const e = r.floor === undefined ? undefined : stat(rows.find((x) => x.name === r.floor)!);
    const over = e
      ? `wall +${f(median(s.wall) - median(e.wall))}, CPU +${f(median(s.cpu) - median(e.cpu))}, RSS +${
        f(s.rss - e.rss)
      }`
      : "";
    console.log(
      [r.name, f(best(s.wall)), f(median(s.wall)), f(best(s.cpu)), f(median(s.cpu)), f(s.rss), vs, over].join("\t"),
    );
  }
} finally {
  ip("netns", "del", ns);
  rmSync(dir, { recursive: true, force: true });
}
