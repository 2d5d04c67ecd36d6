/**
 * Namespace ids and multicast addresses: nsid requests from bytes, the
 * /proc parsers from captured text (and fuzzed), and both against `ip` in
 * throwaway namespaces.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { InvalidArgumentError } from "../src/errors.ts";
import fc from "fast-check";
import { getNsid, identifyNetns, listNsids, netnsPids, nsidNames, nsidRequest, setNsid } from "../src/netns/nsid.ts";
import { listMulticastAddresses, parseDevMcast, parseIgmp, parseIgmp6 } from "../src/route/link/maddr.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { unhex } from "./_vectors.ts";
import { ip, ipJson, NEEDS_ROOT, run, uniqueName, withTempNetns } from "./_helpers.ts";

test("nsid requests: rtgenmsg padded to 4 bytes, then NETNSA_FD and NETNSA_NSID", () => {
  // As iproute2's set_netnsid_from_name builds it: RTM_NEWNSID (88), fd 5, nsid 7.
  assert.deepEqual(
    nsidRequest(88, 5, 7),
    unhex("24000000 5800 0100 00000000 00000000 00000000 08000300 05000000 08000100 07000000"),
  );
  assert.deepEqual(nsidRequest(90, 5), unhex("1c000000 5a00 0100 00000000 00000000 00000000 08000300 05000000"));
});

// /proc/net captures from Linux 6.18 (a namespace with lo and a veth pair up, and one static entry).
const DEV_MCAST = `3    v1              1     0     333300000001
3    v1              1     0     01005e000001
2    v0              1     1     333300000009
2    v0              2     0     3333ff000001
`;
const IGMP = `Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter
1\tlo        :     1      V3
\t\t\t\t010000E0     1 0:00000000\t\t0
2\tv0        :     2      V3
\t\t\t\t0A0000EF     3 0:00000000\t\t0
\t\t\t\t010000E0     1 0:00000000\t\t0
`;
const IGMP6 = `1    lo              ff020000000000000000000000000001     1 0000000C 0
2    v0              ff0200000000000000000001ff000001     2 00000004 0
`;

test("/proc parsers: link-layer, IPv4 (host-order hex) and IPv6 groups with users and static", () => {
  assert.deepEqual(parseDevMcast(DEV_MCAST)[2], {
    ifindex: 2,
    ifname: "v0",
    family: "link",
    address: "33:33:00:00:00:09",
    users: 1,
    static: true,
  });
  assert.deepEqual(parseIgmp(IGMP).map((m) => [m.ifindex, m.ifname, m.address, m.users]), [
    [1, "lo", "224.0.0.1", 1],
    [2, "v0", "239.0.0.10", 3],
    [2, "v0", "224.0.0.1", 1],
  ]);
  assert.deepEqual(parseIgmp6(IGMP6)[1], {
    ifindex: 2,
    ifname: "v0",
    family: "inet6",
    address: "ff02::1:ff00:1",
    users: 2,
  });
});

test("property: /proc parsers never throw and yield only well-formed entries", () => {
  const line = fc.array(fc.oneof(fc.constantFrom("\t", " ", "\n", ":", "0", "ff", "lo", "E0"), fc.string()), {
    maxLength: 30,
  }).map((a) => a.join(""));
  fc.assert(
    fc.property(line, (text) => {
      for (const parse of [parseDevMcast, parseIgmp, parseIgmp6]) {
        for (const m of parse(text)) {
          assert.equal(typeof m.address, "string");
          assert.ok(["link", "inet", "inet6"].includes(m.family));
        }
      }
    }),
    { numRuns: 2000 },
  );
});

test("listMulticastAddresses agrees with ip -j maddr, per family and device", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ip(ns, "maddr", "add", "33:33:00:00:00:09", "dev", "v0");
    const all = await listMulticastAddresses({}, { netns: ns });
    const want = ipJson(ns, "maddr", "show") as { ifindex: number; maddr: { link?: string; address?: string }[] }[];
    assert.deepEqual(
      all.map((m) => `${m.ifindex} ${m.address}`),
      want.flatMap((g) => g.maddr.map((e) => `${g.ifindex} ${e.link ?? e.address}`)),
    );
    assert.ok(all.some((m) => m.static && m.address === "33:33:00:00:00:09"));
    const v6 = await listMulticastAddresses({ family: "inet6", dev: "v0" }, { netns: ns });
    assert.ok(v6.length > 0 && v6.every((m) => m.family === "inet6" && m.ifname === "v0"));
    assert.ok(v6.length < all.length);
    assert.deepEqual(await listMulticastAddresses({ dev: "nope" }, { netns: ns }), []);
    await assert.rejects(listMulticastAddresses({ family: "ipx" as "inet" }, { netns: ns }), InvalidArgumentError);
    await assert.rejects(listMulticastAddresses({ device: "v0" } as never, { netns: ns }), /unknown key "device"/);
  });
});

test("nsids: set, get, list and names agree with ip netns", { skip: NEEDS_ROOT }, async () => {
  const a = uniqueName("nlkt-a"), b = uniqueName("nlkt-b");
  run("ip", ["netns", "add", a]);
  run("ip", ["netns", "add", b]);
  try {
    assert.equal(await getNsid(b, { netns: a }), undefined);
    await setNsid(b, 7, { netns: a });
    assert.equal(await getNsid(b, { netns: a }), 7);
    assert.equal(ip(a, "netns", "list-id"), `nsid 7 (iproute2 netns name: ${b})\n`);
    await setNsid(a, "auto", { netns: a });
    const ids = (await listNsids({}, { netns: a })).map((e) => e.nsid).sort();
    assert.deepEqual(ids, ipJson(a, "netns", "list-id").map((e: { nsid: number }) => e.nsid).sort());
    const names = await nsidNames({ netns: a });
    assert.equal(names.get(7), b);
    // One id, and the ids of the namespace that is nsid 7 here.
    assert.deepEqual(await listNsids({ nsid: 7 }, { netns: a }), [{ nsid: 7 }]);
    ip(b, "netns", "set", a, "4");
    const selfId = await getNsid(a, { netns: a });
    assert.deepEqual(await listNsids({ targetNsid: 7 }, { netns: a }), [{ nsid: 4, currentNsid: selfId }]);
    await assert.rejects(
      listNsids({ nsid: 99 }, { netns: a }),
      (e: unknown) => e instanceof NetlinkError && e.code === "ENOENT",
    );
    await assert.rejects(setNsid(b, 8, { netns: a }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST");
    await assert.rejects(setNsid(b, -3, { netns: a }), InvalidArgumentError);
    // identify and pids, by namespace inode.
    assert.deepEqual(identifyNetns(), []);
    const child = spawn("ip", ["netns", "exec", b, "sleep", "30"]);
    try {
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(identifyNetns(child.pid!), [b]);
      assert.ok(netnsPids(b).includes(child.pid!));
      assert.ok(!netnsPids(a).includes(process.pid));
    } finally {
      child.kill();
    }
    assert.throws(() => netnsPids("no-such-netns-x"), /Cannot open network namespace/);
    assert.throws(() => identifyNetns(0), InvalidArgumentError);
  } finally {
    run("ip", ["netns", "del", a]);
    run("ip", ["netns", "del", b]);
  }
});
