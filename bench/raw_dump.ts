/**
 * Foundation benchmark: stream the raw route dump (`NetlinkSocket.dump`,
 * no attribute parsing) of 10,000 and 100,000 routes, each size in a fresh
 * child process so its peak RSS is its own, next to `ip -j route show` on
 * the same namespace in the same run. Also measures the same child doing no
 * dump, so the dump's own memory shows.
 *
 * Run as root: `deno run -A bench/raw_dump.ts` or `bun bench/raw_dump.ts`.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { MessageBuilder, NETLINK_ROUTE } from "../src/wire/mod.ts";
import { NetlinkSocket } from "../src/socket/mod.ts";

const RTM_GETROUTE = 26;
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const self = new URL(import.meta.url).pathname;
const runtimeArgv = isBun ? [process.execPath, self] : [process.execPath, "run", "-A", self];

async function child(ns: string, dump: boolean): Promise<void> {
  const t0 = performance.now();
  let count = 0;
  let bytes = 0;
  if (dump) {
    await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns });
    const rtmsg = new Uint8Array(12); // struct rtmsg, all zero but the family
    rtmsg[0] = 2;
    const req = new MessageBuilder(RTM_GETROUTE, 0).raw(rtmsg).finish();
    for await (const len of sock.dump(req, (m) => m.end - m.start)) {
      count++;
      bytes += len;
    }
  }
  console.log(JSON.stringify({ ms: performance.now() - t0, count, bytes }));
}

/** Runs a command under /usr/bin/time; returns wall ms, peak RSS MiB and stdout. */
function timed(argv: string[]): { ms: number; mb: number; out: string } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...argv], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  const [sec, kb] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { ms: sec * 1000, mb: kb / 1024, out: r.stdout };
}

function addRoutes(ns: string, from: number, to: number): void {
  const file = `${tmpdir()}/${ns}-${to}.batch`;
  const lines: string[] = [];
  for (let i = from; i < to; i++) lines.push(`route add 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 dev lo`);
  writeFileSync(file, lines.join("\n") + "\n");
  try {
    execFileSync("ip", ["-n", ns, "-batch", file]);
  } finally {
    rmSync(file, { force: true });
  }
}

function main(): void {
  const ns = `nlkit-rawbench-${process.pid}`;
  execFileSync("ip", ["netns", "add", ns]);
  try {
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    const rows: string[][] = [];
    let have = 0;
    for (const n of [10_000, 100_000]) {
      addRoutes(ns, have, n);
      have = n;
      const base = timed([...runtimeArgv, "--child", ns, "--idle"]);
      const ours = [1, 2, 3].map(() => timed([...runtimeArgv, "--child", ns]));
      const stats = ours.map((r) => JSON.parse(r.out) as { ms: number; count: number });
      const ip = [1, 2, 3].map(() => timed(["ip", "-n", ns, "-j", "route", "show"]));
      const best = <T>(xs: T[], f: (x: T) => number) => Math.min(...xs.map(f));
      rows.push([
        String(n),
        `${best(stats, (s) => s.ms).toFixed(1)} ms`,
        `${best(ours, (r) => r.ms).toFixed(0)} ms`,
        `${best(ours, (r) => r.mb).toFixed(1)} MiB`,
        `${base.mb.toFixed(1)} MiB`,
        `${best(ip, (r) => r.ms).toFixed(0)} ms`,
        `${best(ip, (r) => r.mb).toFixed(1)} MiB`,
        String(stats[0].count),
      ]);
    }
    console.log(`runtime: ${isBun ? "bun" : "deno"} (best of 3)`);
    const head = ["routes", "dump()", "process", "peak RSS", "idle RSS", "ip -j", "ip RSS", "messages"];
    console.log(head.join("\t"));
    for (const r of rows) console.log(r.join("\t"));
  } finally {
    execFileSync("ip", ["netns", "del", ns]);
  }
}

const i = process.argv.indexOf("--child");
if (i >= 0) await child(process.argv[i + 1], !process.argv.includes("--idle"));
else main();
