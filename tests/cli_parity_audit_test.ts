/**
 * Differences a conformance audit found between nlkit and `ip` (iproute2
 * 6.1) or `conntrack` (1.4.7), each compared with the tool in the same
 * throwaway namespace: stdout byte for byte, exit codes, and for conntrack
 * stderr and the table left behind.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { nlkit } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { assertSameTextAsIp } from "./_cli_fixtures.ts";
import { sameAsIp } from "./_ip_parity.ts";
import { build, conntrack, same, SKIP } from "./_ct_cli.ts";

/** Runs `nlkit -n NS ARGS...` with stderr, for a byte-for-byte comparison with ip's stdout. */
function ours(ns: string, ...args: string[]): string {
  const r = nlkit(["-n", ns, ...args]);
  assert.equal(r.code, 0, `nlkit ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function populate(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip(ns, "link", "add", "br0", "type", "bridge");
  ip(ns, "link", "set", "v1", "master", "br0");
  for (const l of ["v0", "v1", "br0"]) ip(ns, "link", "set", l, "up");
  ip(ns, "link", "set", "v0", "group", "5");
  ip(ns, "addr", "add", "10.0.0.1/24", "dev", "v0");
  ip(ns, "addr", "add", "192.168.5.1/24", "brd", "+", "dev", "br0");
  ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
  ip(ns, "addr", "add", "2001:db8:1::1/64", "dev", "v0", "nodad", "preferred_lft", "0");
  ip(ns, "route", "add", "2001:db8:5::/64", "via", "2001:db8::2");
  ip(ns, "route", "add", "10.1.0.0/16", "via", "10.0.0.254", "src", "10.0.0.1");
  ip(ns, "route", "add", "10.6.0.0/16", "nexthop", "via", "10.0.0.250", "nexthop", "via", "10.0.0.251");
  ip(ns, "neigh", "add", "10.0.0.5", "lladdr", "02:00:00:00:00:05", "dev", "v0", "nud", "permanent");
  ip(ns, "neigh", "add", "proxy", "10.0.0.99", "dev", "v0");
  ip(ns, "nexthop", "add", "id", "1", "via", "10.0.0.250", "dev", "v0");
  ip(ns, "nexthop", "add", "id", "2", "via", "10.0.0.251", "dev", "v0");
  ip(ns, "nexthop", "add", "id", "10", "group", "1/2");
  ip(ns, "route", "add", "10.10.0.0/16", "nhid", "10");
}

test("ip parity: IPv6 route get, -d route nh_info, -6 addr show dev, colours", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    for (
      const args of [
        // IPv6 lookups: ip sends no RTM_F_LOOKUP_TABLE there (the kernel refuses it under strict checking).
        ["-6", "route", "get", "2001:db8:5::1"],
        ["route", "get", "2001:db8::1"],
        ["-j", "route", "get", "2001:db8::1"],
        ["route", "get", "fibmatch", "2001:db8:5::1"],
        ["route", "get", "10.0.0.1"],
        // A route naming a nexthop object prints it with -d (nh_info), in text, -o and JSON.
        ["-d", "route"],
        ["-d", "-o", "route"],
        ["-d", "-j", "route", "show", "10.10.0.0/16"],
        ["route", "show", "10.10.0.0/16"],
        // A link asked by name keeps its qdisc and group under -6.
        ["-6", "addr", "show", "dev", "v0"],
        ["-6", "addr", "show", "dev", "v0", "deprecated"],
        ["-6", "addr", "show"],
        // ip colours a value with the separator after it.
        ["-c", "link"],
        ["-c", "-br", "link"],
        ["-c", "addr", "show", "dev", "br0"],
        ["-c", "route"],
        ["-c", "-6", "route"],
        ["-c", "route", "get", "10.0.0.1", "from", "10.0.0.1"],
        ["-c", "neigh"],
        // The bridge's boolopts sit after mcast_snooping in JSON too.
        ["-j", "-d", "link", "show", "br0"],
        // -n NAME: this process counts as inside NAME.
        ["netns", "identify"],
        ["neigh", "get", "proxy", "10.0.0.99", "dev", "v0"],
        // -0 (-f link): addr show lists the links alone, in link's -br and -o shapes.
        ["-0", "addr"],
        ["-f", "link", "addr", "show", "up"],
        ["-0", "-br", "addr"],
        ["-0", "-o", "addr"],
        ["-0", "-j", "addr"],
        // ip takes prefixes of permanent, reachable and failed.
        ["neigh", "show", "nud", "perm"],
        // ip prints a link its own filters leave out (group, up, a port kind) as {} in JSON.
        ["-j", "link", "show", "group", "5"],
        ["-br", "-j", "link", "show", "group", "5"],
        ["-j", "link", "show", "type", "bridge_slave"],
        ["link", "show", "group", "5"],
        // `cache`/`cloned` select cached routes (none here); `all` and `any` are 0/0 of no family.
        ["route", "show", "cache"],
        ["-6", "route", "show", "cloned"],
        ["route", "show", "all"],
        ["route", "show", "table", "all", "any"],
      ]
    ) {
      // Timers tick: compare the bridge JSON without them.
      const clean = (t: string) => t.replace(/"(gc|hello|tcn|topology_change)_timer":[\d.]+/g, "");
      if (args.includes("br0") && args.includes("-j")) {
        // ip prints timers as "%.2f" in JSON too (0.00), which JSON.stringify cannot: compared without them.
        assert.equal(clean(ours(ns, ...args)), clean(ip(ns, ...args)));
      } else assertSameTextAsIp(ns, args, () => ours(ns, ...args));
    }
  });
});

test("ip parity: a bad family or colour mode is refused in ip's words", () => {
  for (
    const [args, want] of [
      [["-family", "zqzq", "addr"], 'Error: argument "zqzq" is wrong: invalid protocol family\n'],
      [["-c=zqzq", "link"], 'Option "-c=zqzq" is unknown, try "nlkit -help".\n'],
      // ip -0 has no address to add, flush or select (it fails too, exit 1).
      // ip's reasons that carry their own newline end in a blank line.
      [["link", "show", "group", "zqzq"], 'Error: argument "zqzq" is wrong: Invalid "group" value\n\n'],
      [["link", "show", "master", "zqzq"], 'Error: argument "zqzq" is wrong: Device does not exist\n\n'],
      [["-0", "addr", "flush", "dev", "lo"], "Error: Cannot flush link addresses (family link, -0)\n"],
      [["-0", "addr", "show", "scope", "global"], "Error: Cannot select addresses with family link (-0)\n"],
    ] as const
  ) {
    const r = nlkit([...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stderr, want);
  }
});

const GRE: string[][] = [
  ["-p", "gre", "-s", "1.1.1.6", "-d", "2.2.2.6", "--srckey", "1", "--dstkey", "2"],
  ["-p", "gre", "-s", "1.1.1.7", "-d", "2.2.2.7", "--srckey", "3", "--dstkey", "4"],
  ["-p", "udp", "-s", "1.1.1.6", "-d", "2.2.2.6", "--sport", "1", "--dport", "2"],
  ["-p", "sctp", "-s", "1.1.1.5", "-d", "2.2.2.5", "--sport", "5", "--dport", "6", "--state", "ESTABLISHED"]
    .concat(["--orig-vtag", "1", "--reply-vtag", "2"]),
  ["-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "9", "--dport", "80", "--state", "LISTEN"],
  ["-p", "tcp", "-s", "1.1.1.2", "-d", "2.2.2.2", "--sport", "9", "--dport", "80", "--state", "ESTABLISHED"]
    .concat(["-u", "ASSURED"]),
];

test("ct parity: GRE keys select in -L, -D, -G and -I; -u UNSET; -o save and xml of SCTP", { skip: SKIP }, async () => {
  await withTempNetns((ns) => {
    for (
      const args of [
        ["-G", "-p", "gre", "-s", "1.1.1.6", "-d", "2.2.2.6", "--srckey", "1", "--dstkey", "2"],
        ["-G", "-p", "gre", "-s", "1.1.1.6", "-d", "2.2.2.6", "--srckey", "1"],
        ["-I", "-p", "gre", "-s", "9.9.9.9", "-d", "8.8.8.8", "--srckey", "5", "--dstkey", "6", "-t", "50"],
        ["-L", "--srckey", "1"],
        ["-L", "-p", "udp", "--srckey", "1"],
        // UNSET alone: the kernel refuses an empty status mask on a dump; with -D it selects all.
        ["-L", "-u", "UNSET"],
        ["-L", "-u", "UNSET,ASSURED"],
        ["-D", "-u", "UNSET", "-p", "tcp"],
        ["-L", "-o", "save"],
      ]
    ) {
      same(ns, args, GRE);
    }
    // libnetfilter_conntrack names XML states from its TCP table (SCTP ESTABLISHED is FIN_WAIT, SYN_SENT2 LISTEN).
    for (const p of ["sctp", "tcp"]) {
      const xml = (t: string) => t.replace(/<timeout>\d+</g, "<timeout>T<");
      const theirs = conntrack(ns, ["-L", "-p", p, "-o", "xml"]);
      const mine = nlkit(["-n", ns, "ct", "-L", "-p", p, "-o", "xml"]);
      assert.equal(mine.code, theirs.code);
      assert.deepEqual(xml(mine.stdout).split("<flow>").sort(), xml(theirs.stdout).split("<flow>").sort());
    }
    // conntrack 1.4.7 parses the GRE keys of -L/-D and then ignores them (every GRE entry is listed or
    // deleted); nlkit applies them, so -D never removes more than the entry named.
    build(ns, GRE);
    const keys = (args: string[]) =>
      [...ours(ns, "ct", ...args).matchAll(/^gre\s+47 \d+ src=(\S+)/gm)].map((m) => m[1]).sort();
    assert.deepEqual(keys(["-L", "-p", "gre", "--srckey", "1"]), ["1.1.1.6"]);
    assert.deepEqual(keys(["-L", "-p", "gre", "--orig-key-src", "0x3"]), ["1.1.1.7"]);
    assert.deepEqual(keys(["-L", "-p", "gre", "--dstkey", "4"]), ["1.1.1.7"]);
    assert.deepEqual(keys(["-L", "-p", "gre", "--dstkey", "9"]), []);
    assert.deepEqual(keys(["-D", "-p", "gre", "--srckey", "3"]), ["1.1.1.7"]);
    assert.deepEqual(keys(["-L", "-p", "gre"]), ["1.1.1.6"]);
  });
});

test(
  "ip parity: rule add reads numbers in any base and refuses bad values in ip's words",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ours) => {
      await withTempNetns((theirs) => {
        for (
          const args of [
            ["fwmark", "0x10/0xff", "table", "5", "pref", "0x20"],
            ["protocol", "0x10", "table", "7", "pref", "010"],
            ["tos", "0x10", "table", "9"],
            ["uidrange", "5-6", "table", "10"],
            ["suppress_prefixlength", "0x10", "table", "main"],
            ["protocol", "kernel", "goto", "0x20"],
          ]
        ) {
          ip(theirs, "rule", "add", ...args);
          const r = nlkit(["-n", ours, "rule", "add", ...args]);
          assert.equal(r.code, 0, `rule add ${args.join(" ")}: ${r.stderr}`);
        }
        assert.equal(ip(ours, "rule", "show"), ip(theirs, "rule", "show"));
        for (
          const args of [
            ["uidrange", "5"], // ip's %u-%u wants both ends
            ["pref", "x"],
            ["tos", "xx"],
            ["fwmark", "1/xx"],
            ["fwmark", "xx"],
            ["table", "xx"],
            ["goto", "x"],
            ["protocol", "xx"],
            ["suppress_prefixlength", "-1"],
          ]
        ) sameAsIp(ours, ["rule", "add", ...args]);
      });
    });
  },
);
