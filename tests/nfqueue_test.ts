import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { NEEDS_ROOT, run } from "./_helpers.ts";
import { B_ADDR, iptables, nft, nftCounter, UdpReceiver, udpSend, withVethPair } from "./_pktio.ts";
import { openQueue, type QueueItem, type QueuePacket } from "../src/netfilter/queue/mod.ts";

const PORT = 9999;
/** Any ct rule makes the namespace track connections. */
const CT_RULES = `add table inet cttab
add chain inet cttab c { type filter hook output priority 0; }
add rule inet cttab c ct state new counter`;

/** The UDP payload of an IPv4 packet, as text. */
function udpText(p: QueuePacket): string {
  const b = p.payload!;
  const ihl = (b[0] & 0x0f) * 4;
  return new TextDecoder().decode(b.subarray(ihl + 8));
}

/** The same IPv4/UDP packet with another payload of the same length and no UDP checksum. */
function withUdpText(p: QueuePacket, text: string): Uint8Array {
  const b = p.payload!.slice();
  const ihl = (b[0] & 0x0f) * 4;
  const body = new TextEncoder().encode(text);
  assert.equal(body.length, b.length - ihl - 8);
  b.set(body, ihl + 8);
  b[ihl + 6] = 0; // UDP checksum 0: none, for IPv4
  b[ihl + 7] = 0;
  return b;
}

/** Sends one datagram from `ns` as `uid:gid` (bash's /dev/udp). */
function sendAs(ns: string, uid: number, gid: number, text: string): void {
  const cmd = `echo ${text} > /dev/udp/${B_ADDR}/${PORT}`;
  const ids = ["--reuid", String(uid), "--regid", String(gid), "--clear-groups"];
  run("ip", ["netns", "exec", ns, "setpriv", ...ids, "bash", "-c", cmd]);
}

/** Whether the running kernel was built with `option=y`. */
function kernelConfig(option: string): boolean {
  return new RegExp(`^${option}=y$`, "m").test(gunzipSync(readFileSync("/proc/config.gz")).toString());
}

async function nextPacket(it: AsyncIterator<QueueItem>): Promise<QueuePacket> {
  for (;;) {
    const r = await it.next();
    assert.ok(!r.done, "queue stream ended");
    if (r.value.kind === "packet") return r.value;
  }
}

test("nfqueue: accept, drop, new mark and new payload reach the far side", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a, b }) => {
    iptables(b, "-A", "INPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "3");
    nft(
      b,
      `add table inet t
add chain inet t c { type filter hook input priority 10; }
add rule inet t c meta mark 0x7 counter comment "m7"`,
    );
    const rx = new UdpReceiver(b, PORT);
    try {
      await rx.ready();
      await using q = await openQueue(3, { netns: b, interfaceNames: true });
      udpSend(a, B_ADDR, PORT, ["keep-1", "drop-2", "mark-3", "swap-4"]);
      for (let i = 0; i < 4; i++) {
        const p = await nextPacket(q);
        assert.equal(p.queue, 3);
        assert.equal(p.family, "ipv4");
        assert.equal(p.hook, "input");
        assert.equal(p.hwProtocol, 0x0800);
        assert.ok(p.indev! > 0);
        assert.equal(p.indevName, "vb");
        assert.match(p.hwAddr!, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
        const text = udpText(p);
        if (text.startsWith("drop")) await q.verdict(p, "drop");
        else if (text.startsWith("mark")) await q.verdict(p, "accept", { mark: 7 });
        else if (text.startsWith("swap")) await q.verdict(p, "accept", { payload: withUdpText(p, "SWAP-4") });
        else await q.verdict(p, "accept");
      }
      const got = await rx.waitFor(3);
      assert.deepEqual([...got].sort(), ["SWAP-4", "keep-1", "mark-3"]);
      assert.equal(nftCounter(b, "t", "c", "m7"), 1);
    } finally {
      rx.stop();
    }
  });
});

test("nfqueue: batch verdict, repeat and queue to another number", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a, b }) => {
    iptables(b, "-A", "INPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "3");
    const rx = new UdpReceiver(b, PORT);
    try {
      await rx.ready();
      await using q = await openQueue(3, { netns: b });
      await using q5 = await openQueue(5, { netns: b, copyMode: "meta" });
      udpSend(a, B_ADDR, PORT, ["b-1", "b-2", "b-3"]);
      const ps: QueuePacket[] = [];
      while (ps.length < 3) {
        const burst = await q.nextBatch(2);
        assert.ok(burst.length >= 1 && burst.length <= 2);
        for (const item of burst) if (item.kind === "packet") ps.push(item);
      }
      assert.deepEqual(ps.map(udpText), ["b-1", "b-2", "b-3"]);
      await q.batchVerdict(ps[2], "accept");
      assert.deepEqual(await rx.waitFor(3), ["b-1", "b-2", "b-3"]);

      udpSend(a, B_ADDR, PORT, ["r-4"]);
      const first = await nextPacket(q);
      await q.verdict(first, "repeat"); // the hook runs again: the rule queues it once more
      const again = await nextPacket(q);
      assert.equal(udpText(again), "r-4");
      assert.ok(again.id > first.id);
      await q.verdict(again, { queue: 5 });
      const moved = await nextPacket(q5);
      assert.equal(moved.queue, 5);
      assert.equal(moved.payload, undefined); // copy mode meta
      await q5.verdict(moved, "accept");
      assert.deepEqual(await rx.waitFor(4), ["b-1", "b-2", "b-3", "r-4"]);
    } finally {
      rx.stop();
    }
  });
});

test(
  "nfqueue: uid and gid when asked for (with the gso and secctx flags accepted too)",
  { skip: NEEDS_ROOT },
  async () => {
    await withVethPair(async ({ a }) => {
      iptables(a, "-A", "OUTPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "4");
      await using q = await openQueue(4, { netns: a, flags: ["uid-gid", "gso", "secctx"] });
      sendAs(a, 1234, 2345, "uid-1");
      const p = await nextPacket(q);
      assert.equal(p.hook, "output");
      assert.equal(p.uid, 1234);
      assert.equal(p.gid, 2345);
      await q.verdict(p, "accept");
      assert.throws(() => q.verdict(p, "accept", { ctMark: 1 }), /conntrack flag/);
    });
  },
);

test(
  "nfqueue: conntrack info and conntrack mark, or the kernel's refusal without ctnetlink glue",
  { skip: NEEDS_ROOT },
  async () => {
    await withVethPair(async ({ a }) => {
      iptables(a, "-A", "OUTPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "4");
      nft(a, CT_RULES);
      if (!kernelConfig("CONFIG_NETFILTER_NETLINK_GLUE_CT")) {
        // This kernel cannot attach conntrack to queued packets: the flag is refused, not ignored.
        await assert.rejects(openQueue(4, { netns: a, flags: ["conntrack"] }), (e) => {
          assert.ok(e instanceof NetlinkError);
          assert.equal(e.code, "EOPNOTSUPP");
          return true;
        });
        return;
      }
      await using q = await openQueue(4, { netns: a, flags: ["conntrack"] });
      sendAs(a, 0, 0, "ct-1");
      const p = await nextPacket(q);
      assert.equal(p.ctInfo, "new");
      assert.equal(p.ct?.proto, "udp");
      assert.equal(p.ct?.orig.dst, B_ADDR);
      assert.equal(p.ct?.orig.dport, PORT);
      await q.verdict(p, "accept", { ctMark: 0x42 });
      const ct = run("ip", ["netns", "exec", a, "conntrack", "-L", "-p", "udp", "--dport", String(PORT)]);
      assert.match(ct, /mark=66 /);
    });
  },
);

test("nfqueue: without the flags, no conntrack or uid is sent", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a }) => {
    iptables(a, "-A", "OUTPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "4");
    nft(a, CT_RULES);
    await using q = await openQueue(4, { netns: a });
    sendAs(a, 0, 0, "ct-1");
    const p = await nextPacket(q);
    assert.equal(p.ct, undefined);
    assert.equal(p.uid, undefined);
    assert.equal(p.outdevName, undefined); // names only when asked for
    assert.ok(p.outdev! > 0);
    await q.verdict(p, "accept");
  });
});

test("nfqueue: a stalled consumer sees an overrun with the drop counters", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a, b }) => {
    iptables(b, "-A", "INPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "3");
    await using q = await openQueue(3, { netns: b, receiveBuffer: 4096 });
    udpSend(a, B_ADDR, PORT, Array.from({ length: 200 }, (_, i) => `flood-${i}`));
    let overrun: QueueItem | undefined;
    let packets = 0;
    for (;;) {
      const r = await q.next();
      assert.ok(!r.done);
      if (r.value.kind === "overrun") {
        overrun = r.value;
        break;
      }
      packets++;
      await q.verdict(r.value, "accept");
    }
    assert.ok(packets < 200);
    assert.equal(overrun.kind, "overrun");
    assert.ok(overrun.stats!.userDropped > 0, JSON.stringify(overrun.stats));
    assert.equal(overrun.stats!.queue, 3);
  });
});

test("nfqueue: fail-open accepts what does not fit in the queue", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a, b }) => {
    iptables(b, "-A", "INPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "3");
    const rx = new UdpReceiver(b, PORT);
    try {
      await rx.ready();
      await using q = await openQueue(3, { netns: b, maxLen: 1, flags: ["fail-open"] });
      udpSend(a, B_ADDR, PORT, ["f-1", "f-2", "f-3", "f-4"]);
      // Nothing read yet: the first waits in the queue, the others go through.
      assert.deepEqual(await rx.waitFor(3), ["f-2", "f-3", "f-4"]);
      const p = await nextPacket(q);
      assert.equal(udpText(p), "f-1");
      await q.verdict(p, "accept");
      assert.deepEqual(await rx.waitFor(4), ["f-2", "f-3", "f-4", "f-1"]);
      const stats = await q.stats();
      assert.equal(stats?.dropped, 0);
    } finally {
      rx.stop();
    }
  });
});

test("nfqueue: without fail-open a full queue drops and counts", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a, b }) => {
    iptables(b, "-A", "INPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "3");
    await using q = await openQueue(3, { netns: b, maxLen: 1 });
    udpSend(a, B_ADDR, PORT, ["d-1", "d-2", "d-3"]);
    assert.equal(await q.newDrops(), 2);
    const p = await nextPacket(q);
    assert.equal(udpText(p), "d-1");
    await q.verdict(p, "accept");
    assert.equal(await q.newDrops(), 0);
  });
});

test("nfqueue: a refused verdict is an error with ackVerdicts, and counted without", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a, b }) => {
    iptables(b, "-A", "INPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "3");
    {
      await using q = await openQueue(3, { netns: b, ackVerdicts: true });
      udpSend(a, B_ADDR, PORT, ["v-1"]);
      const p = await nextPacket(q);
      await q.verdict(p, "accept");
      await assert.rejects(q.verdict(p, "accept"), (e) => e instanceof NetlinkError && e.code === "ENOENT");
    }
    await using q = await openQueue(3, { netns: b });
    udpSend(a, B_ADDR, PORT, ["v-2"]);
    const p = await nextPacket(q);
    await q.verdict(p, "accept");
    await q.verdict(p, "accept"); // unknown by now: the kernel's refusal is read before the next packet
    udpSend(a, B_ADDR, PORT, ["v-3"]);
    await q.verdict(await nextPacket(q), "accept");
    assert.equal(q.refusedVerdicts, 1);
    assert.equal(q.lastRefusedVerdict?.code, "ENOENT");
  });
});
