/**
 * Bridge port settings: the request against the one `bridge link set`
 * sends (strace of iproute2 6.1), the kernel's view through `ip -j -d` and
 * `bridge -j link`, listings and events.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/errors.ts";
import { type Link, parseLinkMessage } from "../src/route/link/api.ts";
import { createLink } from "../src/route/link/change.ts";
import { bridgePortRequest, listBridgePorts, setBridgePort } from "../src/route/link/brport.ts";
import { subscribeRoute } from "../src/route/events.ts";
import { readMessage } from "../src/wire/message.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { unhex } from "./_vectors.ts";
import { ip, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

function parse(bytes: Uint8Array): Link {
  return parseLinkMessage(readMessage(bytes, new DataView(bytes.buffer, bytes.byteOffset), 0, bytes.length));
}

// `bridge link set dev d1 hairpin on guard on learning off flood off mcast_flood off cost 7 priority 3 state 2`
// (d1 = index 3): RTM_SETLINK, AF_BRIDGE, IFLA_PROTINFO|NLA_F_NESTED with the IFLA_BRPORT_* in bridge's order.
const BRIDGE_SET = unhex(`64000000 1300 0500 00000000 00000000
  07000000 03000000 00000000 00000000
  44000c80 05000500 01000000 05000400 01000000 05000900 00000000 05001b00 00000000
  05000800 00000000 08000300 07000000 06000200 03000000 05000100 02000000`);

test("bridgePortRequest carries what bridge link set sends", () => {
  const ours = bridgePortRequest(3, {
    hairpin: true,
    guard: true,
    learning: false,
    flood: false,
    mcastFlood: false,
    cost: 7,
    priority: 3,
    state: "learning",
  });
  // Header: type RTM_SETLINK, then the ifinfomsg of family AF_BRIDGE; attributes in table order.
  assert.deepEqual(ours.subarray(4, 6), BRIDGE_SET.subarray(4, 6));
  assert.deepEqual(ours.subarray(16, 32), BRIDGE_SET.subarray(16, 32));
  assert.equal(ours.length, BRIDGE_SET.length);
  const a = parse(ours), b = parse(BRIDGE_SET);
  assert.deepEqual(a.bridgePort, b.bridgePort);
  assert.deepEqual(b.bridgePort, {
    state: "learning",
    priority: 3,
    cost: 7,
    mode: 1,
    guard: 1,
    learning: 0,
    unicastFlood: 0,
    mcastFlood: 0,
  });
});

test("bad bridge port settings are refused before anything is sent", () => {
  assert.throws(() => bridgePortRequest(3, { hairpin: 1 as unknown as boolean }), {
    name: "InvalidArgumentError",
    message: 'Invalid hairpin: "1" (must be true or false)',
  });
  assert.throws(() => bridgePortRequest(3, { state: "up" as "learning" }), /Invalid state: "up"/);
  assert.throws(() => bridgePortRequest(3, { priority: 64 }), InvalidArgumentError);
  assert.throws(
    () => bridgePortRequest(3, { hairpinMode: true } as never),
    /Unknown bridge port setting: "hairpinMode"/,
  );
  assert.throws(() => bridgePortRequest(3, {}), /nothing to change/);
});

test("setBridgePort: every setting lands, listings and events carry it, ip agrees", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ kind: "bridge", name: "br0", up: true }, o);
    await createLink({ kind: "veth", name: "v0", peer: { name: "v1" }, master: "br0", up: true }, o);
    await createLink({ kind: "veth", name: "v2", peer: { name: "v3" }, master: "br0" }, o);
    ip(ns, "link", "set", "v1", "up");
    // Wait for the carrier to settle (STP off: the port goes forwarding), so "disabled" below sticks
    // (without STP the kernel makes every other state forwarding at once).
    const state = () => ipJson(ns, "-d", "link", "show", "v0")[0].linkinfo.info_slave_data.state;
    for (let i = 0; i < 100 && state() !== "forwarding"; i++) await new Promise((r) => setTimeout(r, 50));
    await using events = await subscribeRoute(["link"], o);
    await setBridgePort("v0", {
      hairpin: true,
      guard: true,
      rootBlock: true,
      fastLeave: true,
      learning: false,
      flood: false,
      mcastFlood: false,
      bcastFlood: false,
      mcastToUnicast: true,
      neighSuppress: true,
      isolated: true,
      proxyArp: true,
      vlanTunnel: true,
      locked: true,
      cost: 42,
      priority: 7,
      state: "disabled",
    }, o);
    const [j] = ipJson(ns, "-d", "link", "show", "v0");
    const want = {
      state: "disabled",
      priority: 7,
      cost: 42,
      hairpin: true,
      guard: true,
      root_block: true,
      fastleave: true,
      learning: false,
      flood: false,
      mcast_flood: false,
      bcast_flood: false,
      mcast_to_unicast: true,
      neigh_suppress: true,
      isolated: true,
      proxy_arp: true,
      vlan_tunnel: true,
      locked: true,
    };
    const got = j.linkinfo.info_slave_data;
    assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, got[k]])), want);
    // The AF_BRIDGE listing: one entry per port, only v0 changed.
    const ports = await listBridgePorts(o);
    assert.deepEqual(ports.map((p) => p.name), ["v0", "v2"]);
    const bp = ports[0].bridgePort!;
    assert.deepEqual([bp.mode, bp.isolated, bp.learning, bp.cost, bp.state], [1, 1, 0, 42, "disabled"]);
    const brJson = JSON.parse(run("ip", ["netns", "exec", ns, "bridge", "-j", "-d", "link", "show"]));
    assert.equal(brJson[0].hairpin, true);
    assert.equal(brJson[0].isolated, true);
    // The change is announced as an AF_BRIDGE link event with the new values.
    for await (const ev of events) {
      if (ev.type === "overrun" || ev.kind !== "link" || ev.object.family !== "bridge") continue;
      if (ev.object.bridgePort?.isolated !== 1) continue;
      assert.equal(ev.object.name, "v0");
      assert.equal(ev.object.bridgePort.mode, 1);
      break;
    }
    await setBridgePort("v0", { hairpin: false, isolated: false }, o);
    const [k] = ipJson(ns, "-d", "link", "show", "v0");
    assert.deepEqual([k.linkinfo.info_slave_data.hairpin, k.linkinfo.info_slave_data.isolated], [false, false]);
    assert.equal(k.linkinfo.info_slave_data.cost, 42, "settings not named stay");
    // Not a port: the kernel's refusal.
    await assert.rejects(setBridgePort("br0", { learning: false }, o), NetlinkError);
  });
});
