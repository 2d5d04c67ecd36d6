/**
 * The socket against a fake kernel (no root needed): interrupted dumps,
 * stale or foreign replies, refusals, oversized datagrams, malformed
 * replies, closed sockets and permission errors.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { refusal } from "../src/errors.ts";
import { makeSys } from "../src/sys/sys.ts";
import { DumpInterruptedError, NetlinkSocket, ReplyLostError } from "../src/socket/mod.ts";
import { MalformedError, NetlinkError, NLM_F_DUMP_INTR, NLM_F_MULTI, NLMSG_DONE } from "../src/wire/mod.ts";
import { InvalidArgumentError, PermissionError } from "../mod.ts";
import { datagram, errorFrame, fakeSys, frame } from "../src/testing/mod.ts";

const TYPE = 0x20;
const req = () => frame(TYPE, 0, 0);
const done = (seq: number, flags = NLM_F_MULTI) => frame(NLMSG_DONE, flags, seq, new Uint8Array(4));
const item = (seq: number, n: number, flags = NLM_F_MULTI) => frame(TYPE, flags, seq, new Uint8Array([n, 0, 0, 0]));
const value = (m: { buf: Uint8Array; start: number }) => m.buf[m.start + 16];

const errorMsg = (seq: number, errno: number) => errorFrame(seq, errno, TYPE);

test("an interrupted dump yields what it read, then throws DumpInterruptedError", async () => {
  const sys = fakeSys((
    _r,
    seq,
  ) => [{ bytes: datagram(item(seq, 1), item(seq, 2, NLM_F_MULTI | NLM_F_DUMP_INTR), done(seq)) }]);
  using sock = NetlinkSocket.openWith(sys, 0);
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const v of sock.dump(req(), value)) got.push(v);
  }, (e: unknown) => e instanceof DumpInterruptedError && e.count === 2);
  assert.deepEqual(got, [1, 2]);
  await assert.rejects(sock.dumpAll(req(), value), (e: unknown) => {
    assert.ok(e instanceof DumpInterruptedError);
    assert.deepEqual(e.partial, [1, 2]);
    return true;
  });
});

test("dumpAll retries an interrupted dump when asked", async () => {
  let calls = 0;
  const sys = fakeSys((_r, seq) => {
    const flags = ++calls === 1 ? NLM_F_MULTI | NLM_F_DUMP_INTR : NLM_F_MULTI;
    return [{ bytes: datagram(item(seq, calls, flags), done(seq)) }];
  });
  using sock = NetlinkSocket.openWith(sys, 0);
  assert.deepEqual(await sock.dumpAll(req(), value, { retries: 2 }), [2]);
  assert.equal(calls, 2);
});

test("replies with a stale sequence number or a foreign sender are ignored", async () => {
  const sys = fakeSys((_r, seq) => [
    { bytes: datagram(item(seq - 1, 9), done(seq - 1)) }, // a stale dump's tail
    { bytes: datagram(errorMsg(seq, 1)), from: 777 }, // forged EPERM from another process
    { bytes: datagram(item(seq, 5), done(seq)) },
  ]);
  using sock = NetlinkSocket.openWith(sys, 0);
  assert.deepEqual(await sock.dumpAll(req(), value), [5]);
  assert.equal(sock.foreignDropped, 1);
});

test("a dump with reuseMessage hands the parser one message object, refilled for each; without it, one each", async () => {
  const sys = fakeSys((_r, seq) => [{ bytes: datagram(item(seq, 1), item(seq, 2)) }, { bytes: datagram(done(seq)) }]);
  using sock = NetlinkSocket.openWith(sys, 0);
  for (const reuseMessage of [true, false, undefined]) {
    const seen: { seq: number; start: number }[] = [];
    const starts: number[] = [];
    const got = await sock.dumpAll(req(), (m) => {
      seen.push(m);
      starts.push(m.start);
      return value(m);
    }, { reuseMessage });
    assert.deepEqual(got, [1, 2]);
    assert.deepEqual(starts, [0, 20]);
    assert.equal(seen[0] === seen[1], reuseMessage === true, `reuseMessage ${reuseMessage}`);
    if (!reuseMessage) assert.deepEqual(seen.map((m) => m.start), [0, 20]); // each keeps its own header
  }
  assert.throws(
    () => sock.dump(req(), value, { reuseMessage: "yes" as unknown as boolean }),
    (e: unknown) => e instanceof InvalidArgumentError && /Invalid reuseMessage: "yes"/.test(e.message),
  );
});

test("a refusal on NLMSG_DONE is a NetlinkError", async () => {
  const sys = fakeSys((_r, seq) => {
    const d = done(seq);
    new DataView(d.buffer).setInt32(16, -22, true);
    return [{ bytes: datagram(item(seq, 1), d) }];
  });
  using sock = NetlinkSocket.openWith(sys, 0, { describe: () => "TEST_GET" });
  await assert.rejects(sock.dumpAll(req(), value), (e: unknown) => e instanceof NetlinkError && e.code === "EINVAL");
});

test("a datagram larger than the buffer is never cut silently, and the buffer shrinks back", async () => {
  const big = new Uint8Array(100_000).fill(7);
  let huge = true;
  const sys = fakeSys((_r, seq) => {
    const payload = huge ? big : new Uint8Array(4);
    return [{ bytes: datagram(frame(TYPE, 0, seq, payload), errorMsg(seq, 0)) }];
  });
  using sock = NetlinkSocket.openWith(sys, 0);
  // The cut reply is lost: a request that must not be repeated fails with a typed error.
  await assert.rejects(sock.request(req(), (m) => m.end - m.start), ReplyLostError);
  assert.ok(sock.datagramBuffer >= 100_016, "the buffer grew to fit the next such datagram");
  // An idempotent request is sent again and now fits.
  using again = NetlinkSocket.openWith(sys, 0, { idempotent: () => true });
  assert.deepEqual(await again.request(req(), (m) => m.end - m.start), [100_016]);
  huge = false;
  for (let i = 0; i < 20; i++) await sock.request(req());
  assert.equal(sock.datagramBuffer, 65536, "the buffer shrank back after small datagrams");
});

test("a malformed reply fails the request with a typed error and the socket goes on", async () => {
  let bad = true;
  const sys = fakeSys((_r, seq) => {
    if (!bad) return [{ bytes: errorMsg(seq, 0) }];
    bad = false;
    const broken = frame(TYPE, 0, seq);
    new DataView(broken.buffer).setUint32(0, 4, true);
    return [{ bytes: broken }];
  });
  using sock = NetlinkSocket.openWith(sys, 0);
  await assert.rejects(sock.request(req()), MalformedError);
  assert.deepEqual(await sock.request(req()), []);
});

test("a parse error inside a dump surfaces after the dump is drained", async () => {
  const sys = fakeSys((_r, seq) => [{ bytes: datagram(item(seq, 1), item(seq, 2), done(seq)) }]);
  using sock = NetlinkSocket.openWith(sys, 0);
  const parse = (m: { buf: Uint8Array; start: number }) => {
    if (value(m) === 1) throw new RangeError("bad item");
    return value(m);
  };
  await assert.rejects(sock.dumpAll(req(), parse), /bad item/);
  assert.equal(sys.queue.length, 0, "the rest of the dump was read");
});

test("requests on a closed socket reject, and close is idempotent", async () => {
  const sock = NetlinkSocket.openWith(fakeSys(() => []), 0);
  sock.close();
  sock.close();
  assert.equal(sock.closed, true);
  await assert.rejects(sock.request(req()), { name: "SocketClosedError" });
});

test("permission refusals say which capability is missing", () => {
  const kernel = refusal(1, {}, 16, "RTM_NEWLINK");
  assert.ok(kernel instanceof PermissionError && kernel instanceof NetlinkError);
  assert.equal(kernel.message, "RTM_NEWLINK failed: Operation not permitted (EPERM): needs root or CAP_NET_ADMIN");
  assert.deepEqual([kernel.code, kernel.permission, kernel.operation], ["EPERM", "CAP_NET_ADMIN", "RTM_NEWLINK"]);
  const raw = {
    fn: { setns: () => -1, close: () => -1 },
    errno: () => 1,
    address: () => 0n,
    size: (n: number) => n,
    sysBpf: undefined,
  };
  const sys = makeSys("deno", raw, () => Promise.resolve(0));
  assert.throws(() => sys.setns(3, 0), {
    name: "PermissionError",
    permission: "CAP_SYS_ADMIN",
    message: "setns failed: Operation not permitted (EPERM): needs root or CAP_SYS_ADMIN",
  });
  // Other calls keep SysError: EPERM there means something else (e.g. SO_RCVBUFFORCE, retried without force).
  assert.throws(() => sys.close(3), { name: "SysError", code: "EPERM", operation: "close" });
});

test("concurrent requests waiting on a late kernel each finish when their own reply lands", async () => {
  const sys = fakeSys((_r, seq) => [{ bytes: errorMsg(seq, 0) }], true);
  using sock = NetlinkSocket.openWith(sys, 0);
  const settled: string[] = [];
  const a = sock.request(req()).then(() => settled.push("a"));
  const b = sock.request(req()).then(() => settled.push("b"));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(sys.held.length, 2, "both requests wait for the kernel");
  sys.release(1); // B's ACK first: whichever waiter reads it, B must finish
  await b;
  assert.deepEqual(settled, ["b"]);
  sys.release(0);
  await a;
  assert.deepEqual(settled, ["b", "a"]);
});
