/**
 * Deno's permissions as a user meets them: `--allow-ffi` alone is enough
 * and never prompts in a terminal (run under `script`, which gives the
 * child a pseudo-terminal), `--allow-ffi=PATH` works with libc's absolute
 * path, and `setLibcPath` picks the library.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./_cli.ts";
import { have } from "./_helpers.ts";

const NO_SCRIPT = have("script") ? false : "script (util-linux) is not installed";
const DENO = join(ROOT, "node_modules/.bin/deno");
const LIBC = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6"].find(existsSync);

/** Writes a script that lists links through the root module, optionally after `setLibcPath(libc)`. */
function probe(libc?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-perm-"));
  const file = join(dir, "probe.ts");
  const mod = new URL("../mod.ts", import.meta.url).href;
  writeFileSync(
    file,
    `import { listLinks, setLibcPath } from "${mod}";\n` +
      (libc ? `setLibcPath(${JSON.stringify(libc)});\n` : "") +
      `console.log("links:" + (await listLinks()).length);\n`,
  );
  return file;
}

/** Runs `deno ARGS` in a pseudo-terminal; a prompt would hang until the timeout. */
function inTerminal(args: string[]): { code: number | null; out: string } {
  const cmd = [DENO, ...args].map((w) => `'${w}'`).join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", timeout: 30000, input: "" });
  return { code: r.status, out: r.stdout };
}

test("deno run --allow-ffi lists links in a terminal without a prompt", { skip: NO_SCRIPT }, () => {
  const r = inTerminal(["run", "--allow-ffi", probe()]);
  assert.doesNotMatch(r.out, /Deno requests/);
  assert.match(r.out, /links:[1-9]/);
  assert.equal(r.code, 0);
});

test("the CLI runs with --allow-ffi alone in a terminal", { skip: NO_SCRIPT }, () => {
  const r = inTerminal(["run", "--allow-ffi", join(ROOT, "cli.ts"), "link", "show", "lo"]);
  assert.doesNotMatch(r.out, /Deno requests/);
  assert.match(r.out, /^1: lo: /m);
});

test(
  "--allow-ffi=PATH works with libc's absolute path",
  { skip: NO_SCRIPT || (LIBC ? false : "no glibc here") },
  () => {
    const r = inTerminal(["run", `--allow-ffi=${LIBC}`, probe()]);
    assert.doesNotMatch(r.out, /Deno requests/);
    assert.match(r.out, /links:[1-9]/);
  },
);

test("setLibcPath picks the library, and a wrong path is reported", {
  skip: NO_SCRIPT || (LIBC ? false : "no glibc here"),
}, () => {
  assert.match(inTerminal(["run", `--allow-ffi=${LIBC}`, probe(LIBC)]).out, /links:[1-9]/);
  const bad = inTerminal(["run", "--allow-ffi", probe("/nonexistent/libc.so")]);
  assert.notEqual(bad.code, 0);
  // The real error, not a list of other systems' names.
  assert.match(bad.out, /Cannot load libc: .*\/nonexistent\/libc\.so: cannot open shared object file/);
});

test("--allow-ffi=libc.so.6 (relative) fails saying why, with the real error", {
  skip: NO_SCRIPT || (LIBC ? false : "no glibc here"),
}, () => {
  const r = inTerminal(["run", "--no-prompt", "--allow-ffi=libc.so.6", probe()]);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /Deno resolves --allow-ffi=libc\.so\.6 against the current directory/);
  assert.match(r.out, /cannot open shared object file/);
});

test("without --allow-ffi: a PermissionError naming --allow-ffi, code EACCES", { skip: NO_SCRIPT }, () => {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-perm-"));
  const file = join(dir, "noffi.ts");
  const mod = new URL("../mod.ts", import.meta.url).href;
  writeFileSync(
    file,
    `import { listLinks, PermissionError } from "${mod}";\n` +
      `try { await listLinks(); } catch (e) { console.log(["caught", e instanceof PermissionError, e.code, e.permission].join(" ")); }\n`,
  );
  const r = inTerminal(["run", "--no-prompt", file]);
  assert.doesNotMatch(r.out, /Deno requests/);
  assert.match(r.out, /^caught true EACCES --allow-ffi/m);
});
