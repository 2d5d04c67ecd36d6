/**
 * `nlkit nft list|get|reset` of a table, chain, set or object that does not
 * exist: a typed `NotFoundError` (code ENOENT, what was looked up in `kind`
 * and `key`) out of the command's handler, printed in nft's words with
 * nft's exit code 1.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";
import { NotFoundError } from "../src/errors.ts";
import { Args } from "../src/cli/args.ts";
import type { Context } from "../src/cli/context.ts";
import { Output } from "../src/cli/output.ts";
import { nftHandler } from "../src/cli/nft.ts";

const SETUP = `table ip t {
	set s { type ipv4_addr; }
	chain c { }
}
`;

/** Commands naming what does not exist, with what nlkit's lookup reports: kind, key, message. */
const MISSING: [string, string, string, string][] = [
  ["list table ip x", "nft table", "ip x", "table ip x"],
  ["list chain ip x c", "nft table", "ip x", "table ip x"],
  ["list chain ip t x", "nft chain", "ip t x", "chain x in table ip t"],
  ["list set ip t x", "nft set", "ip t x", "set x in table ip t"],
  ["list map ip t x", "nft map", "ip t x", "map x in table ip t"],
  ["list flowtable ip t x", "nft flowtable", "ip t x", "flowtable x in table ip t"],
  ["list counter ip t x", "nft counter", "ip t x", "counter x in table ip t"],
  ["list counters table ip x", "nft table", "ip x", "table ip x"],
  ["reset counters table ip x", "nft table", "ip x", "table ip x"],
  ["get element ip t x { 1.1.1.1 }", "nft set", "ip t x", "set ip t x"],
];

/** Runs `nft WORDS` as `nlkit nft` does, in-process, in namespace `ns`. */
function handle(ns: string, words: string): Promise<unknown> {
  const ctx = {
    opts: { json: false },
    out: new Output(1),
    err: new Output(2),
    lib: { netns: ns },
  } as unknown as Context;
  return nftHandler(ctx, new Args(words.split(" ")));
}

test("nft list, get and reset of what does not exist throw a NotFoundError", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (ns) => {
    nft(ns, ["-f", "-"], SETUP);
    for (const [words, kind, key, what] of MISSING) {
      await assert.rejects(handle(ns, words), (e: unknown) => {
        assert.ok(e instanceof NotFoundError, words);
        assert.deepEqual([e.code, e.kind, e.key, e.requestType], ["ENOENT", kind, key, 0], words);
        // nft's text: the error, the command line, carets under the missing name.
        assert.equal(e.message.split("\n")[0], "Error: No such file or directory", words);
        assert.equal(e.message.split("\n")[1], words);
        assert.match(e.message.split("\n")[2], /^ *\^+$/, what);
        return true;
      });
    }
  });
});

test("nft's not-found errors print nft's words and exit 1, as nft's", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], SETUP);
    const theirs = (words: string) => {
      const r = spawnSync("ip", ["netns", "exec", ns, "nft", ...words.split(" ")], { encoding: "utf8" });
      return { code: r.status, stderr: r.stderr };
    };
    for (const [words] of MISSING) {
      const r = nlkit(["-n", ns, "nft", ...words.split(" ")]);
      const t = theirs(words);
      assert.equal(t.stderr.split("\n")[0], "Error: No such file or directory", words);
      assert.deepEqual([r.code, r.stderr], [t.code, t.stderr], words);
    }
    // The kernel's refusals, in nft's words (not ip's "RTNETLINK answers").
    for (const words of ["reset counter ip t x", "reset quota ip t x", "get element ip t s { 9.9.9.9 }"]) {
      const r = nlkit(["-n", ns, "nft", ...words.split(" ")]);
      const t = theirs(words);
      assert.equal(t.stderr.split("\n")[0], "Error: Could not process rule: No such file or directory", words);
      assert.deepEqual([r.code, r.stderr], [t.code, t.stderr], words);
    }
  });
});
