/**
 * Import time of the root module (`mod.ts`, `@nlkit/netlink`) on the
 * runtime that runs this script, in fresh processes: each run starts one
 * process that imports nothing and one that imports the root module, in
 * turn, and the table gives the medians, their difference, and the import
 * as timed inside the process (`performance.now()` around `import()`). The
 * CPU time (user+sys, from bash's `time`) of the same processes is given
 * too: on a loaded machine it is steadier than the wall time. The subpaths
 * are timed the same way. Needs no root and bash.
 *
 *   deno run -A bench/import.ts [--runs 31]
 *   bun bench/import.ts [--runs 31]
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: "string", default: "31" } } });
const RUNS = Number(values.runs);
const ROOT = new URL("..", import.meta.url).pathname;
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const ENTRIES: [string, string][] = [
  ["@nlkit/netlink", "mod.ts"],
  ["/route", "src/route/mod.ts"],
  ["/conntrack", "src/netfilter/conntrack/mod.ts"],
  ["/nftables", "src/netfilter/nftables/mod.ts"],
  ["/wire", "src/wire/mod.ts"],
];

const dir = mkdtempSync(join(tmpdir(), "nlkit-import-"));
/** A script that imports `target` (or nothing) and prints how long the import took inside the process. */
function script(name: string, target?: string): string {
  const file = join(dir, `${name}.ts`);
  const body = target
    ? `const t0 = performance.now();\nawait import(${JSON.stringify(join(ROOT, target))});\n` +
      `console.log(performance.now() - t0);\n`
    : `console.log(0);\n`;
  writeFileSync(file, body);
  return file;
}

function argv(file: string): string[] {
  return isBun ? [process.execPath, file] : [process.execPath, "run", "--allow-ffi", "--allow-read", file];
}

/** Wall and CPU time of the whole process (ms) and the in-process import time it printed (ms). */
function once(file: string): { wall: number; cpu: number; inside: number } {
  const t0 = performance.now();
  const r = spawnSync("bash", ["-c", `TIMEFORMAT='CPU=%3U %3S'; time "$@"`, "_", ...argv(file)], { encoding: "utf8" });
  const wall = performance.now() - t0;
  const cpu = /CPU=([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !cpu) throw new Error(`${file}: ${r.stderr}`);
  return { wall, cpu: (Number(cpu[1]) + Number(cpu[2])) * 1000, inside: Number(r.stdout.trim()) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const empty = script("empty");
  const targets = ENTRIES.map(([label, path], i) => ({ label, file: script(`entry${i}`, path) }));
  for (const f of [empty, ...targets.map((t) => t.file)]) once(f); // warm the caches (Deno's transpile cache)
  const emptyWall: number[] = [], emptyCpu: number[] = [];
  const wall = targets.map(() => [] as number[]), inside = targets.map(() => [] as number[]);
  const cpu = targets.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) {
    const e = once(empty);
    emptyWall.push(e.wall);
    emptyCpu.push(e.cpu);
    targets.forEach((t, j) => {
      const r = once(t.file);
      wall[j].push(r.wall);
      cpu[j].push(r.cpu);
      inside[j].push(r.inside);
    });
  }
  const base = median(emptyWall), baseCpu = median(emptyCpu);
  console.log(
    `runtime: ${isBun ? "bun" : "deno"} ${isBun ? process.versions.bun : process.versions.deno}; ${RUNS} runs, medians`,
  );
  console.log(
    ["module", "process", "empty script", "difference", "ratio", "import() inside", "CPU", "CPU difference"].join("\t"),
  );
  targets.forEach((t, j) => {
    const w = median(wall[j]);
    console.log([
      t.label,
      `${w.toFixed(1)} ms`,
      `${base.toFixed(1)} ms`,
      `+${(w - base).toFixed(1)} ms`,
      `${(w / base).toFixed(2)}x`,
      `${median(inside[j]).toFixed(1)} ms`,
      `${median(cpu[j]).toFixed(1)} ms`,
      `+${(median(cpu[j]) - baseCpu).toFixed(1)} ms`,
    ].join("\t"));
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
