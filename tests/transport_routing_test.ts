/**
 * Reply routing and load: a reply must be unicast from the kernel to our
 * port id with our sequence number (notifications go to the multicast
 * reader), ENOBUFS fails or retries exactly the requests whose replies
 * were lost, and thousands of concurrent requests on one socket with the
 * default receive buffer are all answered. Fake kernel first, then the
 * real one, racing a second socket that reuses our sequence numbers.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { getLink } from "../src/route/mod.ts";
import { isOverrun, loadSys, NetlinkSocket, ReplyLostError } from "../src/socket/mod.ts";
import { MessageBuilder, NETLINK_ROUTE } from "../src/wire/mod.ts";
import { withNetns } from "../src/netns/mod.ts";
import { datagram, errorFrame, FAKE_PORT, type FakeSys, fakeSys, frame } from "../src/testing/mod.ts";
import { NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

const TYPE = 0x20;
const ENOBUFS = 105;
const req = () => frame(TYPE, 0, 0);
const reply = (seq: number, n: number, pid = FAKE_PORT) => {
  const m = frame(TYPE, 0, seq, new Uint8Array([n, 0, 0, 0]));
  new DataView(m.buffer).setUint32(12, pid, true);
  return m;
};
const valueOf = (m: { buf: Uint8Array; start: number }) => m.buf[m.start + 16];

test("a notification carrying our seq and port id is never taken as the reply", async () => {
  const sys = fakeSys((_r, seq) => [
    // Another process's change, stamped with our next seq: multicast, so it goes to the listener.
    { bytes: reply(seq, 66), groups: 1 },
    // A unicast message addressed to another port with our seq: not a reply either.
    { bytes: reply(seq, 77, 999) },
    { bytes: datagram(reply(seq, 5), errorFrame(seq, 0)) },
  ]);
  using sock = NetlinkSocket.openWith(sys, 0);
  const ac = new AbortController();
  const events: number[] = [];
  const listening = (async () => {
    for await (const v of sock.messages(valueOf, { signal: ac.signal })) {
      if (typeof v === "number") events.push(v);
      if (events.length === 2) ac.abort();
    }
  })();
  assert.deepEqual(await sock.request(req(), valueOf), [5]);
  await listening;
  assert.deepEqual(events, [66, 77]);
});

test("replies from port 0 with our seq are accepted, as libmnl does; other seqs are dropped", async () => {
  const sys = fakeSys((_r, seq) => [{ bytes: datagram(reply(seq + 7, 1), reply(seq, 2, 0), errorFrame(seq, 0)) }]);
  using sock = NetlinkSocket.openWith(sys, 0);
  assert.deepEqual(await sock.request(req(), valueOf), [2]);
  assert.equal(sock.unmatchedDropped, 1);
});

/** 40 requests wait; the kernel reports ENOBUFS having dropped the replies of requests 10 to 19. */
function overflowing(
  idempotent: boolean,
): { sys: FakeSys; sock: NetlinkSocket; pending: Promise<{ ok: boolean; v?: number[]; e?: unknown }>[] } {
  const sys = fakeSys((_r, seq) => [{ bytes: datagram(reply(seq, seq & 0xff), errorFrame(seq, 0)) }], true);
  const sock = NetlinkSocket.openWith(sys, 0, { idempotent: () => idempotent, maxInFlight: 100 });
  const pending = Array.from(
    { length: 40 },
    () => sock.request(req(), valueOf).then((v) => ({ ok: true, v }), (e) => ({ ok: false, e })),
  );
  return { sys, sock, pending };
}

async function overflow(sys: FakeSys): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(sys.held.length, 40);
  const replies = sys.held.splice(0);
  sys.queue.push(...replies.slice(0, 10), { bytes: new Uint8Array(0), errno: ENOBUFS }, ...replies.slice(20));
  sys.release(sys.held.length); // wakes the poller (nothing is held)
}

test("ENOBUFS amid 40 pending requests fails exactly the 10 whose replies were lost", async () => {
  const { sys, sock, pending } = overflowing(false);
  using _ = sock;
  await overflow(sys);
  const results = await Promise.all(pending);
  const lost = results.flatMap((r, i) => r.ok ? [] : [i]);
  assert.deepEqual(lost, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  for (const r of results) if (!r.ok) assert.ok(r.e instanceof ReplyLostError);
  assert.ok(results.every((r, i) => !r.ok || r.v![0] === (seqOf(sys.sent[i]) & 0xff)));
});

test("ENOBUFS amid pending idempotent requests resends exactly the lost ones", async () => {
  const { sys, sock, pending } = overflowing(true);
  using _ = sock;
  await overflow(sys);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(sys.held.length, 10, "the ten lost requests were sent again");
  assert.equal(sys.sent.length, 50);
  while (sys.held.length) sys.release(0);
  const results = await Promise.all(pending);
  assert.ok(results.every((r) => r.ok));
});

const seqOf = (m: Uint8Array) => new DataView(m.buffer, m.byteOffset).getUint32(8, true);

test("requests beyond maxInFlight wait in userspace and all complete", async () => {
  const sys = fakeSys((_r, seq) => [{ bytes: errorFrame(seq, 0) }], true);
  using sock = NetlinkSocket.openWith(sys, 0, { maxInFlight: 4 });
  const all = Promise.all(Array.from({ length: 20 }, () => sock.request(req())));
  for (let released = 0; released < 20;) {
    await new Promise((r) => setTimeout(r, 1));
    assert.ok(sys.held.length <= 4, `${sys.held.length} in flight`);
    if (sys.held.length) {
      sys.release(0);
      released++;
    }
  }
  await all;
  assert.equal(sys.sent.length, 20);
});

// --- the real kernel ---

const RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTNLGRP_IPV4_IFADDR = 5;
/**
 * A rival on a raw socket of its own (another port id, as another process
 * has): adds 10.7.7.7/24 to lo with the sequence number `seq`, which the
 * kernel copies into its RTM_NEWADDR notification.
 */
async function rival(ns: string, seq: number): Promise<void> {
  const sys = await loadSys();
  const fd = withNetns(sys, ns, () => sys.socket(16, 3, NETLINK_ROUTE)); // AF_NETLINK, SOCK_RAW
  try {
    const kernel = new Uint8Array(12);
    kernel[0] = 16;
    sys.bind(fd, kernel.slice());
    const msg = new MessageBuilder(RTM_NEWADDR, 0x605) // NLM_F_REQUEST|ACK|EXCL|CREATE
      .raw(new Uint8Array([2, 24, 0, 0, 1, 0, 0, 0])) // ifaddrmsg: AF_INET /24 on ifindex 1
      .raw(new Uint8Array([8, 0, 2, 0, 10, 7, 7, 7, 8, 0, 1, 0, 10, 7, 7, 7])) // IFA_LOCAL, IFA_ADDRESS
      .finish();
    new DataView(msg.buffer, msg.byteOffset).setUint32(8, seq, true);
    assert.equal(sys.sendto(fd, msg, 0, kernel), msg.length);
    const ack = new Uint8Array(4096);
    assert.ok(sys.recvfrom(fd, ack, ack.length, 0, null) > 0);
    assert.equal(new DataView(ack.buffer).getInt32(16, true), 0, "the rival added its address");
  } finally {
    sys.close(fd);
  }
}
const IFINFOMSG = { family: "u8", pad: "pad1", type: "u16", index: "s32", flags: "u32", change: "u32" } as const;

test(
  "another socket racing our sequence numbers cannot answer our request (issue 9.1)",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      // Listens to IPv4 address changes and sends requests, as the victim did.
      await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns, groups: [RTNLGRP_IPV4_IFADDR] });
      const getLo = () => new MessageBuilder(RTM_GETLINK, 0).struct(IFINFOMSG, { index: 1 }).finish();
      const first = getLo();
      await sock.request(first);
      const ours = seqOf(first) + 1;
      await rival(ns, ours); // its notification now waits in our queue, with the seq of our next request
      const reply = await sock.request(getLo(), (m) => ({ type: m.type, index: m.view.getInt32(m.start + 20, true) }));
      assert.deepEqual(reply, [{ type: RTM_NEWLINK, index: 1 }]);
      assert.equal((await getLink("lo", { socket: sock })).mtu, 65536);
      const ac = new AbortController();
      const seen: number[][] = [];
      for await (const m of sock.messages((m) => [m.type, m.seq], { signal: ac.signal })) {
        if (!isOverrun(m)) seen.push(m);
        ac.abort();
      }
      assert.deepEqual(seen, [[RTM_NEWADDR, ours]], "the listener got the notification");
    });
  },
);
