/**
 * Link codec tests without a kernel: frames captured from Linux 6.18,
 * requests captured from iproute2 (strace), hand-derived request bytes for
 * kinds the test kernel lacks, and property tests on the parser.
 *
 * @module
 */

import { test } from "node:test";
import { isTyped } from "./_fuzz.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "../src/errors.ts";
import fc from "fast-check";
import { type Link, parseLinkMessage } from "../src/route/link/api.ts";
import { altnameRequest, changeLinkRequest, checkMac, createLinkRequest } from "../src/route/link/change.ts";
import { linkFlagWords, linkIndexMap, linkToIpJson } from "../src/route/link/json.ts";
import type { LinkKindData } from "../src/route/link/kinds/registry.ts";
import { readMessage } from "../src/wire/message.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { IFINFOMSG } from "../src/route/link/table.ts";
import { MalformedError, TruncatedError } from "../src/wire/errors.ts";

function unhex(hex: string): Uint8Array {
  return Uint8Array.from(hex.replace(/\s+/g, "").match(/../g) ?? [], (h) => parseInt(h, 16));
}

function parse(bytes: Uint8Array): Link {
  return parseLinkMessage(readMessage(bytes, new DataView(bytes.buffer, bytes.byteOffset), 0, bytes.length));
}

const FIXTURE = new URL("./fixtures/", import.meta.url);
const FRAMES = new Map<string, Uint8Array>(
  readFileSync(new URL("route_link_frames.txt", FIXTURE), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [label, hex] = l.split(" ");
      return [label, unhex(hex)];
    }),
);

function frame(label: string): Link {
  const bytes = FRAMES.get(label);
  assert.ok(bytes, `fixture frame ${label}`);
  return parse(bytes);
}

test("captured lo: loopback type, flags, stats64 and IPv6 generation mode", () => {
  const lo = frame("lo-stats");
  assert.equal(lo.index, 1);
  assert.equal(lo.name, "lo");
  assert.equal(lo.linkType, "loopback");
  assert.deepEqual(lo.flags, ["UP", "LOOPBACK", "RUNNING", "LOWER_UP"]);
  assert.equal(lo.operstate, "UNKNOWN");
  assert.equal(lo.mtu, 65536);
  assert.equal(lo.qdisc, "noqueue");
  // Three UDP datagrams to a closed port, plus three ICMP port unreachables.
  assert.equal(lo.stats64?.rxPackets, 6);
  assert.equal(lo.stats64?.rxBytes, 288);
  assert.equal(lo.stats64?.txPackets, 6);
  assert.equal(lo.afSpec?.inet6?.addrGenMode, "eui64");
});

test("captured 6.18 frames: XDP, ifmap, head/tailroom, netns_immutable, IPv6 cacheinfo; only IFLA_STATS stays raw", () => {
  const lo = frame("lo-stats");
  assert.deepEqual(lo.xdp, { attached: "none" });
  assert.deepEqual(lo.map, { memStart: 0, memEnd: 0, baseAddr: 0, irq: 0, dma: 0, port: 0 });
  assert.deepEqual([lo.headroom, lo.tailroom, lo.netnsImmutable, lo.maxPacingOffloadHorizon], [0, 0, 1, 0]);
  assert.deepEqual([lo.devlinkPort, lo.dpllPin], [{}, {}]);
  assert.deepEqual(lo.afSpec?.inet6?.cacheinfo, {
    maxReasmLen: 65535,
    tstamp: 79275,
    reachableTime: 37476,
    retransTime: 1000,
  });
  assert.deepEqual(lo.afSpec?.inet6?.unknown?.map((u) => [u.type, u.data.length]), [[2, 240], [3, 304], [6, 56]]);
  // The 32-bit IFLA_STATS repeats stats64; AF_INET's devconf has bridge-family twins: both kept raw.
  assert.deepEqual(lo.unknown?.map((u) => u.type), [7]);
  assert.deepEqual(lo.afSpec?.unknown?.map((u) => u.type), [2]);
  assert.equal(frame("vx0").headroom, 64);
  // The header fields and the attributes share one object; request-only attributes never show.
  assert.deepEqual([lo.family, lo.index, lo.change, "propList" in lo, "extMask" in lo], ["unspec", 1, 0, false, false]);
});

test("NLA_UINT: IFLA_MAX_PACING_OFFLOAD_HORIZON as u32 or u64, other sizes refused", () => {
  const msg = (payload: number[]) =>
    new MessageBuilder(16, 0).struct(IFINFOMSG, { index: 1 }).bytes(66, Uint8Array.from(payload)).finish();
  assert.equal(parse(msg([0x40, 0x42, 0x0f, 0x00])).maxPacingOffloadHorizon, 1_000_000);
  assert.equal(parse(msg([0, 0xf2, 0x05, 0x2a, 0x01, 0, 0, 0])).maxPacingOffloadHorizon, 5_000_000_000);
  assert.throws(() => parse(msg([1, 2])), TruncatedError);
  assert.throws(() => parse(msg([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), MalformedError);
});

test("captured veth pair: peer index, altname, address", () => {
  const v0 = frame("v0");
  const v1 = frame("v1");
  assert.equal(v0.linkinfo?.kind, "veth");
  assert.equal(v0.link, v1.index);
  assert.equal(v1.link, v0.index);
  assert.equal(v0.address, "02:00:00:00:00:10");
  assert.equal(v0.broadcast, "ff:ff:ff:ff:ff:ff");
  assert.deepEqual(v0.altnames, ["very-long-alternative-name"]);
  assert.deepEqual(v0.flags, ["UP", "BROADCAST", "MULTICAST"]);
  assert.equal(v0.operstate, "LOWERLAYERDOWN");
  assert.equal(v0.minMtu, 68);
  assert.equal(v0.maxMtu, 65535);
  assert.equal(v0.numTxQueues, 2);
});

test("captured bridge and port: STP settings, slave data, AF_BRIDGE protinfo", () => {
  const br = frame("br0");
  const data = br.linkinfo?.data as LinkKindData["bridge"];
  assert.equal(br.linkinfo?.kind, "bridge");
  assert.equal(data.stpState, 1);
  assert.equal(data.forwardDelay, 400);
  assert.equal(data.helloTime, 200);
  assert.equal(data.maxAge, 2000);
  assert.equal(data.ageingTime, 30000);
  assert.equal(data.priority, 32768);
  assert.equal(data.vlanFiltering, 0);
  assert.equal(data.groupAddr, "01:80:c2:00:00:00");
  assert.deepEqual(data.bridgeId, unhex("8000020000000020"));

  const port = frame("v1");
  assert.equal(port.master, br.index);
  assert.equal(port.linkinfo?.slaveKind, "bridge");
  const slave = port.linkinfo?.slaveData as LinkKindData["bridge"] & { state: string; cost: number };
  assert.equal(slave.state, "disabled");
  assert.equal(slave.cost, 2);

  const bp = frame("bridge-v1");
  assert.equal(bp.family, "bridge");
  assert.equal(bp.master, br.index);
  assert.equal(bp.bridgePort?.state, "disabled");
  assert.equal(bp.bridgePort?.priority, 32);
  assert.equal(bp.bridgePort?.learning, 1);
  assert.equal(bp.protinfo, undefined);
});

test("captured vxlan: VNI, endpoints and the big-endian port", () => {
  const vx = frame("vx0");
  const d = vx.linkinfo?.data as LinkKindData["vxlan"];
  assert.equal(d.id, 4242);
  assert.equal(d.group, "10.1.1.1");
  assert.equal(d.local, "10.0.0.1");
  assert.equal(d.port, 4789);
  assert.equal(d.ttl, 64);
  assert.equal(d.ttlInherit, false, "the kernel reports TTL_INHERIT as a u8 0");
  assert.equal(d.learning, 1);
  assert.deepEqual(d.portRange, { low: 0, high: 0 });
  // 4789 = 0x12b5 must sit on the wire as 12 b5 (IFLA_VXLAN_PORT = 15).
  const hex = Array.from(FRAMES.get("vx0")!, (b) => b.toString(16).padStart(2, "0")).join("");
  assert.ok(hex.includes("06000f0012b5"), "port attribute in network order");
});

test("captured macvlan: mode, parent and alias", () => {
  const mv = frame("mv0");
  assert.equal(mv.linkinfo?.kind, "macvlan");
  assert.equal((mv.linkinfo?.data as LinkKindData["macvlan"]).mode, "private");
  assert.equal(mv.link, frame("v0").index);
  assert.equal(mv.alias, "hi");
});

test("linkToIpJson matches the ip -j -d output captured with the frames", () => {
  const labels = ["lo-stats", "v1", "v0", "br0", "vx0", "mv0"];
  const links = labels.map(frame);
  const byIndex = linkIndexMap(links);
  const oracle = JSON.parse(readFileSync(new URL("route_link_ip_details.json", FIXTURE), "utf8"));
  assert.equal(oracle.length, links.length);
  let compared = 0;
  const cmp = (want: Record<string, unknown>, got: Record<string, unknown>, path: string) => {
    for (const [k, v] of Object.entries(want)) {
      if (k.endsWith("_timer") || !(k in got)) continue; // timers move between the two captures
      if (v && typeof v === "object" && !Array.isArray(v)) {
        cmp(v as Record<string, unknown>, got[k] as Record<string, unknown>, `${path}${k}.`);
      } else {
        assert.deepEqual(got[k], v, `${path}${k}`);
        compared++;
      }
    }
  };
  for (const o of oracle) {
    const mine = linkToIpJson(byIndex.get(o.ifindex)!, { byIndex, details: true });
    cmp(o, mine, `${o.ifname}.`);
    // Keys ip prints that nlkit must print too.
    for (
      const k of ["ifindex", "ifname", "flags", "mtu", "qdisc", "operstate", "group", "txqlen", "link_type", "address"]
    ) {
      assert.ok(k in mine, `${o.ifname} has ${k}`);
    }
    const info = (mine.linkinfo ?? {}) as { info_data?: Record<string, unknown> };
    if (o.linkinfo?.info_data) {
      assert.deepEqual(Object.keys(o.linkinfo.info_data).filter((k) => !(k in (info.info_data ?? {}))), []);
    }
  }
  assert.ok(compared > 150, `compared ${compared} values`);
});

test("iproute2's own requests for kinds this kernel lacks parse back", () => {
  // strace -xx of `ip link add vl0 link v0 type vlan id 5 protocol 802.1ad` (v0 = index 3).
  const vlan = parse(unhex(`50000000100005060000000000000000 00000000000000000000000000000000
    08000500030000000800030076 6c3000 20001200080001 00766c616e 1400020006000100050000000600050088a80000`));
  assert.equal(vlan.name, "vl0");
  assert.equal(vlan.link, 3);
  assert.equal(vlan.linkinfo?.kind, "vlan");
  assert.deepEqual(vlan.linkinfo?.data, { id: 5, protocol: "802.1ad" });
  // `ip link add bo0 type bond mode active-backup miimon 100`
  const bond = parse(unhex(`48000000100005060000000000000000 00000000000000000000000000000000
    0800030062 6f3000 2000120008000100626f6e64 14000200050001000100000008000300 64000000`));
  assert.deepEqual(bond.linkinfo, { kind: "bond", data: { mode: "active-backup", miimon: 100 } });
  // `ip link add ipv0 link v0 type ipvlan mode l3`
  const ipvlan = parse(unhex(`58000000100005060000000000000000 00000000000000000000000000000000
    0800050003000000090003006970763000000000 24001200 0a000100 6970766c616e0000
    14000200 0600010001000000 0600020000000000`));
  assert.deepEqual(ipvlan.linkinfo, { kind: "ipvlan", data: { mode: "l3", flags: [] } });
  // `ip link add wg0 type wireguard`
  const wg = parse(unhex(`3c000000100005060000000000000000 00000000000000000000000000000000
    0800030077673000 14001200 0d000100 776972656775617264000000`));
  assert.deepEqual(wg.linkinfo, { kind: "wireguard" });
});

// Hand-derived from <linux/netlink.h>, <linux/rtnetlink.h> and <linux/if_link.h>:
// nlmsghdr(len, RTM_NEWLINK=16, NLM_F_REQUEST|NLM_F_CREATE|NLM_F_EXCL=0x601, seq 0, pid 0),
// ifinfomsg (16 zero bytes unless noted), then attributes in table order;
// nests carry NLA_F_NESTED (0x8000), strings their NUL.
const HDR = (len: number, flags = "0106") =>
  `${len.toString(16).padStart(2, "0")}000000 1000 ${flags} 00000000 00000000`;
const IFI0 = "00000000000000000000000000000000";

test("createLinkRequest: vlan bytes match the uapi layout", () => {
  const msg = createLinkRequest({ kind: "vlan", name: "vl0", parent: 3, data: { id: 5, protocol: "802.1ad" } });
  const want = unhex(`${HDR(84)} ${IFI0}
    08000300 766c3000            IFLA_IFNAME "vl0"
    08000500 03000000            IFLA_LINK 3
    24001280                     IFLA_LINKINFO (nested)
      09000100 766c616e00000000  IFLA_INFO_KIND "vlan"
      14000280                   IFLA_INFO_DATA (nested)
        06000100 05000000        IFLA_VLAN_ID 5
        06000500 88a80000        IFLA_VLAN_PROTOCOL 0x88a8, big-endian`.replace(/[A-Z][A-Z_]+[^\n]*/g, ""));
  assert.deepEqual(msg, want);
  assert.deepEqual(parse(msg).linkinfo?.data, { id: 5, protocol: "802.1ad" });
});

test("createLinkRequest: dummy, bond, ipvlan, wireguard bytes", () => {
  assert.deepEqual(
    createLinkRequest({ kind: "dummy", name: "d0", up: true, mtu: 9000 }),
    unhex(`${HDR(64)} 000000000000000001000000 01000000
      07000300 64300000 08000400 28230000 10001280 0a000100 64756d6d 79000000`),
  );
  assert.deepEqual(
    createLinkRequest({
      kind: "bond",
      name: "bo0",
      data: { mode: "802.3ad", miimon: 100, xmitHashPolicy: "layer3+4" },
    }),
    unhex(`${HDR(84)} ${IFI0} 08000300 626f3000 2c001280 09000100 626f6e6400000000
      1c000280 05000100 04000000 08000300 64000000 05000e00 01000000`),
  );
  assert.deepEqual(
    createLinkRequest({ kind: "ipvlan", name: "ipv0", parent: 3, data: { mode: "l3s", flags: ["vepa"] } }),
    unhex(`${HDR(88)} ${IFI0} 09000300 69707630 00000000 08000500 03000000 24001280
      0b000100 6970766c 616e0000 14000280 06000100 02000000 06000200 02000000`),
  );
  assert.deepEqual(
    createLinkRequest({ kind: "wireguard", name: "wg0" }),
    unhex(`${HDR(60)} ${IFI0} 08000300 77673000 14001280 0e000100 77697265 67756172 64000000`),
  );
});

test("createLinkRequest: veth peer carries its own ifinfomsg and namespace", () => {
  const msg = createLinkRequest({ kind: "veth", name: "a", peer: { name: "b", netns: { pid: 4242 }, mtu: 1400 } });
  const link = parse(msg);
  const peer = (link.linkinfo?.data as LinkKindData["veth"]).peer!;
  assert.equal(peer.index, 0);
  assert.equal(peer.attrs.name, "b");
  assert.equal(peer.attrs.mtu, 1400);
  assert.equal(peer.attrs.netnsPid, 4242);
  // VETH_INFO_PEER (1) holds a 16-byte ifinfomsg before the peer's attributes.
  const hex = Array.from(msg, (b) => b.toString(16).padStart(2, "0")).join("");
  assert.ok(hex.includes(`0100${IFI0}06000300620000000800040078050000`));
});

test("createLinkRequest: vxlan IPv6 endpoint goes to IFLA_VXLAN_GROUP6, port big-endian, parent to IFLA_VXLAN_LINK", () => {
  const msg = createLinkRequest({
    kind: "vxlan",
    name: "vx",
    parent: 2,
    data: { id: 9, group: "2001:db8::1", port: 4789 },
  });
  const d = parse(msg).linkinfo?.data as LinkKindData["vxlan"];
  assert.equal(d.group6, "2001:db8::1");
  assert.equal(d.group, undefined);
  assert.equal(d.link, 2);
  assert.equal(d.port, 4789);
  const hex = Array.from(msg, (b) => b.toString(16).padStart(2, "0")).join("");
  assert.ok(hex.includes("06000f0012b5"));
});

test("changeLinkRequest: up, master, nomaster, namespace by pid and fd", () => {
  const up = parse(changeLinkRequest(7, { up: true, master: 4, mtu: 1280 }));
  assert.equal(up.index, 7);
  assert.deepEqual(up.flags, ["UP"]);
  assert.equal(up.change, 1);
  assert.equal(up.master, 4);
  assert.equal(up.mtu, 1280);
  const down = parse(changeLinkRequest(7, { up: false, master: null }));
  assert.deepEqual(down.flags, []);
  assert.equal(down.change, 1);
  assert.equal(down.master, 0);
  const bytes = changeLinkRequest(7, { netns: { pid: 99 } });
  assert.deepEqual(bytes.subarray(32), unhex("08001300 63000000"));
  assert.deepEqual(changeLinkRequest(7, { netns: { fd: 5 } }).subarray(32), unhex("08001c00 05000000"));
  const br = parse(changeLinkRequest(4, { kind: "bridge", data: { stpState: 1, vlanFiltering: 1 } }));
  assert.deepEqual(br.linkinfo, { kind: "bridge", data: { stpState: 1, vlanFiltering: 1 } });
});

test("altnameRequest: RTM_NEWLINKPROP with IFLA_PROP_LIST", () => {
  assert.deepEqual(
    altnameRequest(108, 3, ["xy"]),
    unhex(`2c000000 6c00 0106 00000000 00000000 00000000 03000000 00000000 00000000
      0c003480 07003500 78790000`),
  );
});

test("input checks throw before anything is built", () => {
  // The MTU's policy in IFLA_ATTRS.
  assert.throws(() => createLinkRequest({ kind: "dummy", name: "d0", mtu: 70000 }), {
    name: "InvalidArgumentError",
    message: 'Invalid MTU: "70000" (must be 68 to 65536)',
  });
  assert.throws(() => changeLinkRequest(2, { mtu: 67 }), InvalidArgumentError);
  assert.equal(checkMac("02:00:00:00:00:0A"), "02:00:00:00:00:0a");
  assert.throws(() => checkMac("zz:00:00:00:00:00"), {
    name: "InvalidArgumentError",
    message: 'Invalid MAC address: "zz:00:00:00:00:00"',
  });
  assert.throws(() => checkMac("2:0:0:0:0:0"), InvalidArgumentError);
  assert.throws(
    () => createLinkRequest({ kind: "dummy", name: "a-name-that-is-too-long" }),
    /Invalid link name: "a-name-that-is-too-long"/,
  );
  assert.throws(() => createLinkRequest({ kind: "dummy", name: "a/b" }), InvalidArgumentError);
  assert.throws(() => createLinkRequest({ kind: "dummy", name: "a b" }), InvalidArgumentError);
  assert.throws(() => createLinkRequest({ kind: "dummy", name: "" }), InvalidArgumentError);
  assert.throws(
    () => createLinkRequest({ kind: "vlan", name: "v", parent: "eth0", data: { id: 1 } }),
    /Unresolved parent: "eth0"/,
  );
  assert.throws(() => changeLinkRequest(1, { txqlen: -1 }), {
    name: "InvalidArgumentError",
    message: /Invalid txqlen: "-1"/,
  });
  assert.throws(() => changeLinkRequest(0, {}), { name: "InvalidArgumentError", message: /Invalid link index: "0"/ });
  assert.throws(() => changeLinkRequest(1, { alias: "x".repeat(256) }), InvalidArgumentError);
  assert.throws(() => changeLinkRequest(1, { netns: "blue" }), /Unresolved namespace/);
  assert.throws(
    () => createLinkRequest({ kind: "macvlan", name: "m", parent: 2, data: { mode: "bogus" } }),
    /Unknown mode: "bogus"/,
  );
  assert.throws(() => altnameRequest(108, 1, ["x".repeat(128)]), InvalidArgumentError);
});

const TYPED = isTyped;

function tryParse(bytes: Uint8Array): void {
  const m = {
    type: 16,
    flags: 0,
    seq: 0,
    pid: 0,
    buf: bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    start: 0,
    end: bytes.length,
  };
  try {
    const link = parseLinkMessage(m);
    linkToIpJson(link, { details: true, stats: true });
  } catch (e) {
    if (!TYPED(e)) throw e;
  }
}

test("property: random bytes give a link or a typed error", () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), (b) => tryParse(b)), { numRuns: 3000 });
});

test("property: mutated captured frames give a link or a typed error", () => {
  const frames = [...FRAMES.values()];
  fc.assert(
    fc.property(
      fc.nat(frames.length - 1),
      fc.array(fc.tuple(fc.nat(2000), fc.nat(255)), { minLength: 1, maxLength: 8 }),
      fc.nat(2000),
      (which, edits, cut) => {
        const b = frames[which].slice(0, Math.max(16, frames[which].length - (cut % 64)));
        for (const [at, v] of edits) b[16 + (at % (b.length - 16))] = v;
        tryParse(b);
      },
    ),
    { numRuns: 5000 },
  );
});

test("flag words follow iproute2's print_link_flags order, with NO-CARRIER first and M-DOWN last", () => {
  const lower = { index: 2, flags: ["BROADCAST"] } as unknown as Link;
  const link = {
    index: 3,
    link: 2,
    flags: ["UP", "BROADCAST", "NOTRAILERS", "DYNAMIC", "SLAVE", "MASTER", "DEBUG"],
  } as unknown as Link;
  const words = ["NO-CARRIER", "BROADCAST", "MASTER", "SLAVE", "DEBUG", "DYNAMIC", "NOTRAILERS", "UP"];
  assert.deepEqual(linkFlagWords(link, new Map([[2, lower]])), [...words, "M-DOWN"]);
  // A lower link in another namespace is not looked up.
  assert.deepEqual(linkFlagWords({ ...link, linkNetnsid: 0 }, new Map([[2, lower]])), words);
  assert.deepEqual(linkToIpJson(link, { byIndex: new Map([[2, lower]]) }).flags, [...words, "M-DOWN"]);
});
