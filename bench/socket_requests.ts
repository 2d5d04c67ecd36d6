/**
 * Requests per second on one socket: RTM_GETLINK of `lo` with 1, 100 and
 * 1,000 requests in flight, raw (`request` with a one-field parse) and
 * through `getLink`, next to `ip -batch` doing the same lookups in one
 * process. Usage: deno run -A bench/socket_requests.ts [N] (or bun
 * bench/socket_requests.ts [N]); root required (throwaway namespace).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { getLink } from "../src/route/link/api.ts";
import { openRouteSocket } from "../src/route/rtnl.ts";
import type { NetlinkSocket } from "../src/socket/socket.ts";
import { MessageBuilder } from "../src/wire/builder.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const runtime = g.Bun ? `bun ${g.Bun.version}` : `deno ${g.Deno.version.deno}`;
const argv: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const N = Number(argv[0] ?? 20000);
const ns = `nlkr${process.pid}`;
const IFINFOMSG = { family: "u8", pad: "pad1", type: "u16", index: "s32", flags: "u32", change: "u32" } as const;

async function rate(inFlight: number, one: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next++ < N) await one();
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return N / ((performance.now() - t0) / 1000);
}

function ipBatch(): number {
  const input = "link show dev lo\n".repeat(N);
  const t0 = performance.now();
  execFileSync("ip", ["-n", ns, "-batch", "-"], { input, stdio: ["pipe", "ignore", "inherit"], maxBuffer: 1 << 30 });
  return N / ((performance.now() - t0) / 1000);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(9);

execFileSync("ip", ["netns", "add", ns]);
let sock: NetlinkSocket | undefined;
try {
  sock = await openRouteSocket({ netns: ns });
  const s = sock;
  const raw = () => s.request(new MessageBuilder(18, 0).struct(IFINFOMSG, { index: 1 }).finish(), (m) => m.type);
  const typed = () => getLink(1, { socket: s });
  await rate(1, raw); // warm up
  const ipRate = ipBatch();
  console.log(`# requests per second on one socket, ${N} RTM_GETLINK of lo each, ${runtime}`);
  console.log(`ip -batch (one process, one request at a time): ${fmt(ipRate)}/s`);
  for (const k of [1, 100, 1000]) {
    const r = await rate(k, raw);
    const t = await rate(k, typed);
    console.log(
      `in flight ${String(k).padStart(4)}: raw ${fmt(r)}/s (${(r / ipRate).toFixed(2)}x ip), getLink ${fmt(t)}/s (${
        (t / ipRate).toFixed(2)
      }x ip)`,
    );
  }
} finally {
  sock?.close();
  execFileSync("ip", ["netns", "del", ns]);
}
