/**
 * Shared test helpers: root detection, throwaway namespaces that are always
 * deleted, and the iproute2 oracle.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";

/** True when the tests may touch the kernel (root, or the CI says so). */
export const IS_ROOT: boolean = process.getuid?.() === 0;

/** `skip` value for integration tests: false as root, else a one-line reason. */
export const NEEDS_ROOT: false | string = IS_ROOT ? false : "needs root: integration tests create network namespaces";

// Test runners print a skipped test's name but not its reason: say it once
// per run (test files may run in separate isolates, which share the environment).
if (NEEDS_ROOT && !process.env.NLKIT_SKIP_REASON_SHOWN) {
  process.env.NLKIT_SKIP_REASON_SHOWN = "1";
  console.error(`Skipping kernel integration tests (${NEEDS_ROOT})`);
}

let counter = 0;

/**
 * Where each name {@link uniqueName} hands out is marked, so that a later
 * run can delete what a killed run left behind (a test runner's timeout may
 * kill a run before its `finally` deletes its namespaces). tmpfs, like
 * /run/netns: both are empty after a reboot.
 */
const MARKS = "/run/nlkit-tests";
let swept = false;

/** Deletes the marked namespaces of test processes that are gone, once per process. */
function sweepStale(): void {
  swept = true;
  if (!IS_ROOT || !existsSync(MARKS)) return;
  for (const name of readdirSync(MARKS)) {
    const pid = /-(\d+)-\d+$/.exec(name)?.[1];
    if (!pid || existsSync(`/proc/${pid}`)) continue;
    try {
      if (existsSync(`/run/netns/${name}`)) execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
      rmSync(`${MARKS}/${name}`, { force: true });
    } catch { /* another run's sweep got there first */ }
  }
}

/**
 * A fresh namespace name, unique to this process. The count restarts in each
 * test file, and a name that a killed run left in /run/netns (pids are
 * reused) is skipped. The first call deletes the namespaces of killed runs.
 */
export function uniqueName(prefix = "nlkt"): string {
  if (!swept) sweepStale();
  let name;
  do name = `${prefix}-${process.pid}-${++counter}`; while (existsSync(`/run/netns/${name}`));
  if (IS_ROOT) {
    mkdirSync(MARKS, { recursive: true });
    writeFileSync(`${MARKS}/${name}`, "");
  }
  return name;
}

/**
 * Runs `fn` with a fresh named namespace (created with `ip netns add`, so
 * the oracle and nlkit agree on it) and deletes it afterwards, even when
 * `fn` throws.
 */
export async function withTempNetns<T>(fn: (ns: string) => Promise<T> | T): Promise<T> {
  const ns = uniqueName();
  run("ip", ["netns", "add", ns]);
  try {
    run("ip", ["-n", ns, "link", "set", "lo", "up"]);
    return await fn(ns);
  } finally {
    try {
      run("ip", ["netns", "del", ns]);
    } catch { /* already gone */ }
  }
}

/** Runs a command and returns its stdout; throws with stderr on failure. */
export function run(cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")}: ${err.stderr?.trim() || err.message}`);
  }
}

/** Runs `ip -n NS ARGS...`. */
export function ip(ns: string, ...args: string[]): string {
  return run("ip", ["-n", ns, ...args]);
}

/** Runs `ip -j -n NS ARGS...` and parses the JSON. */
// deno-lint-ignore no-explicit-any
export function ipJson(ns: string, ...args: string[]): any {
  const out = run("ip", ["-j", "-n", ns, ...args]);
  return out.trim() ? JSON.parse(out) : [];
}

/** True when a command is on PATH. */
export function have(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
