/**
 * `nlkit monitor` against `ip monitor` in the same namespace: `all-nsid`
 * (events of a peer namespace that has an id), `prefix`, `stats`, the
 * word table's abbreviations, and exit codes. Runs on the sources (Deno,
 * Bun) and, with `NLKIT_BIN`, on the compiled binary.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, nlkit } from "./_cli.ts";
import { watch, type Watched } from "./_monitor.ts";
import { ip, NEEDS_ROOT, run, uniqueName, withTempNetns } from "./_helpers.ts";

const me = (...args: string[]): [string, string[]] => [CLI[0], [...CLI[1], ...args]];

/** ip dies of the SIGINT; nlkit ends cleanly with exit 0. */
function stopped(ours: Watched, theirs: Watched): void {
  assert.equal(ours.code, 0, ours.err);
  assert.equal(ours.err, "");
  assert.equal(theirs.signal, "SIGINT", `ip ended with ${theirs.code}: ${theirs.err}`);
}

/** A namespace `peer` that `ns` knows by nsid 5. */
async function withPeer(fn: (ns: string, peer: string) => Promise<void>): Promise<void> {
  await withTempNetns(async (ns) => {
    const peer = uniqueName("nlkt-peer");
    run("ip", ["netns", "add", peer]);
    try {
      ip(ns, "netns", "set", peer, "5");
      await fn(ns, peer);
    } finally {
      run("ip", ["netns", "del", peer]);
    }
  });
}

test(
  "monitor all-nsid prefixes each line with [nsid N] or [nsid current] as ip does",
  { skip: NEEDS_ROOT },
  async () => {
    await withPeer(async (ns, peer) => {
      const changes = () => {
        ip(peer, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
        ip(peer, "addr", "add", "10.9.0.1/24", "dev", "p0");
        // Indexes the peer does not use: a name looked up here for the peer's index 3 is then never o0's,
        // however late the monitor prints it.
        ip(ns, "link", "add", "o0", "index", "50", "type", "veth", "peer", "name", "o1", "index", "51");
        ip(peer, "link", "del", "p0");
      };
      const [theirs, ours, theirsL, oursL, oursPlain] = await watch(ns, [
        ["ip", ["-n", ns, "monitor", "all-nsid"]],
        me("-n", ns, "monitor", "all-nsid"),
        ["ip", ["-n", ns, "monitor", "label", "al", "link", "addr"]],
        me("-n", ns, "monitor", "label", "al", "link", "addr"),
        me("-n", ns, "monitor", "link", "addr"),
      ], changes);
      stopped(ours, theirs);
      assert.equal(ours.out, theirs.out);
      assert.match(ours.out, /^\[nsid 5\]\d+: p1@NONE: /m);
      assert.match(ours.out, /^\[nsid 5\]\d+: p0 {4}inet 10\.9\.0\.1\/24 /m);
      assert.match(ours.out, /^\[nsid current\]\d+: o1@NONE: /m);
      assert.match(ours.out, /^\[nsid 5\]Deleted \d+: p0@/m);
      assert.equal(oursL.out, theirsL.out);
      assert.match(oursL.out, /^\[nsid 5\]\[LINK\]\d+: p1@NONE: /m);
      assert.match(oursL.out, /^\[nsid current\]\[LINK\]\d+: o1@NONE: /m);
      // Without all-nsid the peer's changes are not seen, and no line has a prefix.
      assert.doesNotMatch(oursPlain.out, /p0|p1|nsid/);
      assert.match(oursPlain.out, /^\d+: o1@NONE: /m);
    });
  },
);

test("monitor -t/-ts all-nsid: timestamp, then [nsid N], then the banner", { skip: NEEDS_ROOT }, async () => {
  await withPeer(async (ns, peer) => {
    const [theirs, ours, theirsS, oursS] = await watch(ns, [
      ["ip", ["-t", "-n", ns, "monitor", "all-nsid", "label", "link"]],
      me("-t", "-n", ns, "monitor", "all-nsid", "label", "link"),
      ["ip", ["-ts", "-n", ns, "monitor", "all-nsid", "link"]],
      me("-ts", "-n", ns, "monitor", "all-nsid", "link"),
    ], () => ip(peer, "link", "add", "p0", "type", "veth", "peer", "name", "p1"));
    const long = /^Timestamp: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \d+ usec$/gm;
    const short = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\] /gm;
    assert.match(ours.out, /^Timestamp: .* usec\n\[nsid 5\]\[LINK\]\d+: p1@NONE: /m);
    assert.equal(ours.out.replace(long, "T"), theirs.out.replace(long, "T"));
    assert.match(oursS.out, /^\[\d{4}-[^\]]*\] \[nsid 5\]\d+: p1@NONE: /m);
    assert.equal(oursS.out.replace(short, "T "), theirsS.out.replace(short, "T "));
  });
});

test("monitor all-nsid file FILE: every record is [nsid current], as ip prints it", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const file = join(mkdtempSync(join(tmpdir(), "nlkit-rtmon-")), "rtmon.log");
    await watch(ns, [["ip", ["netns", "exec", ns, "rtmon", "file", file]]], () => {
      ip(ns, "link", "add", "r0", "type", "veth", "peer", "name", "r1");
      ip(ns, "link", "del", "r0");
    });
    for (const args of [["monitor", "all-nsid", "file", file], ["monitor", "label", "all-nsid", "file", file]]) {
      const r = nlkit(args);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, ip(ns, ...args), args.join(" "));
      assert.match(r.stdout, /^\[nsid current\](\[LINK\])?\d+: lo: /m);
      assert.match(r.stdout, /^Timestamp: .* us$/m); // time records have no headers
    }
  });
});

test("monitor words: ip's abbreviations and order; all-nsid is refused with ct and tc", () => {
  for (
    const [args, re] of [
      [["monitor", "all-nsid", "ct"], /"all-nsid" applies to ip's objects only/],
      [["monitor", "tc", "all-nsid"], /"all-nsid" applies to ip's objects only/],
      [["monitor", "zqzq"], /Unknown monitor object: "zqzq"/],
      [["monitor", "neighbourhood"], /Unknown monitor object/],
      [["monitor", "p"], /Monitor object "prefix" is not supported by nlkit/],
      [["monitor", "stat"], /Unknown monitor object: "stat"/], // ip compares "stats" whole
    ] as const
  ) {
    const r = nlkit([...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test(
  "monitor stats prints RTM_NEWSTATS as ip monitor stats does; the default includes it",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      ip(ns, "link", "add", "s0", "type", "veth", "peer", "name", "s1");
      const changes = () => {
        ip(ns, "stats", "set", "dev", "s0", "l3_stats", "on");
        ip(ns, "stats", "set", "dev", "s0", "l3_stats", "off");
      };
      const [theirs, ours, theirsL, oursL, oursAll, oursJ] = await watch(ns, [
        ["ip", ["-n", ns, "monitor", "stats"]],
        me("-n", ns, "monitor", "stats"),
        ["ip", ["-n", ns, "monitor", "label", "stats", "link"]],
        me("-n", ns, "monitor", "label", "stats", "link"),
        me("-n", ns, "monitor"),
        me("-n", ns, "-j", "monitor", "stats"),
      ], changes);
      stopped(ours, theirs);
      assert.equal(ours.out, theirs.out);
      assert.equal(ours.out, "3: s0:\n    l3_stats on used off\n3: s0:\n    l3_stats off used off\n");
      assert.equal(oursL.out, theirsL.out);
      assert.match(oursL.out, /^\[STATS\]3: s0:\n {4}l3_stats on used off$/m);
      assert.equal(oursAll.out, ours.out, "ip's default follows stats");
      const j = oursJ.out.trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(j[0], {
        event: "new",
        object: "stats",
        ifindex: 3,
        ifname: "s0",
        info: { l3_stats: { request: true, used: false } },
      });
      // `stats` is a whole word in ip (strcmp): a prefix is refused.
      const r = nlkit(["-n", ns, "monitor", "stat"]);
      assert.equal(r.code, 2);
    });
  },
);
