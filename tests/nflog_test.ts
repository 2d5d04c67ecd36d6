import assert from "node:assert/strict";
import { test } from "node:test";
import { NEEDS_ROOT, run } from "./_helpers.ts";
import { B_ADDR, nft, udpSend, withVethPair } from "./_pktio.ts";
import { type LogItem, type LogPacket, openLog } from "../src/netfilter/log/mod.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";

const PORT = 9999;

async function nextPacket(it: AsyncIterator<LogItem>): Promise<LogPacket> {
  for (;;) {
    const r = await it.next();
    assert.ok(!r.done, "log stream ended");
    if (r.value.kind === "packet") return r.value;
  }
}

function udpText(p: LogPacket): string {
  const b = p.payload!;
  return new TextDecoder().decode(b.subarray((b[0] & 0x0f) * 4 + 8));
}

function logRules(where: string, hook: string, group: number, prefix: string): string {
  return `add table inet t
add chain inet t c { type filter hook ${hook} priority 0; }
add rule inet t c ${where} meta mark set 0x9 log prefix "${prefix}" group ${group}`;
}

test(
  "nflog: prefix, hook, mark, interfaces, sequence numbers, hardware header and payload",
  { skip: NEEDS_ROOT },
  async () => {
    await withVethPair(async ({ a, b }) => {
      nft(b, logRules(`udp dport ${PORT}`, "input", 5, "nlkit: "));
      const vb = JSON.parse(run("ip", ["-j", "-n", b, "link", "show", "vb"]))[0];
      await using g = await openLog(5, { netns: b, threshold: 1, flags: ["seq", "seq-global"], interfaceNames: true });
      udpSend(a, B_ADDR, PORT, ["log-1", "log-2", "log-3"]);
      const ps = [await nextPacket(g), await nextPacket(g), await nextPacket(g)];
      assert.deepEqual(ps.map(udpText), ["log-1", "log-2", "log-3"]);
      assert.deepEqual(ps.map((p) => p.seq), [0, 1, 2]);
      assert.ok(ps[1].seqGlobal! > ps[0].seqGlobal!);
      for (const p of ps) {
        assert.equal(p.group, 5);
        assert.equal(p.family, "ipv4");
        assert.equal(p.prefix, "nlkit: ");
        assert.equal(p.hook, "input");
        assert.equal(p.mark, 9);
        assert.equal(p.indev, vb.ifindex);
        assert.equal(p.indevName, "vb");
        assert.equal(p.outdev, undefined);
        assert.equal(p.hwType, 1); // ARPHRD_ETHER
        assert.equal(p.hwLen, 14);
        assert.equal(p.hwHeader!.length, 14);
        // The Ethernet header's destination is vb's own address.
        assert.equal([...p.hwHeader!.subarray(0, 6)].map((x) => x.toString(16).padStart(2, "0")).join(":"), vb.address);
        assert.equal(p.uid, undefined);
      }
    });
  },
);

test("nflog: copy mode and range, uid/gid of local senders", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a }) => {
    nft(a, logRules(`udp dport ${PORT}`, "output", 6, "out "));
    {
      await using g = await openLog(6, { netns: a, threshold: 1, copyMode: "packet", copyRange: 20 });
      run("ip", [
        "netns",
        "exec",
        a,
        "setpriv",
        "--reuid",
        "1234",
        "--regid",
        "2345",
        "--clear-groups",
        "bash",
        "-c",
        `echo x > /dev/udp/${B_ADDR}/${PORT}`,
      ]);
      const p = await nextPacket(g);
      assert.equal(p.hook, "output");
      assert.equal(p.payload!.length, 20);
      assert.equal(p.uid, 1234);
      assert.equal(p.gid, 2345);
      assert.equal(p.seq, undefined);
    }
    {
      await using g = await openLog(6, { netns: a, threshold: 1, copyMode: "meta" });
      udpSend(a, B_ADDR, PORT, ["meta"]);
      const p = await nextPacket(g);
      assert.equal(p.payload, undefined);
      assert.equal(p.prefix, "out ");
    }
  });
});

test(
  "nflog: the conntrack flag is refused on a kernel without ctnetlink glue, never ignored",
  { skip: NEEDS_ROOT },
  async () => {
    await withVethPair(async ({ a }) => {
      const glue = /^CONFIG_NETFILTER_NETLINK_GLUE_CT=y$/m.test(run("sh", ["-c", "zcat /proc/config.gz"]));
      if (glue) {
        await using g = await openLog(7, { netns: a, flags: ["conntrack"] });
        assert.equal(g.group, 7);
        return;
      }
      await assert.rejects(openLog(7, { netns: a, flags: ["conntrack"] }), (e) => {
        assert.ok(e instanceof NetlinkError);
        assert.equal(e.code, "EOPNOTSUPP");
        return true;
      });
    });
  },
);

test("nflog: a group bound twice is refused", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a }) => {
    await using _g = await openLog(8, { netns: a });
    // The kernel says EPERM: another socket owns the group.
    await assert.rejects(openLog(8, { netns: a }), (e) => e instanceof NetlinkError && e.code === "EPERM");
  });
});

test("nflog: a stalled reader sees an overrun signal, then the stream goes on", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a, b }) => {
    nft(b, logRules(`udp dport ${PORT}`, "input", 9, "flood "));
    await using g = await openLog(9, { netns: b, threshold: 1, receiveBuffer: 4096 });
    udpSend(a, B_ADDR, PORT, Array.from({ length: 200 }, (_, i) => `flood-${i}`));
    let packets = 0;
    for (;;) {
      const r = await g.next();
      assert.ok(!r.done);
      if (r.value.kind === "overrun") break;
      packets++;
    }
    assert.ok(packets < 200);
    // The kernel takes new packets once the socket queue is empty again: drain it.
    await g.nextBatch(1000);
    udpSend(a, B_ADDR, PORT, ["after"]);
    let last: LogPacket | undefined;
    while (!last || udpText(last) !== "after") last = await nextPacket(g);
    assert.equal(last.prefix, "flood ");
  });
});
