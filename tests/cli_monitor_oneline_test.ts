/**
 * `nlkit -o monitor` against `ip -o monitor` in the same namespace: each
 * event on one line, its lines joined by `\`, live and from an rtmon file;
 * the `-t` timestamp keeps its own line; stats end in a backslash as ip's do. `-o` with tc is refused.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, nlkit } from "./_cli.ts";
import { watch } from "./_monitor.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

const me = (...args: string[]): [string, string[]] => [CLI[0], [...CLI[1], ...args]];

/** Link and address changes whose events span several lines without -o. */
function changes(ns: string): void {
  ip(ns, "link", "add", "o0", "type", "veth", "peer", "name", "o1");
  ip(ns, "link", "set", "o0", "up");
  ip(ns, "addr", "add", "10.9.0.1/24", "dev", "o0");
  ip(ns, "addr", "add", "2001:db8::1/64", "dev", "o0", "nodad");
  ip(ns, "addr", "del", "10.9.0.1/24", "dev", "o0");
  ip(ns, "link", "del", "o0");
}

test("monitor -o link address prints each event on one line as ip -o monitor does", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const [theirs, ours, oursLong, theirsT, oursT] = await watch(ns, [
      ["ip", ["-o", "-n", ns, "monitor", "link", "address"]],
      me("-o", "-n", ns, "monitor", "link", "address"),
      me("-oneline", "-n", ns, "monitor", "link", "address"),
      ["ip", ["-o", "-t", "-n", ns, "monitor", "label", "link", "address"]],
      me("-o", "-t", "-n", ns, "monitor", "label", "link", "address"),
    ], () => changes(ns));
    for (const w of [ours, oursLong, oursT]) assert.equal(w.code, 0, w.err);
    assert.equal(ours.out, theirs.out);
    assert.equal(oursLong.out, theirs.out);
    // Without -o these would be continuation lines: here they follow a backslash.
    assert.match(ours.out, /^\d+: o1@NONE: .*\\ {4}link\/ether /m);
    assert.match(ours.out, /^Deleted \d+: o0 {4}inet 10\.9\.0\.1\/24 .*\\ {7}valid_lft /m);
    assert.doesNotMatch(ours.out, /^\s/m);
    const long = /^Timestamp: .* usec$/gm;
    assert.match(oursT.out, /^Timestamp: .* usec\n\[LINK\]\d+: o1@NONE: .*\\ {4}link\/ether /m);
    assert.equal(oursT.out.replace(long, "T"), theirsT.out.replace(long, "T"));
  });
});

test("monitor -o file FILE joins each record's lines as ip -o monitor file does", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const file = join(mkdtempSync(join(tmpdir(), "nlkit-rtmon-")), "rtmon.log");
    await watch(ns, [["ip", ["netns", "exec", ns, "rtmon", "file", file]]], () => changes(ns));
    const r = nlkit(["-o", "monitor", "file", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, ip(ns, "-o", "monitor", "file", file));
    assert.match(r.stdout, /^\d+: o0 {4}inet 10\.9\.0\.1\/24 .*\\ {7}valid_lft /m);
    assert.doesNotMatch(r.stdout, /^\s/m);
  });
});

test("monitor -o stats ends each event with a backslash, as ip's print_nl does", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "s0", "type", "veth", "peer", "name", "s1");
    const [theirs, ours] = await watch(ns, [
      ["ip", ["-o", "-n", ns, "monitor", "stats"]],
      me("-o", "-n", ns, "monitor", "stats"),
    ], () => {
      ip(ns, "stats", "set", "dev", "s0", "l3_stats", "on");
      ip(ns, "stats", "set", "dev", "s0", "l3_stats", "off");
    });
    assert.equal(ours.code, 0, ours.err);
    assert.equal(ours.out, theirs.out);
    assert.match(ours.out, /^\d+: s0:\\ {4}l3_stats on used off\\\d+: s0:\\ {4}l3_stats off/);
  });
});

test("monitor -o refuses tc events (no one-line form to match)", () => {
  for (const args of [["-o", "monitor", "tc"], ["-oneline", "monitor", "link", "tc"]]) {
    const r = nlkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /"-oneline" applies to ip's objects and ct, not tc events/);
  }
});

/** The rtmon file with IFLA_OPERSTATE (16) and IFLA_PROMISCUITY (30) cut out of every link message. */
function withoutLinkState(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off + 16 <= bytes.length;) {
    const len = view.getUint32(off, true);
    const type = view.getUint16(off + 4, true);
    const end = off + ((len + 3) & ~3);
    const msg = [...bytes.subarray(off, end)];
    if (type === 16 || type === 17) {
      const kept = msg.slice(0, 32); // nlmsghdr + ifinfomsg
      for (let a = 32; a + 4 <= len;) {
        const alen = msg[a] | msg[a + 1] << 8;
        const atype = (msg[a + 2] | msg[a + 3] << 8) & 0x3fff;
        const step = (alen + 3) & ~3;
        if (atype !== 16 && atype !== 30) kept.push(...msg.slice(a, a + step));
        a += step;
      }
      const n = kept.length;
      [kept[0], kept[1], kept[2], kept[3]] = [n & 0xff, n >> 8 & 0xff, n >> 16 & 0xff, n >>> 24];
      out.push(...kept);
    } else out.push(...msg);
    off = end;
  }
  return Uint8Array.from(out);
}

test("monitor file: a link message without operstate or promiscuity prints neither, as ip does", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    const dir = mkdtempSync(join(tmpdir(), "nlkit-rtmon-"));
    const file = join(dir, "rtmon.log");
    await watch(ns, [["ip", ["netns", "exec", ns, "rtmon", "file", file]]], () => changes(ns));
    const cut = join(dir, "cut.log");
    writeFileSync(cut, withoutLinkState(readFileSync(file)));
    for (const flags of [[], ["-d"]]) {
      const r = nlkit([...flags, "monitor", "file", cut]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, ip(ns, ...flags, "monitor", "file", cut), flags.join(" "));
      assert.doesNotMatch(r.stdout, /state UNKNOWN|promiscuity/);
    }
  });
});
