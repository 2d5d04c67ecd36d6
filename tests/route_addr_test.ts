/**
 * Addresses against the kernel, in throwaway namespaces: every operation is
 * observed through a fresh dump and cross-checked with `ip -j addr show`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../src/errors.ts";
import { ip, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import {
  addAddress,
  deleteAddress,
  flushAddresses,
  listAddresses,
  replaceAddress,
  streamAddresses,
} from "../src/route/addr/api.ts";
import { addressesToIpJson, addressToIpJson } from "../src/route/addr/json.ts";
import type { Address } from "../src/route/addr/table.ts";
import { listLinks, resolveLinkIndex } from "../src/route/link/api.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";

/** A namespace with a veth pair v0/v1, up, and IPv6 DAD off so flags do not change under the test. */
async function withVeth<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  return await withTempNetns(async (ns) => {
    for (const k of ["all", "default"]) {
      run("ip", ["netns", "exec", ns, "sysctl", "-qw", `net.ipv6.conf.${k}.accept_dad=0`]);
    }
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ip(ns, "link", "set", "v1", "up");
    return await fn(ns);
  });
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** Lifetimes count down between two dumps: allow one second of drift. */
function sameLifetimes(ours: Json, theirs: Json): void {
  for (const k of ["valid_life_time", "preferred_life_time"]) {
    if (typeof ours[k] === "number" && typeof theirs[k] === "number" && Math.abs(ours[k] - theirs[k]) <= 1) {
      ours[k] = theirs[k];
    }
  }
}

/** Compares our `ip -j addr show` rendering with iproute2's, link by link and key by key. */
async function assertMatchesIp(ns: string, ...ipArgs: string[]): Promise<void> {
  const links = await listLinks({}, { netns: ns });
  const ours: Json[] = addressesToIpJson(links, await listAddresses({}, { netns: ns }));
  const theirs: Json[] = ipJson(ns, "addr", "show", ...ipArgs);
  assert.equal(ours.length, theirs.length);
  for (let i = 0; i < theirs.length; i++) {
    assert.equal(ours[i].addr_info.length, theirs[i].addr_info.length, `addr_info of ${theirs[i].ifname}`);
    ours[i].addr_info.forEach((a: Json, j: number) => sameLifetimes(a, theirs[i].addr_info[j]));
    assert.deepEqual(ours[i], theirs[i]);
  }
}

function ipAddrs(ns: string, dev: string): Json[] {
  return ipJson(ns, "addr", "show", "dev", dev)[0].addr_info;
}

test("listAddresses and addressesToIpJson match ip -j addr show", { skip: NEEDS_ROOT }, async () => {
  await withVeth(async (ns) => {
    ip(ns, "addr", "add", "10.0.0.1/24", "dev", "v0");
    ip(ns, "addr", "add", "10.0.0.2/24", "brd", "+", "dev", "v0", "label", "v0:a");
    ip(ns, "addr", "add", "10.1.0.1", "peer", "10.1.0.2/32", "dev", "v0");
    ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad", "valid_lft", "300", "preferred_lft", "200");
    ip(ns, "addr", "add", "2001:db8:1::1/64", "dev", "v1", "noprefixroute", "metric", "55");
    await assertMatchesIp(ns);
    const v0 = await listAddresses({ dev: "v0", family: "inet" }, { netns: ns });
    const peer = v0.find((a) => a.local === "10.1.0.1")!;
    assert.deepEqual([peer.peer, peer.address, peer.prefixLen], ["10.1.0.2", "10.1.0.1/32", 32]);
    const secondary = v0.find((a) => a.local === "10.0.0.2")!;
    assert.deepEqual([secondary.label, secondary.broadcast, secondary.flags], ["v0:a", "10.0.0.255", [
      "secondary",
      "permanent",
    ]]);
    const v6 = (await listAddresses({ dev: "v0", family: "inet6" }, { netns: ns })).find((a) =>
      a.local === "2001:db8::1"
    )!;
    assert.ok(typeof v6.validLft === "number" && v6.validLft <= 300 && v6.validLft >= 298, String(v6.validLft));
    assert.equal(v6.cacheinfo?.valid, v6.validLft);
  });
});

test("dumps are filtered by link and family", { skip: NEEDS_ROOT }, async () => {
  await withVeth(async (ns) => {
    ip(ns, "addr", "add", "10.0.0.1/24", "dev", "v0");
    ip(ns, "addr", "add", "10.0.1.1/24", "dev", "v1");
    const v1 = await resolveLinkIndex("v1", { netns: ns });
    const byIndex = await listAddresses({ dev: v1 }, { netns: ns });
    assert.ok(byIndex.length >= 2 && byIndex.every((a) => a.ifindex === v1 && a.dev === "v1"), "only v1");
    const inet: Address[] = [];
    for await (const a of streamAddresses({ family: "inet" }, { netns: ns })) inet.push(a);
    assert.deepEqual(inet.map((a) => a.local).sort(), ["10.0.0.1", "10.0.1.1", "127.0.0.1"]);
    assert.deepEqual(
      (await listAddresses({ family: 10, dev: "lo" }, { netns: ns })).map((a) => [a.local, a.scope, a.protocol]),
      [["::1", "host", "kernel_lo"]],
    );
    await assert.rejects(listAddresses({ dev: "nope0" }, { netns: ns }), {
      name: "NotFoundError",
      message: 'Unknown link: "nope0"',
    });
  });
});

test(
  "addAddress: IPv4 with broadcast, label, metric and lifetimes; IPv6 flags; peer",
  { skip: NEEDS_ROOT },
  async () => {
    await withVeth(async (ns) => {
      const o = { netns: ns };
      await addAddress("v0", "10.2.0.1/24", {
        broadcast: true,
        label: "v0:web",
        metric: 7,
        validLft: 600,
        preferredLft: 300,
      }, o);
      await addAddress("v0", "10.3.0.1/32", { peer: "10.3.0.2/32", scope: "link" }, o);
      await addAddress("v0", "127.1.0.1/8", {}, o);
      await addAddress("v1", "2001:db8:2::1/64", { flags: ["nodad", "noprefixroute", "home"], metric: 9 }, o);
      const got = await listAddresses({}, o);
      const a = got.find((x) => x.local === "10.2.0.1")!;
      assert.deepEqual(
        [a.broadcast, a.label, a.metric, a.flags, a.prefixLen, a.scope],
        ["10.2.0.255", "v0:web", 7, [], 24, "global"],
      );
      assert.ok(a.validLft === 600 || a.validLft === 599, String(a.validLft));
      const p = got.find((x) => x.local === "10.3.0.1")!;
      assert.deepEqual([p.peer, p.scope], ["10.3.0.2", "link"]);
      assert.equal(got.find((x) => x.local === "127.1.0.1")!.scope, "host");
      const six = got.find((x) => x.local === "2001:db8:2::1")!;
      assert.deepEqual(six.flags, ["nodad", "homeaddress", "permanent", "noprefixroute"]);
      // iproute2 sees the same, key by key.
      await assertMatchesIp(ns);
      const theirs = ipAddrs(ns, "v0").find((x: Json) => x.local === "10.2.0.1");
      assert.deepEqual([theirs.label, theirs.metric, theirs.broadcast, theirs.dynamic], [
        "v0:web",
        7,
        "10.2.0.255",
        true,
      ]);
    });
  },
);

test("adding an address twice is refused by the kernel with EEXIST", { skip: NEEDS_ROOT }, async () => {
  await withVeth(async (ns) => {
    await addAddress("v0", "10.4.0.1/24", {}, { netns: ns });
    await assert.rejects(addAddress("v0", "10.4.0.1/24", {}, { netns: ns }), (e) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EEXIST");
      assert.equal(e.kernelMessage, "ipv4: Address already assigned");
      return true;
    });
    await addAddress("v0", "2001:db8:4::1/64", { flags: ["nodad"] }, { netns: ns });
    await assert.rejects(addAddress("v0", "2001:db8:4::1/64", {}, { netns: ns }), {
      code: "EEXIST",
      kernelMessage: "ipv6: address already assigned",
    });
    assert.equal(ipAddrs(ns, "v0").filter((x: Json) => x.local === "10.4.0.1").length, 1);
  });
});

test("replaceAddress updates lifetimes and metric in place", { skip: NEEDS_ROOT }, async () => {
  await withVeth(async (ns) => {
    const o = { netns: ns };
    await replaceAddress("v0", "10.5.0.1/24", {}, o); // creates
    await replaceAddress("v0", "10.5.0.1/24", { validLft: 900, metric: 3 }, o);
    const [a] = (await listAddresses({ dev: "v0", family: "inet" }, o)).filter((x) => x.local === "10.5.0.1");
    assert.ok(a.validLft === 900 || a.validLft === 899, String(a.validLft));
    assert.equal(a.preferredLft, a.validLft);
    assert.equal(a.metric, 3);
    const theirs = ipAddrs(ns, "v0").find((x: Json) => x.local === "10.5.0.1");
    assert.ok(Math.abs(theirs.valid_life_time - 900) <= 1);
    assert.equal(theirs.metric, 3);
    assert.equal(ipAddrs(ns, "v0").filter((x: Json) => x.local === "10.5.0.1").length, 1);
  });
});

test("deleteAddress by text and by listed Address; missing ones are refused", { skip: NEEDS_ROOT }, async () => {
  await withVeth(async (ns) => {
    const o = { netns: ns };
    ip(ns, "addr", "add", "10.6.0.1/24", "dev", "v0");
    ip(ns, "addr", "add", "10.6.1.1", "peer", "10.6.1.2/32", "dev", "v0");
    ip(ns, "addr", "add", "2001:db8:6::1/64", "dev", "v0", "nodad");
    await deleteAddress("v0", "10.6.0.1/24", o);
    await deleteAddress("v0", "2001:db8:6::1/64", o);
    const peer = (await listAddresses({ dev: "v0" }, o)).find((a) => a.local === "10.6.1.1")!;
    await deleteAddress(peer, o);
    const left = (await listAddresses({ dev: "v0" }, o)).map((a) => a.local);
    assert.deepEqual(left.filter((l) => !l?.startsWith("fe80")), []);
    assert.deepEqual(ipAddrs(ns, "v0").map((x: Json) => x.local).filter((l: string) => !l.startsWith("fe80")), []);
    await assert.rejects(deleteAddress("v0", "10.6.0.1/24", o), {
      code: "EADDRNOTAVAIL",
      kernelMessage: "ipv4: Address not found",
    });
    await assert.rejects(deleteAddress("v0", "2001:db8:6::1/64", o), {
      code: "EADDRNOTAVAIL",
      kernelMessage: "ipv6: address not found",
    });
  });
});

test("flushAddresses by link, family and scope", { skip: NEEDS_ROOT }, async () => {
  await withVeth(async (ns) => {
    const o = { netns: ns };
    for (const a of ["10.7.0.1/24", "10.7.0.2/24", "10.7.1.1/24"]) ip(ns, "addr", "add", a, "dev", "v0");
    ip(ns, "addr", "add", "10.7.2.1/24", "dev", "v1");
    ip(ns, "addr", "add", "2001:db8:7::1/64", "dev", "v0", "nodad");
    // Link-local addresses only: the global ones stay.
    assert.equal(await flushAddresses({ dev: "v0", scope: "link" }, o), 1);
    assert.deepEqual(ipAddrs(ns, "v0").filter((x: Json) => x.scope === "link"), []);
    // IPv4 of v0: 10.7.0.2 is a secondary of 10.7.0.1 and goes with it.
    const n = await flushAddresses({ dev: "v0", family: "inet" }, o);
    assert.ok(n === 2 || n === 3, String(n));
    assert.deepEqual(ipAddrs(ns, "v0").map((x: Json) => x.local), ["2001:db8:7::1"]);
    assert.deepEqual(ipAddrs(ns, "v1").filter((x: Json) => x.family === "inet").map((x: Json) => x.local), [
      "10.7.2.1",
    ]);
    assert.deepEqual((await listAddresses({ dev: "v0" }, o)).map((a) => a.local), ["2001:db8:7::1"]);
    await assertMatchesIp(ns);
  });
});

test("bad input is refused before anything is sent", async () => {
  // The namespace does not exist: reaching the socket would fail differently.
  const o = { netns: "nlkit-no-such-netns" };
  await assert.rejects(addAddress("v0", "10.0.0.300/24", {}, o), {
    name: "InvalidArgumentError",
    message: 'Invalid address or prefix: "10.0.0.300/24"',
  });
  await assert.rejects(addAddress("v0", "10.0.0.1/33", {}, o), InvalidArgumentError);
  await assert.rejects(addAddress("v0", "10.0.0.1/24", { validLft: -1 }, o), InvalidArgumentError);
  await assert.rejects(addAddress("v0", "10.0.0.1/24", { validLft: 10, preferredLft: 20 }, o), InvalidArgumentError);
  await assert.rejects(addAddress("v0", "10.0.0.1/24", { scope: "galaxy" }, o), {
    name: "InvalidArgumentError",
    message: 'Unknown scope: "galaxy"',
  });
  await assert.rejects(addAddress("v0", "10.0.0.1/24", { flags: ["sparkly"] }, o), InvalidArgumentError);
  await assert.rejects(addAddress("v0", "2001:db8::1/64", { label: "v0:x" }, o), InvalidArgumentError);
  await assert.rejects(addAddress("v0", "2001:db8::1/64", { broadcast: true }, o), InvalidArgumentError);
  await assert.rejects(addAddress("v0", "10.0.0.1/24", { peer: "2001:db8::2" }, o), InvalidArgumentError);
  await assert.rejects(addAddress("v0", "10.0.0.1/24", { label: "a label with spaces" }, o), InvalidArgumentError);
  await assert.rejects(addAddress("v0", "10.0.0.1/24", { metric: 2 ** 33 }, o), InvalidArgumentError);
  await assert.rejects(deleteAddress("v0", "nope", o), InvalidArgumentError);
  await assert.rejects(listAddresses({ family: "ipx" as "inet" }, o), InvalidArgumentError);
  await assert.rejects(flushAddresses({ scope: 300 }, o), InvalidArgumentError);
});

test("addressToIpJson keeps what iproute2 prints for a bare address", () => {
  const a: Address = {
    family: "inet",
    address: "127.0.0.1/8",
    prefixLen: 8,
    ifindex: 1,
    scope: "host",
    flags: ["permanent"],
    local: "127.0.0.1",
  };
  assert.deepEqual(addressToIpJson(a), { family: "inet", local: "127.0.0.1", prefixlen: 8, scope: "host" });
});
