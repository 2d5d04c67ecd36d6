/**
 * Keeps a live table of a namespace's links and their IPv4 addresses:
 * lists what exists, then follows changes, re-listing after an overrun.
 * Prints the table each time it settles; stops after COUNT changes.
 *
 * Run as root: `deno run --allow-ffi examples/watch.ts NETNS [COUNT]`
 * or `bun examples/watch.ts NETNS [COUNT]`.
 */
import process from "node:process";
import { watchRoute } from "../mod.ts";

const [netns, count = "10"] = process.argv.slice(2);
const links = new Map<number, string>();
const addrs = new Map<string, number>(); // "10.0.0.1/24" -> ifindex
let changes = 0;

await using events = await watchRoute(["link", "ipv4-addr"], { netns });
for await (const ev of events) {
  if (ev.type === "overrun") throw new Error("events were lost: restart to re-list");
  if (ev.type === "synced") {
    print("synced");
    continue;
  }
  if (ev.kind === "link") {
    if (ev.type === "del") links.delete(ev.object.index);
    else links.set(ev.object.index, ev.object.name ?? `if${ev.object.index}`);
  } else if (ev.kind === "addr") {
    const key = ev.object.address;
    if (ev.type === "del") addrs.delete(key);
    else addrs.set(key, ev.object.ifindex);
  }
  if (!ev.existing) {
    print(`${ev.type} ${ev.kind}`);
    if (++changes >= Number(count)) break;
  }
}

function print(why: string): void {
  const rows = [...links].map(([i, n]) => `${n}: ${[...addrs].filter(([, x]) => x === i).map(([a]) => a).join(" ")}`);
  console.log(`[${why}] ${rows.join(" | ")}`);
}
