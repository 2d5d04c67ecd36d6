/**
 * One model: every listed route, rule, neighbour, FDB entry and nexthop goes
 * back, as it is, into the matching delete and replace (or add) call, in a
 * throwaway namespace: list → delete → gone, and list → replace → the same
 * listing. Also checks the model's shared conventions (family names, link
 * names next to ifindexes, one CIDR string per prefix, tables by name).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { changeRoute, deleteRoute, getRoute, listRoutes, replaceRoute } from "../src/route/route/api.ts";
import type { Route } from "../src/route/route/table.ts";
import { addRule, deleteRule, listRules } from "../src/route/rule/api.ts";
import type { Rule } from "../src/route/rule/parse.ts";
import {
  changeNeighbour,
  deleteNeighbour,
  getNeighbour,
  listFdb,
  listNeighbours,
  replaceNeighbour,
} from "../src/route/neigh/api.ts";
import { deleteFdb, replaceFdb } from "../src/route/neigh/fdb.ts";
import type { Neighbour } from "../src/route/neigh/table.ts";
import { deleteNexthop, getNexthop, listNexthops, replaceNexthop } from "../src/route/nexthop/api.ts";
import { ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { NEEDS_SEG6 } from "./_kernel.ts";

/** Two veth pairs with IPv4 and IPv6 addresses (v0 10.0.0.1/24, v1 10.0.1.1/24), a bridge br0 with port d0. */
function fixture(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "p0");
  ip(ns, "link", "add", "v1", "type", "veth", "peer", "name", "p1");
  ip(ns, "link", "add", "br0", "type", "bridge");
  ip(ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
  ip(ns, "link", "set", "d0", "master", "br0");
  for (const dev of ["v0", "p0", "v1", "p1", "br0", "d0", "d1"]) ip(ns, "link", "set", dev, "up");
  ip(ns, "addr", "add", "10.0.0.1/24", "dev", "v0");
  ip(ns, "addr", "add", "10.0.1.1/24", "dev", "v1");
  ip(ns, "-6", "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
  ip(ns, "-6", "addr", "add", "2001:db8:1::1/64", "dev", "v1", "nodad");
}

/** Drops what changes with time (ages, countdowns) so two listings of one state compare equal. */
function still<T extends object>(list: T[]): object[] {
  return list.map((o) => {
    const { cacheinfo: _c, expires: _e, probes: _p, ...rest } = o as Record<string, unknown>;
    return rest;
  });
}

test("routes: each listed route goes back into replaceRoute unchanged and into deleteRoute", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const o = { netns: ns };
    ip(
      ns,
      "route",
      "add",
      "192.168.0.0/16",
      "via",
      "10.0.0.2",
      "proto",
      "static",
      "metric",
      "5",
      "mtu",
      "lock",
      "1400",
    );
    ip(
      ns,
      "route",
      "add",
      "198.51.100.0/24",
      "nexthop",
      "via",
      "10.0.0.2",
      "weight",
      "3",
      "nexthop",
      "via",
      "10.0.1.2",
    );
    ip(ns, "route", "add", "10.62.0.0/24", "dev", "v0", "realms", "3/5");
    ip(ns, "route", "add", "10.77.0.1", "via", "10.99.0.1", "dev", "v0", "onlink");
    ip(ns, "route", "add", "blackhole", "203.0.113.0/24", "table", "100");
    ip(ns, "route", "add", "7.0.0.0/8", "via", "inet6", "2001:db8::2", "dev", "v0");
    if (!NEEDS_SEG6) {
      // SRv6 routes, where the kernel has them.
      ip(
        ns,
        "-6",
        "route",
        "add",
        "2001:db8:70::/64",
        "encap",
        "seg6",
        "mode",
        "encap",
        "segs",
        "2001:db8::10",
        "dev",
        "v0",
      );
      ip(ns, "-6", "route", "add", "2001:db8:71::1/128", "encap", "seg6local", "action", "End", "dev", "v0");
    }
    ip(ns, "-6", "route", "add", "2001:db9::/64", "from", "2001:db8:5::/64", "via", "2001:db8::2", "pref", "high");
    ip(ns, "-6", "route", "add", "2001:dba::/48", "nexthop", "via", "2001:db8::2", "nexthop", "via", "2001:db8:1::2");
    const filter = { table: "all" } as const;
    const mine = (r: Route) => r.table !== "local" && r.protocol !== "kernel";
    const before = (await listRoutes(filter, o)).filter(mine);
    assert.ok(before.length >= (NEEDS_SEG6 ? 8 : 10), `${before.length} routes`);
    // The model: names for families and tables, devices by index and name, one CIDR per prefix.
    const mp = before.find((r) => r.dst === "198.51.100.0/24")!;
    assert.equal(mp.family, "inet");
    assert.deepEqual(mp.nexthops!.map((n) => [n.dev, n.weight]), [["v0", 3], ["v1", 1]]);
    const bh = before.find((r) => r.dst === "203.0.113.0/24")!;
    assert.equal(bh.table, 100);
    const ss = before.find((r) => r.dst === "2001:db9::/64")!;
    assert.deepEqual([ss.family, ss.src, ss.table, ss.dev], ["inet6", "2001:db8:5::/64", "main", "v0"]);
    assert.equal(typeof ss.oif, "number");
    for (const r of before) await replaceRoute(r, o);
    assert.deepEqual(still((await listRoutes(filter, o)).filter(mine)), still(before), "replace keeps every route");
    for (const r of before) {
      await deleteRoute(r, o);
      const left = (await listRoutes(filter, o)).filter((x) => x.dst === r.dst && x.table === r.table);
      assert.deepEqual(left, [], `${r.dst} is gone`);
    }
    // A lookup answer names its device too, and its lookup-only fields go back as output-only.
    ip(ns, "route", "add", "192.0.2.0/24", "via", "10.0.0.2");
    const hit = await getRoute("192.0.2.9", { mark: 7 }, o);
    assert.deepEqual([hit.dev, hit.mark], ["v0", 7]);
  });
});

test("rules: every selector kind goes back into deleteRule and addRule as listed", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const o = { netns: ns };
    const lines = [
      ["pref", "100", "from", "10.8.0.0/16", "to", "10.9.0.0/24", "table", "100"],
      ["pref", "101", "not", "from", "10.1.2.3", "lookup", "main"],
      ["pref", "102", "tos", "0x10", "fwmark", "0x5/0xff", "table", "102"],
      ["pref", "103", "iif", "v0", "oif", "v1", "table", "103"],
      ["pref", "104", "uidrange", "1000-2000", "ipproto", "tcp", "sport", "1000-2000", "dport", "443", "table", "104"],
      ["pref", "105", "goto", "110"],
      ["pref", "106", "table", "main", "suppress_prefixlength", "0"],
      ["pref", "107", "table", "main", "suppress_ifgroup", "5"],
      ["pref", "108", "realms", "3/4", "table", "108"],
      ["pref", "109", "tun_id", "42", "table", "109"],
      ["pref", "110", "nop", "proto", "static"],
      ["pref", "111", "prohibit", "iif", "nosuchdev"],
      ["pref", "113", "fwmark", "7", "table", "70000"],
    ];
    for (const l of lines) ip(ns, "rule", "add", ...l);
    ip(ns, "-6", "rule", "add", "pref", "120", "from", "2001:db8::/32", "ipproto", "udp", "table", "120");
    await addRule({ priority: 112, dscp: 10, table: 112 }, o); // iproute2 6.1 has no dscp selector
    const mine = (r: Rule) => r.priority >= 100 && r.priority < 200;
    const before = (await listRules({}, o)).filter(mine);
    assert.equal(before.length, lines.length + 2);
    const r100 = before.find((r) => r.priority === 100)!;
    assert.deepEqual([r100.family, r100.src, r100.dst, r100.table], ["inet", "10.8.0.0/16", "10.9.0.0/24", 100]);
    assert.equal(before.find((r) => r.priority === 101)!.src, "10.1.2.3/32");
    assert.equal(before.find((r) => r.priority === 106)!.table, "main");
    assert.equal(before.find((r) => r.priority === 120)!.family, "inet6");
    for (const r of before) {
      await deleteRule(r, o);
      assert.ok(
        !(await listRules({}, o)).some((x) => x.priority === r.priority && x.family === r.family),
        `${r.priority} gone`,
      );
    }
    for (const r of before) await addRule(r, o);
    assert.deepEqual((await listRules({}, o)).filter(mine), before, "added back as listed: the same rules");
  });
});

test("neighbours: permanent, reachable, router and proxy entries go back into replace, get and delete", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const o = { netns: ns };
    ip(ns, "neigh", "add", "10.0.0.9", "lladdr", "02:00:00:00:00:09", "dev", "v0", "nud", "permanent");
    ip(ns, "neigh", "add", "10.0.1.9", "lladdr", "02:00:00:00:00:0a", "dev", "v1", "nud", "reachable");
    ip(ns, "neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:0b", "dev", "v0", "router", "nud", "permanent");
    ip(ns, "neigh", "add", "proxy", "10.0.0.50", "dev", "v0");
    const mine = (n: Neighbour) => n.lladdr?.startsWith("02:00:00:00:00:0") === true;
    const before = (await listNeighbours({}, o)).filter(mine);
    assert.equal(before.length, 3);
    const v6 = before.find((n) => n.family === "inet6")!;
    assert.deepEqual([v6.dev, v6.flags, v6.state], ["v0", ["router"], ["PERMANENT"]]);
    assert.equal(typeof v6.ifindex, "number");
    for (const n of before) await replaceNeighbour(n, o);
    assert.deepEqual(still((await listNeighbours({}, o)).filter(mine)), still(before), "replace keeps every entry");
    for (const n of before) assert.deepEqual(still([await getNeighbour(n, o)]), still([n]), `get ${n.dst}`);
    const [proxy] = await listNeighbours({ proxy: true }, o);
    assert.equal(proxy.dst, "10.0.0.50");
    for (const n of [...before, proxy]) await deleteNeighbour(n, o);
    assert.deepEqual((await listNeighbours({}, o)).filter(mine), []);
    assert.deepEqual(await listNeighbours({ proxy: true }, o), []);
  });
});

test("FDB entries go back into replaceFdb and deleteFdb, and through the neighbour calls", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const o = { netns: ns };
    bridge(ns, ["fdb", "add", "02:00:00:00:01:01", "dev", "d0", "master", "static"]);
    bridge(ns, ["fdb", "add", "02:00:00:00:01:02", "dev", "d0", "self", "permanent"]);
    bridge(ns, ["fdb", "add", "02:00:00:00:01:03", "dev", "d0", "master", "extern_learn"]);
    const mine = (n: Neighbour) => n.lladdr?.startsWith("02:00:00:00:01:") === true;
    const before = (await listFdb({ dev: "d0" }, o)).filter(mine);
    assert.equal(before.length, 3);
    const s = before.find((n) => n.lladdr === "02:00:00:00:01:01")!;
    assert.deepEqual([s.family, s.dev, s.masterName, s.state], ["bridge", "d0", "br0", ["NOARP"]]);
    for (const n of before) await replaceFdb({ ...n, lladdr: n.lladdr! }, o);
    assert.deepEqual(still((await listFdb({ dev: "d0" }, o)).filter(mine)), still(before), "replace keeps every entry");
    await deleteFdb({ ...before[0], lladdr: before[0].lladdr! }, o);
    await replaceNeighbour(before[0], o);
    assert.deepEqual(
      still((await listFdb({ dev: "d0" }, o)).filter(mine)),
      still(before),
      "a neighbour call adds it back",
    );
    for (const n of before) await deleteNeighbour(n, o);
    assert.deepEqual((await listFdb({ dev: "d0" }, o)).filter(mine), []);
    // VXLAN remotes: dst, port, vni and the device to reach them through.
    ip(ns, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "10.0.0.1", "nolearning");
    bridge(ns, [
      "fdb",
      "add",
      "02:00:00:00:03:01",
      "dev",
      "vx0",
      "dst",
      "10.0.0.7",
      "port",
      "8472",
      "vni",
      "77",
      "via",
      "v1",
    ]);
    bridge(ns, ["fdb", "add", "02:00:00:00:03:02", "dev", "vx0", "dst", "10.0.0.8"]);
    const remotes = (await listFdb({ dev: "vx0" }, o)).filter((n) => n.dst !== undefined);
    assert.equal(remotes.length, 2);
    const r7 = remotes.find((n) => n.dst === "10.0.0.7")!;
    assert.deepEqual([r7.port, r7.vni, r7.via, typeof r7.viaIfindex], [8472, 77, "v1", "number"]);
    for (const n of remotes) await replaceFdb({ ...n, lladdr: n.lladdr! }, o);
    assert.deepEqual(still((await listFdb({ dev: "vx0" }, o)).filter((n) => n.dst !== undefined)), still(remotes));
    await deleteFdb({ ...r7, lladdr: r7.lladdr! }, o);
    assert.deepEqual((await listFdb({ dev: "vx0" }, o)).filter((n) => n.dst !== undefined).map((n) => n.dst), [
      "10.0.0.8",
    ]);
  });
});

test("nexthops: listed nexthops and groups go back into replace, get and delete", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const o = { netns: ns };
    ip(ns, "nexthop", "add", "id", "1", "via", "10.0.0.2", "dev", "v0");
    ip(ns, "nexthop", "add", "id", "2", "via", "2001:db8:1::2", "dev", "v1");
    ip(ns, "nexthop", "add", "id", "3", "blackhole");
    ip(ns, "nexthop", "add", "id", "4", "via", "10.0.1.2", "dev", "v1");
    ip(ns, "nexthop", "add", "id", "10", "group", "1,3/4");
    const before = await listNexthops({}, o);
    assert.equal(before.length, 5);
    assert.deepEqual([before[0].family, before[0].dev], ["inet", "v0"]);
    for (const nh of before) await replaceNexthop(nh, o);
    assert.deepEqual(await listNexthops({}, o), before);
    for (const nh of before) assert.deepEqual(await getNexthop(nh, o), nh);
    for (const nh of [...before].reverse()) await deleteNexthop(nh, o);
    assert.deepEqual(await listNexthops({}, o), []);
  });
});

/** Runs `bridge -n NS ARGS...`. */
function bridge(ns: string, args: string[]): void {
  run("bridge", ["-n", ns, ...args]);
}

test("a listed route, neighbour and nexthop with a changed field go into replace and change", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    fixture(ns);
    const o = { netns: ns };
    ip(ns, "route", "add", "192.168.0.0/16", "via", "10.0.0.2", "metric", "5");
    ip(ns, "neigh", "add", "10.0.0.9", "lladdr", "02:00:00:00:00:09", "dev", "v0", "nud", "permanent");
    ip(ns, "nexthop", "add", "id", "1", "via", "10.0.0.2", "dev", "v0");
    const [r] = await listRoutes({ dst: "192.168.0.0/16" }, o);
    await replaceRoute({ ...r, gateway: "10.0.1.2", dev: "v1" }, o); // dev wins over the listed oif
    assert.match(ip(ns, "route", "show", "192.168.0.0/16"), /via 10\.0\.1\.2 dev v1 metric 5/);
    const [r2] = await listRoutes({ dst: "192.168.0.0/16" }, o);
    await changeRoute({ ...r2, protocol: "static" }, o);
    assert.match(ip(ns, "route", "show", "192.168.0.0/16"), /proto static metric 5/);
    const [n] = (await listNeighbours({ dev: "v0" }, o)).filter((e) => e.dst === "10.0.0.9");
    await changeNeighbour({ ...n, lladdr: "02:00:00:00:00:99" }, o);
    assert.match(ip(ns, "neigh", "show", "10.0.0.9"), /lladdr 02:00:00:00:00:99 PERMANENT/);
    await replaceNeighbour({ ...(await getNeighbour(n, o)), state: ["STALE"] }, o);
    assert.match(ip(ns, "neigh", "show", "10.0.0.9"), /STALE/);
    const [nh] = await listNexthops({}, o);
    await replaceNexthop({ ...nh, gateway: "10.0.1.2", dev: "v1" }, o); // and over the listed ifindex
    assert.match(ip(ns, "nexthop", "show", "id", "1"), /via 10\.0\.1\.2 dev v1/);
  });
});
