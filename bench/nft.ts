/**
 * Benchmark: nftables listing and applying, next to nft 1.0.6 in the same
 * run. A ruleset of 10,000 rules and a set of 100,000 elements is loaded in
 * a throwaway namespace; then, each timed as the best of a few runs:
 * - listing: in-process, the JSON text `nlkit -j nft list ruleset` writes
 *   (`emitRulesetJson`) and the typed ruleset turned into nft's JSON; and
 *   the whole `nlkit -j nft list ruleset` process against
 *   `nft -j list ruleset`, and the whole `nlkit nft list ruleset` (nft's
 *   text) against `nft list ruleset`;
 * - applying: the same JSON document in-process (`JSON.parse` plus
 *   `applyJson`) and by the whole `nlkit nft -j -f` process, against
 *   `nft -j -f` and `nft -f` of the text, and the text itself by
 *   `nlkit nft -f` against `nft -f`, each into an emptied namespace;
 * - elements: 100,000 and 1,000,000 set elements added in socket-sized
 *   batches, against `nft -f` adding the same 100,000.
 *
 * Processes are timed by wall clock and by CPU (user + system, from GNU
 * time; in-process work by `process.cpuUsage()`, the kernel's share of the
 * work included as system time): on a loaded machine the CPU ratio is the
 * steadier one. The in-process figures leave out the runtime's start and
 * module loading, which the whole-process figures include.
 *
 * When `dist/nlkit` is built (`bash scripts/build_binary.sh`), the compiled
 * binary is timed as a peer of the runtime's own CLI, in the same run.
 * `NFT_BENCH=cli` times only the whole processes (a quicker run).
 *
 * Run as root: `deno run -A bench/nft.ts` or `bun bench/nft.ts`.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { listRuleset } from "../src/netfilter/nftables/list.ts";
import { rulesetJson } from "../src/netfilter/nftables/json/ruleset_json.ts";
import { emitRulesetJson } from "../src/netfilter/nftables/json/stream.ts";
import { applyJson } from "../src/netfilter/nftables/json/apply.ts";
import { interfaceNames } from "../src/netfilter/nftables/ifnames.ts";
import { nftJsonText } from "../src/netfilter/nftables/json/serialize.ts";
import { addElementsBulk, addSet, addTable, flushRuleset } from "../src/netfilter/nftables/ops.ts";
import type { NftElement } from "../src/netfilter/nftables/element.ts";

const RULES = 10000;
const ELEMENTS = 100000;
const RUNS = Number(process.env.NFT_BENCH_RUNS ?? 3);
const ONLY_CLI = process.env.NFT_BENCH === "cli";
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const ns = `nftbench-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), "nlkit-bench-nft-"));
const cli = runtime === "bun" ? ["node_modules/.bin/bun", "cli.ts"] : ["node_modules/.bin/deno", "run", "-A", "cli.ts"];
const bin = existsSync("dist/nlkit") ? ["dist/nlkit"] : undefined;

function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: "utf8", input, maxBuffer: 1 << 30 });
}

function nft(...args: string[]): string {
  return sh("ip", ["netns", "exec", ns, "nft", ...args]);
}

/** Best wall time of `RUNS` runs of `fn` (after `setup`, untimed), ms. */
async function best(fn: () => unknown, setup?: () => unknown): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < RUNS; i++) {
    await setup?.();
    const t = performance.now();
    await fn();
    b = Math.min(b, performance.now() - t);
  }
  return b;
}

/** Best wall time and best CPU time (user + system, `process.cpuUsage`) of `RUNS` in-process runs, ms. */
async function bestIn(fn: () => unknown, setup?: () => unknown): Promise<Timing> {
  let cpu = Infinity;
  const wall = await best(async () => {
    const c = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(c);
    cpu = Math.min(cpu, (d.user + d.system) / 1000);
  }, setup);
  return { wall, cpu };
}

/** CPU seconds (user + system) of the last {@link proc} run, from GNU time. */
let lastCpu = NaN;
const timeFile = join(dir, "time.txt");

function proc(cmd: string, args: string[]): () => void {
  return () => {
    const r = spawnSync("/usr/bin/time", ["-o", timeFile, "-f", "%U %S", cmd, ...args], {
      stdio: ["ignore", "ignore", "inherit"],
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
    const [u, s] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    lastCpu = u + s;
  };
}

/** Best wall time and best CPU time (user + system) of `RUNS` runs of a process, ms. */
async function bestProc(fn: () => void, setup?: () => unknown): Promise<Timing> {
  let cpu = Infinity;
  const wall = await best(() => {
    fn();
    cpu = Math.min(cpu, lastCpu * 1000);
  }, setup);
  return { wall, cpu };
}

type Timing = { wall: number; cpu: number };

function line(what: string, mine: Timing, label: string, theirs: Timing): string {
  return `${what} ${mine.wall.toFixed(0)} ms wall, ${mine.cpu.toFixed(0)} ms CPU | ${label} ${
    theirs.wall.toFixed(0)
  } ms wall, ` +
    `${theirs.cpu.toFixed(0)} ms CPU | ratio wall ${ratio(mine.wall, theirs.wall)}, CPU ${ratio(mine.cpu, theirs.cpu)}`;
}

function rulesetText(): string {
  const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const stmts = [
    (i: number) => `ip saddr ${ip(i)} tcp dport ${1 + (i % 60000)} counter accept`,
    (i: number) => `iifname "eth${i % 8}" ip daddr ${ip(i)}/32 ct state established,related accept`,
    (i: number) => `udp dport { ${i % 1000 + 1}, ${i % 1000 + 2000} } meta mark set ${i} accept`,
    (i: number) => `ip6 saddr 2001:db8::${(i % 65535).toString(16)} log prefix "r${i} " drop`,
    (i: number) => `tcp flags syn limit rate ${i % 100 + 1}/second accept`,
  ];
  const rules = Array.from({ length: RULES }, (_, i) => `\t\t${stmts[i % stmts.length](i)}`);
  const elems = Array.from({ length: ELEMENTS }, (_, i) => ip(i + 1 + (1 << 20)));
  return `table inet bench {\n\tset big {\n\t\ttype ipv4_addr\n\t\telements = { ${elems.join(", ")} }\n\t}\n` +
    `\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n${rules.join("\n")}\n\t}\n}\n`;
}

function elementsOf(n: number, base: number): NftElement[] {
  return Array.from({ length: n }, (_, i) => {
    const v = base + i;
    return { key: { value: new Uint8Array([(v >>> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255]) } };
  });
}

const ratio = (a: number, b: number) => (a / b).toFixed(2);

sh("ip", ["netns", "add", ns]);
try {
  const text = rulesetText();
  const textFile = join(dir, "ruleset.nft");
  writeFileSync(textFile, text);
  nft("-f", textFile);
  const jsonFile = join(dir, "ruleset.json");
  writeFileSync(jsonFile, nft("-j", "list", "ruleset"));
  const o = { netns: ns };
  console.log(`# ${runtime}: ${RULES} rules and a set of ${ELEMENTS} elements, best of ${RUNS}`);

  const nftList = await bestProc(proc("ip", ["netns", "exec", ns, "nft", "-j", "list", "ruleset"]));
  if (!ONLY_CLI) {
    let bytes = 0;
    const libTyped = await bestIn(async () => {
      bytes = nftJsonText(rulesetJson(await listRuleset({}, o))).length;
    });
    let emitted = 0;
    const libText = await bestIn(async () => {
      emitted = 0;
      await emitRulesetJson((t) => emitted += t.length + 2, {}, o, { ifnames: await interfaceNames(o) });
    });
    const textLabel = `list   in-process JSON text (${(emitted / 1e6).toFixed(1)} MB)`;
    console.log(line(textLabel, libText, "nft -j list ruleset", nftList));
    const typedLabel = `list   in-process typed + JSON (${(bytes / 1e6).toFixed(1)} MB)`;
    console.log(line(typedLabel, libTyped, "nft -j list ruleset", nftList));
  }
  const listArgs = ["-n", ns, "-j", "nft", "list", "ruleset"];
  const cliList = await bestProc(proc(cli[0], [...cli.slice(1), ...listArgs]));
  console.log(line(`list   nlkit (${runtime}) -j nft list ruleset`, cliList, "nft -j list ruleset", nftList));
  if (bin) {
    const binList = await bestProc(proc(bin[0], listArgs));
    console.log(line("list   dist/nlkit -j nft list ruleset", binList, "nft -j list ruleset", nftList));
  }

  const nftText = await bestProc(proc("ip", ["netns", "exec", ns, "nft", "list", "ruleset"]));
  const textArgs = ["-n", ns, "nft", "list", "ruleset"];
  const cliText = await bestProc(proc(cli[0], [...cli.slice(1), ...textArgs]));
  console.log(line(`list   nlkit (${runtime}) nft list ruleset (text)`, cliText, "nft list ruleset", nftText));
  if (bin) {
    const binText = await bestProc(proc(bin[0], textArgs));
    console.log(line("list   dist/nlkit nft list ruleset (text)", binText, "nft list ruleset", nftText));
  }

  const empty = () => nft("flush", "ruleset");
  const docText = readFileSync(jsonFile, "utf8");
  const nftApplyJson = await bestProc(proc("ip", ["netns", "exec", ns, "nft", "-j", "-f", jsonFile]), empty);
  const nftApplyText = await bestProc(proc("ip", ["netns", "exec", ns, "nft", "-f", textFile]), empty);
  if (!ONLY_CLI) {
    const libApply = await bestIn(() => applyJson(JSON.parse(docText), o), empty);
    console.log(line("apply  in-process applyJson", libApply, "nft -j -f", nftApplyJson));
  }
  const applyArgs = ["-n", ns, "nft", "-j", "-f", jsonFile];
  const peers: [string, string[]][] = [[`nlkit (${runtime})`, cli]];
  if (bin) peers.push(["dist/nlkit", bin]);
  for (const [label, cmd] of peers) {
    const t = await bestProc(proc(cmd[0], [...cmd.slice(1), ...applyArgs]), empty);
    console.log(line(`apply  ${label} nft -j -f`, t, "nft -j -f", nftApplyJson));
    console.log(line(`apply  ${label} nft -j -f`, t, "nft -f (text)", nftApplyText));
    // The same text in nft's language, read by nlkit's own parser.
    const fromText = await bestProc(proc(cmd[0], [...cmd.slice(1), "-n", ns, "nft", "-f", textFile]), empty);
    console.log(line(`apply  ${label} nft -f (text)`, fromText, "nft -f (text)", nftApplyText));
  }
  if (!ONLY_CLI) {
    const ref = { family: "inet", table: "e", set: "s" };
    const freshSet = async (size: number) => {
      await flushRuleset(undefined, o);
      await addTable({ family: "inet", name: "e" }, o);
      await addSet({ family: "inet", table: "e", name: "s", keyType: 7, keyLen: 4, size }, o);
    };
    const e100k = elementsOf(ELEMENTS, 0x0b000000);
    const add100k = await bestIn(() => addElementsBulk(ref, e100k, {}, o), () => freshSet(ELEMENTS));
    const elemText = `add element inet e s { ${e100k.map((e) => Array.from(e.key!.value!).join(".")).join(", ")} }\n`;
    const elemFile = join(dir, "elements.nft");
    writeFileSync(elemFile, elemText);
    const nftAdd = await bestProc(proc("ip", ["netns", "exec", ns, "nft", "-f", elemFile]), () => freshSet(ELEMENTS));
    console.log(line("elements add 100,000: library", add100k, "nft -f", nftAdd));
    await freshSet(1000000);
    const e1m = elementsOf(1000000, 0x0c000000);
    const t = performance.now();
    const n = await addElementsBulk(ref, e1m, {}, o);
    console.log(
      `elements add 1,000,000 in socket-sized batches: ${(performance.now() - t).toFixed(0)} ms (${n} added)`,
    );
  }
} finally {
  spawnSync("ip", ["netns", "del", ns], { stdio: "inherit" });
}
