import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { have, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { decodeNetlinkRecord, LINKTYPE_NETLINK, NetlinkPcapCapture, readPcap } from "../src/pcap/mod.ts";
import { listLinks, parseLinkMessage } from "../src/route/link/api.ts";
import { RTM } from "../src/route/rtnl.ts";
import { NETLINK_ROUTE, NLM_F_DUMP, NLMSG_DONE } from "../src/wire/constants.ts";
import { NetlinkSocket } from "../src/socket/socket.ts";

function withTmp<T>(fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-tap-"));
  return fn(join(dir, "tap.pcap")).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/**
 * The link dumps in a tap file: for each RTM_GETLINK request, the names of
 * the links in its replies, decoded by nlkit's own parser. Every reply
 * must answer a request, and every dump must end with NLMSG_DONE.
 */
function decodeLinkDumps(file: string): (string | undefined)[][] {
  const f = readPcap(new Uint8Array(readFileSync(file)));
  assert.equal(f.linkType, LINKTYPE_NETLINK);
  const recs = f.records.map((r) => decodeNetlinkRecord(r.data));
  const gets = recs.filter((r) => r.direction === "out").flatMap((r) => r.messages);
  assert.ok(gets.length > 0);
  const bySeq = new Map<number, (string | undefined)[]>();
  for (const g of gets) {
    assert.equal(g.type, RTM.RTM_GETLINK);
    assert.equal(g.flags & NLM_F_DUMP, NLM_F_DUMP);
    bySeq.set(g.seq, []);
  }
  const done = new Set<number>();
  for (const r of recs.filter((r) => r.direction === "in")) {
    assert.equal(r.protocol, NETLINK_ROUTE);
    for (const m of r.messages) {
      const names = bySeq.get(m.seq);
      assert.ok(names, `reply with seq ${m.seq} answers no request`);
      if (m.type === RTM.RTM_NEWLINK) names.push(parseLinkMessage(m).name);
      if (m.type === NLMSG_DONE) done.add(m.seq);
    }
  }
  assert.equal(done.size, bySeq.size);
  return [...bySeq.values()];
}

test("pcap tap: `nlkit --pcap FILE link show` decodes back into its request and the links it printed", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns((ns) =>
    withTmp((file) => {
      run("ip", ["-n", ns, "link", "add", "tap0", "type", "bridge"]);
      run("ip", ["-n", ns, "link", "add", "tap1", "type", "veth", "peer", "name", "tap2"]);
      const r = nlkit(["-j", "-n", ns, "--pcap", file, "link", "show"]);
      assert.equal(r.code, 0, r.stderr);
      const printed = JSON.parse(r.stdout).map((l: { ifname: string }) => l.ifname);
      assert.deepEqual(printed, ipJson(ns, "link", "show").map((l: { ifname: string }) => l.ifname));
      const dumps = decodeLinkDumps(file);
      assert.ok(dumps.some((names) => JSON.stringify(names) === JSON.stringify(printed)), JSON.stringify(dumps));
      if (have("tcpdump")) {
        const f = readPcap(new Uint8Array(readFileSync(file)));
        const out = run("tcpdump", ["-r", file, "-nn", "-xx", "--time-stamp-precision=nano"]);
        assert.equal(out.split("\n").filter((l) => /^\d\d:\d\d:\d\d\.\d{9} /.test(l)).length, f.records.length);
      }
      return Promise.resolve();
    })
  );
});

test(
  "pcap tap: a socket's capture option records what the library sends and receives",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns((ns) =>
      withTmp(async (file) => {
        run("ip", ["-n", ns, "link", "add", "cap0", "type", "bridge"]);
        const cap = NetlinkPcapCapture.open(file);
        const socket = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns, capture: cap });
        try {
          const links = await listLinks({}, { socket });
          cap.close();
          assert.deepEqual(decodeLinkDumps(file), [links.map((l) => l.name)]);
          assert.ok(links.some((l) => l.name === "cap0"));
        } finally {
          socket.close();
          cap.close();
        }
      })
    );
  },
);

test("pcap tap: --pcap refuses stdout", () => {
  const r = nlkit(["--pcap", "-", "link", "show"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Cannot write the netlink capture to "-"/);
});
