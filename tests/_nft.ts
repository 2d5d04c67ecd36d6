/**
 * Shared helpers of the nftables tests: the nft oracle in a namespace, the
 * fixture rulesets, and comparisons that tolerate what moves on its own
 * (element expiry counts down).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { have, NEEDS_ROOT, run } from "./_helpers.ts";

/** `skip` value of the nftables integration tests. */
export const NFT_SKIP: false | string = NEEDS_ROOT || (!have("nft") && "nft (nftables) is not installed");

/** The fixture rulesets in nft's language, by name. */
export const RULESETS: Record<string, string> = Object.fromEntries(
  ["router", "variety", "families", "idioms", "extras", "gaps", "audit", "corpus"].map((n) => [
    n,
    readFileSync(new URL(`./fixtures/nft_${n}.nft`, import.meta.url), "utf8"),
  ]),
);

/** Runs `nft ARGS...` in namespace `ns`. */
export function nft(ns: string, args: string[], input?: string): string {
  return run("ip", ["netns", "exec", ns, "nft", ...args], input);
}

/** Loads a ruleset with `nft -f -` (the `families` one needs a veth named v0). */
export function loadRuleset(ns: string, text: string): void {
  if (text.includes('"v0"')) run("ip", ["-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
  nft(ns, ["-f", "-"], text);
}

/** `nft -j list ...` objects without `metainfo`. */
// deno-lint-ignore no-explicit-any
export function nftJson(ns: string, ...what: string[]): any[] {
  return JSON.parse(nft(ns, ["-j", "list", ...what])).nftables.slice(1);
}

/** Drops `expires` (it counts down between two listings) from nft JSON. */
export function stable<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === "expires" ? undefined : v)));
}

/** Drops element expiry from nft's text. */
export function stableText(s: string): string {
  return s.replace(/ expires [0-9dhms]+/g, "");
}
