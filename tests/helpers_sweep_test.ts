/**
 * The test helpers' clean-up of what a killed run left: a namespace made by
 * a test process that is gone is deleted by the next run, and one whose
 * process is alive is kept.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import process from "node:process";
import { NEEDS_ROOT, run, uniqueName } from "./_helpers.ts";

const IS_BUN = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const HELPERS = new URL("./_helpers.ts", import.meta.url).href;

/** Runs a snippet that imports the helpers in a new process of this runtime; returns its stdout. */
function child(code: string): string {
  const src = `import { run, uniqueName } from ${JSON.stringify(HELPERS)};\n${code}`;
  const argv = IS_BUN ? [process.execPath, "-e", src] : [process.execPath, "eval", src];
  return spawnSync(argv[0], argv.slice(1), { encoding: "utf8" }).stdout.trim();
}

test("a namespace left by a killed test run is deleted by the next run, a live run's is kept", {
  skip: NEEDS_ROOT,
}, () => {
  const live = uniqueName("sweep");
  run("ip", ["netns", "add", live]);
  let left = "";
  try {
    left = child(`const ns = uniqueName("sweep");
run("ip", ["netns", "add", ns]);
console.log(ns);
process.kill(process.pid, "SIGKILL");`);
    assert.match(left, /^sweep-\d+-1$/);
    assert.ok(existsSync(`/run/netns/${left}`), "the killed run left its namespace");
    child(`uniqueName("sweep");`);
    assert.ok(!existsSync(`/run/netns/${left}`), `${left} was not deleted`);
    assert.ok(existsSync(`/run/netns/${live}`), `${live}, of a live run, was deleted`);
  } finally {
    for (const ns of [live, left]) if (ns && existsSync(`/run/netns/${ns}`)) run("ip", ["netns", "del", ns]);
  }
});

test("a mark without a namespace is only forgotten", { skip: NEEDS_ROOT }, () => {
  writeFileSync("/run/nlkit-tests/gone-999999999-1", "");
  child(`uniqueName("sweep");`);
  assert.ok(!existsSync("/run/nlkit-tests/gone-999999999-1"));
});
