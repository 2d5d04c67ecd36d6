/**
 * Request bytes of the route and link calls, captured from nlkit before
 * their builders moved onto the tables' declarations (`buildRequest` with
 * `ROUTE_MESSAGE`/`LINK_MESSAGE`): the builders must keep sending exactly
 * these bytes (sequence number and port id zeroed). Devices are given as
 * indexes, so nothing is resolved and no socket is needed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkRouteSpec, encodeRoute, type RouteChange, type RouteSpec } from "../src/route/route/build.ts";
import { altnameRequest, changeLinkRequest, createLinkRequest, type CreateLinkSpec } from "../src/route/link/change.ts";
import type { LinkChanges } from "../src/route/link/types.ts";
import { getLinkRequest } from "../src/route/link/resolve.ts";
import { streamLinks } from "../src/route/link/api.ts";
import { RTM } from "../src/route/rtnl.ts";
import { NetlinkSocket } from "../src/socket/socket.ts";
import { fakeSys, frame } from "../src/testing/fake_kernel.ts";

function hex(b: Uint8Array): string {
  b.fill(0, 8, 16);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** The route request of `spec`, its devices given as indexes. */
function route(change: RouteChange, spec: RouteSpec): string {
  const c = checkRouteSpec(change, spec);
  if (c.dev !== undefined) c.attrs.oif = c.dev as number;
  if (c.iif !== undefined) c.attrs.iif = c.iif as number;
  c.nexthopDevs.forEach((d, i) => {
    if (d !== undefined) c.attrs.multipath![i].oif = d as number;
  });
  return hex(encodeRoute(change, c));
}

/** Each route change and the bytes it sent before the change. */
const ROUTES: [string, RouteChange, RouteSpec, string][] = [
  [
    "add v4 via gateway, metric, protocol static, table 1000",
    "add",
    { dst: "10.1.0.0/16", gateway: "10.0.0.1", dev: 2, metric: 100, protocol: "static", table: 1000 },
    "44000000180001060000000000000000021000000004000100000000080001000a0100000800040002000000080005000a000001080006006400000008000f00e8030000",
  ],
  [
    "add v4 device route (link scope)",
    "add",
    { dst: "192.168.5.0/24", dev: 3, prefsrc: "192.168.5.1", table: "local", tos: 16 },
    "3400000018000106000000000000000002180010ff03fd010000000008000100c0a80500080004000300000008000700c0a80501",
  ],
  [
    "replace v4 blackhole with realms",
    "replace",
    { dst: "10.9.0.0/24", type: "blackhole", flow: 196613, scope: "universe" },
    "2c00000018000105000000000000000002180000fe03000600000000080001000a09000008000b0005000300",
  ],
  [
    "append v6 via gateway with expires, pref, metrics",
    "append",
    {
      dst: "2001:db8:1::/48",
      gateway: "fe80::1",
      dev: 2,
      expires: 300,
      pref: "high",
      metrics: { mtu: 1400, lock: ["mtu"], congctl: "cubic", rtoMin: 200, quickack: 1 },
    },
    "8c0000001800010c00000000000000000a300000fe030001000000001400010020010db8000100000000000000000000080004000200000014000500fe800000000000000000000000000001300008800800010004000000080002007805000008000d00c800000008000f00010000000a00100063756269630000000500140001000000080017002c010000",
  ],
  [
    "add v4 multipath with weights, onlink and an IPv6 via",
    "add",
    {
      dst: "default",
      nexthops: [{ gateway: "10.0.0.1", dev: 2, weight: 3, flow: 5 }, { via: "fe80::2", dev: 4, onlink: true }, {
        gateway: "10.0.1.1",
        oif: 7,
        flags: ["onlink", "dead"],
      }],
    },
    "6800000018000106000000000000000002000000fe030001000000004c0009001800000202000000080005000a00000108000b00050000002000040004000000160012000a00fe80000000000000000000000000000200001000040007000000080005000a000101",
  ],
  [
    "add v4 with an IPv6 gateway (RTA_VIA), onlink flag",
    "add",
    { dst: "10.7.0.0/16", gateway: "2001:db8::1", dev: 2, flags: ["onlink"] },
    "4400000018000106000000000000000002100000fe03000104000000080001000a0700000800040002000000160012000a0020010db80000000000000000000000010000",
  ],
  [
    "add v6 source-specific route with iif",
    "add",
    { dst: "2001:db8:2::/64", src: "2001:db8:3::/64", dev: 2, iif: 5, protocol: 186, scope: "link" },
    "540000001800010600000000000000000a404000febafd01000000001400010020010db80002000000000000000000001400020020010db800030000000000000000000008000300050000000800040002000000",
  ],
  [
    "add v4 seg6 encap",
    "add",
    { dst: "10.8.0.0/16", dev: 2, encap: { type: "seg6", mode: "encap", segs: ["2001:db8::10", "2001:db8::11"] } },
    "6800000018000106000000000000000002100000fe03fd0100000000080001000a08000008000400020000000600150005000000340016003000010001000000000404010100000020010db800000000000000000000001120010db8000000000000000000000010",
  ],
  [
    "add local route type number, nhid",
    "add",
    { dst: "10.6.0.1", type: "local", nhid: 7 },
    "2c00000018000106000000000000000002200000fe03fe0200000000080001000a06000108001e0007000000",
  ],
  [
    "delete v4 by prefix and table",
    "delete",
    { dst: "10.1.0.0/16", table: "main" },
    "2400000019000100000000000000000002100000fe00ff0000000000080001000a010000",
  ],
  [
    "delete default v6 with family",
    "delete",
    { dst: "default", family: "inet6", metric: 1024, type: "unreachable" },
    "240000001900010000000000000000000a000000fe00ff07000000000800060000040000",
  ],
  [
    "change v4 unicast via",
    "change",
    { dst: "10.2.0.0/24", via: "10.0.0.5", oif: 2, protocol: "kernel" },
    "3400000018000101000000000000000002180000fe02000100000000080001000a0200000800040002000000080005000a000005",
  ],
];

for (const [name, change, spec, want] of ROUTES) {
  test(`route request bytes unchanged: ${name}`, () => {
    assert.equal(route(change, spec), want);
  });
}

/** Link creations and the bytes they sent before the change. */
const CREATE: [string, CreateLinkSpec, string][] = [
  [
    "dummy with every setting",
    {
      kind: "dummy",
      name: "d0",
      mtu: 9000,
      address: "02:00:00:00:00:AA",
      broadcast: "ff:ff:ff:ff:ff:ff",
      txqlen: 500,
      group: 3,
      numTxQueues: 2,
      numRxQueues: 4,
      gsoMaxSize: 65536,
      gsoMaxSegs: 100,
      groMaxSize: 65536,
      gsoIpv4MaxSize: 65536,
      groIpv4MaxSize: 65536,
      up: true,
      arp: false,
      master: 5,
      index: 40,
    } as CreateLinkSpec,
    "a8000000100001060000000000000000000000002800000081000000810000000a0001000200000000aa00000a000200ffffffffffff00000700030064300000080004002823000008000a000500000008000d00f401000008001b000300000008001f000200000008002000040000000800280064000000080029000000010008003a000000010008003f00000001000800400000000100100012800a00010064756d6d79000000",
  ],
  [
    "veth with a peer in a pid namespace",
    { kind: "veth", name: "v0", peer: { name: "v1", mtu: 1400, netns: { pid: 77 } } } as CreateLinkSpec,
    "6800000010000106000000000000000000000000000000000000000000000000070003007630000040001280090001007665746800000000300002802c0001000000000000000000000000000000000007000300763100000800040078050000080013004d000000",
  ],
  [
    "vlan on a parent",
    { kind: "vlan", name: "vl0", parent: 2, data: { id: 10, protocol: "802.1ad" } } as CreateLinkSpec,
    "540000001000010600000000000000000000000000000000000000000000000008000300766c300008000500020000002400128009000100766c616e0000000014000280060001000a0000000600050088a80000",
  ],
  [
    "bridge with data, in an fd namespace",
    { kind: "bridge", name: "br0", data: { stpState: 1, forwardDelay: 400 }, netns: { fd: 9 } } as CreateLinkSpec,
    "5400000010000106000000000000000000000000000000000000000000000000080003006272300008001c0009000000240012800b00010062726964676500001400028008000100900100000800050001000000",
  ],
  [
    "vxlan with a parent (kind data)",
    { kind: "vxlan", name: "vx0", parent: 3, data: { id: 42, port: 4789 } } as CreateLinkSpec,
    "540000001000010600000000000000000000000000000000000000000000000008000300767830002c0012800a00010076786c616e0000001c000280080001002a000000080003000300000006000f0012b50000",
  ],
];

for (const [name, spec, want] of CREATE) {
  test(`link creation bytes unchanged: ${name}`, () => {
    assert.equal(hex(createLinkRequest(spec)), want);
  });
}

/** Link changes and the bytes they sent before the change. */
const CHANGE: [string, number, LinkChanges, string][] = [
  [
    "up, mtu, name, alias, nomaster",
    4,
    {
      up: true,
      mtu: 1500,
      name: "n1",
      alias: "uplink",
      master: null,
      promisc: true,
      multicast: false,
      allmulticast: true,
    } as LinkChanges,
    "4400000010000100000000000000000000000000040000000103000001130000070003006e31000008000400dc05000008000a00000000000b00140075706c696e6b0000",
  ],
  [
    "bridge port slave data",
    6,
    { slave: { kind: "bridge", data: { cost: 10 } } } as LinkChanges,
    "3c000000100001000000000000000000000000000600000000000000000000001c0012800b00040062726964676500000c000580080003000a000000",
  ],
  [
    "bridge kind data",
    7,
    { kind: "bridge", data: { stpState: 0 } } as LinkChanges,
    "3c000000100001000000000000000000000000000700000000000000000000001c0012800b00010062726964676500000c0002800800050000000000",
  ],
  [
    "empty alias",
    8,
    { alias: "" } as LinkChanges,
    "28000000100001000000000000000000000000000800000000000000000000000500140000000000",
  ],
];

for (const [name, index, changes, want] of CHANGE) {
  test(`link change bytes unchanged: ${name}`, () => {
    assert.equal(hex(changeLinkRequest(index, changes)), want);
  });
}

test("link altname and get request bytes unchanged", () => {
  assert.equal(
    hex(altnameRequest(RTM.RTM_NEWLINKPROP, 3, ["a-very-long-alternative-name", "x"])),
    "500000006c0001060000000000000000000000000300000000000000000000003000348021003500612d766572792d6c6f6e672d616c7465726e61746976652d6e616d65000000000600350078000000",
  );
  assert.equal(
    hex(altnameRequest(RTM.RTM_DELLINKPROP, 3, ["x"])),
    "2c0000006d0001000000000000000000000000000300000000000000000000000c0034800600350078000000",
  );
  assert.equal(hex(getLinkRequest(5)), "2000000012000100000000000000000000000000050000000000000000000000");
  assert.equal(
    hex(getLinkRequest("eth0")),
    "2c00000012000100000000000000000000000000000000000000000000000000090003006574683000000000",
  );
  assert.equal(
    hex(getLinkRequest("a-name-longer-than-fifteen")),
    "40000000120001000000000000000000000000000000000000000000000000001f003500612d6e616d652d6c6f6e6765722d7468616e2d6669667465656e0000",
  );
});

test("link dump request bytes unchanged: kind filter", async () => {
  const sys = fakeSys((_r, seq) => [{ bytes: frame(3, 2, seq, new Uint8Array(4)) }]); // NLMSG_DONE
  {
    using socket = NetlinkSocket.openWith(sys, 0);
    assert.deepEqual(await Array.fromAsync(streamLinks({ kind: "veth" }, { socket })), []);
  }
  assert.equal(sys.sent.length, 1);
  assert.equal(
    hex(sys.sent[0].slice()),
    "300000001200010300000000000000000000000000000000000000000000000010001280090001007665746800000000",
  );
});
