/**
 * The scripts in `examples/` run as a user would run them, on this
 * runtime, against throwaway namespaces.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { IS_BUN, ROOT } from "./_cli.ts";
import { ip, NEEDS_ROOT, run, uniqueName, withTempNetns } from "./_helpers.ts";
import { createConntrack } from "../src/netfilter/conntrack/ops.ts";

/** The command that runs an example with the permissions its header documents. */
function runner(example: string, perms: string[]): [string, string[]] {
  const bin = join(ROOT, "node_modules/.bin");
  return IS_BUN
    ? [join(bin, "bun"), [`examples/${example}`]]
    : [join(bin, "deno"), ["run", ...perms, `examples/${example}`]];
}

function runExample(example: string, perms: string[], args: string[]): string {
  const [cmd, pre] = runner(example, perms);
  const r = spawnSync(cmd, [...pre, ...args], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `${example}: ${r.stderr}`);
  return r.stdout;
}

test("examples/lab.ts builds the lab, sees its events and lists it", { skip: NEEDS_ROOT }, () => {
  const name = uniqueName("lab");
  const out = runExample("lab.ts", ["--allow-ffi", "--allow-read"], [name]);
  for (const kind of ["link", "addr", "route", "neigh", "rule"]) {
    assert.match(out, new RegExp(`^event new ${kind}$`, "m"));
  }
  assert.match(out, /^route 10\.9\.0\.0\/16 10\.1\.0\.2$/m);
  assert.match(out, /^tcp +6 \d+ ESTABLISHED src=10\.1\.0\.1 dst=10\.1\.0\.2 sport=40000 dport=443 /m);
  assert.doesNotMatch(run("ip", ["netns", "list"]), new RegExp(name), "namespace deleted");
});

test("examples/lab.ts is under 25 lines of nlkit", () => {
  const code = readFileSync(join(ROOT, "examples/lab.ts"), "utf8").replace(/^\/\*\*[\s\S]*?\*\/\n/, "");
  const lines = code.split("\n").filter((l) => l.trim() && !l.trim().startsWith("//") && !l.includes('"node:'));
  assert.ok(lines.length < 25, `${lines.length} lines`);
});

test("examples/router.ts pings from one namespace to another through a router", { skip: NEEDS_ROOT }, () => {
  const name = uniqueName("rtr");
  const out = runExample("router.ts", ["--allow-ffi", "--allow-read", "--allow-env", "--allow-run=ip"], [name]);
  assert.match(out, /^1 packets transmitted, 1 received/m);
  assert.match(out, /^router knows 10\.1\.0\.2 at ([0-9a-f]{2}:){5}[0-9a-f]{2}$/m);
  assert.match(out, /^router knows 10\.2\.0\.2 at /m);
  assert.doesNotMatch(run("ip", ["netns", "list"]), new RegExp(name), "namespaces deleted");
});

test("examples/watch.ts lists, then follows changes", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const [cmd, pre] = runner("watch.ts", ["--allow-ffi"]);
    const child = spawn(cmd, [...pre, ns, "2"], { cwd: ROOT });
    let out = "";
    const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("[synced]")) resolve();
      });
    });
    ip(ns, "link", "add", "w0", "type", "veth", "peer", "name", "w1");
    assert.equal(await exited, 0);
    const lo = "lo: 127\\.0\\.0\\.1/8";
    const want = `^\\[synced\\] ${lo}\n\\[new link\\] ${lo} \\| w\\d: \n\\[new link\\] ${lo} \\| w\\d:  \\| w\\d: \n$`;
    assert.match(out, new RegExp(want), out);
  });
});

test("examples/conntrack_cleanup.ts deletes one client's entries only", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    for (const [src, sport] of [["10.0.0.1", 1000], ["10.0.0.1", 1001], ["10.0.0.2", 1000]] as const) {
      await createConntrack({
        proto: "udp",
        orig: { src, dst: "10.0.0.9", sport, dport: 53 },
        reply: { src: "10.0.0.9", dst: src, sport: 53, dport: sport },
        timeout: 60,
      }, { netns: ns });
    }
    const out = runExample("conntrack_cleanup.ts", ["--allow-ffi"], [ns, "10.0.0.1"]);
    assert.equal(out, "deleted 2 of 3 entries from 10.0.0.1; 1 left\n");
  });
});

test("examples/ type-check", { skip: IS_BUN ? "Deno checks them" : false }, () => {
  const r = spawnSync(join(ROOT, "node_modules/.bin/deno"), ["check", "examples/"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});
