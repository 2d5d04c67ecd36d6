/**
 * Nexthop objects against the kernel, in throwaway namespaces, compared
 * object by object with `ip -j nexthop`; every list filter is checked on a
 * table where ignoring it would select more.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  addNexthop,
  deleteNexthop,
  flushNexthops,
  getNexthop,
  getNexthopBucket,
  listNexthopBuckets,
  listNexthops,
  replaceNexthop,
} from "../src/route/nexthop/api.ts";
import type { NexthopFilter, NexthopObjectSpec } from "../src/route/nexthop/build.ts";
import { nexthopBucketToIpJson, nexthopToIpJson } from "../src/route/nexthop/json.ts";
import { addRoute, listRoutes } from "../src/route/route/api.ts";
import { subscribeRoute } from "../src/route/events.ts";
import { InvalidArgumentError } from "../src/wire/invalid.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { ip, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

/** Links the fixtures use: two veths up with addresses, v1 a bridge port. */
function links(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "p0");
  ip(ns, "link", "add", "v1", "type", "veth", "peer", "name", "p1");
  ip(ns, "link", "add", "br0", "type", "bridge");
  ip(ns, "link", "set", "v1", "master", "br0");
  for (const l of ["v0", "p0", "v1", "p1", "br0"]) ip(ns, "link", "set", l, "up");
  ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
  ip(ns, "addr", "add", "10.2.0.1/24", "dev", "v1");
  ip(ns, "-6", "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
}

/** The same nexthops, as specs and as `ip nexthop add` words. */
const FIXTURE: [NexthopObjectSpec, string[]][] = [
  [{ id: 1, gateway: "10.1.0.2", dev: "v0" }, ["id", "1", "via", "10.1.0.2", "dev", "v0"]],
  [{ id: 2, gateway: "10.1.0.3", dev: "v0", onlink: true, protocol: "static" }, [
    "id",
    "2",
    "via",
    "10.1.0.3",
    "dev",
    "v0",
    "onlink",
    "proto",
    "static",
  ]],
  [{ id: 3, blackhole: true }, ["id", "3", "blackhole"]],
  [{ id: 4, gateway: "10.2.0.2", dev: "v1" }, ["id", "4", "via", "10.2.0.2", "dev", "v1"]],
  [{ id: 5, dev: "v0" }, ["id", "5", "dev", "v0"]],
  [{ id: 6, gateway: "2001:db8::2", dev: "v0" }, ["id", "6", "via", "2001:db8::2", "dev", "v0"]],
  [{ id: 7, gateway: "10.1.0.9", fdb: true }, ["id", "7", "via", "10.1.0.9", "fdb"]],
  [{ id: 10, group: [1, { id: 2, weight: 5 }] }, ["id", "10", "group", "1/2,5"]],
  [{
    id: 11,
    group: [{ id: 1, weight: 2 }, 4],
    groupType: "resilient",
    resilient: { buckets: 8, idleTimer: 10, unbalancedTimer: 20 },
  }, [
    "id",
    "11",
    "group",
    "1,2/4",
    "type",
    "resilient",
    "buckets",
    "8",
    "idle_timer",
    "10",
    "unbalanced_timer",
    "20",
  ]],
  [{ id: 12, group: [7], fdb: true }, ["id", "12", "group", "7", "fdb"]],
];

/** ip's listing and ours, object by object in ip's key order; bucket idle times move, so buckets are compared apart. */
async function assertSameAsIp(ns: string, details = false): Promise<void> {
  const ours = (await listNexthops({}, { netns: ns })).map((nh) => nexthopToIpJson(nh, details));
  const theirs = details ? ipJson(ns, "-d", "nexthop", "show") : ipJson(ns, "nexthop", "show");
  assert.equal(ours.length, theirs.length);
  for (let i = 0; i < ours.length; i++) {
    assert.deepEqual(Object.entries(ours[i]), Object.entries(theirs[i]), `nexthop ${i}`);
  }
}

test("nexthops created by nlkit list the same in ip -j, with and without -d", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    links(ns);
    for (const [spec] of FIXTURE) await addNexthop(spec, { netns: ns });
    await assertSameAsIp(ns);
    await assertSameAsIp(ns, true);
  });
});

test("nexthops created by ip list the same in nlkit", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    links(ns);
    for (const [, words] of FIXTURE) ip(ns, "nexthop", "add", ...words);
    await assertSameAsIp(ns);
    const [one] = await listNexthops({ id: 1 }, { netns: ns });
    assert.equal(one.dev, "v0");
    assert.equal(one.ifindex, Number(ipJson(ns, "link", "show", "v0")[0].ifindex));
    assert.equal(one.family, "inet");
  });
});

test("every nexthop filter selects fewer than the whole table", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    links(ns);
    for (const [, words] of FIXTURE) ip(ns, "nexthop", "add", ...words);
    const ids = async (f: NexthopFilter): Promise<number[]> => (await listNexthops(f, { netns: ns })).map((n) => n.id);
    const all = await ids({});
    assert.equal(all.length, FIXTURE.length);
    const cases: [NexthopFilter, number[]][] = [
      [{ id: 4 }, [4]],
      [{ dev: "v0" }, [1, 2, 5, 6]],
      [{ dev: "v1" }, [4]],
      [{ master: "br0" }, [4]],
      [{ groups: true }, [10, 11, 12]],
      [{ fdb: true }, [7, 12]],
      [{ protocol: "static" }, [2]],
      [{ family: "inet6" }, [6]],
      [{ family: "inet6", dev: "v0" }, [6]],
    ];
    for (const [f, want] of cases) assert.deepEqual(await ids(f), want, JSON.stringify(f));
    // ip agrees where it filters in the kernel too.
    assert.deepEqual(ipJson(ns, "nexthop", "show", "dev", "v0").map((n: { id: number }) => n.id), [1, 2, 5, 6]);
    assert.deepEqual(ipJson(ns, "nexthop", "show", "groups").map((n: { id: number }) => n.id), [10, 11, 12]);
  });
});

test("get, replace, delete a listed nexthop, flush by filter and flush all", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    links(ns);
    for (const [spec] of FIXTURE) await addNexthop(spec, { netns: ns });
    const one = await getNexthop(1, { netns: ns });
    assert.deepEqual(nexthopToIpJson(one), ipJson(ns, "nexthop", "get", "id", "1")[0]);
    // A listed object passes back as it is.
    await replaceNexthop({ ...one, gateway: "10.1.0.7" }, { netns: ns });
    assert.equal(ipJson(ns, "nexthop", "get", "id", "1")[0].gateway, "10.1.0.7");
    // A listed group and a listed resilient group pass back too.
    for (const gid of [10, 11]) {
      const g = (await listNexthops({ id: gid }, { netns: ns }))[0];
      await replaceNexthop(g, { netns: ns });
      assert.deepEqual(nexthopToIpJson((await listNexthops({ id: gid }, { netns: ns }))[0]), nexthopToIpJson(g));
    }
    const listed = (await listNexthops({ id: 5 }, { netns: ns }))[0];
    await deleteNexthop(listed, { netns: ns });
    assert.ok(!ipJson(ns, "nexthop", "show").some((x: { id: number }) => x.id === 5));
    await assert.rejects(getNexthop(5, { netns: ns }), (e) => e instanceof NetlinkError && e.code === "ENOENT");
    // Flush by device leaves the others (and takes groups whose members went).
    const n = await flushNexthops({ dev: "v1" }, { netns: ns });
    assert.equal(n, 1);
    assert.ok(ipJson(ns, "nexthop", "show").some((x: { id: number }) => x.id === 3));
    assert.equal(ipJson(ns, "nexthop", "show", "dev", "v1").length, 0);
    const left = ipJson(ns, "nexthop", "show").length;
    assert.equal(await flushNexthops({}, { netns: ns }), left);
    assert.deepEqual(ipJson(ns, "nexthop", "show"), []);
  });
});

test("buckets of a resilient group list and get as ip prints them; filters narrow", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    links(ns);
    for (const [, words] of FIXTURE) ip(ns, "nexthop", "add", ...words);
    ip(ns, "nexthop", "add", "id", "13", "group", "1/2", "type", "resilient", "buckets", "4");
    const all = await listNexthopBuckets({}, { netns: ns });
    assert.equal(all.length, 12);
    const g13 = await listNexthopBuckets({ id: 13 }, { netns: ns });
    assert.equal(g13.length, 4);
    assert.ok(g13.every((b) => b.id === 13));
    const to2 = await listNexthopBuckets({ nhid: 2 }, { netns: ns });
    assert.ok(to2.length > 0 && to2.length < all.length && to2.every((b) => b.nhid === 2));
    const theirs = ipJson(ns, "nexthop", "bucket", "show", "id", "13");
    // Idle times move between the two reads: compare everything else, key order included.
    const still = (j: Record<string, unknown>): string =>
      JSON.stringify(j).replace(/"idle_time":[\d.e+-]+/, '"idle_time":0');
    assert.deepEqual(g13.map((b) => still(nexthopBucketToIpJson(b))), theirs.map(still));
    const one = await getNexthopBucket(13, 2, { netns: ns });
    assert.equal(one.index, 2);
    assert.equal(one.nhid, theirs[2].bucket.nhid);
  });
});

test("bad specs are refused before anything is sent, naming the key", async () => {
  const bad: [unknown, RegExp][] = [
    [{ id: 1, gatway: "10.0.0.1" }, /unknown key "gatway" \(did you mean "gateway"\?\)/],
    [{ id: 1, group: [{ id: 2, weight: 0 }] }, /weight 0/],
    [{ id: 1, group: [] }, /group/],
    [{ id: 1, gateway: "10.0.0.300", dev: "v0" }, /gateway/],
    [{ id: 1, blackhole: true, gateway: "10.0.0.1" }, /exactly one/],
    [{ id: 1, resilient: { buckets: 4 } }, /without group/],
    [{ id: 1, group: [2], groupType: "resilient", resilient: { bukets: 4 } }, /unknown key "bukets"/],
    [{ id: 1, dev: "v0", flags: ["dead", "pervasive"] }, /only "onlink"/],
    [{ id: -1, blackhole: true }, /id -1/],
    [{ id: 1, family: "ipv4", blackhole: true }, /family/],
  ];
  for (const [spec, re] of bad) {
    await assert.rejects(addNexthop(spec as NexthopObjectSpec, { netns: "/nonexistent/never-used" }), (e) => {
      assert.ok(e instanceof InvalidArgumentError, `${JSON.stringify(spec)}: ${e}`);
      assert.equal((e as InvalidArgumentError).code, "EINVAL");
      assert.match((e as Error).message, re);
      return true;
    });
  }
  await assert.rejects(listNexthops({ devv: "x" } as NexthopFilter), /unknown key "devv"/);
  await assert.rejects(deleteNexthop({}), /without an id/);
});

test("nexthop events arrive for add, replace and delete", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    links(ns);
    await using events = await subscribeRoute(["nexthop"], { netns: ns });
    ip(ns, "nexthop", "add", "id", "1", "via", "10.1.0.2", "dev", "v0");
    ip(ns, "nexthop", "replace", "id", "1", "via", "10.1.0.3", "dev", "v0");
    ip(ns, "nexthop", "del", "id", "1");
    const seen: string[] = [];
    for await (const ev of events) {
      if (ev.type === "overrun" || ev.kind !== "nexthop") continue;
      seen.push(`${ev.type} ${ev.object.id} ${ev.object.gateway}`);
      if (seen.length === 3) break;
    }
    assert.deepEqual(seen, ["new 1 10.1.0.2", "new 1 10.1.0.3", "del 1 10.1.0.3"]);
  });
});

test("a route with nhid lists as ip shows it and forwards through the nexthop", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns(async (b) => {
      ip(a, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", b);
      ip(a, "addr", "add", "10.1.0.1/24", "dev", "v0");
      ip(b, "addr", "add", "10.1.0.2/24", "dev", "v1");
      ip(b, "addr", "add", "10.99.0.1/32", "dev", "lo");
      ip(a, "link", "set", "v0", "up");
      ip(b, "link", "set", "v1", "up");
      await addNexthop({ id: 1, gateway: "10.1.0.2", dev: "v0" }, { netns: a });
      await addNexthop({ id: 2, blackhole: true }, { netns: a });
      await addRoute({ dst: "10.99.0.0/24", nhid: 1 }, { netns: a });
      await addRoute({ dst: "10.98.0.0/24", nhid: 2 }, { netns: a });
      const r = (await listRoutes({}, { netns: a })).find((x) => x.dst === "10.99.0.0/24");
      assert.equal(r?.nhid, 1);
      assert.equal(ipJson(a, "route", "show", "10.99.0.0/24")[0].nhid, 1);
      run("ip", ["netns", "exec", a, "ping", "-c", "1", "-W", "2", "10.99.0.1"]);
      // The blackhole nexthop drops: the same ping through it fails.
      assert.throws(() => run("ip", ["netns", "exec", a, "ping", "-c", "1", "-W", "1", "10.98.0.1"]));
    });
  });
});
