/**
 * Nexthop codec from byte vectors captured from the kernel (Linux 6.18),
 * requests checked against the bytes `ip nexthop` sends, and property
 * tests: bad bytes give typed errors only.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { buildNexthopMessage, checkNexthopSpec } from "../src/route/nexthop/build.ts";
import { nexthopBucketToIpJson, nexthopToIpJson } from "../src/route/nexthop/json.ts";
import { parseNexthopBucketMessage, parseNexthopMessage } from "../src/route/nexthop/parse.ts";
import { formatG } from "../src/route/nexthop/json.ts";
import { readMessage } from "../src/wire/message.ts";
import { InvalidArgumentError } from "../src/wire/invalid.ts";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { unhex } from "./_vectors.ts";

/** A dump of `ip nexthop`s from the kernel: gateway+dev, onlink static, blackhole, group, resilient group, fdb. */
const DUMP = {
  gateway: "300000006800020001400925e005000002fd00000000000008000100010000000800050003000000080006000a010002",
  onlink: "300000006800020001400925e005000002fd04000400000008000100020000000800050003000000080006000a010003",
  blackhole: "240000006800020001400925e00500000200000000000000080001000300000004000400",
  group: "440000006800020001400925e0050000000000000000000008000100040000000600030000000000140002000100000000000000" +
    "020000000400000008000e0000000080",
  resilient:
    "6c0000006800020001400925e0050000000000000000000008000100050000000600030001000000140002000100000001000000" +
    "020000000000000028000c80060001000800000008000200e803000008000300d00700000c000400000000000000000008000e0000000080",
  v6: "3c0000006800020001400925e00500000afd000000000000080001000700000008000500030000001400060020010db8000000000000" +
    "000000000002",
  fdb: "2c0000006800020001400925e005000002fd000000000000080001000800000004000b00080006000a010009",
};
const BUCKET =
  "400000007400020002400925e00500000000000000000000080001000500000020000d80060001000000000008000300020000" +
  "000c000200f8be000000000000";

function msg(hex: string): ReturnType<typeof readMessage> {
  const b = unhex(hex);
  return readMessage(b, new DataView(b.buffer), 0, b.length);
}

test("kernel nexthop messages parse to ip -j's objects", () => {
  const j = (k: keyof typeof DUMP) => nexthopToIpJson(parseNexthopMessage(msg(DUMP[k])));
  assert.deepEqual(j("gateway"), { id: 1, gateway: "10.1.0.2", dev: "if3", scope: "link", flags: [] });
  assert.deepEqual(j("onlink"), {
    id: 2,
    gateway: "10.1.0.3",
    dev: "if3",
    scope: "link",
    protocol: "static",
    flags: ["onlink"],
  });
  assert.deepEqual(j("blackhole"), { id: 3, blackhole: null, flags: [] });
  assert.deepEqual(j("group"), { id: 4, group: [{ id: 1 }, { id: 2, weight: 5 }], flags: [] });
  assert.deepEqual(j("resilient"), {
    id: 5,
    group: [{ id: 1, weight: 2 }, { id: 2 }],
    type: "resilient",
    resilient_args: { buckets: 8, idle_timer: 10, unbalanced_timer: 20, unbalanced_time: 0 },
    flags: [],
  });
  assert.deepEqual(j("v6"), { id: 7, gateway: "2001:db8::2", dev: "if3", scope: "link", flags: [] });
  assert.deepEqual(j("fdb"), { id: 8, gateway: "10.1.0.9", scope: "link", flags: [], fdb: null });
  const nh = parseNexthopMessage(msg(DUMP.gateway));
  assert.equal(nh.family, "inet");
  assert.equal(nh.ifindex, 3);
  assert.equal(nh.unknown, undefined, "every attribute the kernel sent is known");
  assert.equal(parseNexthopMessage(msg(DUMP.group)).unknown, undefined);
  assert.deepEqual(nexthopBucketToIpJson(parseNexthopBucketMessage(msg(BUCKET))), {
    id: 5,
    bucket: { index: 0, idle_time: 488.88, nhid: 2 },
    flags: [],
  });
});

test("requests are the bytes ip nexthop sends (sequence and port aside)", () => {
  // Payloads of `strace -xx -e trace=sendmsg ip nexthop add ...` (v0 is ifindex 3), after the netlink header.
  const cases: [Parameters<typeof checkNexthopSpec>[1], string][] = [
    [{ id: 1, dev: 3, gateway: "10.1.0.2" }, "020000000000000008000100010000000800050003000000080006000a010002"],
    [{ id: 3, blackhole: true }, "0200000000000000080001000300000004000400"],
    [
      { id: 4, group: [1, { id: 3, weight: 5 }] },
      "000000000000000008000100040000001400020001000000000000000300000004000000",
    ],
    [
      { id: 6, dev: 3, gateway: "10.1.0.4", onlink: true, protocol: "static" },
      "020004000400000008000100060000000800050003000000080006000a010004",
    ],
    [{ id: 7, gateway: "10.1.0.9", fdb: true }, "02000000000000000800010007000000080006000a01000904000b00"],
    [{ id: 8, group: [7], fdb: true }, "000000000000000008000100080000000c000200070000000000000004000b00"],
  ];
  for (const [spec, want] of cases) {
    const bytes = buildNexthopMessage("add", checkNexthopSpec("add", spec));
    assert.equal(hex(bytes.slice(16)), want, JSON.stringify(spec));
    assert.equal(bytes[4] | (bytes[5] << 8), 104, "RTM_NEWNEXTHOP");
    assert.equal((bytes[6] | (bytes[7] << 8)) & 0xf00, 0x0600, "NLM_F_CREATE | NLM_F_EXCL");
  }
  // ip puts the type after the resilient parameters; the kernel reads attributes in any order.
  const res = buildNexthopMessage(
    "add",
    checkNexthopSpec("add", {
      id: 5,
      group: [1, 3],
      groupType: "resilient",
      resilient: { buckets: 8, idleTimer: 10, unbalancedTimer: 20 },
    }),
  );
  const ipRes = unhex(
    "100000006800050600000000000000000000000000000000080001000500000014000200010000000000000003000000000000001c000c80" +
      "060001000800000008000200e803000008000300d00700000600030001000000",
  );
  const parsed = (b: Uint8Array) => parseNexthopMessage(readMessage(b, new DataView(b.buffer), 0, b.length));
  new DataView(ipRes.buffer).setUint32(0, ipRes.length, true);
  assert.deepEqual(parsed(res), parsed(ipRes));
});

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

test("spec checks name the bad key and value", () => {
  assert.throws(() => checkNexthopSpec("add", { id: 1, dev: "v0", nexthop: 1 } as never), InvalidArgumentError);
  assert.throws(() => checkNexthopSpec("replace", { blackhole: true }), /without an id/);
  assert.throws(() => checkNexthopSpec("add", { id: 1, group: [1], resilient: { buckets: 0 } }), /buckets 0/);
  assert.throws(() => checkNexthopSpec("add", { id: 1, group: [1], groupType: "mpath", resilient: {} }), /mpath/);
});

test("%g formatting matches C's", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [10, "10"],
    [0.09, "0.09"],
    [488.88, "488.88"],
    [1234567, "1.23457e+06"],
    [
      0.00001,
      "1e-05",
    ],
    [100000, "100000"],
    [123.4567891, "123.457"],
  ];
  for (const [x, s] of cases) assert.equal(formatG(x), s, String(x));
});

test("nexthop parsers give typed errors only on bad bytes", () => {
  const seeds = [...Object.values(DUMP), BUCKET].map(unhex);
  assertOnlyTypedErrors(seeds, [parseNexthopMessage, parseNexthopBucketMessage], {
    numRuns: 4000,
    maxLength: 160,
    maxEdits: 8,
  });
});
