/**
 * Smoke tests of the compiled `dist/nlkit` (built by
 * `scripts/build_binary.sh`): version, bad input, every show command (text
 * and JSON), link changes and `ct -L` in a namespace, each checked against
 * `ip` and `conntrack`. The whole CLI suite runs on the binary with
 * `NLKIT_BIN=dist/nlkit deno test -A tests/cli_test.ts`.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { have, ip, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { assertSameJsonAsIp, assertSameTextAsIp, populate, SHOWS } from "./_cli_fixtures.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const NLKIT = join(ROOT, "dist/nlkit");
const NO_BINARY = existsSync(NLKIT) ? false : "dist/nlkit is missing: run scripts/build_binary.sh first";
const NO_CT = have("conntrack") ? false : "conntrack (conntrack-tools) is not installed";

function nlkit(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(NLKIT, args, { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("binary: --version matches deno.json", { skip: NO_BINARY }, () => {
  const version = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).version;
  const r = nlkit("--version");
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), `nlkit ${version}`);
});

test("binary: bad input exits 2 naming the word", { skip: NO_BINARY }, () => {
  const r = nlkit("lnik", "show");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /"lnik".*"link"/);
});

test("binary: link show in a namespace agrees with ip", { skip: NO_BINARY || NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    const text = nlkit("-n", ns, "link", "show");
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, ip(ns, "link", "show"));
    const json = nlkit("-n", ns, "-j", "link", "show");
    assert.deepEqual(
      JSON.parse(json.stdout).map((l: { ifname: string }) => l.ifname),
      ipJson(ns, "link", "show").map((l: { ifname: string }) => l.ifname),
    );
  });
});

test("binary: ct -L in a namespace agrees with conntrack", { skip: NO_BINARY || NEEDS_ROOT || NO_CT }, async () => {
  await withTempNetns((ns) => {
    run("ip", [
      "netns",
      "exec",
      ns,
      "conntrack",
      "-I",
      "-p",
      "udp",
      "-s",
      "10.0.0.1",
      "-d",
      "10.0.0.2",
      "--sport",
      "5",
      "--dport",
      "6",
      "-t",
      "100",
    ]);
    const r = nlkit("-n", ns, "ct", "-L");
    assert.equal(r.code, 0, r.stderr);
    const blank = (s: string) => s.trim().replace(/^(\S+\s+\d+) \d+ /, "$1 T ");
    assert.equal(blank(r.stdout), blank(run("ip", ["netns", "exec", ns, "conntrack", "-L"])));
    assert.match(r.stderr, /1 flow entries have been shown\./);
  });
});

test("binary: show commands agree with ip, text and JSON", { skip: NO_BINARY || NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    for (const args of SHOWS) {
      assertSameTextAsIp(ns, args, () => {
        const text = nlkit("-n", ns, ...args);
        assert.equal(text.code, 0, text.stderr);
        return text.stdout;
      });
      assertSameJsonAsIp(ns, args, () => {
        const json = nlkit("-n", ns, "-j", ...args);
        assert.equal(json.code, 0, json.stderr);
        return JSON.parse(json.stdout);
      });
    }
  });
});

test("binary: link add, set and del, verified with ip", { skip: NO_BINARY || NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const ok = (...args: string[]): void => {
      const r = nlkit("-n", ns, ...args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    };
    ok("link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ok("link", "set", "v0", "up", "mtu", "1400", "alias", "x");
    const [l] = ipJson(ns, "link", "show", "v0");
    assert.deepEqual([l.mtu, l.ifalias, l.flags.includes("UP")], [1400, "x", true]);
    ok("link", "del", "v0");
    assert.deepEqual(ipJson(ns, "link", "show", "type", "veth"), []);
    const missing = nlkit("-n", ns, "link", "show", "dev", "nope");
    assert.deepEqual([missing.code, missing.stderr], [1, 'Device "nope" does not exist.\n']);
  });
});
