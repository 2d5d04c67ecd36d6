/**
 * The CLI's core: iproute2's abbreviations (its matches() and the order of
 * its tables), ip's global options, words that are never object keys,
 * escaped control characters, and random argv through the whole dispatcher.
 * Subprocess tests use `nlkit()` from `_cli.ts`, so they also run on the
 * compiled binary (`NLKIT_BIN=dist/nlkit`); each is compared with `ip` in
 * the same throwaway namespace, exit codes included (ip's 255 for a bad
 * word is nlkit's 2).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { nlkit, ok } from "./_cli.ts";
import { ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { UsageError } from "../src/cli/args.ts";
import { pickWord, wordTable } from "../src/cli/aliases.ts";
import { NoDeviceError } from "../src/cli/errors.ts";
import { parseGlobal } from "../src/cli/global.ts";
import { run as runCli } from "../src/cli/main.ts";
import { commandTable, pickObject } from "../src/cli/objects.ts";
import { Output } from "../src/cli/output.ts";
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET } from "../src/wire/addr.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { SysError } from "../src/sys/sys.ts";

/** Runs `ip ARGS` and returns its exit code and output (ip exits 255 on a bad word). */
function ipRun(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("ip", args, { encoding: "utf8", input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Object and command chosen for a command line, read off iproute2's sources (ip.c and each do_*). */
function chosen(words: string[]): string {
  const o = pickObject(words[0]);
  if (!o) return "?";
  if (words.length < 2) return o.name;
  return `${o.name} ${pickWord(commandTable(o.entry), words[1])?.name ?? "?"}`;
}

test("objects resolve in iproute2's order: any prefix, first match wins", () => {
  const cases: [string, string][] = [
    ["a", "addr"],
    ["ad", "addr"],
    ["addr", "addr"],
    ["address", "addr"],
    ["addrl", "addrlabel"],
    ["m", "maddress"],
    ["mo", "monitor"],
    ["r", "route"],
    ["ro", "route"],
    ["ru", "rule"],
    ["n", "neigh"],
    ["ne", "neigh"],
    ["neighbour", "neigh"],
    ["nt", "ntable"],
    ["ntbl", "ntable"],
    ["l", "link"],
    ["li", "link"],
    ["l2", "l2tp"],
    ["t", "tunnel"],
    ["tunt", "tuntap"],
    ["tap", "tuntap"],
    ["x", "xfrm"],
    ["mr", "mroute"],
    ["net", "netns"],
    ["netc", "netconf"],
    ["nex", "nexthop"],
    ["nh", "nexthop"],
    ["s", "sr"],
    ["st", "stats"],
    ["h", "help"],
    ["ct", "ct"],
    ["conntrack", "ct"],
  ];
  for (const [word, name] of cases) assert.equal(pickObject(word)?.name, name, word);
  // A second spelling is the same object: same handler, commands and families.
  for (const [word, other] of [["neighbour", "neighbor"], ["ntbl", "ntable"], ["tap", "tuntap"], ["nh", "nexthop"]]) {
    const { word: _a, ...a } = pickObject(word)!.entry;
    const { word: _b, name: _n, ...b } = pickObject(other)!.entry;
    assert.deepEqual({ ...a, name: undefined }, { ...b, name: undefined }, word);
  }
  for (const word of ["", "foo", "linkk", "toString", "__proto__", "constructor", "ip"]) {
    assert.equal(pickObject(word), undefined, word);
  }
});

test("commands resolve in the order of each object's do_* function", () => {
  const cases: [string[], string][] = [
    [["a", "s"], "addr show"],
    [["a", "l"], "addr show"],
    [["a", "ls"], "addr show"],
    [["a", "a"], "addr add"],
    [["a", "c"], "addr change"],
    [["a", "chg"], "addr change"],
    [["a", "r"], "addr replace"],
    [["a", "d"], "addr del"],
    [["a", "f"], "addr flush"],
    [["a", "sa"], "addr save"],
    [["a", "showd"], "addr showdump"],
    [["link", "s"], "link set"],
    [["link", "sh"], "link show"],
    [["link", "c"], "link set"],
    [["link", "l"], "link show"],
    [["link", "ls"], "link show"],
    [["link", "d"], "link del"],
    [["link", "r"], "link replace"],
    [["link", "x"], "link xstats"],
    [["r", "s"], "route show"],
    [["r", "g"], "route get"],
    [["r", "a"], "route add"],
    [["r", "ap"], "route append"],
    [["r", "p"], "route prepend"],
    [["r", "t"], "route test"],
    [["r", "r"], "route replace"],
    [["r", "res"], "route restore"],
    [["r", "d"], "route del"],
    [["r", "f"], "route flush"],
    [["n", "s"], "neigh show"],
    [["n", "g"], "neigh get"],
    [["n", "c"], "neigh change"],
    [["ru", "s"], "rule show"],
    [["ru", "sa"], "rule save"],
    [["ru", "r"], "rule restore"],
    [["ru", "d"], "rule del"],
    [["netns", "l"], "netns show"],
    [["netns", "list-"], "netns list-id"],
    [["netns", "s"], "netns show"],
    [["netns", "se"], "netns set"],
    [["netns", "a"], "netns add"],
    [["netns", "at"], "netns attach"],
    [["netns", "e"], "netns exec"],
    [["netns", "i"], "netns identify"],
    [["link", "h"], "link help"],
  ];
  for (const [words, name] of cases) assert.equal(chosen(words), name, words.join(" "));
  for (const words of [["a", "chgx"], ["a", ""], ["link", "toString"], ["r", "constructor"], ["ru", "sh0w"]]) {
    assert.equal(chosen(words).endsWith("?"), true, words.join(" "));
  }
});

test("global options match as ip matches them, in ip's order", () => {
  const p = (...argv: string[]) => parseGlobal(argv);
  assert.equal(p("-s", "-stat", "-statistics", "link").opts.stats, 3);
  assert.equal(p("-d", "-details", "link").opts.details, 2);
  assert.deepEqual([p("-j").opts.json, p("-json").opts.json, p("--json").opts.json], [true, true, true]);
  assert.deepEqual([p("-p").opts.pretty, p("-pretty").opts.pretty], [true, true]);
  assert.equal(p("-b", "f").opts.batch, "f");
  assert.equal(p("-batch", "f").opts.batch, "f");
  assert.deepEqual([p("-br").opts.brief, p("-b", "x").opts.brief], [true, false]);
  assert.deepEqual([p("-o").opts.oneline, p("-oneline").opts.oneline], [true, true]);
  assert.deepEqual([p("-t").opts.timestamp, p("-t").opts.timestampShort], [1, false]);
  assert.deepEqual([p("-ts").opts.timestamp, p("-ts").opts.timestampShort], [1, true]);
  assert.deepEqual([p("-tshort").opts.timestampShort, p("-timestamp").opts.timestamp], [true, 1]);
  assert.equal(p("-n", "lab").opts.netns, "lab");
  assert.equal(p("-netns", "lab").opts.netns, "lab");
  assert.equal(p("-force").opts.force, true);
  assert.equal(p("-V").opts.version, true);
  assert.equal(p("-Version").opts.version, true);
  assert.equal(p("--version").opts.version, true);
  assert.equal(p("-help").opts.help, true);
  assert.equal(p("-f", "help").opts.help, true);
  const families: [string[], number][] = [
    [["-4"], AF_INET],
    [["-6"], AF_INET6],
    [["-0"], AF_PACKET],
    [["-M"], AF_MPLS],
    [["-B"], AF_BRIDGE],
    [["-f", "inet"], AF_INET],
    [["-family", "inet6"], AF_INET6],
    [["-f", "link"], AF_PACKET],
    [["-f", "mpls"], AF_MPLS],
    [["-f", "bridge"], AF_BRIDGE],
    [["-4", "-6"], AF_INET6],
  ];
  for (const [argv, af] of families) assert.equal(p(...argv).opts.family, af, argv.join(" "));
  assert.throws(() => p("-f", "ipx"), /argument "ipx" is wrong: invalid protocol family/);
  assert.throws(() => p("-f"), /Missing family after "-f"/);
  // Colour: ip's default is never; -c alone is always; the last one wins.
  assert.equal(p().opts.color, "never");
  for (const w of ["-c", "-co", "-color", "--color", "-c=always", "-color=always", "--color="]) {
    assert.equal(p(w).opts.color, "always", w);
  }
  assert.equal(p("-c=auto").opts.color, "auto");
  assert.equal(p("--color=never").opts.color, "never");
  assert.equal(p("-c", "-c=never").opts.color, "never");
  assert.throws(() => p("-c=sometimes"), /Option "-c=sometimes" is unknown, try "nlkit -help"/);
  // What ip has and nlkit refuses (checked by main once an object follows).
  const refused: [string[], string][] = [
    [["-h"], "-human"],
    [["-human-readable"], "-human-readable"],
    [["-i"], "-iec"],
    [["-r"], "-resolve"],
    [["-rc", "1"], "-rcvbuf"],
    [["-l", "3"], "-loops"],
    [["-"], "-loops"],
    [["-N"], "-Numeric"],
    [["-a"], "-all"],
    [["-echo"], "-echo"],
  ];
  for (const [argv, name] of refused) assert.equal(p(...argv, "link").refused, name, argv.join(" "));
  assert.throws(() => p("-e"), /Option "-e" is unknown, try "nlkit -help"/);
  assert.throws(() => p("---json"), /Option "---json" is unknown/);
  // `--` ends the options.
  assert.deepEqual(p("-j", "--", "-s", "link").rest, ["-s", "link"]);
  assert.equal(p("-j", "--", "-s").opts.stats, 0);
});

test("abbreviated show commands print what ip prints", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    setUp(ns);
    const lines = [
      ["a"],
      ["ad", "s"],
      ["a", "ls"],
      ["a", "l"],
      ["addr", "lst"],
      ["a", "s", "dev", "d0"],
      ["l"],
      ["li"],
      ["link", "sh"],
      ["link", "l"],
      ["link", "ls", "d0"],
      ["r"],
      ["ro"],
      ["r", "s"],
      ["r", "l"],
      ["r", "s", "table", "all"],
      ["ru"],
      ["ru", "s"],
      ["ru", "l"],
      ["n"],
      ["ne", "s"],
      ["neighbour"],
      ["r", "g", "10.1.0.5"],
    ];
    for (const words of lines) {
      const theirs = ipRun(["-n", ns, ...words]);
      const ours = nlkit(["-n", ns, ...words]);
      assert.equal(theirs.code, 0, `ip ${words.join(" ")}: ${theirs.stderr}`);
      assert.equal(ours.code, 0, `nlkit ${words.join(" ")}: ${ours.stderr}`);
      assert.equal(ours.stdout, theirs.stdout, words.join(" "));
    }
  });
});

/** The lines of `text`, sorted. */
function lines(text: string): string[] {
  return text.split("\n").sort();
}

/** A namespace whose show output does not depend on chance (fixed MACs; this kernel has no dummy). */
function setUp(ns: string): void {
  // No duplicate address detection: a link-local address would be "tentative" in one run and not the next.
  run("ip", [
    "netns",
    "exec",
    ns,
    "sysctl",
    "-qw",
    "net.ipv6.conf.default.accept_dad=0",
    "net.ipv6.conf.all.accept_dad=0",
  ]);
  ip(ns, "link", "set", "lo", "up");
  ip(
    ns,
    "link",
    "add",
    "d0",
    "address",
    "02:00:00:00:00:01",
    "type",
    "veth",
    "peer",
    "d1",
    "address",
    "02:00:00:00:00:02",
  );
  ip(ns, "link", "set", "d0", "up");
  ip(ns, "link", "set", "d1", "up");
  ip(ns, "addr", "add", "10.1.0.1/24", "dev", "d0");
  ip(ns, "addr", "add", "2001:db8::1/64", "dev", "d0", "nodad");
  ip(ns, "route", "add", "10.2.0.0/16", "via", "10.1.0.2");
  ip(ns, "neigh", "add", "10.1.0.7", "lladdr", "02:00:00:00:00:07", "dev", "d0");
  ip(ns, "rule", "add", "from", "10.9.0.0/16", "table", "100", "priority", "100");
}

test("abbreviated changes do what ip does with the same words", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (theirs) => {
    await withTempNetns((ours) => {
      setUp(theirs);
      setUp(ours);
      const steps: [string[], string[]][] = [
        [["link", "s", "d0", "mtu", "1400"], ["link", "show"]],
        [["link", "c", "d0", "mtu", "1300"], ["link", "show"]],
        [["a", "a", "10.9.0.1/24", "dev", "d0"], ["addr", "show"]],
        [["a", "r", "10.9.0.1/24", "dev", "d0", "valid_lft", "forever"], ["addr", "show"]],
        [["a", "d", "10.9.0.1/24", "dev", "d0"], ["addr", "show"]],
        [["r", "a", "10.10.0.0/16", "dev", "d0"], ["route", "show"]],
        [["r", "re", "10.10.0.0/16", "via", "10.1.0.3"], ["route", "show"]],
        [["r", "d", "10.10.0.0/16"], ["route", "show"]],
        [["n", "a", "10.1.0.77", "lladdr", "02:00:00:00:00:77", "dev", "d0"], ["neigh", "show"]],
        [["n", "r", "10.1.0.77", "lladdr", "02:00:00:00:00:78", "dev", "d0"], ["neigh", "show"]],
        [["n", "d", "10.1.0.77", "dev", "d0"], ["neigh", "show"]],
        [["ru", "a", "from", "10.20.0.0/16", "table", "5"], ["rule", "show"]],
        [["ru", "d", "from", "10.20.0.0/16", "table", "5"], ["rule", "show"]],
        [["a", "f", "dev", "d0"], ["addr", "show"]],
      ];
      for (const [words, show] of steps) {
        const r = ipRun(["-n", theirs, ...words]);
        assert.equal(r.code, 0, `ip ${words.join(" ")}: ${r.stderr}`);
        ok(ours, ...words);
        // Sorted: neighbours list in hash order, which differs between namespaces.
        assert.deepEqual(lines(ip(ours, ...show)), lines(ip(theirs, ...show)), words.join(" "));
      }
    });
  });
});

test("unknown words exit 2 where ip fails, in ip's words", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    // ip exits 1 for an unknown object (do_cmd returns EXIT_FAILURE), 255 for a command or option.
    const cases: [string[], number][] = [
      [["foo"], 1],
      [["toString"], 1],
      [["__proto__"], 1],
      [["link", "foo"], 255],
      [["link", "constructor"], 255],
      [["a", "zzz"], 255],
      [["r", "hasOwnProperty"], 255],
      [["ru", "valueOf"], 255],
      [["-zz", "link"], 255],
      [["-e", "link"], 255],
    ];
    for (const [words, ipCode] of cases) {
      const theirs = ipRun(["-n", ns, ...words]);
      const ours = nlkit(["-n", ns, ...words]);
      assert.equal(theirs.code, ipCode, `ip ${words.join(" ")}`);
      assert.equal(ours.code, 2, `nlkit ${words.join(" ")}: ${ours.stderr}`);
      assert.equal(ours.stderr, theirs.stderr.replaceAll(`"ip `, `"nlkit `), words.join(" "));
    }
    // With a suggestion when a word is close.
    assert.match(nlkit(["lnik"]).stderr, /^Object "lnik" is unknown, try "nlkit help" \(did you mean "link"\?\)\.$/m);
    assert.match(nlkit(["link", "shwo"]).stderr, /^Command "shwo" is unknown, .*"show"/m);
  });
});

test("help OBJECT is OBJECT help, as in ip, and objects nlkit lacks are refused", () => {
  for (const [a, b] of [[["help", "ro"], ["route", "help"]], [["h", "li"], ["link", "h"]], [["help"], ["-h"]]]) {
    const r = nlkit(a);
    assert.equal(r.code, 0, a.join(" "));
    assert.equal(r.stdout, nlkit(b).stdout, a.join(" "));
  }
  assert.match(nlkit(["help", "route"]).stdout, /^Usage: nlkit route/);
  for (const words of [["addrl"], ["tunnel", "show"], ["help", "xfrm"], ["help", "zz"]]) {
    const r = nlkit(words);
    assert.equal(r.code, 2, words.join(" "));
    assert.match(r.stderr, /^Object "\w+" is (not supported by nlkit|unknown), try "nlkit help"/, words.join(" "));
  }
});

test("words are never looked up as object keys anywhere in the CLI", () => {
  const cases = [
    ["toString"],
    ["monitor", "toString"],
    ["monitor", "__proto__"],
    ["link", "constructor"],
    ["__proto__"],
    ["ct", "toString"],
    ["ct", "-L", "-o", "toString"],
    ["link", "add", "x", "type", "toString"],
    ["link", "add", "x", "type", "__proto__"],
    ["link", "show", "toString", "hasOwnProperty"],
    ["route", "add", "10.0.0.0/8", "constructor", "x"],
    ["-f", "toString", "link"],
    ["-c=toString", "link"],
  ];
  for (const words of cases) {
    const r = nlkit(words);
    assert.equal(r.code, 2, `${words.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /function|native code|is not|undefined|\[object/, words.join(" "));
  }
});

test("control characters in echoed input are escaped", () => {
  const esc = String.fromCharCode(27);
  const cases: [string[], string][] = [
    [[`x${esc}[31my`], `x\\x1b[31my`],
    [["link", `s\x07\x7f`], `s\\x07\\x7f`],
    [["link", "show", "dev", `a${esc}]0;pwned\x07b`], `a\\x1b]0;pwned\\x07b`],
    [["link", "show", "dev", "a\nb"], `a\\x0ab`],
    [[`-z${esc}`], `-z\\x1b`],
    [["ct", "-L", `-${esc}`], `-\\x1b`],
    [["-b", `/nonexistent${esc}`], `/nonexistent\\x1b`],
  ];
  for (const [words, shown] of cases) {
    const r = nlkit(words);
    assert.notEqual(r.code, 0, words.join(" "));
    assert.ok(r.stderr.includes(shown), `${JSON.stringify(r.stderr)} should show ${shown}`);
    // deno-lint-ignore no-control-regex -- no control character but the final newlines
    assert.doesNotMatch(r.stderr, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, JSON.stringify(r.stderr));
  }
});

test("every global option is applied or refused, compared with ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    setUp(ns);
    // Applied: the same text as ip with the same options.
    const same = [
      ["-s", "link", "show", "lo"],
      ["-s", "-s", "link", "show", "lo"],
      ["-statistics", "link", "show", "lo"],
      ["-d", "link", "show", "d0"],
      ["-details", "link", "show", "d0"],
      ["-family", "inet", "route"],
      ["-6", "route", "show"],
      ["-4", "neigh"],
      ["-6", "rule"],
      ["-0", "link"],
      ["-f", "link", "link"],
      ["-t", "link", "show", "lo"],
      ["-ts", "link", "show", "lo"],
      ["-force", "link", "show", "lo"],
      ["--", "link", "show", "lo"],
      ["-c=never", "link", "show"],
      ["-c=auto", "link", "show"],
    ];
    for (const words of same) {
      const theirs = ipRun(["-n", ns, ...words]);
      const ours = nlkit(["-n", ns, ...words]);
      assert.equal(ours.code, theirs.code, `${words.join(" ")}: ${ours.stderr}`);
      assert.equal(ours.stdout, theirs.stdout, words.join(" "));
    }
    // Address lines as ip selects them (the link lines are the "ipshow" engineer's).
    const addresses = (text: string) => text.split("\n").filter((l) => /^\s+inet6? /.test(l));
    for (const words of [["-4", "addr", "show"], ["-6", "addr", "show"], ["-f", "inet6", "addr"]]) {
      assert.deepEqual(addresses(ok(ns, ...words)), addresses(ip(ns, ...words)), words.join(" "));
    }
    // A filter that selects less than the whole table, so ignoring it would show more.
    assert.notEqual(ok(ns, "-4", "addr", "show"), ok(ns, "addr", "show"));
    assert.notEqual(ok(ns, "-f", "inet6", "route", "show"), ok(ns, "route", "show"));
    // JSON, pretty JSON, colour, version.
    for (const o of ["-j", "-json", "--json", "-js"]) {
      assert.deepEqual(JSON.parse(ok(ns, o, "link", "show")), JSON.parse(ip(ns, "-j", "link", "show")), o);
    }
    assert.match(ok(ns, "-j", "-p", "link", "show"), /^\[ \{\n|^\[\n\s+\{/);
    const ESC = String.fromCharCode(27) + "[";
    for (const o of ["-c", "-color", "-c=always", "--color=always"]) assert.ok(ok(ns, o, "link").includes(ESC), o);
    for (const o of ["-c=never", "-c=auto", "--color=auto"]) assert.ok(!ok(ns, o, "link").includes(ESC), o);
    assert.ok(!ok(ns, "-c", "-j", "link").includes(ESC), "-j turns colour off, as in ip");
    for (const o of ["-V", "-Version", "-Ver", "--version"]) assert.match(nlkit([o]).stdout, /^nlkit \d+\.\d+\.\d+/, o);
    // Refused, where nlkit does not apply what ip would.
    const refused = [
      ["-h", "link"],
      ["-iec", "link"],
      ["-r", "route"],
      ["-N", "route"],
      ["-a", "link"],
      ["-echo", "link", "show"],
      ["-l", "3", "addr", "flush", "dev", "d0"],
      ["-rc", "1000000", "link"],
      ["-0", "route"],
      ["-B", "link"],
      ["-M", "addr"],
      ["-4", "genl", "ctrl", "list"],
      ["-6", "ct", "-L"],
    ];
    for (const words of refused) {
      const r = nlkit(["-n", ns, ...words]);
      assert.equal(r.code, 2, `${words.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /is not supported by nlkit|Cannot use family/, words.join(" "));
    }
    assert.equal(ip(ns, "addr", "show", "dev", "d0").includes("10.1.0.1"), true, "a refused flush changed nothing");
    // Options alone print the usage, as ip does (ip with exit 255).
    for (const o of [["-h"], ["-s"], ["-help"], ["--help"]]) assert.match(nlkit(o).stdout, /^Usage: nlkit/, o[0]);
  });
});

test("batch mode and -force exit as ip does", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const dir = mkdtempSync(join(tmpdir(), "nlkit-core-"));
    const file = join(dir, "batch");
    writeFileSync(file, "link show zz\nlink show lo\n");
    for (const opts of [["-b", file], ["-batch", file], ["-force", "-b", file], ["-fo", "-bat", file]]) {
      const theirs = ipRun(["-n", ns, ...opts]);
      const ours = nlkit(["-n", ns, ...opts]);
      assert.equal(ours.code, theirs.code, opts.join(" "));
      assert.equal(ours.stdout, theirs.stdout, opts.join(" "));
      assert.equal(ours.stderr, theirs.stderr, opts.join(" "));
    }
  });
});

/** Captures an Output's text instead of writing a descriptor. */
class Capture extends Output {
  text = "";
  constructor() {
    super(1);
  }
  override write(text: string): void {
    this.text += text;
  }
  override flush(): void {}
}

/** Messages of errors the engine throws on a bug (V8 and JavaScriptCore wording). */
const ENGINE_BUG =
  /is not a function|Cannot read propert|undefined is not|null is not|is not an object|is not iterable|is not a constructor|Cannot convert (undefined|null)|Maximum call stack|is not defined|Cannot destructure|before initialization/;

const OBJECT_WORDS = ["a", "addr", "r", "ro", "route", "ru", "rule", "n", "neigh", "l", "link", "mo", "monitor", "ct"];
const VOCABULARY = [
  ...OBJECT_WORDS,
  ...["m", "t", "x", "h", "help", "s", "sh", "show", "ls", "list", "add", "a", "set", "se", "del", "d", "get", "g"],
  ...["flush", "f", "replace", "change", "c", "append", "save", "restore", "exec", "xstats", "--help", "-h"],
  ...["dev", "lo", "d0", "type", "veth", "vlan", "bridge", "vxlan", "peer", "name", "id", "mtu", "1500", "up"],
  ...["down", "master", "to", "from", "via", "table", "all", "main", "local", "proto", "scope", "metric", "nud"],
  ...["permanent", "proxy", "lladdr", "10.0.0.1", "10.0.0.0/8", "::1", "fe80::/64", "default", "0x10/0xff"],
  ...["-L", "-D", "-G", "-I", "-U", "-E", "-F", "-C", "-S", "-s", "-d", "-p", "tcp", "udp", "--dport", "80"],
  ...["-o", "extended", "xml", "-e", "NEW", "-m", "-u", "ASSURED", "-w", "-f", "ipv4", "expect", "-z", "-l"],
  ...["", " ", "\x1b", "-"],
];
/** Names every object has through its prototype: never a table key. */
const PROTO_WORDS = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"];
const GLOBALS = ["-j", "-p", "-d", "-s", "-4", "-6", "-0", "-B", "-c", "-t", "-ts", "-br", "-o", "-force", "-zz", "-h"];

test("random argv through the whole dispatcher gives only typed errors", async () => {
  // A namespace that does not exist: every command that gets past its parser fails opening it, so
  // nothing runs anywhere. netns (host-wide /run/netns) and batch/restore files are left out.
  const nowhere = `nlkit-absent-${Date.now()}`;
  const junk = fc.string({ maxLength: 6 }).filter((w) => !w.startsWith("-"));
  const word = fc.oneof(
    { arbitrary: fc.constantFrom(...VOCABULARY), weight: 4 },
    { arbitrary: fc.constantFrom(...PROTO_WORDS), weight: 2 },
    { arbitrary: junk, weight: 1 },
  );
  const argv = fc.tuple(
    fc.array(fc.constantFrom(...GLOBALS), { maxLength: 3 }),
    fc.oneof({ arbitrary: fc.constantFrom(...OBJECT_WORDS), weight: 4 }, { arbitrary: word, weight: 1 }),
    fc.array(word, { maxLength: 6 }),
  ).map(([g, o, w]) => [...g, o, ...w]).filter((a) => {
    const object = a.find((w) => !GLOBALS.includes(w));
    return object === undefined || pickObject(object)?.name !== "netns";
  });
  await fc.assert(
    fc.asyncProperty(argv, async (words) => {
      const out = new Capture(), err = new Capture();
      let code: number;
      try {
        code = await runCli(["-n", nowhere, ...words], out, err);
      } catch (e) {
        const typed = e instanceof UsageError || e instanceof NoDeviceError || e instanceof NetlinkError ||
          e instanceof SysError || ((e instanceof TypeError || e instanceof RangeError) && !ENGINE_BUG.test(e.message));
        assert.ok(typed, `${JSON.stringify(words)}: ${(e as Error)?.stack ?? e}`);
        code = 1;
      }
      assert.ok([0, 1, 2].includes(code), `${JSON.stringify(words)}: exit ${code}`);
      assert.doesNotMatch(err.text, ENGINE_BUG, `${JSON.stringify(words)}: ${err.text}`);
    }),
    { numRuns: 1500 },
  );
});

test("wordTable: entries between any number of spaces, with =name and a trailing ! for whole words only", () => {
  assert.deepEqual(wordTable(" add  chg=change!   delete=del "), [
    { word: "add", name: "add", exact: false },
    { word: "chg", name: "change", exact: true },
    { word: "delete", name: "del", exact: false },
  ]);
});
