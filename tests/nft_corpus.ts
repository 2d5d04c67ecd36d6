/**
 * Differential runner over nftables' own test corpus (`tests/py/*\/*.t` of
 * the nftables sources): not a test file, a tool that counts where nlkit
 * and nft 1.0.6 agree.
 *
 * Each `.t` file names tables (`*family;table;chain,...`), base chains
 * (`:name;type filter hook input priority 0`), sets (`!name type ...`),
 * elements (`?set elems`), stateful objects (`%name type ...`) and rules
 * (`rule;ok[;listed form]` or `rule;fail`). For each table line the runner
 * builds that setup with `nft` in a fresh namespace, then adds every `ok`
 * rule that nft 1.0.6 accepts to the table's first chain, and checks
 *
 * - (a) nlkit's listing (the `nlkit -j nft list ruleset` code path) against
 *   `nft -j list ruleset`, object by object, handles included;
 * - (b) nft's JSON listing applied by nlkit (the `nlkit nft -j -f` code
 *   path) into an empty namespace: `nft -j list ruleset` there equals the
 *   original (handles aside: they are assigned anew). When the whole
 *   document is refused, each rule is retried alone with the setup objects.
 *
 * Usage (root; nft on PATH):
 *
 *   deno run -A tests/nft_corpus.ts [--git DIR | --dir DIR] [--out FILE] [--show] [FILTER...]
 *
 * `--git` reads the corpus from a bare nftables git directory (default the
 * local mirror), `--dir` from a checkout; FILTERs keep the files whose path
 * contains one of them; `--show` prints each divergence; `--out` writes the
 * per-rule results as JSON (to compare two runs). Prints one line per file:
 * rules nft accepted, agreements of (a), of (b) and of (c).
 *
 * - (c) each accepted rule's text read by nlkit's command parser
 *   (`nlkit nft add rule ...`, the rule lines of `nlkit nft -f`) and
 *   applied with the same setup: nft lists the same rule (handles aside).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { withTempNetns } from "./_helpers.ts";
import { bytecodeRules } from "./_nft.ts";
import { interfaceNames } from "../src/netfilter/nftables/ifnames.ts";
import { emitRulesetJson } from "../src/netfilter/nftables/json/stream.ts";
import { applyJson } from "../src/netfilter/nftables/json/apply.ts";
import { parseCommand } from "../src/netfilter/nftables/text/parse.ts";

// deno-lint-ignore no-explicit-any
type Obj = any;

/** One line of a `.t` file, with its result mark. */
interface Line {
  kind: "rule" | "set" | "elem" | "obj";
  text: string;
  ok: boolean;
  lineno: number;
}

/** A parsed `.t` file. */
interface TFile {
  chains: Map<string, string>;
  tables: { family: string; name: string; chains: string[] }[];
  lines: Line[];
}

/** The outcome of one rule in one family. */
export interface RuleResult {
  file: string;
  family: string;
  lineno: number;
  rule: string;
  a: boolean;
  b: boolean;
  c: boolean;
  /** (d): the text form's bytecode equals nft's, as `nft --debug=netlink` lists it. */
  d?: boolean;
  /** (e): nft's JSON applied by nlkit gives the bytecode nft's own `-j -f` of it gives. */
  e?: boolean;
  aDiff?: string;
  bDiff?: string;
  cDiff?: string;
  dDiff?: string;
  eDiff?: string;
}

const MARK = /^(.*);(ok|fail)(?:;(.*))?$/;

/** Parses a `.t` file. */
export function parseT(text: string): TFile {
  const f: TFile = { chains: new Map(), tables: [], lines: [] };
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("-")) return;
    if (line.startsWith(":")) {
      const [name, spec] = line.slice(1).split(";");
      f.chains.set(name, spec);
      return;
    }
    if (line.startsWith("*")) {
      const [family, name, chains] = line.slice(1).split(";");
      f.tables.push({ family, name, chains: chains.split(",") });
      return;
    }
    const m = MARK.exec(line);
    if (!m) return;
    const kinds: Record<string, Line["kind"]> = { "!": "set", "?": "elem", "%": "obj" };
    const kind = kinds[line[0]] ?? "rule";
    f.lines.push({ kind, text: kind === "rule" ? m[1] : m[1].slice(1), ok: m[2] === "ok", lineno: i + 1 });
  });
  return f;
}

/** The nft command a set, element or object line stands for (the corpus' own conventions). */
function setupCommand(l: Line, fam: string, table: string): string {
  const tok = l.text.split(" ");
  if (l.kind === "set") {
    let type = tok[2];
    let i = 3;
    while (tok[i] === ".") (type += " . " + tok[i + 1]), (i += 2);
    let extra = "";
    if (tok[i] === "timeout") (extra += ` timeout ${tok[i + 1]};`), (i += 2);
    if (tok[i] === "flags") extra += ` flags ${tok[i + 1]};`;
    return `add set ${fam} ${table} ${tok[0]} { type ${type};${extra} }`;
  }
  if (l.kind === "elem") {
    const sp = l.text.indexOf(" ");
    return `add element ${fam} ${table} ${l.text.slice(0, sp)} { ${l.text.slice(sp + 1)} }`;
  }
  let type = tok[2];
  let rest = tok.slice(3);
  if (type === "ct") (type = `ct ${tok[3]}`), (rest = tok.slice(4));
  return `add ${type} ${fam} ${table} ${tok[0]} ${rest.join(" ")}`;
}

function nft(ns: string, ...args: string[]): string {
  const input = args.includes("-f") ? args.pop() : undefined;
  return execFileSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", input, stdio: "pipe" });
}

/**
 * Loads nft commands with `nft -f`, dropping the lines nft names in its
 * errors until the rest loads (a few runs rather than one per line);
 * returns which commands loaded.
 */
function loadAccepted(ns: string, cmds: string[]): boolean[] {
  const ok = cmds.map(() => true);
  for (let round = 0; round < 50; round++) {
    const idx = cmds.map((_, i) => i).filter((i) => ok[i]);
    if (idx.length === 0) return ok;
    try {
      nft(ns, "-f", "-", idx.map((i) => cmds[i] + "\n").join(""));
      return ok;
    } catch (e) {
      const named = [...String((e as { stderr?: string }).stderr).matchAll(/^\/dev\/stdin:(\d+):/gm)]
        .map((m) => idx[Number(m[1]) - 1]).filter((i) => i !== undefined);
      if (named.length === 0) {
        // Nothing named: fall back to one command at a time.
        for (const i of idx) ok[i] = tryNft(ns, cmds[i]);
        return ok;
      }
      for (const i of named) ok[i] = false;
    }
  }
  return ok;
}

/** The items `ok` takes, found by halving: whole groups first, single items last (order kept). */
async function bisectAsync<T>(items: T[], ok: (part: T[]) => Promise<boolean>): Promise<T[]> {
  if (items.length === 0) return [];
  if (await ok(items)) return items;
  if (items.length === 1) return [];
  const mid = items.length >> 1;
  return [...await bisectAsync(items.slice(0, mid), ok), ...await bisectAsync(items.slice(mid), ok)];
}

function tryNft(ns: string, cmd: string): boolean {
  try {
    nft(ns, cmd);
    return true;
  } catch {
    return false;
  }
}

function nftObjects(ns: string): Obj[] {
  return JSON.parse(nft(ns, "-j", "list", "ruleset")).nftables.slice(1);
}

/** JSON text without the keys that move on their own (expiry) or that `drop` names. */
function canon(o: Obj, drop: string[] = []): string {
  return JSON.stringify(o, (k, v) => (k === "expires" || drop.includes(k) ? undefined : v));
}

/** nlkit's listing of a namespace, as the CLI prints it. */
async function nlkitObjects(ns: string): Promise<Obj[]> {
  const texts: string[] = [];
  const ifnames = await interfaceNames({ netns: ns });
  await emitRulesetJson((t) => texts.push(t), {}, { netns: ns }, { ifnames });
  return texts.map((t) => JSON.parse(t));
}

function firstDiff(want: string, got: string): string {
  return `nft:   ${want}\nnlkit: ${got}`;
}

/** Runs one table line of a file; returns one result per accepted rule. */
async function runTable(file: string, t: TFile, tab: TFile["tables"][number]): Promise<RuleResult[]> {
  return await withTempNetns(async (ns) => {
    const { family: fam, name: table } = tab;
    nft(ns, `add table ${fam} ${table}`);
    const chains = tab.chains.filter((c) => tryNft(ns, `add chain ${fam} ${table} ${c} { ${t.chains.get(c)}; }`));
    if (chains.length === 0) return [];
    const setup = t.lines.filter((l) => l.ok && l.kind !== "rule");
    loadAccepted(ns, setup.map((l) => setupCommand(l, fam, table)));
    const rules = t.lines.filter((l) => l.ok && l.kind === "rule");
    const ok = loadAccepted(ns, rules.map((l) => `add rule ${fam} ${table} ${chains[0]} ${l.text}`));
    let accepted = rules.filter((_, i) => ok[i]);
    let theirs: Obj[];
    try {
      theirs = nftObjects(ns);
    } catch {
      // nft 1.0.6 cannot list some rules it loads (an assertion in its sorting): keep the rules it can list.
      const load = (ls: Line[]) => {
        nft(ns, "flush", "chain", fam, table, chains[0]);
        loadAccepted(ns, ls.map((l) => `add rule ${fam} ${table} ${chains[0]} ${l.text}`));
      };
      accepted = await bisectAsync(accepted, (part) => {
        load(part);
        try {
          nftObjects(ns);
          return Promise.resolve(true);
        } catch {
          return Promise.resolve(false);
        }
      });
      load(accepted);
      theirs = nftObjects(ns);
    }
    const listed = theirs.filter((o) => o.rule && o.rule.chain === chains[0]);
    const results: RuleResult[] = accepted.map((l) => ({
      file,
      family: fam,
      lineno: l.lineno,
      rule: l.text,
      a: false,
      b: false,
      c: false,
    }));
    if (listed.length !== accepted.length) {
      throw new Error(`${file} ${fam}: ${listed.length} rules listed, ${accepted.length} added`);
    }
    // (a) the listing, matched by handle.
    let mine: Obj[] = [];
    let aErr = "";
    try {
      mine = await nlkitObjects(ns);
    } catch (e) {
      aErr = `listing failed: ${(e as Error).message}`;
    }
    const byHandle = new Map(mine.filter((o) => o.rule).map((o) => [o.rule.handle, o]));
    listed.forEach((r, i) => {
      const got = byHandle.get(r.rule.handle);
      results[i].a = got !== undefined && canon(got) === canon(r);
      if (!results[i].a) results[i].aDiff = aErr || firstDiff(canon(r), got ? canon(got) : "(missing)");
    });
    // Sets, maps and stateful objects count as items of their own, matched by kind and name.
    const stateful = theirs.filter(isStateful);
    const mineObjs = new Map(mine.filter(isStateful).map((o) => [objKey(o), o]));
    const objResults = stateful.map((o): RuleResult => {
      const got = mineObjs.get(objKey(o));
      const a = got !== undefined && canon(got) === canon(o);
      const r: RuleResult = { file, family: fam, lineno: 0, rule: objKey(o), a, b: false, c: false };
      if (!a) r.aDiff = aErr || firstDiff(canon(o), got ? canon(got) : "(missing)");
      return r;
    });
    // (b) nft's JSON listing applied by nlkit into an empty namespace: the rules it takes, found in-process by
    // halving, are then applied together and listed by nft once.
    const objs = theirs.filter((o) => !o.rule);
    await withTempNetns(async (dst) => {
      const apply = (part: number[]) =>
        applyJson({ nftables: [...objs, ...part.map((i) => listed[i])] }, { netns: dst });
      const flush = () => applyJson({ nftables: [{ flush: { ruleset: null } }] }, { netns: dst });
      const taken = await bisectAsync(listed.map((_, i) => i), async (part) => {
        await flush();
        try {
          await apply(part);
          return true;
        } catch (e) {
          if (part.length === 1) results[part[0]].bDiff = `apply failed: ${(e as Error).message}`;
          return false;
        }
      });
      await flush();
      try {
        await apply(taken);
      } catch (e) {
        for (const i of taken) results[i].bDiff = `apply failed: ${(e as Error).message}`;
        return;
      }
      let after: Obj[];
      try {
        after = nftObjects(dst);
      } catch (e) {
        // nft itself may fail to list what was applied (an assertion in its sorting): each rule alone, then.
        const msg = `nft cannot list it: ${(e as Error).message.split("\n").slice(-2).join(" ")}`;
        for (const i of taken) {
          await flush();
          await apply([i]);
          try {
            const g = nftObjects(dst).filter((o) => o.rule)[0];
            results[i].b = g !== undefined && canon(g, ["handle"]) === canon(listed[i], ["handle"]);
            if (!results[i].b) {
              results[i].bDiff = firstDiff(canon(listed[i], ["handle"]), g ? canon(g, ["handle"]) : "(missing)");
            }
          } catch {
            results[i].bDiff = msg;
          }
        }
        return;
      }
      const gotObjs = new Map(after.filter(isStateful).map((o) => [objKey(o), o]));
      stateful.forEach((o, k) => {
        const r = objResults[k], g = gotObjs.get(objKey(o));
        r.b = g !== undefined && canon(g, ["handle"]) === canon(o, ["handle"]);
        if (!r.b) r.bDiff = firstDiff(canon(o, ["handle"]), g ? canon(g, ["handle"]) : "(missing)");
      });
      const got = after.filter((o) => o.rule);
      taken.forEach((i, k) => {
        const want = canon(listed[i], ["handle"]);
        const g = got[k] ? canon(got[k], ["handle"]) : "(missing)";
        results[i].b = got.length === taken.length && g === want;
        if (!results[i].b) results[i].bDiff = firstDiff(want, g);
      });
      // (e) the bytecode of that JSON as nlkit applied it, against nft's own `-j -f` of the same document.
      const mine = bytecode(dst, fam, table, chains[0]);
      await withTempNetns((ref) => {
        try {
          nft(ref, "-j", "-f", "-", JSON.stringify({ nftables: [...objs, ...taken.map((i) => listed[i])] }));
        } catch {
          return; // nft refuses its own listing of these rules: nothing to compare with
        }
        const theirs = bytecode(ref, fam, table, chains[0]);
        taken.forEach((i, k) => {
          results[i].e = mine.length === theirs.length && mine[k] === theirs[k];
          if (!results[i].e) results[i].eDiff = `nft:\n${theirs[k]}\nnlkit:\n${mine[k] ?? "(missing)"}`;
        });
      });
    });
    const theirCode = bytecode(ns, fam, table, chains[0]);
    const texts = accepted.map((l) => `rule ${fam} ${table} ${chains[0]} ${l.text}`);
    await textForm(objs, listed, texts, results, (dst) => bytecode(dst, fam, table, chains[0]), theirCode);
    return [...results, ...objResults];
  });
}

/**
 * (c) each accepted rule's text read by nlkit's command parser (the
 * `nlkit nft add rule ...` and `nlkit nft -f` code path) and applied with
 * nft's setup objects into an empty namespace: nft lists the same rules
 * (handles aside). The rules that apply are found by halving.
 */
async function textForm(
  objs: Obj[],
  listed: Obj[],
  texts: string[],
  results: RuleResult[],
  code: (ns: string) => string[],
  theirCode: string[],
): Promise<void> {
  const parsed = texts.map((t, i) => {
    try {
      return parseCommand("add", [t]);
    } catch (e) {
      results[i].cDiff = `parse failed: ${(e as Error).message}`;
      return undefined;
    }
  });
  await withTempNetns(async (dst) => {
    const apply = (part: number[]) =>
      applyJson({ nftables: [...objs, ...part.flatMap((i) => parsed[i]!)] }, { netns: dst });
    const flush = () => applyJson({ nftables: [{ flush: { ruleset: null } }] }, { netns: dst });
    const taken = await bisectAsync(parsed.flatMap((p, i) => p ? [i] : []), async (part) => {
      await flush();
      try {
        await apply(part);
        return true;
      } catch (e) {
        if (part.length === 1) results[part[0]].cDiff = `apply failed: ${(e as Error).message}`;
        return false;
      }
    });
    await flush();
    await apply(taken);
    let got: Obj[];
    try {
      got = nftObjects(dst).filter((o) => o.rule);
    } catch (e) {
      for (const i of taken) results[i].cDiff = `nft cannot list it: ${(e as Error).message.split("\n")[0]}`;
      return;
    }
    const mine = code(dst);
    taken.forEach((i, k) => {
      const want = canon(listed[i], ["handle"]);
      const g = got[k] ? canon(got[k], ["handle"]) : "(missing)";
      results[i].c = got.length === taken.length && g === want;
      if (!results[i].c) results[i].cDiff = firstDiff(want, g);
      results[i].d = mine.length === taken.length && mine[k] === theirCode[i];
      if (!results[i].d) results[i].dDiff = `nft:\n${theirCode[i]}\nnlkit:\n${mine[k] ?? "(missing)"}`;
    });
  });
}

/** Each rule's bytecode in a chain, as `nft --debug=netlink list chain` prints it. */
function bytecode(ns: string, fam: string, table: string, chain: string): string[] {
  return bytecodeRules(nft(ns, "--debug=netlink", "list", "chain", fam, table, chain));
}

/** A listed object that is neither a table, a chain nor a rule. */
function isStateful(o: Obj): boolean {
  return !o.table && !o.chain && !o.rule;
}

function objKey(o: Obj): string {
  const [kind, v] = Object.entries(o)[0] as [string, Obj];
  return `${kind} ${v.name}`;
}

/** The corpus files: path and text. */
function corpus(args: { git?: string; dir?: string }): [string, string][] {
  if (args.dir) {
    const root = `${args.dir}/tests/py`;
    return readdirSync(root).flatMap((d) => {
      try {
        return readdirSync(`${root}/${d}`).filter((f) => f.endsWith(".t"))
          .map((f): [string, string] => [`${d}/${f}`, readFileSync(`${root}/${d}/${f}`, "utf8")]);
      } catch {
        return [];
      }
    });
  }
  const git = (...a: string[]) =>
    execFileSync("git", ["-C", args.git!, ...a], { encoding: "utf8", maxBuffer: 1 << 26 });
  return git("ls-tree", "-r", "--name-only", "HEAD", "tests/py").split("\n").filter((p) => p.endsWith(".t"))
    .map((p) => [p.slice("tests/py/".length), git("show", `HEAD:${p}`)]);
}

async function main(argv: string[]): Promise<void> {
  const opts: { git?: string; dir?: string; out?: string; show: boolean; filters: string[] } = {
    git: "/work/.mirror/debiansid+nftables-fullcone/repo",
    show: false,
    filters: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--git") opts.git = argv[++i];
    else if (a === "--dir") (opts.dir = argv[++i]), (opts.git = undefined);
    else if (a === "--out") opts.out = argv[++i];
    else if (a === "--show") opts.show = true;
    else if (a.startsWith("-")) throw new Error(`Cannot use option "${a}": expected --git, --dir, --out or --show`);
    else opts.filters.push(a);
  }
  const all: RuleResult[] = [];
  const totals = { n: 0, a: 0, b: 0, c: 0, d: 0, e: 0, nr: 0 };
  for (const [file, text] of corpus(opts)) {
    if (opts.filters.length && !opts.filters.some((f) => file.includes(f))) continue;
    const t = parseT(text);
    const res: RuleResult[] = [];
    for (const tab of t.tables) {
      try {
        res.push(...await runTable(file, t, tab));
      } catch (e) {
        console.error(`${file} ${tab.family}: ${(e as Error).message}`);
      }
    }
    const a = res.filter((r) => r.a).length;
    const b = res.filter((r) => r.b).length;
    // (c) is about rules only (lineno 0 marks a set or object).
    const c = res.filter((r) => r.c).length;
    const d = res.filter((r) => r.d).length;
    const e = res.filter((r) => r.e).length;
    const nr = res.filter((r) => r.lineno > 0).length;
    console.log(
      `${file.padEnd(22)} rules ${String(res.length).padStart(4)}  a ${String(a).padStart(4)}  b ${
        String(b).padStart(4)
      }  c ${String(c).padStart(4)}/${nr}  d ${String(d).padStart(4)}  e ${String(e).padStart(4)}`,
    );
    if (opts.show) {
      for (const r of res) {
        if (!r.a) console.log(`  (a) ${r.family} :${r.lineno} ${r.rule}\n${indent(r.aDiff ?? "(not compared)")}`);
        if (!r.b) console.log(`  (b) ${r.family} :${r.lineno} ${r.rule}\n${indent(r.bDiff ?? "(not applied)")}`);
        if (!r.c && r.lineno > 0) {
          console.log(`  (c) ${r.family} :${r.lineno} ${r.rule}\n${indent(r.cDiff ?? "(not applied)")}`);
        }
        if (r.e === false) console.log(`  (e) ${r.family} :${r.lineno} ${r.rule}\n${indent(r.eDiff ?? "")}`);
        if (!r.d && r.lineno > 0) {
          console.log(`  (d) ${r.family} :${r.lineno} ${r.rule}\n${indent(r.dDiff ?? "(not applied)")}`);
        }
      }
    }
    totals.n += res.length;
    totals.a += a;
    totals.b += b;
    totals.c += c;
    totals.d += d;
    totals.e += e;
    totals.nr += nr;
    all.push(...res);
  }
  console.log(
    `${"total".padEnd(22)} rules ${String(totals.n).padStart(4)}  a ${String(totals.a).padStart(4)}  b ${
      String(totals.b).padStart(4)
    }  c ${String(totals.c).padStart(4)}/${totals.nr}  d ${String(totals.d).padStart(4)}  e ${
      String(totals.e).padStart(4)
    }`,
  );
  if (opts.out) writeFileSync(opts.out, JSON.stringify(all, null, 1));
}

function indent(s: string): string {
  return s.split("\n").map((l) => `      ${l}`).join("\n");
}

if (import.meta.main) await main(process.argv.slice(2));
