/**
 * The `nlkit` CLI, run as a subprocess (`deno run -A cli.ts` under Deno,
 * `bun cli.ts` under Bun) in fresh namespaces and checked against `ip` and
 * `conntrack`.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "../src/errors.ts";
import fc from "fast-check";
import { CLI, followWhile, nlkit, ok, type Result, ROOT } from "./_cli.ts";
import { have, ip, ipJson, NEEDS_ROOT, run, uniqueName, withTempNetns } from "./_helpers.ts";
import { assertSameJsonAsIp, assertSameTextAsIp, populate, SHOWS } from "./_cli_fixtures.ts";
import { UsageError } from "../src/cli/args.ts";
import { parseBatch, splitWords } from "../src/cli/batch.ts";
import { CtOptionConflict } from "../src/cli/ct_arg_types.ts";
import { parseCtArgs } from "../src/cli/ct_args.ts";
import { labelBitsOf, parseConnlabel } from "../src/cli/ct_labels.ts";
import { parseGlobal } from "../src/cli/global.ts";
import { editDistance, suggest } from "../src/cli/suggest.ts";
import { NFNLGRP_CONNTRACK } from "../src/netfilter/conntrack/ctnetlink.ts";
import { NetlinkSocket } from "../src/socket/socket.ts";
import { NETLINK_NETFILTER } from "../src/wire/constants.ts";
import { AF_INET6 } from "../src/wire/addr.ts";

/** The escape that starts a colour sequence. */
const ESC = new RegExp(String.fromCharCode(27) + "\\[");
const NO_CT = have("conntrack") ? false : "conntrack (conntrack-tools) is not installed";

test("suggestions use edit distance with swaps", () => {
  assert.equal(editDistance("shwo", "show"), 1);
  assert.equal(editDistance("lnk", "link"), 1);
  assert.equal(suggest("rotue", ["route", "rule", "link"]), "route");
  assert.equal(suggest("zzzzzz", ["route", "rule", "link"]), undefined);
});

test("batch lines split like iproute2's batch reader", () => {
  assert.deepEqual(splitWords(`link set dev "my dev" alias 'a b' # comment`), [
    "link",
    "set",
    "dev",
    "my dev",
    "alias",
    "a b",
  ]);
  assert.deepEqual(parseBatch("# only a comment\n\nlink show \\\n  dev lo\nroute show\n"), [
    { line: 3, words: ["link", "show", "dev", "lo"] },
    { line: 5, words: ["route", "show"] },
  ]);
  assert.throws(() => splitWords(`link set "open`), UsageError);
});

test("global options stop at the object", () => {
  const { opts, rest } = parseGlobal(["-j", "-p", "-s", "-s", "-n", "lab", "-6", "route", "show", "-4"]);
  assert.deepEqual([opts.json, opts.pretty, opts.stats, opts.netns, opts.family], [true, true, 2, "lab", AF_INET6]);
  assert.deepEqual(rest, ["route", "show", "-4"]);
  assert.throws(() => parseGlobal(["-n"]), /Missing namespace name after "-n"/);
});

test("ct arguments parse with conntrack's meanings", () => {
  const a = parseCtArgs([
    "-L",
    "-p",
    "tcp",
    "-s",
    "10.0.0.1",
    "--dport=80",
    "-m",
    "0x10/0xff",
    "-u",
    "assured,seen_reply",
    "-o",
    "extended,id",
  ]);
  assert.deepEqual(
    [a.command, a.proto, a.origSrc, a.dport, a.mark, a.status, a.output],
    ["list", "tcp", "10.0.0.1", 80, { value: 16, mask: 255 }, ["ASSURED", "SEEN_REPLY"], ["extended", "id"]],
  );
  assert.equal(parseCtArgs(["-L", "expect"]).table, "expect");
  assert.equal(parseCtArgs(["--expect", "-F"]).table, "expect");
  assert.equal(parseCtArgs(["delete", "-p", "udp"]).command, "delete");
  assert.deepEqual(parseCtArgs(["-E", "-e", "NEW,DESTROY"]).eventMask, ["NEW", "DESTROY"]);
  assert.throws(() => parseCtArgs(["-L", "-D"]), UsageError);
  assert.throws(() => parseCtArgs(["-L", "-u", "ASURED"]), /Bad parameter `ASURED'.*"ASSURED"/);
  assert.throws(() => parseCtArgs(["-s", "1.2.3.4"]), /Missing command/);
});

test("ct expectation options parse, and -U expect is refused", () => {
  const a = parseCtArgs([
    ...["-I", "expect", "-p", "tcp", "--master-src", "10.0.0.1", "--master-dst", "10.0.0.2", "--master-port-src", "1"],
    ...["--master-port-dst", "21", "--tuple-src", "10.0.0.2", "--tuple-dst", "10.0.0.1", "--tuple-port-src", "0"],
    ...["--tuple-port-dst", "5000", "--mask-port-src", "0", "--mask-port-dst", "65535", "--helper", "ftp", "-t", "9"],
  ]);
  assert.deepEqual(
    [a.command, a.table, a.masterSport, a.masterDport, a.tupleSport, a.tupleDport, a.maskSport, a.maskDport, a.helper],
    ["create", "expect", 1, 21, 0, 5000, 0, 65535, "ftp"],
  );
  assert.throws(() => parseCtArgs(["-I", "expect", "--tuple-port-dst", "5"]), /unknown option `--tuple-port-dst'/);
  assert.throws(() => parseCtArgs(["-I", "expect", "-p", "tcp", "--tuple-port-dst", "70000"]), /"70000"/);
  assert.throws(
    () => parseCtArgs(["-U", "expect", "-p", "tcp"]),
    (e) => e instanceof UsageError && /update/.test(e.message),
  );
});

test("connlabel.conf names resolve to label bits", () => {
  const names = parseConnlabel("# labels\n0 eth0-in\n1\teth1-in # trailing\nbad line\n200 too-big\n");
  assert.deepEqual([...names], [[0, "eth0-in"], [1, "eth1-in"]]);
  assert.deepEqual(labelBitsOf(["eth1-in", "5"], names), [1, 5]);
  assert.throws(() => labelBitsOf(["nope"], names), InvalidArgumentError);
});

test("argument parsers throw only usage errors on random input", () => {
  const word = fc.oneof(
    fc.constantFrom(
      "-L",
      "-D",
      "-I",
      "-p",
      "-s",
      "--dport",
      "-m",
      "-u",
      "-o",
      "-e",
      "expect",
      "tcp",
      "1",
      "-",
      "--",
      "=",
      "-j",
      "-n",
    ),
    fc.string({ maxLength: 8 }),
  );
  // CtOptionConflict is conntrack's "other problem" refusal (exit 1), still a typed error of ours.
  const typed = (e: unknown) => e instanceof UsageError || e instanceof CtOptionConflict;
  fc.assert(
    fc.property(fc.array(word, { maxLength: 12 }), (words) => {
      for (const parse of [parseCtArgs, parseGlobal, (w: string[]) => splitWords(w.join(" "))]) {
        try {
          parse(words);
        } catch (e) {
          if (!typed(e)) throw e;
        }
      }
    }),
    { numRuns: 5000 },
  );
});

test("--version prints the version from deno.json", () => {
  const version = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).version;
  const r = nlkit(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), `nlkit ${version}`);
});

test("--help works at every level", () => {
  for (const args of [["--help"], ["link", "--help"], ["route", "help"], ["ct", "--help"], ["addr", "add", "--help"]]) {
    const r = nlkit(args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.stdout, /^Usage: nlkit/, args.join(" "));
  }
});

test("ct with no arguments prints its usage and exits 0, as conntrack does; with options but no command it exits 2", () => {
  const bare = nlkit(["ct"]);
  assert.equal(bare.code, 0);
  assert.match(bare.stdout, /^Usage: nlkit ct/);
  const noCommand = nlkit(["ct", "-p", "tcp"]);
  assert.equal(noCommand.code, 2);
  assert.match(noCommand.stderr, /Missing command/);
});

test("bad words exit 2 and name the word, with a suggestion", () => {
  const cases: [string[], RegExp][] = [
    [["lnk", "show"], /"lnk".*"link"/],
    [["link", "shwo"], /"shwo".*"show"/],
    [["route", "add", "10.0.0.0/8", "viaa", "10.0.0.1"], /"viaa".*"via"/],
    [["link", "set", "dev", "lo", "mtu", "abc"], /"abc"/],
    [["-x", "link"], /"-x"/],
    [["link", "add", "x", "type", "vethh"], /"vethh".*"veth"/],
    [["route", "add"], /"dst"/],
    [["monitor", "lnk"], /"lnk".*"link"/],
  ];
  for (const [args, re] of cases) {
    const r = nlkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
  }
});

test("ct bad parameters exit 2 with conntrack's wording", () => {
  for (
    const args of [["ct", "-L", "--bogus"], ["ct", "-L", "-p", "tcp", "--dport", "abc"], ["ct", "lst"], [
      "ct",
      "-L",
      "--sport",
      "1",
    ]]
  ) {
    const r = nlkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^nlkit v[\d.]+ \(conntrack\): /, args.join(" "));
  }
});

test("show commands print what ip prints, text and JSON", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    for (const args of SHOWS) {
      assertSameTextAsIp(ns, args, () => ok(ns, ...args));
      assertSameJsonAsIp(ns, args, () => JSON.parse(ok(ns, "-j", ...args)));
    }
  });
});

test("-p pretty-prints the same JSON", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const flat = JSON.parse(ok(ns, "-j", "link", "show"));
    const out = ok(ns, "-j", "-p", "link", "show");
    assert.ok(out.split("\n").length > flat.length + 2, "indented over several lines");
    assert.deepEqual(JSON.parse(out), flat);
  });
});

test("link add, set and del, verified with ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const other = uniqueName("nlkt-peer");
    run("ip", ["netns", "add", other]);
    try {
      ok(ns, "link", "add", "a0", "type", "veth", "peer", "name", "a1", "netns", other);
      assert.equal(ipJson(ns, "link", "show", "a0")[0].ifname, "a0");
      assert.equal(ipJson(other, "link", "show", "a1")[0].ifname, "a1");
      ok(ns, "link", "add", "br0", "type", "bridge");
      assert.equal(ipJson(ns, "-d", "link", "show", "br0")[0].linkinfo.info_kind, "bridge");
      ok(ns, "link", "add", "mv0", "link", "a0", "type", "macvlan", "mode", "bridge");
      const mv = ipJson(ns, "-d", "link", "show", "mv0")[0];
      assert.equal(mv.linkinfo.info_kind, "macvlan");
      assert.equal(mv.linkinfo.info_data.mode, "bridge");
      ok(
        ns,
        "link",
        "add",
        "vx0",
        "type",
        "vxlan",
        "id",
        "42",
        "local",
        "10.0.0.1",
        "remote",
        "10.0.0.2",
        "dstport",
        "4789",
      );
      const vx = ipJson(ns, "-d", "link", "show", "vx0")[0].linkinfo.info_data;
      assert.equal(vx.id, 42);
      assert.equal(vx.local, "10.0.0.1");
      assert.equal(vx.remote, "10.0.0.2");
      assert.equal(vx.port, 4789);
      // A macvlan upper makes a0 unfit for a bridge (EBUSY), so it goes first.
      ok(ns, "link", "del", "vx0");
      ok(ns, "link", "delete", "dev", "mv0");
      ok(ns, "link", "set", "a0", "up", "mtu", "1400", "alias", "wan", "master", "br0", "address", "02:00:00:00:00:a0");
      let a0 = ipJson(ns, "link", "show", "a0")[0];
      assert.ok(a0.flags.includes("UP"));
      assert.equal(a0.mtu, 1400);
      assert.equal(a0.ifalias, "wan");
      assert.equal(a0.master, "br0");
      assert.equal(a0.address, "02:00:00:00:00:a0");
      ok(ns, "link", "set", "dev", "a0", "down", "nomaster");
      ok(ns, "link", "set", "a0", "name", "wan0");
      a0 = ipJson(ns, "link", "show", "wan0")[0];
      assert.ok(!a0.flags.includes("UP"));
      assert.equal(a0.master, undefined);
      ok(ns, "link", "set", "wan0", "netns", other);
      assert.equal(ipJson(other, "link", "show", "wan0")[0].ifname, "wan0");
      const names = ipJson(ns, "link", "show").map((l: { ifname: string }) => l.ifname);
      assert.deepEqual(names.sort(), ["br0", "lo"]);
      const r = nlkit(["-n", ns, "link", "add", "br0", "type", "bridge"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /File exists|Error: /);
    } finally {
      run("ip", ["netns", "del", other]);
    }
  });
});

test("link show filters by type and up", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    const bridges = JSON.parse(ok(ns, "-j", "link", "show", "type", "bridge"));
    assert.deepEqual(bridges.map((l: { ifname: string }) => l.ifname), ["br0"]);
    // ip 6.1 prints `{}` for each link the `up` filter leaves out; so does nlkit.
    const up = JSON.parse(ok(ns, "-j", "link", "show", "up")).map((l: { ifname?: string }) => l.ifname ?? "{}");
    assert.deepEqual(up, ipJson(ns, "link", "show", "up").map((l: { ifname?: string }) => l.ifname ?? "{}"));
    assert.deepEqual(up.filter((n: string) => n !== "{}").sort(), ["lo", "v0"]);
  });
});

test("addr add, replace, del and flush, verified with ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ok(ns, "addr", "add", "10.5.0.1/24", "dev", "v0", "label", "v0:web", "broadcast", "+");
    ok(ns, "address", "add", "2001:db8::5/64", "dev", "v0", "nodad");
    ok(ns, "a", "replace", "10.5.0.1/24", "dev", "v0", "valid_lft", "300", "preferred_lft", "200");
    const info = ipJson(ns, "addr", "show", "dev", "v0")[0].addr_info;
    const v4 = info.find((a: { local: string }) => a.local === "10.5.0.1");
    assert.equal(v4.label, "v0:web");
    assert.equal(v4.broadcast, "10.5.0.255");
    assert.ok(v4.valid_life_time <= 300 && v4.valid_life_time > 250);
    assert.ok(info.some((a: { local: string }) => a.local === "2001:db8::5"));
    ok(ns, "addr", "del", "2001:db8::5/64", "dev", "v0");
    assert.ok(
      !ipJson(ns, "addr", "show", "dev", "v0")[0].addr_info.some((a: { local: string }) => a.local === "2001:db8::5"),
    );
    ok(ns, "addr", "add", "10.6.0.1/24", "dev", "v0");
    ok(ns, "-4", "addr", "flush", "dev", "v0");
    assert.ok(
      !ipJson(ns, "addr", "show", "dev", "v0")[0].addr_info.some((a: { family: string }) => a.family === "inet"),
    );
  });
});

test("route add, replace, append and del with multipath, verified with ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ip(ns, "link", "set", "v1", "up");
    ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
    ip(ns, "addr", "add", "10.1.1.1/24", "dev", "v1");
    ok(
      ns,
      "route",
      "add",
      "10.20.0.0/16",
      "via",
      "10.1.0.2",
      "dev",
      "v0",
      "metric",
      "5",
      "proto",
      "static",
      "src",
      "10.1.0.1",
    );
    let r = ipJson(ns, "route", "show", "10.20.0.0/16")[0];
    assert.equal(r.gateway, "10.1.0.2");
    assert.equal(r.metric, 5);
    assert.equal(r.protocol, "static");
    assert.equal(r.prefsrc, "10.1.0.1");
    ok(ns, "route", "replace", "10.20.0.0/16", "via", "10.1.1.2", "metric", "5", "proto", "static");
    r = ipJson(ns, "route", "show", "10.20.0.0/16")[0];
    assert.equal(r.gateway, "10.1.1.2");
    ok(
      ns,
      "route",
      "add",
      "10.30.0.0/16",
      "nexthop",
      "via",
      "10.1.0.2",
      "dev",
      "v0",
      "weight",
      "3",
      "nexthop",
      "via",
      "10.1.1.2",
      "dev",
      "v1",
    );
    r = ipJson(ns, "route", "show", "10.30.0.0/16")[0];
    assert.deepEqual(r.nexthops.map((n: { gateway: string; weight: number }) => [n.gateway, n.weight]), [[
      "10.1.0.2",
      3,
    ], ["10.1.1.2", 1]]);
    ok(ns, "route", "add", "unreachable", "10.40.0.0/16", "table", "7");
    assert.equal(ipJson(ns, "route", "show", "table", "7")[0].type, "unreachable");
    ok(ns, "route", "add", "10.50.0.0/24", "via", "10.99.0.1", "dev", "v0", "onlink", "mtu", "1300", "scope", "global");
    r = ipJson(ns, "route", "show", "10.50.0.0/24")[0];
    assert.ok(r.flags.includes("onlink"));
    assert.equal(r.metrics[0].mtu, 1300);
    ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
    ok(ns, "-6", "route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "metric", "1024");
    ok(ns, "-6", "route", "append", "2001:db8:5::/48", "via", "2001:db8::3", "metric", "1024");
    assert.equal(ok(ns, "-6", "route", "show", "2001:db8:5::/48"), ip(ns, "-6", "route", "show", "2001:db8:5::/48"));
    assert.equal(ipJson(ns, "-6", "route", "show", "2001:db8:5::/48")[0].nexthops.length, 2);
    const got = JSON.parse(ok(ns, "-j", "route", "get", "10.20.3.4"))[0];
    assert.equal(got.gateway, "10.1.1.2");
    ok(ns, "route", "del", "10.20.0.0/16");
    ok(ns, "r", "delete", "10.30.0.0/16");
    assert.equal(ip(ns, "route", "show", "10.20.0.0/16"), "");
    assert.equal(ip(ns, "route", "show", "10.30.0.0/16"), "");
    const bad = nlkit(["-n", ns, "route", "add", "10.60.0.0/24", "via", "192.0.2.1"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: |RTNETLINK answers: /);
  });
});

test("neigh add, replace, del and flush, verified with ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ok(ns, "neigh", "add", "10.1.0.5", "lladdr", "02:00:00:00:00:05", "dev", "v0");
    ok(ns, "neighbour", "add", "10.1.0.6", "lladdr", "02:00:00:00:00:06", "dev", "v0", "nud", "stale");
    let n = ipJson(ns, "neigh", "show", "dev", "v0");
    assert.deepEqual(n.map((x: { dst: string; state: string[] }) => [x.dst, x.state[0]]).sort(), [
      ["10.1.0.5", "PERMANENT"],
      ["10.1.0.6", "STALE"],
    ]);
    ok(ns, "neigh", "replace", "10.1.0.5", "lladdr", "02:00:00:00:00:55", "dev", "v0");
    n = ipJson(ns, "neigh", "show", "10.1.0.5", "dev", "v0");
    assert.equal(n[0].lladdr, "02:00:00:00:00:55");
    ok(ns, "neigh", "del", "10.1.0.5", "dev", "v0");
    ok(ns, "neigh", "flush", "dev", "v0");
    assert.deepEqual(ipJson(ns, "neigh", "show", "dev", "v0"), []);
  });
});

test("rule add and del, verified with ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ok(ns, "rule", "add", "from", "10.8.0.0/16", "table", "100", "priority", "1000");
    ok(ns, "ru", "add", "not", "to", "192.168.0.0/16", "fwmark", "0x5/0xf", "type", "blackhole", "pref", "1001");
    const rules = ipJson(ns, "rule", "show");
    const r1 = rules.find((r: { priority: number }) => r.priority === 1000);
    assert.equal(r1.src, "10.8.0.0");
    assert.equal(r1.srclen, 16);
    assert.equal(r1.table, "100");
    const r2 = rules.find((r: { priority: number }) => r.priority === 1001);
    assert.equal(r2.action, "blackhole");
    assert.equal(r2.not, null);
    ok(ns, "rule", "del", "priority", "1000");
    ok(ns, "rule", "del", "priority", "1001");
    assert.ok(!ipJson(ns, "rule", "show").some((r: { priority: number }) => r.priority >= 1000 && r.priority <= 1001));
  });
});

test("ct -L agrees with conntrack -L line for line", { skip: NEEDS_ROOT || NO_CT }, async () => {
  await withTempNetns((ns) => {
    const ct = (...args: string[]) => run("ip", ["netns", "exec", ns, "conntrack", ...args]);
    ct(
      "-I",
      "-p",
      "tcp",
      "-s",
      "10.0.0.1",
      "-d",
      "10.0.0.2",
      "--sport",
      "1000",
      "--dport",
      "80",
      "--state",
      "ESTABLISHED",
      "-t",
      "100",
      "-u",
      "ASSURED",
      "-m",
      "5",
    );
    ct("-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.3", "--sport", "53", "--dport", "53", "-t", "50");
    ok(
      ns,
      "ct",
      "-I",
      "-p",
      "icmp",
      "-s",
      "10.0.0.1",
      "-d",
      "10.0.0.4",
      "--icmp-type",
      "8",
      "--icmp-code",
      "0",
      "--icmp-id",
      "7",
      "-t",
      "30",
    );
    ok(
      ns,
      "ct",
      "create",
      "-p",
      "tcp",
      "-s",
      "2001:db8::1",
      "-d",
      "2001:db8::2",
      "--sport",
      "5",
      "--dport",
      "443",
      "--state",
      "SYN_SENT",
      "-t",
      "60",
    );
    const norm = (s: string) => s.trim().split("\n").map((l) => l.replace(/ use=\d+/, "")).sort();
    // Timeouts tick between the two runs: compare with the timeout column blanked.
    const noTimeout = (lines: string[]) =>
      lines.map((l) => l.replace(/^((?:ipv[46]\s+\d+\s+)?\S+\s+\d+) \d+ /, "$1 T "));
    const ours = nlkit(["-n", ns, "ct", "-L"]);
    assert.equal(ours.code, 0);
    assert.deepEqual(noTimeout(norm(ours.stdout)), noTimeout(norm(ct("-L"))));
    assert.match(ours.stderr, /: 4 flow entries have been shown\.\n$/);
    assert.deepEqual(
      noTimeout(norm(ok(ns, "ct", "-L", "-p", "tcp", "-o", "extended"))),
      noTimeout(norm(ct("-L", "-p", "tcp", "-o", "extended"))),
    );
    assert.deepEqual(noTimeout(norm(ok(ns, "ct", "list", "-f", "ipv6"))), noTimeout(norm(ct("-L", "-f", "ipv6"))));
    assert.deepEqual(noTimeout(norm(ok(ns, "ct", "-L", "-m", "5"))), noTimeout(norm(ct("-L", "-m", "5"))));
    assert.equal(ok(ns, "ct", "-C").trim(), "4");

    const json = JSON.parse(ok(ns, "-j", "ct", "-L", "-p", "tcp", "--dport", "80"));
    assert.equal(json.length, 1);
    assert.deepEqual([json[0].proto, json[0].orig.sport, json[0].reply.dport, json[0].mark, json[0].state], [
      "tcp",
      1000,
      1000,
      5,
      "ESTABLISHED",
    ]);
    assert.match(
      ok(ns, "ct", "-G", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.3", "--sport", "53", "--dport", "53"),
      /dport=53/,
    );
    const missing = nlkit([
      "-n",
      ns,
      "ct",
      "-G",
      "-p",
      "udp",
      "-s",
      "10.0.0.1",
      "-d",
      "10.0.0.3",
      "--sport",
      "54",
      "--dport",
      "53",
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /such conntrack doesn't exist/);

    ok(ns, "ct", "-U", "-p", "tcp", "-d", "10.0.0.2", "-m", "9");
    assert.match(ct("-L", "-p", "tcp", "-d", "10.0.0.2"), /mark=9/);
    const del = nlkit(["-n", ns, "ct", "-D", "-p", "udp"]);
    assert.equal(del.code, 0);
    assert.match(del.stderr, /1 flow entries have been deleted\./);
    assert.equal(nlkit(["-n", ns, "ct", "delete", "-p", "udp"]).code, 1, "nothing left to delete");
    assert.doesNotMatch(ct("-L"), /udp/);
    ok(ns, "ct", "-F");
    assert.equal(ct("-L").trim(), "");
    const exp = nlkit(["-n", ns, "ct", "-L", "expect"]);
    assert.equal(exp.code, 0);
    assert.match(exp.stderr, /0 expectations have been shown/);
  });
});

test("monitor -j prints NDJSON events with an event field", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const r = await followWhile(["-n", ns, "-j", "monitor", "link", "addr"], () => {
      ip(ns, "link", "add", "m0", "type", "veth", "peer", "name", "m1");
      ip(ns, "addr", "add", "10.7.0.1/24", "dev", "m0");
      ip(ns, "link", "del", "m0");
    });
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(events.some((e) => e.event === "new" && e.object === "link" && e.ifname === "m0"));
    assert.ok(events.some((e) => e.event === "new" && e.object === "addr" && e.addr_info[0].local === "10.7.0.1"));
    assert.ok(events.some((e) => e.event === "del" && e.object === "link" && e.ifname === "m0"));
  });
});

test("ct -E -j prints NDJSON events", { skip: NEEDS_ROOT || NO_CT }, async () => {
  await withTempNetns(async (ns) => {
    const ct = (...args: string[]) => run("ip", ["netns", "exec", ns, "conntrack", ...args]);
    const r = await followWhile(["-n", ns, "-j", "ct", "-E", "-e", "NEW,DESTROY"], () => {
      ct("-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "30");
      ct("-D", "-p", "udp");
    });
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => [e.event, e.proto, e.orig.dport]), [["new", "udp", 2], ["destroy", "udp", 2]]);
    assert.match(r.stderr, /2 flow events have been shown/);
  });
});

test("batch runs many commands and stops at the first failure unless -force", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const dir = mkdtempSync(join(tmpdir(), "nlkit-batch-"));
    const file = join(dir, "cmds");
    writeFileSync(file, "# set up\nlink add b0 type veth peer name b1\nlink set b0 up\nlink bogus\nlink set b1 up\n");
    const r = nlkit(["-n", ns, "-b", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"bogus"[\s\S]*Command failed .*:4/);
    assert.ok(ipJson(ns, "link", "show", "b0")[0].flags.includes("UP"));
    assert.ok(!ipJson(ns, "link", "show", "b1")[0].flags.includes("UP"), "stopped before line 5");
    const f = nlkit(["-n", ns, "-force", "-b", file]);
    assert.notEqual(f.code, 0);
    assert.ok(ipJson(ns, "link", "show", "b1")[0].flags.includes("UP"), "-force went on");
  });
});

test("netns add, list, exec and del are visible to ip netns", { skip: NEEDS_ROOT }, () => {
  const name = uniqueName("nlkt-cli");
  assert.equal(nlkit(["netns", "add", name]).code, 0);
  try {
    assert.ok(run("ip", ["netns", "list"]).includes(name));
    assert.ok(nlkit(["netns", "list"]).stdout.split("\n").includes(name));
    const r = nlkit(["netns", "exec", name, "ip", "-j", "link", "show"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).map((l: { ifname: string }) => l.ifname), ["lo"]);
    assert.equal(nlkit(["netns", "exec", name, "sh", "-c", "exit 3"]).code, 3);
  } finally {
    assert.equal(nlkit(["netns", "del", name]).code, 0);
  }
  assert.ok(!run("ip", ["netns", "list"]).includes(name));
});

test("colour only when asked or on a terminal, never with NO_COLOR in auto mode", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const plain = nlkit(["-n", ns, "link", "show"]);
    assert.doesNotMatch(plain.stdout, ESC);
    const forced = nlkit(["-n", ns, "-c", "link", "show"]);
    // ip colours the name with its separator ("%s: ").
    assert.match(forced.stdout, new RegExp(`${ESC.source}36mlo: ${ESC.source}0m`));
    const never = nlkit(["-n", ns, "--color=never", "link", "show"], { NO_COLOR: "1" });
    assert.doesNotMatch(never.stdout, ESC);
  });
});

test("route show streams a large table and matches ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    const lines = Array.from({ length: 5000 }, (_, i) => `route add 10.${100 + (i >> 8)}.${i & 255}.0/24 dev v0`);
    run("ip", ["-n", ns, "-b", "-"], lines.join("\n") + "\n");
    const ours = ok(ns, "route", "show");
    assert.equal(ours, ip(ns, "route", "show"));
    const json = JSON.parse(ok(ns, "-j", "route", "show"));
    assert.equal(json.length, 5000);
  });
});

/** True when this kernel can create `kind` links (modules such as 8021q may be missing). */
function canCreate(kind: string, ...args: string[]): boolean {
  return withTempNetnsSync((ns) => {
    try {
      ip(ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
      ip(ns, "link", "add", "probe", "link", "p0", "type", kind, ...args);
      return true;
    } catch {
      return false;
    }
  });
}

function withTempNetnsSync<T>(fn: (ns: string) => T): T {
  const ns = uniqueName("nlkt-probe");
  run("ip", ["netns", "add", ns]);
  try {
    return fn(ns);
  } finally {
    run("ip", ["netns", "del", ns]);
  }
}

const NO_VLAN = NEEDS_ROOT || (canCreate("vlan", "id", "5") ? false : "this kernel cannot create VLAN links (8021q)");

test("link add vlan, verified with ip", { skip: NO_VLAN }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ok(ns, "link", "add", "v0.7", "link", "v0", "type", "vlan", "id", "7", "protocol", "802.1ad");
    const data = ipJson(ns, "-d", "link", "show", "v0.7")[0].linkinfo.info_data;
    assert.equal(data.id, 7);
    assert.equal(data.protocol, "802.1ad");
  });
});

test("a reader that stops early is not an error", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    run(
      "ip",
      ["-n", ns, "-b", "-"],
      Array.from({ length: 3000 }, (_, i) => `route add 10.9.${i >> 8}.${i & 255}/32 dev v0\n`).join(""),
    );
    const cmd = [CLI[0], ...CLI[1], "-n", ns, "route", "show"].map((w) => `'${w}'`).join(" ");
    const r = spawnSync("bash", ["-c", `set -o pipefail; ${cmd} | head -n 1`], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.stdout.split("\n").length, 2);
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
  });
});

/** Runs `ip -n NS ARGS...` and returns its exit code and stderr, without throwing. */
function ipRaw(ns: string, args: string[]): { code: number; stderr: string } {
  const r = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stderr: r.stderr };
}

test("a missing device fails like ip: exit 1 and ip's words", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const cases = [
      ["link", "show", "dev", "nope"],
      ["link", "show", "nope"],
      ["link", "set", "dev", "nope", "up"],
      ["link", "set", "nope", "mtu", "1400"],
      ["link", "del", "nope"],
      ["addr", "show", "dev", "nope"],
      ["addr", "add", "10.0.0.1/24", "dev", "nope"],
      ["addr", "flush", "dev", "nope"],
      ["route", "show", "dev", "nope"],
      ["route", "add", "10.0.0.0/24", "dev", "nope"],
      ["route", "flush", "dev", "nope"],
      ["neigh", "show", "dev", "nope"],
      ["neigh", "add", "10.0.0.9", "lladdr", "02:00:00:00:00:09", "dev", "nope"],
    ];
    for (const args of cases) {
      const theirs = ipRaw(ns, args);
      const ours = nlkit(["-n", ns, ...args]);
      assert.equal(theirs.code, 1, `ip ${args.join(" ")}`);
      assert.equal(ours.code, 1, `nlkit ${args.join(" ")}: ${ours.stderr}`);
      assert.equal(ours.stderr, theirs.stderr, args.join(" "));
      assert.equal(ours.stdout, "");
    }
  });
});

test("route flush by table, proto and dev, verified with ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ip(ns, "link", "set", "v1", "up");
    ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
    ip(ns, "route", "add", "10.2.0.0/16", "via", "10.1.0.2", "proto", "static");
    ip(ns, "route", "add", "10.3.0.0/16", "via", "10.1.0.2", "proto", "static", "metric", "7");
    ip(ns, "route", "add", "10.4.0.0/16", "dev", "v1");
    ip(ns, "route", "add", "10.5.0.0/16", "dev", "v1", "table", "100");
    ip(ns, "route", "add", "blackhole", "10.6.0.0/16", "table", "100");
    ip(ns, "-6", "route", "add", "2001:db8:1::/64", "dev", "v1");
    const dsts = (...args: string[]): string[] =>
      ipJson(ns, "route", "show", ...args).map((r: { dst: string }) => r.dst);

    const bare = nlkit(["-n", ns, "route", "flush"]);
    assert.equal(bare.code, 2, "flush needs a selector");
    assert.match(bare.stderr, /"route flush" requires arguments/);

    ok(ns, "route", "flush", "proto", "static");
    assert.deepEqual(dsts(), ["10.1.0.0/24", "10.4.0.0/16"]);
    ok(ns, "route", "flush", "dev", "v1");
    assert.deepEqual(dsts(), ["10.1.0.0/24"]);
    assert.deepEqual(ipJson(ns, "-6", "route", "show", "dev", "v1").map((r: { dst: string }) => r.dst).sort(), [
      "2001:db8:1::/64",
      "fe80::/64",
    ], "IPv6 untouched without -6");
    assert.equal(dsts("table", "100").length, 2);
    ok(ns, "route", "flush", "table", "100");
    assert.deepEqual(dsts("table", "100"), []);
    ok(ns, "-6", "route", "flush", "dev", "v1");
    assert.deepEqual(ipJson(ns, "-6", "route", "show", "dev", "v1"), []);
    assert.deepEqual(dsts(), ["10.1.0.0/24"], "IPv4 untouched with -6");
  });
});

test("route add with mtu lock, verified with ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ok(ns, "route", "add", "10.8.0.0/16", "dev", "v0", "mtu", "lock", "1300", "advmss", "1200");
    assert.match(ip(ns, "route", "show", "10.8.0.0/16"), /mtu lock 1300 advmss 1200/);
    assert.deepEqual(ipJson(ns, "route", "show", "10.8.0.0/16")[0].metrics, [{ mtu: 1300, advmss: 1200 }]);
    assert.deepEqual(JSON.parse(ok(ns, "-j", "route", "show", "10.8.0.0/16"))[0].metrics, [{
      mtu: 1300,
      advmss: 1200,
    }]);
    assert.equal(ok(ns, "route", "show", "10.8.0.0/16"), ip(ns, "route", "show", "10.8.0.0/16"));
    const bad = nlkit(["-n", ns, "route", "add", "10.9.0.0/16", "dev", "v0", "mtu", "lock", "big"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"big"/);
  });
});

test("-d link show prints kind details exactly as ip -d", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    // Bytes below 0x10 in the bridge id: iproute2 prints them unpadded (ether_ntoa_r).
    ip(
      ns,
      "link",
      "add",
      "br0",
      "address",
      "02:0a:00:0b:0c:0d",
      "type",
      "bridge",
      "forward_delay",
      "400",
      "priority",
      "7",
    );
    ip(ns, "link", "set", "v1", "master", "br0");
    ip(ns, "link", "set", "v1", "type", "bridge_slave", "cost", "9", "learning", "off", "hairpin", "on");
    ip(ns, "link", "add", "mv0", "link", "v0", "type", "macvlan", "mode", "bridge");
    ip(ns, "link", "add", "mv1", "link", "v0", "type", "macvlan", "mode", "private");
    ip(
      ns,
      "link",
      "add",
      "vx0",
      "type",
      "vxlan",
      "id",
      "42",
      "local",
      "10.0.0.1",
      "remote",
      "10.0.0.2",
      "dstport",
      "4789",
    );
    ip(
      ns,
      "link",
      "add",
      "vx1",
      "type",
      "vxlan",
      "id",
      "43",
      "group",
      "239.1.1.1",
      "dev",
      "v0",
      "dstport",
      "0",
      "ttl",
      "9",
    );
    ip(ns, "link", "add", "vx2", "type", "vxlan", "id", "44", "remote", "2001:db8::2", "nolearning", "dstport", "8472");
    ip(ns, "link", "set", "br0", "up");
    // A running bridge's timers tick between the two reads.
    const still = (s: string): string => s.replace(/(_timer) +\d+\.\d\d/g, "$1 T");
    assert.equal(still(ok(ns, "-d", "link", "show")), still(ip(ns, "-d", "link", "show")));
    for (const dev of ["br0", "v1", "vx1"]) {
      assert.equal(still(ok(ns, "-d", "link", "show", dev)), still(ip(ns, "-d", "link", "show", dev)), dev);
    }
  });
});

test("ct -I, -G and -D expect, verified with conntrack -L expect", { skip: NEEDS_ROOT || NO_CT }, async () => {
  await withTempNetns((ns) => {
    const ct = (...args: string[]): string => run("ip", ["netns", "exec", ns, "conntrack", ...args]);
    const noTimeout = (s: string): string[] => s.split("\n").filter((l) => l).map((l) => l.replace(/^\d+ /, ""));
    // Masters: FTP control connections with the ftp helper attached (which allows one expectation each).
    for (const sport of ["40000", "40001"]) {
      ok(
        ns,
        ...["ct", "-I", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", sport, "--dport", "21"],
        ...["-t", "300", "--state", "ESTABLISHED", "--helper", "ftp"],
      );
    }
    assert.equal(ct("-L").match(/helper=ftp/g)?.length, 2);
    const tuple = ["--tuple-src", "10.0.0.2", "--tuple-dst", "10.0.0.1", "--tuple-port-src", "0", "--tuple-port-dst"];
    ok(
      ns,
      ...["ct", "-I", "expect", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "40000", "--dport", "21"],
      ...tuple,
      "50000",
      ...["--mask-port-src", "0", "-t", "200"],
    );
    ok(
      ns,
      ...["ct", "--create", "expect", "-p", "tcp", "--master-src", "10.0.0.1", "--master-dst", "10.0.0.2"],
      ...["--master-port-src", "40001", "--master-port-dst", "21", ...tuple, "50001", "-t", "100"],
    );
    const theirs = noTimeout(ct("-L", "expect")).sort();
    assert.equal(theirs.length, 2);
    assert.match(
      theirs.join("\n"),
      /dport=50000 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535/,
    );
    assert.deepEqual(noTimeout(ok(ns, "ct", "-L", "expect")).sort(), theirs);
    assert.equal(ok(ns, "ct", "-C", "expect"), ct("-C", "expect"));
    assert.equal(ok(ns, "ct", "-C", "expect").trim(), "2");

    const one = nlkit(["-n", ns, "ct", "-G", "expect", "-p", "tcp", ...tuple, "50000"]);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(noTimeout(one.stdout), theirs.filter((l) => l.includes("dport=50000")));
    assert.match(one.stderr, /1 expectations have been shown\./);
    // conntrack's way: -s/-d/--sport/--dport name the expected tuple of -G and -D.
    const byOrig = ["-p", "tcp", "-s", "10.0.0.2", "-d", "10.0.0.1", "--sport", "0", "--dport"];
    const json = JSON.parse(ok(ns, "-j", "ct", "-G", "expect", ...byOrig, "50001"));
    assert.equal(json.length, 1);
    assert.deepEqual(json[0].tuple, { src: "10.0.0.2", dst: "10.0.0.1", sport: 0, dport: 50001 });
    assert.equal(json[0].helper, "ftp");

    const missing = nlkit(["-n", ns, "ct", "-G", "expect", ...byOrig, "50002"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Operation failed: No such file or directory/);
    const update = nlkit(["-n", ns, "ct", "-U", "expect", ...byOrig, "50000", "-t", "5"]);
    assert.equal(update.code, 2);
    assert.match(update.stderr, /Can't do --update on expectations\nTry `nlkit ct -h'/);
    const noMaster = nlkit(["-n", ns, "ct", "-I", "expect", "-p", "tcp", ...tuple, "50003", "-t", "5"]);
    assert.equal(noMaster.code, 2);
    assert.match(noMaster.stderr, /Missing master/);
    const wrongMaster = nlkit([
      ...["-n", ns, "ct", "-I", "expect", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1"],
      ...["--dport", "21", ...tuple, "50003", "-t", "5"],
    ]);
    assert.equal(wrongMaster.code, 1);
    assert.match(wrongMaster.stderr, /master conntrack not found/);

    const del = nlkit(["-n", ns, "ct", "-D", "expect", ...byOrig, "50000"]);
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(noTimeout(ct("-L", "expect")), theirs.filter((l) => l.includes("dport=50001")));
    assert.equal(nlkit(["-n", ns, "ct", "-D", "expect", ...byOrig, "50000"]).code, 1, "already gone");
    ok(ns, "ct", "-D", "expect", "--helper", "ftp");
    assert.deepEqual(noTimeout(ct("-L", "expect")), []);
  });
});

/** The modules `path` loads before running (static, non-type imports), transitively. */
function staticImports(path: string, seen = new Set<string>()): Set<string> {
  if (seen.has(path)) return seen;
  seen.add(path);
  if (path.startsWith("node:")) return seen;
  const src = readFileSync(path, "utf8");
  for (const m of src.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"([^"]+)";/gms)) {
    const spec = m[1];
    if (spec.startsWith("node:")) seen.add(spec);
    else if (spec.endsWith(".ts")) staticImports(join(path, "..", spec), seen);
  }
  return seen;
}

test("link show loads no conntrack code and no Node layer at startup", () => {
  const loaded = [...staticImports(join(ROOT, "cli.ts")), ...staticImports(join(ROOT, "src/cli/link.ts"))];
  assert.ok(loaded.some((p) => p.endsWith("src/route/link/api.ts")), "the walker follows imports");
  assert.deepEqual(loaded.filter((p) => p.includes("/netfilter/")), []);
  // The dispatcher imports each object's module on demand, and usage texts and batch files only when used.
  const others = ["addr", "route", "neigh", "rule", "monitor", "netns", "ct", "nexthop", "genl", "help", "batch"];
  assert.deepEqual(loaded.filter((p) => others.some((o) => p.endsWith(`/src/cli/${o}.ts`))), []);
  // Deno starts its Node compatibility layer (~40 ms) on the first node: import.
  assert.deepEqual(loaded.filter((p) => p.startsWith("node:")), []);
});

test("ct -L takes the dying and unconfirmed tables, and no other command does", () => {
  assert.equal(parseCtArgs(["-L", "dying"]).table, "dying");
  assert.equal(parseCtArgs(["list", "unconfirmed", "-p", "tcp"]).table, "unconfirmed");
  for (const c of ["-G", "-D", "-I", "-U", "-E", "-F", "-C", "-S"]) {
    for (const t of ["dying", "unconfirmed"]) {
      assert.throws(() => parseCtArgs([c, t]), (e) => e instanceof UsageError && /tables `dying'/.test(e.message));
    }
  }
});

/** Runs `conntrack ARGS...` in the namespace, keeping stderr and the exit code. */
function conntrackIn(ns: string | undefined, ...args: string[]): Result {
  const [cmd, pre] = ns ? ["ip", ["netns", "exec", ns, "conntrack"]] : ["conntrack", []];
  const r = spawnSync(cmd, [...pre, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("ct on the dying and unconfirmed tables refuses what conntrack refuses, in its words", { skip: NO_CT }, () => {
  for (const args of [["-D", "dying"], ["-G", "unconfirmed"], ["-F", "dying"], ["-E", "unconfirmed"]]) {
    const mine = nlkit(["ct", ...args]), theirs = conntrackIn(undefined, ...args);
    assert.equal(mine.code, 2, mine.stderr);
    assert.equal(theirs.code, 2, theirs.stderr);
    const first = (s: string) => s.split("\n")[0].replace(/^.*?\): /, "");
    assert.equal(first(mine.stderr), first(theirs.stderr));
  }
});

test("ct -L dying and -L unconfirmed print what conntrack prints, summary included", {
  skip: NEEDS_ROOT || NO_CT,
}, async () => {
  await withTempNetns(async (ns) => {
    // The timeout column ticks between the two reads.
    const lines = (s: string) =>
      s.split("\n").filter((l) => l).map((l) => l.replace(/^((?:ipv[46]\s+\d+ )?\S+\s+\d+ )\d+ /, "$1T ")).sort();
    const shown = (s: string) => Number(/(\d+) flow entries have been shown\./.exec(s)?.[1]);
    const same = (args: string[]): number => {
      const mine = nlkit(["-n", ns, "ct", ...args]), theirs = conntrackIn(ns, ...args);
      assert.equal(mine.code, 0, mine.stderr);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.deepEqual(lines(mine.stdout), lines(theirs.stdout), args.join(" "));
      assert.equal(shown(mine.stderr), shown(theirs.stderr), args.join(" "));
      assert.match(mine.stderr, /^nlkit v[\d.]+ \(conntrack\): \d+ flow entries have been shown\.\n$/);
      return shown(mine.stderr);
    };
    const ct = (...args: string[]) => run("ip", ["netns", "exec", ns, "conntrack", ...args]);
    ct("-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "30");
    assert.equal(same(["-L", "dying"]), 0);
    assert.equal(same(["-L", "unconfirmed"]), 0);
    // A destroy listener with reliable delivery and a full buffer it never reads keeps deleted entries dying.
    const listener = await NetlinkSocket.open(NETLINK_NETFILTER, {
      netns: ns,
      groups: [NFNLGRP_CONNTRACK.NFNLGRP_CONNTRACK_DESTROY],
      broadcastError: true,
      receiveBuffer: 1,
    });
    try {
      for (let i = 0; i < 6; i++) {
        ct("-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.3", "--sport", `${100 + i}`, "--dport", "53", "-t", "60");
        ct(
          ...["-I", "-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", `${100 + i}`, "--dport", "443"],
          ...["--state", "ESTABLISHED", "-t", "90"],
        );
      }
      ct("-D", "-d", "10.0.0.3");
      ct("-D", "-f", "ipv6");
      const n = same(["-L", "dying"]);
      assert.ok(n >= 8, `${n} dying entries`);
      assert.ok(same(["-L", "dying", "-f", "ipv6"]) > 0);
      // The first destroy event still fits the buffer, so one entry (in hash order, not ours) may be gone.
      assert.ok(same(["-L", "dying", "-p", "udp", "--sport", "103"]) <= 1);
      same(["-L", "dying", "-o", "extended,id"]);
      same(["-L", "dying", "-z"]);
      assert.equal(same(["-L", "unconfirmed"]), 0);
      assert.equal(same(["-L"]), 1);
      const json = JSON.parse(ok(ns, "-j", "ct", "-L", "dying"));
      assert.equal(json.length, n);
    } finally {
      listener.close();
    }
  });
});
