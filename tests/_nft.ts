/**
 * Shared helpers of the nftables tests: the nft oracle in a namespace, the
 * fixture rulesets, and comparisons that tolerate what moves on its own
 * (element expiry counts down).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { nlkit } from "./_cli.ts";
import { have, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { applyJson } from "../src/netfilter/nftables/json/apply.ts";

/** `skip` value of the nftables integration tests. */
export const NFT_SKIP: false | string = NEEDS_ROOT || (!have("nft") && "nft (nftables) is not installed");

/** The fixture rulesets in nft's language, by name. */
export const RULESETS: Record<string, string> = Object.fromEntries(
  ["router", "variety", "families", "idioms", "extras", "gaps", "audit", "corpus", "shell"].map((n) => [
    n,
    readFileSync(new URL(`./fixtures/nft_${n}.nft`, import.meta.url), "utf8"),
  ]),
);

/** Runs `nft ARGS...` in namespace `ns`. */
export function nft(ns: string, args: string[], input?: string): string {
  return run("ip", ["netns", "exec", ns, "nft", ...args], input);
}

/** Runs `nft ARGS...` in namespace `ns` expecting it may fail: its exit code and stderr. */
export function nftResult(ns: string, args: string[], input?: string): { code: number | null; stderr: string } {
  const r = spawnSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", input });
  return { code: r.status, stderr: r.stderr };
}

/**
 * Each rule's bytecode in `nft --debug=netlink list ...` output, without
 * handles, the numbers of anonymous sets and bound chains (assigned anew)
 * and set element listings (in the kernel's hash order).
 */
export function bytecodeRules(listing: string): string[] {
  const rules: string[] = [];
  for (const block of listing.split("\n\n")) {
    const lines = block.split("\n").filter((l) => /^\s+\[/.test(l)).map((l) => l.trim());
    if (lines.length) rules.push(lines.join("\n").replace(/__(set|map|chain)\d+/g, "__$1N"));
  }
  return rules;
}

/** Loads a ruleset with `nft -f -` (the `families` one needs a veth named v0). */
export function loadRuleset(ns: string, text: string): void {
  if (text.includes('"v0"')) run("ip", ["-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
  nft(ns, ["-f", "-"], text);
}

/** The objects of an `nft -j` document's text, without its `metainfo`. */
// deno-lint-ignore no-explicit-any
export function jsonObjects(text: string): any[] {
  return JSON.parse(text).nftables.slice(1);
}

/** `nft -j list ...` objects without `metainfo`. */
// deno-lint-ignore no-explicit-any
export function nftJson(ns: string, ...what: string[]): any[] {
  return jsonObjects(nft(ns, ["-j", "list", ...what]));
}

/** Loads `ruleset` into a fresh namespace and calls `fn` with it and nft's JSON document of it (`nft -j list ruleset`). */
export function withNftDocument(
  ruleset: string,
  // deno-lint-ignore no-explicit-any
  fn: (src: string, doc: any) => Promise<void>,
): Promise<void> {
  return withTempNetns(async (src) => {
    loadRuleset(src, ruleset);
    await fn(src, JSON.parse(nft(src, ["-j", "list", "ruleset"])));
  });
}

/**
 * Applies `doc` into a fresh empty namespace by the library (`applyJson`),
 * then into another by the CLI (`nlkit nft -j -f -`), calling `check` on each.
 */
export async function applyBothWays(doc: unknown, check: (dst: string) => void): Promise<void> {
  await withTempNetns(async (dst) => {
    await applyJson(doc, { netns: dst });
    check(dst);
  });
  await withTempNetns((dst) => {
    const r = nlkit(["-n", dst, "nft", "-j", "-f", "-"], {}, JSON.stringify(doc));
    assert.equal(r.code, 0, r.stderr);
    check(dst);
  });
}

/** Drops `expires` (it counts down between two listings) from nft JSON. */
export function stable<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === "expires" ? undefined : v)));
}

/** Drops element expiry from nft's text. */
export function stableText(s: string): string {
  return s.replace(/ expires [0-9dhms]+/g, "");
}
