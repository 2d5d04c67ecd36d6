/**
 * vishvananda/netlink's addr_test.go, ported to nlkit's library API: one
 * test per Go test (named in the comment above it), in fresh namespaces,
 * checked against `ip -j addr show` there.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addAddress,
  type Address,
  type AddressSettings,
  createLink,
  deleteAddress,
  listAddresses,
  replaceAddress,
  subscribeRoute,
  watchRoute,
} from "../mod.ts";
import { ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { deadline } from "./_events.ts";

type Json = Record<string, unknown>;

/** `ip -j addr show dev DEV` in `ns`: the address entries of that link. */
function ipAddrs(ns: string, dev: string): Json[] {
  return ((ipJson(ns, "addr", "show", "dev", dev) as Json[])[0].addr_info as Json[]) ?? [];
}

interface Case {
  name: string;
  cidr: string;
  settings: AddressSettings;
  want: Partial<Address>;
  /** ip's view of it: keys of its `addr_info` entry. */
  ip: Json;
}

const CASES: Case[] = [
  {
    name: "lo_uni_perm",
    cidr: "127.0.0.2/32",
    settings: { scope: "global" },
    want: { label: "lo", scope: "global", flags: ["permanent"] },
    ip: { local: "127.0.0.2", prefixlen: 32, scope: "global", label: "lo" },
  },
  {
    name: "local_uni_perm",
    cidr: "127.0.0.2/32",
    settings: { label: "local", scope: "global" },
    want: { label: "local", scope: "global", flags: ["permanent"] },
    ip: { label: "local" },
  },
  {
    name: "lo_nullroute_perm",
    cidr: "127.0.0.2/32",
    settings: { scope: "nowhere" },
    want: { label: "lo", scope: "nowhere", flags: ["permanent"] },
    ip: { scope: "nowhere" },
  },
  {
    name: "lo_uni_perm_with_peer",
    cidr: "127.0.0.2/32",
    settings: { peer: "127.0.0.3/24", scope: "global" },
    // As in ip, a peer's prefix length is the address's.
    want: { address: "127.0.0.2/24", peer: "127.0.0.3", scope: "global", flags: ["permanent"] },
    ip: { local: "127.0.0.2", address: "127.0.0.3", prefixlen: 24 },
  },
  // Not in the Go table, but what its Addr carries: broadcast, lifetimes, IPv6 flags.
  {
    name: "broadcast_lifetimes",
    cidr: "10.1.0.1/24",
    settings: { broadcast: true, validLft: 3000, preferredLft: 2000 },
    want: { broadcast: "10.1.0.255", scope: "global", flags: [] },
    ip: { broadcast: "10.1.0.255", dynamic: true },
  },
  {
    name: "v6_nodad_noprefixroute",
    cidr: "2001:db8::1/64",
    settings: { flags: ["nodad", "noprefixroute"] },
    want: { scope: "global", flags: ["permanent", "nodad", "noprefixroute"] },
    ip: { local: "2001:db8::1", nodad: true, noprefixroute: true },
  },
];

/** Go's DoTestAddr, for AddrAdd and AddrReplace. */
async function doTestAddr(add: typeof addAddress): Promise<void> {
  for (const c of CASES) {
    await withTempNetns(async (ns) => {
      const o = { netns: ns };
      const dev = c.cidr.startsWith("127.") ? "lo" : "foo";
      if (dev === "foo") await createLink({ name: "foo", kind: "ifb" }, o);
      const before = (await listAddresses({ dev }, o)).length;
      await add(dev, c.cidr, c.settings, o);
      const all = await listAddresses({ dev }, o);
      const local = c.cidr.split("/")[0];
      const added = all.filter((a) => a.local === local);
      assert.equal(added.length, 1, c.name);
      assert.equal(all.length, before + 1, c.name);
      const [a] = added;
      for (const [k, v] of Object.entries(c.want)) {
        if (k === "flags") assert.deepEqual([...a.flags].sort(), [...(v as string[])].sort(), c.name);
        else assert.deepEqual(a[k as keyof Address], v, `${c.name} ${k}`);
      }
      if (c.settings.validLft !== undefined) {
        assert.ok(typeof a.validLft === "number" && a.validLft <= 3000 && a.validLft > 2000, c.name);
        assert.ok(typeof a.preferredLft === "number" && a.preferredLft <= 2000, c.name);
      }
      const [o2] = ipAddrs(ns, dev).filter((x) => x.local === local);
      for (const [k, v] of Object.entries(c.ip)) assert.deepEqual(o2[k], v, `${c.name} ip ${k}`);
      // Pass FAMILY_V4 (or V6): the same; the other family: nothing of this one.
      const fam = c.cidr.includes(":") ? "inet6" : "inet";
      const other = fam === "inet" ? "inet6" : "inet";
      assert.equal((await listAddresses({ dev, family: fam }, o)).filter((x) => x.local === local).length, 1);
      assert.equal((await listAddresses({ dev, family: other }, o)).filter((x) => x.local === local).length, 0);
      // A wrong family number is refused before anything is sent (Go lists nothing).
      await assert.rejects(listAddresses({ dev, family: 8 }, o), { name: "InvalidArgumentError" });
      await deleteAddress(a, o);
      assert.equal((await listAddresses({ dev }, o)).filter((x) => x.local === local).length, 0);
      assert.equal(ipAddrs(ns, dev).filter((x) => x.local === local).length, 0);
    });
  }
}

// TestAddrAdd
test("vish addr: add with label, scope, peer, broadcast, lifetimes, flags; list by family; delete", {
  skip: NEEDS_ROOT,
}, async () => {
  await doTestAddr(addAddress);
});

// TestAddrReplace
test("vish addr: the same cases through replace", { skip: NEEDS_ROOT }, async () => {
  await doTestAddr(replaceAddress);
});

// TestAddrAddReplace
test("vish addr: add twice fails with EEXIST, replace succeeds, by name and by index", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    for (const link of ["lo", 1] as const) {
      await addAddress(link, "127.0.0.2/24", {}, o);
      const mine = async () => (await listAddresses({ dev: link }, o)).filter((a) => a.address === "127.0.0.2/24");
      assert.equal((await mine()).length, 1);
      await assert.rejects(addAddress(link, "127.0.0.2/24", {}, o), { name: "NetlinkError", code: "EEXIST" });
      await replaceAddress(link, "127.0.0.2/24", { validLft: 100 }, o);
      const [a] = await mine();
      assert.ok(typeof a.validLft === "number" && a.validLft <= 100);
      assert.equal(ipAddrs(ns, "lo").filter((x) => x.local === "127.0.0.2").length, 1);
      await deleteAddress(a, o);
      assert.equal((await mine()).length, 0);
    }
  });
});

// TestAddrSubscribeWithOptions
test("vish addr: subscribe in a namespace sees a new address with its link name", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const f = await createLink({ name: "foo", kind: "ifb" }, o);
    const events = await subscribeRoute(["addr"], o);
    const timer = deadline(events);
    try {
      await addAddress(f!.index, "10.9.0.1/24", {}, o);
      let seen: Address | undefined;
      for await (const ev of events) {
        if (ev.type !== "overrun" && ev.kind === "addr" && ev.type === "new" && ev.object.local === "10.9.0.1") {
          seen = ev.object;
          break;
        }
      }
      assert.equal(seen?.dev, "foo");
      assert.equal(seen?.address, "10.9.0.1/24");
    } finally {
      timer.clear();
      events.close();
    }
  });
});

// TestAddrSubscribeListExisting
test("vish addr: watch lists 127.0.0.1 first, then follows", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const events = await watchRoute(["addr"], o);
    const timer = deadline(events);
    let existing: string[] = [];
    try {
      for await (const ev of events) {
        if (ev.type === "synced") {
          await addAddress("lo", "127.0.0.9/8", {}, o);
          continue;
        }
        if (ev.type === "overrun" || ev.kind !== "addr") continue;
        if (ev.existing) existing.push(ev.object.address);
        else if (ev.object.local === "127.0.0.9") break;
      }
      existing = existing.sort();
      assert.deepEqual(existing, ["127.0.0.1/8", "::1/128"]);
    } finally {
      timer.clear();
      events.close();
    }
  });
});

// TestAddrProtocol
test("vish addr: protocol set and listed, as ip shows it; bad protocols refused", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await addAddress("lo", "127.0.0.2/32", { protocol: 99 }, o);
    await addAddress("lo", "127.0.0.3/32", { protocol: "kernel_ll" }, o);
    const by = async (a: string) =>
      (await listAddresses({ dev: "lo", family: "inet" }, o)).find((x) => x.address === a);
    assert.equal((await by("127.0.0.2/32"))?.protocol, "99");
    assert.equal((await by("127.0.0.3/32"))?.protocol, "kernel_ll");
    assert.equal((await by("127.0.0.1/8"))?.protocol, undefined);
    // iproute2 6.1 neither sets nor prints IFA_PROTO: ip only confirms the addresses are there.
    assert.deepEqual(ipAddrs(ns, "lo").map((x) => x.local).slice(0, 3), ["127.0.0.1", "127.0.0.2", "127.0.0.3"]);
    // A listed address passed back keeps its protocol.
    const listed = (await by("127.0.0.2/32"))!;
    await deleteAddress(listed, o);
    await addAddress(listed, o);
    assert.equal((await by("127.0.0.2/32"))?.protocol, "99");
    await assert.rejects(addAddress("lo", "127.0.0.4/32", { protocol: 256 }, o), { name: "InvalidArgumentError" });
    await assert.rejects(addAddress("lo", "127.0.0.4/32", { protocol: "bogus" }, o), { name: "InvalidArgumentError" });
  });
});
