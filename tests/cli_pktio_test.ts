import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { CLI, nlkit, ROOT } from "./_cli.ts";
import { have, NEEDS_ROOT, run } from "./_helpers.ts";
import { B_ADDR, iptables, nft, nftCounter, UdpReceiver, udpSend, withVethPair } from "./_pktio.ts";

const PORT = 9999;

/** Starts `nlkit ARGS` in the background; resolves with its output when it exits. */
function background(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(CLI[0], [...CLI[1], ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "" } });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => stdout += d);
  child.stderr.on("data", (d) => stderr += d);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

/** Waits until `/proc/net/netfilter/FILE` of `ns` lists `num` (the CLI has bound it). */
async function bound(ns: string, file: string, num: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const text = run("ip", ["netns", "exec", ns, "sh", "-c", `cat /proc/net/netfilter/${file} 2>/dev/null || true`]);
    if (text.split("\n").some((l) => l.trim().split(/\s+/)[0] === String(num))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} never listed ${num}`);
}

test("cli queue: prints each packet as NDJSON and accepts it with the new mark", { skip: NEEDS_ROOT }, async () => {
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
      const done = background(["-j", "-n", b, "queue", "3", "--mark", "7", "-c", "2"]);
      await bound(b, "nfnetlink_queue", 3);
      udpSend(a, B_ADDR, PORT, ["c-1", "c-22"]);
      const r = await done;
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines.length, 2);
      assert.equal(lines[0].queue, 3);
      assert.equal(lines[0].hook, "input");
      assert.equal(lines[0].indev, "vb");
      assert.equal(lines[0].src, "10.77.0.1");
      assert.equal(lines[0].dst, B_ADDR);
      assert.equal(lines[0].dport, PORT);
      assert.deepEqual(lines.map((l) => l.length), [3, 4]);
      assert.equal(lines[1].verdict, "accept");
      assert.deepEqual(await rx.waitFor(2), ["c-1", "c-22"]);
      assert.equal(nftCounter(b, "t", "c", "m7"), 2);
    } finally {
      rx.stop();
    }
  });
});

test("cli queue: --verdict drop drops, and the text line reads like tcpdump", { skip: NEEDS_ROOT }, async () => {
  await withVethPair(async ({ a, b }) => {
    iptables(b, "-A", "INPUT", "-p", "udp", "--dport", String(PORT), "-j", "NFQUEUE", "--queue-num", "4");
    const rx = new UdpReceiver(b, PORT);
    try {
      await rx.ready();
      const done = background(["-n", b, "queue", "4", "--verdict", "drop", "-c", "1"]);
      await bound(b, "nfnetlink_queue", 4);
      udpSend(a, B_ADDR, PORT, ["gone"]);
      const r = await done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `^\\d+ input in vb: IP 10\\.77\\.0\\.1\\.\\d+ > ${
            B_ADDR.replaceAll(".", "\\.")
          }\\.${PORT}: UDP, length 4 drop\\n$`,
        ),
      );
      assert.deepEqual(await rx.waitFor(1, 500), []);
    } finally {
      rx.stop();
    }
  });
});

test(
  "cli log: prints logged packets with their prefix; -w writes a pcap tcpdump reads",
  { skip: NEEDS_ROOT },
  async () => {
    await withVethPair(async ({ a, b }) => {
      nft(
        b,
        `add table inet t
add chain inet t c { type filter hook input priority 0; }
add rule inet t c udp dport ${PORT} log prefix "seen " group 5`,
      );
      const text = background(["-n", b, "log", "5", "-c", "1"]);
      await bound(b, "nfnetlink_log", 5);
      udpSend(a, B_ADDR, PORT, ["hello"]);
      const r = await text;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^"seen " input in vb: IP 10\.77\.0\.1\.\d+ > 10\.77\.0\.2\.9999: UDP, length 5\n$/);

      const json = background(["-j", "-n", b, "log", "5", "-c", "1"]);
      await bound(b, "nfnetlink_log", 5);
      udpSend(a, B_ADDR, PORT, ["hi"]);
      const j = await json;
      assert.equal(j.code, 0, j.stderr);
      const o = JSON.parse(j.stdout);
      assert.deepEqual([o.group, o.prefix, o.hook, o.indev, o.dport, o.length], [5, "seen ", "input", "vb", PORT, 2]);

      if (!have("tcpdump")) return;
      const dir = mkdtempSync(join(tmpdir(), "nlkit-cli-pcap-"));
      try {
        const file = join(dir, "log.pcap");
        const cap = background(["-n", b, "log", "5", "-c", "2", "-w", file]);
        await bound(b, "nfnetlink_log", 5);
        udpSend(a, B_ADDR, PORT, ["ab", "abc"]);
        const c = await cap;
        assert.equal(c.code, 0, c.stderr);
        assert.equal(c.stdout, "");
        const lines = run("tcpdump", ["-r", file, "-nn", "-t"]).trim().split("\n");
        assert.deepEqual(lines.map((l) => l.replace(/\.\d+ >/, ".P >")), [
          "IP 10.77.0.1.P > 10.77.0.2.9999: UDP, length 2",
          "IP 10.77.0.1.P > 10.77.0.2.9999: UDP, length 3",
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

test("cli queue/log: bad usage exits 2 with the bad word named", () => {
  const cases: [string[], RegExp][] = [
    [["queue"], /Missing queue number/],
    [["queue", "70000"], /Invalid queue number: "70000"/],
    [["queue", "3", "--verdict", "maybe"], /Unknown verdict: "maybe"/],
    [["queue", "3", "--mark", "x"], /Invalid mark: "x"/],
    [["queue", "3", "--colour"], /Unknown option: "--colour"/],
    [["log", "5", "--mark", "1"], /Unknown option: "--mark"/],
    [["log", "5", "-c", "0"], /Invalid packet count: "0"/],
  ];
  for (const [args, re] of cases) {
    const r = nlkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});
