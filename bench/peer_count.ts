/**
 * nlkit as a peer of `../shared/bench-peers`: lists one workload through
 * the public API, as typed objects, and prints how many it counted (the
 * harness times the whole process, runtime start-up included).
 *
 * Usage: `deno run -A bench/peer_count.ts NETNS routes4|routes6|links|ct`
 * or `bun bench/peer_count.ts NETNS WORKLOAD`; `bench/peers.sh` runs the harness.
 *
 * @module
 */

// Deno.args, not node:process: loading Deno's Node layer costs start-up time no user of the library pays.
const g = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const [netns, workload] = g.Deno?.args ?? g.process!.argv.slice(2);
const opts = { netns };
let n = 0;
// Each workload loads only its own family, as a program that lists routes imports only the route API.
const stream: AsyncIterable<unknown> = workload === "routes4"
  ? (await import("../src/route/route/api.ts")).streamRoutes({ family: "inet", table: "main" }, opts)
  : workload === "routes6"
  ? (await import("../src/route/route/api.ts")).streamRoutes({ family: "inet6", table: "main" }, opts)
  : workload === "links"
  ? (await import("../src/route/link/api.ts")).streamLinks({}, opts)
  : workload === "ct"
  ? (await import("../src/netfilter/conntrack/ops.ts")).streamConntrack({}, opts)
  : (() => {
    throw new Error(`Cannot bench workload "${workload}": expected routes4, routes6, links or ct`);
  })();
for await (const _ of stream) n++;
console.log(n);
