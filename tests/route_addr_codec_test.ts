/**
 * Address codec: RTM_NEWADDR messages captured from a 6.18 kernel, the
 * `ip -j addr` rendering of them, and fuzzing of the parser.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Address, parseAddressMessage } from "../src/route/addr/parse.ts";
import { addressToIpJson } from "../src/route/addr/json.ts";
import { readMessage } from "../src/wire/message.ts";
import { MalformedError, TruncatedError } from "../src/wire/errors.ts";
import { mutatedCaptures, onlyTyped, randomPayloads } from "./_fuzz.ts";

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
}

function parse(hex: string | Uint8Array): Address {
  const b = typeof hex === "string" ? bytes(hex) : hex;
  return parseAddressMessage(readMessage(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length));
}

// Captured with a dump of RTM_GETADDR (ifa_index 3) in a test namespace.
const PEER =
  "4c0000001400220001c0b0fed12d00000220800003000000080001000a010002080002000a010001070003007630000008000800" +
  "8000000014000600fffffffffffffffff7c90000f7c90000";
const SECONDARY = "580000001400220001c0b0fed12d00000218810003000000080001000a000002080002000a000002080004000a0000ff09" +
  "00030076303a6100000000080008008100000014000600fffffffffffffffff7c90000f7c90000";
const V6_METRIC = "500000001400220001c0b0fed12d00000a408000030000001400010020010db80001000000000000000000010800090037" +
  "00000014000600fffffffffffffffff8c90000f8c900000800080080020000";
const V6_LIFETIMES =
  "480000001400220001c0b0fed12d00000a402200030000001400010020010db800000000000000000000000114000600" +
  "000000001b000000f8c90000f8c900000800080022000000";
const V6_LINK_LOCAL =
  "500000001400220001c0b0fed12d00000a4080fd0300000014000100fe8000000000000094c611fffee1432114000600" +
  "fffffffffffffffff6c90000f6c90000080008008000000005000b0003000000";

test("IPv4 address with a peer: local from IFA_LOCAL, peer from IFA_ADDRESS", () => {
  const a = parse(PEER);
  assert.deepEqual(a, {
    family: "inet",
    address: "10.1.0.1/32",
    local: "10.1.0.1",
    prefixLen: 32,
    ifindex: 3,
    scope: "global",
    flags: ["permanent"],
    peer: "10.1.0.2",
    label: "v0",
    cacheinfo: { preferred: 0xffffffff, valid: 0xffffffff, cstamp: 51703, tstamp: 51703 },
    validLft: "forever",
    preferredLft: "forever",
  });
  assert.deepEqual(addressToIpJson(a), {
    family: "inet",
    local: "10.1.0.1",
    address: "10.1.0.2",
    prefixlen: 32,
    scope: "global",
    label: "v0",
    valid_life_time: 4294967295,
    preferred_life_time: 4294967295,
  });
});

test("IPv4 secondary with broadcast and label", () => {
  const a = parse(SECONDARY);
  assert.equal(a.local, "10.0.0.2");
  assert.equal(a.peer, undefined);
  assert.equal(a.broadcast, "10.0.0.255");
  assert.equal(a.label, "v0:a");
  assert.deepEqual(a.flags, ["secondary", "permanent"]);
  assert.deepEqual(addressToIpJson(a), {
    family: "inet",
    local: "10.0.0.2",
    prefixlen: 24,
    broadcast: "10.0.0.255",
    scope: "global",
    secondary: true,
    label: "v0:a",
    valid_life_time: 4294967295,
    preferred_life_time: 4294967295,
  });
});

test("IPv6 address: only IFA_ADDRESS, flags above 8 bits from IFA_FLAGS, metric", () => {
  const a = parse(V6_METRIC);
  assert.equal(a.family, "inet6");
  assert.equal(a.local, "2001:db8:1::1");
  assert.equal(a.address, "2001:db8:1::1/64");
  assert.equal(a.peer, undefined);
  assert.equal(a.metric, 55);
  // ifa_flags says 0x80 only; IFA_FLAGS (0x280) wins, as in iproute2.
  assert.deepEqual(a.flags, ["permanent", "noprefixroute"]);
  assert.deepEqual(addressToIpJson(a), {
    family: "inet6",
    local: "2001:db8:1::1",
    prefixlen: 64,
    metric: 55,
    scope: "global",
    noprefixroute: true,
    valid_life_time: 4294967295,
    preferred_life_time: 4294967295,
  });
});

test("IPv6 lifetimes: finite values, deprecated and dynamic", () => {
  const a = parse(V6_LIFETIMES);
  assert.equal(a.validLft, 27);
  assert.equal(a.preferredLft, 0);
  assert.deepEqual(a.flags, ["nodad", "deprecated"]);
  assert.deepEqual(addressToIpJson(a), {
    family: "inet6",
    local: "2001:db8::1",
    prefixlen: 64,
    scope: "global",
    nodad: true,
    deprecated: true,
    dynamic: true,
    valid_life_time: 27,
    preferred_life_time: 0,
  });
});

test("IPv6 link-local: scope link and IFA_PROTO", () => {
  const a = parse(V6_LINK_LOCAL);
  assert.equal(a.scope, "link");
  assert.equal(a.protocol, "kernel_ll");
  assert.equal(a.local, "fe80::94c6:11ff:fee1:4321");
  // iproute2 6.1 does not print the protocol.
  assert.equal(addressToIpJson(a).protocol, undefined);
});

test("unknown flag bits and attributes survive", () => {
  const b = bytes(V6_METRIC);
  const view = new DataView(b.buffer);
  view.setUint32(b.length - 4, 0x8000_0280, true); // an IFA_FLAGS bit nobody names yet
  const a = parse(b);
  assert.deepEqual(a.flags, ["permanent", "noprefixroute", "0x80000000"]);
  assert.equal(addressToIpJson(a).ifa_flags, "80000000");
  const withUnknown = bytes(PEER.replace("0800080080000000", "08006300deadbeef")); // IFA_FLAGS → type 99
  const u = parse(withUnknown);
  assert.deepEqual(u.unknown, [{ type: 99, data: bytes("deadbeef") }]);
  assert.deepEqual(u.flags, ["permanent"]); // back to ifa_flags
});

test("truncated and malformed messages throw typed errors", () => {
  assert.throws(() => parse(bytes("14000000140022000000000000000000020000")), TruncatedError);
  const short = bytes("1800000014002200000000000000000002000000"); // ifaddrmsg cut to 4 bytes
  assert.throws(() => parse(short), TruncatedError);
  const badCacheinfo = bytes(PEER);
  new DataView(badCacheinfo.buffer).setUint16(0x38, 12, true); // IFA_CACHEINFO length 12
  assert.throws(() => parse(badCacheinfo), (e) => e instanceof TruncatedError || e instanceof MalformedError);
  const zeroLen = bytes(PEER);
  new DataView(zeroLen.buffer).setUint16(0x18, 0, true); // first attribute length 0
  assert.throws(() => parse(zeroLen), MalformedError);
});

test("fuzz: mutated captured messages parse or throw typed errors (4000 inputs)", () => {
  const vectors = [PEER, SECONDARY, V6_METRIC, V6_LIFETIMES, V6_LINK_LOCAL].map(bytes);
  fc.assert(
    fc.property(mutatedCaptures(vectors), (m) => onlyTyped(() => parseAddressMessage(m))),
    { numRuns: 4000 },
  );
});

test("fuzz: random payloads parse or throw typed errors (4000 inputs)", () => {
  fc.assert(
    fc.property(randomPayloads(200), (m) => onlyTyped(() => addressToIpJson(parseAddressMessage(m)))),
    { numRuns: 4000 },
  );
});
