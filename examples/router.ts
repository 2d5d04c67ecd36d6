/**
 * A tiny router: hosts in namespaces NAME-a (10.1.0.2) and NAME-b
 * (10.2.0.2), each on a veth link to a router namespace NAME-r that
 * forwards between them; NAME-a pings NAME-b through it, then the
 * router's neighbour table shows both hosts.
 *
 * Run as root: `deno run --allow-ffi --allow-read --allow-env --allow-run=ip examples/router.ts [NAME]`
 * or `bun examples/router.ts [NAME]`. It deletes its namespaces at the end.
 */
import { spawnSync } from "node:child_process";
import process from "node:process";
import * as nl from "../mod.ts";

const name = process.argv[2] ?? "router";
const [a, r, b] = [`${name}-a`, `${name}-r`, `${name}-b`];
const hosts = [{ ns: a, net: "10.1.0" }, { ns: b, net: "10.2.0" }];
for (const ns of [a, r, b]) await nl.createNetns(ns);
try {
  for (const [i, { ns, net }] of hosts.entries()) {
    // The router's end is r0/r1, the host's end eth0 in the host's namespace.
    await nl.createLink({ name: `r${i}`, kind: "veth", peer: { name: "eth0", netns: ns } }, { netns: r });
    await nl.addAddress(`r${i}`, `${net}.1/24`, {}, { netns: r });
    await nl.addAddress("eth0", `${net}.2/24`, {}, { netns: ns });
    await nl.changeLink(`r${i}`, { up: true }, { netns: r });
    await nl.changeLink("eth0", { up: true }, { netns: ns });
    await nl.addRoute({ dst: "default", gateway: `${net}.1` }, { netns: ns });
  }
  // Forwarding is a per-namespace sysctl, which netlink does not set (Deno's --allow-write refuses /proc/sys).
  run(r, "sysctl", "-qw", "net.ipv4.ip_forward=1");

  console.log(run(a, "ping", "-c", "1", "-W", "2", "10.2.0.2").split("\n").find((l) => l.includes("transmitted")));
  for (const n of await nl.listNeighbours({}, { netns: r })) {
    if (n.family === "inet") console.log("router knows", n.dst, "at", n.lladdr);
  }
} finally {
  for (const ns of [a, r, b]) await nl.deleteNetns(ns);
}

/** Runs a command inside a namespace; throws with its output when it fails. */
function run(ns: string, ...cmd: string[]): string {
  const p = spawnSync("ip", ["netns", "exec", ns, ...cmd], { encoding: "utf8" });
  if (p.status !== 0) throw new Error(`${cmd.join(" ")} in ${ns} failed: ${p.stdout}${p.stderr}`);
  return p.stdout;
}
