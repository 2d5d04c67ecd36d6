/**
 * vishvananda/netlink's nexthop_test.go, ported to nlkit's library API, in
 * a fresh namespace, checked against `ip -j nexthop` there; each listing
 * filter is tried on a set where ignoring it would select more.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addAddress,
  addNexthop,
  changeLink,
  createLink,
  deleteNexthop,
  getLink,
  listNexthops,
  type NexthopFilter,
  replaceNexthop,
} from "../mod.ts";
import { ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

type Json = Record<string, unknown>;

// TestNexthopAddListDelReplace (dummy0 replaced by a veth end), plus a weighted group and the list filters.
test("vish nexthop: add (given and kernel-picked ids), list, delete, replace", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ name: "dummy0", kind: "veth", peer: { name: "dummy1" } }, o);
    await changeLink("dummy0", { up: true }, o);
    await changeLink("dummy1", { up: true }, o); // a veth has carrier only with both ends up
    await addAddress("dummy0", "10.0.0.2/24", {}, o);
    const link0 = await getLink("dummy0", o);
    await addNexthop({ id: 1, blackhole: true }, o);
    await addNexthop({ dev: "dummy0", gateway: "fe80::1234:5678:9abc:def0", protocol: "bgp" }, o);
    const nhs = await listNexthops({}, o);
    assert.equal(nhs.length, 2);
    const [nh0] = nhs.filter((n) => n.id === 1);
    const [nh1] = nhs.filter((n) => n.id !== 1);
    assert.ok(nh1.id > 0);
    assert.equal(nh0.blackhole, true);
    assert.deepEqual([nh1.ifindex, nh1.gateway, nh1.protocol], [link0.index, "fe80::1234:5678:9abc:def0", "bgp"]);
    const ipNh = ipJson(ns, "nexthop", "show") as Json[];
    assert.deepEqual(ipNh.map((n) => n.id).sort(), nhs.map((n) => n.id).sort());
    assert.equal(ipNh.find((n) => n.id === nh1.id)?.gateway, "fe80::1234:5678:9abc:def0");

    await deleteNexthop(1, o);
    assert.deepEqual((await listNexthops({}, o)).map((n) => n.id), [nh1.id]);

    await replaceNexthop({ id: nh1.id, dev: "dummy0", gateway: "10.0.0.1", protocol: "static" }, o);
    const [nh2, ...rest] = await listNexthops({}, o);
    assert.equal(rest.length, 0);
    assert.deepEqual([nh2.id, nh2.protocol, nh2.ifindex, nh2.gateway], [nh1.id, "static", link0.index, "10.0.0.1"]);
    const ip2 = (ipJson(ns, "nexthop", "show") as Json[])[0];
    assert.deepEqual([ip2.protocol, ip2.dev, ip2.gateway], ["static", "dummy0", "10.0.0.1"]);

    // A weighted group, and every filter on a set where ignoring it selects more.
    await addNexthop({ id: 10, dev: "dummy0", gateway: "10.0.0.3", family: "inet" }, o);
    await addNexthop({ id: 20, group: [{ id: nh1.id, weight: 3 }, { id: 10, weight: 1 }] }, o);
    await addNexthop({ id: 30, blackhole: true, protocol: "bgp" }, o);
    const [g] = await listNexthops({ id: 20 }, o);
    assert.deepEqual(g.group, [{ id: nh1.id, weight: 3 }, { id: 10, weight: 1 }]);
    const ipg = (ipJson(ns, "nexthop", "show", "id", "20") as Json[])[0].group as Json[];
    assert.deepEqual(ipg.map((m) => [m.id, m.weight ?? 1]), [[nh1.id, 3], [10, 1]]);
    const all = (await listNexthops({}, o)).map((n) => n.id).sort((a, b) => a - b);
    const cases: [NexthopFilter, number[]][] = [
      [{ id: 10 }, [10]],
      [{ dev: "dummy0" }, [nh1.id, 10].sort((a, b) => a - b)],
      [{ groups: true }, [20]],
      [{ protocol: "bgp" }, [30]],
    ];
    for (const [f, want] of cases) {
      assert.ok(want.length < all.length);
      assert.deepEqual((await listNexthops(f, o)).map((n) => n.id).sort((a, b) => a - b), want, JSON.stringify(f));
    }
    assert.deepEqual(
      (ipJson(ns, "nexthop", "show", "dev", "dummy0") as Json[]).map((n) => n.id).sort(),
      [
        nh1.id,
        10,
      ].sort(),
    );
    assert.deepEqual((ipJson(ns, "nexthop", "show", "groups") as Json[]).map((n) => n.id), [20]);
  });
});
