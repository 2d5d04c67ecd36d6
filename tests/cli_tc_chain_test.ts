/**
 * `tc chain` (add, del, get, show) against tc 6.1: the same words give the
 * same chains, listed as tc lists them (text and -j), with tc's words for
 * refusals; and the library's chain calls, each filter tested on a table
 * where ignoring it would select or delete more.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { have, ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";
import { addTcChain, deleteTcChain, getTcChain, InvalidArgumentError, listTcChains, NotFoundError } from "../mod.ts";

const skip = NEEDS_ROOT || (have("tc") ? false : "needs tc (iproute2)");

function tc(ns: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("tc", ["-n", ns, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function setup(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  assert.equal(tc(ns, "qdisc", "add", "dev", "v0", "ingress").code, 0);
}

const ADDS = [
  ["dev", "v0", "ingress", "chain", "5"],
  ["dev", "v0", "parent", "ffff:", "chain", "9"],
  ["dev", "v0", "ingress", "chain", "0x10"],
];

test("tc chain: what tc adds and lists, nlkit adds and lists alike", { skip }, async () => {
  await withTempNetns(async (ours) => {
    await withTempNetns((theirs) => {
      for (const ns of [ours, theirs]) setup(ns);
      for (const words of ADDS) {
        assert.equal(tc(theirs, "chain", "add", ...words).code, 0);
        const r = nlkit(["-n", ours, "tc", "chain", "add", ...words]);
        assert.equal(r.code, 0, r.stderr);
      }
      for (
        const args of [
          ["chain", "show", "dev", "v0", "ingress"],
          ["chain", "ls", "dev", "v0", "parent", "ffff:"],
          ["chain", "show", "dev", "v0", "ingress", "chain", "5"], // one chain: ignoring it would list three
          ["-j", "chain", "show", "dev", "v0", "ingress"],
          ["-j", "chain", "get", "dev", "v0", "ingress", "chain", "9"],
          ["chain", "get", "dev", "v0", "ingress", "chain", "16"],
          ["chain", "show", "dev", "v0"],
        ]
      ) {
        const want = tc(theirs, ...args);
        const got = nlkit(["-n", ours, "tc", ...args]);
        assert.equal(got.stdout, want.stdout, args.join(" "));
        assert.equal(got.code, want.code, args.join(" "));
      }
      assert.equal(
        nlkit(["-n", ours, "tc", "chain", "show", "dev", "v0", "ingress", "chain", "5"]).stdout,
        "chain parent ffff: \n",
      );
      // Deleting one chain leaves the others, and its filters go with it.
      assert.equal(
        tc(ours, "filter", "add", "dev", "v0", "ingress", "chain", "5", "u32", "match", "u32", "0", "0").code,
        0,
      );
      assert.equal(nlkit(["-n", ours, "tc", "chain", "del", "dev", "v0", "ingress", "chain", "5"]).code, 0);
      assert.equal(
        tc(ours, "chain", "show", "dev", "v0", "ingress").stdout,
        "chain parent ffff: chain 9 \nchain parent ffff: chain 16 \n",
      );
      assert.equal(tc(ours, "filter", "show", "dev", "v0", "ingress").stdout, "");
    });
  });
});

test("tc chain: refusals in tc's words (kernel: exit 1; usage: exit 2)", { skip }, async () => {
  await withTempNetns((ns) => {
    setup(ns);
    assert.equal(nlkit(["-n", ns, "tc", "chain", "add", "dev", "v0", "ingress", "chain", "5"]).code, 0);
    for (
      const [args, code, message] of [
        [["add", "dev", "v0", "ingress", "chain", "5"], 1, "Error: Filter chain already exists.\n"],
        [
          ["add", "dev", "v0", "ingress", "chain", "7", "u32"],
          1,
          "Error: Chain templates are not supported with specified classifier.\n",
        ],
        [["del", "dev", "v0", "ingress", "chain", "55"], 1, "Error: Cannot find specified filter chain.\n"],
        [["get", "dev", "v0", "ingress", "chain", "77"], 1, "Error: Cannot find specified filter chain.\n"],
        [["add", "dev", "v0", "ingress", "chain", "x"], 2, 'Error: argument "x" is wrong: invalid chain index value\n'],
      ] as const
    ) {
      const r = nlkit(["-n", ns, "tc", "chain", ...args]);
      assert.equal(r.code, code, args.join(" "));
      assert.equal(r.stderr, message, args.join(" "));
      // tc prints the same words, then its own line.
      assert.ok(tc(ns, "chain", ...args).stderr.startsWith(message), args.join(" "));
    }
    for (const args of [["add", "dev", "v0", "block", "1", "chain", "1"], ["add", "ingress", "chain", "1"], ["show"]]) {
      assert.equal(nlkit(["-n", ns, "tc", "chain", ...args]).code, 2, args.join(" "));
    }
  });
});

test(
  "chain API: the chain filter and delete select one chain; bad input is refused before sending",
  { skip },
  async () => {
    await withTempNetns(async (netns) => {
      setup(netns);
      for (const chain of [1, 2, 3]) await addTcChain({ dev: "v0", parent: "ingress", chain }, { netns });
      assert.deepEqual((await listTcChains({ dev: "v0", parent: "ingress" }, { netns })).map((c) => c.chain).sort(), [
        1,
        2,
        3,
      ]);
      assert.deepEqual(
        (await listTcChains({ dev: "v0", parent: "ingress", chain: 2 }, { netns })).map((c) => c.chain),
        [2],
      );
      assert.equal((await getTcChain({ dev: "v0", parent: "ingress", chain: 3 }, { netns })).chain, 3);
      await deleteTcChain({ dev: "v0", parent: "ingress", chain: 2 }, { netns });
      assert.deepEqual((await listTcChains({ dev: "v0", parent: "ingress" }, { netns })).map((c) => c.chain).sort(), [
        1,
        3,
      ]);
      await assert.rejects(getTcChain({ dev: "v0", parent: "ingress", chain: 2 }, { netns }), NotFoundError);
      await assert.rejects(addTcChain({ dev: "v0", chain: -1 }, { netns }), InvalidArgumentError);
      await assert.rejects(addTcChain({ dev: "v0", chain: 1, kind: "nosuch" }, { netns }), InvalidArgumentError);
      await assert.rejects(deleteTcChain({ dev: "v0", chain: 1, kind: "u32" }, { netns }), InvalidArgumentError);
      // deno-lint-ignore no-explicit-any
      await assert.rejects(listTcChains({ dev: "v0", index: 1 } as any, { netns }), InvalidArgumentError);
    });
  },
);
