/**
 * NFQUEUE benchmark: verdicts per second on one queue, one verdict per
 * packet and one batch verdict per 64 packets, next to a C program on
 * libnetfilter_queue (bench/nfqueue_c.c, compiled with gcc into /tmp at run
 * time) in the same run. Each consumer binds queue 3 in a throwaway
 * namespace, the queue is filled with `--count` UDP packets to 127.0.0.1
 * (iptables NFQUEUE on OUTPUT) while it does not read, then the time to
 * read and accept them all is measured: wall clock (verdicts per second)
 * and CPU time of the consumer process (user + system, µs per verdict),
 * each the best of `--reps`. On a loaded machine the CPU ratio is the
 * steadier of the two. Needs root, iptables, gcc and libnetfilter-queue-dev.
 *
 *   deno run -A bench/nfqueue.ts [--count 20000] [--reps 3]
 *   bun bench/nfqueue.ts [--count 20000] [--reps 3]
 *
 * @module
 */

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { openQueue } from "../src/netfilter/queue/queue.ts";
import { readQueueStats } from "../src/netfilter/queue/stats.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { count: { type: "string", default: "20000" }, reps: { type: "string", default: "3" } },
});
const COUNT = Number(values.count);
const REPS = Number(values.reps);
const BATCH = 64;
const PER_SOCKET = 100;
const QUEUE = 3;
const runtime = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? "deno" : "bun";
const ns = `nlkit-bench-nfq-${process.pid}`;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Sends COUNT datagrams to 127.0.0.1:9999 from a child of this runtime
 * inside the namespace; returns how many wait in the queue (the sender may
 * lose a few to its own buffers).
 */
async function fill(): Promise<number> {
  // A queued packet stays charged to its sender's send buffer: spread them over sockets of PER_SOCKET each.
  const code = `import dgram from "node:dgram";
const m = new Uint8Array(64);
const socks = [];
let pending = ${COUNT};
await new Promise((done) => {
  for (let i = 0; i < ${COUNT}; i++) {
    if (i % ${PER_SOCKET} === 0) socks.push(dgram.createSocket("udp4"));
    socks[socks.length - 1].send(m, 9999, "127.0.0.1", () => --pending || done());
  }
});
for (const s of socks) s.close();`;
  const args = runtime === "bun" ? [process.execPath, "-e", code] : [process.execPath, "eval", code];
  const r = spawnSync("ip", ["netns", "exec", ns, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sender failed: ${r.stderr}`);
  const stats = await readQueueStats(ns);
  return stats.find((s) => s.queue === QUEUE)!.waiting;
}

/** One measured drain: packets, wall seconds and CPU seconds of the consumer. */
interface Run {
  count: number;
  secs: number;
  cpu: number;
}

/** nlkit, in this process. */
async function nlkitRun(batch: boolean): Promise<Run> {
  await using q = await openQueue(QUEUE, { netns: ns, maxLen: 1 << 20, receiveBuffer: 256 << 20 });
  const count = await fill(); // synchronous: nothing is read meanwhile
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let seen = 0;
  if (batch) {
    // One await per burst and one batch verdict for it.
    while (seen < count) {
      const items = await q.nextBatch(BATCH);
      const last = items[items.length - 1];
      if (!last || last.kind === "overrun") throw new Error("overrun or end: raise the receive buffer");
      seen += items.length;
      q.batchVerdict(last, "accept");
    }
  } else {
    for await (const item of q) {
      if (item.kind === "overrun") throw new Error("overrun: raise the receive buffer");
      q.verdict(item, "accept");
      if (++seen === count) break;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { count, secs, cpu: (c.user + c.system) / 1e6 };
}

/** libnetfilter_queue, in a child process. */
function cRun(bin: string, batch: boolean): Promise<Run> {
  const child = spawn("ip", ["netns", "exec", ns, bin, String(QUEUE), String(batch ? BATCH : 1)]);
  let count = 0;
  let out = "";
  let sent = false;
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      if (!sent && out.includes("READY\n")) {
        sent = true;
        fill().then((n) => {
          count = n;
          child.stdin.write(`${n}\n`);
        }, reject);
      }
    });
    child.stderr.on("data", (d) => process.stderr.write(d));
    child.on("close", (code) => {
      const [secs, cpu] = out.split("\n").filter(Boolean).pop()!.split(" ").map(Number);
      code === 0 && Number.isFinite(secs) && Number.isFinite(cpu)
        ? resolve({ count, secs, cpu })
        : reject(new Error(`nfqueue_c exited ${code}: ${out}`));
    });
  });
}

function compile(dir: string): string | undefined {
  const bin = join(dir, "nfqueue_c");
  const src = new URL("./nfqueue_c.c", import.meta.url).pathname;
  const r = spawnSync("gcc", ["-O2", "-o", bin, src, "-lnetfilter_queue"], { encoding: "utf8" });
  if (r.status !== 0) {
    console.log(`(C baseline skipped: gcc or libnetfilter-queue-dev missing: ${(r.stderr || String(r.error)).trim()})`);
    return undefined;
  }
  return bin;
}

const dir = mkdtempSync(join(tmpdir(), "nlkit-bench-nfq-"));
sh("ip", ["netns", "add", ns]);
try {
  sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
  sh("ip", [
    "netns",
    "exec",
    ns,
    "iptables",
    "-A",
    "OUTPUT",
    "-p",
    "udp",
    "--dport",
    "9999",
    "-j",
    "NFQUEUE",
    "--queue-num",
    String(QUEUE),
  ]);
  const bin = compile(dir);
  const rate: Record<string, number> = {}; // best verdicts per second
  const cost: Record<string, number> = {}; // best CPU µs per verdict
  const keep = (k: string, r: Run) => {
    rate[k] = Math.max(rate[k] ?? 0, r.count / r.secs);
    cost[k] = Math.min(cost[k] ?? Infinity, (r.cpu / r.count) * 1e6);
  };
  for (let rep = 0; rep < REPS; rep++) {
    for (const batch of [false, true]) {
      const mode = batch ? `batch/${BATCH}` : "single";
      keep(`nlkit ${mode}`, await nlkitRun(batch));
      if (bin) keep(`C ${mode}`, await cRun(bin, batch));
    }
  }
  console.log(
    `nfqueue: ${COUNT} packets, best of ${REPS}, ${runtime} ${
      runtime === "deno"
        ? (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno
        : process.versions.bun
    }`,
  );
  console.log("consumer             verdicts/s   vs C   CPU µs/verdict   vs C");
  for (const mode of ["single", `batch/${BATCH}`]) {
    for (const who of ["C", "nlkit"]) {
      const k = `${who} ${mode}`;
      if (rate[k] === undefined) continue;
      const c = `C ${mode}`;
      const vs = (x: number | undefined) => who === "nlkit" && x !== undefined ? `${(x * 100).toFixed(0)}%` : "";
      console.log(
        `${k.padEnd(20)} ${Math.round(rate[k]).toString().padStart(10)} ${
          vs(rate[c] && rate[k] / rate[c]).padStart(6)
        } ${cost[k].toFixed(2).padStart(16)} ${vs(cost[c] && cost[c] / cost[k]).padStart(6)}`,
      );
    }
  }
} finally {
  spawnSync("ip", ["netns", "del", ns]);
  rmSync(dir, { recursive: true, force: true });
}
