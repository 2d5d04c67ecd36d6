/**
 * A lab in one namespace: a veth pair with addresses, a route, a
 * neighbour, a policy rule and a conntrack entry, with the events the
 * changes raised, then a listing of what was made.
 *
 * Run as root: `deno run --allow-ffi --allow-read examples/lab.ts [NAME]`
 * or `bun examples/lab.ts [NAME]`. It creates namespace NAME (default
 * `lab`) and deletes it at the end.
 */
import process from "node:process";
import * as nl from "../mod.ts";

const netns = process.argv[2] ?? "lab";
await nl.createNetns(netns);
try {
  await using events = await nl.subscribeRoute(["link", "ipv4-addr", "ipv4-route", "neigh", "ipv4-rule"], { netns });
  await nl.createLink({ name: "v0", kind: "veth", peer: { name: "v1" } }, { netns });
  for (const dev of ["v0", "v1"]) await nl.changeLink(dev, { up: true }, { netns });
  await nl.addAddress("v0", "10.1.0.1/24", {}, { netns });
  await nl.addAddress("v1", "10.1.0.2/24", {}, { netns });
  await nl.addRoute({ dst: "10.9.0.0/16", gateway: "10.1.0.2" }, { netns });
  await nl.addNeighbour({ dst: "10.1.0.5", lladdr: "02:00:00:00:00:05", dev: "v0" }, { netns });
  await nl.addRule({ priority: 1000, src: "10.8.0.0/16", table: 100 }, { netns });
  const orig = { src: "10.1.0.1", dst: "10.1.0.2", sport: 40000, dport: 443 }; // the reply is orig inverted
  await nl.createConntrack({ proto: "tcp", orig, timeout: 120, tcpState: "ESTABLISHED" }, { netns });
  for await (const ev of events) {
    if (ev.type !== "overrun") console.log("event", ev.type, ev.kind);
    if (ev.type !== "overrun" && ev.kind === "rule") break; // the last change
  }
  for (const r of await nl.listRoutes({}, { netns })) console.log("route", r.dst, r.gateway ?? "-");
  for (const e of await nl.listConntrack({}, { netns })) console.log(nl.formatConntrack(e));
} finally {
  await nl.deleteNetns(netns);
}
