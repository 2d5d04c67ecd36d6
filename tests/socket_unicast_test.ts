/**
 * The transport's unicast reader against a fake kernel (no root needed):
 * kernel messages that answer no request (sequence number 0, as NFQUEUE
 * and NFLOG packets come) reach it, others never do, an overflow is
 * reported without losing what is still queued, and refusals of messages
 * nobody waits for are counted.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { NetlinkSocket, Overrun, ReplyLostError } from "../src/socket/mod.ts";
import { datagram, errorFrame, fakeSys, frame } from "../src/testing/mod.ts";

const PACKET = 0x300; // any type from NLMSG_MIN_TYPE up
const ENOBUFS = 105;
const packet = (n: number, type = PACKET) => frame(type, 0, 0, new Uint8Array([n, 0, 0, 0]));
const value = (m: { buf: Uint8Array; start: number }) => m.buf[m.start + 16];
const kinds = (items: unknown[]) => items.map((x) => x instanceof Overrun ? "overrun" : x);

test("seq-0 kernel messages reach the unicast reader; foreign, multicast and other kinds never do", async () => {
  const sys = fakeSys(() => []);
  using sock = NetlinkSocket.openWith(sys, 12);
  const reader = sock.unicast((m) => m.type === PACKET ? value(m) : undefined);
  sys.queue.push(
    { bytes: datagram(packet(1), packet(2)) },
    { bytes: packet(66), from: 4711 }, // forged by another process
    { bytes: packet(67), groups: 1 }, // multicast: an event, not a packet
    { bytes: packet(68, 0x301) }, // not the reader's kind
    { bytes: packet(3) },
  );
  assert.deepEqual((await reader.next()).value, 1);
  assert.deepEqual(reader.take(10), [2, 3]);
  assert.equal(sock.foreignDropped, 1);
  assert.equal(sock.unmatchedDropped, 1);
  assert.throws(() => sock.unicast(() => 0), /already has a unicast reader/);
  await reader.return();
  sys.queue.push({ bytes: packet(4) });
  assert.deepEqual(sock.unicast(value).take(5), [4], "a new reader may start once the first returned");
});

test("an overflow is reported and reading goes on: nothing queued is drained", () => {
  const sys = fakeSys(() => []);
  using sock = NetlinkSocket.openWith(sys, 12);
  const reader = sock.unicast(value);
  sys.queue.push({ bytes: packet(1) }, { bytes: new Uint8Array(0), errno: ENOBUFS }, { bytes: packet(2) });
  assert.deepEqual(kinds(reader.take(10)), [1, "overrun", 2]);
  // The multicast readers' policy, when asked for: what was queued at the overflow is dropped.
  using drained = NetlinkSocket.openWith(sys, 12);
  const r2 = drained.unicast(value, { overrun: "drain" });
  sys.queue.push({ bytes: packet(1) }, { bytes: new Uint8Array(0), errno: ENOBUFS }, { bytes: packet(2) });
  assert.deepEqual(kinds(r2.take(10)), [1, "overrun"]);
  assert.throws(() => sock.unicast(value, { overrun: "later" as "drain" }), /Invalid overrun policy/);
});

test("a request whose ack the overflow took fails once the queue is read to its end; the others complete", async () => {
  let drop = true;
  const sys = fakeSys((_r, seq) => {
    if (!drop) return [{ bytes: errorFrame(seq, 0) }];
    drop = false;
    // The kernel answered, but the answer was lost: ENOBUFS instead, and a packet after it.
    return [{ bytes: new Uint8Array(0), errno: ENOBUFS }, { bytes: packet(9) }];
  });
  using sock = NetlinkSocket.openWith(sys, 12);
  const reader = sock.unicast(value);
  await assert.rejects(sock.request(frame(0x302, 0, 0)), ReplyLostError);
  assert.deepEqual(await sock.request(frame(0x302, 0, 0)), []);
  assert.deepEqual(kinds(reader.take(10)), ["overrun", 9], "the packet behind the overflow was kept");
});

test("a refusal of a message sent without waiting is counted with its error", () => {
  const sys = fakeSys((_r, seq) => [{ bytes: errorFrame(seq, 2, 0x301) }]);
  using sock = NetlinkSocket.openWith(sys, 12, { describe: (t) => `TYPE_${t.toString(16)}` });
  const reader = sock.unicast(value);
  sock.send(frame(0x301, 0, 0));
  assert.deepEqual(reader.take(5), []);
  assert.equal(sock.strayRefusals, 1);
  assert.equal(sock.lastStrayRefusal?.code, "ENOENT");
  assert.match(sock.lastStrayRefusal!.message, /TYPE_301/);
});

test("closing the socket ends a waiting reader; a parse error reaches the reader", async () => {
  const sys = fakeSys(() => [], true);
  const sock = NetlinkSocket.openWith(sys, 12);
  const reader = sock.unicast((m) => {
    if (value(m) === 13) throw new RangeError("bad packet");
    return value(m);
  });
  sys.queue.push({ bytes: packet(13) }, { bytes: packet(14) });
  await assert.rejects(reader.next(), /bad packet/);
  assert.equal((await reader.next()).value, 14);
  const pending = reader.next();
  sock.close();
  assert.deepEqual(await pending, { done: true, value: undefined });
});

test("with receiveBatch, datagrams read many per call arrive in order, checked one by one", () => {
  const sys = fakeSys(() => []);
  let calls = 0;
  const recvmmsg = sys.recvmmsg;
  sys.recvmmsg = (fd, vec, flags) => (calls++, recvmmsg(fd, vec, flags));
  using sock = NetlinkSocket.openWith(sys, 12, { receiveBatch: 3 });
  const reader = sock.unicast((m) => m.type === PACKET ? value(m) : undefined);
  const big = frame(PACKET, 0, 0, new Uint8Array(70000)); // does not fit the 64 KiB slot
  sys.queue.push(
    { bytes: datagram(packet(1), packet(2)) },
    { bytes: packet(66), from: 4711 }, // forged, in the middle of a batch
    { bytes: packet(3) },
    { bytes: new Uint8Array(0), errno: ENOBUFS }, // ends the second call's batch early
    { bytes: big },
    { bytes: packet(4) },
    { bytes: packet(5) },
  );
  // ENOBUFS, then the cut datagram: two losses, each reported; the socket reads on with a grown buffer.
  assert.deepEqual(kinds(reader.take(20)), [1, 2, 3, "overrun", "overrun", 4, 5]);
  assert.equal(sock.foreignDropped, 1);
  assert.equal(calls, 3, "three datagrams, ENOBUFS, the cut one and two more; then one recvfrom at a time");
  assert.equal(sock.datagramBuffer, big.length);
  sys.queue.push({ bytes: big }, { bytes: packet(6) });
  assert.equal(reader.take(20).length, 2, "after the fallback a large datagram fits");
  assert.throws(() => NetlinkSocket.openWith(sys, 12, { receiveBatch: 0 }), /Invalid receive batch/);
});
