import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { onlyTyped } from "./_fuzz.ts";
import {
  decodeNetlinkRecord,
  LINKTYPE_NETLINK,
  LINKTYPE_NFLOG,
  LINKTYPE_RAW,
  netlinkCookedHeader,
  NetlinkPcapCapture,
  PacketPcapWriter,
  pcapFileHeader,
  pcapRecord,
  PcapWriter,
  readPcap,
} from "../src/pcap/mod.ts";
import type { QueuePacket } from "../src/netfilter/queue/packet.ts";

function tmp(): { dir: string; file: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-pcap-"));
  return { dir, file: join(dir, "x.pcap"), [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

test("pcap codec: file header is nanosecond pcap 2.4 in host order", () => {
  assert.equal(
    Buffer.from(pcapFileHeader(LINKTYPE_NFLOG)).toString("hex"),
    "4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "ef000000",
  );
});

test("pcap codec: a record header holds seconds, nanoseconds, captured and original lengths", () => {
  const r = pcapRecord(new Uint8Array([1, 2, 3]), { sec: 1, nsec: 999_999_999 }, 10);
  assert.equal(Buffer.from(r).toString("hex"), "01000000" + "ffc99a3b" + "03000000" + "0a000000" + "010203");
  const cut = pcapRecord(new Uint8Array(10), { sec: 0, nsec: 0 }, 10, 4);
  assert.equal(cut.length, 16 + 4);
});

test("pcap codec: the netlink cooked header (PACKET_OUTGOING, ARPHRD_NETLINK, protocol)", () => {
  assert.equal(
    Buffer.from(netlinkCookedHeader("out", 12)).toString("hex"),
    "0004" + "0338" + "0000" + "0".repeat(16) + "000c",
  );
  assert.equal(Buffer.from(netlinkCookedHeader("in", 0)).toString("hex").slice(0, 8), "00000338");
});

test("pcap codec: what the writer streams, the reader reads back", () => {
  using t = tmp();
  const cap = NetlinkPcapCapture.open(t.file);
  const msg = new Uint8Array([20, 0, 0, 0, 3, 0, 2, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  cap.record("out", 0, msg);
  cap.record("in", 12, msg);
  cap.close();
  const f = readPcap(new Uint8Array(readFileSync(t.file)));
  assert.equal(f.linkType, LINKTYPE_NETLINK);
  assert.equal(f.nanosecond, true);
  assert.equal(f.records.length, 2);
  const [a, b] = f.records.map((r) => decodeNetlinkRecord(r.data));
  assert.equal(a.direction, "out");
  assert.equal(b.direction, "in");
  assert.equal(b.protocol, 12);
  assert.equal(a.messages.length, 1);
  assert.equal(a.messages[0].type, 3);
  assert.equal(a.messages[0].seq, 7);
  const [t1, t2] = f.records.map((r) => BigInt(r.time.sec) * 1_000_000_000n + BigInt(r.time.nsec));
  assert.ok(t2 >= t1);
});

test("pcap codec: packets go out as raw IP or NFLOG; what a link type cannot hold is counted, not written", () => {
  using t = tmp();
  const v4 = new Uint8Array(20);
  v4[0] = 0x45;
  const p: QueuePacket = {
    kind: "packet",
    queue: 1,
    family: "ipv4",
    familyNum: 2,
    id: 1,
    hwProtocol: 0x800,
    hook: "input",
    hookNum: 1,
    payload: v4,
    capLen: 1500,
    timestamp: { sec: 5, usec: 7 },
  };
  const w = PacketPcapWriter.open(t.file, "ipv6");
  assert.equal(w.write(p), false);
  assert.equal(w.skipped, 1);
  w.close();
  const raw = PacketPcapWriter.open(t.file, "raw");
  assert.equal(raw.write(p), true);
  assert.equal(raw.write({ ...p, payload: undefined }), false);
  raw.close();
  const f = readPcap(new Uint8Array(readFileSync(t.file)));
  assert.equal(f.linkType, LINKTYPE_RAW);
  assert.equal(f.records.length, 1);
  assert.deepEqual(f.records[0].time, { sec: 5, nsec: 7000 });
  assert.equal(f.records[0].origLen, 1500);
  assert.throws(() => PacketPcapWriter.open(t.file, "ether" as never), /link type "ether"/);
});

test("pcap codec: reader accepts big-endian microsecond files", () => {
  const b = new Uint8Array(24 + 16 + 2);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, false);
  v.setUint32(20, 101, false);
  v.setUint32(24, 9, false);
  v.setUint32(28, 5, false);
  v.setUint32(32, 2, false);
  v.setUint32(36, 2, false);
  const f = readPcap(b);
  assert.equal(f.nanosecond, false);
  assert.equal(f.linkType, 101);
  assert.deepEqual(f.records[0].time, { sec: 9, nsec: 5000 });
});

test("pcap codec: a closed writer refuses records", () => {
  using t = tmp();
  const w = PcapWriter.open(t.file, LINKTYPE_RAW);
  w.close();
  assert.throws(() => w.write(new Uint8Array(1)), /closed/);
});

test("pcap codec: bad files and records give typed errors, never a crash", () => {
  const good = (() => {
    const h = pcapFileHeader(LINKTYPE_NETLINK);
    const rec = pcapRecord(
      new Uint8Array([...netlinkCookedHeader("in", 0), 20, 0, 0, 0, 3, 0, 2, 0, ...new Array(12).fill(0)]),
      {
        sec: 1,
        nsec: 2,
      },
    );
    const out = new Uint8Array(h.length + rec.length);
    out.set(h);
    out.set(rec, h.length);
    return out;
  })();
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }).map((edits) => {
          const b = good.slice();
          for (const [at, v] of edits) b[at % b.length] = v;
          return b;
        }),
      ),
      (bytes) => {
        onlyTyped(() => {
          for (const r of readPcap(bytes).records) onlyTyped(() => decodeNetlinkRecord(r.data));
        });
      },
    ),
    { numRuns: 3000 },
  );
});
