/**
 * vishvananda/netlink's neigh_test.go, ported to nlkit's library API: one
 * test per Go test (named in the comment above it), in fresh namespaces,
 * checked against `ip -j neigh` and `bridge -j fdb` there. `ifb` stands in
 * for Go's `dummy` links, which this kernel lacks.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addFdb,
  addNeighbour,
  appendFdb,
  changeLink,
  createLink,
  deleteFdb,
  deleteNeighbour,
  listFdb,
  listNeighbours,
  type Neighbour,
  replaceNeighbour,
  subscribeRoute,
  watchRoute,
} from "../mod.ts";
import { ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { deadline } from "./_events.ts";

type Json = Record<string, unknown>;

const ARP = [1, 2, 3, 4, 5].map((i) => [`10.99.0.${i}`, `aa:bb:cc:dd:00:0${i}`] as const);

/** `ifb` links have no ARP: a veth end takes neighbour entries as dummy does. */
async function neighLink(ns: string): Promise<void> {
  await createLink({ name: "neigh0", kind: "veth", peer: { name: "neigh1" } }, { netns: ns });
  await changeLink("neigh0", { up: true }, { netns: ns });
}

// TestNeighAddDel (and NeighSet: replace; the entries' state and flags)
test("vish neigh: add five, list them as ip does, replace one, delete them", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await neighLink(ns);
    for (const [dst, lladdr] of ARP) await addNeighbour({ dev: "neigh0", dst, lladdr, state: "reachable" }, o);
    const dump = await listNeighbours({ dev: "neigh0" }, o);
    assert.deepEqual(dump.map((n) => [n.dst, n.lladdr, n.state]).sort(), ARP.map(([d, l]) => [d, l, ["REACHABLE"]]));
    const oracle = ipJson(ns, "neigh", "show", "dev", "neigh0") as Json[];
    assert.deepEqual(oracle.map((n) => [n.dst, n.lladdr, n.state]).sort(), ARP.map(([d, l]) => [d, l, ["REACHABLE"]]));
    await assert.rejects(addNeighbour({ dev: "neigh0", dst: ARP[0][0], lladdr: ARP[0][1] }, o), {
      name: "NetlinkError",
      code: "EEXIST",
    });
    await replaceNeighbour(
      { dev: "neigh0", dst: ARP[0][0], lladdr: "aa:bb:cc:dd:ee:ff", state: "permanent", flags: ["router"] },
      o,
    );
    const [first] = await listNeighbours({ dev: "neigh0", to: ARP[0][0] }, o);
    assert.deepEqual([first.lladdr, first.state, first.flags], ["aa:bb:cc:dd:ee:ff", ["PERMANENT"], ["router"]]);
    const ip0 = ipJson(ns, "neigh", "show", ARP[0][0], "dev", "neigh0")[0];
    assert.deepEqual([ip0.lladdr, ip0.state, ip0.router], ["aa:bb:cc:dd:ee:ff", ["PERMANENT"], null]);
    for (const [dst, lladdr] of ARP) await deleteNeighbour({ dev: "neigh0", dst, lladdr }, o);
    assert.deepEqual(await listNeighbours({ dev: "neigh0" }, o), []);
    assert.deepEqual(ipJson(ns, "neigh", "show", "dev", "neigh0"), []);
  });
});

// TestNeighAddDelProxy
test("vish neigh: proxy entries listed with the proxy filter only, deleted", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await neighLink(ns);
    await addNeighbour({ dev: "neigh0", dst: "10.99.1.1", lladdr: "aa:bb:cc:dd:01:01" }, o);
    for (const [dst] of ARP) await addNeighbour({ dev: "neigh0", dst, flags: ["proxy"] }, o);
    const proxies = await listNeighbours({ dev: "neigh0", proxy: true }, o);
    assert.deepEqual(proxies.map((n) => n.dst).sort(), ARP.map(([d]) => d));
    for (const p of proxies) assert.ok(p.flags.includes("proxy"));
    assert.deepEqual(
      (ipJson(ns, "neigh", "show", "proxy", "dev", "neigh0") as Json[]).map((n) => n.dst).sort(),
      ARP.map(([d]) => d),
    );
    // Without the filter, the ordinary entry only (the proxy filter is not ignored either way).
    assert.deepEqual((await listNeighbours({ dev: "neigh0" }, o)).map((n) => n.dst), ["10.99.1.1"]);
    for (const [dst] of ARP) await deleteNeighbour({ dev: "neigh0", dst, flags: ["proxy"] }, o);
    assert.deepEqual(await listNeighbours({ dev: "neigh0", proxy: true }, o), []);
  });
});

/** Reads events until every `want` line (`type dst state`) was seen. */
async function expectNeigh(
  events: AsyncIterable<{ type: string; kind?: string; object?: unknown }> & { close(): void },
  want: string[],
): Promise<void> {
  const left = new Set(want);
  // deno-lint-ignore no-explicit-any
  const timer = deadline(events as any);
  try {
    for await (const ev of events) {
      if (ev.kind !== "neigh") continue;
      const n = ev.object as Neighbour;
      left.delete(`${ev.type} ${n.dst} ${n.state.join("|")}`);
      if (left.size === 0) break;
    }
  } finally {
    timer.clear();
  }
  assert.deepEqual([...left], []);
}

// TestNeighSubscribe, TestNeighSubscribeWithOptions, TestNeighSubscribeAt
test("vish neigh: subscribe in a namespace sees the add and the delete", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await neighLink(ns);
    const events = await subscribeRoute(["neigh"], o);
    try {
      await addNeighbour({ dev: "neigh0", dst: "10.99.0.1", lladdr: "aa:bb:cc:dd:00:01", state: "reachable" }, o);
      await deleteNeighbour({ dev: "neigh0", dst: "10.99.0.1" }, o);
      // As in Go: the entry, then FAILED as the kernel drops it.
      await expectNeigh(events, ["new 10.99.0.1 REACHABLE", "new 10.99.0.1 FAILED", "del 10.99.0.1 FAILED"]);
    } finally {
      events.close();
    }
  });
});

// TestNeighSubscribeListExisting: an ARP entry and a vxlan FDB entry listed first, then a new entry.
test("vish neigh: watch lists neighbours and vxlan FDB entries, then follows", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await neighLink(ns);
    await createLink({ name: "neigh1x", kind: "vxlan", data: { id: 1, port: 4789 } }, o);
    await addNeighbour({ dev: "neigh0", dst: "198.51.100.1", lladdr: "aa:bb:cc:dd:00:01", state: "reachable" }, o);
    await appendFdb({ dev: "neigh1x", lladdr: "aa:bb:cc:dd:00:03", dst: "198.51.100.3", flags: ["self"] }, o);
    const events = await watchRoute(["neigh"], o);
    const existing: string[] = [];
    // deno-lint-ignore no-explicit-any
    const timer = deadline(events as any);
    try {
      for await (const ev of events) {
        if (ev.type === "synced") {
          await addNeighbour(
            { dev: "neigh0", dst: "198.51.100.2", lladdr: "aa:bb:cc:dd:00:02", state: "permanent" },
            o,
          );
          continue;
        }
        if (ev.type === "overrun" || ev.kind !== "neigh") continue;
        const n = ev.object;
        if (ev.existing) existing.push(`${n.family} ${n.dst ?? ""} ${n.lladdr} ${n.state.join("|")}`);
        else if (n.dst === "198.51.100.2") {
          assert.deepEqual(n.state, ["PERMANENT"]);
          break;
        }
      }
    } finally {
      timer.clear();
      events.close();
    }
    assert.ok(existing.includes("inet 198.51.100.1 aa:bb:cc:dd:00:01 REACHABLE"), existing.join("\n"));
    assert.ok(existing.includes("bridge 198.51.100.3 aa:bb:cc:dd:00:03 NOARP|PERMANENT"), existing.join("\n"));
  });
});

// TestNeighListExecuteStateFilter
test("vish neigh: list by state leaves the others out, IPv4 and IPv6", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await neighLink(ns);
    const reach = [["198.51.100.1", "44:bb:cc:dd:00:01"], ["2001:db8::1", "66:bb:cc:dd:00:02"]];
    const stale = [["198.51.100.10", "44:bb:cc:dd:00:10"], ["2001:db8::10", "66:bb:cc:dd:00:10"]];
    for (const [dst, lladdr] of reach) await addNeighbour({ dev: "neigh0", dst, lladdr, state: "reachable" }, o);
    for (const [dst, lladdr] of stale) await addNeighbour({ dev: "neigh0", dst, lladdr, state: "stale" }, o);
    const all = await listNeighbours({ dev: "neigh0" }, o);
    assert.equal(all.filter((n) => !n.dst?.startsWith("fe80")).length, 4);
    const r = await listNeighbours({ dev: "neigh0", states: ["reachable"] }, o);
    assert.deepEqual(r.map((n) => n.dst).sort(), reach.map(([d]) => d).sort());
    const s = await listNeighbours({ dev: "neigh0", states: ["stale"] }, o);
    assert.deepEqual(s.map((n) => n.dst).sort(), stale.map(([d]) => d).sort());
    assert.deepEqual(
      (ipJson(ns, "neigh", "show", "dev", "neigh0", "nud", "stale") as Json[]).map((n) => n.dst).sort(),
      stale.map(([d]) => d).sort(),
    );
    // The family filter narrows too.
    assert.deepEqual(
      (await listNeighbours({ dev: "neigh0", family: "inet6", states: ["stale"] }, o)).map((n) => n.dst),
      ["2001:db8::10"],
    );
  });
});

// NeighAppend / NeighDel with AF_BRIDGE (Go's FDB calls): entries on a bridge port, master and self.
test(
  "vish neigh: FDB entries on a bridge port, master and self, as bridge shows them",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      const o = { netns: ns };
      await createLink({ name: "br0", kind: "bridge" }, o);
      await createLink({ name: "p0", kind: "veth", peer: { name: "p1" }, master: "br0" }, o);
      await addFdb({ dev: "p0", lladdr: "aa:bb:cc:dd:00:01", flags: ["master"], state: "static" }, o);
      await addFdb({ dev: "p0", lladdr: "aa:bb:cc:dd:00:02", flags: ["self"], state: "permanent" }, o);
      const mine = (await listFdb({ dev: "p0" }, o)).filter((n) => n.lladdr?.startsWith("aa:bb:cc:dd:00"));
      assert.deepEqual(mine.map((n) => [n.lladdr, n.flags.includes("self") ? "self" : "master"]).sort(), [
        ["aa:bb:cc:dd:00:01", "master"],
        ["aa:bb:cc:dd:00:02", "self"],
      ]);
      const bridge = JSON.parse(run("bridge", ["-n", ns, "-j", "fdb", "show", "dev", "p0"])) as Json[];
      const theirs = bridge.filter((n) => String(n.mac).startsWith("aa:bb:cc:dd:00"));
      assert.deepEqual(theirs.map((n) => n.mac).sort(), ["aa:bb:cc:dd:00:01", "aa:bb:cc:dd:00:02"]);
      // The master filter: the ports of br0, as `bridge fdb show br br0` lists them, and nothing of another bridge.
      await createLink({ name: "br1", kind: "bridge" }, o);
      await createLink({ name: "q0", kind: "veth", peer: { name: "q1" }, master: "br1" }, o);
      await addFdb({ dev: "q0", lladdr: "aa:bb:cc:dd:00:09", flags: ["master"], state: "static" }, o);
      const ours = (n: { lladdr?: string }) => n.lladdr?.startsWith("aa:bb:cc:dd:00");
      const byMaster = (await listFdb({ master: "br0" }, o)).filter(ours).map((n) => n.lladdr).sort();
      const brMaster = (JSON.parse(run("bridge", ["-n", ns, "-j", "fdb", "show", "br", "br0"])) as Json[])
        .filter((n) => String(n.mac).startsWith("aa:bb:cc:dd:00")).map((n) => n.mac).sort();
      assert.deepEqual(byMaster, brMaster);
      assert.ok(!byMaster.includes("aa:bb:cc:dd:00:09"));
      assert.ok((await listFdb({}, o)).some((n) => n.lladdr === "aa:bb:cc:dd:00:09"));
      await deleteFdb({ dev: "p0", lladdr: "aa:bb:cc:dd:00:01", flags: ["master"] }, o);
      await deleteFdb({ dev: "p0", lladdr: "aa:bb:cc:dd:00:02", flags: ["self"] }, o);
      assert.deepEqual((await listFdb({ dev: "p0" }, o)).filter((n) => n.lladdr?.startsWith("aa:bb:cc:dd:00")), []);
    });
  },
);
