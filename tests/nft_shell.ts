/**
 * Differential runner over nftables' shell tests
 * (`tests/shell/testcases/**`, the scripts nft's own `run-tests.sh` runs
 * with `$NFT`): not a test file, a tool that counts the tests nft 1.0.6
 * passes on this kernel and which of them pass with `NFT="nlkit nft"`.
 *
 * As run-tests.sh does, a test passes when it exits 0 and, if it has a
 * dump (`dumps/NAME.nft`), `$NFT list ruleset` then prints the dump. Each
 * run is in a fresh namespace, so the host's ruleset is never touched.
 *
 * Usage (root; nft on PATH; the binary from `scripts/build_binary.sh`):
 *
 *   deno run -A tests/nft_shell.ts [--git DIR] [--nlkit PATH] [--show] [FILTER...]
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
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
import process from "node:process";
import { withTempNetns } from "./_helpers.ts";

/** How one test ended: `ok`, or why not. */
function runOne(ns: string, nftCmd: string, file: string): string {
  const env = { ...process.env, NFT: nftCmd, DIFF: "diff" };
  const r = spawnSync("ip", ["netns", "exec", ns, file], { env, encoding: "utf8", timeout: 120_000, cwd: "/tmp" });
  if (r.status !== 0) {
    return `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split("\n").slice(-2).join(" | ")}`;
  }
  const dump = `${file.replace(/\/[^/]+$/, "")}/dumps/${file.replace(/.*\//, "")}.nft`;
  if (!existsSync(dump)) return "ok";
  const listed = spawnSync("ip", ["netns", "exec", ns, ...nftCmd.split(" "), "list", "ruleset"], {
    encoding: "utf8",
  });
  if (listed.stdout === readFileSync(dump, "utf8")) return "ok";
  const want = readFileSync(dump, "utf8").split("\n"), got = listed.stdout.split("\n");
  const i = want.findIndex((l, k) => got[k] !== l);
  return `dump differs at line ${i + 1}: want ${JSON.stringify(want[i])} got ${JSON.stringify(got[i])}`;
}

function tests(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = `${d}/${e}`;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.mode & 0o100 && !p.includes("/dumps/")) out.push(p);
    }
  };
  walk(`${root}/tests/shell/testcases`);
  return out;
}

async function main(argv: string[]): Promise<void> {
  let git = "/work/.mirror/debiansid+nftables-fullcone/repo";
  let nlkit = new URL("../dist/nlkit", import.meta.url).pathname;
  let show = false;
  const filters: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--git") git = argv[++i];
    else if (argv[i] === "--nlkit") nlkit = argv[++i];
    else if (argv[i] === "--show") show = true;
    else if (argv[i].startsWith("-")) {
      throw new Error(`Cannot use option "${argv[i]}": expected --git, --nlkit or --show`);
    } else filters.push(argv[i]);
  }
  const root = mkdtempSync(`${tmpdir()}/nft-shell-`);
  try {
    const tar = execFileSync("git", ["--git-dir", git, "archive", "HEAD", "tests/shell"], { maxBuffer: 1 << 28 });
    execFileSync("tar", ["-x", "-C", root], { input: tar });
    const wrapper = `${root}/nlkit-nft`;
    writeFileSync(wrapper, `#!/bin/sh\nexec ${nlkit} nft "$@"\n`);
    chmodSync(wrapper, 0o755);
    const files = tests(root).filter((f) => !filters.length || filters.some((x) => f.includes(x)));
    const n = { theirs: 0, both: 0, onlyMine: 0 };
    for (const f of files) {
      const theirs = await withTempNetns((ns) => Promise.resolve(runOne(ns, "nft", f)));
      const mine = await withTempNetns((ns) => Promise.resolve(runOne(ns, wrapper, f)));
      const name = f.slice(root.length + "/tests/shell/testcases/".length);
      if (theirs === "ok") n.theirs++;
      if (theirs === "ok" && mine === "ok") n.both++;
      if (theirs !== "ok" && mine === "ok") n.onlyMine++;
      if (show && theirs === "ok" && mine !== "ok") console.log(`FAIL ${name}\n    ${mine}`);
    }
    console.log(
      `shell tests ${files.length}: nft passes ${n.theirs}, nlkit passes ${n.both} of those (and ${n.onlyMine} nft fails)`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) await main(process.argv.slice(2));
