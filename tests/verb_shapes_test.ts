/**
 * One shape per verb: `list*` resolves to an array, `stream*` is an async
 * iterator, `subscribe*` resolves once subscribed to a stream that
 * `close()` ends, in a throwaway namespace.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { listAddresses, streamAddresses } from "../src/route/addr/api.ts";
import { listLinks, streamLinks } from "../src/route/link/api.ts";
import { createConntrack, listConntrack, streamConntrack } from "../src/netfilter/conntrack/ops.ts";
import { listExpect, streamExpect } from "../src/netfilter/conntrack/expect_ops.ts";
import { subscribeConntrack } from "../src/netfilter/conntrack/events.ts";
import { listTables, streamTables } from "../src/netfilter/nftables/list.ts";
import { subscribeNftables } from "../src/netfilter/nftables/events.ts";
import { subscribeTc } from "../src/route/tc/events.ts";
import { subscribeRoute } from "../src/route/events.ts";
import { ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

test("list* resolve to arrays, stream* are async iterators over the same objects", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "v1");
    ip(ns, "addr", "add", "10.0.0.1/24", "dev", "v0");
    run("ip", ["netns", "exec", ns, "nft", "add", "table", "ip", "t"]);
    await createConntrack(
      { proto: "udp", orig: { src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2 }, timeout: 60 },
      o,
    );
    const pairs: [string, () => Promise<unknown[]>, () => AsyncIterable<unknown>][] = [
      ["links", () => listLinks({}, o), () => streamLinks({}, o)],
      ["addresses", () => listAddresses({}, o), () => streamAddresses({}, o)],
      ["conntrack", () => listConntrack({}, o), () => streamConntrack({}, o)],
      ["expectations", () => listExpect({}, o), () => streamExpect({}, o)],
      ["nftables tables", () => listTables({}, o), () => streamTables({}, o)],
    ];
    for (const [what, list, stream] of pairs) {
      const listed = await list();
      assert.ok(Array.isArray(listed), `list ${what} gives an array`);
      if (what !== "expectations") assert.ok(listed.length > 0, `some ${what} to list`);
      const it = stream();
      assert.equal(typeof it[Symbol.asyncIterator], "function", `stream ${what} is async iterable`);
      // A conntrack timeout counts down in seconds: it may tick between the two listings.
      const steady = (xs: unknown[]) =>
        xs.map((x) => what === "conntrack" ? { ...(x as object), timeout: undefined } : x);
      assert.deepEqual(steady(await Array.fromAsync(it)), steady(listed), `stream ${what} yields what list gives`);
    }
  });
});

test("subscribe* resolve once subscribed; close() ends the stream", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const subs = [
      await subscribeConntrack({}, o),
      await subscribeNftables({}, o),
      await subscribeTc(o),
      await subscribeRoute(["link"], o),
    ];
    for (const sub of subs) {
      const pending = sub.next();
      sub.close();
      assert.deepEqual(await pending, { done: true, value: undefined });
      sub.close(); // idempotent
      await sub[Symbol.asyncDispose]();
    }
  });
});
