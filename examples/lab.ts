/**
 * A lab in one namespace pair: a veth pair across two namespaces,
 * addresses, a nexthop and a route through it, a neighbour, a policy rule
 * and a conntrack entry, then a listing of what was made.
 *
 * Run as root: `deno run --allow-ffi --allow-read examples/lab.ts [NAME]`
 * or `bun examples/lab.ts [NAME]`. It creates namespaces NAME-a and
 * NAME-b and deletes them at the end.
 */
import process from "node:process";
import * as nl from "../mod.ts";

const name = process.argv[2] ?? "lab";
const [a, b] = [`${name}-a`, `${name}-b`];
await nl.createNetns(a);
await nl.createNetns(b);
try {
  await nl.createLink({ name: "v0", kind: "veth", peer: { name: "v1", netns: b } }, { netns: a });
  await nl.addAddress("v0", "10.1.0.1/24", {}, { netns: a });
  await nl.addAddress("v1", "10.1.0.2/24", {}, { netns: b });
  for (const [ns, dev] of [[a, "v0"], [b, "v1"]]) await nl.changeLink(dev, { up: true }, { netns: ns });
  await nl.addNexthop({ id: 1, gateway: "10.1.0.2", dev: "v0" }, { netns: a });
  await nl.addRoute({ dst: "10.9.0.0/16", nhid: 1 }, { netns: a });
  await nl.addNeighbour({ dst: "10.1.0.5", lladdr: "02:00:00:00:00:05", dev: "v0" }, { netns: a });
  await nl.addRule({ priority: 1000, src: "10.8.0.0/16", table: 100 }, { netns: a });
  await nl.createConntrack({
    proto: "tcp",
    orig: { src: "10.1.0.1", dst: "10.1.0.2", sport: 40000, dport: 443 },
    reply: { src: "10.1.0.2", dst: "10.1.0.1", sport: 443, dport: 40000 },
    timeout: 120,
    tcpState: "ESTABLISHED",
  }, { netns: a });
  for (const r of await nl.listRoutes({}, { netns: a })) console.log("route", r.dst, r.nhid ?? r.oif);
  for (const e of await nl.listConntrack({}, { netns: a })) console.log(nl.formatConntrack(e));
} finally {
  await nl.deleteNetns(a);
  await nl.deleteNetns(b);
}
