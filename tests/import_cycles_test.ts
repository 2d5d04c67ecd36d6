// No import cycles: walks the static imports (type-only ones too, as `deno info` shows them) of every entry point.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const ENTRIES = ["mod.ts", "cli.ts"];

/**
 * Cycles that another change removes, as "a.ts -> b.ts -> a.ts" from the
 * file that sorts first. Remove an entry with the cycle.
 */
const KNOWN = new Set([
  // Type-only (`Codec` names `MessageBuilder`); src/wire/table.ts is being reworked in the core v2 change.
  "src/wire/builder.ts -> src/wire/table.ts -> src/wire/builder.ts",
]);

// Static `import`/`export ... from` and bare `import "x"`, after comments are removed (doc examples import too).
const IMPORT = /(?:^|[;}\n])\s*(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']/g;

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    if (m[1].startsWith(".")) out.push(relative(ROOT, join(ROOT, dirname(file), m[1])));
  }
  return out;
}

/** Every cycle reachable from the entries, each once, rotated to start at its smallest file. */
function cycles(): string[] {
  const found = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const dep of importsOf(file)) {
      if (state.get(dep) === "open") {
        const loop = stack.slice(stack.indexOf(dep));
        const first = loop.indexOf([...loop].sort()[0]);
        const rotated = [...loop.slice(first), ...loop.slice(0, first)];
        found.add([...rotated, rotated[0]].join(" -> "));
      } else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const e of ENTRIES) visit(e);
  return [...found].sort();
}

test("the import graph of mod.ts and cli.ts has no cycle", () => {
  assert.deepEqual(cycles().filter((c) => !KNOWN.has(c)), []);
});

test("the cycle finder sees imports across lines, type-only imports and re-exports", () => {
  const graph = importsOf("src/route/route/parse.ts");
  assert.ok(
    graph.includes("src/route/route/_generated/table.ts") && graph.includes("src/route/route/table.ts"),
    graph.join(),
  );
  const table = importsOf("src/wire/table.ts");
  assert.ok(table.includes("src/wire/builder.ts"), table.join());
  const mod = importsOf("mod.ts");
  assert.ok(mod.length > 20 && mod.includes("src/route/route/api.ts"), mod.join());
});
