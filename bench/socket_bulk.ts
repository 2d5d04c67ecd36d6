/**
 * Bulk conntrack insert rate on one socket: one request at a time (await
 * each ack), `createConntrackMany` (requests packed into batches), and the
 * `conntrack -I` tool for scale, in a throwaway namespace. Prints entries
 * per second and the ratios. Usage: deno run -A bench/socket_bulk.ts [N]
 * (or bun bench/socket_bulk.ts [N]); root required.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { conntrackCount } from "../src/netfilter/conntrack/stats.ts";
import { buildCreateConntrack, createConntrackMany } from "../src/netfilter/conntrack/bulk.ts";
import type { ConntrackSpec } from "../src/netfilter/conntrack/spec.ts";
import { openConntrackSocket } from "../src/netfilter/conntrack/ctnetlink.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const runtime = g.Bun ? `bun ${g.Bun.version}` : `deno ${g.Deno.version.deno}`;
const argv: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const N = Number(argv[0] ?? 20000);
const ns = `nlkb${process.pid}`;

const spec = (i: number, dport: number): ConntrackSpec => ({
  proto: "udp",
  orig: { src: "10.9.0.1", dst: "10.9.0.2", sport: 1024 + (i % 60000), dport: dport + Math.floor(i / 60000) },
  timeout: 300,
});

function flush(): void {
  execFileSync("ip", ["netns", "exec", ns, "conntrack", "-F"], { stdio: "ignore" });
}

async function check(expected: number): Promise<void> {
  const { count } = await conntrackCount({ netns: ns });
  if (count !== expected) throw new Error(`table holds ${count}, expected ${expected}`);
}

async function oneAtATime(): Promise<number> {
  await using s = await openConntrackSocket({ netns: ns });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await s.request(buildCreateConntrack(spec(i, 100)));
  return N / ((performance.now() - t0) / 1000);
}

async function many(): Promise<number> {
  function* specs(): Generator<ConntrackSpec> {
    for (let i = 0; i < N; i++) yield spec(i, 200);
  }
  const t0 = performance.now();
  const r = await createConntrackMany(specs(), {}, { netns: ns });
  const rate = N / ((performance.now() - t0) / 1000);
  if (r.failed.length) throw new Error(`${r.failed.length} failed: ${String(r.failed[0].error)}`);
  return rate;
}

function tool(): number {
  const lines = Array.from({ length: N }, (_, i) => {
    const o = spec(i, 300).orig!;
    return `-I -p udp -s ${o.src} -d ${o.dst} --sport ${o.sport} --dport ${o.dport} -t 300`;
  }).join("\n") + "\n";
  const t0 = performance.now();
  execFileSync("ip", ["netns", "exec", ns, "conntrack", "-R", "-"], {
    input: lines,
    stdio: ["pipe", "ignore", "ignore"],
  });
  return N / ((performance.now() - t0) / 1000);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

execFileSync("ip", ["netns", "add", ns]);
try {
  console.log(`# bulk conntrack insert, ${N} entries, ${runtime}`);
  const one = await oneAtATime();
  await check(N);
  flush();
  const batch = await many();
  await check(N);
  flush();
  let conntrack = NaN;
  try {
    conntrack = tool();
    await check(N);
  } catch (e) {
    console.log(`conntrack -R unavailable: ${(e as Error).message.split("\n")[0]}`);
  }
  console.log(`one request at a time : ${fmt(one)}/s`);
  console.log(`createConntrackMany   : ${fmt(batch)}/s (${(batch / one).toFixed(2)}x one at a time)`);
  if (!Number.isNaN(conntrack)) console.log(`conntrack -R (tool)   : ${fmt(conntrack)}/s`);
} finally {
  execFileSync("ip", ["netns", "del", ns]);
}
