/**
 * Neighbours and the bridge FDB against the kernel, in throwaway
 * namespaces: every operation is observed through a fresh dump and
 * cross-checked with `ip -j neigh show` and `bridge -j fdb show`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../src/errors.ts";
import { have, ip, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import {
  addNeighbour,
  deleteNeighbour,
  flushNeighbours,
  listFdb,
  listNeighbours,
  replaceNeighbour,
  streamFdb,
  streamNeighbours,
} from "../src/route/neigh/api.ts";
import { addFdb, appendFdb, deleteFdb, fdbRequest, replaceFdb } from "../src/route/neigh/fdb.ts";
import { fdbToBridgeJson, type NeighJsonOptions, neighToIpJson } from "../src/route/neigh/json.ts";
import type { Neighbour } from "../src/route/neigh/table.ts";
import { listLinks, resolveLinkIndex } from "../src/route/link/api.ts";
import { linkIndexMap } from "../src/route/link/json.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** A namespace with veth pairs v0/v1 and d0/d1, d0 a port of bridge br0, all up, IPv6 DAD off. */
async function withLab<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  return await withTempNetns(async (ns) => {
    for (const k of ["all", "default"]) {
      run("ip", ["netns", "exec", ns, "sysctl", "-qw", `net.ipv6.conf.${k}.accept_dad=0`]);
    }
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "add", "br0", "type", "bridge");
    ip(ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
    ip(ns, "link", "set", "d0", "master", "br0");
    for (const l of ["v0", "v1", "br0", "d0", "d1"]) ip(ns, "link", "set", l, "up");
    return await fn(ns);
  });
}

/** Adds the same mix of entries iproute2 users make. */
function fixture(ns: string): void {
  ip(ns, "neigh", "add", "10.0.0.9", "lladdr", "02:00:00:00:00:09", "dev", "v0");
  ip(ns, "neigh", "add", "10.0.0.10", "lladdr", "02:00:00:00:00:0a", "dev", "v0", "nud", "reachable", "router");
  ip(ns, "neigh", "add", "10.0.0.11", "lladdr", "02:00:00:00:00:0b", "dev", "v0", "nud", "noarp");
  ip(ns, "neigh", "add", "10.0.0.12", "lladdr", "02:00:00:00:00:0c", "dev", "v0", "nud", "stale", "protocol", "static");
  ip(ns, "neigh", "add", "10.0.0.13", "dev", "v0", "nud", "failed");
  ip(ns, "neigh", "add", "10.0.0.14", "lladdr", "02:00:00:00:00:0e", "dev", "v1", "nud", "none");
  ip(ns, "neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:19", "dev", "v0", "router", "nud", "stale");
  ip(ns, "neigh", "add", "2001:db8::10", "lladdr", "02:00:00:00:00:1a", "dev", "d0", "nud", "delay");
  ip(ns, "neigh", "add", "proxy", "10.0.0.50", "dev", "v0");
  ip(ns, "-6", "neigh", "add", "proxy", "2001:db8::55", "dev", "v1");
}

/** Cache ages tick between two dumps: allow one second. */
function sameAges(ours: Json, theirs: Json): void {
  for (const k of ["used", "confirmed", "updated"]) {
    if (typeof ours[k] === "number" && typeof theirs[k] === "number" && Math.abs(ours[k] - theirs[k]) <= 1) {
      ours[k] = theirs[k];
    }
  }
}

function compare(ours: Json[], theirs: Json[]): void {
  assert.equal(ours.length, theirs.length, JSON.stringify({ ours, theirs }));
  ours.forEach((o, i) => sameAges(o, theirs[i]));
  assert.deepEqual(ours, theirs);
}

function withoutAges(list: Json[]): Json[] {
  return list.map(({ used: _u, confirmed: _c, updated: _d, ...rest }) => rest);
}

/**
 * The kernel adds multicast entries on its own (IGMP/MLD reports) while the
 * test runs: compare with an oracle dump that did not change around ours.
 */
async function compareSettled(ours: () => Promise<Json[]>, theirs: () => Json[]): Promise<void> {
  for (let attempt = 0;; attempt++) {
    const before = theirs();
    const got = await ours();
    const after = theirs();
    if (attempt < 10 && JSON.stringify(withoutAges(before)) !== JSON.stringify(withoutAges(after))) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    return compare(got, after);
  }
}

async function json(ns: string, list: Neighbour[], options: NeighJsonOptions = {}): Promise<Json[]> {
  const byIndex = linkIndexMap(await listLinks({}, { netns: ns }));
  return list.map((n) => neighToIpJson(n, { byIndex, ...options }));
}

function bridgeJson(ns: string, ...args: string[]): Json[] {
  const out = run("bridge", ["-j", "-n", ns, ...args]);
  return out.trim() ? JSON.parse(out) : [];
}

const HAVE_BRIDGE = NEEDS_ROOT || (have("bridge") ? false : "needs the bridge command (iproute2)");

test(
  "listNeighbours and neighToIpJson match ip -j neigh show nud all, with and without -s",
  { skip: NEEDS_ROOT },
  async () => {
    await withLab(async (ns) => {
      fixture(ns);
      const o = { netns: ns };
      await compareSettled(
        async () => await json(ns, await listNeighbours({}, o)),
        () => ipJson(ns, "neigh", "show", "nud", "all"),
      );
      await compareSettled(
        async () => await json(ns, await listNeighbours({}, o), { stats: true }),
        () => ipJson(ns, "-s", "neigh", "show", "nud", "all"),
      );
      await compareSettled(
        async () => await json(ns, await listNeighbours({ proxy: true }, o)),
        () => ipJson(ns, "neigh", "show", "proxy"),
      );
      const all = await listNeighbours({}, o);
      const r = all.find((n) => n.dst === "10.0.0.10")!;
      assert.deepEqual([r.state, r.flags, r.lladdr, r.family], [
        ["REACHABLE"],
        ["router"],
        "02:00:00:00:00:0a",
        "inet",
      ]);
      assert.equal(all.find((n) => n.dst === "10.0.0.12")!.protocol, "static");
      assert.deepEqual(all.find((n) => n.dst === "10.0.0.14")!.state, ["NONE"]);
      assert.ok(all.every((n) => n.cacheinfo && typeof n.cacheinfo.refcnt === "number" && n.probes !== undefined));
    });
  },
);

test("dumps are filtered by link, master and family", { skip: NEEDS_ROOT }, async () => {
  await withLab(async (ns) => {
    fixture(ns);
    const o = { netns: ns };
    const v1 = await resolveLinkIndex("v1", o);
    assert.deepEqual((await listNeighbours({ dev: v1 }, o)).map((n) => n.dst).filter((d) => !d?.startsWith("ff02")), [
      "10.0.0.14",
    ]);
    await compareSettled(
      async () => await json(ns, await listNeighbours({ dev: "v0" }, o), { dev: false }),
      () => ipJson(ns, "neigh", "show", "dev", "v0", "nud", "all"),
    );
    const streamed = async () => {
      const six: Neighbour[] = [];
      for await (const n of streamNeighbours({ family: "inet6", dev: "v0" }, o)) six.push(n);
      assert.ok(six.length > 0 && six.every((n) => n.family === "inet6" && n.ifindex !== v1));
      return await json(ns, six, { dev: false });
    };
    await compareSettled(streamed, () => ipJson(ns, "-6", "neigh", "show", "dev", "v0", "nud", "all"));
    // Only entries on ports of br0: d0's.
    const ports = await listNeighbours({ master: "br0", family: "inet6" }, o);
    const d0 = await resolveLinkIndex("d0", o);
    assert.ok(ports.some((n) => n.dst === "2001:db8::10"));
    assert.ok(ports.every((n) => n.ifindex === d0), JSON.stringify(ports));
    await assert.rejects(listNeighbours({ dev: "nope0" }, o), {
      name: "NotFoundError",
      message: 'Unknown link: "nope0"',
    });
  });
});

test("addNeighbour: ARP, NDP router, noarp, protocol, proxy, extern_learn", { skip: NEEDS_ROOT }, async () => {
  await withLab(async (ns) => {
    const o = { netns: ns };
    await addNeighbour({ dst: "10.1.0.1", lladdr: "02:00:00:01:00:01", dev: "v0" }, o);
    await addNeighbour({
      dst: "2001:db8:1::1",
      lladdr: "02:00:00:01:00:02",
      dev: "v0",
      state: "reachable",
      flags: ["router"],
    }, o);
    await addNeighbour(
      { dst: "10.1.0.3", lladdr: "02:00:00:01:00:03", dev: "v1", state: "NOARP", protocol: "zebra" },
      o,
    );
    await addNeighbour({ dst: "10.1.0.4", dev: "v0", flags: ["proxy"] }, o);
    await addNeighbour({ dst: "10.1.0.5", lladdr: "02:00:00:01:00:05", dev: "v0", flags: ["extern_learn"] }, o);
    await addNeighbour({ dst: "10.1.0.6", lladdr: "02:00:00:01:00:06", dev: "v0", state: "none" }, o);
    const got = await listNeighbours({}, o);
    const find = (dst: string) => got.find((n) => n.dst === dst)!;
    assert.deepEqual([find("10.1.0.1").state, find("10.1.0.1").lladdr], [["PERMANENT"], "02:00:00:01:00:01"]);
    assert.deepEqual([find("2001:db8:1::1").state, find("2001:db8:1::1").flags], [["REACHABLE"], ["router"]]);
    assert.deepEqual([find("10.1.0.3").state, find("10.1.0.3").protocol], [["NOARP"], "zebra"]);
    assert.deepEqual(find("10.1.0.5").flags, ["extern_learn"]);
    assert.deepEqual(find("10.1.0.6").state, ["NONE"]);
    const proxies = await listNeighbours({ proxy: true }, o);
    assert.deepEqual(proxies.map((n) => [n.dst, n.flags]), [["10.1.0.4", ["proxy"]]]);
    await compareSettled(
      async () => await json(ns, await listNeighbours({}, o)),
      () => ipJson(ns, "neigh", "show", "nud", "all"),
    );
    await compareSettled(async () => await json(ns, proxies), () => ipJson(ns, "neigh", "show", "proxy"));
  });
});

test("adding an existing entry is refused by the kernel with EEXIST", { skip: NEEDS_ROOT }, async () => {
  await withLab(async (ns) => {
    const spec = { dst: "10.2.0.1", lladdr: "02:00:00:02:00:01", dev: "v0" };
    await addNeighbour(spec, { netns: ns });
    await assert.rejects(addNeighbour({ ...spec, lladdr: "02:00:00:02:00:99" }, { netns: ns }), (e) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EEXIST");
      return true;
    });
    assert.equal(ipJson(ns, "neigh", "show", "10.2.0.1")[0].lladdr, "02:00:00:02:00:01");
  });
});

test("replaceNeighbour overwrites lladdr and state", { skip: NEEDS_ROOT }, async () => {
  await withLab(async (ns) => {
    const o = { netns: ns };
    await replaceNeighbour({ dst: "10.3.0.1", lladdr: "02:00:00:03:00:01", dev: "v0", state: "stale" }, o); // creates
    await replaceNeighbour({ dst: "10.3.0.1", lladdr: "02:00:00:03:00:02", dev: "v0", state: "PERMANENT" }, o);
    const [n] = (await listNeighbours({ dev: "v0", family: "inet" }, o)).filter((x) => x.dst === "10.3.0.1");
    assert.deepEqual([n.lladdr, n.state], ["02:00:00:03:00:02", ["PERMANENT"]]);
    assert.deepEqual(ipJson(ns, "neigh", "show", "10.3.0.1"), [
      { dst: "10.3.0.1", dev: "v0", lladdr: "02:00:00:03:00:02", state: ["PERMANENT"] },
    ]);
  });
});

test("deleteNeighbour removes cache and proxy entries; missing ones are refused", { skip: NEEDS_ROOT }, async () => {
  await withLab(async (ns) => {
    const o = { netns: ns };
    fixture(ns);
    await deleteNeighbour({ dst: "10.0.0.9", dev: "v0" }, o);
    await deleteNeighbour({ dst: "2001:db8::9", dev: "v0" }, o);
    await deleteNeighbour({ dst: "10.0.0.50", dev: "v0", flags: ["proxy"] }, o);
    const left = (await listNeighbours({}, o)).map((n) => n.dst);
    assert.ok(!left.includes("10.0.0.9") && !left.includes("2001:db8::9"));
    assert.deepEqual((await listNeighbours({ proxy: true }, o)).map((n) => n.dst), ["2001:db8::55"]);
    assert.deepEqual(ipJson(ns, "neigh", "show", "10.0.0.9"), []);
    assert.deepEqual(ipJson(ns, "neigh", "show", "proxy").map((x: Json) => x.dst), ["2001:db8::55"]);
    await assert.rejects(deleteNeighbour({ dst: "10.0.0.9", dev: "v0" }, o), { code: "ENOENT" });
  });
});

test("flushNeighbours leaves what ip neigh flush leaves; permanent ones on request", { skip: NEEDS_ROOT }, async () => {
  await withLab(async (ours) => {
    await withLab(async (theirs) => {
      fixture(ours);
      fixture(theirs);
      const n = await flushNeighbours({ dev: "v0" }, { netns: ours });
      ip(theirs, "neigh", "flush", "dev", "v0");
      assert.equal(n, 4); // 10.0.0.10 reachable, 10.0.0.12 stale, 10.0.0.13 failed, 2001:db8::9 stale
      // Hash order differs between namespaces, and multicast entries come and go: compare the unicast sets.
      const unicast = (ns: string) =>
        ipJson(ns, "neigh", "show", "nud", "all", "dev", "v0").filter((x: Json) => !/^(ff02|22[4-9]|23)/.test(x.dst))
          .map((x: Json) => JSON.stringify(x)).sort();
      const after = unicast(ours).map((x: string) => JSON.parse(x));
      assert.deepEqual(unicast(ours), unicast(theirs));
      assert.ok(after.some((x: Json) => x.dst === "10.0.0.9"), "PERMANENT stays");
      assert.ok(ipJson(ours, "neigh", "show", "10.0.0.14", "nud", "all").length === 1, "other links untouched");
      assert.ok((await flushNeighbours({ dev: "v0", family: "inet", permanent: true }, { netns: ours })) >= 1);
      assert.deepEqual(ipJson(ours, "-4", "neigh", "show", "nud", "all", "dev", "v0").map((x: Json) => x.state), [[
        "NOARP",
      ]]);
    });
  });
});

test("listFdb and fdbToBridgeJson match bridge -j fdb show", { skip: HAVE_BRIDGE }, async () => {
  await withLab(async (ns) => {
    const o = { netns: ns };
    run("bridge", ["-n", ns, "fdb", "add", "02:00:00:00:01:01", "dev", "d0", "master", "static"]);
    run("bridge", ["-n", ns, "fdb", "add", "02:00:00:00:01:02", "dev", "d0", "self", "permanent"]);
    run("bridge", ["-n", ns, "fdb", "add", "02:00:00:00:01:03", "dev", "d0", "master", "extern_learn"]);
    const byIndex = linkIndexMap(await listLinks({}, o));
    const render = (list: Neighbour[], opts: NeighJsonOptions = {}) =>
      list.map((n) => fdbToBridgeJson(n, { byIndex, ...opts }));
    await compareSettled(async () => render(await listFdb({}, o)), () => bridgeJson(ns, "fdb", "show"));
    await compareSettled(
      async () => render(await listFdb({}, o), { stats: true }),
      () => bridgeJson(ns, "-s", "fdb", "show"),
    );
    await compareSettled(
      async () => render(await listFdb({ master: "br0" }, o)),
      () => bridgeJson(ns, "fdb", "show", "br", "br0"),
    );
    let port: Neighbour[] = [];
    const streamPort = async () => {
      port = [];
      for await (const n of streamFdb({ dev: "d0" }, o)) port.push(n);
      return render(port, { dev: false });
    };
    await compareSettled(streamPort, () => bridgeJson(ns, "fdb", "show", "brport", "d0"));
    const br0 = await resolveLinkIndex("br0", o);
    const s = port.find((n) => n.lladdr === "02:00:00:00:01:01")!;
    assert.deepEqual([s.family, s.master, s.state, s.flags], ["bridge", br0, ["NOARP"], []]);
    const x = port.find((n) => n.lladdr === "02:00:00:00:01:03")!;
    assert.deepEqual(x.flags, ["extern_learn"]);
    const self = port.find((n) => n.lladdr === "02:00:00:00:01:02")!;
    assert.deepEqual([self.flags, self.state, self.master], [["self"], ["PERMANENT"], undefined]);
  });
});

/** The FDB entries of our test MACs, as `bridge -j fdb show` prints them, sorted (hash order differs per namespace). */
function ourFdb(ns: string): string[] {
  return bridgeJson(ns, "fdb", "show").filter((e: Json) => /^(02:00:00:00:0[2-9]|00:00:00:00:00:00)/.test(e.mac))
    .map((e: Json) => JSON.stringify(e)).sort();
}

/** withLab plus a VXLAN device vx0 (VNI 42, no learning). */
async function withFdbLab<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  return await withLab(async (ns) => {
    ip(ns, "addr", "add", "10.9.0.1/24", "dev", "v0");
    ip(ns, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "10.9.0.1", "nolearning");
    return await fn(ns);
  });
}

test(
  "addFdb, replaceFdb, appendFdb and deleteFdb do what bridge fdb add/replace/append/del do",
  { skip: HAVE_BRIDGE },
  async () => {
    await withFdbLab(async (ours) => {
      await withFdbLab(async (theirs) => {
        const o = { netns: ours };
        const bridge = (...args: string[]) => run("bridge", ["-n", theirs, "fdb", ...args]);
        const same = () => assert.deepEqual(ourFdb(ours), ourFdb(theirs));
        await addFdb({ lladdr: "02:00:00:00:02:01", dev: "d0", flags: ["master"], state: "static" }, o);
        bridge("add", "02:00:00:00:02:01", "dev", "d0", "master", "static");
        await addFdb({ lladdr: "02:00:00:00:02:02", dev: "d0", flags: ["master"] }, o);
        bridge("add", "02:00:00:00:02:02", "dev", "d0", "master");
        // This kernel has no bridge VLAN filtering: a VLAN entry is refused, by both.
        await assert.rejects(addFdb({ lladdr: "02:00:00:00:02:07", dev: "d0", flags: ["master"], vlan: 10 }, o), {
          name: "NetlinkError",
          code: "EINVAL",
        });
        assert.throws(() => bridge("add", "02:00:00:00:02:07", "dev", "d0", "master", "vlan", "10"));
        await addFdb({ lladdr: "02:00:00:00:02:03", dev: "d0", flags: ["master", "sticky"], state: "dynamic" }, o);
        bridge("add", "02:00:00:00:02:03", "dev", "d0", "master", "sticky", "dynamic");
        await addFdb({ lladdr: "02:00:00:00:02:04", dev: "d0" }, o); // self, permanent by default
        bridge("add", "02:00:00:00:02:04", "dev", "d0");
        await addFdb({ lladdr: "02:00:00:00:02:05", dev: "vx0", dst: "10.9.0.7", port: 8472, vni: 77, via: "v0" }, o);
        bridge("add", "02:00:00:00:02:05", "dev", "vx0", "dst", "10.9.0.7", "port", "8472", "vni", "77", "via", "v0");
        await addFdb({ lladdr: "00:00:00:00:00:00", dev: "vx0", dst: "10.9.0.8" }, o);
        bridge("add", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.9.0.8");
        await appendFdb({ lladdr: "00:00:00:00:00:00", dev: "vx0", dst: "10.9.0.9" }, o);
        bridge("append", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.9.0.9");
        same();
        // Each change is seen in a fresh dump of our own.
        const br0 = await resolveLinkIndex("br0", o);
        const mine = (await listFdb({ dev: "d0" }, o)).filter((n) => n.lladdr?.startsWith("02:00:00:00:02"));
        const get = (mac: string, vlan?: number) => mine.find((n) => n.lladdr === mac && n.vlan === vlan)!;
        assert.deepEqual([get("02:00:00:00:02:01").state, get("02:00:00:00:02:01").master], [["NOARP"], br0]);
        assert.deepEqual(get("02:00:00:00:02:02").state, ["PERMANENT"]);
        assert.deepEqual(get("02:00:00:00:02:03").flags, ["sticky"]);
        assert.deepEqual([get("02:00:00:00:02:04").flags, get("02:00:00:00:02:04").master], [["self"], undefined]);
        const vx = await listFdb({ dev: "vx0" }, o);
        const remote = vx.find((n) => n.lladdr === "02:00:00:00:02:05")!;
        assert.deepEqual([remote.dst, remote.port, remote.vni, remote.viaIfindex], [
          "10.9.0.7",
          8472,
          77,
          await resolveLinkIndex("v0", o),
        ]);
        assert.deepEqual(vx.filter((n) => n.lladdr === "00:00:00:00:00:00").map((n) => n.dst).sort(), [
          "10.9.0.8",
          "10.9.0.9",
        ]);

        await replaceFdb({ lladdr: "02:00:00:00:02:01", dev: "d0", flags: ["master"] }, o);
        bridge("replace", "02:00:00:00:02:01", "dev", "d0", "master");
        await replaceFdb({ lladdr: "02:00:00:00:02:06", dev: "d0", flags: ["master"], state: "static" }, o); // creates
        bridge("replace", "02:00:00:00:02:06", "dev", "d0", "master", "static");
        same();
        assert.deepEqual(
          (await listFdb({ master: "br0" }, o)).find((n) => n.lladdr === "02:00:00:00:02:01")!.state,
          ["PERMANENT"],
        );

        await deleteFdb({ lladdr: "02:00:00:00:02:02", dev: "d0", flags: ["master"] }, o);
        bridge("del", "02:00:00:00:02:02", "dev", "d0", "master");
        await deleteFdb({ lladdr: "02:00:00:00:02:04", dev: "d0" }, o);
        bridge("del", "02:00:00:00:02:04", "dev", "d0");
        await deleteFdb({ lladdr: "00:00:00:00:00:00", dev: "vx0", dst: "10.9.0.8" }, o);
        bridge("del", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.9.0.8");
        same();
        const left = (await listFdb({}, o)).map((n) => `${n.lladdr}/${n.vlan ?? ""}/${n.dst ?? ""}`);
        assert.ok(!left.includes("02:00:00:00:02:02//") && !left.includes("02:00:00:00:02:04//"));
        assert.ok(left.includes("00:00:00:00:00:00//10.9.0.9") && !left.includes("00:00:00:00:00:00//10.9.0.8"));

        await assert.rejects(addFdb({ lladdr: "02:00:00:00:02:01", dev: "d0", flags: ["master"] }, o), {
          code: "EEXIST",
        });
        await assert.rejects(deleteFdb({ lladdr: "02:00:00:00:02:09", dev: "d0", flags: ["master"] }, o), {
          code: "ENOENT",
        });
      });
    });
  },
);

test("fdbRequest: AF_BRIDGE ndmsg with NTF_SELF by default, NDA_* from the table", () => {
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const msg = fdbRequest(28, 0x600, { lladdr: "02:00:00:00:02:05", dev: 3, dst: "10.9.0.7", port: 8472, vni: 77 }, 3);
  // ndmsg: family 7, ifindex 3, state NOARP|PERMANENT (0xc0), flags NTF_SELF (2).
  assert.equal(hex(msg.subarray(16, 28)), "07000000" + "03000000" + "c000" + "02" + "00");
  // NDA_DST, NDA_LLADDR, NDA_PORT (big-endian 8472 = 0x2118), NDA_VNI.
  assert.equal(
    hex(msg.subarray(28)),
    "080001000a090007" + "0a000200020000000205" + "0000" + "060006002118" + "0000" + "080007004d000000",
  );
  const del = fdbRequest(29, 0, { lladdr: "02:00:00:00:02:05", dev: 3, flags: ["master"], vlan: 10 }, 3);
  assert.equal(hex(del.subarray(16, 28)), "07000000" + "03000000" + "c000" + "04" + "00");
  assert.equal(hex(del.subarray(28)), "0a000200020000000205" + "0000" + "060005000a00" + "0000"); // NDA_VLAN 10
  // viaIfindex without a resolved `via` is sent as NDA_IFINDEX (it was checked, then dropped); checked by its policy.
  const via = fdbRequest(28, 0x600, { lladdr: "02:00:00:00:02:05", dev: 3, viaIfindex: 5 }, 3);
  assert.equal(hex(via.subarray(28)), "0a000200020000000205" + "0000" + "0800080005000000");
  assert.throws(() => fdbRequest(28, 0x600, { lladdr: "02:00:00:00:02:05", dev: 3, viaIfindex: 0 }, 3), {
    name: "InvalidArgumentError",
    message: 'Invalid via ifindex: "0" (must be 1 to 2147483647)',
  });
});

test("bad input is refused before anything is sent", async () => {
  const o = { netns: "nlkit-no-such-netns" };
  await assert.rejects(addNeighbour({ dst: "10.0.0.256", dev: "v0" }, o), {
    name: "InvalidArgumentError",
    message: 'Invalid IP address: "10.0.0.256"',
  });
  await assert.rejects(addNeighbour({ dst: "10.0.0.1", dev: "v0", lladdr: "zz:00" }, o), InvalidArgumentError);
  await assert.rejects(addNeighbour({ dst: "10.0.0.1", dev: "v0", state: "sleepy" }, o), InvalidArgumentError);
  await assert.rejects(addNeighbour({ dst: "10.0.0.1", dev: "v0", flags: ["loud"] }, o), InvalidArgumentError);
  await assert.rejects(addNeighbour({ dst: "10.0.0.1", dev: "v0", protocol: 300 }, o), InvalidArgumentError);
  await assert.rejects(addNeighbour({ dst: "10.0.0.1" } as never, o), InvalidArgumentError);
  await assert.rejects(deleteNeighbour({ dst: "nope", dev: "v0" }, o), InvalidArgumentError);
  await assert.rejects(listNeighbours({ family: 7 as 2 }, o), InvalidArgumentError);
  await assert.rejects(flushNeighbours({ family: "ipx" as "inet" }, o), InvalidArgumentError);
  await assert.rejects(addFdb({ lladdr: "02:00:00:00:00:0g", dev: "d0" }, o), {
    name: "InvalidArgumentError",
    message: 'Invalid MAC address: "02:00:00:00:00:0g"',
  });
  await assert.rejects(addFdb({ lladdr: "02:00:00:00:00:01", dev: "d0", vlan: 4095 }, o), {
    name: "InvalidArgumentError",
    message: 'Invalid VLAN id: "4095" (must be 1 to 4094)',
  });
  await assert.rejects(addFdb({ lladdr: "02:00:00:00:00:01", dev: "d0", flags: ["proxy"] }, o), InvalidArgumentError);
  await assert.rejects(
    addFdb({ lladdr: "02:00:00:00:00:01", dev: "d0", state: "sleepy" as "static" }, o),
    InvalidArgumentError,
  );
  await assert.rejects(
    deleteFdb({ lladdr: "02:00:00:00:00:01", dev: "d0", dst: "10.0.0.300" }, o),
    InvalidArgumentError,
  );
  await assert.rejects(replaceFdb({ lladdr: "02:00:00:00:00:01", dev: "d0", vni: 1 << 24 }, o), InvalidArgumentError);
});
