/**
 * Strict input for routes, rules, neighbours, the FDB and nexthops: every
 * public call that takes an object refuses an unknown key, a key put in the
 * wrong slot (a namespace in a spec, data in the options) and a renamed key,
 * with an `InvalidArgumentError` naming it, before anything is sent. The
 * namespace given does not exist: a call that got as far as opening a
 * socket would fail with another error.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/wire/invalid.ts";
import * as route from "../src/route/route/api.ts";
import * as rule from "../src/route/rule/api.ts";
import * as neigh from "../src/route/neigh/api.ts";
import * as fdb from "../src/route/neigh/fdb.ts";
import * as nexthop from "../src/route/nexthop/api.ts";
import { buildRouteMessage } from "../src/route/route/build.ts";
import { parseRouteMessage } from "../src/route/route/parse.ts";
import { readMessage } from "../src/wire/message.ts";

const O = { netns: "nlkit-strict-no-such-netns" };

// deno-lint-ignore no-explicit-any
type Any = any;

/** A call, its valid object arguments by slot, and the slot the options go in. */
interface Case {
  name: string;
  fn: (...args: Any[]) => unknown;
  args: Any[];
}

const ROUTE = { dst: "10.9.0.0/24", dev: "v0" };
const NEIGH = { dst: "10.0.0.9", dev: "v0", lladdr: "02:00:00:00:00:09" };
const FDB = { lladdr: "02:00:00:00:01:01", dev: "d0" };
const NH = { id: 1, gateway: "10.0.0.2", dev: "v0" };

const CASES: Case[] = [
  { name: "listRoutes", fn: route.listRoutes, args: [{ family: "inet" }, O] },
  { name: "streamRoutes", fn: route.streamRoutes, args: [{}, O] },
  { name: "getRoute", fn: route.getRoute, args: ["10.0.0.1", { mark: 1 }, O] },
  { name: "addRoute", fn: route.addRoute, args: [ROUTE, O] },
  { name: "replaceRoute", fn: route.replaceRoute, args: [ROUTE, O] },
  { name: "changeRoute", fn: route.changeRoute, args: [ROUTE, O] },
  { name: "appendRoute", fn: route.appendRoute, args: [ROUTE, O] },
  { name: "deleteRoute", fn: route.deleteRoute, args: [ROUTE, O] },
  { name: "flushRoutes", fn: route.flushRoutes, args: [{ table: "main" }, O] },
  { name: "flushRouteCache", fn: route.flushRouteCache, args: [O] },
  { name: "listRules", fn: rule.listRules, args: [{ priority: 5 }, O] },
  { name: "streamRules", fn: rule.streamRules, args: [{}, O] },
  { name: "addRule", fn: rule.addRule, args: [{ priority: 5, table: 5 }, O] },
  { name: "deleteRule", fn: rule.deleteRule, args: [{ priority: 5 }, O] },
  { name: "listNeighbours", fn: neigh.listNeighbours, args: [{ dev: "v0" }, O] },
  { name: "streamNeighbours", fn: neigh.streamNeighbours, args: [{}, O] },
  { name: "addNeighbour", fn: neigh.addNeighbour, args: [NEIGH, O] },
  { name: "replaceNeighbour", fn: neigh.replaceNeighbour, args: [NEIGH, O] },
  { name: "changeNeighbour", fn: neigh.changeNeighbour, args: [NEIGH, O] },
  { name: "getNeighbour", fn: neigh.getNeighbour, args: [{ dst: "10.0.0.9", dev: "v0" }, O] },
  { name: "deleteNeighbour", fn: neigh.deleteNeighbour, args: [NEIGH, O] },
  { name: "flushNeighbours", fn: neigh.flushNeighbours, args: [{ dev: "v0" }, O] },
  { name: "listFdb", fn: neigh.listFdb, args: [{ dev: "d0" }, O] },
  { name: "streamFdb", fn: neigh.streamFdb, args: [{}, O] },
  { name: "addFdb", fn: fdb.addFdb, args: [FDB, O] },
  { name: "replaceFdb", fn: fdb.replaceFdb, args: [FDB, O] },
  { name: "appendFdb", fn: fdb.appendFdb, args: [FDB, O] },
  { name: "deleteFdb", fn: fdb.deleteFdb, args: [FDB, O] },
  { name: "listNexthops", fn: nexthop.listNexthops, args: [{ id: 1 }, O] },
  { name: "streamNexthops", fn: nexthop.streamNexthops, args: [{}, O] },
  { name: "getNexthop", fn: nexthop.getNexthop, args: [NH, O] },
  { name: "addNexthop", fn: nexthop.addNexthop, args: [NH, O] },
  { name: "replaceNexthop", fn: nexthop.replaceNexthop, args: [NH, O] },
  { name: "deleteNexthop", fn: nexthop.deleteNexthop, args: [NH, O] },
  { name: "flushNexthops", fn: nexthop.flushNexthops, args: [{ id: 1 }, O] },
  { name: "listNexthopBuckets", fn: nexthop.listNexthopBuckets, args: [{ id: 1 }, O] },
  { name: "streamNexthopBuckets", fn: nexthop.streamNexthopBuckets, args: [{}, O] },
  { name: "getNexthopBucket", fn: nexthop.getNexthopBucket, args: [1, 0, O] },
];

/** Calls `fn` and, for a stream, takes its first item: errors surface either way. */
async function settle(fn: () => unknown): Promise<void> {
  const r = fn() as Any;
  if (r && typeof r[Symbol.asyncIterator] === "function" && typeof r.then !== "function") await r.next();
  else await r;
}

async function refused(what: string, key: string, fn: () => unknown): Promise<void> {
  await assert.rejects(settle(fn), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError, `${what}: ${e}`);
    assert.equal(e.argument, key, `${what}: ${e.message}`);
    assert.match(e.message, new RegExp(key), what);
    return true;
  });
}

test("every call with an object argument covers the public functions of routes, rules, neighbours, FDB, nexthops", () => {
  const objectCalls = [route, rule, neigh, fdb, nexthop].flatMap((m) =>
    Object.entries(m).filter(([name, v]) =>
      typeof v === "function" && /^(list|stream|get|add|replace|change|append|delete|flush)/.test(name) &&
      !/Request$/.test(name)
    ).map(([name]) => name)
  );
  assert.deepEqual(CASES.map((c) => c.name).sort(), [...new Set(objectCalls)].sort());
});

test("unknown keys are refused in every object slot, naming the key", async () => {
  for (const c of CASES) {
    for (let slot = 0; slot < c.args.length; slot++) {
      if (typeof c.args[slot] !== "object") continue;
      const args = c.args.map((a, i) => i === slot ? { ...a, bogusKey: 1 } : a);
      await refused(`${c.name} slot ${slot}`, "bogusKey", () => c.fn(...args));
    }
  }
});

test("misplaced keys are refused: a namespace among the data, data among the options", async () => {
  for (const c of CASES) {
    const last = c.args.length - 1;
    for (let slot = 0; slot < last; slot++) {
      if (typeof c.args[slot] !== "object") continue;
      const args = c.args.map((a, i) => i === slot ? { ...a, netns: "blue" } : a);
      await refused(`${c.name}: netns in slot ${slot}`, "netns", () => c.fn(...args));
    }
    const key = c.name.includes("Fdb") ? "lladdr" : c.name.includes("Rule") ? "priority" : "dst";
    const args = c.args.map((a, i) => i === last ? { ...a, [key]: "x" } : a);
    await refused(`${c.name}: ${key} in the options`, key, () => c.fn(...args));
  }
});

test("renamed keys are refused with the new name", async () => {
  await assert.rejects(
    neigh.addNeighbour({ dst: "10.0.0.9", link: "v0" } as Any, O),
    /unknown key "link" \(did you mean "dev"\?/,
  );
  await assert.rejects(neigh.listNeighbours({ link: "v0" } as Any, O), /did you mean "dev"/);
  await assert.rejects(fdb.addFdb({ lladdr: "02:00:00:00:01:01", link: "d0" } as Any, O), /did you mean "dev"/);
  await assert.rejects(rule.addRule({ src: "10.0.0.0", srcLen: 8 } as Any, O), /src as CIDR text/);
  await assert.rejects(route.addRoute({ dst: "10.0.0.0/8", dstLen: 8 } as Any, O), /unknown key "dstLen"/);
});

test("nested objects are strict too: paths, metrics, ranges, resilient groups", async () => {
  await refused(
    "route nexthop",
    "gw",
    () => route.addRoute({ dst: "10.0.0.0/8", nexthops: [{ gw: "10.0.0.2" } as Any] }, O),
  );
  await refused("route metrics", "mtux", () => route.addRoute({ dst: "10.0.0.0/8", metrics: { mtux: 1 } as Any }, O));
  await refused("rule port range", "stop", () => rule.addRule({ sportRange: { start: 1, end: 2, stop: 3 } as Any }, O));
  await refused("rule uid range", "last", () => rule.addRule({ uidRange: { start: 1, end: 2, last: 3 } as Any }, O));
  await refused(
    "nexthop resilient",
    "buckts",
    () => nexthop.addNexthop({ id: 9, group: [1], groupType: "resilient", resilient: { buckts: 8 } as Any }, O),
  );
});

test("route flags: onlink is sent, kernel flags are accepted from a listed route, others refused", async () => {
  const m = await buildRouteMessage("add", { dst: "10.0.0.0/8", dev: 3, flags: ["linkdown", "onlink", "dead"] }, {});
  assert.deepEqual(parseRouteMessage(readMessage(m, new DataView(m.buffer), 0, m.length)).flags, ["onlink"]);
  await refused("route flag", "sticky", () => route.addRoute({ dst: "10.0.0.0/8", flags: ["sticky"] }, O));
  await refused("neighbour family", "family", () => neigh.addNeighbour({ ...NEIGH, family: "inet6" }, O));
  await refused("route family", "family", () => route.addRoute({ dst: "10.0.0.0/8", family: "inet6" }, O));
});
