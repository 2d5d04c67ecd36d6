/**
 * `ipproto` words read and printed as ip reads and prints them: names from
 * `/etc/protocols` (getprotobyname/getprotobynumber), the built-in table when
 * the file is missing, decimal numbers; `route get ... ipproto|sport|dport`.
 * Compared with ip (6.1) in the same throwaway namespace.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { sameAsIp } from "./_ip_parity.ts";
import { protocolTable } from "../src/cli/etc_protocols.ts";

test("ipproto names: /etc/protocols names, aliases and first names; the built-in table without the file", () => {
  const t = protocolTable("# comment\nip\t0\tIP\nhopopt\t0\tHOPOPT\ndccp\t33\tDCCP # x\nbad line\nfoo x\n");
  assert.equal(t.byName.get("dccp"), 33);
  assert.equal(t.byName.get("DCCP"), 33);
  assert.equal(t.byName.get("HOPOPT"), 0);
  assert.equal(t.byNumber.get(0), "ip"); // getprotobynumber: the first line
  assert.equal(t.byName.get("foo"), undefined);
  const builtIn = protocolTable(undefined);
  assert.equal(builtIn.byName.get("tcp"), 6);
  assert.equal(builtIn.byNumber.get(58), "ipv6-icmp");
  assert.equal(builtIn.byName.get("dccp"), undefined);
});

test("ip parity: ipproto in rule add/show (text and JSON) and route get ipproto/sport/dport", {
  skip: NEEDS_ROOT || (!existsSync("/etc/protocols") && "needs /etc/protocols, which ip reads"),
}, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    for (const l of ["v0", "v1"]) ip(ns, "link", "set", l, "up");
    ip(ns, "addr", "add", "10.1.2.3/16", "dev", "v0");
    // dccp (33) and ipcomp (108) are only in /etc/protocols; 200 has no name.
    for (const [p, table] of [["dccp", "5"], ["IPCOMP", "6"], ["200", "7"], ["ipv6-icmp", "8"]]) {
      const r = nlkit(["-n", ns, "rule", "add", "ipproto", p, "table", table]);
      assert.equal(r.code, 0, r.stderr);
    }
    const cases = [
      ["rule", "show"],
      ["-j", "rule", "show"],
      ["rule", "show", "ipproto", "dccp"], // a filter that ignored the word would list them all
      ["rule", "show", "ipproto", "108"],
      ["rule", "show", "ipproto", "ipproto-200"],
      ["rule", "add", "ipproto", "bogus", "table", "9"],
      ["rule", "add", "ipproto", "256", "table", "9"],
      ["rule", "show", "ipproto", "bogus"],
      ["route", "get", "10.1.0.9", "ipproto", "tcp", "sport", "5", "dport", "0x50"],
      ["route", "get", "10.1.0.9", "ipproto", "dccp"], // the kernel refuses it, as it refuses ip
      ["route", "get", "10.1.0.9", "ipproto", "foo"],
      ["route", "get", "10.1.0.9", "ipproto", "256"],
      ["route", "get", "10.1.0.9", "sport", "65536"],
      ["route", "get", "10.1.0.9", "dport", "x"],
    ];
    for (const args of cases) sameAsIp(ns, args);
    assert.match(ip(ns, "rule", "show"), /ipproto dccp lookup 5/);
  });
});
