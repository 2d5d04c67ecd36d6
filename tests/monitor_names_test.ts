/**
 * `subscribeMonitor` with `names`: address, route, neighbour and nexthop
 * events carry `dev` like `subscribeRoute`'s, through a rename, against the
 * kernel in a throwaway namespace; without it they carry ifindexes only;
 * with only groups whose events name nothing, `names` is refused.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { RouteEventStream } from "../src/route/events.ts";
import { type MonitorEvent, subscribeMonitor } from "../src/route/monitor_events.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { assertNamed, collectNamed } from "./_events.ts";
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

/** The events until the marker address. */
function collect(events: RouteEventStream<MonitorEvent>): Promise<string[]> {
  return collectNamed(events, (l) => l.startsWith("new addr 10.7.2.1/24@"));
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
    assertNamed(await collect(events), [
      "new addr 10.7.0.1/24@d1",
      "new route 10.7.0.0/24@d1",
      "new neigh 10.7.0.9@d1",
      "new nexthop 7@d1",
      "new addr 10.7.1.1/24@e1",
      "new route 10.7.1.0/24@e1",
      "new route 10.7.5.0/24@e1",
      "new nexthop 8@e1",
      "new addr 10.7.2.1/24@m0",
    ]);
  });
});

test("subscribeMonitor with names and the link group yields link events too", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "m0", "type", "bridge");
    ip(ns, "link", "set", "m0", "up");
    const events = await subscribeMonitor({ groups: ["link", "ipv4-addr"] }, { netns: ns, names: true });
    changes(ns);
    const want = ["new link d1", "new link e1", "new addr 10.7.0.1/24@d1", "new addr 10.7.1.1/24@e1"];
    assertNamed(await collect(events), want, true);
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

test("subscribeMonitor refuses names when no selected group refers to links", async () => {
  for (
    const what of [
      { groups: ["rule"] },
      { groups: ["link", "ipv4-rule"] },
      { netconf: ["inet"] },
      { nsid: true, stats: true },
    ] as const
  ) {
    await assert.rejects(
      subscribeMonitor(what, { names: true }),
      (e) =>
        e instanceof InvalidArgumentError &&
        /^Cannot use names with .*: no event of it refers to links/.test(e.message),
      JSON.stringify(what),
    );
  }
});
