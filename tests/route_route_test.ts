/**
 * Routes against the kernel in throwaway namespaces, cross-checked with
 * `ip route`: listing, changes, multipath, tables, dump filters, get and flush.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/errors.ts";
import { listLinks } from "../src/route/link/api.ts";
import {
  addRoute,
  appendRoute,
  deleteRoute,
  deleteRouteRequest,
  flushRoutes,
  getRoute,
  listRoutes,
  replaceRoute,
  streamRoutes,
} from "../src/route/route/api.ts";
import type { Route } from "../src/route/route/table.ts";
import { parseRouteMessage } from "../src/route/route/parse.ts";
import { checkFilter, dumpRequest, type RouteFilter } from "../src/route/route/filter.ts";
import { routeToIpJson } from "../src/route/route/json.ts";
import { openRouteSocket, type RouteOptions } from "../src/route/rtnl.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { ip, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

/** Two veth pairs with IPv4 and IPv6 addresses: v0 10.0.0.1/24, v1 10.0.1.1/24. */
function fixture(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "p0");
  ip(ns, "link", "add", "v1", "type", "veth", "peer", "name", "p1");
  for (const dev of ["v0", "p0", "v1", "p1"]) ip(ns, "link", "set", dev, "up");
  ip(ns, "addr", "add", "10.0.0.1/24", "dev", "v0");
  ip(ns, "addr", "add", "10.0.1.1/24", "dev", "v1");
  ip(ns, "-6", "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
  ip(ns, "-6", "addr", "add", "2001:db8:1::1/64", "dev", "v1", "nodad");
}

async function names(opts: RouteOptions): Promise<Map<number, string>> {
  return new Map((await listLinks({}, opts)).map((l) => [l.index, l.name!]));
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** Drops the volatile expiry countdown (checked separately with a tolerance). */
function stable(list: Json[]): Json[] {
  return list.map((r) => {
    const { expires: _e, ...rest } = r;
    return rest;
  });
}

/** Compares our routes, rendered as ip JSON, with ip's output, key by key. */
async function sameAsIp(ns: string, filter: RouteFilter, ipArgs: string[]): Promise<Route[]> {
  const opts = { netns: ns };
  let routes: Route[], ours: Json[], theirs: Json[];
  // The kernel adds IPv6 link-local and multicast routes on its own time after a link comes up:
  // read again while the two listings are not of the same moment.
  for (let attempt = 0;; attempt++) {
    routes = await listRoutes(filter, opts);
    const n = await names(opts);
    ours = routes.map((r) => routeToIpJson(r, n));
    theirs = ipJson(ns, ...ipArgs);
    if (ours.length === theirs.length || attempt === 3) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(ours.length, theirs.length, `route count for ip ${ipArgs.join(" ")}`);
  const key = (r: Json) => JSON.stringify(Object.entries(r).sort());
  const a = stable(ours).sort((x, y) => key(x) < key(y) ? -1 : 1);
  const b = stable(theirs).sort((x, y) => key(x) < key(y) ? -1 : 1);
  for (let i = 0; i < a.length; i++) {
    assert.deepEqual(Object.keys(a[i]).sort(), Object.keys(b[i]).sort(), `keys of ${b[i].dst}`);
    for (const k of Object.keys(b[i])) assert.deepEqual(a[i][k], b[i][k], `${b[i].dst}: ${k}`);
  }
  const exp = (list: Json[]) => list.filter((r) => r.expires !== undefined).map((r) => r.expires as number);
  const [ea, eb] = [exp(ours), exp(theirs)];
  assert.equal(ea.length, eb.length);
  for (let i = 0; i < ea.length; i++) assert.ok(Math.abs(ea[i] - eb[i]) <= 2, `expires ${ea[i]} vs ${eb[i]}`);
  return routes;
}

test("lists IPv4, IPv6 and all tables like ip route show", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    ip(ns, "route", "add", "default", "via", "10.0.0.2");
    ip(
      ns,
      "route",
      "add",
      "192.168.0.0/16",
      "via",
      "10.0.0.2",
      "metric",
      "50",
      "proto",
      "static",
      "mtu",
      "lock",
      "1400",
    );
    ip(ns, "route", "add", "blackhole", "5.0.0.0/8");
    ip(ns, "route", "add", "unreachable", "6.0.0.0/8", "table", "7");
    ip(ns, "route", "add", "7.0.0.0/8", "via", "inet6", "2001:db8::2", "dev", "v0");
    ip(ns, "route", "add", "8.8.8.8", "dev", "v1", "scope", "link", "src", "10.0.1.1");
    ip(ns, "-6", "route", "add", "2001:db9::/64", "via", "2001:db8::2", "pref", "high", "expires", "300");
    ip(ns, "-6", "route", "add", "2001:dba::/48", "dev", "v1", "metric", "7", "hoplimit", "9");
    const v4 = await sameAsIp(ns, { family: "inet" }, ["route", "show"]);
    assert.ok(v4.every((r) => r.family === "inet" && r.table === "main"));
    assert.ok(v4.some((r) => r.dst === "8.8.8.8/32" && r.prefsrc === "10.0.1.1"));
    const v6 = await sameAsIp(ns, { family: "inet6" }, ["-6", "route", "show"]);
    assert.ok(v6.some((r) => r.dst === "2001:db9::/64" && r.pref === "high" && r.expires! > 290));
    await sameAsIp(ns, { table: "all" }, ["route", "show", "table", "all"]);
    const local = await listRoutes({ family: "inet", table: "local" }, { netns: ns });
    const ipLocal = (ipJson(ns, "route", "show", "table", "all") as Json[]).filter((r) =>
      r.table === "local" && !r.dst.includes(":")
    );
    assert.deepEqual(
      local.map((r) => routeToIpJson(r, new Map())).map((r) => r.dst).sort(),
      ipLocal.map((r) => r.dst).sort(),
    );
    assert.deepEqual(await listRoutes({ table: 4242 }, { netns: ns }), [], "a table that does not exist is empty");
  });
});

test("add, replace, append and delete, each seen in a fresh dump and by ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const opts = { netns: ns };
    const find = async (dst: string) => (await listRoutes({ family: "inet", dst }, opts));
    await addRoute({ dst: "192.0.2.0/24", gateway: "10.0.0.2", dev: "v0", metric: 10, protocol: "static" }, opts);
    let rs = await find("192.0.2.0/24");
    assert.equal(rs.length, 1);
    assert.equal(rs[0].gateway, "10.0.0.2");
    assert.equal(rs[0].protocol, "static");
    assert.equal(rs[0].metric, 10);
    await sameAsIp(ns, { family: "inet" }, ["route", "show"]);

    await assert.rejects(
      addRoute({ dst: "192.0.2.0/24", gateway: "10.0.0.2", metric: 10, protocol: "static" }, opts),
      (e: NetlinkError) => e instanceof NetlinkError && e.code === "EEXIST",
    );

    await replaceRoute({ dst: "192.0.2.0/24", gateway: "10.0.0.3", metric: 10 }, opts);
    rs = await find("192.0.2.0/24");
    assert.equal(rs.length, 1);
    assert.equal(rs[0].gateway, "10.0.0.3");
    assert.equal(rs[0].protocol, "boot");
    await sameAsIp(ns, { family: "inet" }, ["route", "show"]);

    await appendRoute({ dst: "192.0.2.0/24", gateway: "10.0.1.2", metric: 10 }, opts);
    rs = await find("192.0.2.0/24");
    assert.deepEqual(rs.map((r) => r.gateway), ["10.0.0.3", "10.0.1.2"]);
    await sameAsIp(ns, { family: "inet" }, ["route", "show"]);

    await deleteRoute({ dst: "192.0.2.0/24", gateway: "10.0.0.3", metric: 10 }, opts);
    rs = await find("192.0.2.0/24");
    assert.deepEqual(rs.map((r) => r.gateway), ["10.0.1.2"]);
    await sameAsIp(ns, { family: "inet" }, ["route", "show"]);

    await deleteRoute({ dst: "192.0.2.0/24" }, opts);
    assert.deepEqual(await find("192.0.2.0/24"), []);
    assert.deepEqual(ipJson(ns, "route", "show", "192.0.2.0/24"), []);
    await assert.rejects(
      deleteRoute({ dst: "192.0.2.0/24" }, opts),
      (e: NetlinkError) => e instanceof NetlinkError && e.code === "ESRCH",
    );

    // IPv6: add, then append a second path (the kernel merges it into a multipath route).
    await addRoute({ dst: "2001:db8:99::/48", gateway: "2001:db8::2", metric: 5, pref: "low" }, opts);
    await appendRoute({ dst: "2001:db8:99::/48", gateway: "2001:db8:1::2", dev: "v1", metric: 5 }, opts);
    const [v6] = await listRoutes({ family: "inet6", dst: "2001:db8:99::/48" }, opts);
    assert.deepEqual(v6.nexthops?.map((n) => n.gateway), ["2001:db8::2", "2001:db8:1::2"]);
    await sameAsIp(ns, { family: "inet6" }, ["-6", "route", "show"]);
    await deleteRoute({ dst: "2001:db8:99::/48" }, opts);
    await addRoute({ dst: "2001:db8:42::/48", gateway: "2001:db8::2", expires: 120, pref: "high", metric: 3 }, opts);
    const [ex] = await listRoutes({ family: "inet6", dst: "2001:db8:42::/48" }, opts);
    assert.ok(ex.expires! > 110 && ex.expires! <= 120, `expires ${ex.expires}`);
    assert.equal(ex.pref, "high");
    await sameAsIp(ns, { family: "inet6" }, ["-6", "route", "show"]);
  });
});

test("multipath routes with weights, onlink, metrics and RTA_VIA", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const opts = { netns: ns };
    await addRoute({
      dst: "198.51.100.0/24",
      nexthops: [
        { gateway: "10.0.0.2", dev: "v0", weight: 3 },
        { gateway: "10.9.9.9", dev: "v1", weight: 256, onlink: true },
      ],
    }, opts);
    const [mp] = await listRoutes({ family: "inet", dst: "198.51.100.0/24" }, opts);
    assert.equal(mp.nexthops?.length, 2);
    assert.deepEqual(mp.nexthops!.map((n) => [n.gateway, n.weight, n.flags]), [
      ["10.0.0.2", 3, []],
      ["10.9.9.9", 256, ["onlink"]],
    ]);
    await addRoute({
      dst: "203.0.113.0/24",
      gateway: "10.0.0.2",
      metrics: { mtu: 1400, lock: ["mtu"], advmss: 1300, initcwnd: 10, initrwnd: 20, rtt: 800, hoplimit: 33 },
    }, opts);
    const [m] = await listRoutes({ family: "inet", dst: "203.0.113.0/24" }, opts);
    assert.deepEqual(m.metrics, {
      lock: ["mtu"],
      mtu: 1400,
      rtt: 800,
      advmss: 1300,
      hoplimit: 33,
      initcwnd: 10,
      initrwnd: 20,
    });
    assert.match(
      ip(ns, "route", "show", "203.0.113.0/24"),
      /mtu lock 1400 rtt 100ms advmss 1300 hoplimit 33 initcwnd 10 initrwnd 20/,
    );
    await addRoute({ dst: "100.64.0.0/10", gateway: "2001:db8::2", dev: "v0" }, opts);
    const [v] = await listRoutes({ family: "inet", dst: "100.64.0.0/10" }, opts);
    assert.equal(v.via, "2001:db8::2");
    await addRoute({ dst: "10.77.0.1", gateway: "10.0.0.2", onlink: true, dev: "v1", scope: "universe" }, opts);
    const [o] = await listRoutes({ family: "inet", dst: "10.77.0.1/32" }, opts);
    assert.deepEqual(o.flags, ["onlink"]);
    await sameAsIp(ns, { family: "inet" }, ["route", "show"]);
  });
});

test("tables above 255, types and scopes", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const opts = { netns: ns };
    await addRoute({ dst: "192.0.2.0/24", dev: "v0", table: 100000, protocol: "bgp" }, opts);
    await addRoute({ dst: "198.18.0.0/15", type: "prohibit", table: 300 }, opts);
    await addRoute({ dst: "198.20.0.0/16", type: "throw", table: "main" }, opts);
    await addRoute({ dst: "2001:db8:7::/48", type: "unreachable", table: 100000 }, opts);
    const [big] = await listRoutes({ family: "inet", table: 100000 }, opts);
    assert.equal(big.table, 100000);
    assert.equal(big.protocol, "bgp");
    assert.equal(big.scope, "link", "a gateway-less unicast route gets scope link, as ip route add does");
    assert.equal((await listRoutes({ family: "inet6", table: 100000 }, opts))[0].type, "unreachable");
    assert.equal((await listRoutes({ table: 300 }, opts))[0].type, "prohibit");
    assert.ok(!(await listRoutes({}, opts)).some((r) => r.table !== "main"), "the default filter is the main table");
    await sameAsIp(ns, { table: "all" }, ["route", "show", "table", "all"]);
    await deleteRoute({ dst: "192.0.2.0/24", table: 100000 }, opts);
    assert.deepEqual(await listRoutes({ family: "inet", table: 100000 }, opts), []);
  });
});

test("the kernel filters dumps by table, protocol, type and device", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    ip(ns, "route", "add", "192.0.2.0/24", "via", "10.0.0.2", "proto", "static");
    ip(ns, "route", "add", "198.51.100.0/24", "via", "10.0.1.2", "proto", "static");
    ip(ns, "route", "add", "203.0.113.0/24", "via", "10.0.1.2", "table", "10");
    ip(ns, "route", "add", "blackhole", "5.0.0.0/8");
    ip(ns, "route", "add", "6.0.0.0/8", "nexthop", "via", "10.0.0.2", "nexthop", "via", "10.0.1.2");
    const n = await names({ netns: ns });
    const v1 = [...n].find(([, name]) => name === "v1")![0];
    // Without the userspace filter: what the kernel alone returned.
    const s = await openRouteSocket({ netns: ns });
    try {
      const raw = async (f: RouteFilter, oif?: number) => {
        const c = checkFilter(f);
        c.oif = oif;
        return (await s.dumpAll(dumpRequest(2, c), parseRouteMessage)).map((r) => r.dst).sort();
      };
      assert.deepEqual(await raw({ protocol: "static" }), ["192.0.2.0/24", "198.51.100.0/24"]);
      assert.deepEqual(await raw({ table: 10 }), ["203.0.113.0/24"]);
      assert.deepEqual(await raw({ type: "blackhole" }), ["5.0.0.0/8"]);
      assert.deepEqual(await raw({}, v1), ["10.0.1.0/24", "198.51.100.0/24", "6.0.0.0/8"]);
      assert.deepEqual(await raw({ table: "local" }, v1), ["10.0.1.1/32", "10.0.1.255/32"]);
      // Same filters through the public API, cross-checked with ip's own filters.
      const dsts = async (f: RouteFilter) =>
        (await listRoutes({ family: "inet", ...f }, { socket: s })).map((r) => r.dst);
      const ipDsts = (...args: string[]) =>
        (ipJson(ns, "route", "show", ...args) as Json[]).map((r) =>
          r.dst.includes("/") || r.dst === "default" ? r.dst : `${r.dst}/32`
        );
      assert.deepEqual(await dsts({ protocol: "static" }), ipDsts("proto", "static"));
      assert.deepEqual(await dsts({ table: 10 }), ipDsts("table", "10"));
      assert.deepEqual(await dsts({ type: "blackhole" }), ipDsts("type", "blackhole"));
      // The kernel (and nlkit) match a multipath route on any of its paths;
      // ip drops it again in userspace because it has no RTA_OIF of its own.
      assert.deepEqual(await dsts({ dev: "v1" }), ["6.0.0.0/8", ...ipDsts("dev", "v1")]);
      assert.deepEqual(await dsts({ scope: "link" }), ipDsts("scope", "link"));
      assert.deepEqual(await dsts({ protocol: "kernel", dev: "v0" }), ipDsts("proto", "kernel", "dev", "v0"));
      // Breaking out of a stream leaves the socket usable.
      for await (const _r of streamRoutes({ table: "all" }, { socket: s })) break;
      assert.equal((await listRoutes({ type: "blackhole" }, { socket: s })).length, 1);
      // A stream on its own socket can be left early, and ends for good.
      const own = streamRoutes({ table: "all" }, { netns: ns });
      assert.equal((await own.next()).done, false);
      assert.deepEqual(await own.return!(), { done: true, value: undefined });
      assert.equal((await own.next()).done, true);
    } finally {
      s.close();
    }
    await assert.rejects(listRoutes({ dev: "nosuchdev" }, { netns: ns }), /Unknown link: "nosuchdev"/);
  });
});

test("getRoute asks the kernel like ip route get", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    ip(ns, "route", "add", "192.168.0.0/16", "via", "10.0.0.2", "proto", "static", "metric", "5", "mtu", "1400");
    ip(ns, "-6", "route", "add", "2001:db9::/64", "via", "2001:db8::2");
    run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    const opts = { netns: ns };
    const n = await names(opts);
    const cases: [string, Parameters<typeof getRoute>[1], string[]][] = [
      ["192.168.1.1", {}, []],
      ["192.168.1.1", { mark: 7, uid: 1000 }, ["mark", "7", "uid", "1000"]],
      ["192.168.1.1", { fibMatch: true }, ["fibmatch"]],
      ["10.0.1.9", { oif: "v1" }, ["oif", "v1"]],
      ["10.0.0.1", {}, []],
      ["192.168.1.1", { src: "10.0.1.2", iif: "v1" }, ["from", "10.0.1.2", "iif", "v1"]],
      ["2001:db9::5", {}, []],
    ];
    for (const [dst, lookup, args] of cases) {
      const r = await getRoute(dst, lookup, opts);
      const [theirs] = ipJson(ns, "route", "get", dst, ...args);
      assert.deepEqual(routeToIpJson(r, n), theirs, `ip route get ${dst} ${args.join(" ")}`);
    }
    const hit = await getRoute("192.168.1.1", { lookupTable: true }, opts);
    assert.equal(hit.table, "main");
    assert.equal(hit.dev, "v0", "a lookup answer names its device");
    assert.equal(hit.gateway, "10.0.0.2");
    assert.equal(hit.oif, [...n].find(([, name]) => name === "v0")![0]);
    await assert.rejects(
      getRoute("203.0.113.1", {}, opts),
      (e: NetlinkError) => e instanceof NetlinkError && e.code === "ENETUNREACH",
    );
    await assert.rejects(getRoute("10.0.0.999", {}, opts), InvalidArgumentError);
    await assert.rejects(getRoute("10.0.0.1", { src: "2001:db8::1" }, opts), InvalidArgumentError);
    await assert.rejects(getRoute("10.0.0.1", { oif: "nosuchdev" }, opts), /Unknown link: "nosuchdev"/);
  });
});

test("bad input is refused before anything reaches the kernel", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const opts = { netns: ns };
    const before = ip(ns, "route", "show", "table", "all");
    await assert.rejects(addRoute({ dst: "192.0.2.0/24", dev: "nosuchdev" }, opts), /Unknown link: "nosuchdev"/);
    await assert.rejects(
      addRoute({ dst: "192.0.2.0/24", nexthops: [{ gateway: "10.0.0.2", dev: "v0" }, { dev: "ghost" }] }, opts),
      /Unknown link: "ghost"/,
    );
    await assert.rejects(addRoute({ dst: "192.0.2.0/33" }, opts), InvalidArgumentError);
    await assert.rejects(addRoute({ dst: "192.0.2.0/24", protocol: "martian" }, opts), /Unknown protocol: "martian"/);
    await assert.rejects(addRoute({ dst: "192.0.2.0/24", metrics: { mtu: -5 } }, opts), InvalidArgumentError);
    await assert.rejects(listRoutes({ table: "nosuch" }, opts), /Cannot use table "nosuch"/);
    assert.equal(ip(ns, "route", "show", "table", "all"), before);
    // The kernel's own refusals come back as NetlinkError with its message.
    await assert.rejects(
      addRoute({ dst: "192.0.2.0/24", gateway: "10.5.5.5" }, opts),
      (e: NetlinkError) => e instanceof NetlinkError && e.code === "ENETUNREACH",
    );
  });
});

/**
 * Routes of every table and family, as ip prints them, sorted (namespaces
 * differ in dump order). Link-local addresses come from random MACs, and
 * appear when IPv6 gets round to it: their routes are left out.
 */
function allRoutes(ns: string): string[] {
  return [...ipJson(ns, "-4", "route", "show", "table", "all"), ...ipJson(ns, "-6", "route", "show", "table", "all")]
    .filter((r: Json) => !r.dst.startsWith("fe80:"))
    .map((r: Json) => JSON.stringify(stable([r])[0])).sort();
}

/** The same routes, added by ip: static and bgp ones, tables 200 and 100000, multipath, IPv6, a second device. */
function flushFixture(ns: string): void {
  fixture(ns);
  const add = (...args: string[]) => ip(ns, ...args);
  add("route", "add", "192.0.2.0/24", "via", "10.0.0.2", "proto", "static");
  add("route", "add", "198.51.100.0/24", "dev", "v1", "proto", "static", "metric", "7");
  add("route", "add", "203.0.113.0/24", "via", "10.0.0.2", "proto", "bgp");
  add("route", "add", "203.0.113.0/25", "nexthop", "via", "10.0.0.2", "weight", "2", "nexthop", "via", "10.0.1.2");
  add("route", "add", "192.0.2.0/24", "via", "10.0.1.2", "table", "200");
  add("route", "add", "blackhole", "198.18.0.0/15", "table", "100000", "proto", "bgp");
  add("-6", "route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "proto", "static");
  add("-6", "route", "add", "2001:db8:6::/48", "dev", "v1", "proto", "bgp");
  add("-6", "route", "add", "2001:db8:7::/48", "nexthop", "via", "2001:db8::2", "nexthop", "via", "2001:db8:1::2");
  add("-6", "route", "add", "2001:db8:8::/48", "via", "2001:db8:1::2", "table", "200", "proto", "bgp");
}

test("flushRoutes removes what ip route flush removes, seen in a fresh dump", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ours) => {
    await withTempNetns(async (theirs) => {
      flushFixture(ours);
      flushFixture(theirs);
      const o = { netns: ours };
      assert.deepEqual(allRoutes(ours), allRoutes(theirs));
      const steps: [RouteFilter, string[][]][] = [
        [{ family: "inet", protocol: "static" }, [["-4", "route", "flush", "proto", "static"]]],
        // The kernel matches a multipath route on any path; ip then drops it (no RTA_OIF) and leaves it.
        [{ family: "inet6", dev: "v1" }, [["-6", "route", "flush", "dev", "v1"], [
          "-6",
          "route",
          "del",
          "2001:db8:7::/48",
        ]]],
        [{ table: "all", protocol: "bgp" }, [
          ["-4", "route", "flush", "table", "all", "proto", "bgp"],
          ["-6", "route", "flush", "table", "all", "proto", "bgp"],
        ]],
        [{ family: "inet", table: 200 }, [["-4", "route", "flush", "table", "200"]]],
        [{ family: "inet6", dst: "2001:db8:5::/48" }, [["-6", "route", "flush", "2001:db8:5::/48"]]],
      ];
      for (const [filter, cmds] of steps) {
        const before = allRoutes(ours).length;
        const n = await flushRoutes(filter, o);
        for (const cmd of cmds) ip(theirs, ...cmd);
        assert.deepEqual(allRoutes(ours), allRoutes(theirs), JSON.stringify(filter));
        assert.ok(n > 0 && allRoutes(ours).length < before, `${JSON.stringify(filter)} removed ${n}`);
        assert.deepEqual(await listRoutes(filter, o), [], `fresh dump after ${JSON.stringify(filter)}`);
      }
      assert.equal(await flushRoutes({ family: "inet", protocol: "static" }, o), 0, "nothing left to flush");
      // A flush on a caller's socket leaves it usable.
      await using s = await openRouteSocket(o);
      // 10.0.0.0/24 and the multipath 203.0.113.0/25.
      assert.equal(await flushRoutes({ family: "inet", table: "main", type: "unicast", dev: "v0" }, { socket: s }), 2);
      assert.deepEqual((await listRoutes({ family: "inet", dev: "v0" }, { socket: s })).length, 0);
      ip(theirs, "-4", "route", "flush", "table", "main", "type", "unicast", "dev", "v0");
      ip(theirs, "-4", "route", "del", "203.0.113.0/25"); // multipath, one path on v0: as above
      assert.deepEqual(allRoutes(ours), allRoutes(theirs));
    });
  });
});

test("deleteRouteRequest sends back the key of a listed route", () => {
  const r: Route = {
    family: "inet",
    dst: "10.1.0.0/16",
    tos: 0,
    table: 100000,
    protocol: "bgp",
    scope: "global",
    type: "unicast",
    flags: [],
    gateway: "10.0.0.2",
    oif: 3,
    metric: 20,
    prefsrc: "10.0.0.1",
  };
  const m = deleteRouteRequest(r);
  const back = parseRouteMessage({
    type: 25,
    flags: 0,
    seq: 0,
    pid: 0,
    buf: m,
    view: new DataView(m.buffer),
    start: 0,
    end: m.length,
  });
  assert.equal(new DataView(m.buffer).getUint16(4, true), 25); // RTM_DELROUTE
  assert.deepEqual(back, r, "the whole route goes back");
});

test("flushRoutes refuses a bad filter before anything is sent", async () => {
  const o = { netns: "nlkit-no-such-netns" };
  await assert.rejects(flushRoutes({ family: "ipx" as "inet" }, o), InvalidArgumentError);
  await assert.rejects(flushRoutes({ table: -1 }, o), InvalidArgumentError);
  await assert.rejects(flushRoutes({ protocol: "nope" }, o), InvalidArgumentError);
});
