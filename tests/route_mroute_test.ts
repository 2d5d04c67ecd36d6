/**
 * Multicast routes against the kernel: MFC entries added through a
 * multicast routing socket held by the test (`tests/_mroute.ts`), listed
 * with `listMulticastRoutes` and compared with `ip -j mroute show` in the
 * same namespace; each filter alone on a table where ignoring it would
 * select more; events of `subscribeRoute(["mroute"])`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { subscribeRoute } from "../src/route/events.ts";
import { listMulticastRoutes, streamMulticastRoutes } from "../src/route/mroute/api.ts";
import { mrouteToIpJson } from "../src/route/mroute/json.ts";
import type { MulticastRoute } from "../src/route/mroute/table.ts";
import { InvalidArgumentError, NetlinkError, NotFoundError } from "../src/errors.ts";
import { ip, ipJson, withTempNetns } from "./_helpers.ts";
import { NEEDS_MROUTE } from "./_kernel.ts";
import { MrouteSocket, withMfc } from "./_mroute.ts";
import { assertNamed, collectNamed } from "./_events.ts";
import { subscribeMonitor } from "../src/route/monitor_events.ts";

const key = (r: MulticastRoute) => `${r.family} ${r.table} (${r.src},${r.dst})`;
const keys = (rs: MulticastRoute[]) => rs.map(key).sort();

test("listMulticastRoutes: every family and table, as ip -j mroute shows them", { skip: NEEDS_MROUTE }, async () => {
  await withMfc(async (ns) => {
    const all = await listMulticastRoutes({}, { netns: ns });
    assert.deepEqual(keys(all), [
      "inet 7 (10.0.0.1,239.1.1.1)",
      "inet default (10.0.0.1,239.1.1.1)",
      "inet default (10.0.0.2,239.1.1.2)",
      "inet default (10.9.0.1,239.2.0.1)",
      "inet6 main (2001:db8:1::1,ff05::2)",
      "inet6 main (2001:db8::1,ff05::1)",
    ]);
    const first = all.find((r) => r.dst === "239.1.1.1" && r.table === "default")!;
    assert.equal(first.iifName, "a0");
    assert.deepEqual(first.oifs?.map((o) => [o.dev, o.ttl]), [["b0", 1], ["longername0", 5]]);
    assert.equal(first.protocol, "mrouted");
    assert.deepEqual(first.stats, { packets: 0, bytes: 0, wrongIf: 0 });
    // The same objects as ip's, key for key (the age moves on between the two dumps).
    const v4 = all.filter((r) => r.family === "inet").map((r) => mrouteToIpJson(r));
    assert.deepEqual(v4, ipJson(ns, "mroute", "show", "table", "all"));
    const v6 = all.filter((r) => r.family === "inet6").map((r) => mrouteToIpJson(r));
    assert.deepEqual(v6, ipJson(ns, "-6", "mroute", "show"));
  });
});

test("each filter alone selects fewer entries than the table holds", { skip: NEEDS_MROUTE }, async () => {
  await withMfc(async (ns) => {
    const list = async (f: Parameters<typeof listMulticastRoutes>[0]) =>
      keys(await listMulticastRoutes(f, { netns: ns }));
    assert.equal((await list({})).length, 6);
    assert.deepEqual(await list({ family: "inet6" }), [
      "inet6 main (2001:db8:1::1,ff05::2)",
      "inet6 main (2001:db8::1,ff05::1)",
    ]);
    assert.deepEqual(await list({ table: 7 }), ["inet 7 (10.0.0.1,239.1.1.1)"]);
    assert.deepEqual(await list({ table: "default" }), [
      "inet default (10.0.0.1,239.1.1.1)",
      "inet default (10.0.0.2,239.1.1.2)",
      "inet default (10.9.0.1,239.2.0.1)",
    ]);
    assert.deepEqual(await list({ iif: "b0" }), [
      "inet default (10.9.0.1,239.2.0.1)",
      "inet6 main (2001:db8:1::1,ff05::2)",
    ]);
    assert.deepEqual(await list({ from: "10.9.0.0/16" }), ["inet default (10.9.0.1,239.2.0.1)"]);
    assert.deepEqual(await list({ to: "239.1.1.2" }), ["inet default (10.0.0.2,239.1.1.2)"]);
    assert.deepEqual(await list({ to: "ff05::/120", from: "2001:db8:1::/48" }), ["inet6 main (2001:db8:1::1,ff05::2)"]);
    // A table one family lacks is empty there, unless strictTable asks for the kernel's refusal.
    assert.deepEqual(await list({ table: 99 }), []);
    await assert.rejects(
      listMulticastRoutes({ family: "inet", table: 99, strictTable: true }, { netns: ns }),
      (e) => e instanceof NetlinkError && e.code === "ENOENT" && /MR table does not exist/.test(e.message),
    );
    await assert.rejects(listMulticastRoutes({ iif: "zz0" }, { netns: ns }), NotFoundError);
    const streamed = [];
    for await (const r of streamMulticastRoutes({ family: "inet", table: 7 }, { netns: ns })) streamed.push(key(r));
    assert.deepEqual(streamed, ["inet 7 (10.0.0.1,239.1.1.1)"]);
  });
});

test("bad filters are refused before anything is sent", () => {
  for (
    const f of [
      { family: "bridge" },
      { to: "239.1.1.999" },
      { from: 5 },
      { family: "inet", to: "ff05::1" },
      { strictTable: true },
      { table: "nosuchtable" },
      { iif: {} },
      { dev: "a0" },
    ]
  ) {
    assert.throws(() => streamMulticastRoutes(f as never), InvalidArgumentError, JSON.stringify(f));
  }
});

test("subscribeRoute mroute: entries added and deleted, named", { skip: NEEDS_MROUTE }, async () => {
  await withTempNetns(async (ns) => {
    for (const d of ["a", "b"]) ip(ns, "link", "add", `${d}0`, "type", "veth", "peer", "name", `${d}1`);
    for (const d of ["a0", "b0"]) ip(ns, "link", "set", d, "up");
    await using events = await subscribeRoute(["ipv4-mroute"], { netns: ns });
    using m = await MrouteSocket.open(ns, "inet");
    m.addVif("a0");
    m.addVif("b0");
    const entry = { src: "10.0.0.1", group: "239.1.1.1", iif: "a0", oifs: ["b0"] };
    m.addMfc(entry);
    m.deleteMfc(entry);
    const seen: string[] = [];
    for await (const ev of events) {
      if (ev.type === "overrun" || ev.kind !== "mroute") continue;
      const o = ev.object;
      seen.push(`${ev.type} (${o.src},${o.dst}) ${o.iifName} ${o.oifs?.map((x) => x.dev).join(",")}`);
      if (ev.type === "del") break;
    }
    assert.deepEqual(seen, ["new (10.0.0.1,239.1.1.1) a0 b0", "del (10.0.0.1,239.1.1.1) a0 b0"]);
  });
});

test("subscribeMonitor mroute with names: events name the input device, through a rename", {
  skip: NEEDS_MROUTE,
}, async () => {
  await withTempNetns(async (ns) => {
    for (const d of ["a", "b"]) ip(ns, "link", "add", `${d}0`, "type", "veth", "peer", "name", `${d}1`);
    for (const d of ["a0", "b0"]) ip(ns, "link", "set", d, "up");
    using m = await MrouteSocket.open(ns, "inet");
    m.addVif("a0");
    m.addVif("b0");
    const events = await subscribeMonitor({ groups: ["mroute"] }, { netns: ns, names: true });
    m.addMfc({ src: "10.0.0.1", group: "239.1.1.1", iif: "a0", oifs: ["b0"] });
    ip(ns, "link", "set", "a0", "name", "r0");
    m.addMfc({ src: "10.0.0.1", group: "239.1.1.2", iif: "a0", oifs: ["b0"] }); // the VIF is r0 now
    const seen = await collectNamed(events, (l) => l.startsWith("new mroute 239.1.1.2"));
    assertNamed(seen, ["new mroute 239.1.1.1@a0", "new mroute 239.1.1.2@r0"]);
  });
});
