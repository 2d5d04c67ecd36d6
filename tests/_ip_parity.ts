/**
 * One `ip` command compared with the same `nlkit` command in a namespace:
 * stdout and stderr byte for byte, and the exit status under nlkit's policy.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { nlkit } from "./_cli.ts";

/** ip's exit status mapped to nlkit's (kernel error 2 → 1, usage error 1 or 255 → 2). */
export const EXIT: Record<number, number> = { 0: 0, 1: 2, 2: 1, 255: 2 };

/**
 * Runs `ip -n NS ARGS...` and `nlkit -n NS ARGS...` and fails unless they
 * print the same and exit alike.
 */
export function sameAsIp(ns: string, args: string[]): void {
  const theirs = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
  const ours = nlkit(["-n", ns, ...args]);
  const what = `ip ${args.join(" ")}`;
  assert.equal(ours.stdout, theirs.stdout, `${what}: stdout`);
  assert.equal(ours.stderr, theirs.stderr, `${what}: stderr`);
  assert.equal(ours.code, EXIT[theirs.status!], `${what}: exit ${ours.code}, ip ${theirs.status}`);
}
