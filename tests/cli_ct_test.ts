/**
 * `nlkit ct` against `conntrack` (conntrack-tools) in the same throwaway
 * namespace: every filter option on -L, -D and -U, each on a table where
 * ignoring it would select more entries; the command-by-option rules;
 * creation with NAT, zones and reply tuples; -U's semantics. Same stdout
 * lines, same summary wording, same exit codes. Runs on the compiled binary
 * too (`NLKIT_BIN=dist/nlkit`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import process from "node:process";
import { test } from "node:test";
import { CLI, nlkit, ROOT } from "./_cli.ts";
import { have, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { build, conntrack, lines, ours, type Out, same as sameOn, SKIP, summary } from "./_ct_cli.ts";

/** Runs both tools on fresh copies of a table (the big one by default) and compares what they print and leave. */
function same(ns: string, args: string[], table: string[][] = TABLE): { ours: Out; theirs: Out } {
  return sameOn(ns, args, table);
}

/**
 * Entries in several zones (both directions, original only, reply only),
 * NATed (source, destination with port, both) and not, IPv4 and IPv6,
 * several marks, statuses, states, ports and protocols.
 */
const TABLE: string[][] = [
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED"]
    .concat(["-u", "ASSURED", "-m", "5"]),
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1001", "--dport", "80", "--state", "SYN_SENT"]
    .concat(["-w", "2", "-m", "6"]),
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1002", "--dport", "80", "--state", "ESTABLISHED"]
    .concat(["--orig-zone", "3"]),
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1003", "--dport", "80", "--state", "ESTABLISHED"]
    .concat(["--reply-zone", "4"]),
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1004", "--dport", "80", "--state", "ESTABLISHED"]
    .concat(["--src-nat", "1.2.3.4"]),
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1005", "--dport", "80", "--state", "ESTABLISHED"]
    .concat(["--dst-nat", "5.6.7.8:8080"]),
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1006", "--dport", "80", "--state", "ESTABLISHED"]
    .concat(["--src-nat", "1.2.3.5", "--dst-nat", "5.6.7.9"]),
  ["-p", "udp", "-s", "::1", "-d", "::2", "--sport", "53", "--dport", "53"],
  ["-p", "udp", "-s", "10.9.0.1", "-d", "10.0.0.2", "--sport", "53", "--dport", "53", "-m", "4"],
  ["-p", "icmp", "-s", "10.0.0.1", "-d", "10.0.0.3", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "7"],
  ["-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "2000", "--dport", "443", "--state", "TIME_WAIT"],
];

/** Every filter of -L and -D, each alone; none selects the whole table. */
const FILTERS: string[][] = [
  ["-s", "10.0.0.1"],
  ["-s", "10.9.0.0/16"],
  ["-s", "10.0.0.0", "--mask-src", "255.255.0.0"],
  ["-d", "10.0.0.3"],
  ["-d", "10.0.0.2", "--mask-dst", "255.255.255.254"],
  ["-d", "2001:db8::/64"],
  ["-s", "::1"],
  ["-d", "::2"],
  ["-r", "5.6.7.8"],
  ["-q", "1.2.3.4"],
  ["-r", "2001:db8::2"],
  ["-p", "udp"],
  ["-p", "icmp"],
  ["-p", "tcp", "--sport", "1003"],
  ["-p", "tcp", "--dport", "80"],
  ["-p", "tcp", "--reply-port-src", "8080"],
  ["-p", "tcp", "--reply-port-dst", "1004"],
  ["-p", "tcp", "--state", "SYN_SENT"],
  ["-p", "icmp", "--icmp-type", "8"],
  ["-p", "icmp", "--icmp-code", "0"],
  ["-p", "icmp", "--icmp-id", "7"],
  ["-m", "5"],
  ["-m", "4/4"],
  ["-u", "ASSURED"],
  ["-w", "2"],
  ["--orig-zone", "3"],
  ["--reply-zone", "4"],
  ["-n"],
  ["-g"],
  ["-n", "-g"],
  ["-n", "1.2.3.4"],
  ["-g", "5.6.7.8"],
  ["-g", "5.6.7.8:8080"],
  ["-g", "5.6.7.8:9999"],
  ["-f", "ipv6"],
  ["-f", "ipv4"],
];

test("ct -L: every filter selects what conntrack selects, never the whole table", { skip: SKIP }, async () => {
  await withTempNetns((ns) => {
    build(ns, TABLE);
    const all = lines(conntrack(ns, ["-L"]).stdout).length;
    assert.equal(all, TABLE.length);
    for (const f of [...FILTERS, ["-j"], ["-j", "1.2.3.4"]]) {
      const theirs = conntrack(ns, ["-L", ...f]);
      const mine = ours(ns, ["-L", ...f]);
      const what = f.join(" ");
      assert.equal(mine.code, theirs.code, what);
      assert.deepEqual(lines(mine.stdout), lines(theirs.stdout), what);
      assert.deepEqual(summary(mine.stderr), summary(theirs.stderr), what);
      assert.ok(lines(theirs.stdout).length < all, `${what} narrows the table`);
    }
    // conntrack's spellings: name prefixes in any case, flags that must be clear.
    for (
      const f of [["-u", "UNREPLIED"], ["-u", "!ASSURED"], ["-u", "ass"], ["-o", "ext,i"], ["-u", "!ASSURED,!seen"]]
    ) {
      const theirs = conntrack(ns, ["-L", ...f]), mine = ours(ns, ["-L", ...f]);
      assert.equal(mine.code, theirs.code, f.join(" "));
      assert.deepEqual(lines(mine.stdout), lines(theirs.stdout), f.join(" "));
    }
  });
});

test("ct -D: every filter deletes (and prints) what conntrack deletes, nothing more", { skip: SKIP }, async () => {
  await withTempNetns((ns) => {
    for (const f of FILTERS) {
      const { theirs } = same(ns, ["-D", ...f]);
      const n = lines(theirs.stdout).length;
      assert.ok(n < TABLE.length, `${f.join(" ")} deletes less than everything (${n})`);
    }
    // A filter that matches nothing deletes nothing and fails, as conntrack does.
    same(ns, ["-D", "-s", "192.0.2.99"]);
    // conntrack has no -D --any-nat: refused in its words.
    same(ns, ["-D", "-j"]);
    // conntrack -D drops '!FLAG' (and deletes every entry); nlkit keeps the entries that have the flag.
    build(ns, TABLE);
    const r = ours(ns, ["-D", "-u", "!ASSURED"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(conntrack(ns, ["-L"]).stdout), lines(conntrack(ns, ["-L", "-u", "ASSURED"]).stdout));
    assert.equal(lines(conntrack(ns, ["-L"]).stdout).length, 1);
  });
});

/** -U's selecting options (the others set values or are illegal there). */
const UPDATE_FILTERS: string[][] = [
  ["-s", "10.0.0.1"],
  ["-s", "10.9.0.0/16"],
  ["-s", "10.0.0.0", "--mask-src", "255.255.0.0"],
  ["-d", "10.0.0.3"],
  ["-s", "::1"],
  ["-r", "5.6.7.8"],
  ["-q", "1.2.3.4"],
  ["-f", "ipv6"],
  // conntrack -U sends its updates with the family of the command line
  // (AF_UNSPEC without one, which the kernel refuses): these give one.
  ["-f", "ipv4", "-p", "udp"],
  ["-f", "ipv4", "-p", "tcp", "--sport", "1003"],
  ["-f", "ipv4", "-p", "tcp", "--reply-port-src", "8080"],
  ["-f", "ipv4", "-p", "icmp", "--icmp-type", "8"],
  ["-f", "ipv4", "-n"],
  ["-f", "ipv4", "-g"],
];

/**
 * -U on both tools. conntrack 1.4.7 reads its update replies out of step
 * (every request of a second carries the same sequence number), so it
 * prints only some of the entries it updated; nlkit prints each one. And
 * conntrack fails on entries in a zone (it sends their tuple without it),
 * so the -U table has none.
 */
function sameUpdate(ns: string, args: string[]): { ours: Out; theirs: Out } {
  build(ns, UPDATE_TABLE);
  const theirs = conntrack(ns, args);
  const theirTable = lines(conntrack(ns, ["-L"]).stdout);
  build(ns, UPDATE_TABLE);
  const mine = ours(ns, args);
  const myTable = lines(conntrack(ns, ["-L"]).stdout);
  const what = args.join(" ");
  assert.equal(mine.code, theirs.code, `${what}: exit ${mine.code}, conntrack ${theirs.code}: ${mine.stderr}`);
  assert.deepEqual(summary(mine.stderr), summary(theirs.stderr), `${what}: stderr`);
  assert.deepEqual(myTable, theirTable, `${what}: the table afterwards`);
  const printed = lines(mine.stdout);
  for (const l of lines(theirs.stdout)) assert.ok(printed.includes(l), `${what}: prints ${l}`);
  const n = /(\d+) flow entries have been updated/.exec(mine.stderr)?.[1];
  assert.equal(printed.length, Number(n ?? 0), `${what}: one line per updated entry`);
  return { ours: mine, theirs };
}

const UPDATE_TABLE = TABLE.filter((e) => !e.includes("-w") && !e.includes("--orig-zone"));

test("ct -U: every filter updates (and prints) what conntrack updates, nothing more", { skip: SKIP }, async () => {
  await withTempNetns((ns) => {
    for (const f of UPDATE_FILTERS) {
      const { ours: mine } = sameUpdate(ns, ["-U", ...f, "-m", "77"]);
      const n = lines(mine.stdout).length;
      assert.ok(n > 0 && n < UPDATE_TABLE.length, `${f.join(" ")} updates some (${n})`);
    }
    // Options conntrack refuses on -U.
    for (const f of [["-w", "2"], ["--orig-zone", "3"], ["--reply-zone", "4"], ["-j"], ["-z"]]) {
      const { ours: mine } = sameUpdate(ns, ["-U", ...f, "-m", "1"]);
      assert.equal(mine.code, 2);
    }
  });
});

test("ct -U adds status bits, masks the mark and reports unchanged entries as conntrack does", {
  skip: SKIP,
}, async () => {
  await withTempNetns((ns) => {
    const tcp = (port: string) => ["-U", "-f", "ipv4", "-p", "tcp", "--sport", port];
    sameUpdate(ns, [...tcp("1004"), "-u", "ASSURED"]);
    sameUpdate(ns, [...tcp("1000"), "-u", "FIXED_TIMEOUT"]); // ASSURED stays
    sameUpdate(ns, [...tcp("1000"), "-m", "5"]); // unchanged: not counted, exit 1
    sameUpdate(ns, [...tcp("1000"), "-m", "0x10/0xf0"]);
    sameUpdate(ns, [...tcp("1004"), "--state", "TIME_WAIT"]);
    sameUpdate(ns, ["-U", "-s", "10.0.0.1", "-t", "500"]);
    // NAT with an address: conntrack also sends the address as a NAT change, which the kernel refuses.
    for (const f of [["-n", "1.2.3.4"], ["-g", "5.6.7.8:8080"], ["-g", "5.6.7.9"]]) {
      build(ns, UPDATE_TABLE);
      const want = lines(conntrack(ns, ["-L", ...f]).stdout).map((l) => l.replace(/mark=\d+/, "mark=77"));
      assert.equal(want.length, 1, f.join(" "));
      const r = ours(ns, ["-U", ...f, "-m", "77"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(conntrack(ns, ["-L", "-m", "77"]).stdout), want, f.join(" "));
    }
    // Without an address or -f, nlkit updates entries of both families (conntrack's requests fail there).
    build(ns, UPDATE_TABLE);
    const r = ours(ns, ["-U", "-p", "udp", "-m", "77"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /2 flow entries have been updated/);
    assert.deepEqual(
      lines(conntrack(ns, ["-L", "-m", "77"]).stdout).map((l) => l.split(" ").find((w) => w.startsWith("src="))),
      [
        "src=10.9.0.1",
        "src=::1",
      ],
    );
  });
});

test("ct refuses what conntrack's command-by-option table refuses, in its words and exit code", {
  skip: SKIP,
}, async () => {
  await withTempNetns((ns) => {
    const cases = [
      ["-C", "-s", "1.2.3.4"],
      ["-L", "-t", "5"],
      ["-S", "-p", "tcp"],
      ["-F", "-s", "10.0.0.1"],
      ["-E", "-t", "5"],
      ["-I", "-p", "tcp", "-s", "1.1.1.1"],
      ["-I", "-s", "1.1.1.1", "-d", "2.2.2.2", "-t", "5"],
      ["-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "-t", "5"],
      ["-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "-t", "5", "--state", "LISTEN", "--sport", "1"],
      ["-I", "-p", "icmp", "-s", "1.1.1.1", "-d", "2.2.2.2", "-t", "5"],
      ["-I", "-p", "tcp", "-s", "10.0.0.0/8", "-d", "2.2.2.2", "-t", "5", "--state", "LISTEN"],
      ["-G", "-p", "tcp", "-s", "1.1.1.1"],
      ["-G", "-p", "tcp", "-r", "1.1.1.1"],
      ["-U", "-w", "3"],
      ["-D", "-z"],
      ["-L", "-z", "-s", "10.0.0.1"],
      ["-L", "-r", "10.0.0.0/8"],
      ["-L", "--mask-src", "255.0.0.0"],
      ["-L", "-s", "10.0.0.0", "--mask-src", "::"],
      ["-L", "-f", "ipv6", "-s", "10.0.0.1"],
      ["-L", "foo"],
      ["-L", "-D"],
      ["-L", "-p", "foo"],
      ["-L", "-p", "300"],
      ["-L", "--sport", "1"],
      ["-L", "-p", "udp", "--state", "ESTABLISHED"],
      ["-L", "-p", "tcp", "--state", "bogus"],
      ["-L", "-o", "save,id"],
      ["-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "-t", "5", "-j", "1.2.3.4", "-n"],
      ["-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "-t", "5", "-n", "1.2.3.4:65536"],
      ["-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "-t", "5", "-n", "1.2.3.4:"],
      ["-I", "-p", "tcp", "-s", "::1", "-d", "::2", "-t", "5", "-g", "[::3"],
      ["-L", "-g", ":80"],
      ["-L", "-l", ""],
      ["-L", "expect", "-s", "1.1.1.1"],
      ["-V", "-s", "1.1.1.1"],
    ];
    for (const args of cases) {
      const theirs = conntrack(ns, args), mine = ours(ns, args);
      const what = args.join(" ");
      assert.notEqual(theirs.code, 0, `conntrack refuses ${what}`);
      assert.equal(mine.code, theirs.code, `${what}: ${mine.stderr}`);
      assert.deepEqual(summary(mine.stderr), summary(theirs.stderr), what);
      assert.equal(mine.stdout, "", what);
    }
  });
});

test("ct -V prints the version line in conntrack's format", () => {
  const r = nlkit(["ct", "-V"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^nlkit v[\d.]+ \(conntrack\)\n$/);
});

test("ct words are never object keys, and echoed control characters are escaped", () => {
  for (const w of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    const r = nlkit(["ct", w]);
    assert.equal(r.code, 2, w);
    assert.match(r.stderr, new RegExp(`Unknown command or option: "${w}"`));
    assert.doesNotMatch(r.stderr, /is not a function|\[native code\]/);
  }
  const r = nlkit(["ct", "-L", "-p", "x\x1b[31my\x07"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /`x\\x1b\[31my\\x07' unsupported protocol/);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f]/);
});

test("ct takes stray words as conntrack does, and protocols by /etc/protocols name or number", {
  skip: SKIP,
}, async () => {
  await withTempNetns((ns) => {
    build(ns, TABLE);
    for (
      const args of [["-L", "-p", "tcp", "foo", "bar"], ["-L", "-p", "igmp"], ["-L", "-p", "0x11"], [
        "-L",
        "-p",
        "ipv6-icmp",
      ]]
    ) {
      const theirs = conntrack(ns, args), mine = ours(ns, args);
      assert.equal(mine.code, theirs.code, args.join(" "));
      assert.deepEqual(lines(mine.stdout), lines(theirs.stdout), args.join(" "));
    }
    assert.match(ours(ns, ["-L", "-p", "tcp", "foo"]).stderr, /ignoring stray argument `foo'/);
    // An entry of a protocol conntrack knows only from /etc/protocols.
    same(ns, ["-I", "-p", "igmp", "-s", "10.1.1.1", "-d", "224.0.0.22", "-t", "50"], []);
  });
});

test("ct -I with NAT, zones, the reply tuple alone, ICMP reply tuples and LISTEN, as conntrack creates them", {
  skip: SKIP,
}, async () => {
  await withTempNetns((ns) => {
    const tcp = ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "50"];
    for (
      const extra of [
        ["--state", "ESTABLISHED", "--dst-nat", "10.9.9.9:8080"],
        ["--state", "ESTABLISHED", "--src-nat", "10.9.9.8:4000"],
        ["--state", "ESTABLISHED", "--src-nat", "10.9.9.8", "--dst-nat", "10.9.9.9"],
        ["--state", "ESTABLISHED", "--any-nat", "10.9.9.7"],
        ["--state", "ESTABLISHED", "--orig-zone", "3", "--reply-zone", "4"],
        ["--state", "ESTABLISHED", "-w", "7", "-m", "9"],
        ["--state", "ESTABLISHED", "-u", "ASSURED"], // not with -m: conntrack then sets the status bits as mark
        ["--state", "LISTEN"],
      ]
    ) same(ns, ["-I", ...tcp, ...extra], []);
    same(ns, [
      ...["-I", "-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1", "--dport", "2", "-t", "50"],
      ...["--state", "ESTABLISHED", "--dst-nat", "[2001:db8::9]:8080"],
    ], []);
    same(ns, [
      ...["-I", "-p", "tcp", "-r", "10.0.0.2", "-q", "10.0.0.1", "--reply-port-src", "80", "--reply-port-dst", "1000"],
      ...["-t", "50", "--state", "ESTABLISHED"],
    ], []);
    same(ns, [
      ...["-I", "-p", "icmp", "-s", "10.0.0.1", "-d", "10.0.0.3", "-r", "10.0.0.3", "-q", "10.0.0.1"],
      ...["--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "9", "-t", "50"],
    ], []);
    // -A adds, or leaves an existing entry alone and still succeeds.
    const add = ["-A", ...tcp, "--state", "ESTABLISHED"];
    same(ns, add, []);
    same(ns, add, [[...tcp.slice(0, -2), "--state", "ESTABLISHED"]]);
  });
});

/**
 * Runs `argv` in a private mount namespace whose /etc has an
 * `xtables/connlabel.conf` (conntrack reads label names only from there).
 */
function withLabels(conf: string, argv: string[]): Out {
  const script =
    'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/u,workdir=$1/w" /etc && mkdir -p /etc/xtables ' +
    '&& printf "%s" "$2" > /etc/xtables/connlabel.conf && shift 2 && exec "$@"';
  const dir = run("mktemp", ["-d"]).trim();
  try {
    run("mkdir", [`${dir}/u`, `${dir}/w`]);
    const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh", dir, conf, ...argv], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "" },
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  } finally {
    run("rm", ["-rf", dir]);
  }
}

test("ct -l, --label-add and --label-del select and change labels as conntrack does", {
  skip: SKIP || (!have("nft") && "nft is not installed") || (!have("unshare") && "unshare is not installed"),
}, async () => {
  await withTempNetns((ns) => {
    // A ct label rule makes the kernel give new entries label storage.
    const nft = (...a: string[]) => run("ip", ["netns", "exec", ns, "nft", ...a]);
    nft("add", "table", "inet", "nlkt");
    nft("add", "chain", "inet", "nlkt", "c", "{ type filter hook prerouting priority 0; }");
    nft("add", "rule", "inet", "nlkt", "c", "ct", "label", "set", "5");
    const conf = "1 red\n5 blue\n";
    const theirs = (args: string[]) => withLabels(conf, ["ip", "netns", "exec", ns, "conntrack", ...args]);
    const mine = (args: string[]) => withLabels(conf, [CLI[0], ...CLI[1], "-n", ns, "ct", ...args]);
    const table = () => {
      conntrack(ns, ["-F"]);
      for (const [port, label] of [["1", "red"], ["2", "blue"], ["3", "red,blue"], ["4", ""]]) {
        const extra = label ? ["--label-add", label] : [];
        const r = theirs([
          "-I",
          "-p",
          "udp",
          "-s",
          "10.0.0.1",
          "-d",
          "10.0.0.2",
          "--sport",
          port,
          "--dport",
          "9",
          "-t",
          "99",
          ...extra,
        ]);
        assert.equal(r.code, 0, r.stderr);
      }
    };
    for (
      const args of [
        ["-L", "-l", "red"],
        ["-L", "-l", "red,blue"],
        ["-L", "-o", "labels"],
        ["-D", "-l", "blue"],
        ["-U", "-f", "ipv4", "-p", "udp", "--sport", "4", "--label-add", "blue"],
        ["-U", "-f", "ipv4", "-l", "red", "--label-del", "red"],
        ["-U", "-f", "ipv4", "-p", "udp", "--sport", "3", "--label-del"],
        ["-L", "-l", "green"],
        ["-U", "--label-add", "red", "--label-del", "blue"],
      ]
    ) {
      table();
      const t = theirs(args);
      const tAfter = lines(theirs(["-L", "-o", "labels"]).stdout);
      table();
      const m = mine(args);
      const mAfter = lines(theirs(["-L", "-o", "labels"]).stdout);
      const what = args.join(" ");
      assert.equal(m.code, t.code, `${what}: ${m.stderr}`);
      assert.deepEqual(summary(m.stderr), summary(t.stderr), what);
      assert.deepEqual(mAfter, tAfter, what);
      // conntrack -U prints only some of what it updated (see sameUpdate).
      if (args[0] !== "-U") assert.deepEqual(lines(m.stdout), lines(t.stdout), what);
      else for (const l of lines(t.stdout)) assert.ok(lines(m.stdout).includes(l), `${what}: prints ${l}`);
    }
  });
});

test("ct -o save prints what conntrack prints, and -R replays it as conntrack -R does", { skip: SKIP }, async () => {
  await withTempNetns((ns) => {
    const noTimeout = (text: string) => text.split("\n").filter((l) => l).map((l) => l.replace(/ -t \d+/, "")).sort();
    build(ns, TABLE);
    const theirs = conntrack(ns, ["-L", "-o", "save"]);
    const mine = ours(ns, ["-L", "-o", "save"]);
    assert.equal(mine.code, 0, mine.stderr);
    assert.deepEqual(noTimeout(mine.stdout), noTimeout(theirs.stdout));
    assert.equal(noTimeout(mine.stdout).length, TABLE.length);
    // -D -o save prints the deleted entries as -D lines.
    same(ns, ["-D", "-o", "save", "-p", "udp"]);
    // Replaying the saved table (NAT, zones, ICMP and all) rebuilds it, as conntrack -R does.
    const dir = run("mktemp", ["-d"]).trim();
    try {
      const file = `${dir}/table`;
      writeFileSync(file, `# saved\n\n${theirs.stdout}-D -p udp -s 10.9.0.1\n`);
      conntrack(ns, ["-F"]);
      const t = conntrack(ns, ["-R", file]);
      const tTable = lines(conntrack(ns, ["-L"]).stdout);
      conntrack(ns, ["-F"]);
      const m = ours(ns, ["-R", file]);
      const mTable = lines(conntrack(ns, ["-L"]).stdout);
      assert.equal(m.code, t.code, m.stderr);
      assert.deepEqual(lines(m.stdout), lines(t.stdout));
      assert.deepEqual(mTable, tTable);
      assert.equal(mTable.length, TABLE.length - 1);
      // From stdin too.
      conntrack(ns, ["-F"]);
      const r = nlkit(["-n", ns, "ct", "-R", "-"], {}, theirs.stdout);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lines(conntrack(ns, ["-L"]).stdout).length, TABLE.length);
      // Only commands that change the table, refused before any runs, in conntrack's words.
      writeFileSync(file, "-F\n-L\n");
      const tBad = conntrack(ns, ["-R", file]), mBad = ours(ns, ["-R", file]);
      assert.equal(mBad.code, tBad.code);
      assert.deepEqual(summary(mBad.stderr), summary(tBad.stderr));
      assert.equal(lines(conntrack(ns, ["-L"]).stdout).length, TABLE.length, "nothing ran");
    } finally {
      run("rm", ["-rf", dir]);
    }
  });
});

test("ct -o ktimestamp prints the kernel's start time, -o timestamp does not on -L, as conntrack", {
  skip: SKIP,
}, async () => {
  await withTempNetns((ns) => {
    run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.netfilter.nf_conntrack_timestamp=1"]);
    build(ns, TABLE.slice(0, 3));
    for (const o of ["ktimestamp", "timestamp", "extended,id", "ktimestamp,extended"]) {
      const strip = (t: string) => lines(t).map((l) => l.replace(/delta-time=\d+/, "delta-time=D"));
      const theirs = conntrack(ns, ["-L", "-o", o]), mine = ours(ns, ["-L", "-o", o]);
      assert.equal(mine.code, theirs.code, o);
      assert.deepEqual(strip(mine.stdout), strip(theirs.stdout), o);
    }
    assert.match(ours(ns, ["-L", "-o", "ktimestamp"]).stdout, /\[start=\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\]/);
  });
});

test("ct -o xml prints libnetfilter_conntrack's XML as conntrack does, on -L, -G and -D", { skip: SKIP }, async () => {
  await withTempNetns((ns) => {
    run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.netfilter.nf_conntrack_timestamp=1"]);
    const xml = (t: string) =>
      t.split("\n").filter((l) => l).map((l) =>
        l.replace(/<timeout>\d+/, "<timeout>T").replace(/<deltatime>\d+/, "<deltatime>D")
      ).sort();
    build(ns, TABLE);
    for (
      const args of [["-L", "-o", "xml"], ["-L", "-o", "xml,ktimestamp"], [
        "-L",
        "-o",
        "xml",
        "-p",
        "tcp",
        "--sport",
        "1000",
      ]]
    ) {
      const theirs = conntrack(ns, args), mine = ours(ns, args);
      assert.equal(mine.code, theirs.code, args.join(" "));
      assert.deepEqual(xml(mine.stdout), xml(theirs.stdout), args.join(" "));
      assert.match(mine.stdout, /^<\?xml version="1.0" encoding="utf-8"\?>\n<conntrack>\n<flow>.*<\/conntrack>\n$/s);
    }
    const get = [
      "-G",
      "-o",
      "xml",
      "-p",
      "icmp",
      "-s",
      "10.0.0.1",
      "-d",
      "10.0.0.3",
      "--icmp-type",
      "8",
      "--icmp-code",
      "0",
    ]
      .concat(["--icmp-id", "7"]);
    assert.deepEqual(xml(ours(ns, get).stdout), xml(conntrack(ns, get).stdout));
    // -D prints its flows without the document header, as conntrack does; ids differ between the two tables.
    const noId = (t: string) => xml(t).map((l) => l.replace(/<id>\d+/, "<id>I").replace(/<deltatime>\d+/, ""));
    const del = ["-D", "-o", "xml", "-p", "udp"];
    const theirs = conntrack(ns, del);
    build(ns, TABLE);
    const mine = ours(ns, del);
    assert.equal(mine.code, theirs.code);
    assert.deepEqual(noId(mine.stdout), noId(theirs.stdout));
    assert.match(mine.stdout, /^<flow>/);
  });
});

test("ct without CAP_NET_ADMIN fails in conntrack's words", {
  skip: NEEDS_ROOT || (!have("setpriv") && "setpriv is not installed") || (!have("conntrack") && "no conntrack"),
}, () => {
  const nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
  const home = run("mktemp", ["-d"]).trim();
  try {
    run("chmod", ["777", home]);
    const env = { ...process.env, HOME: home, DENO_DIR: `${home}/deno`, NO_COLOR: "" };
    const theirs = spawnSync("setpriv", [...nobody, "conntrack", "-L"], { encoding: "utf8" });
    const mine = spawnSync("setpriv", [...nobody, CLI[0], ...CLI[1], "ct", "-L"], { encoding: "utf8", env, cwd: ROOT });
    assert.equal(mine.status, theirs.status);
    assert.deepEqual(summary(mine.stderr), summary(theirs.stderr));
    assert.match(mine.stderr, /sorry, you must be root or get CAP_NET_ADMIN capability to do this/);
  } finally {
    run("rm", ["-rf", home]);
  }
});

/** Follows `nlkit ct -E ARGS` until it has printed `lines` lines, poking the table until the subscription shows. */
async function followEvents(ns: string, args: string[], act: () => void): Promise<Out> {
  const child = spawn(CLI[0], [...CLI[1], "-n", ns, "ct", "-E", ...args], { env: { ...process.env, NO_COLOR: "" } });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => stdout += d);
  child.stderr.on("data", (d) => stderr += d);
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  const probe = ["-p", "udp", "-s", "10.99.0.1", "-d", "10.99.0.2", "--sport", "9", "--dport", "9", "-t", "9"];
  // Ready once a probe entry shows up; then the probes are dropped from what is compared.
  while (!stdout.includes("10.99.0.1")) {
    conntrack(ns, ["-I", ...probe]);
    conntrack(ns, ["-D", "-s", "10.99.0.1"]);
    await new Promise((r) => setTimeout(r, 100));
  }
  const skip = stdout.length;
  act();
  while (stdout.slice(skip).split("\n").length < 3) await new Promise((r) => setTimeout(r, 50));
  process.kill(child.pid!, "SIGINT");
  const code = await exited;
  return { code, stdout: stdout.slice(skip).split("\n").filter((l) => !l.includes("10.99.0.1")).join("\n"), stderr };
}

test("ct -E -o timestamp prefixes microseconds, and events caused by a process show its port id", {
  skip: SKIP,
}, async () => {
  await withTempNetns(async (ns) => {
    const r = await followEvents(ns, ["-o", "timestamp"], () => {
      conntrack(ns, [
        "-I",
        "-p",
        "udp",
        "-s",
        "10.0.0.1",
        "-d",
        "10.0.0.2",
        "--sport",
        "1",
        "--dport",
        "2",
        "-t",
        "30",
      ]);
      conntrack(ns, ["-D", "-p", "udp", "-s", "10.0.0.1"]);
    });
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout.split("\n").filter((l) => l);
    assert.equal(got.length, 2, r.stdout);
    const re = (kind: string) =>
      new RegExp(
        `^\\[\\d{10}\\.\\d{6}\\]\\t\\s*\\[${kind}\\] udp      17 .*src=10\\.0\\.0\\.1 .* \\[USERSPACE\\] portid=\\d+$`,
      );
    assert.match(got[0], re("NEW"));
    assert.match(got[1], re("DESTROY"));
  });
});
