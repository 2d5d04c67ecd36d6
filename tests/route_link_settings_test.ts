/**
 * Link flags (`promisc`, `arp`, `multicast`, `allmulticast`), index, queue
 * counts and GSO/GRO limits: request bytes against iproute2's own
 * (`strace -e trace=sendmsg -e write=3 ip link ...`), and the kernel's view
 * through `ip -j -d` in throwaway namespaces.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/errors.ts";
import { getLink, type Link, parseLinkMessage } from "../src/route/link/api.ts";
import {
  changeLink,
  changeLinkRequest,
  createLink,
  createLinkRequest,
  linkFlagChange,
} from "../src/route/link/change.ts";
import { readMessage } from "../src/wire/message.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { unhex } from "./_vectors.ts";
import { ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

function parse(bytes: Uint8Array): Link {
  return parseLinkMessage(readMessage(bytes, new DataView(bytes.buffer, bytes.byteOffset), 0, bytes.length));
}

// `ip link add dev e0 index 78 numtxqueues 4 numrxqueues 2 gso_max_size 32000 gso_max_segs 100
//  gro_max_size 30000 type veth peer name e1`, from iproute2 6.1.
const IP_CREATE = unhex(`7c000000 1000 0506 129c0e6b 00000000
  00000000 4e000000 00000000 00000000
  08001f00 04000000 08002000 02000000 08002900 007d0000 08002800 64000000
  08003a00 30750000 07000300 65300000 2c001200 08000100 76657468 20000200
  1c000100 00000000 00000000 00000000 00000000 07000300 65310000`);

// `ip link set e0 promisc on arp off multicast off allmulticast on` (e0 = index 78).
const IP_FLAGS = unhex(`20000000 1000 0500 139c0e6b 00000000 00000000 4e000000 80030000 80130000`);

/** The veth of both captures: index, queue counts and GSO/GRO limits. */
const E0 = {
  kind: "veth",
  name: "e0",
  index: 78,
  numTxQueues: 4,
  numRxQueues: 2,
  gsoMaxSize: 32000,
  gsoMaxSegs: 100,
  groMaxSize: 30000,
  peer: { name: "e1" },
} as const;

test("createLinkRequest: index, queue counts and GSO/GRO limits as iproute2 sends them", () => {
  const ours = parse(createLinkRequest(E0));
  const theirs = parse(IP_CREATE);
  for (const k of ["index", "name", "numTxQueues", "numRxQueues", "gsoMaxSize", "gsoMaxSegs", "groMaxSize"] as const) {
    assert.deepEqual(ours[k], theirs[k], k);
  }
  assert.equal(ours.index, 78);
  assert.equal(ours.numTxQueues, 4);
  assert.equal(ours.linkinfo?.kind, "veth");
});

test("changeLinkRequest: flag words give iproute2's ifi_flags/ifi_change bytes", () => {
  const ours = changeLinkRequest(78, { promisc: true, arp: false, multicast: false, allmulticast: true });
  // Same header fields (type), same ifinfomsg: flags NOARP|PROMISC|ALLMULTI, change adds MULTICAST.
  assert.deepEqual(ours.subarray(4, 6), IP_FLAGS.subarray(4, 6));
  assert.deepEqual(ours.subarray(16), IP_FLAGS.subarray(16));
  assert.deepEqual(linkFlagChange({ arp: true, up: false }), { flags: 0, change: 0x81 });
  assert.deepEqual(linkFlagChange({ multicast: true }), { flags: 0x1000, change: 0x1000 });
  assert.deepEqual(linkFlagChange({}), { flags: 0, change: 0 });
});

test("bad settings are refused before anything is built", () => {
  const base = { kind: "veth", name: "e0" } as const;
  assert.throws(() => createLinkRequest({ ...base, numTxQueues: 0 }), {
    name: "InvalidArgumentError",
    message: 'Invalid numtxqueues: "0" (must be 1 to 4096)',
  });
  assert.throws(() => createLinkRequest({ ...base, numRxQueues: 4097 }), InvalidArgumentError);
  assert.throws(() => createLinkRequest({ ...base, gsoMaxSegs: 70000 }), InvalidArgumentError);
  assert.throws(() => createLinkRequest({ ...base, index: 0 }), InvalidArgumentError);
  assert.throws(() => changeLinkRequest(3, { promisc: "on" as unknown as boolean }), {
    name: "InvalidArgumentError",
    message: 'Invalid promisc: "on" (must be true or false)',
  });
  assert.throws(() => changeLinkRequest(3, { index: 5 } as never), /only a new link takes it/);
  assert.throws(() => changeLinkRequest(3, { numTxQueues: 5 } as never), /only a new link takes it/);
});

test("created with index, queues and GSO/GRO limits; ip -d agrees", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const l = await createLink(E0, o);
    assert.equal(l?.index, 78);
    const [j] = ipJson(ns, "-d", "link", "show", "e0");
    assert.deepEqual(
      [j.ifindex, j.num_tx_queues, j.num_rx_queues, j.gso_max_size, j.gso_max_segs, j.gro_max_size],
      [78, 4, 2, 32000, 100, 30000],
    );
    // The peer keeps the defaults: the settings went to e0 only.
    const [peer] = ipJson(ns, "-d", "link", "show", "e1");
    assert.notEqual(peer.num_tx_queues, 4);
    assert.equal(peer.gso_max_size, 65536);
    await changeLink("e0", { gsoMaxSize: 20000, gsoMaxSegs: 50 }, o);
    const [k] = ipJson(ns, "-d", "link", "show", "e0");
    assert.deepEqual([k.gso_max_size, k.gso_max_segs], [20000, 50]);
    // An index in use is the kernel's refusal.
    await assert.rejects(createLink({ kind: "veth", name: "e2", index: 78 }, o), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EEXIST");
      return true;
    });
  });
});

test("promisc, arp, multicast and allmulticast set and cleared; ip agrees", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ kind: "veth", name: "e0", peer: { name: "e1" }, promisc: true, arp: false }, o);
    const flags = (name: string) => ipJson(ns, "link", "show", name)[0].flags as string[];
    assert.ok(flags("e0").includes("PROMISC"));
    assert.ok(flags("e0").includes("NOARP"));
    assert.ok(!flags("e1").includes("PROMISC"));
    await changeLink("e0", { promisc: false, arp: true, multicast: false, allmulticast: true }, o);
    const f = flags("e0");
    assert.ok(!f.includes("PROMISC") && !f.includes("NOARP") && !f.includes("MULTICAST") && f.includes("ALLMULTI"));
    assert.deepEqual((await getLink("e0", o)).flags.filter((x) => x !== "BROADCAST"), ["ALLMULTI"]);
    assert.equal(ipJson(ns, "-d", "link", "show", "e0")[0].allmulti, 1);
    // Only the flags named change: multicast stays off when promisc is set again.
    await changeLink("e0", { promisc: true }, o);
    assert.deepEqual(flags("e0"), ["BROADCAST", "ALLMULTI", "PROMISC", "M-DOWN"]);
  });
});
