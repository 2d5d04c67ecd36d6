/**
 * `nlkit nft monitor` with nft's output flags (`-a`, `-s`, `-y`, `-T`,
 * `-nn`) and its filters (`new`, `destroy`, an object kind, `ruleset`,
 * `json`, `vm json`), against nft: nft's own monitor runs beside nlkit's in
 * the same namespace, and both print the same lines for the same batches.
 * The batches hold every kind a filter selects, so a filter that is ignored
 * prints more than nft, and ranges of an interval set, which nft's monitor
 * pairs from the kernel's element events.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { CLI, nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { watch } from "./_monitor.ts";
import { nft, NFT_SKIP } from "./_nft.ts";

const ADD = `add table ip t { flags dormant; }
add table ip u
add chain ip t c { type filter hook input priority 10; policy accept; }
add chain ip t d
add set ip t s { type ipv4_addr; flags timeout; timeout 1h; }
add set ip t s2 { typeof ip saddr; }
add map ip t m { type ipv4_addr : inet_service; }
add element ip t s2 { 1.2.3.4, 5.6.7.8 }
add element ip t m { 1.2.3.4 : 22 }
add set ip t r { type inet_service; flags interval; }
add element ip t r { 10-20, 30, 1024-65535 }
add counter ip t cnt
add quota ip t q { 25 mbytes }
add rule ip t c ip saddr @s counter accept
insert rule ip t c tcp dport 22 ct state new counter drop comment "x y"
add rule ip t c ip daddr { 10.0.0.1, 10.0.0.2 } ct expiration 30s
delete element ip t s2 { 5.6.7.8 }
`;
const DELETE = `delete counter ip t cnt
delete element ip t r { 10-20, 1024-65535 }
delete set ip t s2
delete chain ip t d
flush chain ip t c
delete table ip t
`;

/** Without nft's JSON quirks: its dormant flag prints broken, and its deleted rules lose their set lookups. */
const ADD_JSON = ADD.replace(" { flags dormant; }", "");

const CASES: { flags: string[]; args: string[]; json?: boolean }[] = [
  { flags: [], args: [] },
  { flags: ["-a"], args: [] },
  { flags: ["-s"], args: [] },
  { flags: ["-y", "-T"], args: [] },
  { flags: ["-nn", "-a"], args: [] },
  { flags: [], args: ["new"] },
  { flags: [], args: ["destroy"] },
  { flags: [], args: ["tables"] },
  { flags: [], args: ["chains"] },
  { flags: [], args: ["sets"] },
  { flags: [], args: ["elements"] },
  { flags: [], args: ["ruleset"] },
  { flags: [], args: ["new", "rules"] },
  { flags: ["-a"], args: ["destroy", "ruleset"] },
  { flags: [], args: ["new", "vm", "json"], json: true },
  { flags: ["-s"], args: ["new", "rules", "json"], json: true },
];

/** The generation lines name the process and its generation, which differ between the two runs. */
function plain(out: string): string {
  return out.replace(/# new generation \d+ by process \d+ \(\S+\)/g, "# new generation");
}

for (const { flags, args, json } of CASES) {
  test(`nft ${[...flags, "monitor", ...args].join(" ")} prints what nft's does`, { skip: NFT_SKIP }, async () => {
    await withTempNetns(async (ns) => {
      const words = [...flags, "monitor", ...args];
      const [theirs, mine] = await watch(ns, [
        ["ip", ["netns", "exec", ns, "nft", ...words]],
        [CLI[0], [...CLI[1], "-n", ns, "nft", ...words]],
      ], () => {
        nft(ns, ["-f", "-"], json ? ADD_JSON : ADD);
        nft(ns, ["-f", "-"], DELETE);
      });
      assert.equal(mine.err, "");
      assert.ok(theirs.out.length > 0, theirs.err);
      assert.equal(plain(mine.out), plain(theirs.out));
    });
  });
}

test("nft monitor refuses what it cannot show, with nft's words for a bad event", () => {
  const bad = nlkit(["nft", "monitor", "old"]);
  assert.deepEqual([bad.code, bad.stderr.trim()], [1, "Error: invalid event old"]);
  const extra = nlkit(["nft", "monitor", "tables", "chains"]);
  assert.equal(extra.code, 1);
  for (const what of [["trace", "json"], ["new", "trace"], ["xml"]]) {
    const r = nlkit(["nft", "monitor", ...what]);
    assert.equal(r.code, 2, what[0]);
    assert.match(r.stderr, /Cannot monitor/);
  }
});

test(
  "nft -e echoes what nft echoes: a replace's deleted rule, an insert's place, handles with -a",
  { skip: NFT_SKIP },
  async () => {
    await withTempNetns((theirs) =>
      withTempNetns((mine) => {
        const setup =
          "add table ip t\nadd chain ip t c\nadd rule ip t c accept\nadd rule ip t c drop\nadd rule ip t c reject\n";
        nft(theirs, ["-f", "-"], setup);
        nft(mine, ["-f", "-"], setup);
        for (
          const c of [
            ["replace", "rule", "ip", "t", "c", "handle", "3", "counter", "accept"],
            ["replace", "rule", "ip", "t", "c", "handle", "4", "drop"],
            ["insert", "rule", "ip", "t", "c", "position", "3", "accept"],
            ["-a", "add", "rule", "ip", "t", "c", "tcp", "dport", "22", "accept"],
            ["-a", "add", "counter", "ip", "t", "cnt"],
            ["-a", "add", "set", "ip", "t", "s", "{ typeof ip saddr; }"],
          ]
        ) {
          const r = nlkit(["-n", mine, "nft", "-e", ...c]);
          assert.equal(r.stderr, "", c.join(" "));
          assert.equal(plain(r.stdout), plain(nft(theirs, ["-e", ...c])), c.join(" "));
        }
      })
    );
  },
);
