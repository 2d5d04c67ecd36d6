/**
 * Wire codec: kernel captures parsed through tables, NLMSG_ERROR and ACK
 * parsing, builders, nfnetlink framing and address helpers.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  forEachMessage,
  formatIp,
  MalformedError,
  MessageBuilder,
  NetlinkError,
  nfnlBatch,
  nfnlSplit,
  nfnlType,
  type NlMsg,
  NLMSG_DONE,
  NLMSG_ERROR,
  parseAttrs,
  parseCidr,
  parseDoneMessage,
  parseErrorMessage,
  parseIp,
  parseMac,
  readMessage,
  TruncatedError,
} from "../src/wire/mod.ts";
import { ACK, DUMP6_WITH_DONE, ERROR_CAPPED, ERROR_FULL, NEWADDR_V4, unhex, vector } from "./_vectors.ts";

const IFA = {
  address: { type: 1, kind: "ip" },
  local: { type: 2, kind: "ip" },
  label: { type: 3, kind: "string" },
  cacheinfo: { type: 6, kind: "struct", struct: { prefered: "u32", valid: "u32", cstamp: "u32", tstamp: "u32" } },
  flags: { type: 8, kind: "u32", bits: { 0x80: "permanent", 0x100: "noprefixroute" } },
} as const;
const IFLA = {
  address: { type: 1, kind: "mac" },
  ifname: { type: 3, kind: "string" },
  mtu: { type: 4, kind: "u32" },
  txqlen: { type: 13, kind: "u32" },
  operstate: { type: 16, kind: "u8", names: { 0: "UNKNOWN", 2: "DOWN", 6: "UP" } },
  linkinfo: { type: 18, kind: "nested", table: { kind: { type: 1, kind: "string" } } },
} as const;

function one(bytes: Uint8Array): NlMsg {
  return readMessage(bytes, new DataView(bytes.buffer, bytes.byteOffset), 0, bytes.length);
}

test("an IPv4 RTM_NEWADDR captured from the kernel parses through a table", () => {
  const m = one(unhex(NEWADDR_V4));
  assert.equal(m.type, 20);
  const hdr = { family: m.buf[16], prefixLen: m.buf[17], scope: m.buf[19] };
  assert.deepEqual(hdr, { family: 2, prefixLen: 24, scope: 0 });
  const a = parseAttrs(IFA, m.buf, m.view, m.start + 24, m.end);
  assert.equal(a.local, "10.1.2.3");
  assert.equal(a.label, "lo");
  assert.deepEqual(a.flags, ["permanent"]);
  assert.equal(a.cacheinfo?.valid, 0xffffffff);
  assert.equal(a.unknown, undefined);
});

test("the lo RTM_NEWLINK captured from the kernel parses, keeps unknown attributes and round-trips", () => {
  const bytes = vector("rtm_newlink_lo");
  const m = one(bytes);
  assert.equal(m.type, 16);
  const link = parseAttrs(IFLA, m.buf, m.view, m.start + 32, m.end);
  assert.equal(link.ifname, "lo");
  assert.equal(link.mtu, 65536);
  assert.equal(link.txqlen, 1000);
  assert.equal(link.operstate, "UNKNOWN");
  assert.equal(link.address, "00:00:00:00:00:00");
  assert.ok(link.unknown && link.unknown.length > 10, "unknown attributes are kept");
  // Rebuild header + every attribute; the kernel's bytes come back exactly.
  const rebuilt = new MessageBuilder(m.type, m.flags).raw(bytes.subarray(16, 32)).attrs(IFLA, link).finish();
  const orig = parseAttrs(IFLA, bytes, m.view, 32, m.end);
  const again = parseAttrs(IFLA, rebuilt, new DataView(rebuilt.buffer), 32, rebuilt.length);
  assert.deepEqual(again, orig);
  assert.equal(rebuilt.length, bytes.length);
});

test("NLMSG_ERROR with the request echoed yields errno and the ext-ack message", () => {
  const m = one(unhex(ERROR_FULL));
  assert.equal(m.type, NLMSG_ERROR);
  const e = parseErrorMessage(m);
  assert.equal(e.errno, 95);
  assert.equal(e.requestType, 16);
  assert.equal(e.requestSeq, 7);
  assert.equal(e.ext.message, "Unknown device type");
  const err = new NetlinkError(e.errno, e.ext, e.requestType, "RTM_NEWLINK");
  assert.equal(err.code, "EOPNOTSUPP");
  assert.equal(err.kernelMessage, "Unknown device type");
  assert.match(err.message, /^RTM_NEWLINK failed: Unknown device type \(EOPNOTSUPP\)$/);
});

test("NLMSG_ERROR with NLM_F_CAPPED and an ACK parse", () => {
  const e = parseErrorMessage(one(unhex(ERROR_CAPPED)));
  assert.deepEqual([e.errno, e.requestSeq, e.ext.message], [95, 8, "Unknown device type"]);
  const ack = parseErrorMessage(one(unhex(ACK)));
  assert.deepEqual([ack.errno, ack.requestType, ack.requestSeq], [0, 19, 9]);
});

test("a datagram holding a message and NLMSG_DONE splits into both", () => {
  const bytes = unhex(DUMP6_WITH_DONE);
  const types: number[] = [];
  const view = new DataView(bytes.buffer);
  forEachMessage(bytes, view, 0, bytes.length, (m) => {
    types.push(m.type);
    if (m.type === NLMSG_DONE) assert.equal(parseDoneMessage(m).errno, 0);
    else assert.equal(parseAttrs(IFA, m.buf, m.view, m.start + 24, m.end).address, "::1");
  });
  assert.deepEqual(types, [20, NLMSG_DONE]);
});

test("the builder lays out nests, alignment and byte order", () => {
  const msg = new MessageBuilder(0x101, 0x300)
    .struct({ family: "u8", version: "u8", resId: "u16be" }, { family: 2, resId: 0x1234 })
    .u(1, "u16be", 8080)
    .string(2, "abc")
    .nest(3, (b) => b.u(1, "u32be", 0xdeadbeef).u(2, "u8", 7))
    .finish();
  assert.equal(
    Buffer.from(msg).toString("hex"),
    "38000000010101030000000000000000" + "02001234" + "06000100" + "1f900000" + "08000200" + "61626300" +
      "14000380" + "08000100deadbeef" + "0500020007000000",
  );
});

test("table scalars, names, bits and repeats round-trip", () => {
  const T = {
    big: { type: 1, kind: "u64" },
    port: { type: 2, kind: "u16be" },
    state: { type: 3, kind: "u8", names: { 1: "ONE", 2: "TWO" } },
    flags: { type: 4, kind: "u32", bits: { 1: "a", 4: "c" } },
    names: { type: 5, kind: "string", repeat: true },
    neg: { type: 6, kind: "s32" },
    on: { type: 7, kind: "flag" },
  } as const;
  const v = {
    big: 2 ** 40 + 5,
    port: 443,
    state: "TWO",
    flags: ["a", "c", "0x10"],
    names: ["x", "yy"],
    neg: -5,
    on: true,
  };
  const msg = new MessageBuilder(16, 0).attrs(T, v).finish();
  assert.deepEqual(parseAttrs(T, msg, new DataView(msg.buffer), 16, msg.length), v);
  assert.throws(() => new MessageBuilder(16, 0).attrs(T, { state: "THREE" }), /Unknown state: "THREE"/);
});

test("bad frames give typed errors that name the offset", () => {
  const short = unhex("0800000002000000");
  assert.throws(() => one(short), TruncatedError);
  const tiny = unhex("04000000020000000000000000000000");
  assert.throws(() => one(tiny), (e) => e instanceof MalformedError && e.offset === 0);
  const badAttr = unhex("02000100");
  assert.throws(() => parseAttrs(IFLA, badAttr, new DataView(badAttr.buffer), 0, 4), MalformedError);
  const overlong = unhex("40000100aaaa");
  assert.throws(() => parseAttrs(IFLA, overlong, new DataView(overlong.buffer), 0, 6), TruncatedError);
});

test("addresses parse and print like inet_pton/inet_ntop", () => {
  const cases = [
    "::",
    "::1",
    "fe80::1",
    "2001:db8::8:800:200c:417a",
    "2001:db8:0:0:1::1",
    "::ffff:10.0.0.1",
    "1:2:3:4:5:6:7:8",
  ];
  const want = [
    "::",
    "::1",
    "fe80::1",
    "2001:db8::8:800:200c:417a",
    "2001:db8::1:0:0:1",
    "::ffff:10.0.0.1",
    "1:2:3:4:5:6:7:8",
  ];
  assert.deepEqual(cases.map((c) => formatIp(parseIp(c))), want);
  assert.equal(formatIp(parseIp("192.168.1.255")), "192.168.1.255");
  for (const bad of ["1.2.3.256", "1.2.3", "::1::", "gg::1", "1:2:3:4:5:6:7:8:9", ""]) {
    assert.throws(() => parseIp(bad), new RegExp(`Invalid IP address: "${bad.replace(/[.]/g, "\\.")}"`));
  }
  assert.deepEqual(parseCidr("10.0.0.1/24").prefixLen, 24);
  assert.throws(() => parseCidr("10.0.0.1/33"), /Invalid prefix length in "10.0.0.1\/33"/);
  assert.deepEqual([...parseMac("aa:bb:cc:0:1:ff")], [0xaa, 0xbb, 0xcc, 0, 1, 0xff]);
  assert.throws(() => parseMac("zz:00"), /Invalid link-layer address: "zz:00"/);
});

test("nfnetlink types split and batches wrap", () => {
  assert.equal(nfnlType(1, 2), 0x102);
  assert.deepEqual(nfnlSplit(0x0a03), [10, 3]);
  const inner = new MessageBuilder(0x0a00, 0).finish();
  const [begin, , end] = nfnlBatch(10, [inner], 0x01020304);
  assert.equal(
    Buffer.from(begin).toString("hex"),
    "1c000000100001000000000000000000" + "0000000a" + "0800010001020304",
  );
  assert.equal(Buffer.from(end).toString("hex"), "14000000110001000000000000000000" + "0000000a");
});
