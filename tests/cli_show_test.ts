/**
 * `nlkit` show filters, `-br` and `-o`, compared byte for byte with `ip` in
 * the same namespace (text and `-j`), on a table built so that a filter
 * ignored would select more; and ip's errors for bad selectors.
 *
 * @module
 */

import { test } from "node:test";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { nlkit, ok } from "./_cli.ts";
import { ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { NEEDS_SEG6 } from "./_kernel.ts";
import { assertSameTextAsIp } from "./_cli_fixtures.ts";
import fc from "fast-check";
import { ipUnsigned } from "../src/cli/numbers.ts";
import { Args, UsageError } from "../src/cli/args.ts";
import type { Context } from "../src/cli/context.ts";
import { parseRouteSelectors } from "../src/cli/route_select.ts";
import { parseAddrSelectors } from "../src/cli/addr_select.ts";
import { takeEncap } from "../src/cli/route_encap.ts";
import { parseRealms } from "../src/cli/realms.ts";

/** A namespace with several of each object, so every selector leaves some out. */
function populate(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip(ns, "link", "add", "br0", "type", "bridge");
  ip(ns, "link", "set", "v1", "master", "br0");
  ip(ns, "link", "set", "v0", "up");
  ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
  ip(ns, "addr", "add", "10.1.0.9/24", "dev", "v0");
  ip(ns, "addr", "add", "10.1.0.50/24", "dev", "v0", "label", "v0:web");
  ip(ns, "addr", "add", "10.5.0.1/24", "dev", "lo", "label", "lo:x");
  ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
  ip(ns, "addr", "add", "10.5.0.9/24", "dev", "lo", "valid_lft", "90000", "preferred_lft", "80000");
  ip(ns, "route", "add", "10.2.0.0/16", "via", "10.1.0.2", "metric", "20", "proto", "static");
  ip(ns, "route", "add", "10.6.0.0/16", "via", "10.1.0.3", "metric", "8");
  ip(ns, "route", "add", "10.7.0.0/24", "via", "10.1.0.2", "realms", "3/5");
  ip(ns, "route", "add", "10.2.3.0/24", "dev", "v0", "src", "10.1.0.9", "scope", "link");
  ip(ns, "route", "add", "blackhole", "10.3.0.0/16", "table", "100");
  ip(ns, "route", "add", "10.8.0.0/24", "dev", "v0", "realm", "7", "table", "100");
  ip(ns, "route", "add", "2001:db8:1::/48", "via", "2001:db8::2");
  ip(
    ns,
    "route",
    "add",
    "10.99.0.0/16",
    "nexthop",
    "via",
    "10.1.0.2",
    "dev",
    "v0",
    "nexthop",
    "via",
    "10.1.0.3",
    "dev",
    "v0",
  );
  ip(ns, "neigh", "add", "10.1.0.7", "lladdr", "02:00:00:00:00:07", "dev", "v0");
  ip(ns, "neigh", "add", "10.1.0.8", "lladdr", "02:00:00:00:00:0a", "dev", "v0", "nud", "noarp");
  ip(ns, "neigh", "add", "10.1.0.20", "lladdr", "02:00:00:00:00:20", "dev", "v0", "nud", "stale", "proto", "zebra");
  ip(ns, "neigh", "add", "2001:db8::7", "lladdr", "02:00:00:00:00:08", "dev", "v0", "nud", "reachable", "router");
  ip(ns, "neigh", "add", "proxy", "10.1.0.99", "dev", "v0");
  ip(ns, "neigh", "add", "10.4.0.5", "lladdr", "02:00:00:00:00:05", "dev", "v1");
  ip(ns, "rule", "add", "from", "10.9.0.0/16", "table", "100", "priority", "100");
  ip(ns, "rule", "add", "fwmark", "0x10/0xff", "lookup", "200", "priority", "200");
  ip(ns, "rule", "add", "to", "10.20.0.0/16", "iif", "v0", "tos", "0x10", "pref", "300", "table", "300");
  ip(ns, "rule", "add", "not", "from", "10.30.0.0/16", "oif", "v0", "pref", "400", "table", "100");
}

/** Each selector, with the unfiltered command it must select less than. */
const FILTERED: [string[], string[]][] = [
  [["route", "show", "via", "10.1.0.2"], ["route", "show"]],
  [["route", "show", "src", "10.1.0.9"], ["route", "show"]],
  [["route", "show", "root", "10.2.0.0/16"], ["route", "show"]],
  [["route", "show", "match", "10.2.3.4"], ["route", "show"]],
  [["route", "list", "match", "10.2.3.4"], ["route", "show"]],
  [["route", "show", "exact", "10.2.0.0/16"], ["route", "show"]],
  [["route", "show", "10.2.0.0/16"], ["route", "show"]],
  [["route", "show", "proto", "static"], ["route", "show"]],
  [["route", "show", "type", "blackhole", "table", "100"], ["route", "show", "table", "100"]],
  [["route", "show", "dev", "v0", "table", "100"], ["route", "show", "table", "100"]],
  // ip's dev selector leaves out multipath routes (their devices are in the nexthops).
  [["route", "show", "dev", "v0"], ["route", "show"]],
  [["route", "show", "table", "100"], ["route", "show", "table", "all"]],
  [["route", "show", "scope", "link"], ["route", "show"]],
  [["route", "show", "metric", "20"], ["route", "show"]],
  [["route", "show", "metric", "024"], ["route", "show"]],
  [["route", "show", "metric", "0x14"], ["route", "show"]],
  [["addr", "show", "to", "10.1.0.0/24"], ["addr", "show"]],
  [["addr", "show", "type", "veth"], ["addr", "show"]],
  [["addr", "show", "type", "bridge_slave"], ["addr", "show"]],
  [["addr", "show", "master", "br0"], ["addr", "show"]],
  [["addr", "show", "label", "v0:*"], ["addr", "show"]],
  [["addr", "show", "label", "lo:x"], ["addr", "show"]],
  [["addr", "show", "primary"], ["addr", "show"]],
  [["addr", "show", "secondary"], ["addr", "show"]],
  [["addr", "show", "-secondary"], ["addr", "show"]],
  [["addr", "show", "permanent"], ["addr", "show"]],
  [["-4", "addr", "show", "dynamic"], ["-4", "addr", "show"]],
  [["addr", "show", "scope", "host"], ["addr", "show"]],
  [["addr", "show", "up"], ["addr", "show"]],
  [["addr", "show", "dev", "v0"], ["addr", "show"]],
  [["rule", "show", "table", "100"], ["rule", "show"]],
  [["rule", "show", "priority", "200"], ["rule", "show"]],
  [["rule", "show", "pref", "0454"], ["rule", "show"]],
  [["rule", "show", "tos", "0x10"], ["rule", "show"]],
  [["rule", "show", "dsfield", "10"], ["rule", "show"]],
  [["rule", "show", "from", "10.0.0.0/8"], ["rule", "show"]],
  [["rule", "show", "to", "10.20.0.0/16"], ["rule", "show"]],
  [["rule", "show", "fwmark", "0x10/0xff"], ["rule", "show"]],
  [["rule", "show", "iif", "v0"], ["rule", "show"]],
  [["rule", "show", "oif", "v0"], ["rule", "show"]],
  [["rule", "show", "not"], ["rule", "show"]],
  [["neigh", "show", "nud", "stale"], ["neigh", "show"]],
  [["neigh", "show", "nud", "noarp"], ["neigh", "show", "nud", "all"]],
  [["neigh", "show", "nud", "permanent", "nud", "stale"], ["neigh", "show", "nud", "all"]],
  [["neigh", "show", "to", "10.1.0.0/29"], ["neigh", "show"]],
  [["neigh", "show", "2001:db8::7"], ["neigh", "show"]],
  [["neigh", "show", "dev", "v1"], ["neigh", "show"]],
  [["neigh", "show", "master", "br0"], ["neigh", "show"]],
  [["neigh", "show", "proto", "zebra"], ["neigh", "show"]],
];

/** Output formats: `-br` and `-o` for every object, and the text the filters hide fields in. */
const FORMATS: string[][] = [
  ["-br", "link", "show"],
  ["-br", "addr", "show"],
  ["-6", "addr", "show"],
  ["addr", "show", "to", "2001:db8::/32"],
  ["-br", "-4", "addr", "show"],
  ["-br", "addr", "show", "label", "v0*"],
  ["-br", "neigh", "show"],
  ["-br", "route", "show"],
  ["-o", "link", "show"],
  ["-o", "-d", "link", "show"],
  ["-o", "addr", "show"],
  ["-o", "addr", "show", "label", "v0*"],
  ["-o", "neigh", "show"],
  ["-o", "route", "show"],
  ["-o", "route", "show", "table", "all"],
  ["neigh", "show", "proxy"],
  ["neigh", "show", "nomaster"],
  ["neigh", "show", "nud", "all"],
  ["neigh", "get", "10.1.0.7", "dev", "v0"],
  ["route", "show", "table", "all"],
  ["route", "get", "10.1.0.1"],
  ["route", "get", "127.0.0.1"],
  ["-d", "route", "show"],
];

/** ip's JSON and ours must be the same bytes; lifetimes tick, so ours is read between two of ip's. */
function assertSameJson(ns: string, args: string[]): void {
  let before = "", ours = "", after = "";
  for (let i = 0; i < 5; i++) {
    before = ip(ns, "-j", ...args);
    ours = ok(ns, "-j", ...args);
    after = ip(ns, "-j", ...args);
    if (ours === before || ours === after) return;
  }
  assert.equal(ours, after, `-j ${args.join(" ")}`);
}

test("show selectors select what ip selects, text and JSON byte for byte", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    for (const [args, all] of FILTERED) {
      const theirs = ip(ns, ...args);
      assert.ok(theirs.trim().length > 0, `the table gives ${args.join(" ")} something to select`);
      assert.ok(theirs.length < ip(ns, ...all).length, `${args.join(" ")} selects less than ${all.join(" ")}`);
      assertSameTextAsIp(ns, args, () => ok(ns, ...args));
      assertSameJson(ns, args);
    }
  });
});

test("-br, -o and filtered listings print what ip prints", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    for (const args of FORMATS) {
      assertSameTextAsIp(ns, args, () => ok(ns, ...args));
      if (!args.includes("-o") && args[0] !== "-d" && args[1] !== "get") assertSameJson(ns, args);
    }
    // `route show type blackhole` names the type; `route get` of a local address keeps `table local`.
    assert.match(ok(ns, "route", "show", "type", "blackhole", "table", "100"), /^blackhole 10\.3\.0\.0\/16/);
    assert.match(ok(ns, "route", "get", "10.1.0.1"), /table local/);
  });
});

test("-s neigh spaces its counters as ip does", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    // The counters are ages in seconds: compare the shape with them masked.
    const mask = (t: string) => t.replace(/\d+\/\d+\/\d+/g, "U/C/U");
    assert.equal(mask(ok(ns, "-s", "neigh", "show", "dev", "v0")), mask(ip(ns, "-s", "neigh", "show", "dev", "v0")));
    assert.match(
      ok(ns, "-s", "neigh", "show", "10.1.0.7"),
      /02:00:00:00:00:07 {2}used \d+\/\d+\/\d+probes 0 PERMANENT $/m,
    );
  });
});

test("-j -p prints the same bytes as ip -j -p", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    for (const args of [["route", "show"], ["rule", "show"], ["neigh", "show"], ["-br", "link", "show"]]) {
      assert.equal(ok(ns, "-j", "-p", ...args), ip(ns, "-j", "-p", ...args), `-j -p ${args.join(" ")}`);
    }
  });
});

test("route change, neigh change and route flush cache change what ip sees", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    ok(ns, "route", "change", "10.2.0.0/16", "via", "10.1.0.3", "metric", "20", "proto", "static");
    assert.match(ip(ns, "route", "show", "10.2.0.0/16"), /via 10\.1\.0\.3/);
    const missing = nlkit(["-n", ns, "route", "change", "10.98.0.0/16", "via", "10.1.0.3"]);
    assert.equal(missing.code, 1, "change of a missing route is a kernel refusal");
    ok(ns, "neigh", "change", "10.1.0.20", "dev", "v0", "lladdr", "02:00:00:00:00:21", "nud", "reachable");
    assert.match(ip(ns, "neigh", "show", "10.1.0.20"), /lladdr 02:00:00:00:00:21 REACHABLE/);
    assert.equal(ok(ns, "-s", "route", "flush", "cache"), run("ip", ["-n", ns, "-s", "route", "flush", "cache"]));
  });
});

test("bad selectors are usage errors in ip's words, never an empty success", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    const cases: [string[], string][] = [
      [["neigh", "show", "nud", "zqzq"], `argument "zqzq" is wrong: nud state is bad`],
      [["neigh", "show", "to", "10.0.0.999"], `any valid prefix is expected rather than "10.0.0.999".`],
      [["neigh", "show", "dev", "v0", "zqzq"], `any valid prefix is expected rather than "zqzq".`],
      [["route", "show", "metric", "09"], `argument "09" is wrong: "metric" value is invalid`],
      [["route", "show", "zqzq"], `any valid prefix is expected rather than "zqzq".`],
      [["route", "show", "table", "zz"], `argument "zz" is wrong: table id value is invalid`],
      [["route", "show", "proto", "zz"], `argument "zz" is wrong: invalid "protocol"`],
      [["route", "show", "type", "zz"], `argument "zz" is wrong: node type value is invalid`],
      [["rule", "show", "pref", "09"], `argument "09" is wrong: preference value is invalid`],
      [["rule", "show", "zqzq"], `inet prefix is expected rather than "zqzq".`],
      [["addr", "show", "dev", "lo", "zqzq"], `either "dev" is duplicate, or "zqzq" is a garbage.`],
      [["addr", "show", "master", "nope"], `argument "nope" is wrong: Device does not exist`],
      [["addr", "show", "primry"], `Unknown argument of addr show: "primry" (did you mean "primary"?)`],
      [["neigh", "get", "10.1.0.7"], "Device and address are required arguments."],
      // Words are never looked up as object keys.
      [["neigh", "show", "nud", "toString"], `argument "toString" is wrong: nud state is bad`],
      [["route", "show", "proto", "constructor"], `argument "constructor" is wrong: invalid "protocol"`],
    ];
    for (const [args, message] of cases) {
      const r = nlkit(["-n", ns, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "", args.join(" "));
      // ip refuses each of them too (its exit codes vary: 1 or 255), some with a blank line after.
      const theirs = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
      assert.notEqual(theirs.status, 0, args.join(" "));
      const blank = theirs.stderr.endsWith("\n\n") ? "\n" : "";
      assert.equal(r.stderr, `Error: ${message}\n${blank}`, args.join(" "));
    }
    // A missing device (not a misspelt keyword) stays ip's "does not exist", exit 1.
    const r = nlkit(["-n", ns, "addr", "show", "nope"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Device "nope" does not exist.\n`);
  });
});

test("numbers parse as ip's get_u32 with base 0", () => {
  assert.equal(ipUnsigned("010"), 8);
  assert.equal(ipUnsigned("0x10"), 16);
  assert.equal(ipUnsigned("0X1f"), 31);
  assert.equal(ipUnsigned("0"), 0);
  assert.equal(ipUnsigned("20"), 20);
  assert.equal(ipUnsigned("-0"), 0);
  for (const bad of ["09", "0x", "", "1e3", "-1", "4294967296", "12abc", "0x1g"]) {
    assert.equal(ipUnsigned(bad), undefined, bad);
  }
  assert.equal(ipUnsigned("4294967295"), 0xffffffff);
  assert.equal(ipUnsigned("256", 255), undefined);
});

test("route add with encap seg6, encap seg6local and realms, as ip adds them", { skip: NEEDS_SEG6 }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    const pairs: [string, string, string[]][] = [
      ["2001:db8:70::/64", "2001:db8:80::/64", ["encap", "seg6", "mode", "encap", "segs", "2001:db8::10,2001:db8::11"]],
      ["2001:db8:71::/64", "2001:db8:81::/64", ["encap", "seg6", "mode", "inline", "segs", "2001:db8::12"]],
      ["2001:db8:72::/64", "2001:db8:82::/64", ["encap", "seg6", "mode", "encap", "segs", "2001:db8::13", "hmac", "7"]],
      ["2001:db8:70::1", "2001:db8:80::1", ["encap", "seg6local", "action", "End"]],
      ["2001:db8:70::2", "2001:db8:80::2", ["encap", "seg6local", "action", "End.X", "nh6", "2001:db8::2"]],
      ["2001:db8:70::3", "2001:db8:80::3", ["encap", "seg6local", "action", "End.DT6", "table", "100"]],
      ["2001:db8:70::4", "2001:db8:80::4", ["encap", "seg6local", "action", "End.B6", "srh", "segs", "2001:db8::20"]],
    ];
    for (const [ours, theirs, words] of pairs) {
      ok(ns, "-6", "route", "add", ours, ...words, "dev", "v0");
      ip(ns, "-6", "route", "add", theirs, ...words, "dev", "v0");
      const line = (dst: string) => ip(ns, "-6", "route", "show", dst).replace(dst, "DST");
      assert.equal(line(ours), line(theirs), words.join(" "));
    }
    ok(ns, "route", "add", "10.62.0.0/24", "dev", "v0", "realms", "3/5");
    ip(ns, "route", "add", "10.72.0.0/24", "dev", "v0", "realms", "3/5");
    ok(ns, "route", "add", "10.63.0.0/24", "dev", "v0", "realm", "9");
    assert.match(ip(ns, "route", "show", "10.62.0.0/24"), /realms 3\/5 $/m);
    assert.match(ip(ns, "route", "show", "10.63.0.0/24"), /realm 9 $/m);
    for (const args of [["-6", "route", "show"], ["route", "show"]]) {
      assertSameTextAsIp(ns, args, () => ok(ns, ...args));
      assertSameJson(ns, args);
    }
    const bad = nlkit(["-n", ns, "route", "add", "10.64.0.0/24", "encap", "seg6", "mode", "zz", "segs", "1::1"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `Error: argument "zz" is wrong: "mode" value is invalid\n\n`); // ip's blank line
  });
});

/** Words a user might type, plus noise: selectors, values, prototype names and random text. */
const WORD = fc.oneof(
  fc.constantFrom(
    "table",
    "all",
    "100",
    "main",
    "proto",
    "static",
    "type",
    "blackhole",
    "dev",
    "lo",
    "via",
    "src",
    "root",
    "match",
    "exact",
    "to",
    "metric",
    "010",
    "09",
    "0x1f",
    "10.0.0.0/8",
    "2001:db8::/32",
    "default",
    "scope",
    "link",
    "label",
    "primary",
    "-secondary",
    "up",
    "master",
    "nomaster",
    "group",
    "encap",
    "seg6",
    "seg6local",
    "mode",
    "inline",
    "segs",
    "action",
    "End.DT6",
    "srh",
    "hmac",
    "toString",
    "__proto__",
    "constructor",
  ),
  fc.string({ maxLength: 12 }),
);

test("property: selector parsers accept or refuse with a usage error, never crash", () => {
  const ctx = { opts: { family: undefined } } as unknown as Context;
  fc.assert(
    fc.property(fc.array(WORD, { maxLength: 8 }), (words) => {
      for (
        const parse of [
          () => parseRouteSelectors(ctx, new Args(words), "show"),
          () => parseAddrSelectors(new Args(words)),
          () => takeEncap(["10.0.0.0/8", ...words]),
          () => parseRealms(words.join("/")),
        ]
      ) {
        try {
          parse();
        } catch (e) {
          assert.ok(e instanceof UsageError, `${words.join(" ")}: ${e}`);
        }
      }
    }),
    { numRuns: 3000 },
  );
});
