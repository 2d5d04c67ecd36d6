/**
 * Differential runner over nftables' shell-test dumps
 * (`tests/shell/testcases/**\/dumps/*.nft`, `nft list ruleset` outputs):
 * not a test file, a tool that counts where `nlkit nft -f` (the
 * `applyScript` code path) and `nft -f` (1.0.6) agree.
 *
 * Each dump is loaded by nft into one fresh namespace and by nlkit into
 * another; the two `nft -j list ruleset` documents are compared, handles
 * aside. Dumps nft itself refuses here (missing devices, modules) are
 * counted apart.
 *
 * Usage (root; nft on PATH):
 *
 *   deno run -A tests/nft_dumps.ts [--git DIR] [--show] [FILTER...]
 *
 * Prints one line per divergence with `--show` (the first differing
 * object, or nlkit's error), and the totals.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import process from "node:process";
import { withTempNetns } from "./_helpers.ts";
import { bytecodeRules } from "./_nft.ts";
import { applyScript } from "../src/netfilter/nftables/text/script.ts";

// deno-lint-ignore no-explicit-any
type Obj = any;

function nft(ns: string, args: string[], input?: string): string {
  return execFileSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", input, stdio: "pipe" });
}

/** `nft -j list ruleset` objects without metainfo and handles (assigned anew), as comparable lines. */
function listing(ns: string): string[] {
  const doc = JSON.parse(nft(ns, ["-j", "list", "ruleset"]));
  return doc.nftables.slice(1).map((o: Obj) =>
    JSON.stringify(o, (k, v) => (k === "handle" || k === "expires" ? undefined : v))
  );
}

/** Each rule's bytecode, as `nft --debug=netlink list ruleset` prints it. */
function bytecode(ns: string): string[] {
  return bytecodeRules(nft(ns, ["--debug=netlink", "list", "ruleset"]));
}

/** The outcome of one dump. */
export type DumpResult = "same" | "differs" | "bytecode-differs" | "nlkit-refused" | "nft-refused";

/** Loads one dump both ways; returns the outcome and a detail line. */
export async function compareDump(name: string, text: string): Promise<[DumpResult, string]> {
  return await withTempNetns(async (a) => {
    try {
      nft(a, ["-f", "-"], text);
    } catch (e) {
      return ["nft-refused", String((e as { stderr?: string }).stderr ?? e).split("\n")[0]];
    }
    const want = listing(a);
    return await withTempNetns(async (b): Promise<[DumpResult, string]> => {
      try {
        await applyScript(text, name, { netns: b });
      } catch (e) {
        return ["nlkit-refused", (e as Error).message.split("\n")[0]];
      }
      const got = listing(b);
      const i = want.findIndex((w, k) => got[k] !== w);
      if (i >= 0 || got.length !== want.length) {
        const k = i < 0 ? want.length : i;
        return ["differs", `nft:   ${want[k] ?? "(none)"}\n    nlkit: ${got[k] ?? "(none)"}`];
      }
      // The same listing; then the same bytecode.
      const [wc, gc] = [bytecode(a), bytecode(b)];
      const j = wc.findIndex((w, k) => gc[k] !== w);
      if (j < 0 && wc.length === gc.length) return ["same", ""];
      return ["bytecode-differs", `nft:   ${wc[j] ?? "(none)"}\n    nlkit: ${gc[j] ?? "(none)"}`];
    });
  });
}

async function main(argv: string[]): Promise<void> {
  let git = "/work/.mirror/debiansid+nftables-fullcone/repo";
  let show = false;
  const filters: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--git") git = argv[++i];
    else if (argv[i] === "--show") show = true;
    else if (argv[i].startsWith("-")) throw new Error(`Cannot use option "${argv[i]}": expected --git or --show`);
    else filters.push(argv[i]);
  }
  const sh = (...a: string[]) =>
    execFileSync("git", ["--git-dir", git, ...a], { encoding: "utf8", maxBuffer: 1 << 26 });
  const files = sh("ls-tree", "-r", "--name-only", "HEAD", "tests/shell/testcases")
    .split("\n").filter((p) => /\/dumps\/[^/]+\.nft$/.test(p))
    .filter((p) => !filters.length || filters.some((f) => p.includes(f)));
  const totals: Record<DumpResult, number> = {
    same: 0,
    differs: 0,
    "bytecode-differs": 0,
    "nlkit-refused": 0,
    "nft-refused": 0,
  };
  for (const f of files) {
    const [r, detail] = await compareDump(f, sh("show", `HEAD:${f}`));
    totals[r]++;
    if (show && r !== "same") console.log(`${r.padEnd(13)} ${f}\n    ${detail}`);
  }
  console.log(
    `dumps ${files.length}: same ${totals.same}, differs ${totals.differs}, bytecode differs ${
      totals["bytecode-differs"]
    }, nlkit refused ${totals["nlkit-refused"]}, nft refused ${totals["nft-refused"]}`,
  );
}

if (import.meta.main) await main(process.argv.slice(2));
