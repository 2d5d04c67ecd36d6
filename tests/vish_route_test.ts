/**
 * vishvananda/netlink's route_test.go, ported to nlkit's library API: one
 * test per Go test (named in the comment above it), in fresh namespaces,
 * checked against `ip -j route` there. Every filter of Go's
 * `RouteListFiltered` masks is tried on a table where ignoring it would
 * select more.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addAddress,
  addNexthop,
  addRoute,
  addRule,
  appendRoute,
  changeLink,
  changeRoute,
  createLink,
  deleteRoute,
  flushRoutes,
  getLink,
  getRoute,
  listRoutes,
  replaceRoute,
  type Route,
  type RouteFilter,
  type RouteSpec,
  streamRoutes,
  subscribeRoute,
  watchRoute,
} from "../mod.ts";
import { ip, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { NEEDS_SEG6 } from "./_kernel.ts";
import { deadline } from "./_events.ts";

type Json = Record<string, unknown>;

/** Brings `lo` up and makes two up links `foo`/`bar` (a veth pair) in `ns`. */
async function links(ns: string): Promise<void> {
  await createLink({ name: "foo", kind: "veth", peer: { name: "bar" } }, { netns: ns });
  await changeLink("foo", { up: true }, { netns: ns });
  await changeLink("bar", { up: true }, { netns: ns });
}

const dsts = (rs: Route[]) => rs.map((r) => r.dst).sort();

// TestRouteAddDel
test("vish route: add, list, get, delete; default dev lo; blackhole and prohibit defaults", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await addRoute({ dst: "192.168.0.0/24", dev: "lo", prefsrc: "127.1.1.1" }, o);
    const mine = await listRoutes({ dev: "lo", family: "inet" }, o);
    assert.deepEqual(dsts(mine), ["192.168.0.0/24"]);
    assert.equal(mine[0].prefsrc, "127.1.1.1");
    assert.equal((await listRoutes({ family: "inet" }, o)).length, 1);
    assert.deepEqual(ipJson(ns, "-4", "route", "show").map((r: Json) => [r.dst, r.prefsrc]), [[
      "192.168.0.0/24",
      "127.1.1.1",
    ]]);
    const got = await getRoute("192.168.0.42", {}, o);
    assert.equal(got.dev, "lo");
    assert.equal(got.prefsrc, ipJson(ns, "route", "get", "192.168.0.42")[0].prefsrc);
    await deleteRoute(mine[0], o);
    assert.equal((await listRoutes({ dev: "lo", family: "inet" }, o)).length, 0);

    await addRoute({ dst: "default", dev: "lo" }, o);
    assert.deepEqual(dsts(await listRoutes({ dev: "lo", family: "inet" }, o)), ["default"]);
    await deleteRoute({ dst: "default", dev: "lo" }, o);
    assert.equal((await listRoutes({ dev: "lo", family: "inet" }, o)).length, 0);

    for (const type of ["blackhole", "prohibit"]) {
      await addRoute({ dst: "default", type, family: "inet" }, o);
      const [r, ...rest] = await listRoutes({ family: "inet" }, o);
      assert.equal(rest.length, 0);
      assert.deepEqual([r.dst, r.type], ["default", type]);
      assert.equal(ipJson(ns, "-4", "route", "show")[0].type, type);
      await deleteRoute({ dst: "default", type, family: "inet" }, o);
      assert.equal((await listRoutes({ family: "inet" }, o)).length, 0);
    }
  });
});

// TestRouteUnreachableEmptyDst
test("vish route: unreachable, blackhole, prohibit defaults in table 100", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    for (const type of ["unreachable", "blackhole", "prohibit"]) {
      const spec: RouteSpec = { dst: "default", family: "inet", table: 100, metric: 100, type, scope: "global" };
      await addRoute(spec, o);
      const rs = await listRoutes({ family: "inet", table: 100 }, o);
      assert.deepEqual(rs.map((r) => [r.type, r.metric]), [[type, 100]]);
      assert.equal(ipJson(ns, "-4", "route", "show", "table", "100")[0].type, type);
      await deleteRoute(spec, o);
    }
  });
});

// TestRoute6AddDel
test("vish route: IPv6 add, get, delete; gateway, default, blackhole", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await links(ns);
    await addAddress("foo", "2001:db8::1/64", { flags: ["nodad"] }, o);
    await addRoute({ dst: "2001:db8:1::/64", dev: "foo" }, o);
    await addRoute({ dst: "2001:db8:2::/64", gateway: "2001:db8::2", dev: "foo" }, o);
    await addRoute({ dst: "default", family: "inet6", gateway: "2001:db8::3", dev: "foo" }, o);
    await addRoute({ dst: "2001:db8:3::/64", type: "blackhole" }, o);
    const rs = (await listRoutes({ family: "inet6" }, o)).filter((r) => !r.dst.startsWith("fe80"));
    const want = ipJson(ns, "-6", "route", "show").filter((r: Json) => !String(r.dst).startsWith("fe80"));
    assert.deepEqual(
      rs.map((r) => [r.dst, r.gateway, r.dev, r.type]),
      want.map((r: Json) => [
        r.dst,
        r.gateway,
        r.dev,
        r.type ?? "unicast",
      ]),
    );
    assert.equal((await getRoute("2001:db8:2::5", {}, o)).gateway, "2001:db8::2");
    assert.equal((await getRoute("2001:db8:9::5", {}, o)).gateway, "2001:db8::3");
    for (const r of rs.filter((x) => x.dst !== "2001:db8::/64")) await deleteRoute(r, o);
    assert.deepEqual(dsts((await listRoutes({ family: "inet6" }, o)).filter((r) => !r.dst.startsWith("fe80"))), [
      "2001:db8::/64",
    ]);
  });
});

// TestRouteChange, TestRouteReplace, TestRouteAppend
test("vish route: change, replace and append a route's preferred source", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const r = (src: string): RouteSpec => ({ dst: "192.168.0.0/24", dev: "lo", prefsrc: src });
    const srcs = async () => (await listRoutes({ dev: "lo", family: "inet" }, o)).map((x) => x.prefsrc);
    // Change: fails when there is no such route, then changes it.
    await assert.rejects(changeRoute(r("127.1.1.1"), o), { name: "NotFoundError", code: "ENOENT" });
    await addRoute(r("127.1.1.1"), o);
    await changeRoute(r("127.1.1.2"), o);
    assert.deepEqual(await srcs(), ["127.1.1.2"]);
    await deleteRoute(r("127.1.1.2"), o);
    // Replace: adds, then replaces.
    await replaceRoute(r("127.1.1.1"), o);
    await replaceRoute(r("127.1.1.2"), o);
    assert.deepEqual(await srcs(), ["127.1.1.2"]);
    await deleteRoute(r("127.1.1.2"), o);
    // Append: a second route.
    await addRoute(r("127.1.1.1"), o);
    await appendRoute(r("127.1.1.2"), o);
    assert.deepEqual(await srcs(), ["127.1.1.1", "127.1.1.2"]);
    assert.deepEqual(ipJson(ns, "-4", "route", "show").map((x: Json) => x.prefsrc), ["127.1.1.1", "127.1.1.2"]);
    await deleteRoute(r("127.1.1.1"), o);
    await deleteRoute(r("127.1.1.2"), o);
    assert.deepEqual(await srcs(), []);
  });
});

// TestRouteAddIncomplete
test("vish route: a route without a destination is refused", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    // deno-lint-ignore no-explicit-any
    await assert.rejects(addRoute({ dev: "lo" } as any, { netns: ns }), { name: "InvalidArgumentError" });
    assert.equal((await listRoutes({ family: "inet" }, { netns: ns })).length, 0);
  });
});

// TestRouteSubscribe, TestRouteSubscribeWithOptions, TestRouteSubscribeAt
test("vish route: subscribe in a namespace sees the add and the delete", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const events = await subscribeRoute(["route"], o);
    const timer = deadline(events);
    try {
      await addRoute({ dst: "192.168.0.0/24", dev: "lo", prefsrc: "127.1.1.1" }, o);
      await deleteRoute({ dst: "192.168.0.0/24", dev: "lo" }, o);
      const seen: string[] = [];
      for await (const ev of events) {
        if (ev.type === "overrun" || ev.kind !== "route" || ev.object.dst !== "192.168.0.0/24") continue;
        seen.push(`${ev.type} ${ev.object.dev} ${ev.object.prefsrc}`);
        if (ev.type === "del") break;
      }
      assert.deepEqual(seen, ["new lo 127.1.1.1", "del lo 127.1.1.1"]);
    } finally {
      timer.clear();
      events.close();
    }
  });
});

// TestRouteSubscribeListExisting
test("vish route: watch lists the existing routes, then follows", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await addRoute({ dst: "192.168.0.0/24", dev: "lo" }, o);
    const events = await watchRoute(["ipv4-route"], o);
    const timer = deadline(events);
    const existing: string[] = [];
    try {
      for await (const ev of events) {
        if (ev.type === "synced") {
          await addRoute({ dst: "192.168.1.0/24", dev: "lo" }, o);
          continue;
        }
        if (ev.type === "overrun" || ev.kind !== "route") continue;
        if (ev.existing) existing.push(`${ev.object.table} ${ev.object.dst}`);
        else if (ev.object.dst === "192.168.1.0/24") break;
      }
      assert.ok(existing.includes("main 192.168.0.0/24"), existing.join());
      assert.ok(existing.includes("local 127.0.0.1/32"), existing.join());
    } finally {
      timer.clear();
      events.close();
    }
  });
});

// TestRouteFilterAllTables, TestRouteExtraFields
test("vish route: extra fields, across all tables, each filter narrowing", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const base = {
      dst: "1.1.1.1/32",
      dev: "lo",
      prefsrc: "127.3.3.3",
      scope: "link",
      metric: 13,
      type: "unicast",
      tos: 12,
      metrics: { hoplimit: 100 },
      flow: 328,
    } as const;
    for (const table of [1000, 1001, 1002]) await addRoute({ ...base, table }, o);
    await addRoute({ ...base, table: "main", flow: 239 }, o);
    const [main] = await listRoutes({ dst: "1.1.1.1/32" }, o);
    assert.deepEqual(
      [main.scope, main.metric, main.table, main.type, main.tos, main.metrics?.hoplimit, main.flow],
      ["link", 13, "main", "unicast", 12, 100, 239],
    );
    const ipMain = ipJson(ns, "route", "show", "1.1.1.1/32")[0];
    assert.deepEqual([ipMain.metric, ipMain.tos, ipMain.flow], [13, "0x0c", { to: "239" }]);
    // RT_FILTER_DST|SRC|SCOPE|TABLE(unspec)|TYPE|TOS|HOPLIMIT|REALM
    const filter: RouteFilter = {
      table: "all",
      dst: "1.1.1.1/32",
      prefsrc: "127.3.3.3",
      scope: "link",
      type: "unicast",
      tos: 12,
      hoplimit: 100,
      realms: 328,
    };
    const all = await listRoutes(filter, o);
    assert.deepEqual(all.map((r) => r.table).sort(), [1000, 1001, 1002]);
    for (const r of all) assert.deepEqual([r.metric, r.metrics?.hoplimit, r.flow], [13, 100, 328]);
    // Each filter on a table where a route differs from the others in that field alone.
    await addRoute({ ...base, table: 1003, dst: "1.1.1.2/32", prefsrc: "127.3.3.4" }, o);
    await addRoute({ ...base, table: 1003, dst: "1.1.1.3/32", scope: "global" }, o);
    await addRoute({ ...base, table: 1003, dst: "1.1.1.4/32", tos: 16 }, o);
    await addRoute({ ...base, table: 1003, dst: "1.1.1.5/32", metrics: { hoplimit: 50 } }, o);
    await addRoute({ ...base, table: 1003, dst: "1.1.1.6/32", flow: 5 }, o);
    await addRoute({ ...base, table: 1003, dst: "1.1.1.7/32", metric: 14 }, o);
    await addRoute({ ...base, table: 1003, dst: "1.1.1.8/32", protocol: "static" }, o);
    await addRoute(
      { ...base, table: 1003, dst: "1.1.1.9/32", type: "blackhole", dev: undefined, prefsrc: undefined },
      o,
    );
    await addRoute({ ...base, table: 1003, dst: "1.1.1.1/32" }, o);
    const t1003 = await listRoutes({ table: 1003 }, o);
    assert.equal(t1003.length, 9);
    const cases: [RouteFilter, string[]][] = [
      [{ prefsrc: "127.3.3.4" }, ["1.1.1.2/32"]],
      [{ scope: "global" }, ["1.1.1.3/32"]],
      [{ tos: 16 }, ["1.1.1.4/32"]],
      [{ hoplimit: 50 }, ["1.1.1.5/32"]],
      [{ realms: 5 }, ["1.1.1.6/32"]],
      [{ metric: 14 }, ["1.1.1.7/32"]],
      [{ protocol: "static" }, ["1.1.1.8/32"]],
      [{ type: "blackhole" }, ["1.1.1.9/32"]],
      [{ dst: "1.1.1.1/32" }, ["1.1.1.1/32"]],
      [
        { dev: "lo", tos: 12, scope: "link" },
        t1003.filter((r) => r.dev === "lo" && r.tos === 12 && r.scope === "link")
          .map((r) => r.dst),
      ],
    ];
    for (const [f, want] of cases) {
      assert.ok(want.length < t1003.length);
      assert.deepEqual(dsts(await listRoutes({ table: 1003, ...f }, o)), want.sort(), JSON.stringify(f));
    }
    // ip agrees where it has the same selector.
    const ipSel = (...w: string[]) =>
      ipJson(ns, "route", "show", "table", "1003", ...w).map((r: Json) => `${r.dst}/32`).sort();
    assert.deepEqual(ipSel("src", "127.3.3.4"), ["1.1.1.2/32"]);
    assert.deepEqual(ipSel("scope", "global"), ["1.1.1.3/32"]);
    assert.deepEqual(ipSel("tos", "0x10"), ["1.1.1.4/32"]); // ip reads the field in hex
    assert.deepEqual(ipSel("realms", "5"), ["1.1.1.6/32"]);
    assert.deepEqual(ipSel("metric", "14"), ["1.1.1.7/32"]);
    assert.deepEqual(ipSel("proto", "static"), ["1.1.1.8/32"]);
    assert.deepEqual(ipSel("type", "blackhole"), ["1.1.1.9/32"]);
    await assert.rejects(listRoutes({ hoplimit: 256 }, o), { name: "InvalidArgumentError" });
  });
});

// TestRouteFilterByFamily
test("vish route: filter by family in table 999", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await addRoute({ dst: "2.2.0.0/24", dev: "lo", table: 999 }, o);
    await addRoute({ dst: "2001:db9::/64", dev: "lo", table: 999 }, o);
    assert.equal((await listRoutes({ table: 999 }, o)).length, 2);
    assert.equal((await listRoutes({ table: 999, family: "all" }, o)).length, 2);
    assert.deepEqual(dsts(await listRoutes({ table: 999, family: "inet" }, o)), ["2.2.0.0/24"]);
    assert.deepEqual(dsts(await listRoutes({ table: 999, family: "inet6" }, o)), ["2001:db9::/64"]);
    assert.deepEqual(ipJson(ns, "-6", "route", "show", "table", "999").map((r: Json) => r.dst), ["2001:db9::/64"]);
    // Go lists nothing for family 99; nlkit refuses it before anything is sent.
    await assert.rejects(listRoutes({ table: 999, family: 99 }, o), { name: "InvalidArgumentError" });
  });
});

// TestRouteFilterIterCanStop
test("vish route: a stream stopped early leaves the namespace usable", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    for (let i = 0; i < 3; i++) await addRoute({ dst: `1.1.1.${i}/32`, dev: "lo", table: 1000 }, o);
    const seen: string[] = [];
    for await (const r of streamRoutes({ table: 1000 }, o)) {
      seen.push(r.dst);
      if (seen.length === 2) break;
    }
    assert.equal(seen.length, 2);
    assert.equal((await listRoutes({ table: 1000 }, o)).length, 3);
  });
});

// TestRouteMultiPath
test("vish route: multipath with weights", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await links(ns);
    await addAddress("foo", "10.0.0.1/24", {}, o);
    await addAddress("bar", "10.0.1.1/24", {}, o);
    await addRoute({ dst: "192.168.0.0/24", nexthops: [{ dev: "lo" }, { dev: "lo" }] }, o);
    await addRoute({
      dst: "192.168.1.0/24",
      nexthops: [{ gateway: "10.0.0.2", dev: "foo", weight: 3 }, { gateway: "10.0.1.2", dev: "bar", weight: 1 }],
    }, o);
    const [a] = await listRoutes({ dst: "192.168.0.0/24" }, o);
    assert.equal(a.nexthops?.length, 2);
    const [b] = await listRoutes({ dst: "192.168.1.0/24" }, o);
    assert.deepEqual(b.nexthops?.map((n) => [n.gateway, n.dev, n.weight]), [["10.0.0.2", "foo", 3], [
      "10.0.1.2",
      "bar",
      1,
    ]]);
    const ipb = ipJson(ns, "route", "show", "192.168.1.0/24")[0].nexthops as Json[];
    assert.deepEqual(ipb.map((n) => [n.gateway, n.dev, n.weight]), [["10.0.0.2", "foo", 3], ["10.0.1.2", "bar", 1]]);
    // A multipath route filtered by device matches on any path.
    assert.deepEqual(dsts(await listRoutes({ dev: "bar", family: "inet" }, o)), ["10.0.1.0/24", "192.168.1.0/24"]);
  });
});

// TestRouteIifOption
test("vish route: get with src and iif (by name and by index) as forwarded traffic", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) =>
    withTempNetns(async (peer) => {
      const o = { netns: ns };
      await createLink({ name: "veth1", kind: "veth", peer: { name: "veth2", netns: peer } }, o);
      await changeLink("veth1", { up: true }, o);
      await changeLink("veth2", { up: true }, { netns: peer });
      await addAddress("veth1", "2.2.2.3/24", {}, o);
      await addAddress("veth2", "2.2.2.4/24", {}, { netns: peer });
      await addRoute({ dst: "default", gateway: "2.2.2.3" }, { netns: peer });
      await createLink({ name: "up0", kind: "veth", peer: { name: "up1" } }, o);
      await changeLink("up0", { up: true }, o);
      await addAddress("up0", "10.0.0.1/24", {}, o);
      await addRoute({ dst: "default", gateway: "10.0.0.2" }, o);
      run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      const plain = await getRoute("8.8.8.8", {}, o);
      const ve1 = await getLink("veth1", o);
      for (const iif of ["veth1", ve1.index]) {
        const r = await getRoute("8.8.8.8", { src: "2.2.2.4", iif }, o);
        assert.deepEqual([r.gateway, r.oif, r.iif], [plain.gateway, plain.oif, ve1.index]);
      }
      const ipr = ipJson(ns, "route", "get", "8.8.8.8", "from", "2.2.2.4", "iif", "veth1")[0];
      assert.deepEqual([ipr.gateway, ipr.dev], [plain.gateway, "up0"]);
    })
  );
});

// TestRouteOifOption
test("vish route: get with oif by name and by index picks that path", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await links(ns);
    await addAddress("foo", "192.168.1.1/24", {}, o);
    await addAddress("bar", "192.168.2.1/24", {}, o);
    await addRoute({
      dst: "default",
      nexthops: [{ dev: "foo", gateway: "192.168.1.254" }, { dev: "bar", gateway: "192.168.2.254" }],
    }, o);
    for (const [dev, gw] of [["foo", "192.168.1.254"], ["bar", "192.168.2.254"]]) {
      const idx = (await getLink(dev, o)).index;
      for (const oif of [dev, idx]) {
        const r = await getRoute("10.1.1.1", { oif }, o);
        assert.deepEqual([r.oif, r.gateway], [idx, gw]);
      }
      assert.equal(ipJson(ns, "route", "get", "10.1.1.1", "oif", dev)[0].gateway, gw);
    }
  });
});

// TestFilterDefaultRoute
test("vish route: the dst filter tells the default route from the others", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await addAddress("lo", "127.0.0.2/24", {}, o);
    await addRoute({ dst: "default", gateway: "127.0.0.2" }, o);
    await addRoute({ dst: "192.168.0.0/24", gateway: "127.0.0.2" }, o);
    for (const dst of ["default", "192.168.0.0/24"]) {
      const rs = await listRoutes({ family: "inet", dst }, o);
      assert.deepEqual(rs.map((r) => [r.dst, r.gateway]), [[dst, "127.0.0.2"]]);
    }
    assert.equal((await listRoutes({ family: "inet" }, o)).length, 2);
  });
});

// TestMPLSRouteAddDel: this kernel has no MPLS (ip's refusal and nlkit's agree).
test("vish route: MPLS routes and encap are refused by this kernel", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    assert.throws(() => ip(ns, "-f", "mpls", "route", "add", "100", "dev", "lo"), /not supported/);
    await assert.rejects(addRoute({ dst: "100", family: "mpls", dev: "lo" }, { netns: ns }));
  });
});

// TestSEG6RouteAddDel, TestSEG6LocalRoute6AddDel
test("vish route: seg6 encap and seg6local End routes, as ip shows them", { skip: NEEDS_SEG6 }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await links(ns);
    await addRoute({
      dst: "2001:db8:9::/64",
      dev: "foo",
      encap: { type: "seg6", mode: "encap", segs: ["2001:db8::1", "2001:db8::2"] },
    }, o);
    await addRoute({ dst: "2001:db8:8::/64", dev: "foo", encap: { type: "seg6local", action: "End" } }, o);
    const [s] = await listRoutes({ dst: "2001:db8:9::/64" }, o);
    assert.deepEqual(s.encap, { type: "seg6", mode: "encap", segs: ["2001:db8::1", "2001:db8::2"] });
    const [l] = await listRoutes({ dst: "2001:db8:8::/64" }, o);
    assert.deepEqual([l.encap?.type, (l.encap as { action: string }).action], ["seg6local", "End"]);
    const ip6 = ipJson(ns, "-6", "route", "show", "dev", "foo");
    const is = ip6.find((r: Json) => r.dst === "2001:db8:9::/64");
    assert.deepEqual([is.encap, is.mode, is.segs], ["seg6", "encap", ["2001:db8::1", "2001:db8::2"]]);
    assert.equal(ip6.find((r: Json) => r.dst === "2001:db8:8::/64").action, "End");
    await deleteRoute(s, o);
    await deleteRoute(l, o);
    assert.equal((await listRoutes({ dst: "2001:db8:9::/64" }, o)).length, 0);
  });
});

// TestMTURouteAddDel, TestMTULockRouteAddDel, TestRtoMinLockRouteAddDel
test("vish route: MTU, MTU lock and rto_min lock metrics", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await addRoute({ dst: "192.168.0.0/24", dev: "lo", metrics: { mtu: 500 } }, o);
    await addRoute({ dst: "192.168.1.0/24", dev: "lo", metrics: { mtu: 500, lock: ["mtu"] } }, o);
    await addRoute({ dst: "192.168.2.0/24", dev: "lo", metrics: { rtoMin: 40, lock: ["rto_min"] } }, o);
    const m = async (dst: string) => (await listRoutes({ dst }, o))[0].metrics;
    assert.deepEqual(await m("192.168.0.0/24"), { mtu: 500 });
    assert.deepEqual(await m("192.168.1.0/24"), { lock: ["mtu"], mtu: 500 });
    assert.deepEqual(await m("192.168.2.0/24"), { lock: ["rto_min"], rtoMin: 40 });
    const text = ip(ns, "route", "show");
    assert.match(text, /192\.168\.1\.0\/24 dev lo scope link mtu lock 500/);
    assert.match(text, /192\.168\.2\.0\/24 dev lo scope link rto_min lock 40ms/);
    for (const dst of ["192.168.0.0/24", "192.168.1.0/24", "192.168.2.0/24"]) await deleteRoute({ dst, dev: "lo" }, o);
    assert.equal((await listRoutes({ family: "inet" }, o)).length, 0);
  });
});

// TestRouteViaAddDel, TestRouteMultiPathViaIPv4Mapped
test("vish route: IPv4 route via an IPv6 gateway; multipath via IPv4 onlink", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await links(ns);
    await addAddress("foo", "2001:db8::1/64", { flags: ["nodad"] }, o);
    await addRoute({ dst: "192.168.0.0/24", nexthops: [{ dev: "foo", via: "2001:db8::2" }] }, o);
    const [r] = await listRoutes({ dst: "192.168.0.0/24" }, o);
    assert.equal(r.via ?? r.nexthops?.[0].via, "2001:db8::2");
    const ipr = ipJson(ns, "route", "show", "192.168.0.0/24")[0];
    assert.deepEqual(ipr.via, { family: "inet6", host: "2001:db8::2" });
    await deleteRoute(r, o);
    assert.equal((await listRoutes({ dst: "192.168.0.0/24" }, o)).length, 0);

    await addRoute({
      dst: "192.168.1.0/24",
      nexthops: [{ dev: "foo", via: "1.1.1.1", onlink: true }, { dev: "bar", via: "1.1.1.2", onlink: true }],
    }, o);
    const [m] = await listRoutes({ dst: "192.168.1.0/24" }, o);
    assert.deepEqual(m.nexthops?.map((n) => [n.gateway ?? n.via, n.flags.includes("onlink")]), [["1.1.1.1", true], [
      "1.1.1.2",
      true,
    ]]);
    await deleteRoute(m, o);
    assert.equal((await listRoutes({ dst: "192.168.1.0/24" }, o)).length, 0);
  });
});

// TestRouteUIDOption, TestRouteFWMarkOption
test("vish route: get with uid and with mark follows the rules that select them", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await links(ns);
    await addAddress("foo", "192.168.1.1/24", {}, o);
    await addAddress("bar", "192.168.2.1/24", {}, o);
    await addRoute({ dst: "default", gateway: "192.168.1.254" }, o);
    await addRoute({ dst: "default", gateway: "192.168.2.254", table: 100 }, o);
    await addRoute({ dst: "default", gateway: "192.168.2.253", table: 101 }, o);
    await addRule({ priority: 100, uidRange: { start: 1000, end: 1000 }, table: 100 }, o);
    await addRule({ priority: 101, fwmark: 0x1234, table: 101 }, o);
    assert.equal((await getRoute("10.1.1.1", {}, o)).gateway, "192.168.1.254");
    const u = await getRoute("10.1.1.1", { uid: 1000 }, o);
    assert.deepEqual([u.gateway, u.uid], ["192.168.2.254", 1000]);
    assert.equal((await getRoute("10.1.1.1", { uid: 1001 }, o)).gateway, "192.168.1.254");
    assert.equal(ipJson(ns, "route", "get", "10.1.1.1", "uid", "1000")[0].gateway, "192.168.2.254");
    const mk = await getRoute("10.1.1.1", { mark: 0x1234 }, o);
    assert.deepEqual([mk.gateway, mk.mark], ["192.168.2.253", 0x1234]);
    assert.equal((await getRoute("10.1.1.1", { mark: 0x1235 }, o)).gateway, "192.168.1.254");
    assert.equal(ipJson(ns, "route", "get", "10.1.1.1", "mark", "0x1234")[0].gateway, "192.168.2.253");
  });
});

// TestRouteGetFIBMatchOption
test("vish route: get with fibmatch returns the matching entry", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await links(ns);
    await addAddress("foo", "192.168.1.1/24", {}, o);
    await addRoute({ dst: "192.168.0.0/16", gateway: "192.168.1.254", metric: 7 }, o);
    const r = await getRoute("192.168.10.1", { fibMatch: true }, o);
    assert.deepEqual([r.dst, r.gateway, r.metric], ["192.168.0.0/16", "192.168.1.254", 7]);
    const plain = await getRoute("192.168.10.1", {}, o);
    assert.equal(plain.dst, "192.168.10.1/32");
    assert.equal(ipJson(ns, "route", "get", "fibmatch", "192.168.10.1")[0].dst, "192.168.0.0/16");
  });
});

// TestRouteNHID
test("vish route: a route through a nexthop object lists its id", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await links(ns);
    await addAddress("foo", "192.168.1.1/24", {}, o);
    await addNexthop({ id: 1, gateway: "192.168.1.254", dev: "foo" }, o);
    await addRoute({ dst: "10.9.0.0/24", nhid: 1 }, o);
    const [r] = await listRoutes({ dst: "10.9.0.0/24" }, o);
    assert.deepEqual([r.nhid, r.gateway, r.dev], [1, "192.168.1.254", "foo"]);
    assert.equal(ipJson(ns, "route", "show", "10.9.0.0/24")[0].nhid, 1);
    // The listed route (with the nexthop's gateway and device) passes back as it is, for replace and delete.
    await replaceRoute({ ...r, metric: 5 }, o);
    assert.equal((await listRoutes({ dst: "10.9.0.0/24" }, o)).length, 2);
    await deleteRoute({ ...r, metric: 5 }, o);
    // A path that is not the nexthop's is refused, not dropped.
    await assert.rejects(addRoute({ dst: "10.9.1.0/24", nhid: 1, gateway: "192.168.1.253" }, o), {
      name: "InvalidArgumentError",
      message: /Cannot use gateway 192\.168\.1\.253 with nhid 1/,
    });
    await assert.rejects(addRoute({ dst: "10.9.1.0/24", nhid: 1, dev: "bar" }, o), { name: "InvalidArgumentError" });
    assert.equal(await flushRoutes({ dst: "10.9.0.0/24" }, o), 1);
    await addRoute({ dst: "10.9.0.0/24", nhid: 1 }, o);
    await deleteRoute(r, o);
    assert.equal((await listRoutes({ dst: "10.9.0.0/24" }, o)).length, 0);
  });
});
