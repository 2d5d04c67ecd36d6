/**
 * Smoke tests of the compiled `dist/nlkit` (built by
 * `scripts/build_binary.sh`): version, `link show` and `ct -L` in a
 * namespace, each checked against `ip` and `conntrack`.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { have, ip, ipJson, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

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
