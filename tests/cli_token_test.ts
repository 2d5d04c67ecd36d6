/**
 * `nlkit token` against `ip token` (6.1), and `link set ... addrgenmode`
 * against ip, in a throwaway namespace; the library's `token` and
 * `addrGenMode` link settings, and their refusals before anything is sent.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { EXIT, sameAsIp } from "./_ip_parity.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { changeLinkRequest } from "../src/route/link/change.ts";
import { changeLink, getLink } from "../mod.ts";

const ipText = (ns: string, ...args: string[]) => spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });

test("token set/list/get/del as ip token, each seen by ip; dev filters the listing", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
    ip(ns, "link", "add", "t2", "type", "veth", "peer", "name", "t3");
    ip(ns, "link", "set", "t3", "arp", "off"); // NOARP: ip leaves it out, as lo
    for (const args of [["token"], ["token", "list"], ["-j", "token"], ["-j", "-p", "token", "show"]]) {
      sameAsIp(ns, args);
    }
    assert.equal(nlkit(["-n", ns, "token", "set", "::1:2/64", "dev", "t0"]).code, 0);
    assert.match(ipText(ns, "token", "get", "dev", "t0").stdout, /^token ::0\.1\.0\.2 dev t0\n$/);
    ip(ns, "token", "set", "::1:a:b", "dev", "t2");
    // Three links listed (not lo, not t3), one token each; `dev` keeps one of them.
    const all = nlkit(["-n", ns, "token"]).stdout;
    assert.deepEqual(all.split("\n").filter(Boolean).map((l) => l.split(" dev ")[1]).sort(), ["t0", "t1", "t2"]);
    for (
      const args of [["token"], ["-j", "token"], ["token", "get", "dev", "t2"], ["-j", "token", "list", "dev", "t0"]]
    ) {
      sameAsIp(ns, args);
    }
    assert.deepEqual(JSON.parse(nlkit(["-n", ns, "-j", "token", "get", "dev", "t2"]).stdout), [
      { token: "::1:a:b", ifname: "t2" },
    ]);
    // del clears it; a token named with del must be the link's own.
    const wrong = nlkit(["-n", ns, "token", "del", "::9", "dev", "t2"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Cannot delete token ::9: t2 has token ::1:a:b/);
    assert.equal(nlkit(["-n", ns, "token", "del", "::1:a:b", "dev", "t2"]).code, 0);
    assert.equal(nlkit(["-n", ns, "token", "del", "dev", "t0"]).code, 0);
    const left = ipText(ns, "token").stdout.split("\n").filter(Boolean);
    assert.deepEqual(left.map((l) => l.split(" ")[1]), ["::", "::", "::"]);
  });
});

test("token refusals: ip's words; a kernel refusal exits 1", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
    for (
      const args of [
        ["token", "get", "dev", "nosuch"],
        ["token", "set", "::1/200", "dev", "t0"],
        ["token", "set", "1.2.3.4", "dev", "t0"],
        ["token", "set", "::1"],
        ["token", "set", "dev", "t0"],
        ["token", "bogus"],
      ]
    ) {
      const theirs = ipText(ns, ...args);
      const ours = nlkit(["-n", ns, ...args]);
      assert.equal(ours.code, EXIT[theirs.status!], args.join(" "));
      assert.equal(ours.stderr.replace("nlkit token", "ip token"), theirs.stderr, args.join(" "));
    }
    const lo = nlkit(["-n", ns, "token", "set", "::5", "dev", "lo"]);
    assert.equal(lo.code, 1);
    assert.match(lo.stderr, /Device is loopback/);
    // Words ip skips are refused rather than ignored.
    assert.equal(nlkit(["-n", ns, "token", "list", "foo"]).code, 2);
    assert.equal(nlkit(["-n", ns, "token", "set", "::1", "::2", "dev", "t0"]).code, 2);
  });
});

test("link set addrgenmode: as ip sets it; a bad mode is ip's refusal", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
    for (const mode of ["none", "random", "stable_secret", "eui64"]) {
      if (mode === "stable_secret") {
        // The kernel wants a secret first.
        ip(ns, "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.t0.stable_secret=::1:2:3:4");
      }
      assert.equal(nlkit(["-n", ns, "link", "set", "dev", "t0", "addrgenmode", mode]).code, 0, mode);
      assert.match(ipText(ns, "-d", "link", "show", "t0").stdout, new RegExp(`addrgenmode ${mode} `));
    }
    sameAsIp(ns, ["link", "set", "dev", "t0", "addrgenmode", "bogus"]);
  });
});

test("the library: token and addrGenMode change a link; bad values are refused before sending", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (netns) => {
    ip(netns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
    await changeLink("t0", { token: "::7", addrGenMode: "none" }, { netns });
    const l = await getLink("t0", { netns });
    assert.equal(l.afSpec?.inet6?.token, "::7");
    assert.equal(l.afSpec?.inet6?.addrGenMode, "none");
    // The one-object form applies them too.
    await changeLink({ ...l, token: "::8" }, { netns });
    assert.equal((await getLink("t0", { netns })).afSpec?.inet6?.token, "::8");
  });
});

test("token and addrGenMode build IFLA_AF_SPEC/AF_INET6; wrong values are InvalidArgumentErrors", () => {
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  // nlmsghdr, ifinfomsg (index 3), IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE 1 } }
  assert.equal(
    hex(changeLinkRequest(3, { addrGenMode: "none" })).slice(32),
    "0000000003000000000000000000000010001a800c000a800500080001000000",
  );
  assert.equal(
    hex(changeLinkRequest(3, { token: "::1:2" })).slice(64),
    "1c001a8018000a801400070000000000000000000000000000010002",
  );
  for (const bad of [{ token: "1.2.3.4" }, { token: "zz" }, { token: 5 }, { addrGenMode: "bogus" }]) {
    assert.throws(() => changeLinkRequest(3, bad as never), InvalidArgumentError, JSON.stringify(bad));
  }
});
