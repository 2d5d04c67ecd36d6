/**
 * ip's short IPv4 forms (`10.5/16`, `10/8`, `0/0`, octal and hex parts,
 * dotted netmasks) and `route get ... from PREFIX`, read as iproute2's
 * get_addr_ipv4/get_prefix_1 read them: the rules on their own, then each
 * command compared with ip (6.1) in the same throwaway namespace, stdout,
 * stderr and exit status.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { nlkit } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { sameAsIp as same } from "./_ip_parity.ts";
import { inetWord, ipv4Legacy } from "../src/cli/inet_words.ts";

test("ip's IPv4 short forms: missing parts are zero, parts are C base-0 numbers", () => {
  const cases: [string, string][] = [
    ["10.5/16", "10.5.0.0/16"],
    ["10/8", "10.0.0.0/8"],
    ["0/0", "0.0.0.0/0"],
    ["127.1", "127.1.0.0"], // not inet_aton's 127.0.0.1
    ["012.0x1f.0", "10.31.0.0"],
    ["10.2/010", "10.2.0.0/8"], // the length is base 0 too
    ["10.2/0x10", "10.2.0.0/16"],
    ["192.168/255.255.0.0", "192.168.0.0/16"], // a dotted netmask
    ["10/255.255.255.255", "10.0.0.0/32"],
    ["1.2.3.4", "1.2.3.4"],
    ["2001:db8::/0x40", "2001:db8::/64"],
    ["-0.1", "0.1.0.0"], // strtoul: "-0" is 0
  ];
  for (const [word, plain] of cases) assert.equal(inetWord(word), plain, word);
  // What ip refuses comes back unchanged, for the strict parsers to refuse in ip's words.
  for (
    const bad of ["256.1", "10.08", "1.2.3.4.5", "1.", ".1", "10/33", "10/255.0.255.0", "0x", "-1.2", "eth0", "a.b"]
  ) {
    assert.equal(inetWord(bad), bad, bad);
  }
  for (const w of ["default", "all", "any", "default/8"]) assert.equal(inetWord(w), w);
});

test("ip's IPv4 short forms: any four bytes in any base read back as the bytes; other text never throws", () => {
  const part = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(8, 10, 16)).map(([n, base]) =>
    [n, base === 16 ? `0x${n.toString(16)}` : base === 8 ? `0${n.toString(8)}` : String(n)] as const
  );
  fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
    const bytes = [0, 0, 0, 0];
    parts.forEach(([n], i) => bytes[i] = n);
    assert.equal(ipv4Legacy(parts.map(([, t]) => t).join(".")), bytes.join("."));
  }));
  fc.assert(fc.property(fc.string(), (s) => {
    const out = inetWord(s);
    assert.equal(typeof out, "string");
  }));
});

test(
  "ip parity: short IPv4 forms in route, rule, addr and neigh commands and selectors",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns((ns) => {
      ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
      for (const l of ["v0", "v1"]) ip(ns, "link", "set", l, "up");
      ip(ns, "addr", "add", "10.1.2.3/16", "dev", "v0");
      const nl = (...args: string[]) => {
        const r = nlkit(["-n", ns, ...args]);
        assert.equal(r.code, 0, `nlkit ${args.join(" ")}: ${r.stderr}`);
      };
      // Made by nlkit with short forms, listed by ip and nlkit with other short forms.
      nl("route", "add", "10.5/16", "via", "10.1");
      nl("route", "add", "0x0a.077/0x10", "via", "012.1.0.1");
      nl("route", "add", "0/0", "via", "10.1.0.1");
      nl("route", "add", "192.168/255.255.0.0", "dev", "v0");
      nl("route", "add", "blackhole", "172.16/12");
      nl("addr", "add", "10.9.1/24", "dev", "v0");
      nl("rule", "add", "from", "10/8", "to", "192.168/16", "table", "5");
      nl("neigh", "add", "10.1.9", "lladdr", "02:00:00:00:00:01", "dev", "v0");
      nl("nexthop", "add", "id", "7", "via", "10.1.7", "dev", "v0");
      assert.match(ip(ns, "nexthop", "show", "id", "7"), /via 10\.1\.7\.0 dev v0/);
      const cases = [
        ["route", "show"],
        ["route", "show", "10.5/16"],
        ["route", "show", "root", "10/8"],
        ["route", "show", "match", "10.5.1"],
        ["route", "show", "exact", "0/0"],
        ["route", "show", "via", "10.1"],
        ["route", "show", "10.63/0x10"],
        ["route", "get", "10.5.1"],
        ["route", "get", "to", "10.5.1", "from", "10.1.2.3"],
        ["addr", "show", "to", "10.9/16"],
        ["rule", "show", "from", "10/8"],
        ["rule", "show", "to", "192.168/16"],
        ["neigh", "show", "10.1.9"],
        ["neigh", "get", "10.1.9", "dev", "v0"],
        // ip's refusals, in ip's words.
        ["route", "add", "256.1/16", "via", "10.1.0.1"],
        ["route", "add", "10.08/16", "via", "10.1.0.1"],
        ["route", "add", "1.2.3.4.5/16", "via", "10.1.0.1"],
        ["route", "add", "10/33", "via", "10.1.0.1"],
        ["route", "add", "10/255.0.255.0", "via", "10.1.0.1"],
        ["route", "show", "10.08/16"],
      ];
      for (const args of cases) same(ns, args);
      // Deleting with short forms removes exactly what was added.
      for (
        const args of [["route", "del", "10.5/16"], ["route", "del", "0/0"], ["addr", "del", "10.9.1/24", "dev", "v0"]]
      ) {
        nl(...args);
      }
      assert.doesNotMatch(ip(ns, "route", "show"), /10\.5\.0\.0|default/);
      assert.doesNotMatch(ip(ns, "addr", "show", "dev", "v0"), /10\.9\.1\.0/);
    });
  },
);

test("ip parity: route get from PREFIX sends the prefix's length as ip does (the kernel answers)", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    for (const l of ["v0", "v1"]) ip(ns, "link", "set", l, "up");
    ip(ns, "addr", "add", "10.1.2.3/16", "dev", "v0");
    ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
    const cases = [
      ["route", "get", "10.1.0.9", "from", "10.1.2.3"],
      ["route", "get", "10.1.0.9", "from", "10.1.2.3/32"],
      ["route", "get", "10.1.0.9", "from", "10.1.0.0/16"], // the kernel refuses a source length of 16
      ["route", "get", "10.1.0.9", "from", "10.1/16"],
      ["route", "get", "10.1.9", "from", "0/0"],
      ["route", "get", "10.1.0.9", "from", "default"],
      ["route", "get", "from", "10.1.0.0/16", "10.1.0.9"],
      ["route", "get", "2001:db8::5", "from", "2001:db8::/64"],
      ["route", "get", "2001:db8::5", "from", "2001:db8::1/128"],
      ["route", "get", "10.1.0.9", "from", "10.1.2.3/33"],
      ["route", "get", "10.1.0.9", "from", "2001:db8::1"],
    ];
    for (const args of cases) same(ns, args);
  });
});

test("ip parity: link-kind addresses take the short forms (vxlan local, remote and group)", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns((ns) => {
    const made: [string, string[]][] = [
      ["x", ["vxlan", "id", "5", "local", "10.2.3", "remote", "10.1", "dstport", "4789"]],
      ["g", ["vxlan", "id", "6", "group", "239.1", "dev", "lo", "dstport", "4789"]],
      ["o", ["vxlan", "id", "7", "local", "012.0x1f", "dstport", "4789"]],
    ];
    const details = (name: string) => ip(ns, "-d", "link", "show", name).split("\n")[2];
    for (const [name, kind] of made) {
      // One at a time: the kernel allows one device per VNI and port.
      ip(ns, "link", "add", `${name}ip`, "type", ...kind);
      const byIp = details(`${name}ip`);
      ip(ns, "link", "del", `${name}ip`);
      const r = nlkit(["-n", ns, "link", "add", `${name}nl`, "type", ...kind]);
      assert.equal(r.code, 0, `nlkit link add ${kind.join(" ")}: ${r.stderr}`);
      // Same tunnel settings as ip made from the same words (10.1 is 10.1.0.0, not 10.0.0.1).
      assert.equal(details(`${name}nl`), byIp, kind.join(" "));
    }
    assert.match(details("xnl"), /remote 10\.1\.0\.0 local 10\.2\.3\.0 /);
    assert.match(details("onl"), /local 10\.31\.0\.0 /);
  });
});
