/**
 * Multicast route codec: RTM_NEWROUTE messages of families
 * RTNL_FAMILY_IPMR and RTNL_FAMILY_IP6MR captured from a 6.18 kernel dump
 * (`strace -xx -e trace=recvmsg ip mroute show`), their `ip -j mroute`
 * renderings, the dump requests, and fuzzing of the parser.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRouteEvent } from "../src/route/events.ts";
import { multicastRouteDumpRequest } from "../src/route/mroute/api.ts";
import { mrouteToIpJson } from "../src/route/mroute/json.ts";
import { isMulticastRouteMessage, parseMulticastRouteMessage } from "../src/route/mroute/parse.ts";
import { MFC_OIFS_CODEC } from "../src/route/mroute/table.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { MalformedError } from "../src/wire/errors.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { unhex } from "./_vectors.ts";

/** An nlmsghdr (RTM_NEWROUTE, NLM_F_MULTI) in front of a captured payload. */
function message(payload: string, type = 24): Uint8Array {
  const p = unhex(payload);
  const b = new Uint8Array(16 + p.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, b.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, 2, true);
  b.set(p, 16);
  return b;
}

function msg(b: Uint8Array): NlMsg {
  return readMessage(b, new DataView(b.buffer), 0, b.length);
}

// (10.0.0.1,239.1.1.1) in ifindex 3, out ifindex 5 with TTL threshold 3, table default (253), RTPROT_MROUTED.
const IPMR = message(
  "80202000fd1100050000000008000f00fd000000080002000a00000108000100ef01010108000300030000000c00090008000003" +
    "050000001c0011000000000000000000000000000000000000000000000000000c0017002f00000000000000",
);
// (2001:db8::1,ff05::1) in ifindex 3, out ifindex 5 (TTL 1), table main (254).
const IP6MR = message(
  "81808000fe1100050000000008000f00fe0000001400020020010db800000000000000000000000114000100ff0500000000000000" +
    "0000000000000108000300030000000c00090008000001050000001c0011000000000000000000000000000000000000000000" +
    "000000000c0017002600000000000000",
);

test("IPv4 MFC entry: source, group, iif, oifs with TTL threshold, counters, age, table", () => {
  assert.ok(isMulticastRouteMessage(msg(IPMR)));
  assert.deepEqual(parseMulticastRouteMessage(msg(IPMR)), {
    family: "inet",
    table: "default",
    protocol: "mrouted",
    unresolved: false,
    offload: false,
    src: "10.0.0.1",
    dst: "239.1.1.1",
    iif: 3,
    oifs: [{ oif: 5, ttl: 3 }],
    stats: { packets: 0, bytes: 0, wrongIf: 0 },
    age: 0.47,
  });
});

test("IPv6 MFC entry, and ip -j's keys for both (ttl only above 1, stats and age with -s)", () => {
  const r = parseMulticastRouteMessage(msg(IP6MR));
  assert.equal(r.family, "inet6");
  assert.equal(r.table, "main");
  assert.deepEqual(r.oifs, [{ oif: 5, ttl: 1 }]);
  const names = { iifName: "a0", oifs: [{ oif: 5, ttl: 1, dev: "b0" }] };
  assert.deepEqual(mrouteToIpJson({ ...r, ...names }), {
    src: "2001:db8::1",
    dst: "ff05::1",
    iif: "a0",
    multipath: [{ oif: "b0" }],
    state: "resolved",
  });
  // -d shows table main; -s the counters and the age (%g); one table asked: no table.
  assert.deepEqual(mrouteToIpJson({ ...r, ...names }, { details: true, stats: true }), {
    src: "2001:db8::1",
    dst: "ff05::1",
    iif: "a0",
    multipath: [{ oif: "b0" }],
    state: "resolved",
    packets: 0,
    bytes: 0,
    expires: 0.38,
    table: "main",
  });
  const v4 = parseMulticastRouteMessage(msg(IPMR));
  assert.deepEqual(mrouteToIpJson(v4, { oneTable: true }), {
    src: "10.0.0.1",
    dst: "239.1.1.1",
    iif: "if3",
    multipath: [{ oif: "if5", ttl: 3 }],
    state: "resolved",
  });
  assert.equal(mrouteToIpJson(v4).table, "default");
  // An unresolved entry has no iif, no outputs, no counters.
  assert.deepEqual(
    mrouteToIpJson({ family: "inet", table: "default", protocol: "mrouted", unresolved: true, offload: false }, {
      stats: true,
      deleted: true,
    }),
    { deleted: true, src: "unknown", dst: "unknown", iif: "unresolved", state: "unresolved", table: "default" },
  );
});

test("events: a route message of a multicast family is an mroute event", () => {
  const ev = parseRouteEvent(msg(IPMR));
  assert.deepEqual([ev?.type, ev && "kind" in ev ? ev.kind : undefined], ["new", "mroute"]);
  const del = parseRouteEvent(msg(message(
    "81808000fe110005000000000800" + "0f00fe000000",
    25,
  )));
  assert.deepEqual(del, {
    type: "del",
    kind: "mroute",
    object: { family: "inet6", table: "main", protocol: "mrouted", unresolved: false, offload: false },
  });
  // A unicast route is not one.
  assert.throws(
    () => parseMulticastRouteMessage(msg(message("02000000fe0300010000000008000f00fe000000"))),
    MalformedError,
  );
});

test("dump requests: one per family, the table for the kernel to filter by", () => {
  const hex = (b: Uint8Array) => Array.from(b.subarray(16), (x) => x.toString(16).padStart(2, "0")).join("");
  // What ip mroute show sends (strace -e sendmsg): rtmsg of family 128, RTA_TABLE 253.
  assert.equal(hex(multicastRouteDumpRequest(2, 253)), "800000000000000000000000" + "08000f00fd000000");
  assert.equal(hex(multicastRouteDumpRequest(10)), "810000000000000000000000");
  const b = new MessageBuilder(24, 0);
  MFC_OIFS_CODEC.build(b, [{ oif: 5, ttl: 3 }, { oif: 7, ttl: 1 }]);
  const out = b.finish();
  const v = new DataView(out.buffer, out.byteOffset);
  assert.deepEqual(MFC_OIFS_CODEC.parse(out, v, 16, out.length), [{ oif: 5, ttl: 3 }, { oif: 7, ttl: 1 }]);
});

test("fuzz: bad multicast route bytes give typed errors only", () => {
  assertOnlyTypedErrors([IPMR, IP6MR], [parseMulticastRouteMessage, parseRouteEvent], {
    numRuns: 3000,
    maxLength: 200,
    maxEdits: 6,
  });
});
