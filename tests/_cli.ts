/**
 * Runs the `nlkit` CLI as a subprocess for the CLI test files: this runtime
 * on the sources (`deno run -A cli.ts` under Deno, `bun cli.ts` under Bun), or
 * the executable named by `NLKIT_BIN` (`NLKIT_BIN=dist/nlkit deno test -A
 * tests/cli_test.ts` runs a CLI suite on the compiled binary).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import process from "node:process";
import { watch } from "./_monitor.ts";

/** The repository root. */
export const ROOT: string = new URL("..", import.meta.url).pathname;
const BIN = join(ROOT, "node_modules/.bin");
/** True under Bun. */
export const IS_BUN: boolean = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** The command and leading arguments that start the CLI. */
export const CLI: [string, string[]] = process.env.NLKIT_BIN
  ? [resolve(ROOT, process.env.NLKIT_BIN), []]
  : IS_BUN
  ? [join(BIN, "bun"), ["cli.ts"]]
  : [join(BIN, "deno"), ["run", "-A", "cli.ts"]];

/** What one CLI run gave. */
export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `nlkit ARGS...` (with `input` on stdin) and returns its exit code and output. */
export function nlkit(args: string[], env: Record<string, string> = {}, input?: string): Result {
  const r = spawnSync(CLI[0], [...CLI[1], ...args], {
    cwd: ROOT,
    encoding: "utf8",
    input,
    env: { ...process.env, NO_COLOR: "", ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `nlkit -n NS ARGS...` and fails the test unless it exits 0. */
export function ok(ns: string, ...args: string[]): string {
  const r = nlkit(["-n", ns, ...args]);
  assert.equal(r.code, 0, `nlkit -n ${ns} ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/**
 * Starts a long-running nlkit on `-n NS ...`, runs `act` once it has joined
 * its netlink groups in NS (not after a fixed wait: a loaded machine starts
 * it late), then stops it with SIGINT.
 */
export async function followWhile(args: string[], act: () => void): Promise<Result> {
  const ns = args[args.indexOf("-n") + 1];
  assert.ok(args.includes("-n") && ns, "followWhile needs -n NS");
  const [w] = await watch(ns, [[CLI[0], [...CLI[1], ...args]]], act);
  return { code: w.code ?? -1, stdout: w.out, stderr: w.err };
}
