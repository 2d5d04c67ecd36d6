/**
 * conntrack-tools' own command-line testsuite (`tests/conntrack/testsuite/*`
 * in its repository), run on `conntrack` and on `nlkit ct` side by side.
 *
 * A suite file holds lines `ARGS ; OK` or `ARGS ; BAD`. Its runner
 * (`tests/conntrack/test-conntrack.c`) skips lines that start with `#` or a
 * space, runs `conntrack ARGS` through `sh -c` and checks only the exit
 * status (0 for OK, anything else for BAD); stdout and stderr go to the
 * terminal. Two more forms build shell pipelines: `ARGS ;` with nothing
 * after the `;` is a line of input (such lines, in a row, become
 * `echo "L1\nL2" | ` before the next command, which is usually `-R -`), and
 * `ARGS ; |SED` pipes the command's output through `sed "SED"` into the
 * next command. {@link parseSuite} builds those same shell commands, with
 * `conntrack` as the program name.
 *
 * {@link SuiteRun} runs each command twice, in two fresh namespaces that
 * the suite shares from file to file as the original runner shares one
 * table: once with the real conntrack, once with `conntrack` on PATH being
 * a two-line script that starts `nlkit ct` (this runtime on the sources, or
 * `NLKIT_BIN`). After each command it compares the exit status with the
 * suite's expectation and with conntrack's exit code, the stdout lines and
 * stderr summary (timeouts masked, program name replaced, lines sorted:
 * dump order is hash order), and the table each namespace holds afterwards
 * (`conntrack -L -o save` and `conntrack -L expect`, read by the real tool
 * in both).
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { CLI, ROOT } from "./_cli.ts";
import { lines, summary } from "./_ct_cli.ts";
import { run, uniqueName } from "./_helpers.ts";

/** One command of a suite: the shell line built as test-conntrack.c builds it, and what the suite expects. */
export interface SuiteStep {
  /** The file it comes from. */
  file: string;
  /** Its line number in that file (the line with `OK` or `BAD`). */
  line: number;
  /** The command for `sh -c`, with `conntrack` as the program. */
  shell: string;
  /** What the suite expects: exit 0 (OK) or not (BAD). */
  expect: "OK" | "BAD";
}

/**
 * Turns one suite file into its commands, as test-conntrack.c reads it.
 * Throws on a line without `;`, as it does ("malformed file").
 */
export function parseSuite(file: string, text: string): SuiteStep[] {
  const steps: SuiteStep[] = [];
  let buf = "";
  let pending: "" | "\n" = "";
  const rows = text.split("\n");
  if (rows.at(-1) === "") rows.pop();
  rows.forEach((row, i) => {
    if (row[0] === "#" || row[0] === " ") return;
    const semi = row.indexOf(";");
    if (semi < 0) throw new Error(`malformed file ${file} at line ${i + 1}`);
    const args = row.slice(0, semi);
    const rest = row.slice(semi + 1).replace(/^[ \t]*/, "");
    const cmd = rest[0] ?? "\n";
    const opt = rest.slice(1).replace(/^[ \t]*/, "");
    if (pending && cmd !== pending) {
      buf += `" | `;
      pending = "";
    }
    if (cmd === "\n") {
      buf += pending ? "\n" : `echo "`;
      pending = "\n";
      buf += args;
      return;
    }
    buf += `conntrack ${args}`;
    if (cmd === "|") {
      buf += " | " + (opt ? `sed "${opt}" | ` : "");
      return;
    }
    // test-conntrack.c counts any other word as BAD unless it starts with O or B.
    steps.push({ file, line: i + 1, shell: buf, expect: cmd === "O" ? "OK" : "BAD" });
    buf = "";
  });
  return steps;
}

/** What one command gave in one namespace. */
export interface StepOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** The table afterwards: `-L -o save` lines and `-L expect` lines. */
  table: string[];
}

/** The comparison of one command on both tools. */
export interface StepResult {
  step: SuiteStep;
  /**
   * The exit codes when the suite runs on each tool alone, at its own speed
   * (`nlkit` only when asked for). Side by side a run is slower, and entries
   * with short timeouts (`-t 29`) can expire before later lines use them:
   * where `alone.conntrack` and `conntrack.code` disagree, the line depends
   * on timing.
   */
  alone: { conntrack: number; nlkit?: number };
  conntrack: StepOutcome;
  nlkit: StepOutcome;
  /** Whether conntrack's exit status is what the suite expects. */
  conntrackPasses: boolean;
  /** Whether nlkit's exit status is what the suite expects. */
  nlkitPasses: boolean;
  /** Where nlkit differs from conntrack: `exit`, `stdout`, `stderr`, `table` (known differences left out). */
  differs: string[];
  /** Why nlkit differs from conntrack on this line on purpose, when it does (see {@link KNOWN_DIFFERENCES}). */
  known?: string;
  /**
   * Whether an entry was about to expire when the line ran: the two tools
   * run one after the other, so one may still find an entry that has
   * expired for the other, and differences may be timing alone.
   */
  racy: boolean;
}

/**
 * Where nlkit differs from conntrack 1.4.7 on purpose: the commands (a
 * pattern of the shell line), what differs, and why.
 */
export const KNOWN_DIFFERENCES: readonly { match: RegExp; aspects: readonly string[]; why: string }[] = [
  {
    match: /--(src|dst|any)-nat \[[0-9a-f:.]+\]:\d+/i,
    aspects: ["stdout", "stderr"],
    why: "conntrack (1.4.7 and its newest source) filters NAT by the IPv4 address and the port only, " +
      "so it lists an IPv6 entry NATed to another address; nlkit never ignores the address",
  },
];

/** How the commands run: a shell script each namespace gets first, and a command wrapping every shell. */
export interface SuiteOptions {
  /** Run in each namespace when it is made (sysctls, an nft ruleset that gives entries label storage). */
  setup?: string;
  /** Words before `ip netns exec` on every command, e.g. `unshare -m` with a private /etc. */
  wrap?: readonly string[];
}

function sh(
  ns: string,
  command: string,
  path: string,
  wrap: readonly string[] = [],
): { code: number; stdout: string; stderr: string } {
  const argv = [...wrap, "ip", "netns", "exec", ns, "sh", "-c", command];
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PATH: path, NO_COLOR: "" },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Output lines with what differs between two runs masked: ids, kernel times; timeouts are compared by {@link sameOutput}. */
function masked(text: string): string[] {
  return lines(text).map((l) =>
    l.replace(/\bid=\d+/g, "id=I").replace(/<id>\d+/g, "<id>I").replace(/delta-time=\d+/g, "delta-time=D")
      .replace(/<deltatime>\d+/g, "<deltatime>D").replace(/<timeout>\d+/g, "<timeout>T")
      .replace(/\[(start|stop)=[^\]]*\]/g, "[$1=S]").replace(/<(start|stop)>\d+/g, "<$1>S")
  );
}

/** A timeout as a line prints it: `-t 50` (`-o save`) or `tcp      6 50 ESTABLISHED` (the default form). */
const TIMEOUT = /( -t |^\S+\s+\d+ )(\d+)/;

/**
 * Whether two outputs say the same, line order aside. The tools run one
 * after the other, so an entry's timeout may read a second or two less on
 * the second: timeouts may differ by at most {@link TIMEOUT_SLACK}.
 */
function sameOutput(a: string, b: string): boolean {
  const key = (l: string) => l.replace(TIMEOUT, "$1T");
  const [x, y] = [masked(a), masked(b)].map((ls) => ls.sort((p, q) => key(p) < key(q) ? -1 : key(p) > key(q) ? 1 : 0));
  return x.length === y.length && x.every((l, i) => {
    if (l === y[i]) return true;
    if (key(l) !== key(y[i])) return false;
    return Math.abs(Number(TIMEOUT.exec(l)![2]) - Number(TIMEOUT.exec(y[i])![2])) <= TIMEOUT_SLACK;
  });
}

/** Seconds two readings of one entry's timeout may differ by. */
const TIMEOUT_SLACK = 2;

/** An entry this close to expiring (seconds) may be gone on one side and not yet on the other. */
const EXPIRING = 15;

/** The seconds an entry of `-o save` output has left. */
const secondsLeft = (line: string): number => Number(/ -t (\d+)/.exec(line)?.[1] ?? Infinity);

/** The lines of `x` that `y` has no twin of (timeouts aside), each twin used once. */
function unmatched(x: string[], y: string[]): string[] {
  const key = (l: string) => l.replace(/ -t \d+/, "");
  const left = new Map<string, number>();
  for (const l of y) left.set(key(l), (left.get(key(l)) ?? 0) + 1);
  return x.filter((l) => {
    const n = left.get(key(l)) ?? 0;
    left.set(key(l), n - 1);
    return n <= 0;
  });
}

/** Whether two tables differ, entries about to expire aside (the twin of one may already be gone). */
function tablesDiffer(a: string[], b: string[]): boolean {
  return [...unmatched(a, b), ...unmatched(b, a)].some((l) => secondsLeft(l) > EXPIRING);
}

/** The namespaces and the `conntrack` script that starts nlkit; {@link SuiteRun.close} removes them. */
export class SuiteRun {
  /** The namespace where the real conntrack runs side by side with nlkit. */
  readonly theirs: string;
  /** The namespace where `nlkit ct` runs side by side with conntrack. */
  readonly ours: string;
  /** The namespaces where each runs alone. */
  readonly alone: { conntrack: string; nlkit: string };
  readonly #dir = mkdtempSync(join(tmpdir(), "nlkit-ctsuite-"));
  readonly #made: string[] = [];
  /** PATH with the script first, for nlkit; PATH as it is, for conntrack. */
  readonly #path = { nlkit: `${this.#dir}:${process.env.PATH}`, conntrack: process.env.PATH ?? "" };

  readonly #opts: SuiteOptions;
  /** Both tables after the last command. */
  #before: [string[], string[]] = [[], []];

  constructor(opts: SuiteOptions = {}) {
    this.#opts = opts;
    const start = [CLI[0], ...CLI[1].map((a) => a === "cli.ts" ? join(ROOT, "cli.ts") : a)];
    writeFileSync(join(this.#dir, "conntrack"), `#!/bin/sh\nexec ${start.join(" ")} ct "$@"\n`);
    chmodSync(join(this.#dir, "conntrack"), 0o755);
    try {
      [this.theirs, this.ours, this.alone] = [
        this.#netns("ctst"),
        this.#netns("ctsn"),
        { conntrack: this.#netns("ctsa"), nlkit: this.#netns("ctsb") },
      ];
    } catch (e) {
      this.close();
      throw e;
    }
  }

  #netns(prefix: string): string {
    const ns = uniqueName(prefix);
    run("ip", ["netns", "add", ns]);
    this.#made.push(ns);
    run("ip", ["-n", ns, "link", "set", "lo", "up"]);
    if (this.#opts.setup) {
      const r = sh(ns, this.#opts.setup, this.#path.conntrack, this.#opts.wrap);
      if (r.code !== 0) throw new Error(`setup of ${ns}: ${r.stderr}`);
    }
    return ns;
  }

  /** The table of a namespace, read with the real conntrack, timeouts kept. */
  table(ns: string): string[] {
    const save = sh(
      ns,
      "conntrack -L -o save 2>/dev/null; conntrack -L expect 2>/dev/null",
      this.#path.conntrack,
      this.#opts.wrap,
    );
    return save.stdout.split("\n").filter((l) => l.trim());
  }

  /** Runs one command on both tools and compares what they did. */
  step(step: SuiteStep): Omit<StepResult, "alone"> {
    const theirs = sh(this.theirs, step.shell, this.#path.conntrack, this.#opts.wrap);
    const mine = sh(this.ours, step.shell, this.#path.nlkit, this.#opts.wrap);
    const c: StepOutcome = { ...theirs, table: this.table(this.theirs) };
    const n: StepOutcome = { ...mine, table: this.table(this.ours) };
    const differs: string[] = [];
    if (c.code !== n.code) differs.push("exit");
    if (!sameOutput(c.stdout, n.stdout)) differs.push("stdout");
    if (summary(c.stderr).join("\n") !== summary(n.stderr).join("\n")) differs.push("stderr");
    if (tablesDiffer(c.table, n.table)) differs.push("table");
    // Outcomes that may hang on which twin of an expiring entry expired first.
    const racy = [...this.#before[0], ...this.#before[1]].some((l) => secondsLeft(l) <= EXPIRING);
    this.#before = [c.table, n.table];
    const passes = (code: number) => (code === 0) === (step.expect === "OK");
    const known = KNOWN_DIFFERENCES.find((k) => k.match.test(step.shell));
    return {
      step,
      conntrack: c,
      nlkit: n,
      conntrackPasses: passes(c.code),
      nlkitPasses: passes(n.code),
      differs: differs.filter((d) => !known?.aspects.includes(d)),
      known: known && differs.some((d) => known.aspects.includes(d)) ? known.why : undefined,
      racy,
    };
  }

  /** Runs one command with one tool alone, in its own namespace, and returns its exit code. */
  runAlone(step: SuiteStep, tool: "conntrack" | "nlkit"): number {
    return sh(this.alone[tool], step.shell, this.#path[tool], this.#opts.wrap).code;
  }

  /** Deletes the namespaces and the script. */
  close(): void {
    for (const ns of this.#made) {
      try {
        run("ip", ["netns", "del", ns]);
      } catch { /* already gone */ }
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * Runs suite files (name and text, in the order given): on conntrack alone,
 * on nlkit alone when `nlkitAlone` is set, then on both side by side; each
 * run keeps one table from file to file, as test-conntrack.c does.
 */
export function runSuite(
  files: readonly [string, string][],
  opts: SuiteOptions & { nlkitAlone?: boolean; each?: (r: StepResult) => void } = {},
): StepResult[] {
  const steps = files.flatMap(([name, text]) => parseSuite(name, text));
  const r = new SuiteRun(opts);
  try {
    const conntrack = steps.map((s) => r.runAlone(s, "conntrack"));
    const nlkit = opts.nlkitAlone ? steps.map((s) => r.runAlone(s, "nlkit")) : [];
    return steps.map((s, i) => {
      const res = { ...r.step(s), alone: { conntrack: conntrack[i], nlkit: nlkit[i] } };
      opts.each?.(res);
      return res;
    });
  } finally {
    r.close();
  }
}
