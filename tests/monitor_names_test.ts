/**
 * `subscribeMonitor` with `names`: address, route, neighbour and nexthop
 * events carry `dev` like `subscribeRoute`'s, through a rename, against the
 * kernel in a throwaway namespace; without it they carry ifindexes only.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { RouteEventStream } from "../src/route/events.ts";
import { type MonitorEvent, subscribeMonitor } from "../src/route/monitor_events.ts";
import { deadline, named } from "./_events.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

/** Makes the changes of the test (a veth pair, renamed halfway), then a marker address on `m0`. */
function changes(ns: string): void {
  ip(ns, "link", "add", "d1", "type", "veth", "peer", "name", "p1");
  ip(ns, "link", "set", "d1", "up");
  ip(ns, "link", "set", "p1", "up");
  ip(ns, "addr", "add", "10.7.0.1/24", "dev", "d1");
  ip(ns, "neigh", "add", "10.7.0.9", "lladdr", "02:00:00:00:00:09", "dev", "d1", "nud", "permanent");
  ip(ns, "nexthop", "add", "id", "7", "dev", "d1");
  ip(ns, "link", "set", "d1", "down");
  ip(ns, "link", "set", "d1", "name", "e1");
  ip(ns, "link", "set", "e1", "up");
  ip(ns, "addr", "add", "10.7.1.1/24", "dev", "e1");
  ip(ns, "route", "add", "10.7.5.0/24", "via", "10.7.1.2", "dev", "e1");
  ip(ns, "nexthop", "add", "id", "8", "dev", "e1");
  ip(ns, "addr", "add", "10.7.2.1/24", "dev", "m0"); // marker: the last change
}

async function collect(events: RouteEventStream<MonitorEvent>): Promise<string[]> {
  const timer = deadline(events);
  const seen: string[] = [];
  for await (const ev of events) {
    const line = named(ev);
    if (line) seen.push(line);
    if (line?.startsWith("new addr 10.7.2.1/24@")) break;
  }
  timer.clear();
  return seen;
}

test("subscribeMonitor with names: events carry dev, through a rename", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "m0", "type", "bridge");
    ip(ns, "link", "set", "m0", "up");
    // No "link" group: the names come from link events the subscription follows for itself.
    const events = await subscribeMonitor({
      groups: ["ipv4-addr", "ipv4-route", "neigh", "nexthop"],
      netconf: ["inet"],
    }, {
      netns: ns,
      names: true,
    });
    changes(ns);
    const seen = await collect(events);
    assert.ok(!seen.some((l) => l.includes(" link ")), `link events are not yielded unless asked for: ${seen}`);
    assert.ok(!seen.some((l) => /@(undefined|if\d+)$/.test(l)), `every event is named: ${seen.join("\n")}`);
    for (
      const want of [
        "new addr 10.7.0.1/24@d1",
        "new route 10.7.0.0/24@d1",
        "new neigh 10.7.0.9@d1",
        "new nexthop 7@d1",
        "new addr 10.7.1.1/24@e1",
        "new route 10.7.1.0/24@e1",
        "new route 10.7.5.0/24@e1",
        "new nexthop 8@e1",
        "new addr 10.7.2.1/24@m0",
      ]
    ) assert.ok(seen.includes(want), `${want} in:\n${seen.join("\n")}`);
  });
});

test("subscribeMonitor with names and the link group yields link events too", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "m0", "type", "bridge");
    ip(ns, "link", "set", "m0", "up");
    const events = await subscribeMonitor({ groups: ["link", "ipv4-addr"] }, { netns: ns, names: true });
    changes(ns);
    const seen = await collect(events);
    for (const want of ["new link d1", "new link e1", "new addr 10.7.0.1/24@d1", "new addr 10.7.1.1/24@e1"]) {
      assert.ok(seen.includes(want), `${want} in:\n${seen.join("\n")}`);
    }
  });
});

test("subscribeMonitor without names: events carry ifindexes only", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "m0", "type", "bridge");
    ip(ns, "link", "set", "m0", "up");
    const events = await subscribeMonitor({ groups: ["ipv4-addr", "ipv4-route"] }, { netns: ns });
    changes(ns);
    const seen = await collect(events);
    assert.ok(seen.includes("new addr 10.7.0.1/24@undefined"), seen.join("\n"));
    assert.ok(seen.includes("new route 10.7.5.0/24@undefined"), seen.join("\n"));
  });
});
