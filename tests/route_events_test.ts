/**
 * rtnetlink events against the kernel, in throwaway namespaces: changes
 * made with `ip` arrive once and in order, overruns are reported and the
 * stream survives them, dump-then-follow, and cancellation. Address, route,
 * neighbour and nexthop events name their links like listings do (`dev`
 * next to the ifindex), through renames, deletions and lost events.
 *
 * @module
 */

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { InvalidArgumentError } from "../src/errors.ts";
import { listAddresses } from "../src/route/addr/api.ts";
import {
  DEFAULT_EVENT_BUFFER,
  type RouteEvent,
  type RouteEventStream,
  subscribeRoute,
  type WatchEvent,
  watchRoute,
} from "../src/route/events.ts";
import { type MonitorEvent, subscribeMonitor } from "../src/route/monitor_events.ts";
import { SocketClosedError } from "../src/socket/errors.ts";
import { assertNamed, collectNamed, deadline, named } from "./_events.ts";
import { ip, ipJson, NEEDS_ROOT, uniqueName, withTempNetns } from "./_helpers.ts";

const MINE = new Set(["10.9.0.1/24", "2001:db8::1/64", "10.8.0.0/16", "2001:db8:1::/48", "10.9.0.3"]);

/** A one-line description of the events this test caused; undefined for everything else. */
function describe(ev: WatchEvent): string | undefined {
  if (ev.type === "overrun" || ev.type === "synced") return ev.type;
  switch (ev.kind) {
    case "link":
      return ev.object.name === "br0" ? `${ev.type} link br0` : undefined;
    case "addr": {
      const a = `${ev.object.local}/${ev.object.prefixLen}`;
      return MINE.has(a) ? `${ev.type} addr ${a}` : undefined;
    }
    case "route":
      return MINE.has(ev.object.dst) ? `${ev.type} route ${ev.object.dst} ${ev.object.type}` : undefined;
    case "neigh":
      // Deleting a neighbour first marks it FAILED (a `new` event), then removes it.
      if (ev.object.family !== "inet" || !MINE.has(ev.object.dst ?? "")) return undefined;
      if (ev.type === "new" && ev.object.state.includes("FAILED")) return undefined;
      return `${ev.type} neigh ${ev.object.dst}`;
    case "rule":
      return ev.object.priority === 100 || ev.object.priority === 101
        ? `${ev.type} rule ${ev.object.family === "inet6" ? "v6" : "v4"} ${ev.object.priority}`
        : undefined;
  }
}

test("every change is seen exactly once, in order", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const events = await subscribeRoute(["link", "addr", "route", "neigh", "rule"], { netns: ns });
    const timer = deadline(events);
    // The subscription is live once the promise resolves: these are queued before the first read.
    ip(ns, "link", "add", "br0", "type", "bridge");
    ip(ns, "addr", "add", "10.9.0.1/24", "dev", "br0");
    ip(ns, "-6", "addr", "add", "2001:db8::1/64", "dev", "br0", "nodad");
    ip(ns, "route", "add", "blackhole", "10.8.0.0/16");
    ip(ns, "-6", "route", "add", "unreachable", "2001:db8:1::/48");
    ip(ns, "neigh", "add", "10.9.0.3", "lladdr", "02:00:00:00:00:03", "dev", "br0", "nud", "permanent");
    ip(ns, "rule", "add", "pref", "100", "table", "100");
    ip(ns, "-6", "rule", "add", "pref", "101", "table", "101");
    ip(ns, "rule", "del", "pref", "100");
    ip(ns, "-6", "rule", "del", "pref", "101");
    ip(ns, "neigh", "del", "10.9.0.3", "dev", "br0");
    ip(ns, "route", "del", "blackhole", "10.8.0.0/16");
    ip(ns, "-6", "route", "del", "unreachable", "2001:db8:1::/48");
    ip(ns, "-6", "addr", "del", "2001:db8::1/64", "dev", "br0");
    ip(ns, "addr", "del", "10.9.0.1/24", "dev", "br0");
    ip(ns, "link", "del", "br0");
    const seen: string[] = [];
    for await (const ev of events) {
      const d = describe(ev);
      if (d) seen.push(d);
      if (d === "del link br0") break;
    }
    timer.clear();
    assert.deepEqual(seen, [
      "new link br0",
      "new addr 10.9.0.1/24",
      "new addr 2001:db8::1/64",
      "new route 10.8.0.0/16 blackhole",
      "new route 2001:db8:1::/48 unreachable",
      "new neigh 10.9.0.3",
      "new rule v4 100",
      "new rule v6 101",
      "del rule v4 100",
      "del rule v6 101",
      "del neigh 10.9.0.3",
      "del route 10.8.0.0/16 blackhole",
      "del route 2001:db8:1::/48 unreachable",
      "del addr 2001:db8::1/64",
      "del addr 10.9.0.1/24",
      "del link br0",
    ]);
    assert.throws(() => events.receiveBuffer, SocketClosedError, "break closed the socket");
  });
});

test("groups filter by family: ipv6-rule sees only IPv6 rules", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const events = await subscribeRoute(["ipv6-rule"], { netns: ns });
    const timer = deadline(events);
    ip(ns, "rule", "add", "pref", "100", "table", "100");
    ip(ns, "-6", "rule", "add", "pref", "101", "table", "101");
    const got: RouteEvent[] = [];
    for await (const ev of events) {
      got.push(ev);
      break;
    }
    timer.clear();
    assert.equal(got.length, 1);
    const ev = got[0];
    assert.ok(ev.type === "new" && ev.kind === "rule");
    assert.equal(ev.object.family, "inet6");
    assert.equal(ev.object.priority, 101);
    assert.equal(ev.object.table, 101);
  });
});

test("an overrun is reported and the stream keeps working", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    // The smallest buffer the kernel allows holds only a few route messages.
    const events = await subscribeRoute(["ipv4-route"], { netns: ns, receiveBuffer: 1024 });
    const timer = deadline(events, 10000);
    const batch = join(tmpdir(), `${uniqueName("nlkit-routes")}.txt`);
    const lines = [];
    for (let i = 0; i < 2000; i++) lines.push(`route add blackhole 10.${i >> 8}.${i & 255}.0/24`);
    writeFileSync(batch, lines.join("\n") + "\n");
    ip(ns, "-b", batch);
    let overruns = 0, routes = 0, marker = false;
    const markers: ReturnType<typeof setTimeout>[] = [];
    for await (const ev of events) {
      if (ev.type === "overrun") {
        // The kernel signals loss once per congestion: add a marker once the backlog has drained.
        const n = ++overruns;
        markers.push(setTimeout(() => ip(ns, "route", "add", "blackhole", `192.0.2.${n}/32`), 100));
        continue;
      }
      if (ev.kind !== "route") continue;
      if (ev.object.dst.startsWith("192.0.2.")) {
        marker = true;
        break;
      }
      routes++;
    }
    timer.clear();
    markers.forEach(clearTimeout);
    assert.ok(overruns >= 1, "overrun reported");
    assert.ok(marker, "events after the overrun still arrive");
    assert.ok(routes < 2000, `some of the 2000 route events were lost (${routes} arrived)`);
  });
});

test("watchRoute: existing objects, then synced, then live events", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "br0", "type", "bridge");
    ip(ns, "rule", "add", "pref", "100", "table", "100");
    const events = await watchRoute(["rule", "link", "ipv4-addr"], { netns: ns });
    const timer = deadline(events);
    // Made after subscribing but before the dump runs: seen in the dump, and again as an event.
    ip(ns, "rule", "add", "pref", "300", "table", "300");
    const before: WatchEvent[] = [];
    const after: WatchEvent[] = [];
    let synced = false;
    let live200 = false;
    for await (const ev of events) {
      if (ev.type === "synced") {
        synced = true;
        ip(ns, "rule", "add", "pref", "200", "table", "200");
        continue;
      }
      (synced ? after : before).push(ev);
      if (ev.type === "new" && ev.kind === "rule" && ev.object.priority === 200) {
        live200 = true;
        break;
      }
    }
    timer.clear();
    assert.ok(synced && live200);
    assert.ok(before.every((e) => e.type === "new" && e.existing === true), "the dump yields existing objects");
    assert.ok(after.every((e) => e.type !== "new" || e.existing === undefined), "live events are not marked existing");
    const rules = before.flatMap((e) => (e.type === "new" && e.kind === "rule" ? [e.object] : []));
    assert.ok(rules.some((r) => r.family === "inet" && r.priority === 100));
    assert.ok(rules.some((r) => r.family === "inet6" && r.priority === 32766), "both families dumped");
    const links = before.flatMap((e) => (e.type === "new" && e.kind === "link" ? [e.object.name] : []));
    assert.deepEqual(links.sort(), ["br0", "lo"]);
    const addrs = before.flatMap((e) => (e.type === "new" && e.kind === "addr" ? [e.object.local] : []));
    assert.deepEqual(addrs, ["127.0.0.1"], "ipv4-addr dumps only IPv4 addresses");
    const all300 = [...before, ...after].filter((e) =>
      e.type === "new" && e.kind === "rule" && e.object.priority === 300
    );
    assert.ok(all300.length >= 1, "a change racing the dump is not lost");
  });
});

test("abort ends a waiting stream quietly and closes its socket", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const ac = new AbortController();
    const events = await subscribeRoute(["link"], { netns: ns, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    let count = 0;
    for await (const _ of events) count++;
    assert.equal(count, 0);
    assert.ok(Date.now() - started < 3000);
    assert.throws(() => events.receiveBuffer, SocketClosedError);
    const gone = new AbortController();
    gone.abort();
    await assert.rejects(subscribeRoute(["link"], { netns: ns, signal: gone.signal }), { name: "AbortError" });
  });
});

test("close() ends a pending read; watchRoute aborts during its dump", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const events = await subscribeRoute(["neigh"], { netns: ns });
    const pending = events.next();
    setTimeout(() => events.close(), 50);
    assert.deepEqual(await pending, { done: true, value: undefined });
    const ac = new AbortController();
    const watch = await watchRoute(["link"], { netns: ns, signal: ac.signal });
    const first = await watch.next();
    assert.ok(!first.done && first.value.type === "new" && first.value.existing);
    ac.abort();
    const rest = [];
    for await (const ev of watch) rest.push(ev);
    assert.ok(rest.every((e) => e.type !== "synced"), "an aborted watch ends without claiming to be synced");
  });
});

test("receive buffer: 4 MiB by default, configurable", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await using big = await subscribeRoute(["link"], { netns: ns });
    assert.ok(big.receiveBuffer >= DEFAULT_EVENT_BUFFER, `${big.receiveBuffer}`);
    await using small = await subscribeRoute(["link"], { netns: ns, receiveBuffer: 65536 });
    assert.equal(small.receiveBuffer, 131072, "the kernel doubles the value for bookkeeping");
  });
});

test("bad groups and buffer sizes are refused before any socket is opened", async () => {
  const netns = "nlkit-no-such-netns";
  await assert.rejects(subscribeRoute([], { netns }), InvalidArgumentError);
  // @ts-expect-error: not a group name
  await assert.rejects(subscribeRoute(["links"], { netns }), /Unknown event group: "links"/);
  await assert.rejects(subscribeRoute(["link"], { netns, receiveBuffer: 10 }), InvalidArgumentError);
  await assert.rejects(watchRoute(["rule"], { netns, receiveBuffer: 1.5 }), InvalidArgumentError);
});

test("address, route, neighbour and nexthop events carry dev, through a rename and a deletion", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "d0", "type", "bridge");
    // No "link" group: the names come from link events the subscription follows for itself.
    const events = await subscribeRoute(["ipv4-addr", "ipv4-route", "neigh", "nexthop"], { netns: ns });
    ip(ns, "link", "add", "d1", "type", "bridge"); // created after subscribing: named from its event
    ip(ns, "link", "set", "d1", "up");
    ip(ns, "addr", "add", "10.7.0.1/24", "dev", "d1");
    ip(ns, "neigh", "add", "10.7.0.9", "lladdr", "02:00:00:00:00:09", "dev", "d1", "nud", "permanent");
    ip(ns, "nexthop", "add", "id", "7", "dev", "d1");
    ip(ns, "link", "set", "d1", "down");
    ip(ns, "link", "set", "d1", "name", "e1");
    ip(ns, "link", "set", "e1", "up");
    ip(ns, "addr", "add", "10.7.1.1/24", "dev", "e1");
    ip(ns, "nexthop", "add", "id", "8", "dev", "e1"); // (the kernel drops nexthop 7 silently when d1 goes down)
    const listed = await listAddresses({ dev: "e1", family: "inet" }, { netns: ns });
    assert.deepEqual(
      listed.map((a) => a.dev),
      ipJson(ns, "-4", "addr", "show", "dev", "e1").flatMap((l: { addr_info: unknown[] }) =>
        l.addr_info.map(() => "e1")
      ),
    );
    ip(ns, "link", "del", "e1"); // its addresses, routes and neighbours go first, then the link
    ip(ns, "addr", "add", "10.7.2.1/24", "dev", "d0"); // marker: present before subscribing
    assertNamed(await collectNamed(events, (l) => l === "new addr 10.7.2.1/24@d0"), [
      "new addr 10.7.0.1/24@d1",
      "new route 10.7.0.0/24@d1",
      "new neigh 10.7.0.9@d1",
      "new nexthop 7@d1",
      "new addr 10.7.1.1/24@e1",
      "new route 10.7.1.0/24@e1",
      "del addr 10.7.1.1/24@e1",
      "new nexthop 8@e1",
    ]);
  });
});

test("watchRoute names the objects of its dump and its live events", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "d0", "type", "bridge");
    ip(ns, "link", "set", "d0", "up");
    ip(ns, "addr", "add", "10.7.0.1/24", "dev", "d0");
    const events = await watchRoute(["ipv4-addr", "ipv4-route"], { netns: ns });
    const timer = deadline(events);
    const seen: string[] = [];
    for await (const ev of events) {
      if (ev.type === "synced") ip(ns, "addr", "add", "10.7.3.1/24", "dev", "d0");
      const line = named(ev);
      if (line) seen.push(line);
      if (line === "new route 10.7.3.0/24@d0") break;
    }
    timer.clear();
    assertNamed(seen, ["new addr 10.7.0.1/24@d0", "new route 10.7.0.0/24@d0", "synced", "new addr 10.7.3.1/24@d0"]);
  });
});

/** The two subscriptions that name their events, each following IPv4 addresses only. */
const NAMING: [string, (netns: string) => Promise<RouteEventStream<RouteEvent | MonitorEvent>>][] = [
  ["subscribeRoute", (netns) => subscribeRoute(["ipv4-addr"], { netns, receiveBuffer: 1024 })],
  [
    "subscribeMonitor with names",
    (netns) => subscribeMonitor({ groups: ["ipv4-addr"] }, { netns, receiveBuffer: 1024, names: true }),
  ],
];

for (const [what, subscribe] of NAMING) {
  test(`${what}: after lost events the names are read again`, { skip: NEEDS_ROOT }, async () => {
    await withTempNetns(async (ns) => {
      ip(ns, "link", "add", "d0", "type", "bridge");
      ip(ns, "link", "set", "d0", "up");
      const events = await subscribe(ns);
      const timer = deadline(events);
      // Fill the smallest buffer before reading anything, so the rename's link event is dropped for sure.
      const batch = join(tmpdir(), `${uniqueName("nlkit-addrs")}.txt`);
      const lines = [];
      for (let i = 0; i < 500; i++) lines.push(`addr add 10.6.${i >> 8}.${i & 255}/32 dev d0`);
      writeFileSync(batch, lines.join("\n") + "\n");
      ip(ns, "-b", batch);
      ip(ns, "link", "set", "d0", "down");
      ip(ns, "link", "set", "d0", "name", "e0");
      let overruns = 0;
      let marker: string | undefined;
      for await (const ev of events) {
        if (ev.type === "overrun") {
          if (++overruns === 1) ip(ns, "addr", "add", "10.7.9.1/24", "dev", "e0");
          continue;
        }
        if (ev.kind === "addr" && ev.object.address === "10.7.9.1/24") {
          marker = ev.object.dev;
          break;
        }
      }
      timer.clear();
      assert.ok(overruns >= 1, "the buffer overran");
      assert.equal(marker, "e0");
    });
  });
}
