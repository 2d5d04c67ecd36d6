/**
 * Library list filters of routes, addresses, neighbours and rules: every
 * key applied (each on a table where ignoring it would select more, and
 * compared with what `ip` selects with the same selector), unknown keys
 * refused by name before anything is sent.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { ip, ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { getRoute, listRoutes } from "../src/route/route/api.ts";
import { listAddresses } from "../src/route/addr/api.ts";
import { flushNeighbours, listFdb, listNeighbours } from "../src/route/neigh/api.ts";
import { listRules } from "../src/route/rule/api.ts";
import { InvalidArgumentError } from "../src/wire/invalid.ts";
import type { RouteFilter } from "../src/route/route/filter.ts";

function populate(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip(ns, "link", "add", "br0", "type", "bridge");
  ip(ns, "link", "set", "v1", "master", "br0");
  ip(ns, "link", "set", "v0", "up");
  ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
  ip(ns, "addr", "add", "10.1.0.9/24", "dev", "v0");
  ip(ns, "addr", "add", "10.1.0.50/24", "dev", "v0", "label", "v0:web");
  ip(ns, "addr", "add", "10.5.0.9/24", "dev", "lo", "valid_lft", "90000", "preferred_lft", "80000");
  ip(ns, "route", "add", "10.2.0.0/16", "via", "10.1.0.2", "metric", "20");
  ip(ns, "route", "add", "10.6.0.0/16", "via", "10.1.0.3", "metric", "8");
  ip(ns, "route", "add", "10.2.3.0/24", "dev", "v0", "src", "10.1.0.9");
  ip(ns, "neigh", "add", "10.1.0.7", "lladdr", "02:00:00:00:00:07", "dev", "v0");
  ip(ns, "neigh", "add", "10.1.0.20", "lladdr", "02:00:00:00:00:20", "dev", "v0", "nud", "stale", "proto", "zebra");
  ip(ns, "neigh", "add", "10.4.0.5", "lladdr", "02:00:00:00:00:05", "dev", "v1");
  ip(ns, "rule", "add", "from", "10.9.0.0/16", "table", "100", "priority", "100");
  ip(ns, "rule", "add", "fwmark", "0x10/0xff", "lookup", "200", "priority", "200");
  ip(ns, "rule", "add", "to", "10.20.0.0/16", "iif", "v0", "tos", "0x10", "pref", "300", "table", "300");
  ip(ns, "rule", "add", "not", "from", "10.30.0.0/16", "oif", "v0", "pref", "400", "table", "100");
}

test("unknown filter keys are refused by name, before anything is sent", async () => {
  const cases: [() => Promise<unknown>, string][] = [
    [() => listRoutes({ dev: "x", gatway: "10.0.0.1" } as RouteFilter), "gatway"],
    [() => listAddresses({ lnk: "v0" } as never), "lnk"],
    [() => listNeighbours({ state: ["STALE"] } as never), "state"],
    [() => listRules({ family: 2, prio: 5 } as never), "prio"],
    [() => listFdb({ port: "v0" } as never), "port"],
    [() => flushNeighbours({ link: "v0" } as never), "link"],
    [() => getRoute("10.0.0.1", { from: "10.0.0.2" } as never), "from"],
  ];
  for (const [call, key] of cases) {
    await assert.rejects(
      call,
      (e) => e instanceof InvalidArgumentError && e.argument === key && e.code === "EINVAL",
      key,
    );
  }
});

test("route filters select what ip route show selects", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    populate(ns);
    const opts = { netns: ns };
    const all = (await listRoutes({ family: "inet" }, opts)).map((r) => r.dst);
    const cases: [RouteFilter, string[]][] = [
      [{ via: "10.1.0.2" }, ["via", "10.1.0.2"]],
      [{ prefsrc: "10.1.0.9" }, ["src", "10.1.0.9"]],
      [{ root: "10.2.0.0/16" }, ["root", "10.2.0.0/16"]],
      [{ match: "10.2.3.4" }, ["match", "10.2.3.4"]],
      [{ dst: "10.2.0.0/16" }, ["exact", "10.2.0.0/16"]],
      [{ metric: 8 }, ["metric", "8"]],
    ];
    for (const [filter, words] of cases) {
      const ours = (await listRoutes({ family: "inet", ...filter }, opts)).map((r) => r.dst);
      const theirs = ipJson(ns, "route", "show", ...words).map((r: { dst: string }) => r.dst);
      assert.ok(theirs.length > 0 && theirs.length < all.length, `${words.join(" ")} selects some`);
      assert.deepEqual(ours.map((d) => d.replace(/\/32$/, "")), theirs, words.join(" "));
    }
  });
});

test("address filters select what ip addr show selects", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    populate(ns);
    const opts = { netns: ns };
    const locals = async (f: object) => (await listAddresses({ family: "inet", ...f }, opts)).map((a) => a.local);
    const ipLocals = (...words: string[]) =>
      ipJson(ns, "-4", "addr", "show", ...words).flatMap((l: { addr_info: { local?: string }[] }) =>
        l.addr_info.filter((a) => a.local).map((a) => a.local)
      );
    const all = await locals({});
    const cases: [object, string[]][] = [
      [{ scope: "host" }, ["scope", "host"]],
      [{ to: "10.1.0.0/24" }, ["to", "10.1.0.0/24"]],
      [{ label: "v0:*" }, ["label", "v0:*"]],
      [{ flags: { secondary: false } }, ["primary"]],
      [{ flags: { secondary: true } }, ["secondary"]],
      [{ flags: { permanent: false } }, ["dynamic"]],
    ];
    for (const [filter, words] of cases) {
      const ours = await locals(filter);
      assert.ok(ours.length > 0 && ours.length < all.length, `${words.join(" ")} selects some`);
      assert.deepEqual(ours, ipLocals(...words), words.join(" "));
    }
  });
});

test("neighbour filters select what ip neigh show selects", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    populate(ns);
    const opts = { netns: ns };
    const dsts = async (f: object) => (await listNeighbours({ family: "inet", ...f }, opts)).map((n) => n.dst);
    const ipDsts = (...words: string[]) =>
      ipJson(ns, "-4", "neigh", "show", ...words).map((n: { dst: string }) => n.dst);
    const all = await dsts({});
    const cases: [object, string[]][] = [
      [{ to: "10.1.0.0/24" }, ["to", "10.1.0.0/24"]],
      [{ states: ["stale"] }, ["nud", "stale"]],
      [{ protocol: "zebra" }, ["proto", "zebra"]],
      [{ nomaster: true }, ["nomaster"]],
      [{ master: "br0" }, ["master", "br0"]],
    ];
    for (const [filter, words] of cases) {
      const ours = await dsts(filter);
      assert.ok(ours.length > 0 && ours.length < all.length, `${words.join(" ")} selects some`);
      assert.deepEqual(ours, ipDsts(...words), words.join(" "));
    }
  });
});

test("rule filters select what ip rule show selects", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    populate(ns);
    const opts = { netns: ns };
    const prios = async (f: object) => (await listRules({ family: 2, ...f }, opts)).map((r) => r.priority);
    const ipPrios = (...words: string[]) =>
      ipJson(ns, "rule", "show", ...words).map((r: { priority: number }) => r.priority);
    const all = await prios({});
    const cases: [object, string[]][] = [
      [{ priority: 200 }, ["pref", "200"]],
      [{ table: 100 }, ["table", "100"]],
      [{ table: "main" }, ["table", "main"]],
      [{ tos: 0x10 }, ["tos", "0x10"]],
      [{ src: "10.0.0.0/8" }, ["from", "10.0.0.0/8"]],
      [{ dst: "10.20.0.0/16" }, ["to", "10.20.0.0/16"]],
      [{ fwmark: 0x10, fwmask: 0xff }, ["fwmark", "0x10/0xff"]],
      [{ iif: "v0" }, ["iif", "v0"]],
      [{ oif: "v0" }, ["oif", "v0"]],
      [{ invert: true }, ["not"]],
    ];
    for (const [filter, words] of cases) {
      const ours = await prios(filter);
      assert.ok(ours.length > 0 && ours.length < all.length, `${words.join(" ")} selects some`);
      assert.deepEqual(ours, ipPrios(...words), words.join(" "));
    }
  });
});
