/**
 * Link integration tests: every operation runs in throwaway namespaces and
 * is observed through a fresh dump and cross-checked with `ip -j` (iproute2
 * is the oracle).
 *
 * @module
 */

import { test } from "node:test";
import { InvalidArgumentError } from "../src/errors.ts";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { getLink, type Link, listLinks, resolveLinkIndex, streamLinks } from "../src/route/link/api.ts";
import { addAltnames, changeLink, createLink, deleteAltnames, deleteLink } from "../src/route/link/change.ts";
import { linkIndexMap, linkToIpJson } from "../src/route/link/json.ts";
import type { LinkKindData, LinkSlaveData } from "../src/route/link/kinds/registry.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { openRouteSocket } from "../src/route/rtnl.ts";
import { loadSys } from "../src/sys/load.ts";
import { ip, ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

type Json = Record<string, unknown>;

/** Compares every key both sides have, recursively (timers tick between the two dumps). Returns the count. */
function compareShared(want: Json, got: Json, path: string): number {
  let n = 0;
  for (const [k, v] of Object.entries(want)) {
    if (k.endsWith("_timer") || !(k in got)) continue;
    if (v && typeof v === "object" && !Array.isArray(v)) n += compareShared(v as Json, got[k] as Json, `${path}${k}.`);
    else {
      assert.deepEqual(got[k], v, `${path}${k}`);
      n++;
    }
  }
  return n;
}

const CORE_KEYS = ["ifindex", "ifname", "flags", "mtu", "operstate", "linkmode", "group", "link_type"];

/** Dumps `ns` with nlkit and with `ip -j [-d] link show`, and checks they agree on every shared key. */
async function checkAgainstIp(ns: string): Promise<Link[]> {
  const links = await listLinks({}, { netns: ns });
  const byIndex = linkIndexMap(links);
  for (const details of [false, true]) {
    const oracle = ipJson(ns, ...(details ? ["-d"] : []), "link", "show") as Json[];
    assert.deepEqual(links.map((l) => l.index).sort(), oracle.map((o) => o.ifindex).sort());
    for (const o of oracle) {
      const mine = linkToIpJson(byIndex.get(o.ifindex as number)!, { byIndex, details });
      assert.ok(compareShared(o, mine, `${o.ifname}.`) >= 8);
      for (const k of CORE_KEYS) assert.ok(k in mine, `${o.ifname} lacks ${k}`);
      for (const k of Object.keys(o)) {
        if (!["parentbus", "parentdev"].includes(k)) {
          assert.ok(k in mine, `${o.ifname} lacks ${k}`);
        }
      }
      const oi = o.linkinfo as { info_data?: Json; info_slave_data?: Json } | undefined;
      const mi = mine.linkinfo as { info_data?: Json; info_slave_data?: Json } | undefined;
      for (const part of ["info_data", "info_slave_data"] as const) {
        for (const k of Object.keys(oi?.[part] ?? {})) {
          assert.ok(k in (mi?.[part] ?? {}), `${o.ifname} lacks ${part}.${k}`);
        }
      }
    }
  }
  return links;
}

function ipLink(ns: string, name: string, details = false): Json {
  const [o] = ipJson(ns, ...(details ? ["-d"] : []), "link", "show", "dev", name) as Json[];
  return o;
}

test("lists, gets and resolves links as ip shows them", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const links = await checkAgainstIp(ns);
    assert.deepEqual(links.map((l) => l.name), ["lo"]);
    const lo = await getLink("lo", { netns: ns });
    assert.equal(lo.index, 1);
    assert.equal(lo.linkType, "loopback");
    assert.ok(lo.flags.includes("LOOPBACK") && lo.flags.includes("UP"));
    assert.equal((await getLink(1, { netns: ns })).name, "lo");
    assert.equal(await resolveLinkIndex("lo", { netns: ns }), 1);
    await assert.rejects(getLink("nope0", { netns: ns }), { name: "NotFoundError", message: 'Unknown link: "nope0"' });
    await assert.rejects(getLink(999, { netns: ns }), { name: "NotFoundError", message: 'Unknown link: "999"' });
    await assert.rejects(resolveLinkIndex("nope0", { netns: ns }), { name: "NotFoundError", code: "ENODEV" });
  });
});

test("veth: peer in another namespace, link_netnsid, delete takes both ends", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((a) =>
    withTempNetns(async (b) => {
      const v0 = await createLink({ kind: "veth", name: "v0", mtu: 1400, peer: { name: "v1", netns: b, mtu: 1400 } }, {
        netns: a,
      });
      assert.ok(v0);
      assert.equal(v0.linkinfo?.kind, "veth");
      assert.equal(v0.mtu, 1400);
      assert.notEqual(v0.linkNetnsid, undefined);
      const v1 = await getLink("v1", { netns: b });
      assert.equal(v0.link, v1.index);
      assert.equal(v1.link, v0.index);
      assert.equal(ipLink(a, "v0").link_index, v1.index);
      assert.equal(ipLink(b, "v1").mtu, 1400);
      await checkAgainstIp(a);
      await checkAgainstIp(b);
      await deleteLink("v0", { netns: a });
      assert.deepEqual((await listLinks({}, { netns: b })).map((l) => l.name), ["lo"]);
      assert.deepEqual(ipJson(b, "link", "show").map((o: Json) => o.ifname), ["lo"]);
    })
  );
});

test("bridge: settings, ports, port state via slave data, kind and master filters", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const br = await createLink({
      kind: "bridge",
      name: "br0",
      data: { forwardDelay: 400, helloTime: 300, maxAge: 1000, ageingTime: 20000, priority: 4096 },
    }, o);
    const d = br?.linkinfo?.data as LinkKindData["bridge"];
    assert.deepEqual(
      [d.forwardDelay, d.helloTime, d.maxAge, d.ageingTime, d.priority, d.stpState],
      [400, 300, 1000, 20000, 4096, 0],
    );
    const info = ipLink(ns, "br0", true).linkinfo as { info_data: Json };
    assert.equal(info.info_data.forward_delay, 400);
    assert.equal(info.info_data.priority, 4096);

    await changeLink("br0", { kind: "bridge", data: { stpState: 1 } }, o);
    assert.equal(((await getLink("br0", o)).linkinfo?.data as LinkKindData["bridge"]).stpState, 1);
    assert.equal((ipLink(ns, "br0", true).linkinfo as { info_data: Json }).info_data.stp_state, 1);
    await changeLink("br0", { kind: "bridge", data: { stpState: 0 } }, o);
    // This kernel is built without CONFIG_BRIDGE_VLAN_FILTERING: ip gets the same EOPNOTSUPP.
    await assert.rejects(
      createLink({ kind: "bridge", name: "brv", data: { vlanFiltering: 1 } }, o),
      (e) => e instanceof NetlinkError && e.errno === 95,
    );

    await createLink({ kind: "veth", name: "p0", peer: { name: "p1" } }, o);
    await createLink({ kind: "veth", name: "q0", peer: { name: "q1" } }, o);
    await changeLink("p0", { master: "br0" }, o);
    await changeLink("q0", { master: br!.index }, o);
    const p0 = await getLink("p0", o);
    assert.equal(p0.master, br!.index);
    assert.equal(p0.linkinfo?.slaveKind, "bridge");
    assert.equal((p0.linkinfo?.slaveData as LinkSlaveData["bridge"]).state, "disabled");
    assert.equal(ipLink(ns, "p0").master, "br0");

    await changeLink("p0", { slave: { kind: "bridge", data: { cost: 77, priority: 9, learning: 0 } } }, o);
    const sd = (await getLink("p0", o)).linkinfo?.slaveData as LinkSlaveData["bridge"];
    assert.deepEqual([sd.cost, sd.priority, sd.learning], [77, 9, 0]);
    const isd = (ipLink(ns, "p0", true).linkinfo as { info_slave_data: Json }).info_slave_data;
    assert.deepEqual([isd.cost, isd.priority, isd.learning], [77, 9, false]);

    const ports = await listLinks({ master: "br0" }, o);
    assert.deepEqual(ports.map((l) => l.name).sort(), ["p0", "q0"]);
    assert.deepEqual(
      ports.map((l) => l.name).sort(),
      ipJson(ns, "link", "show", "master", "br0").map((x: Json) => x.ifname).sort(),
    );
    const veths = await listLinks({ kind: "veth" }, o);
    assert.deepEqual(
      veths.map((l) => l.name).sort(),
      ipJson(ns, "link", "show", "type", "veth").map((x: Json) => x.ifname).sort(),
    );
    assert.deepEqual((await listLinks({ kind: "bridge" }, o)).map((l) => l.name), ["br0"]);
    await checkAgainstIp(ns);

    await changeLink("p0", { master: null }, o);
    assert.equal((await getLink("p0", o)).master, undefined);
    assert.equal(ipLink(ns, "p0").master, undefined);
  });
});

test("macvlan and macvtap in every mode", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ kind: "veth", name: "v0", peer: { name: "v1" } }, o);
    await createLink({ kind: "veth", name: "w0", peer: { name: "w1" } }, o);
    const modes = ["private", "vepa", "bridge", "source"] as const;
    for (const [i, mode] of modes.entries()) {
      const kind = i % 2 ? "macvtap" : "macvlan";
      const l = await createLink({ kind, name: `m${i}`, parent: "v0", data: { mode } }, o);
      assert.equal(l?.linkinfo?.kind, kind);
      assert.equal((l?.linkinfo?.data as LinkKindData["macvlan"]).mode, mode);
      assert.equal((ipLink(ns, `m${i}`, true).linkinfo as { info_data: Json }).info_data.mode, mode);
    }
    // passthru takes the whole lower device, so it gets its own.
    const pt = await createLink({ kind: "macvlan", name: "mp", parent: "w0", data: { mode: "passthru" } }, o);
    assert.equal((pt?.linkinfo?.data as LinkKindData["macvlan"]).mode, "passthru");
    assert.equal(ipLink(ns, "mp").link, "w0");
    await checkAgainstIp(ns);
  });
});

test("vxlan: VNI, endpoints, big-endian port, parent device, ttl, learning", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ kind: "veth", name: "u0", peer: { name: "u1" } }, o);
    const vx = await createLink({
      kind: "vxlan",
      name: "vx0",
      parent: "u0",
      data: { id: 70000, group: "10.9.8.7", local: "10.0.0.1", port: 4789, ttl: 33, tos: 0x10, learning: 0 },
    }, o);
    const d = vx?.linkinfo?.data as LinkKindData["vxlan"];
    assert.deepEqual([d.id, d.group, d.local, d.port, d.ttl, d.tos, d.learning], [
      70000,
      "10.9.8.7",
      "10.0.0.1",
      4789,
      33,
      0x10,
      0,
    ]);
    assert.equal(d.link, (await getLink("u0", o)).index);
    const ij = (ipLink(ns, "vx0", true).linkinfo as { info_data: Json }).info_data;
    assert.deepEqual([ij.id, ij.remote, ij.local, ij.port, ij.link, ij.ttl, ij.learning], [
      70000,
      "10.9.8.7",
      "10.0.0.1",
      4789,
      "u0",
      33,
      false,
    ]);

    const v6 = await createLink({
      kind: "vxlan",
      name: "vx6",
      parent: "u0",
      data: { id: 5, group: "ff05::7", port: 8472 },
    }, o);
    assert.equal((v6?.linkinfo?.data as LinkKindData["vxlan"]).group6, "ff05::7");
    assert.equal((ipLink(ns, "vx6", true).linkinfo as { info_data: Json }).info_data.group6, "ff05::7");
    await checkAgainstIp(ns);
  });
});

test("ifb: created and shown as ip shows it", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const l = await createLink({ kind: "ifb", name: "ifb0", up: true, txqlen: 32 }, { netns: ns });
    assert.equal(l?.linkinfo?.kind, "ifb");
    assert.equal(l?.txqlen, 32);
    assert.ok(l?.flags.includes("UP"));
    assert.equal(ipLink(ns, "ifb0").txqlen, 32);
    await checkAgainstIp(ns);
  });
});

test("kinds this kernel lacks: the kernel's own refusal, nothing created", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ kind: "veth", name: "v0", peer: { name: "v1" } }, o);
    const specs = [
      { kind: "vlan", name: "x0", parent: "v0", data: { id: 5, protocol: "802.1ad" } },
      { kind: "dummy", name: "x0" },
      { kind: "bond", name: "x0", data: { mode: "active-backup", miimon: 100 } },
      { kind: "ipvlan", name: "x0", parent: "v0", data: { mode: "l3" } },
      { kind: "wireguard", name: "x0" },
    ] as const;
    for (const spec of specs) {
      await assert.rejects(createLink(spec, o), (e: unknown) => {
        assert.ok(e instanceof NetlinkError, `${spec.kind}: ${e}`);
        assert.equal(e.errno, 95); // EOPNOTSUPP (named ENOTSUP on Linux, same number)
        assert.equal(e.kernelMessage, "Unknown device type");
        return true;
      });
    }
    assert.deepEqual((await listLinks({}, o)).map((l) => l.name).sort(), ["lo", "v0", "v1"]);
  });
});

test("change: up/down, mtu, name, address, txqlen, alias, group", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ kind: "veth", name: "c0", peer: { name: "c1" } }, o);
    await changeLink("c0", { up: true }, o);
    assert.ok((await getLink("c0", o)).flags.includes("UP"));
    assert.ok((ipLink(ns, "c0").flags as string[]).includes("UP"));
    await changeLink("c0", {
      up: false,
      mtu: 9000,
      address: "02:AA:bb:00:00:01",
      txqlen: 99,
      alias: "uplink",
      group: 7,
    }, o);
    const c0 = await getLink("c0", o);
    assert.ok(!c0.flags.includes("UP"));
    assert.deepEqual([c0.mtu, c0.address, c0.txqlen, c0.alias, c0.group], [9000, "02:aa:bb:00:00:01", 99, "uplink", 7]);
    const ij = ipLink(ns, "c0");
    assert.deepEqual([ij.mtu, ij.address, ij.txqlen, ij.ifalias, ij.group], [
      9000,
      "02:aa:bb:00:00:01",
      99,
      "uplink",
      "7",
    ]);
    await changeLink("c0", { name: "renamed0" }, o);
    assert.equal((await getLink(c0.index, o)).name, "renamed0");
    assert.equal(ipLink(ns, "renamed0").ifindex, c0.index);
    await changeLink(c0.index, { alias: "" }, o);
    assert.equal((await getLink(c0.index, o)).alias, undefined);
    await checkAgainstIp(ns);
  });
});

test("change: alternative names added and deleted, and usable for lookup", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ kind: "veth", name: "a0", peer: { name: "a1" } }, o);
    const long = "an-alternative-name-longer-than-ifnamsiz";
    await addAltnames("a0", [long, "alt0"], o);
    const a0 = await getLink("a0", o);
    assert.deepEqual(a0.altnames, [long, "alt0"]);
    assert.deepEqual(ipLink(ns, "a0").altnames, [long, "alt0"]);
    assert.equal((await getLink(long, o)).index, a0.index);
    assert.equal(await resolveLinkIndex("alt0", o), a0.index);
    await checkAgainstIp(ns);
    await deleteAltnames(a0.index, [long], o);
    assert.deepEqual((await getLink("a0", o)).altnames, ["alt0"]);
    assert.deepEqual(ipLink(ns, "a0").altnames, ["alt0"]);
    await assert.rejects(addAltnames("a0", ["alt0"], o), (e) => e instanceof NetlinkError && e.code === "EEXIST");
  });
});

test("change: move to another namespace by name, descriptor and pid", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((a) =>
    withTempNetns(async (b) => {
      const o = { netns: a };
      for (const n of ["m0", "m1", "m2"]) await createLink({ kind: "ifb", name: n }, o);
      await changeLink("m0", { netns: b }, o);
      const sys = await loadSys();
      const fd = sys.open(`/run/netns/${b}`, 0x80000);
      try {
        await changeLink("m1", { netns: { fd } }, o);
      } finally {
        sys.close(fd);
      }
      const child = spawn("ip", ["netns", "exec", b, "sleep", "30"], { stdio: "ignore" });
      try {
        await new Promise((r) => setTimeout(r, 300));
        await changeLink("m2", { netns: { pid: child.pid! } }, o);
      } finally {
        child.kill();
      }
      assert.deepEqual((await listLinks({}, o)).map((l) => l.name), ["lo"]);
      assert.deepEqual((await listLinks({}, { netns: b })).map((l) => l.name).sort(), ["lo", "m0", "m1", "m2"]);
      assert.deepEqual(ipJson(b, "link", "show").map((x: Json) => x.ifname).sort(), ["lo", "m0", "m1", "m2"]);
      await checkAgainstIp(b);
    })
  );
});

test("bad input is refused before anything is sent", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    await createLink({ kind: "veth", name: "e0", peer: { name: "e1" } }, o);
    await assert.rejects(changeLink("e0", { mtu: 70000 }, o), {
      name: "InvalidArgumentError",
      message: 'Invalid MTU: "70000" (must be 68 to 65536)',
    });
    await assert.rejects(changeLink("e0", { name: "sixteen-chars-xx" }, o), /Invalid link name: "sixteen-chars-xx"/);
    await assert.rejects(changeLink("e0", { name: "a/b" }, o), InvalidArgumentError);
    await assert.rejects(changeLink("e0", { address: "02:00:00:00:00:zz" }, o), {
      name: "InvalidArgumentError",
      message: 'Invalid MAC address: "02:00:00:00:00:zz"',
    });
    await assert.rejects(changeLink("nope0", { up: true }, o), {
      name: "NotFoundError",
      message: 'Unknown link: "nope0"',
    });
    await assert.rejects(changeLink("e0", { master: "nobr" }, o), {
      name: "NotFoundError",
      message: 'Unknown link: "nobr"',
    });
    await assert.rejects(
      createLink({ kind: "macvlan", name: "mv", parent: "nolink", data: { mode: "vepa" } }, o),
      /Unknown link: "nolink"/,
    );
    await assert.rejects(deleteLink("nope0", o), /Unknown link: "nope0"/);
    const e0 = await getLink("e0", o);
    assert.deepEqual([e0.mtu, e0.master, e0.flags.includes("UP")], [1500, undefined, false]);
    // Within our range but over this device's limit: the kernel's refusal.
    await assert.rejects(changeLink("e0", { mtu: 65536 }, o), (e) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EINVAL");
      assert.match(e.kernelMessage ?? "", /mtu greater than device maximum/);
      return true;
    });
    await assert.rejects(
      createLink({ kind: "veth", name: "e0" }, o),
      (e) => e instanceof NetlinkError && e.code === "EEXIST",
    );
  });
});

test("streams links on a shared socket; breaking early leaves it usable", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    for (let i = 0; i < 20; i++) ip(ns, "link", "add", `s${i}`, "type", "ifb");
    await using socket = await openRouteSocket({ netns: ns });
    let n = 0;
    for await (const l of streamLinks({}, { socket })) {
      assert.equal(typeof l.name, "string");
      if (++n === 3) break;
    }
    const all: string[] = [];
    for await (const l of streamLinks({}, { socket })) all.push(l.name!);
    assert.equal(all.length, 21);
    assert.deepEqual(all, ipJson(ns, "link", "show").map((x: Json) => x.ifname));
    assert.equal((await getLink("s7", { socket })).name, "s7");
  });
});
