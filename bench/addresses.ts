/**
 * Benchmark: list 1,000 links' addresses as typed objects (`listAddresses`,
 * which names each address's link from one link dump per list) and compare
 * with `ip -j addr show` timed in the same run, as a ratio. Runs in a
 * throwaway namespace, deleted even on error.
 *
 * Run as root: `deno run -A bench/addresses.ts` or `bun bench/addresses.ts`.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { listAddresses } from "../src/route/addr/api.ts";
import { createNetns, deleteNetns } from "../src/netns/netns.ts";

const PAIRS = 500;
const RUNS = 7;

async function best(fn: () => unknown): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const ns = `nlkit-bench-addr-${process.pid}`;
const batch = join(tmpdir(), `${ns}.batch`);
await createNetns(ns);
try {
  const lines: string[] = [];
  for (let i = 0; i < PAIRS; i++) {
    lines.push(`link add a${i} type veth peer name b${i}`);
    lines.push(`addr add 10.${i >> 8}.${i & 255}.1/24 dev a${i}`);
    lines.push(`addr add 10.${(i >> 8) + 64}.${i & 255}.1/24 dev b${i}`);
  }
  writeFileSync(batch, lines.join("\n") + "\n");
  execFileSync("ip", ["-n", ns, "-b", batch]);
  const opts = { netns: ns };
  const count = (await listAddresses({ family: "inet" }, opts)).length;
  const ours = await best(() => listAddresses({ family: "inet" }, opts));
  const theirs = await best(() => execFileSync("ip", ["-n", ns, "-4", "-j", "addr", "show"], { maxBuffer: 1 << 28 }));
  console.log(
    `listAddresses: ${count} addresses on ${PAIRS * 2} links, best of ${RUNS}: ${ours.toFixed(1)} ms; ` +
      `ip -4 -j addr show: ${theirs.toFixed(1)} ms; ratio ${(ours / theirs).toFixed(2)}`,
  );
} finally {
  rmSync(batch, { force: true });
  await deleteNetns(ns);
}
