/**
 * Where a cold typed route dump spends its time, layer by layer: each layer
 * runs in a fresh process (as a user's program does, the JIT cold) and
 * reports the dump's wall time and its main thread's CPU time (from
 * `/proc/thread-self/schedstat`, so the JIT and GC threads' work shows
 * only as the wall-CPU gap). Layers, each adding one to the one before:
 *
 * - `recv`: `Sys.recvfrom` in a loop, walking the headers only: the kernel's
 *   own dump work (it fills the next batch inside each `recvmsg`) plus FFI;
 * - `ready`: `NetlinkSocket.dump` read through `ready()` with a trivial
 *   parser (seq/port checks, dispatch, the iterator);
 * - `await`: the same read with `for await` (a promise and a turn per message);
 * - `parse`: `ready()` with the typed route parser (`parseRouteMessage`);
 * - `typed`: `streamRoutes` with `for await`, what `bench/peer_count.ts` runs.
 *
 * Run as root on a namespace full of routes (read only):
 * `deno run -A bench/dump_layers.ts NETNS [RUNS]` or `bun bench/dump_layers.ts NETNS [RUNS]`.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { MessageBuilder, NETLINK_ROUTE, type NlMsg } from "../src/wire/mod.ts";
import { NetlinkSocket } from "../src/socket/mod.ts";
import { loadSys } from "../src/sys/load.ts";
import { withNetns } from "../src/netns/netns.ts";
import { parseRouteMessage } from "../src/route/route/parse.ts";
import { streamRoutes } from "../src/route/route/api.ts";

const RTM_GETROUTE = 26, NLMSG_DONE = 3, NLM_F_DUMP_REQUEST = 0x301;
const LAYERS = ["recv", "ready", "await", "parse", "typed"] as const;
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const self = new URL(import.meta.url).pathname;

/** CPU time of the calling thread so far, ms. */
function threadCpu(): number {
  return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
}

function routeRequest(flags: number): Uint8Array {
  const rtmsg = new Uint8Array(12);
  rtmsg[0] = 2; // AF_INET
  return new MessageBuilder(RTM_GETROUTE, flags).raw(rtmsg).finish();
}

/** The bare loop: one recvfrom per datagram, headers walked, nothing parsed. */
async function recvLoop(ns: string): Promise<number> {
  const sys = await loadSys();
  const fd = withNetns(sys, ns, () => sys.socket(16, 3 | 0x800 | 0x80000, NETLINK_ROUTE));
  const kernel = new Uint8Array(12);
  kernel[0] = 16; // AF_NETLINK
  sys.bind(fd, kernel.slice());
  sys.sendto(fd, routeRequest(NLM_F_DUMP_REQUEST), 0, kernel);
  const buf = new Uint8Array(65536), view = new DataView(buf.buffer);
  let n = 0;
  for (let done = false; !done;) {
    const len = sys.recvfrom(fd, buf, buf.length, 0x40, null); // MSG_DONTWAIT: the kernel answers at once
    for (let off = 0; off < len; off = (off + view.getUint32(off, true) + 3) & ~3) {
      if (view.getUint16(off + 4, true) === NLMSG_DONE) done = true;
      else n++;
    }
  }
  sys.close(fd);
  return n;
}

async function child(layer: string, ns: string): Promise<void> {
  const sock = layer === "recv" ? undefined : await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns });
  const size = (m: NlMsg) => m.end - m.start;
  const cpu0 = threadCpu(), t0 = performance.now();
  let n = 0;
  if (!sock) n = await recvLoop(ns);
  else if (layer === "typed") {
    for await (const _ of streamRoutes({ family: "inet", table: "main" }, { socket: sock })) {
      n++;
    }
  } else {
    const parse: (m: NlMsg) => unknown = layer === "parse" ? parseRouteMessage : size;
    const it = sock.dump(routeRequest(0), parse, { reuseMessage: true });
    if (layer === "await") { for await (const _ of it) n++; }
    else {
      for (;;) {
        if (it.ready!()) n++;
        else if ((await it.next()).done) break;
        else n++;
      }
    }
  }
  console.log(JSON.stringify({ wall: performance.now() - t0, cpu: threadCpu() - cpu0, n }));
  sock?.close();
}

function main(ns: string, runs: number): void {
  const argv = isBun ? [self] : ["run", "-A", self];
  console.log(`${isBun ? "bun" : "deno"}: best of ${runs} cold processes per layer, namespace ${ns}`);
  console.log("layer\twall ms\tcpu ms\tmessages");
  for (const layer of LAYERS) {
    let wall = Infinity, cpu = Infinity, n = 0;
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, [...argv, "--child", layer, ns], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${layer}: ${r.stderr}`);
      const out = JSON.parse(r.stdout) as { wall: number; cpu: number; n: number };
      wall = Math.min(wall, out.wall);
      cpu = Math.min(cpu, out.cpu);
      n = out.n;
    }
    console.log(`${layer}\t${wall.toFixed(1)}\t${cpu.toFixed(1)}\t${n}`);
  }
}

const args = process.argv.slice(2);
const at = args.indexOf("--child");
if (at >= 0) await child(args[at + 1], args[at + 2]);
else if (args[0]) main(args[0], Number(args[1] ?? 5));
else throw new Error("Usage: bench/dump_layers.ts NETNS [RUNS]");
