import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { have, NEEDS_ROOT, run } from "./_helpers.ts";
import { B_ADDR, iptables, nft, udpSend, withVethPair } from "./_pktio.ts";
import { openLog } from "../src/netfilter/log/mod.ts";
import { openQueue } from "../src/netfilter/queue/mod.ts";
import { LINKTYPE_IPV4, LINKTYPE_NFLOG, PacketPcapWriter, readPcap } from "../src/pcap/mod.ts";

const PORT = 9999;
const SKIP = NEEDS_ROOT || (!have("tcpdump") && "needs tcpdump (Debian package tcpdump) as the pcap oracle");

function withTmp<T>(fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-pcap-"));
  return fn(join(dir, "x.pcap")).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** tcpdump's one-line summaries of a file, without timestamps. */
function tcpdump(file: string): string[] {
  return run("tcpdump", ["-r", file, "-nn", "-t"]).trim().split("\n").filter(Boolean);
}

test("pcap: NFLOG packets as LINKTYPE_NFLOG open in tcpdump with the right packets", { skip: SKIP }, async () => {
  await withVethPair(({ a, b }) =>
    withTmp(async (file) => {
      nft(
        b,
        `add table inet t
add chain inet t c { type filter hook input priority 0; }
add rule inet t c udp dport ${PORT} log prefix "cap " group 5`,
      );
      await using g = await openLog(5, { netns: b, threshold: 1 });
      udpSend(a, B_ADDR, PORT, ["one", "two2", "three"]);
      const w = PacketPcapWriter.open(file, "nflog");
      for (let n = 0; n < 3;) {
        const r = await g.next();
        assert.ok(!r.done);
        if (r.value.kind === "packet" && w.write(r.value)) n++;
      }
      w.close();
      assert.equal(readPcap(new Uint8Array(readFileSync(file))).linkType, LINKTYPE_NFLOG);
      const lines = tcpdump(file);
      assert.equal(lines.length, 3);
      [3, 4, 5].forEach((len, i) =>
        assert.match(
          lines[i],
          new RegExp(`^IP 10\\.77\\.0\\.1\\.\\d+ > 10\\.77\\.0\\.2\\.${PORT}: UDP, length ${len}$`),
        )
      );
    })
  );
});

test(
  "pcap: NFQUEUE packets as LINKTYPE_IPV4 open in tcpdump, and the verdicts still go out",
  { skip: SKIP },
  async () => {
    await withVethPair(({ a, b }) =>
      withTmp(async (file) => {
        iptables(b, "-A", "INPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "3");
        await using q = await openQueue(3, { netns: b });
        udpSend(a, B_ADDR, PORT, ["q1", "q22"]);
        const w = PacketPcapWriter.open(file, "ipv4");
        for (let n = 0; n < 2;) {
          const r = await q.next();
          assert.ok(!r.done);
          if (r.value.kind !== "packet") continue;
          assert.ok(w.write(r.value));
          await q.verdict(r.value, "accept");
          n++;
        }
        w.close();
        const f = readPcap(new Uint8Array(readFileSync(file)));
        assert.equal(f.linkType, LINKTYPE_IPV4);
        const lines = tcpdump(file);
        assert.deepEqual(lines.map((l) => l.replace(/\.\d+ >/, ".P >")), [
          `IP 10.77.0.1.P > 10.77.0.2.${PORT}: UDP, length 2`,
          `IP 10.77.0.1.P > 10.77.0.2.${PORT}: UDP, length 3`,
        ]);
      })
    );
  },
);
