/**
 * Batches, the capture hook, timeouts and aborts: against the fake kernel,
 * and batches of conntrack inserts against the real one (checked with
 * `conntrack -L`).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/errors.ts";
import {
  BatchError,
  DumpInterruptedError,
  FamilyDumpStream,
  type NetlinkCapture,
  NetlinkSocket,
  setGlobalCapture,
  TimeoutError,
} from "../src/socket/mod.ts";
import { buildCreateConntrack, type ConntrackSpec } from "../src/netfilter/conntrack/mod.ts";
import { NETLINK_NETFILTER, NETLINK_ROUTE, NetlinkError, NLM_F_ACK } from "../src/wire/mod.ts";
import { NFNL_SUBSYS_NFTABLES, nfnlBatch } from "../src/wire/nfnetlink.ts";
import { datagram, errorFrame, fakeSys, frame } from "../src/testing/mod.ts";
import { have, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

const TYPE = 0x20;
const seqOf = (m: Uint8Array) => new DataView(m.buffer, m.byteOffset).getUint32(8, true);
const acked = () => frame(TYPE, NLM_F_ACK, 0, new Uint8Array(4));

test("requestBatch packs messages into one datagram, one seq each, and names every refusal by index", async () => {
  let n = 0;
  const sys = fakeSys((_r, seq) => {
    const i = n++;
    return [{ bytes: errorFrame(seq, i === 3 || i === 7 ? 17 : 0) }];
  });
  using sock = NetlinkSocket.openWith(sys, 0, { describe: () => "TEST_NEW" });
  const msgs = Array.from({ length: 10 }, acked);
  await assert.rejects(sock.requestBatch(msgs), (e: unknown) => {
    assert.ok(e instanceof BatchError);
    assert.deepEqual(e.failures.map((f) => [f.index, f.error.code]), [[3, "EEXIST"], [7, "EEXIST"]]);
    assert.ok(e.failures[0].error instanceof NetlinkError);
    assert.match(e.message, /message 3: TEST_NEW failed: .*EEXIST.*and 1 more/);
    return true;
  });
  assert.equal(sys.datagrams, 1);
  assert.equal(new Set(sys.sent.map(seqOf)).size, 10, "each message has its own sequence number");
  n = 0;
  await assert.rejects(sock.requestBatch(msgs.slice(0, 4)), BatchError);
  await sock.requestBatch(msgs.slice(0, 3)); // all acked
});

test("requestBatch splits where the acks would overflow the receive buffer", async () => {
  const sys = fakeSys((_r, seq) => [{ bytes: errorFrame(seq, 0) }]);
  using sock = NetlinkSocket.openWith(sys, 0);
  const budget = Math.floor(sock.receiveBuffer / 1024);
  await sock.requestBatch(Array.from({ length: budget * 2 + 1 }, acked));
  assert.equal(sys.datagrams, 3);
});

test("an nfnetlink batch is sent whole; BEGIN and END wait for no ack, and a refused batch stops", async () => {
  let refuse = false;
  const sys = fakeSys((r, seq) => {
    const type = r[4] | (r[5] << 8);
    if (type === 0x10 || type === 0x11) return []; // BEGIN/END: no ack
    return [{ bytes: errorFrame(seq, refuse ? 22 : 0) }];
  });
  using sock = NetlinkSocket.openWith(sys, NETLINK_NETFILTER);
  const body = Array.from({ length: 3 }, () => frame((NFNL_SUBSYS_NFTABLES << 8) | 0, NLM_F_ACK, 0, new Uint8Array(4)));
  await sock.requestBatch(nfnlBatch(NFNL_SUBSYS_NFTABLES, body));
  assert.equal(sys.datagrams, 1);
  refuse = true;
  await assert.rejects(sock.requestBatch(nfnlBatch(NFNL_SUBSYS_NFTABLES, body)), (e: unknown) => {
    assert.ok(e instanceof BatchError);
    assert.deepEqual(e.failures.map((f) => f.index), [1, 2, 3]);
    return true;
  });
});

test("bad batch messages are refused before anything is sent", async () => {
  const sys = fakeSys(() => []);
  using sock = NetlinkSocket.openWith(sys, 0);
  await assert.rejects(sock.requestBatch([new Uint8Array(3)]), /Invalid batch message 0/);
  assert.equal(sys.datagrams, 0);
});

test("the capture hook sees each datagram out and in, in order; a socket's own capture wins", async () => {
  const log: string[] = [];
  const sink = (name: string): NetlinkCapture => ({
    record: (dir, proto, bytes) => log.push(`${name} ${dir} ${proto} ${bytes[4]} ${seqOf(bytes.slice())}`),
  });
  const sys = fakeSys((_r, seq) => [{ bytes: errorFrame(seq, 0) }]);
  setGlobalCapture(sink("global"));
  try {
    using sock = NetlinkSocket.openWith(sys, 7);
    const seq = (await sock.request(frame(TYPE, 0, 0)), seqOf(sys.sent[0]));
    using own = NetlinkSocket.openWith(sys, 7, { capture: sink("own") });
    await own.request(frame(TYPE, 0, 0));
    assert.deepEqual(log, [
      `global out 7 ${TYPE} ${seq}`,
      `global in 7 2 ${seq}`,
      `own out 7 ${TYPE} ${seqOf(sys.sent[1])}`,
      `own in 7 2 ${seqOf(sys.sent[1])}`,
    ]);
  } finally {
    setGlobalCapture(undefined);
  }
});

test("a request times out or aborts instead of hanging, and the socket stays usable", async () => {
  const sys = fakeSys((_r, seq) => [{ bytes: errorFrame(seq, 0) }], true);
  using sock = NetlinkSocket.openWith(sys, 0, { describe: () => "TEST_GET" });
  await assert.rejects(sock.request(frame(TYPE, 0, 0), undefined, { timeout: 20 }), (e: unknown) => {
    assert.ok(e instanceof TimeoutError);
    assert.match(e.message, /TEST_GET timed out after 20 ms/);
    return true;
  });
  const ac = new AbortController();
  const pending = sock.request(frame(TYPE, 0, 0), undefined, { signal: ac.signal });
  ac.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
  await assert.rejects(sock.request(frame(TYPE, 0, 0), undefined, { timeout: -1 }), /Invalid timeout/);
  sys.release(0); // late replies of the abandoned requests are dropped
  sys.release(0);
  const late = sock.request(frame(TYPE, 0, 0));
  await new Promise((r) => setTimeout(r, 5));
  sys.release(0);
  await late;
  assert.equal(sock.unmatchedDropped, 2);
});

test("bad socket options are refused before anything is opened", async () => {
  let opened = 0;
  const sys = { ...fakeSys(() => []), socket: () => ++opened };
  for (const bad of [{ receiveBuffer: -7 }, { sendBuffer: 1.5 }, { maxInFlight: 0 }, { groups: [0] }]) {
    assert.throws(() => NetlinkSocket.openWith(sys, 0, bad), InvalidArgumentError);
    await assert.rejects(NetlinkSocket.open(0, bad), InvalidArgumentError);
  }
  assert.equal(opened, 0);
});

function specs(n: number): ConntrackSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    proto: "udp",
    orig: { src: "10.1.0.1", dst: "10.1.0.2", sport: 2000 + i, dport: 53 },
    timeout: 120,
  }));
}

test(
  "a batch of conntrack inserts lands in one round trip, with the duplicate refused by index",
  { skip: NEEDS_ROOT || (!have("conntrack") && "needs conntrack") },
  async () => {
    await withTempNetns(async (ns) => {
      await using sock = await NetlinkSocket.open(NETLINK_NETFILTER, { netns: ns });
      const msgs = specs(300).map(buildCreateConntrack);
      msgs.splice(10, 0, buildCreateConntrack(specs(1)[0])); // a duplicate of entry 0
      for (const m of msgs) m[6] |= NLM_F_ACK;
      await assert.rejects(sock.requestBatch(msgs), (e: unknown) => {
        assert.ok(e instanceof BatchError);
        assert.deepEqual(e.failures.map((f) => [f.index, f.error.code]), [[10, "EEXIST"]]);
        return true;
      });
      const listed = run("ip", ["netns", "exec", ns, "conntrack", "-L"]).trim().split("\n");
      assert.equal(listed.length, 300);
    });
  },
);

test("the capture hook sees a real request and its reply", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const seen: [string, number, number][] = [];
    await using sock = await NetlinkSocket.open(NETLINK_ROUTE, {
      netns: ns,
      capture: { record: (dir, proto, b) => seen.push([dir, proto, b[4] | (b[5] << 8)]) },
    });
    const req = frame(18, 1, 0, new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // RTM_GETLINK lo
    assert.equal((await sock.request(req, (m) => m.type)).length, 1);
    // The link (RTM_NEWLINK) and the ack (NLMSG_ERROR) come as two datagrams.
    assert.deepEqual(seen, [["out", NETLINK_ROUTE, 18], ["in", NETLINK_ROUTE, 16], ["in", NETLINK_ROUTE, 2]]);
  });
});

test("a DumpStream with retries re-runs an interrupted dump and yields each value once", async () => {
  let calls = 0;
  const sys = fakeSys((_r, seq) => {
    const intr = ++calls === 1 ? 0x10 : 0; // NLM_F_DUMP_INTR on the first run only
    const item = (n: number) => frame(TYPE, 2 | intr, seq, new Uint8Array([n, 0, 0, 0])); // NLM_F_MULTI
    return [{ bytes: datagram(item(1), item(2), frame(3, 2, seq, new Uint8Array(4))) }]; // then NLMSG_DONE
  });
  using sock = NetlinkSocket.openWith(sys, 0);
  const plan = () => ({
    request: frame(TYPE, 0, 0),
    parse: (m: { buf: Uint8Array; start: number }) => m.buf[m.start + 16],
  });
  const got: number[] = [];
  for await (const v of new FamilyDumpStream(0, { socket: sock, retries: 2 }, plan)) got.push(v);
  assert.deepEqual(got, [1, 2]);
  assert.equal(calls, 2);
  calls = 0;
  await assert.rejects(async () => {
    for await (const _ of new FamilyDumpStream(0, { socket: sock }, plan));
  }, DumpInterruptedError);
  assert.throws(() => new FamilyDumpStream(0, { socket: sock, retries: -1 }, plan), /Invalid retries/);
});

test("a DumpStream runs the request 'instead' gives in place of one refused before it sent anything", async () => {
  const item = (seq: number, n: number) => frame(TYPE, 2, seq, new Uint8Array([n, 0, 0, 0])); // NLM_F_MULTI
  const done = (seq: number) => frame(3, 2, seq, new Uint8Array(4));
  const sys = fakeSys((r, seq) => {
    const kind = r[16]; // 1: refused at once, 2: answered, 3: refused after one value
    if (kind === 1) return [{ bytes: errorFrame(seq, 22) }]; // EINVAL
    if (kind === 2) return [{ bytes: datagram(item(seq, 5), item(seq, 6), done(seq)) }];
    return [{ bytes: datagram(item(seq, 9), errorFrame(seq, 22)) }];
  });
  using sock = NetlinkSocket.openWith(sys, 0);
  const asked: number[] = [];
  const plan = (first: number) => () => ({
    request: frame(TYPE, 0, 0, new Uint8Array([first, 0, 0, 0])),
    parse: (m: { buf: Uint8Array; start: number }) => m.buf[m.start + 16],
    keep: (v: number) => v !== 6,
    instead: (e: unknown) => {
      asked.push(first);
      return e instanceof NetlinkError && e.code === "EINVAL"
        ? frame(TYPE, 0, 0, new Uint8Array([2, 0, 0, 0]))
        : undefined;
    },
  });
  const got: number[] = [];
  for await (const v of new FamilyDumpStream(0, { socket: sock }, plan(1))) got.push(v);
  assert.deepEqual(got, [5]); // the replacement's values, through keep
  assert.deepEqual(asked, [1]);
  // A refusal after a value was sent is not replaced: the values would come twice.
  const late: number[] = [];
  await assert.rejects(async () => {
    for await (const v of new FamilyDumpStream(0, { socket: sock }, plan(3))) late.push(v);
  }, (e: unknown) => e instanceof NetlinkError && e.code === "EINVAL");
  assert.deepEqual(late, [9]);
  assert.deepEqual(asked, [1]);
});

test("a dump times out instead of hanging; its late rest is drained and the next dump works", async () => {
  const sys = fakeSys(
    (_r, seq) => [{ bytes: datagram(frame(TYPE, 2, seq, new Uint8Array(4)), frame(3, 2, seq, new Uint8Array(4))) }],
    true,
  );
  using sock = NetlinkSocket.openWith(sys, 0, { describe: () => "TEST_DUMP" });
  await assert.rejects(sock.dumpAll(frame(TYPE, 0, 0), (m) => m.type, { timeout: 20 }), TimeoutError);
  const next = sock.dumpAll(frame(TYPE, 0, 0), (m) => m.type);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(
    sys.held.length,
    1,
    "the next dump waits for the abandoned one to end (the kernel allows one at a time)",
  );
  sys.release(0); // the late rest of the first dump
  await new Promise((r) => setTimeout(r, 5));
  sys.release(0);
  assert.deepEqual(await next, [TYPE]);
});
