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
 * Times come from bash's `time` around /usr/bin/time (which gives the peak
 * RSS), so this runtime's own spawn cost is in no figure. Needs root (a
 * throwaway namespace, deleted at the end) and /usr/bin/time.
 *
 *   deno run -A bench/startup.ts [--runs 21] [--only compiled|deno|bun]
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: "string", default: "21" }, only: { type: "string" } },
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

/** Runs `cmd` once under bash's `time` (ms resolution) and /usr/bin/time (peak RSS). */
function once(cmd: string[]): Sample {
  const quoted = cmd.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const script = `TIMEFORMAT='T=%3R %3U %3S'; time /usr/bin/time -f RSS_KB=%M ${quoted} >/dev/null 2>/tmp/${ns}.err`;
  const out = execFileSync("bash", ["-c", `{ ${script}; } 2>&1; cat /tmp/${ns}.err`], { encoding: "utf8" });
  const t = /T=([\d.]+) ([\d.]+) ([\d.]+)/.exec(out), rss = /RSS_KB=(\d+)/.exec(out);
  if (!t || !rss) throw new Error(`${cmd.join(" ")}: ${out}`);
  return { wall: Number(t[1]) * 1000, cpu: (Number(t[2]) + Number(t[3])) * 1000, rss: Number(rss[1]) / 1024 };
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
  samples: Sample[];
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "ignore" });
}

const dir = mkdtempSync(join(tmpdir(), "nlkit-bench-startup-"));
ip("netns", "add", ns);
try {
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip("-n", ns, "link", "set", "v0", "up");
  ip("-n", ns, "addr", "add", "192.0.2.1/24", "dev", "v0");
  execFileSync("tc", ["-n", ns, "qdisc", "add", "dev", "v0", "clsact"]);
  const rows: Row[] = [];
  const add = (name: string, cmd: string[], base?: string) => rows.push({ name, cmd, base, samples: [] });
  writeFileSync(join(dir, "empty.ts"), "export {};\n");
  for (const [, [tool, ...words], prefix] of COMMANDS) add([tool, ...words].join(" "), [...prefix, ...words]);
  for (const [runner, prefix] of RUNNERS) {
    if (runner === "compiled") add("empty bun binary", [emptyBinary(dir)]);
    else add(`empty script (${runner})`, [...prefix.slice(0, -1), join(dir, "empty.ts")]);
    for (const [words, tool] of COMMANDS) {
      add(`nlkit ${words.join(" ")} (${runner})`, [...prefix, "-n", ns, ...words], tool.join(" "));
    }
  }
  for (const r of rows) once(r.cmd); // warm caches (Deno's transpile cache, page cache)
  for (let i = 0; i < RUNS; i++) for (const r of rows) r.samples.push(once(r.cmd));

  console.log(`${RUNS} runs each, interleaved; ms and MiB; ratios of the medians to the tool's`);
  console.log(["command", "wall best", "wall median", "CPU best", "CPU median", "peak RSS", "vs tool"].join("\t"));
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
    console.log(
      [r.name, f(best(s.wall)), f(median(s.wall)), f(best(s.cpu)), f(median(s.cpu)), f(s.rss), vs].join("\t"),
    );
  }
} finally {
  ip("netns", "del", ns);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`/tmp/${ns}.err`, { force: true });
}
