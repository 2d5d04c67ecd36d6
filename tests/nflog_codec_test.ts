import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { hexMessage, unhex } from "./_vectors.ts";
import { buildLogConfig, parseLogMessage } from "../src/netfilter/log/mod.ts";
import { nflogRecord } from "../src/pcap/packets.ts";
import { readMessage } from "../src/wire/message.ts";

/**
 * NFULNL_MSG_PACKET laid out as `nfulnl_build()` writes it: group 5, hook
 * input, mark 9, indev 2, prefix "p: ", uid absent, seq 4, hwtype 1, hwlen 14,
 * a 14-byte hardware header and a 4-byte payload.
 */
const PACKET = "8c00000000040000000000000000000002000005" +
  "08000100080001 00".replace(/ /g, "") + // packet hdr: 0x0800, hook 1
  "0800020000000009" + // mark
  "0800040000000002" + // indev
  "1000080000060000aabbccddeeff0000" + // hwaddr: len 6, aa:bb:cc:dd:ee:ff
  "08000a00703a2000" + // prefix "p: "
  "08000c0000000004" + // seq
  "06000f0000010000" + // hwtype 1
  "0600110000 0e0000".replace(/ /g, "") + // hwlen 14
  "12001000" + "020000000001aabbccddeeff0800" + "0000" + // hwheader
  "08000900deadbeef" + // payload
  "14000300" + "0000000065000000" + "00000000000003e8"; // timestamp 1694498816 s 1000 us

test("nflog codec: a packet message parses to the typed packet", () => {
  const m = hexMessage(PACKET);
  assert.equal(m.end, unhex(PACKET).length);
  const p = parseLogMessage(m)!;
  assert.equal(p.group, 5);
  assert.equal(p.family, "ipv4");
  assert.equal(p.hook, "input");
  assert.equal(p.hwProtocol, 0x0800);
  assert.equal(p.mark, 9);
  assert.equal(p.indev, 2);
  assert.equal(p.hwAddr, "aa:bb:cc:dd:ee:ff");
  assert.equal(p.prefix, "p: ");
  assert.equal(p.seq, 4);
  assert.equal(p.hwType, 1);
  assert.equal(p.hwLen, 14);
  assert.equal(p.hwHeader!.length, 14);
  assert.deepEqual([...p.payload!], [0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual(p.timestamp, { sec: 0x65000000, usec: 1000 });
  assert.equal(p.unknown, undefined);
});

test("nflog codec: config bytes (bind, mode, threshold, timeout, buffer, flags)", () => {
  const msg = buildLogConfig(5000, {
    copyMode: "packet",
    copyRange: 100,
    threshold: 3,
    timeout: 50,
    bufferSize: 8192,
    flags: ["seq", "conntrack"],
  }, "bind");
  const hex = Buffer.from(msg).toString("hex");
  assert.equal(hex.slice(8, 12), "0104"); // NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG
  assert.equal(hex.slice(32, 40), "00001388"); // res_id 5000 big-endian (the Linx seed's example)
  assert.equal(
    hex.slice(40),
    "0500010001000000" + // bind
      "0a000200000000640200 0000".replace(/ /g, "") + // mode: range 100, packet
      "0800030000002000" + // nlbufsiz 8192
      "0800040000000032" + // timeout 50
      "0800050000000003" + // qthresh 3
      "0600060000050000", // flags seq|conntrack (be16)
  );
});

test("nflog codec: bad input is refused", () => {
  assert.throws(() => buildLogConfig(1, { flags: ["loud"] as never }, "bind"), /log flag "loud"/);
  assert.throws(() => buildLogConfig(1, { threshold: -1 }, "bind"), /threshold -1/);
  assert.throws(() => buildLogConfig(1, { prefix: "x" } as never, "bind"), /log options: unknown key "prefix"/);
  assert.throws(() => buildLogConfig(65536, {}, "bind"), /log group 65536/);
});

test("nflog codec: a packet survives the trip through an NFLOG pcap record", () => {
  fc.assert(
    fc.property(
      fc.record({
        mark: fc.nat(0xffffffff),
        prefix: fc.stringMatching(/^[a-z: ]{0,20}$/),
        seq: fc.nat(0xffffffff),
        payload: fc.uint8Array({ maxLength: 100 }),
      }),
      (x) => {
        const p = parseLogMessage(hexMessage(PACKET))!;
        Object.assign(p, x);
        const rec = nflogRecord(p);
        const msg = new Uint8Array(16 + rec.length);
        msg.set(rec, 16);
        const view = new DataView(msg.buffer);
        view.setUint32(0, msg.length, true);
        view.setUint16(4, 0x0400, true);
        const back = parseLogMessage(readMessage(msg, view, 0, msg.length))!;
        assert.deepEqual(back, p);
      },
    ),
    { numRuns: 200 },
  );
});

test("nflog codec: bad bytes give typed errors, never a crash", () => {
  assertOnlyTypedErrors([unhex(PACKET)], [parseLogMessage], { numRuns: 5000, maxLength: 300, maxEdits: 8 });
});
