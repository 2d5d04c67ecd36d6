/**
 * Benchmark: `listLinks` of a namespace in process (start-up and module
 * loading excluded), best of 10 calls, wall clock and CPU time; with the
 * C floor's whole-process figure of `bench/link_list.sh` for scale.
 *
 * Usage (as root): `deno run -A bench/link_list.ts NETNS` or `bun bench/link_list.ts NETNS`.
 *
 * @module
 */

import process from "node:process";
import { listLinks } from "../src/route/link/api.ts";
import { best } from "./_timing.ts";

const netns = process.argv[2];
if (!netns) throw new Error("Cannot bench: give the namespace to list (bench/link_list.sh makes one)");
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
let n = 0;
const t = await best(10, async () => {
  n = (await listLinks({}, { netns })).length;
});
console.log(
  `  nlkit ${runtime} listLinks (${n} links)`.padEnd(38) +
    `${(t.wall / 1000).toFixed(3).padStart(8)} s wall ${(t.cpu / 1000).toFixed(3).padStart(8)} s cpu`,
);
