/**
 * Run from this tree, Deno loads a CLI command's modules only when the
 * command runs: deno.json's `"unstable": ["lazy-dynamic-imports"]` keeps
 * `deno run` from fetching every object's handler (the `import()` in
 * src/cli/objects.ts, ~450 modules) before the first line runs, ~40 ms of
 * each `deno run cli.ts`. Bun never loads them ahead, so there is nothing
 * to check there.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

test("deno run cli.ts --version fetches no handler's module", { skip: !!process.versions.bun }, () => {
  // -L debug lists each module Deno's file fetcher reads.
  const r = spawnSync(process.execPath, ["run", "-A", "-L", "debug", "cli.ts", "--version"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const fetched = r.stderr.split("\n").filter((l) => l.includes("FileFetcher") && l.includes("file://"));
  assert.ok(fetched.some((l) => l.includes("/src/cli/main.ts")), "the debug log still names fetched modules");
  for (const handler of ["ct", "route", "link", "nft", "tc"]) {
    assert.ok(!fetched.some((l) => l.includes(`/src/cli/${handler}.ts`)), `${handler}.ts fetched ahead`);
  }
});
