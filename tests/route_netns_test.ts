/**
 * Every rtnetlink operation takes its namespace through `opts.netns`: a
 * name, `{ name }`, `{ path }` or `{ pid }`. This runs one operation of
 * each object kind through the path and pid forms, in a throwaway
 * namespace, and checks the effect with `ip -j -n NS`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { listLinks } from "../src/route/link/api.ts";
import { changeLink, createLink } from "../src/route/link/change.ts";
import { addAddress, listAddresses } from "../src/route/addr/api.ts";
import { addNeighbour, listNeighbours } from "../src/route/neigh/api.ts";
import { addRoute, getRoute } from "../src/route/route/api.ts";
import { addRule, listRules } from "../src/route/rule/api.ts";
import type { RouteOptions } from "../src/route/rtnl.ts";

/** Runs `fn` with the pid of a process that sleeps inside namespace `ns`, and ends that process afterwards. */
async function withPidIn<T>(ns: string, fn: (pid: number) => Promise<T>): Promise<T> {
  const child = spawn("ip", ["netns", "exec", ns, "sleep", "60"], { stdio: "ignore" });
  try {
    // `ip netns exec` enters the namespace before it execs sleep: wait until the pid is in it.
    for (let i = 0; run("ip", ["netns", "identify", String(child.pid)]).trim() !== ns; i++) {
      if (i === 100) throw new Error(`Process ${child.pid} did not enter namespace ${ns}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return await fn(child.pid!);
  } finally {
    child.kill();
  }
}

test("links, addresses, neighbours, routes and rules through { path } and { pid }", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await withPidIn(ns, async (pid) => {
      const byPath: RouteOptions = { netns: { path: `/run/netns/${ns}` } };
      const byPid: RouteOptions = { netns: { pid } };
      await createLink({ kind: "veth", name: "v0", peer: { name: "v1" } }, byPath);
      await changeLink("v0", { up: true, mtu: 1400 }, byPid);
      await changeLink("v1", { up: true }, byPath);
      const v0 = ipJson(ns, "link", "show", "v0")[0];
      assert.deepEqual([v0.mtu, v0.flags.includes("UP")], [1400, true]);
      const names = (o: RouteOptions) => listLinks({}, o).then((l) => l.map((x) => x.name).sort());
      assert.deepEqual(await names(byPid), ["lo", "v0", "v1"]);
      assert.deepEqual(await names(byPath), await names({ netns: { name: ns } }));

      await addAddress("v0", "10.7.0.1/24", {}, byPid);
      assert.deepEqual((await listAddresses({ dev: "v0", family: "inet" }, byPath)).map((a) => a.local), ["10.7.0.1"]);
      assert.equal(ipJson(ns, "-4", "addr", "show", "dev", "v0")[0].addr_info[0].local, "10.7.0.1");

      await addNeighbour({ dst: "10.7.0.9", lladdr: "02:00:00:07:00:09", dev: "v0" }, byPath);
      assert.ok((await listNeighbours({ dev: "v0" }, byPid)).some((n) => n.dst === "10.7.0.9"));
      assert.equal(ipJson(ns, "neigh", "show", "10.7.0.9")[0].lladdr, "02:00:00:07:00:09");

      await addRoute({ dst: "192.0.2.0/24", gateway: "10.7.0.9" }, byPid);
      assert.equal((await getRoute("192.0.2.5", {}, byPath)).gateway, "10.7.0.9");
      assert.equal(ipJson(ns, "route", "get", "192.0.2.5")[0].gateway, "10.7.0.9");

      await addRule({ priority: 500, table: 100, fwmark: 7 }, byPath);
      assert.ok((await listRules({}, byPid)).some((r) => r.priority === 500));
      assert.ok(ipJson(ns, "rule", "show").some((r: { priority: number }) => r.priority === 500));
    });
  });
  // Nothing leaked into this namespace.
  const host = JSON.parse(run("ip", ["-j", "link", "show"]));
  assert.ok(!host.some((l: { ifname: string }) => l.ifname === "v0" || l.ifname === "v1"));
});
