/**
 * nft's listing flags that change how values print, `-n`, `-p`, `-S`, `-N`
 * and `-u`, against nft 1.0.6: one namespace, one ruleset, and for each
 * flag (and all together) nlkit's text and JSON equal nft's, while nft's
 * own output with the flag differs from its output without it, so an
 * ignored flag fails.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nlkit, ok } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { jsonObjects, loadRuleset, nft, NFT_SKIP, nftJson } from "./_nft.ts";
import { describeText } from "../src/cli/nft_describe.ts";
import { setNftOutput } from "../src/netfilter/nftables/json/output.ts";
import { NFT_TYPES } from "../src/netfilter/nftables/json/types.ts";
import { renderValue } from "../src/netfilter/nftables/json/value_codec.ts";

const RULESET = `
table inet t {
	set ports { type inet_service; elements = { 22, 80, 443 }; }
	set protos { type inet_proto; elements = { 6, 17 }; }
	set hosts { type ipv4_addr; elements = { 127.0.0.1, 10.0.0.1 }; }
	set states { type ct_state; elements = { established, related }; }
	set users { type uid; elements = { 0, 1 }; }
	chain c {
		type filter hook input priority filter + 5; policy accept;
		tcp dport 22 tcp sport 1-1024 accept
		tcp dport { 80, 443 } accept
		udp sport 53 th dport != 22 accept
		meta l4proto { tcp, udp } ct protocol tcp accept
		ip protocol icmp accept
		ip6 nexthdr tcp accept
		ip saddr 127.0.0.1 ip daddr 10.0.0.1 accept
		ip6 saddr ::1 accept
		ip saddr . tcp dport { 127.0.0.1 . 22 } accept
		ct state established,related ct state new ct direction original accept
		meta skuid 0 meta skgid 0 meta skuid 1-5 accept
		meta pkttype host meta nfproto ipv4 meta iiftype ether meta day "Monday" accept
		icmp type echo-request ip dscp cs1 ether type ip accept
		tcp flags syn accept
		tcp flags & (syn | ack) == syn | ack ct state 0x20 accept
		ip ecn ce ip dscp 0x03 accept
		meta iifgroup default fib daddr type local ct status snat ip option ra exists accept
		ether type 0x1234 ct expiration 30s accept
		ip dscp set af11
		ct event set new,related
		meta nfproto ipv6 reject with icmpv6 port-unreachable
		reject with icmpx port-unreachable
	}
}
table ip t {
	chain c {
		reject
		reject with icmp host-unreachable
	}
}
`;

const HAS_SERVICES = existsSync("/etc/services") && /^ssh\s+22\//m.test(readFileSync("/etc/services", "utf8"));
const HAS_LOCALHOST = existsSync("/etc/hosts") && /^127\.0\.0\.1\s/m.test(readFileSync("/etc/hosts", "utf8"));
const HAS_ROOT_USER = existsSync("/etc/passwd") && readFileSync("/etc/passwd", "utf8").startsWith("root:");

const CASES: [string[], false | string][] = [
  [["-n"], false],
  [["--numeric"], false],
  [["-p"], false],
  [["--numeric-protocol"], false],
  [["-S"], !HAS_SERVICES && "no /etc/services naming port 22 (Debian's netbase)"],
  [["--service"], !HAS_SERVICES && "no /etc/services naming port 22 (Debian's netbase)"],
  [["-N"], !HAS_LOCALHOST && "no /etc/hosts line for 127.0.0.1"],
  [["--reversedns"], !HAS_LOCALHOST && "no /etc/hosts line for 127.0.0.1"],
  [["-u"], !HAS_ROOT_USER && "no root user in /etc/passwd"],
  [["--guid"], !HAS_ROOT_USER && "no root user in /etc/passwd"],
  [["-n", "-S", "-N", "-u", "-a"], (!HAS_SERVICES || !HAS_LOCALHOST || !HAS_ROOT_USER) && "no system names"],
  [["-nSNua"], (!HAS_SERVICES || !HAS_LOCALHOST || !HAS_ROOT_USER) && "no system names"],
];

for (const [flags, skip] of CASES) {
  test(`nft ${flags.join(" ")} lists as nft 1.0.6 does, in text and JSON`, { skip: NFT_SKIP || skip }, async () => {
    await withTempNetns((ns) => {
      loadRuleset(ns, RULESET);
      const theirs = nft(ns, [...flags, "list", "ruleset"]);
      // The flag matters here: nft prints something else without it.
      assert.notEqual(theirs, nft(ns, ["list", "ruleset"]));
      assert.equal(ok(ns, "nft", ...flags, "list", "ruleset"), theirs);
      const json = jsonObjects(nft(ns, ["-j", ...flags, "list", "ruleset"]));
      assert.notDeepEqual(json, nftJson(ns, "ruleset"));
      assert.deepEqual(jsonObjects(ok(ns, "nft", "-j", ...flags, "list", "ruleset")), json);
      // Other listings print values the same way.
      assert.equal(
        ok(ns, "nft", ...flags, "list", "chain", "inet", "t", "c"),
        nft(ns, [...flags, "list", "chain", "inet", "t", "c"]),
      );
      assert.equal(ok(ns, "nft", ...flags, "list", "sets"), nft(ns, [...flags, "list", "sets"]));
    });
  });
}

test("value flags refuse changes without -e; -f takes the rest of a group of short options", () => {
  // getopt reads `-fn` as the file "n"; nft then runs "x.nft" as its command and ignores the file: refused.
  const f = nlkit(["nft", "-fn", "x.nft"]);
  assert.equal(f.code, 2);
  assert.match(f.stderr, /Unexpected "x.nft" with -f/);
  const c = nlkit(["nft", "-S", "add", "table", "ip", "x"]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /without -e/);
});

test("nft -n's JSON reads a named big-endian value in host order, as nft does; its text does not", () => {
  const ip = new Uint8Array([0x08, 0x00]);
  try {
    setNftOutput({ numericSymbol: true });
    assert.equal(renderValue(NFT_TYPES.ether_type, ip), 8);
    assert.equal(renderValue(NFT_TYPES.ether_type, new Uint8Array([0x12, 0x34])), 0x1234);
    setNftOutput({ numericSymbol: true, text: true });
    assert.equal(renderValue(NFT_TYPES.ether_type, ip), 0x0800);
  } finally {
    setNftOutput({});
  }
  assert.equal(renderValue(NFT_TYPES.ether_type, ip), "ip");
});

const DESCRIBED = [
  "tcp dport",
  "udp sport",
  "ip saddr",
  "ip6 daddr",
  "ether saddr",
  "ether type",
  "arp operation",
  "arp saddr ip",
  "ip protocol",
  "ip dscp",
  "ip ecn",
  "ip ttl",
  "tcp flags",
  "icmp type",
  "icmpv6 type",
  "meta mark",
  "meta l4proto",
  "meta iifname",
  "meta skuid",
  "meta nfproto",
  "meta pkttype",
  "meta day",
  "meta nftrace",
  "ct state",
  "ct status",
  "ct direction",
  "ct expiration",
  "ct helper",
  "ct original saddr",
  // Datatypes by name, meta keys written bare, ip options' fields.
  "ct_state",
  "ipv4_addr",
  "ifname",
  "integer",
  "boolean",
  "dscp",
  "tcp_flag",
  "inet_proto",
  "mark",
  "day",
  "ip option rr ptr",
  "ip option lsrr addr",
  "ip option ra value",
];

test("nft describe prints what nft 1.0.6 prints", { skip: NFT_SKIP }, async () => {
  // nft runs in a namespace of its own, as every nft of the suite.
  await withTempNetns((ns) => {
    for (const e of DESCRIBED) assert.equal(describeText(e.split(" ")), nft(ns, ["describe", ...e.split(" ")]), e);
    const r = nlkit(["nft", "describe", "ct", "state"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, nft(ns, ["describe", "ct", "state"]));
  });
  const bad = nlkit(["nft", "describe", "tcp", "nope"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Cannot describe "tcp nope"/);
  // nft's own message and exit code for an option's missing field.
  const opt = nlkit(["nft", "describe", "ip", "option", "rr", "value"]);
  assert.equal(opt.code, 1);
  assert.equal(opt.stderr.split("\n")[0], "Error: unknown ip option type/field");
});

test("nft's options as getopt_long reads them: joined arguments, --name=ARG, and -- before a command", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns((ns) => {
    loadRuleset(ns, "table ip t {\n\tchain c {\n\t\ttcp dport 22 accept\n\t}\n}\n");
    const dir = mkdtempSync(join(tmpdir(), "nlkit-nft-opts-"));
    try {
      writeFileSync(join(dir, "list.nft"), "list ruleset\n");
      writeFileSync(join(dir, "inc.nft"), 'include "list.nft"\n');
      const file = join(dir, "list.nft");
      const listed = nft(ns, ["list", "ruleset"]);
      for (const form of [[`--file=${file}`], [`-f${file}`]]) {
        assert.equal(ok(ns, "nft", ...form), nft(ns, form), form.join(" "));
      }
      // A joined define is applied: the script fails without it (an undefined variable).
      const add = join(dir, "add.nft");
      writeFileSync(add, "add rule ip t c tcp dport $p drop\n");
      for (const form of [["-Dp=80", `-f${add}`], ["--define=p=443", "-f", add]]) {
        ok(ns, "nft", ...form);
      }
      assert.match(nft(ns, ["list", "chain", "ip", "t", "c"]), /tcp dport 80 drop\n\t\ttcp dport 443 drop/);
      assert.equal(nlkit(["-n", ns, "nft", "-f", add]).code, 1);
      nft(ns, ["flush", "ruleset"]);
      loadRuleset(ns, "table ip t {\n\tchain c {\n\t\ttcp dport 22 accept\n\t}\n}\n");
      assert.equal(ok(ns, "nft", `-jf${file}`).split("}}, ")[1], nft(ns, [`-jf${file}`]).split("}}, ")[1]);
      const inc = [`--includepath=${dir}`, "-f", join(dir, "inc.nft")];
      assert.equal(ok(ns, "nft", ...inc), listed);
      assert.equal(ok(ns, "nft", `-I${dir}`, "-f", join(dir, "inc.nft")), listed);
      // Without -I's directory the include is not found: the joined argument above was used.
      const lost = nlkit(["-n", ns, "nft", "-f", join(dir, "inc.nft")]);
      assert.equal(lost.code, 1);
      assert.match(lost.stderr, /File not found: list.nft/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // `--` ends the options: a negative priority is not read as one.
    const args = ["--", "add", "chain", "ip", "t", "n", "{ type filter hook input priority -100 ; }"];
    ok(ns, "nft", ...args);
    assert.match(nft(ns, ["list", "chain", "ip", "t", "n"]), /priority -100;/);
    const json = nlkit(["-n", ns, "nft", "--json=1", "list", "ruleset"]);
    assert.equal(json.code, 1);
    assert.match(json.stderr, /Cannot give "--json" an argument/);
    const debug = nlkit(["-n", ns, "nft", "--debug=netlink", "list", "ruleset"]);
    assert.equal(debug.code, 2);
    assert.match(debug.stderr, /Cannot use nft's "--debug"/);
  });
});
