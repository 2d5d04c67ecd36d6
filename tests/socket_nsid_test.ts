/**
 * `NETLINK_LISTEN_ALL_NSID`: the control-message parser, the transport's
 * per-message namespace id (fake kernel, then the real one with a peer
 * namespace that has an id), on Deno and Bun.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { NetlinkSocket } from "../src/socket/mod.ts";
import { nsidOfControl } from "../src/socket/cmsg.ts";
import { datagram, fakeSys, frame } from "../src/testing/mod.ts";
import { subscribeMonitor } from "../src/route/monitor_events.ts";
import { ip, NEEDS_ROOT, run, uniqueName, withTempNetns } from "./_helpers.ts";

/** One `struct cmsghdr` (LP64) with an int of data. */
function cmsg(level: number, type: number, value: number, len = 20): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(len), true);
  v.setInt32(8, level, true);
  v.setInt32(12, type, true);
  v.setInt32(16, value, true);
  return b;
}

const join = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) (out.set(p, off), off += p.length);
  return out;
};

test("nsidOfControl reads SOL_NETLINK/NETLINK_LISTEN_ALL_NSID as rtnl_listen does", () => {
  assert.equal(nsidOfControl(cmsg(270, 8, 5), 24), 5);
  assert.equal(nsidOfControl(cmsg(270, 8, 5), 20), 5, "the last message needs no padding");
  assert.equal(nsidOfControl(new Uint8Array(64), 0), undefined, "no control data: the own namespace");
  assert.equal(nsidOfControl(cmsg(1, 8, 5), 24), undefined, "another level");
  assert.equal(nsidOfControl(cmsg(270, 3, 5), 24), undefined, "another type");
  assert.equal(nsidOfControl(cmsg(270, 8, 5, 24), 24), undefined, "not CMSG_LEN(sizeof(int))");
  assert.equal(nsidOfControl(cmsg(270, 8, -1), 24), undefined, "a negative id is the own namespace");
  assert.equal(nsidOfControl(join(cmsg(1, 29, 0), cmsg(270, 8, 7)), 48), 7, "after another message");
  assert.equal(nsidOfControl(join(cmsg(270, 8, 2), cmsg(270, 8, 9)), 48), 9, "the last one wins");
  assert.equal(nsidOfControl(cmsg(270, 8, 5, 0), 24), undefined, "a zero length ends the walk");
  assert.equal(nsidOfControl(cmsg(270, 8, 5, 400), 24), undefined, "a length past the end ends the walk");
  for (let n = 0; n < 24; n++) nsidOfControl(cmsg(270, 8, 5), n); // any cut: no throw, no hang
});

test("listenAllNsid: each message's namespace id is messageNsid while it is parsed (fake kernel)", async () => {
  const sys = fakeSys(() => []);
  sys.queue.push(
    { bytes: datagram(frame(0x10, 0, 0, new Uint8Array([1, 0, 0, 0]))), groups: 1, nsid: 4 },
    { bytes: datagram(frame(0x10, 0, 0, new Uint8Array([2, 0, 0, 0]))), groups: 1 },
  );
  using sock = NetlinkSocket.openWith(sys, 0, { listenAllNsid: true, groups: [1] });
  const got: [number, number | undefined][] = [];
  const ac = new AbortController();
  for await (
    const item of sock.messages((m) => [m.buf[m.start + 16], sock.messageNsid] as const, { signal: ac.signal })
  ) {
    if (Array.isArray(item)) got.push([item[0], item[1]]);
    if (got.length === 2) ac.abort();
  }
  assert.deepEqual(got, [[1, 4], [2, undefined]]);
  // Without the option the control data is not asked for: recvfrom, no ids.
  const plain = fakeSys(() => []);
  plain.queue.push({ bytes: datagram(frame(0x10, 0, 0, new Uint8Array(4))), groups: 1, nsid: 4 });
  using s2 = NetlinkSocket.openWith(plain, 0, { groups: [1] });
  const ac2 = new AbortController();
  for await (const _ of s2.messages(() => s2.messageNsid, { signal: ac2.signal })) {
    assert.equal(_, undefined);
    ac2.abort();
  }
});

test("subscribeMonitor allNsid tags events of a peer namespace with its id, own events without", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    const peer = uniqueName("nlkt-peer");
    run("ip", ["netns", "add", peer]);
    try {
      ip(ns, "netns", "set", peer, "5");
      const events = await subscribeMonitor({ groups: ["link"], allNsid: true }, { netns: ns });
      const plain = await subscribeMonitor({ groups: ["link"] }, { netns: ns });
      ip(peer, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
      ip(ns, "link", "add", "o0", "type", "veth", "peer", "name", "o1");
      const seen = new Set<string>();
      for await (const ev of events) {
        if (ev.type !== "overrun" && ev.kind === "link") seen.add(`${ev.object.name} ${ev.nsid}`);
        if (seen.has("o0 undefined")) break;
      }
      assert.deepEqual([...seen].sort(), ["o0 undefined", "o1 undefined", "p0 5", "p1 5"]);
      // Without allNsid the peer's changes never arrive: the first event is the own o1.
      for await (const ev of plain) {
        assert.ok(ev.type !== "overrun" && ev.kind === "link" && ev.object.name === "o1" && ev.nsid === undefined);
        break;
      }
    } finally {
      run("ip", ["netns", "del", peer]);
    }
  });
});

test("a seq-0 kernel message reported with nl_groups 0 (a group above 32) reaches the multicast reader", async () => {
  const sys = fakeSys(() => []);
  sys.queue.push({ bytes: datagram(frame(92, 0, 0, new Uint8Array([7, 0, 0, 0]))), groups: 0 });
  using sock = NetlinkSocket.openWith(sys, 0, { groups: [36] });
  const ac = new AbortController();
  const got: number[] = [];
  for await (const item of sock.messages((m) => m.type, { signal: ac.signal })) {
    if (typeof item === "number") got.push(item);
    ac.abort();
  }
  assert.deepEqual(got, [92]);
  assert.equal(sock.unmatchedDropped, 0);
  // A socket in no group still drops it (no request waits for seq 0).
  const sys2 = fakeSys(() => []);
  sys2.queue.push({ bytes: datagram(frame(92, 0, 0, new Uint8Array(4))), groups: 0 });
  using lone = NetlinkSocket.openWith(sys2, 0);
  await assert.rejects(lone.request(frame(0x10, 0, 0), undefined, { timeout: 50 }));
  assert.equal(lone.unmatchedDropped, 1);
});
