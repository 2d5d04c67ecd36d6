/**
 * Request bytes of the address, neighbour, FDB and rule calls, captured on
 * a fake kernel (no root) before their builders moved onto the tables'
 * declarations: the builders must keep sending exactly these bytes
 * (sequence number and port id zeroed).
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { addAddress, deleteAddress, replaceAddress } from "../src/route/addr/api.ts";
import type { Address } from "../src/route/addr/table.ts";
import { addNeighbour, deleteNeighbour, replaceNeighbour } from "../src/route/neigh/api.ts";
import { addFdb, deleteFdb } from "../src/route/neigh/fdb.ts";
import { buildRuleMessage } from "../src/route/rule/build.ts";
import { NetlinkSocket } from "../src/socket/socket.ts";
import { errorFrame, fakeSys } from "../src/testing/fake_kernel.ts";

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** The request `call` sends on a fake kernel that acks everything, seq and port id zeroed. */
async function sent(call: (opts: { socket: NetlinkSocket }) => Promise<void>): Promise<string> {
  const sys = fakeSys((_r, seq) => [{ bytes: errorFrame(seq, 0) }]);
  {
    using socket = NetlinkSocket.openWith(sys, 0);
    await call({ socket });
  }
  assert.equal(sys.sent.length, 1);
  const msg = sys.sent[0].slice();
  msg.fill(0, 8, 16);
  return hex(msg);
}

const LISTED: Address = {
  family: "inet",
  address: "10.9.0.1/24",
  local: "10.9.0.1",
  prefixLen: 24,
  ifindex: 3,
  scope: "global",
  flags: ["permanent", "noprefixroute"],
  peer: "10.9.0.2",
  label: "d0:x",
  metric: 5,
  validLft: 300,
  preferredLft: 100,
};

/** Each call and the bytes it sent before the change. */
const CASES: [string, (o: { socket: NetlinkSocket }) => Promise<void>, string][] = [
  [
    "addAddress v4 with broadcast, label, scope, flags, lifetimes, metric",
    (o) =>
      addAddress(2, "10.1.2.3/24", {
        broadcast: true,
        label: "d0:web",
        scope: "link",
        flags: ["nodad", "noprefixroute", "home"],
        validLft: 600,
        preferredLft: 300,
        metric: 7,
      }, o),
    "60000000140005060000000000000000021812fd02000000080002000a010203080001000a010203080004000a0102ff0b00030064303a77656200000800080012020000140006002c0100005802000000000000000000000800090007000000",
  ],
  [
    "addAddress v4 loopback (host scope)",
    (o) => addAddress(1, "127.0.0.2/8", {}, o),
    "28000000140005060000000000000000020800fe01000000080002007f000002080001007f000002",
  ],
  [
    "addAddress v6 with peer",
    (o) => addAddress(4, "2001:db8::1/64", { peer: "2001:db8::2/128" }, o),
    "400000001400050600000000000000000a800000040000001400020020010db80000000000000000000000011400010020010db8000000000000000000000002",
  ],
  [
    "replaceAddress v4 broadcast given",
    (o) => replaceAddress(2, "10.1.2.3/24", { broadcast: "10.1.2.127" }, o),
    "300000001400050500000000000000000218000002000000080002000a010203080001000a010203080004000a01027f",
  ],
  [
    "addAddress listed",
    (o) => addAddress(LISTED, o),
    "580000001400050600000000000000000218000003000000080002000a090001080001000a0900020900030064303a7800000000080008000002000014000600640000002c01000000000000000000000800090005000000",
  ],
  [
    "deleteAddress listed",
    (o) => deleteAddress(LISTED, o),
    "280000001500050000000000000000000218000003000000080002000a090001080001000a090002",
  ],
  [
    "deleteAddress v4 without prefix",
    (o) => deleteAddress(2, "10.1.2.3", o),
    "200000001500050000000000000000000220000002000000080002000a010203",
  ],
  [
    "deleteAddress v6 with prefix",
    (o) => deleteAddress(2, "2001:db8::1/64", o),
    "400000001500050000000000000000000a400000020000001400020020010db80000000000000000000000011400010020010db8000000000000000000000001",
  ],
  [
    "addNeighbour v4 with lladdr, state, flags, protocol",
    (o) =>
      addNeighbour({
        dst: "10.0.0.9",
        dev: 2,
        lladdr: "02:00:00:00:00:09",
        state: "reachable",
        flags: ["router", "extern_learn", "managed"],
        protocol: "static",
      }, o),
    "400000001c0005060000000000000000020000000200000002009000080001000a0000090a000200020000000009000005000c000400000008000f0001000000",
  ],
  [
    "replaceNeighbour v6 default state",
    (o) => replaceNeighbour({ dst: "2001:db8::9", dev: 2 }, o),
    "300000001c00050500000000000000000a00000002000000800000001400010020010db8000000000000000000000009",
  ],
  [
    "deleteNeighbour v4",
    (o) => deleteNeighbour({ dst: "10.0.0.9", dev: 2, lladdr: "02:00:00:00:00:09" }, o),
    "240000001d0005000000000000000000020000000200000000000000080001000a000009",
  ],
  [
    "addFdb master static vlan",
    (o) => addFdb({ lladdr: "02:00:00:00:01:01", dev: 5, flags: ["master"], state: "static", vlan: 10 }, o),
    "300000001c00050600000000000000000700000005000000420004000a0002000200000001010000060005000a000000",
  ],
  [
    "addFdb VXLAN remote",
    (o) => addFdb({ lladdr: "00:00:00:00:00:00", dev: 6, dst: "192.0.2.1", vni: 42, port: 4789, via: 2 }, o),
    "480000001c00050600000000000000000700000006000000c000020008000100c00002010a00020000000000000000000600060012b50000080007002a0000000800080002000000",
  ],
  [
    "deleteFdb self",
    (o) => deleteFdb({ lladdr: "02:00:00:00:01:01", dev: 5, flags: ["self"] }, o),
    "280000001d00050000000000000000000700000005000000c00002000a0002000200000001010000",
  ],
];

/** Rule requests (built without a socket), and their bytes before the change. */
const RULES: [string, () => Uint8Array, string][] = [
  [
    "add rule with every selector",
    () =>
      buildRuleMessage("add", {
        priority: 100,
        src: "10.0.0.0/8",
        dst: "10.1.0.0/16",
        tos: 0x10,
        fwmark: 7,
        fwmask: 0xff,
        iif: "d0",
        oif: "d1",
        table: 1000,
        protocol: "static",
        uidRange: { start: 1000, end: 2000 },
        ipProto: "tcp",
        sportRange: 80,
        dportRange: { start: 1000, end: 2000 },
        suppressPrefixlen: 0,
        invert: true,
      }),
    "90000000200001060000000000000000021008100000000102000000080001000a010000080002000a0000000700030064300000080006006400000008000a000700000008000e000000000008000f00e803000008001000ff00000007001100643100000c001400e8030000d007000005001500040000000500160006000000080017005000500008001800e803d007",
  ],
  [
    "add goto rule v6",
    () => buildRuleMessage("add", { family: "inet6", priority: 5, goto: 10, tos: 0x20 }),
    "2c0000002000010600000000000000000a0000200000000200000000080004000a0000000800060005000000",
  ],
  [
    "add blackhole rule",
    () => buildRuleMessage("add", { priority: 9, action: "blackhole", l3mdev: false }),
    "240000002000010600000000000000000200000000000006000000000800060009000000",
  ],
  [
    "delete rule by priority and table",
    () => buildRuleMessage("delete", { priority: 100, table: "main" }),
    "2400000021000100000000000000000002000000fe000000000000000800060064000000",
  ],
];

for (const [name, call, want] of CASES) {
  test(`request bytes unchanged: ${name}`, async () => {
    assert.equal(await sent(call), want);
  });
}

for (const [name, build, want] of RULES) {
  test(`request bytes unchanged: ${name}`, () => {
    const msg = build();
    msg.fill(0, 8, 16);
    assert.equal(hex(msg), want);
  });
}
