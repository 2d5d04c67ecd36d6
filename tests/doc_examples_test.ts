/**
 * Runs the `@example` of every entry point's module doc (the entry points
 * are deno.json's `exports`) as a script on this runtime, the way
 * `deno test --doc` runs them on Deno, so Bun runs them too. Each example
 * asserts what it did; one that creates namespaces needs root. On Deno the
 * examples are also type-checked, all at once.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, test } from "node:test";
import { IS_BUN, ROOT } from "./_cli.ts";
import { NEEDS_ROOT } from "./_helpers.ts";

const config = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
const exportsMap: Record<string, string> = config.exports;

/** Where `@nlkit/netlink[/sub]` points on this disk. */
function resolve(specifier: string): string {
  const sub = "." + specifier.slice(config.name.length);
  const file = exportsMap[sub];
  if (!file) throw new Error(`Cannot resolve "${specifier}": deno.json exports no "${sub}"`);
  return join(ROOT, file);
}

/** The `ts` code blocks of a file's module doc, without `ignore`d ones. */
function moduleExamples(file: string): string[] {
  const doc = readFileSync(file, "utf8").match(/\/\*\*((?:(?!\*\/)[\s\S])*?@module[\s\S]*?)\*\//)?.[1];
  if (!doc) return [];
  const text = doc.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n");
  return [...text.matchAll(/^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm)]
    .filter((m) => !/\bignore\b/.test(m[2]))
    .map((m) => m[3]);
}

/** Writes an example as a script whose `@nlkit/netlink` imports point at this checkout. */
function writeScript(dir: string, name: string, code: string): string {
  const file = join(dir, name);
  const pkg = config.name.replace("/", "\\/");
  writeFileSync(file, code.replace(new RegExp(`"(${pkg}(?:/[a-z]+)?)"`, "g"), (_, s) => JSON.stringify(resolve(s))));
  return file;
}

const bin = join(ROOT, "node_modules/.bin");
const env = { ...process.env, NO_COLOR: "1" };
const dir = mkdtempSync(join(tmpdir(), "nlkit-doc-"));
const scripts: { file: string; script: string; needsRoot: boolean }[] = [];
const modules: [string, number][] = [];
for (const file of Object.values(exportsMap)) {
  const examples = moduleExamples(join(ROOT, file));
  modules.push([file, examples.length]);
  examples.forEach((code, i) => {
    const script = writeScript(dir, `${file.replace(/\W+/g, "_")}_${i + 1}.ts`, code);
    scripts.push({ file, script, needsRoot: /createNetns|netns:/.test(code) });
  });
}
after(() => rmSync(dir, { recursive: true, force: true }));

for (const [file, count] of modules) {
  test(`${file}: the module doc has a runnable example`, () => {
    assert.ok(count > 0, `${file} has no runnable \`ts\` example in its @module doc`);
  });
}

// One type check for all (deno run does not check; one process per example would check the graph each time).
test("the module examples type-check", { skip: IS_BUN ? "Deno checks them" : false }, () => {
  const args = ["check", "--config", join(ROOT, "deno.json"), ...scripts.map((s) => s.script)];
  const r = spawnSync(join(bin, "deno"), args, { encoding: "utf8", env });
  assert.equal(r.status, 0, r.stderr);
});

for (const { file, script, needsRoot } of scripts) {
  test(
    `${file}: module example ${script.match(/_(\d+)\.ts$/)![1]} runs`,
    { skip: needsRoot ? NEEDS_ROOT : false },
    () => {
      const r = IS_BUN
        ? spawnSync(join(bin, "bun"), [script], { encoding: "utf8", env })
        : spawnSync(join(bin, "deno"), ["run", "-A", "--config", join(ROOT, "deno.json"), script], {
          encoding: "utf8",
          env,
        });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    },
  );
}
