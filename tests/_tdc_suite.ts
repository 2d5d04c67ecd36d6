/**
 * The Linux kernel's own tc test suite ("tdc",
 * `tools/testing/selftests/tc-testing` in the kernel tree), run on `tc` and
 * on `nlkit tc` side by side. The suite is GPL and is not copied here: the
 * caller names its directory (`TDC_DIR`).
 *
 * A suite file (`tc-tests/<area>/<name>.json`) holds test cases: `setup`
 * commands (a string, or `[command, allowed exit codes...]`), a
 * `cmdUnderTest` whose exit code must be `expExitCode`, a `verifyCmd` whose
 * output must hold `matchPattern` (a Python regex, DOTALL and MULTILINE)
 * exactly `matchCount` times or must contain `matchJSON`, and `teardown`
 * commands. Commands name the tools and devices as `$TC`, `$IP`, `$DEV1`,
 * `$DUMMY`, ... {@link runCase} expands them as tdc.py and its nsPlugin do
 * (device names get `id<case id>` appended) and runs every command through
 * `sh -c` inside a throwaway network namespace made for that case alone,
 * which holds the veth pair `$DEV0`/`$DEV1` and the `$DUMMY` device up.
 * The output judged is stdout, or stderr when the command failed and wrote
 * there, as tdc.py's exec_cmd picks it.
 *
 * Substitution: this kernel has no `dummy` link kind, so `$DUMMY` is a veth
 * (peer `<name>p`) and every `type dummy` in a command reads `type veth`.
 * Cases marked `skip`, whose `dependsOn` probe fails, that need a plugin
 * other than nsPlugin (scapy traffic, eBPF builds) or a physical `$DEV2`
 * are skipped with the reason.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CLI, ROOT } from "./_cli.ts";
import { uniqueName } from "./_helpers.ts";

/** A command of a case: the shell line and the exit codes it may end with. */
type Command = string | [string, ...(number | string)[]];

/** One tdc test case, as its JSON file holds it (the keys tdc.py reads). */
export interface TdcCase {
  id: string;
  name: string;
  category?: string[];
  plugins?: { requires?: string | string[] };
  skip?: string;
  dependsOn?: string;
  setup: Command[];
  cmdUnderTest: string;
  expExitCode: string | number;
  verifyCmd: string;
  matchPattern?: string;
  matchCount?: string | number;
  matchJSON?: unknown;
  teardown: Command[];
  /** The file it comes from, relative to the suite's `tc-tests` directory. */
  file?: string;
}

/** How one case went with one tool. */
export interface CaseOutcome {
  /** `PASS`, `FAIL`, or `SKIP` (the case cannot run here: the reason says why). */
  result: "PASS" | "FAIL" | "SKIP";
  /** The stage that failed or the reason for a skip; empty on a pass. */
  why: string;
  /** The output of the command under test and of the verify command, for reports. */
  output: string;
  /** Whether the command under test ended with tc's own exit code (`expExitCode` itself). */
  sameExit?: boolean;
}

/**
 * The exit codes that stand for tc's `code` under nlkit's convention (README:
 * 1 when the kernel or the system refuses, 2 for a bad command line), where
 * tc exits 2 when the kernel refuses a qdisc, class or filter, and 1 or 255
 * (its -1) for a command line it cannot read, a device it cannot find, or
 * (`tc actions`) a refusal. A refusal tc leaves to the kernel may be one
 * nlkit makes before sending (a filter without a kind), so any failure
 * stands for any failure.
 */
export function nlkitExit(code: number): number[] {
  return code === 0 ? [0] : [1, 2];
}

/** The suite's test directory: `DIR/tc-tests` when it exists, else `DIR`. */
export function testsDir(dir: string): string {
  return existsSync(join(dir, "tc-tests")) ? join(dir, "tc-tests") : dir;
}

/**
 * Every case under `dir` (recursively, files in name order), each tagged
 * with its file; `filters` keep the cases whose file path or id contains one
 * of them.
 */
export function loadCases(dir: string, filters: string[] = []): TdcCase[] {
  const root = testsDir(dir);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".json")) files.push(p);
    }
  };
  walk(root);
  return files.flatMap((f) => {
    const file = relative(root, f);
    const cases = (JSON.parse(readFileSync(f, "utf8")) as TdcCase[]).map((c) => ({ ...c, file }));
    return cases.filter((c) => !filters.length || filters.some((w) => file.includes(w) || c.id === w));
  });
}

/** The tools a suite run compares: the real tc and an executable that starts `nlkit tc`. */
export class TdcTools implements Disposable {
  readonly #dir = mkdtempSync(join(tmpdir(), "nlkit-tdc-"));
  /** The real tc. */
  readonly tc: string = "tc";
  /** A two-line script that starts `nlkit tc` (this runtime on the sources, or `NLKIT_BIN`). */
  readonly nlkit: string = join(this.#dir, "nlkit-tc");
  /** A scratch directory for `$BATCH_FILE`. */
  readonly scratch: string = this.#dir;

  constructor() {
    // Commands run from other directories: name the sources, and Deno's config, by absolute path.
    const args = CLI[1].flatMap((a) =>
      a === "cli.ts" ? [join(ROOT, "cli.ts")] : a === "-A" ? [a, "--config", join(ROOT, "deno.json")] : [a]
    );
    const argv = [CLI[0], ...args];
    writeFileSync(this.nlkit, `#!/bin/sh\nexec ${argv.map((a) => `'${a}'`).join(" ")} tc "$@"\n`);
    chmodSync(this.nlkit, 0o755);
  }

  [Symbol.dispose](): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** Runs one shell line in a namespace; returns its exit code and the output tdc.py judges. */
function exec(ns: string, cmd: string): { code: number; out: string } {
  const r = spawnSync("ip", ["netns", "exec", ns, "sh", "-c", cmd], { encoding: "utf8", timeout: 120_000 });
  const code = r.status ?? 128;
  return { code, out: code !== 0 && r.stderr ? r.stderr : r.stdout ?? "" };
}

/** Expands tdc's names in a command, as string.Template.safe_substitute does, and reads `type dummy` as veth. */
function expand(s: string, names: Record<string, string>): string {
  return s.replace(/\$(?:(\w+)|\{(\w+)\})/g, (m, a, b) => names[a ?? b] ?? m).replace(/\btype dummy\b/g, "type veth");
}

/**
 * Runs setup or teardown commands; the first one that ends with a code it
 * may not end with (`exits` reads tc's codes for the tool) fails the stage.
 */
function stage(ns: string, cmds: Command[], names: Record<string, string>, exits: (code: number) => number[]): string {
  for (const c of cmds) {
    const [line, ...codes] = Array.isArray(c) ? c : [c, 0];
    if (!line) continue;
    const r = exec(ns, expand(line, names));
    if (!codes.flatMap((n) => exits(Number(n))).includes(r.code)) {
      return `${line} -> ${r.code}: ${r.out.trim().split("\n")[0] ?? ""}`;
    }
  }
  return "";
}

/** Whether `out` (JSON) contains `want`, by tdc.py's verify_by_json rules. */
export function matchJson(out: string, want: unknown): boolean {
  let got: unknown;
  try {
    got = JSON.parse(out);
  } catch {
    return false;
  }
  const kind = (v: unknown) => Array.isArray(v) ? "list" : v === null ? "null" : typeof v;
  const find = (o: unknown, w: unknown, key: string | number): boolean => {
    if (Array.isArray(w)) {
      return Array.isArray(o) && w.length <= o.length && w.every((x, i) => find(o[i], x, key));
    }
    if (w !== null && typeof w === "object") {
      if (kind(o) !== "object") return false;
      const obj = o as Record<string, unknown>;
      return Object.entries(w).every(([k, v]) => {
        if (!(k in obj)) return false;
        const inner = obj[k];
        if (inner !== null && typeof inner === "object") {
          return (Array.isArray(v) ? v.length : v && typeof v === "object" ? Object.keys(v).length : 1) > 0
            ? find(inner, v, k)
            : true;
        }
        return find(obj, v, k);
      });
    }
    // A scalar is compared with the value under its key, when the output holds that key.
    if (o !== null && typeof o === "object" && String(key) in o) {
      return JSON.stringify((o as Record<string, unknown>)[key as string]) === JSON.stringify(w);
    }
    return true;
  };
  return kind(got) === kind(want) && find(got, want, 0);
}

/** Why tdc would not run a case here, or "". */
export function skipReason(c: TdcCase): string {
  if (c.skip === "yes") return "the case is marked skip";
  const plugins = [c.plugins?.requires ?? []].flat().filter((p) => p !== "nsPlugin" && p !== "rootPlugin");
  if (plugins.length) return `needs ${plugins.join(", ")}`;
  const text = JSON.stringify(c);
  if (c.category?.includes("flower") || text.includes("$DEV2")) return "needs a physical device ($DEV2)";
  if (text.includes("$EBPFDIR")) return "needs the suite's compiled eBPF objects ($EBPFDIR)";
  if (text.includes("netdevsim") && !existsSync("/sys/bus/netdevsim")) return "needs netdevsim (this kernel has none)";
  return "";
}

/**
 * Runs one case with `$TC` = `tc` in a namespace of its own, deleted
 * afterwards, and judges it as tdc.py's run_one_test does; a failing setup
 * or teardown is a FAIL here (tdc.py stops the run there).
 */
export function runCase(
  c: TdcCase,
  tc: string,
  scratch: string,
  exits: (code: number) => number[] = (code) => [code],
): CaseOutcome {
  const skip = skipReason(c);
  if (skip) return { result: "SKIP", why: skip, output: "" };
  const ns = uniqueName("tdc");
  const names: Record<string, string> = {
    TC: tc,
    IP: "ip",
    NS: ns,
    DEV0: `v0p0id${c.id}`,
    DEV1: `v0p1id${c.id}`,
    DEV2: "",
    DUMMY: `dummy1id${c.id}`,
    ETH: "eth0",
    TESTID: c.id,
    BATCH_FILE: join(scratch, "batch.txt"),
    EBPFDIR: scratch,
  };
  const prep = [
    ["netns", "add", ns],
    ["-n", ns, "link", "add", names.DEV0, "type", "veth", "peer", "name", names.DEV1],
    ["-n", ns, "link", "add", names.DUMMY, "type", "veth", "peer", "name", `${names.DUMMY}p`],
    ...[names.DEV0, names.DEV1, names.DUMMY, `${names.DUMMY}p`].map((d) => ["-n", ns, "link", "set", d, "up"]),
  ];
  try {
    for (const args of prep) {
      const r = spawnSync("ip", args, { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    }
    if (c.dependsOn && exec(ns, expand(c.dependsOn, names)).code !== 0) {
      return { result: "SKIP", why: "its dependsOn probe fails", output: "" };
    }
    const setup = stage(ns, c.setup ?? [], names, exits);
    if (setup) return { result: "FAIL", why: `setup: ${setup}`, output: "" };
    const run = exec(ns, expand(c.cmdUnderTest, names));
    let why = "";
    let output = `$ ${c.cmdUnderTest}\n${run.out}`;
    const sameExit = run.code === Number(c.expExitCode);
    if (!exits(Number(c.expExitCode)).includes(run.code)) {
      why = `exit ${run.code}, expected ${c.expExitCode}`;
    } else {
      const verify = exec(ns, expand(c.verifyCmd, names));
      output += `$ ${c.verifyCmd}\n${verify.out}`;
      const count = Number(c.matchCount ?? 0);
      if (!verify.out) {
        if (count !== 0) why = "no output from the verify command";
      } else if (c.matchJSON !== undefined) {
        if (!matchJson(verify.out, c.matchJSON)) why = "verify: matchJSON not found";
      } else if (c.matchPattern !== undefined) {
        const n = pythonFindall(expand(c.matchPattern, names), verify.out);
        if (n !== count) why = `verify: pattern found ${n} times, expected ${count}`;
      } else why = "the case names neither matchJSON nor matchPattern";
    }
    const teardown = stage(ns, c.teardown ?? [], names, exits);
    if (!why && teardown) why = `teardown: ${teardown}`;
    return { result: why ? "FAIL" : "PASS", why, output, sameExit };
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
  }
}

/** How many times Python's re.findall finds `pattern` (DOTALL | MULTILINE) in `text`. */
function pythonFindall(pattern: string, text: string): number {
  // Python's inline groups and escapes that JavaScript spells differently.
  const js = pattern.replace(/\(\?P</g, "(?<").replace(/\\Z/g, "$(?![\\s\\S])");
  return [...text.matchAll(new RegExp(js, "gsm"))].length;
}

/** One case's outcome with both tools. */
export interface CaseResult {
  case: TdcCase;
  tc: CaseOutcome;
  nlkit: CaseOutcome;
}

/**
 * Runs each case with the real tc and with nlkit (judged by {@link nlkitExit}),
 * `each` seeing every result as it comes.
 */
export function runCases(cases: TdcCase[], each?: (r: CaseResult) => void): CaseResult[] {
  using tools = new TdcTools();
  return cases.map((c) => {
    const tc = runCase(c, tools.tc, tools.scratch);
    const r = { case: c, tc, nlkit: runCase(c, tools.nlkit, tools.scratch, nlkitExit) };
    each?.(r);
    return r;
  });
}
