/**
 * `nlkit tc` as a process: exit codes and messages for bad input and
 * kernel refusals (compared with tc's), help, pretty JSON as tc -p prints
 * it, and text/JSON for an empty namespace.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { spawn, spawnSync } from "node:child_process";
import { have, ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { CLI, nlkit, ROOT } from "./_cli.ts";

const skip = NEEDS_ROOT || (have("tc") ? false : "needs tc (iproute2)");

function tc(ns: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("tc", ["-n", ns, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("tc usage errors exit 2 before anything is sent", async () => {
  const cases: [string[], RegExp][] = [
    [["tc", "bogus"], /Unknown tc object: "bogus"/],
    [["tc", "chain", "show"], /Missing "dev" in tc chain show/],
    [["tc", "qdisc", "frob"], /Unknown tc qdisc command/],
    [["tc", "qdisc", "add", "root", "htb"], /Missing "dev"/],
    [["tc", "class", "add", "dev", "lo", "parent", "1:", "classid", "1:10", "htb"], /Missing "rate"/],
    [
      ["tc", "class", "add", "dev", "lo", "parent", "1:", "classid", "1:10", "htb", "rate", "fast"],
      /Invalid rate: "fast"/,
    ],
    [["tc", "qdisc", "add", "dev", "lo", "root", "htb", "bogus", "1"], /Unknown htb argument: "bogus"/],
    [["tc", "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "1mbit", "burst", "10k"], /limit" or "latency/],
    [["tc", "filter", "add", "dev", "lo", "parent", "1:", "u32", "match", "ip", "dst", "10.0.0.0/33"], /prefix length/],
    [
      ["tc", "filter", "add", "dev", "lo", "parent", "1:", "u32", "match", "ip", "dst", "1.2.3.4", "flowid", "1:x"],
      /Invalid tc handle/,
    ],
    [["tc", "qdisc", "add", "dev", "lo", "root", "handle", "1:2", "htb"], /Invalid qdisc handle/],
    [["tc", "filter", "add", "dev", "lo", "parent", "1:", "prio", "70000", "u32"], /Invalid priority/],
    [["tc", "qdisc", "add", "dev", "lo", "root", "netem", "distribution", "normal"], /without a delay and a jitter/],
    [["tc", "action", "add", "action", "frob"], /Unknown action kind: "frob"/],
    // tc takes these in a listing and ignores them; nlkit refuses them.
    [["tc", "filter", "show", "dev", "lo", "handle", "800::800"], /Cannot list filters by "handle"/],
    [["tc", "qdisc", "show", "dev", "lo", "estimator", "1sec", "8sec"], /Unexpected "estimator"/],
    [["tc", "filter", "show", "dev", "lo", "parent", "1:", "estimator", "1sec", "8sec"], /Unexpected "estimator"/],
  ];
  const run = (netns: string[]) => {
    for (const [args, message] of cases) {
      const r = nlkit([...netns, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
    }
  };
  // As root, in a throwaway namespace: a case that regressed into a success must not change the host's lo.
  if (NEEDS_ROOT) run([]);
  else await withTempNetns((ns) => run(["-n", ns]));
});

test("tc help prints the grammar", () => {
  const r = nlkit(["tc", "help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /nlkit tc qdisc/);
});

test("tc kernel refusals and missing devices exit 1 with tc's words", { skip }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    const missing = nlkit(["-n", ns, "tc", "qdisc", "add", "dev", "nosuch", "root", "htb"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'Cannot find device "nosuch"');
    assert.equal(nlkit(["-n", ns, "tc", "qdisc", "add", "dev", "v0", "root", "handle", "1:", "htb"]).code, 0);
    for (
      const args of [
        ["qdisc", "add", "dev", "v0", "root", "handle", "1:", "htb"],
        ["class", "add", "dev", "v0", "parent", "2:", "classid", "2:1", "htb", "rate", "1mbit"],
        ["filter", "del", "dev", "v0", "parent", "1:", "prio", "9"],
      ]
    ) {
      const ours = nlkit(["-n", ns, "tc", ...args]), theirs = tc(ns, ...args);
      assert.equal(ours.code, 1, args.join(" "));
      assert.notEqual(theirs.code, 0);
      assert.equal(ours.stderr.split("\n")[0], theirs.stderr.split("\n")[0], args.join(" "));
    }
  });
});

test("tc -p -j prints JSON indented as tc does", { skip }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    tc(ns, "qdisc", "add", "dev", "v0", "root", "handle", "1:", "htb", "default", "10");
    tc(
      ns,
      "qdisc",
      "add",
      "dev",
      "v1",
      "root",
      "handle",
      "2:",
      "tbf",
      "rate",
      "1mbit",
      "burst",
      "10k",
      "latency",
      "20ms",
    );
    for (const show of [["qdisc", "show"], ["qdisc", "show", "dev", "v1"]]) {
      const theirs = tc(ns, "-p", "-j", "-d", ...show).stdout;
      const ours = nlkit(["-n", ns, "-p", "-j", "-d", "tc", ...show]).stdout;
      assert.equal(ours, theirs, show.join(" "));
      assert.ok(JSON.parse(ours).length > 0);
    }
    assert.equal(nlkit(["-n", ns, "-j", "tc", "filter", "show", "dev", "v0"]).stdout, "[]\n");
    assert.equal(nlkit(["-n", ns, "tc", "filter", "show", "dev", "v0"]).stdout, "");
  });
});

test("tc -p decodes u32 keys of ip and ipv6 filters as tc prints them", { skip }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    tc(ns, "qdisc", "add", "dev", "v0", "root", "handle", "1:", "htb");
    const filters = [
      "ip prio 2 u32 match ip src 10.0.0.1/32 match ip protocol 6 0xff match ip sport 80 0xffff " +
      "match ip dport 443 0xffff flowid 1:1",
      "ip prio 3 u32 match ip dst 10.1.0.0/16 match ip sport 80 0xffff match ip ihl 5 0xf flowid 1:2",
      "ip prio 4 u32 match ip dsfield 0x10 0xff match ip dport 53 0xffff match u32 1 0xff00ff00 at 12 flowid 1:2",
      "ipv6 prio 5 u32 match u16 0x50 0xffff at 22 match u8 6 0xff at 9 match u32 7 0xffffffff at 24 match u32 0x0a000001 0xffffff00 at 16 flowid 1:3",
      "all prio 6 u32 match u32 0x0a000001 0xffffffff at 12 flowid 1:3",
    ];
    for (const f of filters) {
      const r = tc(ns, "filter", "add", "dev", "v0", "parent", "1:", "protocol", ...f.split(" "));
      assert.equal(r.code, 0, r.stderr);
    }
    const theirs = tc(ns, "-p", "filter", "show", "dev", "v0").stdout;
    // Decoded: every line tc -p prints; without -p the raw keys come back.
    assert.match(theirs, /match IP src 10\.0\.0\.1\/32/);
    assert.match(theirs, /match IP dsfield 0x10/);
    assert.equal(nlkit(["-n", ns, "-p", "tc", "filter", "show", "dev", "v0"]).stdout, theirs);
    assert.equal(
      nlkit(["-n", ns, "tc", "filter", "show", "dev", "v0"]).stdout,
      tc(ns, "filter", "show", "dev", "v0").stdout,
    );
  });
});

test("tc filter show leaves out the fields it was narrowed to, get only the device, as tc does", { skip }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    tc(ns, "qdisc", "add", "dev", "v0", "root", "handle", "1:", "htb");
    for (const f of ["ip prio 1", "ipv6 prio 4", "ip prio 9 chain 3"]) {
      const r = tc(
        ns,
        "filter",
        "add",
        "dev",
        "v0",
        "parent",
        "1:",
        "protocol",
        ...f.split(" "),
        "u32",
        "match",
        "u32",
        "0",
        "0",
      );
      assert.equal(r.code, 0, r.stderr);
    }
    const shows = [
      ["show", "dev", "v0"],
      ["show", "dev", "v0", "parent", "1:"],
      ["show", "dev", "v0", "protocol", "ipv6"],
      ["show", "dev", "v0", "parent", "1:", "prio", "4"],
      ["show", "dev", "v0", "parent", "1:", "chain", "3"],
      ["show", "dev", "v0", "parent", "1:", "protocol", "ipv6", "prio", "4", "chain", "0"],
      ["get", "dev", "v0", "parent", "1:", "protocol", "ip", "prio", "1", "handle", "800::800", "u32"],
    ];
    for (const show of shows) {
      for (const json of [[], ["-j"]]) {
        const theirs = tc(ns, ...json, "filter", ...show);
        assert.equal(theirs.code, 0, theirs.stderr);
        assert.equal(nlkit(["-n", ns, ...json, "tc", "filter", ...show]).stdout, theirs.stdout, `${json} ${show}`);
      }
    }
  });
});

test("tc class show parent P lists the classes of P's qdisc, as tc does", { skip }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    tc(ns, "qdisc", "add", "dev", "v0", "root", "handle", "1:", "htb");
    tc(ns, "class", "add", "dev", "v0", "parent", "1:", "classid", "1:1", "htb", "rate", "10mbit");
    tc(ns, "class", "add", "dev", "v0", "parent", "1:1", "classid", "1:10", "htb", "rate", "1mbit");
    tc(
      ns,
      "qdisc",
      "add",
      "dev",
      "v0",
      "parent",
      "1:10",
      "handle",
      "10:",
      "tbf",
      "rate",
      "1mbit",
      "burst",
      "10k",
      "latency",
      "50ms",
    );
    for (
      const by of [["parent", "1:1"], ["parent", "1:10"], ["parent", "10:"], ["parent", "5:"], ["root"], [
        "classid",
        "1:10",
      ]]
    ) {
      const theirs = tc(ns, "class", "show", "dev", "v0", ...by);
      assert.equal(nlkit(["-n", ns, "tc", "class", "show", "dev", "v0", ...by]).stdout, theirs.stdout, by.join(" "));
    }
    assert.equal(tc(ns, "class", "show", "dev", "v0", "parent", "1:1").stdout.split("\n").length, 3, "1:1 and 1:10");
  });
});

test("nlkit monitor tc shows tc changes as they happen", { skip }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    const child = spawn(CLI[0], [...CLI[1], "-n", ns, "-j", "monitor", "tc"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const got = new Promise<string>((resolve) => {
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("\n")) resolve(out);
        });
      });
      // The subscription is up once the process has started; retry the change until an event arrives.
      let line = "";
      for (let i = 0; i < 50 && !line; i++) {
        tc(
          ns,
          "qdisc",
          "replace",
          "dev",
          "v0",
          "root",
          "handle",
          "1:",
          "tbf",
          "rate",
          `${i + 1}mbit`,
          "burst",
          "10k",
          "latency",
          "50ms",
        );
        line = await Promise.race([got, new Promise<string>((r) => setTimeout(() => r(""), 200))]);
      }
      const ev = JSON.parse(line.split("\n")[0]);
      assert.equal(ev.event, "new");
      assert.equal(ev.object, "qdisc");
      assert.equal(ev.kind, "tbf");
      assert.equal(ev.dev, "v0");
    } finally {
      child.kill("SIGTERM");
    }
  });
});
