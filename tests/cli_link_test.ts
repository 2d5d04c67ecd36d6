/**
 * The link, tuntap, maddr, netns and monitor commands of the CLI against
 * `ip` in the same namespace: text, `-j` and exit codes. Runs on the sources
 * (Deno, Bun) and, with `NLKIT_BIN`, on the compiled binary.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { CLI, nlkit, ok, type Result } from "./_cli.ts";
import { watch as watchAll } from "./_monitor.ts";
import { have, ip, ipJson, NEEDS_ROOT, run, uniqueName, withTempNetns } from "./_helpers.ts";
import { Args } from "../src/cli/args.ts";
import { parseLinkAdd } from "../src/cli/link.ts";
import { type Link, parseLinkMessage } from "../src/route/link/api.ts";
import { changeLinkRequest, createLinkRequest, type CreateLinkSpec } from "../src/route/link/change.ts";
import { readMessage } from "../src/wire/message.ts";
import { unhex } from "./_vectors.ts";

/** Runs nlkit and ip with the same words in `ns`; both must succeed with the same output. */
function same(ns: string, ...args: string[]): string {
  const theirs = ip(ns, ...args);
  const ours = ok(ns, ...args);
  assert.equal(ours, theirs, `nlkit ${args.join(" ")}`);
  return ours;
}

function fails(args: string[], code: number, re: RegExp): Result {
  const r = nlkit(args);
  assert.equal(r.code, code, `nlkit ${args.join(" ")}: exit ${r.code}, ${r.stderr}`);
  assert.match(r.stderr, re, args.join(" "));
  return r;
}

function parse(bytes: Uint8Array): Link {
  return parseLinkMessage(readMessage(bytes, new DataView(bytes.buffer, bytes.byteOffset), 0, bytes.length));
}

/** The request nlkit's `link add WORDS` builds, with the parent (`link`/`dev`) resolved to `parent`. */
function addRequest(words: string, parent = 77): Link {
  const spec = parseLinkAdd(new Args(words.split(" "))) as CreateLinkSpec & { parent?: string | number };
  if (spec.parent !== undefined) spec.parent = parent;
  return parse(createLinkRequest(spec));
}

test("link add words for kinds this kernel lacks build ip's requests (strace of iproute2 6.1)", () => {
  // Parent d0 = index 77 in the captures.
  const ipvlan = parse(unhex(
    "5800000010000506cb9e0e6b000000000000000000000000000000000000000008000500" +
      "4d000000090003006970763000000000240012000a0001006970766c616e0000140002000600010002000000" +
      "0600020002000000",
  ));
  assert.deepEqual(addRequest("ipv0 link d0 type ipvlan mode l3s vepa").linkinfo, ipvlan.linkinfo);
  assert.deepEqual(ipvlan.linkinfo?.data, { mode: "l3s", flags: ["vepa"] });
  // ip sends IFLA_IPVLAN_FLAGS 0 for "bridge" and when no flag is given.
  assert.deepEqual(addRequest("ipv0 link d0 type ipvlan mode l2 bridge").linkinfo?.data, { mode: "l2", flags: [] });
  const bond = parse(unhex(
    "6800000010000506cb9e0e6b000000000000000000000000000000000000000008000300626f3000400012000800" +
      "0100626f6e643400020005000100040000000800030064000000050015000100000005000e0001000000050016" +
      "00010000000800090003000000",
  ));
  const ours = addRequest(
    "bo0 type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4 ad_select bandwidth arp_validate all",
  );
  assert.deepEqual(ours.linkinfo, bond.linkinfo);
  // Numbers stand for names, as iproute2's get_index allows.
  assert.deepEqual(addRequest("bo0 type bond mode 4").linkinfo?.data, { mode: "802.3ad" });
  const gre = parse(unhex(
    "ac00000010000506cb9e0e6b00000000000000000000000000000000000000000900030067726531000000008000" +
      "1200070001006772650074000200080004000000002a080005000000002a060002002000000006000300200000" +
      "00080006000a000001080007000a00000205000a0001000000050009000000000005000800400000000800140000" +
      "00000006000e000000000006000f00000000000600100000000000060011000000000000",
  ));
  const g = addRequest("gre1 type gre remote 10.0.0.2 local 10.0.0.1 ttl 64 key 42").linkinfo!;
  const want = gre.linkinfo!.data as Record<string, unknown>;
  // ip also sends its defaults (pmtudisc 1, tos 0, no encapsulation): every value nlkit sends is ip's.
  for (const [k, v] of Object.entries(g.data as Record<string, unknown>)) assert.deepEqual(v, want[k], `gre ${k}`);
  assert.deepEqual(Object.keys(g.data as object).sort(), [
    "iflags",
    "ikey",
    "local",
    "oflags",
    "okey",
    "remote",
    "ttl",
  ]);
  const wg = unhex(
    "3c00000010000506cc9e0e6b00000000000000000000000000000000000000000800030077673000140012000d000100776972656775617264000000",
  );
  assert.deepEqual(addRequest("wg0 type wireguard").linkinfo, parse(wg).linkinfo);
  const dummy = unhex(
    "3800000010000506cc9e0e6b000000000000000000000000000000000000000008000300646d3000100012000900010064756d6d79000000",
  );
  assert.deepEqual(addRequest("dev dm0 type dummy").linkinfo, parse(dummy).linkinfo);
  assert.equal(addRequest("dev dm0 type dummy").name, "dm0");
  const vlan = parse(unhex(
    "4800000010000506cc9e0e6b0000000000000000000000000000000000000000080005004d00000008000300766c30" +
      "001800120008000100766c616e0c0002000600010005000000",
  ));
  const v = addRequest("vl0 link d0 type vlan id 5");
  assert.deepEqual([v.link, v.linkinfo], [vlan.link, vlan.linkinfo]);
});

test("bad link words are usage errors, before anything is sent", () => {
  const cases: [string[], RegExp][] = [
    [["link", "add", "x", "link", "lo", "type", "ipvlan", "mode", "l4"], /Unknown ipvlan mode: "l4"/],
    [["link", "add", "x", "type", "ipvlan"], /Missing "link" in ipvlan/],
    [["link", "add", "x", "link", "lo", "type", "ipvlan", "private", "vepa"], /one of "bridge", "private" or "vepa"/],
    [["link", "add", "x", "type", "bond", "mode", "fastest"], /"fastest"/],
    [["link", "add", "x", "type", "bond", "miimon", "-1"], /Invalid miimon/],
    [["link", "add", "x", "type", "gre", "remote", "2001:db8::1"], /IPv4 address/],
    [["link", "add", "x", "type", "gre", "ttl", "300"], /Invalid TTL/],
    [["link", "add", "x", "type", "tun"], /nlkit tuntap add/],
    [["link", "add", "x", "type", "tuntap"], /nlkit tuntap add/],
    [["link", "add", "dev", "x", "name", "y", "type", "veth"], /"name" or "dev"/],
    [["link", "add", "x", "numtxqueues", "0", "type", "veth"], /numtxqueues/],
    [["link", "add", "x", "index", "0", "type", "veth"], /index/],
    [["link", "set", "lo", "promisc", "maybe"], /"maybe".*"on" or "off"/],
    [["link", "set", "lo", "arp"], /Missing on or off after "arp"/],
    [["link", "show", "group", "zz"], /argument "zz" is wrong: Invalid "group" value/],
    [["tuntap", "add", "dev", "t0"], /Missing "mode"/],
    [["tuntap", "add", "dev", "t0", "mode", "tan"], /Unknown tunnel mode: "tan"/],
    [["tuntap", "add", "mode", "tap", "user", "no-such-user-x"], /Invalid user/],
    [["tuntap", "show", "extra"], /Unexpected argument/],
    [["tuntap", "frob"], /Command "frob" is unknown/],
    [["maddr", "add", "zz", "dev", "nlkt-nodev"], /"zz" is invalid lladdr/],
    [["maddr", "show", "dev", "nlkt-nodev", "x"], /"x"/],
    [["netns", "set", "x", "abc"], /Invalid nsid: "abc"/],
    [["netns", "identify", "abc"], /Invalid pid: "abc"/],
    [["netns", "list-id", "nsid", "x"], /Invalid nsid: "x"/],
    [["netns", "list-id", "bogus"], /"bogus"/],
    [["monitor", "link", "file"], /Missing file name/],
    [["monitor", "prefix"], /"prefix"/],
    [["link", "set", "lo", "toString"], /Unknown argument of link set: "toString"/],
    [["link", "add", "x", "type", "bond", "constructor", "1"], /Unknown argument of bond options: "constructor"/],
    [["tuntap", "toString"], /Command "toString" is unknown/],
    [["monitor", "toString"], /Unknown monitor object: "toString"/],
  ];
  for (const [args, re] of cases) fails(args, 2, re);
});

test(
  "link add dev, index, queues, GSO/GRO limits; flags on and off; ip shows the same",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns((ns) => {
      ok(
        ns,
        "link",
        "add",
        "dev",
        "e0",
        "index",
        "78",
        "numtxqueues",
        "4",
        "numrxqueues",
        "2",
        "gso_max_size",
        "32000",
        "gso_max_segs",
        "100",
        "gro_max_size",
        "30000",
        "promisc",
        "on",
        "type",
        "veth",
        "peer",
        "name",
        "e1",
      );
      const [j] = ipJson(ns, "-d", "link", "show", "e0");
      assert.deepEqual(
        [j.ifindex, j.num_tx_queues, j.num_rx_queues, j.gso_max_size, j.gso_max_segs, j.gro_max_size, j.promiscuity],
        [78, 4, 2, 32000, 100, 30000, 1],
      );
      for (const args of [["link", "show"], ["-d", "link", "show", "e0"], ["-j", "-d", "link", "show"]]) {
        same(ns, ...args);
      }
      ok(ns, "link", "set", "e0", "promisc", "off", "arp", "off", "multicast", "off", "allmulticast", "on");
      assert.deepEqual(ipJson(ns, "link", "show", "e0")[0].flags, ["BROADCAST", "NOARP", "ALLMULTI", "M-DOWN"]);
      same(ns, "link", "show", "e0");
      ok(
        ns,
        "link",
        "set",
        "dev",
        "e0",
        "arp",
        "on",
        "multicast",
        "on",
        "allmulticast",
        "off",
        "gso_max_size",
        "20000",
      );
      assert.deepEqual(ipJson(ns, "link", "show", "e0")[0].flags, ["BROADCAST", "MULTICAST", "M-DOWN"]);
      assert.equal(ipJson(ns, "-d", "link", "show", "e0")[0].gso_max_size, 20000);
      // Kinds this kernel lacks: the kernel's own refusal, as ip gets it (exit 1 here, 2 from ip).
      for (
        const words of [
          ["x0", "type", "bond", "mode", "802.3ad", "miimon", "100"],
          ["x0", "link", "e0", "type", "ipvlan", "mode", "l3", "private"],
          ["x0", "type", "wireguard"],
          ["x0", "type", "gre", "remote", "10.0.0.2", "local", "10.0.0.1", "key", "5"],
          ["x0", "link", "e0", "type", "vlan", "id", "5"],
          ["dev", "x0", "type", "dummy"],
        ]
      ) {
        const ours = nlkit(["-n", ns, "link", "add", ...words]);
        assert.equal(ours.code, 1, `${words.join(" ")}: ${ours.stderr}`);
        const theirs = run("sh", ["-c", `ip -n ${ns} link add ${words.join(" ")} 2>&1; echo $?`]);
        assert.equal(ours.stderr.replace(/\.?\n$/, ""), theirs.split("\n")[0].replace(/\.$/, ""), words.join(" "));
      }
      assert.ok(!ipJson(ns, "link", "show").some((l: { ifname: string }) => l.ifname === "x0"), "nothing created");
      // The kernel's refusals exit 1 (ip exits 2 for them).
      const r = nlkit(["-n", ns, "link", "add", "e2", "index", "78", "type", "veth"]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(run("sh", ["-c", `ip -n ${ns} link add e2 index 78 type veth 2>/dev/null; echo $?`]).trim(), "2");
    });
  },
);

test("link show group and type bridge_slave select as ip selects", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "br0", "type", "bridge");
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "add", "v2", "type", "veth", "peer", "name", "v3");
    ip(ns, "link", "set", "v1", "master", "br0");
    ip(ns, "link", "set", "v3", "master", "br0");
    ip(ns, "link", "set", "v0", "group", "5");
    ip(ns, "link", "set", "v3", "group", "5");
    // ip -j prints an empty object for each link a group or slave-kind filter drops, and so does nlkit;
    // ip prints timers as 0.00, so the JSON is compared as values.
    const sameGroup = (...args: string[]) => {
      const ours = ok(ns, ...args);
      const theirs = ip(ns, ...args);
      if (args[0] !== "-j") assert.equal(ours, theirs, args.join(" "));
      else assert.deepEqual(JSON.parse(ours), JSON.parse(theirs), args.join(" "));
      return ours;
    };
    for (const j of [[], ["-j"]]) {
      assert.equal(sameGroup(...j, "link", "show", "group", "5").match(/: v[03]@|"ifname":"v[03]"/g)?.length, 2);
      sameGroup(...j, "link", "show", "group", "default");
      sameGroup(...j, "link", "show", "group", "0");
      sameGroup(...j, "link", "show", "master", "br0", "group", "5");
      sameGroup(...j, "-d", "link", "show", "type", "bridge_slave");
      same(ns, ...j, "link", "show", "type", "bridge");
      same(ns, ...j, "link", "show", "type", "veth");
    }
    assert.deepEqual(
      JSON.parse(ok(ns, "-j", "link", "show", "type", "bridge_slave")).map((l: { ifname?: string }) => l.ifname)
        .filter(Boolean),
      ["v1", "v3"],
    );
    // No link in group 7: nothing, and in JSON an empty object per link, as ip prints.
    assert.equal(ok(ns, "link", "show", "group", "7"), ip(ns, "link", "show", "group", "7"));
    assert.equal(ok(ns, "-j", "link", "show", "group", "7"), ip(ns, "-j", "link", "show", "group", "7"));
  });
});

test("link set type bridge_slave: ip's IFLA_INFO_SLAVE_DATA request, the same port settings as ip", {
  skip: NEEDS_ROOT,
}, async () => {
  const words = ["cost", "9", "learning", "off", "hairpin", "on", "priority", "5", "mcast_flood", "off"];
  // The request: IFLA_LINKINFO { IFLA_INFO_SLAVE_KIND "bridge", IFLA_INFO_SLAVE_DATA { ... } }, as ip sends it.
  const req = parse(changeLinkRequest(7, { slave: { kind: "bridge", data: { cost: 9, learning: 0, mode: 1 } } }));
  assert.deepEqual(req.linkinfo, { slaveKind: "bridge", slaveData: { cost: 9, learning: 0, mode: 1 } });
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "br0", "type", "bridge");
    for (const [a, b] of [["v0", "v1"], ["v2", "v3"]]) {
      ip(ns, "link", "add", a, "type", "veth", "peer", "name", b);
      ip(ns, "link", "set", b, "master", "br0");
    }
    ok(ns, "link", "set", "v1", "type", "bridge_slave", ...words);
    ip(ns, "link", "set", "v3", "type", "bridge_slave", ...words);
    const port = (dev: string) => ipJson(ns, "-d", "link", "show", dev)[0].linkinfo.info_slave_data;
    const [ours, theirs] = [port("v1"), port("v3")];
    assert.deepEqual([ours.cost, ours.learning, ours.hairpin, ours.priority, ours.mcast_flood], [
      9,
      false,
      true,
      5,
      false,
    ]);
    for (const k of ["cost", "learning", "hairpin", "priority", "mcast_flood", "flood", "state"]) {
      assert.deepEqual(ours[k], theirs[k], k);
    }
    for (
      const [args, re] of [
        [["link", "set", "v1", "type", "bridge_slave"], /Nothing to change in "type bridge_slave"/],
        [["link", "set", "v1", "type", "bond_slave", "queue_id", "1"], /Unknown link set kind: "bond_slave"/],
        [["link", "set", "v1", "type", "bridge_slave", "cost", "x"], /Invalid cost: "x"/],
      ] as const
    ) fails(["-n", ns, ...args], 2, re);
  });
});

test("a peer in another named namespace prints as link-netns NAME, as ip prints it", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const other = uniqueName("nlkt-peer");
    run("ip", ["netns", "add", other]);
    try {
      ip(ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1", "netns", other);
      assert.match(same(ns, "link", "show", "p0"), new RegExp(`link-netns ${other}\n`));
      assert.match(same(other, "link", "show", "p1"), /link-netns /);
      same(ns, "-j", "link", "show");
      same(ns, "-d", "link", "show");
    } finally {
      run("ip", ["netns", "del", other]);
    }
  });
});

test("tuntap add, show and del as ip tuntap; -d link show of tun devices", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ok(ns, "tuntap", "add", "dev", "tp0", "mode", "tap", "user", "1000", "group", "100", "multi_queue", "vnet_hdr");
    ok(ns, "tuntap", "add", "mode", "tun", "pi");
    ok(ns, "tap", "add", "name", "tp1", "mode", "tap");
    assert.equal(
      same(ns, "tuntap", "show"),
      "tp0: tap multi_queue vnet_hdr persist user 1000 group 100\ntun0: tun pi persist filter\ntp1: tap persist\n",
    );
    // one_queue is accepted and sent, but the kernel does not report it over rtnetlink (ip reads sysfs).
    ok(ns, "tuntap", "add", "tp2", "mode", "tap", "one_queue");
    assert.match(ip(ns, "tuntap", "show"), /^tp2: tap one_queue persist$/m);
    assert.match(ok(ns, "tuntap", "show"), /^tp2: tap persist$/m);
    ok(ns, "tuntap", "del", "tp2", "mode", "tap");
    same(ns, "-j", "tuntap", "show");
    // -d: the processes attached to each device (none here), as ip finds them in /proc.
    assert.match(same(ns, "-d", "tuntap", "show"), /^tp0: .*\n\tAttached to processes:\n/);
    same(ns, "tuntap", "list");
    same(ns, "tuntap");
    for (const dev of ["tp0", "tun0", "tp1"]) {
      same(ns, "-d", "link", "show", dev);
      same(ns, "-j", "-d", "link", "show", dev);
    }
    if (have("python3")) {
      // A process holding tp1 (TUNSETIFF on its own descriptor) is listed by name and pid, as ip lists it.
      const py = "import fcntl,struct,os,sys,time\nfd=os.open('/dev/net/tun',os.O_RDWR)\n" +
        "fcntl.ioctl(fd,0x400454ca,struct.pack('16sH22x',b'tp1',0x1002))\nprint('ok',flush=True)\ntime.sleep(30)";
      const holder = spawn("ip", ["netns", "exec", ns, "python3", "-c", py]);
      try {
        await new Promise((r) => holder.stdout.once("data", r));
        const out = same(ns, "-d", "tuntap", "show");
        assert.match(out, new RegExp(`^tp1: tap persist\n\tAttached to processes:python3\\(${holder.pid}\\)$`, "m"));
        const j = JSON.parse(ok(ns, "-d", "-j", "tuntap", "show"));
        assert.deepEqual(j.find((d: { ifname: string }) => d.ifname === "tp1").processes, [{
          name: "python3",
          pid: holder.pid,
        }]);
      } finally {
        holder.kill();
      }
    }
    // A taken name is the kernel's EBUSY (exit 1, as ip).
    const busy = nlkit(["-n", ns, "tuntap", "add", "dev", "tp0", "mode", "tap"]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /TUNSETIFF.*busy/i);
    // Deleting with the wrong mode is refused, as the kernel refuses ip (exit 1).
    assert.equal(nlkit(["-n", ns, "tuntap", "del", "dev", "tp0", "mode", "tun"]).code, 1);
    ok(ns, "tuntap", "del", "dev", "tp0", "mode", "tap");
    ok(ns, "tuntap", "delete", "tun0", "mode", "tun");
    ok(ns, "tuntap", "del", "tp1", "mode", "tap");
    assert.equal(same(ns, "tuntap", "show"), "");
    assert.equal(ok(ns, "-j", "tuntap", "show"), "[]\n");
    // Not a tun/tap device: nothing is deleted.
    assert.equal(nlkit(["-n", ns, "tuntap", "del", "lo", "mode", "tun"]).code, 1);
    assert.equal(ipJson(ns, "link", "show", "lo").length, 1);
  });
});

test("maddr show matches ip maddr, text and -j, with dev and family filters", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ip(ns, "link", "set", "v1", "up");
    ip(ns, "maddr", "add", "33:33:00:00:00:09", "dev", "v0");
    const all = same(ns, "maddr", "show");
    assert.match(all, /224\.0\.0\.1/);
    assert.match(all, /33:33:00:00:00:09 static/);
    for (
      const args of [
        ["maddr"],
        ["maddr", "list"],
        ["-j", "maddr", "show"],
        ["maddr", "show", "dev", "v0"],
        ["-j", "maddr", "show", "v1"],
        ["-4", "maddr", "show"],
        ["-6", "maddr", "show"],
        ["-j", "-4", "maddr", "show", "dev", "v0"],
        ["maddr", "show", "dev", "nonexistent"],
      ]
    ) same(ns, ...args);
    // The dev filter selects: a table where ignoring it would list more.
    assert.ok(ok(ns, "maddr", "show", "dev", "v0").length < all.length);
  });
});

test("netns set, list-id, identify, pids and list with ids, as ip netns", { skip: NEEDS_ROOT }, async () => {
  const a = uniqueName("nlkt-a"), b = uniqueName("nlkt-b");
  run("ip", ["netns", "add", a]);
  run("ip", ["netns", "add", b]);
  try {
    ok(a, "netns", "set", b, "7");
    assert.equal(ip(a, "netns", "list-id"), `nsid 7 (iproute2 netns name: ${b})\n`);
    same(a, "netns", "list-id");
    same(a, "-j", "netns", "list-id");
    // Already has an id, or an id in use: the kernel's refusal, exit 1.
    assert.equal(nlkit(["-n", a, "netns", "set", b, "8"]).code, 1);
    ok(a, "netns", "set", a, "auto");
    same(a, "netns", "list-id");
    // One id, and the ids the namespace with id 7 has (each with its id here, current-nsid).
    same(a, "netns", "list-id", "nsid", "7");
    ip(b, "netns", "set", a, "4");
    for (const j of [[], ["-j"]]) same(a, ...j, "netns", "list-id", "target-nsid", "7");
    assert.match(ok(a, "netns", "list-id", "target-nsid", "7"), /^nsid 4 current-nsid \d+ \(iproute2 netns name: /m);
    // An id nobody has: the kernel's refusal (ip exits 2 for it, nlkit 1).
    assert.equal(nlkit(["-n", a, "netns", "list-id", "nsid", "99"]).code, 1);
    // Only this test's namespaces: others may come and go meanwhile on a shared host.
    const sorted = (s: string) =>
      s.trim().split("\n").filter((l) => l.startsWith(`${a} `) || l === a || l.startsWith(`${b} `)).sort().join("\n");
    const list = ok(a, "netns", "list");
    assert.equal(sorted(list), sorted(ip(a, "netns", "list")));
    assert.match(list, new RegExp(`^${b} \\(id: 7\\)$`, "m"));
    const jl = JSON.parse(ok(a, "-j", "netns", "list"));
    assert.deepEqual(jl.find((x: { name: string }) => x.name === b), { name: b, id: 7 });
    // identify: a process inside `a`, and the caller (in no named namespace: an empty line).
    const inside = run("ip", ["netns", "exec", a, "sh", "-c", `${CLI[0]} ${CLI[1].join(" ")} netns identify`]);
    assert.equal(inside, `${a}\n`);
    assert.equal(
      ok(a, "netns", "identify", String(process.pid)),
      run("ip", ["netns", "identify", String(process.pid)]),
    );
    const child = spawn("ip", ["netns", "exec", b, "sleep", "30"]);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const pids = ok(a, "netns", "pids", b);
      assert.equal(pids, run("ip", ["netns", "pids", b]));
      assert.ok(pids.split("\n").includes(String(child.pid)));
      assert.equal(ok(a, "netns", "identify", String(child.pid)), `${b}\n`);
    } finally {
      child.kill();
    }
    assert.equal(nlkit(["netns", "pids", "no-such-ns-x"]).code, 1);
    assert.equal(nlkit(["netns", "identify", "999999999"]).code, 1);
  } finally {
    run("ip", ["netns", "del", a]);
    run("ip", ["netns", "del", b]);
  }
});

/** The outputs (stdout and stderr) of the commands `act` was watched with (tests/_monitor.ts). */
async function watch(ns: string, cmds: [string, string[]][], act: () => void): Promise<string[]> {
  // ip's start-up looks up every /run/netns entry: one another test is deleting meanwhile makes it say this.
  const race = /^Error: Peer netns reference is invalid\.\n/gm;
  return (await watchAll(ns, cmds, act)).map((w) => w.out + w.err.replace(race, ""));
}

const me = (...args: string[]): [string, string[]] => [CLI[0], [...CLI[1], ...args]];

test("monitor prints what ip monitor prints: every object, netconf, label, no qlen", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const other = uniqueName("nlkt-other");
    run("ip", ["netns", "add", other]);
    try {
      const changes = () => {
        ip(ns, "netns", "set", other, "3");
        ip(ns, "link", "add", "m0", "type", "veth", "peer", "name", "m1");
        ip(ns, "addr", "add", "10.7.0.1/24", "dev", "m0");
        ip(ns, "link", "set", "m0", "up");
        ip(ns, "link", "set", "m1", "up");
        run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf.m0.forwarding=1"]);
        ip(ns, "route", "add", "10.9.0.0/16", "via", "10.7.0.2");
        ip(ns, "neigh", "add", "10.7.0.9", "lladdr", "02:00:00:00:00:09", "dev", "m0");
        ip(ns, "rule", "add", "from", "10.1.0.0/16", "table", "7");
        ip(ns, "link", "del", "m0");
      };
      const [theirs, ours, theirsL, oursL] = await watch(ns, [
        ["ip", ["-n", ns, "monitor"]],
        me("-n", ns, "monitor"),
        ["ip", ["-n", ns, "monitor", "label", "link", "netconf"]],
        me("-n", ns, "monitor", "label", "link", "netconf"),
      ], changes);
      assert.equal(ours, theirs);
      assert.match(ours, /^inet m0 forwarding on /m);
      assert.doesNotMatch(ours, /qlen/);
      assert.equal(oursL, theirsL);
      assert.match(oursL, /^\[NETCONF\]inet6 m1 /m);
      assert.match(ours, new RegExp(`^nsid 3 \\(iproute2 netns name: ${other}\\)$`, "m"));
    } finally {
      run("ip", ["netns", "del", other]);
    }
  });
});

test("monitor -t and -ts stamp each event as ip does", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const [long, short] = await watch(
      ns,
      [me("-t", "-n", ns, "monitor", "link"), me("-ts", "-n", ns, "monitor", "link")],
      () => {
        ip(ns, "link", "add", "m0", "type", "veth", "peer", "name", "m1");
      },
    );
    const ts = String.raw`\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \d+ usec`;
    assert.match(long, new RegExp(`^Timestamp: ${ts}\n\\d+: m1@NONE: `, "m"));
    assert.match(short, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\] \d+: m1@NONE: /m);
  });
});

test("monitor dev NAME keeps what ip monitor dev keeps", { skip: NEEDS_ROOT }, async () => {
  // A loaded machine can start a listener after the first change: try again in a fresh namespace, up to 3 times.
  for (let attempt = 1;; attempt++) {
    try {
      await monitorDevOnce();
      return;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
});

async function monitorDevOnce(): Promise<void> {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "m0", "type", "veth", "peer", "name", "m1");
    const changes = () => {
      for (const [dev, net] of [["m0", "7"], ["m1", "8"]]) {
        ip(ns, "addr", "add", `10.${net}.0.1/24`, "dev", dev);
        ip(ns, "link", "set", dev, "up");
        ip(ns, "route", "add", `10.${net}9.0.0/16`, "via", `10.${net}.0.2`);
        ip(ns, "neigh", "add", `10.${net}.0.9`, "lladdr", "02:00:00:00:00:09", "dev", dev);
        run("ip", ["netns", "exec", ns, "sysctl", "-qw", `net.ipv4.conf.${dev}.forwarding=1`]);
      }
      ip(ns, "rule", "add", "from", "10.1.0.0/16", "table", "7");
    };
    const [theirs, ours, all] = await watch(ns, [
      ["ip", ["-n", ns, "monitor", "label", "dev", "m0"]],
      me("-n", ns, "monitor", "label", "dev", "m0"),
      me("-n", ns, "monitor", "label"),
    ], changes);
    assert.equal(ours, theirs);
    assert.match(ours, /^\[ADDR\]\d+: m0 +inet 10\.7\.0\.1\/24/m);
    assert.match(ours, /\[RULE\]\d+:/, "rules are not filtered by device");
    assert.doesNotMatch(ours, /\d: m1@|10\.8\./);
    // ip prints the banner of each event it then filters out: they run together before the next line.
    assert.match(ours, /\[ADDR\]\[ROUTE\]/);
    assert.match(all, /10\.8\.0\.1/, "without dev the other link's events are there");
    const bad = nlkit(["-n", ns, "monitor", "dev", "nosuch"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim(), 'Error: argument "nosuch" is wrong: Device does not exist');
    assert.equal(nlkit(["-n", ns, "monitor", "tc", "dev", "m0"]).code, 2);
  });
}

test("monitor file reads an rtmon dump as ip monitor file does", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const file = join(mkdtempSync(join(tmpdir(), "nlkit-rtmon-")), "rtmon.log");
    await watch(ns, [["ip", ["netns", "exec", ns, "rtmon", "file", file]]], () => {
      ip(ns, "link", "add", "m0", "type", "veth", "peer", "name", "m1");
      ip(ns, "addr", "add", "10.7.0.1/24", "dev", "m0");
      ip(ns, "link", "set", "m0", "up");
      ip(ns, "link", "del", "m0");
    });
    // ip looks indexes the dump has not named yet up in the namespace it runs in: here they are gone, as
    // nlkit assumes (it names links from the dump only).
    for (
      const args of [["monitor", "file", file], ["monitor", "label", "file", file], ["monitor", "link", "file", file]]
    ) {
      const r = nlkit(args);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, ip(ns, ...args), args.join(" "));
    }
    assert.match(nlkit(["monitor", "file", file]).stdout, /^Timestamp: .* us\n/);
    const j = nlkit(["-j", "monitor", "file", file]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(j.some((e) => e.event === "del" && e.object === "link" && e.ifname === "m0"));
    assert.ok(j.some((e) => e.event === "timestamp" && e.sec > 0));
    assert.equal(nlkit(["monitor", "file", join(tmpdir(), "no-such-rtmon-file")]).code, 1);
  });
});
