/**
 * Filtered listing and deletion: `nlkit ct -L/-D FILTER` next to
 * `conntrack -L/-D FILTER` on the same table of N entries (IPv4 and IPv6,
 * some NATed, some in zones), as ratios of wall time. The CLI is spawned
 * like a user would (`NLKIT_BIN` for the compiled binary, else this
 * runtime on cli.ts). Runs in a throwaway network namespace, deleted at the
 * end even on error. Needs root.
 *
 *   deno run -A bench/conntrack_filter.ts [--entries 20000] [--reps 3]
 *   NLKIT_BIN=dist/nlkit deno run -A bench/conntrack_filter.ts
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import process from "node:process";
import { parseArgs } from "node:util";
import { createConntrackMany } from "../src/netfilter/conntrack/bulk.ts";
import type { ConntrackSpec } from "../src/netfilter/conntrack/spec.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { entries: { type: "string", default: "20000" }, reps: { type: "string", default: "3" } },
});
const N = Number(values.entries), REPS = Number(values.reps);
const ns = `nlkit-bench-ctf-${process.pid}`;
const root = new URL("..", import.meta.url).pathname;
const deno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const cli: string[] = process.env.NLKIT_BIN
  ? [process.env.NLKIT_BIN]
  : deno
  ? [`${root}node_modules/.bin/deno`, "run", "-A", `${root}cli.ts`]
  : [`${root}node_modules/.bin/bun`, `${root}cli.ts`];

/** Entry i: IPv4 and IPv6 alternating, every 10th source-NATed, every 7th in zone 3. */
function spec(i: number): ConntrackSpec {
  const v6 = (i & 1) === 1;
  const src = v6
    ? `fd00::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}`
    : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
  const s: ConntrackSpec = {
    proto: "tcp",
    orig: { src, dst: v6 ? "fd00::ffff" : "10.255.255.254", sport: 1024 + (i % 50000), dport: 443 },
    timeout: 3600,
    tcpState: "ESTABLISHED",
  };
  if (i % 10 === 0) s.natSrc = { ip: v6 ? "fd00::1:1" : "192.0.2.1" };
  if (i % 7 === 0) s.zone = 3;
  return s;
}

function* specs(): Generator<ConntrackSpec> {
  for (let i = 0; i < N; i++) yield spec(i);
}

/** Empties the table and fills it with the N entries again. */
async function refill(): Promise<void> {
  execFileSync("ip", ["netns", "exec", ns, "conntrack", "-F"], { stdio: "ignore" });
  await createConntrackMany(specs(), {}, { netns: ns });
}

function time(cmd: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0 && !/0 flow entries/.test(r.stderr)) throw new Error(`${cmd.join(" ")}: ${r.stderr}`);
  return performance.now() - t;
}

const FILTERS = [["-s", "10.0.1.2"], ["-s", "fd00::0:102"], ["-s", "10.0.0.0/16"], ["-n"], ["-w", "3"]];

execFileSync("ip", ["netns", "add", ns]);
try {
  const rows: string[] = [];
  for (const cmd of ["-L", "-D"]) {
    for (const f of FILTERS) {
      let ours = Infinity, theirs = Infinity;
      for (let r = 0; r < REPS; r++) {
        // -D changes the table: rebuild it before each run of either tool.
        if (cmd === "-D" || r === 0) await refill();
        theirs = Math.min(theirs, time(["ip", "netns", "exec", ns, "conntrack", cmd, ...f]));
        if (cmd === "-D") await refill();
        ours = Math.min(ours, time([...cli, "-n", ns, "ct", cmd, ...f]));
      }
      rows.push(
        `${`ct ${cmd} ${f.join(" ")}`.padEnd(28)} nlkit ${ours.toFixed(0).padStart(6)} ms  conntrack ${
          theirs.toFixed(0).padStart(6)
        } ms  ratio ${(ours / theirs).toFixed(2)}`,
      );
    }
  }
  console.log(`${N} entries, best of ${REPS}, ${process.env.NLKIT_BIN ?? (deno ? "deno" : "bun")}`);
  for (const r of rows) console.log(r);
} finally {
  execFileSync("ip", ["netns", "del", ns]);
}
