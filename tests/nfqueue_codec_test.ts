import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { hexMessage, unhex } from "./_vectors.ts";
import {
  buildBatchVerdict,
  buildQueueConfig,
  buildVerdict,
  parseQueueMessage,
  parseQueueStats,
  type Verdict,
  verdictNumber,
  VerdictTemplate,
} from "../src/netfilter/queue/mod.ts";
import { copyBytes } from "../src/netfilter/pooled_bytes.ts";
import { NFQA_TABLE } from "../src/netfilter/queue/tables.ts";
import { parseAttrs } from "../src/wire/table.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { readMessage } from "../src/wire/message.ts";
import { NFGENMSG } from "../src/wire/nfnetlink.ts";

/** NFQNL_MSG_PACKET from Linux 6.18 (strace of libnetfilter_queue): "hi\n" to 127.0.0.1:9999, queue 3, hook output. */
const PACKET = "4b000000000300000000000000000000" + "02000003" + "0b000100000000010800030008000600000000012300" +
  "0a004500001f1a06400040112 2c67f0000017f000001a4b5270f000bc3a7 68690a00".replace(/ /g, "");

/** The same message's attributes as libnetfilter_queue sends them: bind command and copy parameters. */
const LIBNFQ_BIND_CMD = "0800010001000000";
const LIBNFQ_PARAMS = "090002000000ffff02000000";

test("nfqueue codec: a kernel packet message parses to the typed packet", () => {
  const p = parseQueueMessage(hexMessage(PACKET))!;
  assert.equal(p.kind, "packet");
  assert.equal(p.queue, 3);
  assert.equal(p.family, "ipv4");
  assert.equal(p.id, 1);
  assert.equal(p.hwProtocol, 0x0800);
  assert.equal(p.hook, "output");
  assert.equal(p.outdev, 1);
  assert.equal(p.payload!.length, 31);
  assert.equal(new TextDecoder().decode(p.payload!.subarray(28)), "hi\n");
  assert.equal(p.mark, undefined);
  assert.equal(p.unknown, undefined);
});

test("nfqueue codec: other messages are not packets", () => {
  const m = hexMessage(PACKET);
  m.type = 0x0301; // NFQNL_MSG_VERDICT
  assert.equal(parseQueueMessage(m), undefined);
});

test("nfqueue codec: the bind request carries libnetfilter_queue's command and parameter bytes", () => {
  const msg = buildQueueConfig(3, { copyMode: "packet", copyRange: 0xffff }, "bind");
  const hex = Buffer.from(msg).toString("hex");
  assert.equal(hex.slice(8, 12), "0203"); // NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_CONFIG
  assert.equal(hex.slice(32, 40), "00000003"); // AF_UNSPEC, v0, res_id 3 big-endian
  assert.ok(hex.includes(LIBNFQ_BIND_CMD));
  assert.ok(hex.includes(LIBNFQ_PARAMS));
  // mask = every flag, flags = none: big-endian words
  assert.ok(hex.includes("080004000000001f"));
  assert.ok(hex.includes("0800050000000000"));
});

test("nfqueue codec: config flags, max length, unbind", () => {
  const hex = Buffer.from(buildQueueConfig(7, { maxLen: 1024, flags: ["fail-open", "gso"] }, "none")).toString("hex");
  assert.ok(hex.includes("0800030000000400")); // NFQA_CFG_QUEUE_MAXLEN 1024
  assert.ok(hex.includes("0800050000000005")); // fail-open | gso
  assert.ok(!hex.includes("08000100")); // no command
  const unbind = Buffer.from(buildQueueConfig(7, {}, "unbind")).toString("hex");
  assert.equal(unbind.slice(40), "0800010002000000");
});

test("nfqueue codec: verdict bytes (accept with mark, queue N with bypass, payload)", () => {
  const v = Buffer.from(buildVerdict(3, 9, "accept", { mark: 0x10 })).toString("hex");
  assert.equal(v.slice(8, 12), "0103");
  assert.equal(v.slice(40), "0c000200" + "00000001" + "00000009" + "08000300" + "00000010");
  const q = Buffer.from(buildVerdict(3, 9, { queue: 5, bypass: true })).toString("hex");
  assert.equal(q.slice(48, 56), "00058003"); // NF_QUEUE | bypass | 5 << 16
  const p = Buffer.from(buildVerdict(3, 9, "drop", { payload: new Uint8Array([1, 2, 3]) })).toString("hex");
  assert.ok(p.endsWith("07000a0001020300"));
  const b = Buffer.from(buildBatchVerdict(3, 20, "drop")).toString("hex");
  assert.equal(b.slice(8, 12), "0303");
  assert.equal(b.slice(40), "0c000200" + "00000000" + "00000014");
});

test("nfqueue codec: bad input is refused before anything is built", () => {
  assert.throws(() => buildVerdict(3, 1, "maybe" as "accept"), /Cannot use verdict "maybe"/);
  assert.throws(() => buildVerdict(70000, 1, "accept"), /queue number 70000/);
  assert.throws(() => buildVerdict(3, -1, "accept"), /packet id -1/);
  assert.throws(() => buildVerdict(3, 1, "accept", { mark: 2 ** 32 }), /mark 4294967296/);
  assert.throws(() => buildVerdict(3, 1, "accept", { colour: 1 } as never), /verdict options: unknown key "colour"/);
  assert.throws(() => buildBatchVerdict(3, 1, "accept", { payload: new Uint8Array(1) }), /batch verdict/);
  assert.throws(() => buildQueueConfig(3, { flags: ["fast"] as never }, "bind"), /queue flag "fast"/);
  assert.throws(() => buildQueueConfig(3, { copyMode: "all" as never }, "bind"), /copy mode "all"/);
  assert.throws(() => buildQueueConfig(3, { maxlen: 3 } as never, "bind"), /queue options: unknown key "maxlen"/);
});

test("nfqueue codec: /proc/net/netfilter/nfnetlink_queue lines", () => {
  const text =
    "    3   3379     0 2 65535     0     0        1  1\n    5 -4128     2 1  4096     7     9       12  1\n";
  assert.deepEqual(parseQueueStats(text)[0], {
    queue: 3,
    portId: 3379,
    waiting: 0,
    copyMode: "packet",
    copyRange: 65535,
    dropped: 0,
    userDropped: 0,
    idSequence: 1,
  });
  assert.equal(parseQueueStats(text)[1].dropped, 7);
  assert.equal(parseQueueStats(text)[1].copyMode, "meta");
});

test("nfqueue codec: a verdict's id, mark and payload read back through the same table", () => {
  fc.assert(
    fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.uint8Array({ maxLength: 200 }), (id, mark, payload) => {
      const msg = buildVerdict(1, id, "accept", { mark, payload });
      const a = parseAttrs(NFQA_TABLE, msg, new DataView(msg.buffer), 20, msg.length);
      assert.deepEqual(a.verdictHdr, { verdict: 1, id });
      assert.equal(a.mark, mark);
      assert.deepEqual(a.payload, payload);
    }),
    { numRuns: 300 },
  );
});

test("nfqueue codec: a verdict template patched in place gives the bytes a fresh verdict has", () => {
  const verdict: fc.Arbitrary<Verdict> = fc.oneof(
    fc.constantFrom<Verdict>("accept", "drop", "repeat", "stop"),
    fc.record({ queue: fc.nat(0xffff), bypass: fc.boolean() }),
  );
  const call = fc.record({ id: fc.nat(0xffffffff), verdict, mark: fc.option(fc.nat(0xffffffff), { nil: undefined }) });
  fc.assert(
    fc.property(fc.nat(0xffff), fc.boolean(), fc.array(call, { minLength: 1, maxLength: 6 }), (queue, batch, calls) => {
      const t = new VerdictTemplate(queue, batch);
      const build = batch ? buildBatchVerdict : buildVerdict;
      // One template serves every call in turn: nothing of an earlier call may stay behind.
      for (const c of calls) {
        const want = build(queue, c.id, c.verdict, c.mark === undefined ? {} : { mark: c.mark });
        assert.deepEqual([...t.encode(c.id, verdictNumber(c.verdict), c.mark)], [...want]);
      }
    }),
    { numRuns: 300 },
  );
  const t = new VerdictTemplate(3, false);
  assert.throws(() => t.encode(-1, 1), /packet id -1/);
  assert.throws(() => t.encode(1.5, 1), /packet id 1.5/);
  assert.throws(() => t.encode(1, 1, 2 ** 32), /mark 4294967296/);
});

test("nfqueue codec: each packet's payload is a copy of its own bytes", () => {
  const msg = hexMessage(PACKET);
  const a = parseQueueMessage(msg)!.payload!;
  const b = parseQueueMessage(msg)!.payload!;
  assert.deepEqual([...a], [...b]);
  a[0] = 0;
  assert.equal(b[0], 0x45); // the other packet's copy, and the receive buffer, keep their bytes
  assert.equal(msg.buf[msg.start + 44], 0x45);
  // Small copies share a slab; a large one (a GSO packet) has its own buffer.
  const big = new Uint8Array(70000).fill(7);
  const copy = copyBytes(big, 100, 70000);
  assert.equal(copy.buffer.byteLength, 69900);
  assert.ok(copy.every((x) => x === 7));
  assert.notEqual(copyBytes(big, 0, 8).buffer, big.buffer);
});

test("nfqueue codec: bad bytes give typed errors, never a crash", () => {
  assertOnlyTypedErrors([unhex(PACKET)], [parseQueueMessage], { numRuns: 5000, maxLength: 300, maxEdits: 8 });
});

/**
 * NFQNL_MSG_PACKET with conntrack info, laid out by hand as the kernel's
 * `nfqnl_build_packet_message` and `ctnetlink_glue_build` write it (nests
 * flagged `NLA_F_NESTED`, numbers big-endian): queue 4, packet 7, a UDP
 * 10.77.0.1:4000 -> 10.77.0.2:9999 entry (status CONFIRMED, mark 5, id
 * 0x12345678), ct info NEW, uid 1234.
 */
const PACKET_CT = [
  "b4000000" + "0003" + "0000" + "00000000" + "00000000", // nlmsghdr
  "02000004", // nfgenmsg: AF_INET, v0, res_id 4
  "0b000100" + "00000007" + "0800" + "03" + "00", // NFQA_PACKET_HDR
  "84000b80", // NFQA_CT (nested)
  "34000180" + "14000180" + "080001000a4d0001" + "080002000a4d0002", // CTA_TUPLE_ORIG { CTA_TUPLE_IP {src, dst}
  "1c000280" + "0500010011000000" + "060002000fa00000" + "06000300270f0000", //   CTA_TUPLE_PROTO {udp, 4000, 9999} }
  "34000280" + "14000180" + "080001000a4d0002" + "080002000a4d0001", // CTA_TUPLE_REPLY
  "1c000280" + "0500010011000000" + "06000200270f0000" + "060003000fa00000",
  "0800030000000008" + "0800080000000005" + "08000c0012345678", // CTA_STATUS, CTA_MARK, CTA_ID
  "08000c0000000002", // NFQA_CT_INFO: IP_CT_NEW
  "08001000000004d2", // NFQA_UID 1234
].join("");

test("nfqueue codec: a kernel-layout NFQA_CT vector parses into the conntrack entry", () => {
  const p = parseQueueMessage(hexMessage(PACKET_CT))!;
  assert.deepEqual([p.queue, p.id, p.hook, p.hwProtocol], [4, 7, "output", 0x800]);
  assert.equal(p.ctInfo, "new");
  assert.equal(p.uid, 1234);
  assert.equal(p.ct?.proto, "udp");
  assert.deepEqual(p.ct?.orig, { src: "10.77.0.1", dst: "10.77.0.2", sport: 4000, dport: 9999 });
  assert.deepEqual(p.ct?.reply, { src: "10.77.0.2", dst: "10.77.0.1", sport: 9999, dport: 4000 });
  assert.deepEqual(p.ct?.status, ["CONFIRMED"]);
  assert.equal(p.ct?.mark, 5);
  assert.equal(p.ct?.id, 0x12345678);
  assert.equal(p.unknown, undefined);
  // Cut anywhere inside the nest, the message gives a typed error, never a wrong entry.
  for (let cut = 40; cut < 164; cut += 4) {
    const bytes = unhex(PACKET_CT).slice(0, cut);
    new DataView(bytes.buffer).setUint32(0, cut, true);
    assert.throws(() => parseQueueMessage(readMessage(bytes, new DataView(bytes.buffer), 0, cut)), `cut at ${cut}`);
  }
});

test("nfqueue codec: NFQA_CT goes through the conntrack entry parser; a ctMark verdict nests CTA_MARK", () => {
  const msg = new MessageBuilder(0x0300, 0)
    .struct(NFGENMSG, { family: 2, version: 0, resId: 4 })
    .attrs(NFQA_TABLE, {
      packetHdr: { packetId: 7, hwProtocol: 0x800, hook: 3 },
      ct: {
        tupleOrig: { ip: { v4Src: "10.77.0.1", v4Dst: "10.77.0.2" }, proto: { num: 17, srcPort: 4000, dstPort: 9999 } },
        tupleReply: {
          ip: { v4Src: "10.77.0.2", v4Dst: "10.77.0.1" },
          proto: { num: 17, srcPort: 9999, dstPort: 4000 },
        },
        status: 0x8, // IPS_CONFIRMED
        mark: 5,
      },
      ctInfo: "new",
      uid: 1234,
    })
    .finish();
  const p = parseQueueMessage(readMessage(msg, new DataView(msg.buffer), 0, msg.length))!;
  assert.equal(p.ctInfo, "new");
  assert.equal(p.ct?.proto, "udp");
  assert.deepEqual(p.ct?.orig, { src: "10.77.0.1", dst: "10.77.0.2", sport: 4000, dport: 9999 });
  assert.equal(p.ct?.mark, 5);
  assert.deepEqual(p.ct?.status, ["CONFIRMED"]);
  assert.equal(p.uid, 1234);
  const v = Buffer.from(buildVerdict(4, 7, "accept", { ctMark: 0x42 })).toString("hex");
  assert.ok(v.endsWith("0c000b80" + "08000800" + "00000042")); // NFQA_CT (nested) { CTA_MARK 0x42 }
});
