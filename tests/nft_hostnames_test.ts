/**
 * Host names where an address belongs (`ip saddr localhost`): nft resolves
 * them with getaddrinfo, for the address family of the field, and refuses
 * a name with several addresses or none. nlkit resolves them with libc's
 * resolver too. The integration test gives a namespace its own
 * `/etc/netns/NS/hosts` (which `ip netns exec` mounts over `/etc/hosts`)
 * and runs nft and nlkit in it on the same rules.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { CLI, ROOT } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { loadSys } from "../src/sys/load.ts";
import { parseValue, setHostResolver } from "../src/netfilter/nftables/json/value_codec.ts";
import { NFT_TYPES } from "../src/netfilter/nftables/json/types.ts";

const OPTS = { skip: NFT_SKIP, timeout: 120_000 };

test("parseValue resolves a name through the resolver set, and refuses several addresses or none", () => {
  const v4 = NFT_TYPES.ipv4_addr, v6 = NFT_TYPES.ipv6_addr;
  const asked: string[] = [];
  setHostResolver((name, family) => {
    asked.push(`${name}/${family}`);
    if (name === "one") return family === 4 ? [new Uint8Array([192, 0, 2, 7])] : "Name or service not known";
    if (name === "two") return [new Uint8Array([192, 0, 2, 8]), new Uint8Array([192, 0, 2, 9])];
    if (name === "six") return family === 6 ? [new Uint8Array(16).fill(1)] : "Name or service not known";
    return "Temporary failure in name resolution";
  });
  try {
    assert.deepEqual([...parseValue(v4, "one")], [192, 0, 2, 7]);
    assert.deepEqual([...parseValue(v6, "six")], new Array(16).fill(1));
    // An address is read as one: the resolver is not asked.
    assert.deepEqual([...parseValue(v4, "10.1.2.3")], [10, 1, 2, 3]);
    assert.deepEqual([...parseValue(v6, "2001:db8::1")].slice(0, 2), [0x20, 0x01]);
    assert.throws(() => parseValue(v4, "two"), (e) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.equal(e.message, 'Cannot use "two" as ipv4_addr: Hostname resolves to multiple addresses');
      return true;
    });
    assert.throws(
      () => parseValue(v4, "six"),
      /Cannot use "six" as ipv4_addr: Could not resolve hostname: Name or service not known/,
    );
    assert.throws(() => parseValue(v6, "nowhere"), /Could not resolve hostname: Temporary failure/);
    assert.deepEqual(asked, ["one/4", "six/6", "two/4", "six/4", "nowhere/6"]);
  } finally {
    setHostResolver(undefined);
  }
  // Without a resolver a name is refused as no address.
  assert.throws(() => parseValue(v4, "one"), InvalidArgumentError);
});

test("Sys.hostAddresses: libc's getaddrinfo, its words when it finds none", async () => {
  const sys = await loadSys();
  const bytes = (name: string, family: 4 | 6) => {
    const r = sys.hostAddresses(name, family);
    assert.ok(Array.isArray(r), `${name}: ${r}`);
    return r.map((a) => [...a]);
  };
  assert.deepEqual(bytes("192.0.2.1", 4), [[192, 0, 2, 1]]);
  assert.deepEqual(bytes("2001:db8::1", 6).map((a) => a.length), [16]);
  // inet_aton's short form, which getaddrinfo (and so nft's JSON) takes.
  assert.deepEqual(bytes("127.1", 4), [[127, 0, 0, 1]]);
  const none = sys.hostAddresses("2001:db8::1", 4);
  assert.equal(typeof none, "string");
  assert.match(none as string, /family/i);
});

const HOSTS = [
  "192.0.2.7 nlkit-one",
  "192.0.2.8 nlkit-two",
  "192.0.2.9 nlkit-two",
  "2001:db8::7 nlkit-six",
  "",
].join("\n");

/**
 * Runs `nft ARGS` or `nlkit nft ARGS` inside `ns` through `ip netns exec`,
 * so both see the namespace's `/etc/hosts`.
 */
function inNs(tool: string, ns: string, args: string[], input?: string): { code: number | null; stderr: string } {
  const cmd = tool === "nft" ? ["nft"] : [CLI[0], ...CLI[1], "nft"];
  const r = spawnSync("ip", ["netns", "exec", ns, ...cmd, ...args], { cwd: ROOT, encoding: "utf8", input });
  return { code: r.status, stderr: r.stderr };
}

const SETUP = `
table ip t {
  set s { type ipv4_addr; }
  chain c { }
}
table ip6 t {
  chain c { }
}
`;

test("host names in rules, sets and nft's JSON: resolved as nft resolves them", OPTS, async () => {
  await withTempNetns((ns) => {
    const dir = `/etc/netns/${ns}`;
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(`${dir}/hosts`, HOSTS);
      // No DNS: a name the hosts file lacks fails at once, for both tools alike.
      writeFileSync(`${dir}/resolv.conf`, "nameserver 127.0.0.1\n");
      const taken = [
        "add rule ip t c ip saddr nlkit-one accept",
        "add rule ip t c ip daddr { nlkit-one, 10.0.0.1 } drop",
        "add rule ip6 t c ip6 daddr nlkit-six accept",
        "add element ip t s { nlkit-one }",
      ];
      const refused = [
        ["add rule ip t c ip saddr nlkit-two accept", "Hostname resolves to multiple addresses"],
        ["add rule ip t c ip saddr nlkit-six accept", "Could not resolve hostname"],
        ["add rule ip6 t c ip6 saddr nlkit-one accept", "Could not resolve hostname"],
        ["add rule ip t c ip saddr nlkit-none accept", "Could not resolve hostname"],
      ];
      const listings: string[] = [];
      for (const tool of ["nft", "nlkit"]) {
        nft(ns, ["flush", "ruleset"]);
        nft(ns, ["-f", "-"], SETUP);
        for (const cmd of taken) {
          const r = inNs(tool, ns, cmd.split(" "));
          assert.equal(r.code, 0, `${tool} ${cmd}: ${r.stderr}`);
        }
        for (const [cmd, why] of refused) {
          const r = inNs(tool, ns, cmd.split(" "));
          assert.equal(r.code, 1, `${tool} takes ${cmd}`);
          assert.match(r.stderr, new RegExp(why), `${tool} ${cmd}`);
        }
        listings.push(nft(ns, ["list", "ruleset"]));
      }
      assert.equal(listings[1], listings[0]);
      assert.match(listings[0], /ip saddr 192\.0\.2\.7 accept/);
      assert.match(listings[0], /ip6 daddr 2001:db8::7 accept/);

      // nft's JSON: a name as the right side of a match, taken by both.
      const doc = JSON.stringify({
        nftables: [{
          add: {
            rule: {
              family: "ip",
              table: "t",
              chain: "c",
              expr: [{
                match: { op: "==", left: { payload: { protocol: "ip", field: "daddr" } }, right: "nlkit-one" },
              }, { accept: null }],
            },
          },
        }],
      });
      const json: string[] = [];
      for (const tool of ["nft", "nlkit"]) {
        nft(ns, ["flush", "ruleset"]);
        nft(ns, ["-f", "-"], SETUP);
        const r = inNs(tool, ns, ["-j", "-f", "-"], doc);
        assert.equal(r.code, 0, `${tool}: ${r.stderr}`);
        json.push(nft(ns, ["list", "chain", "ip", "t", "c"]));
      }
      assert.equal(json[1], json[0]);
      assert.match(json[0], /ip daddr 192\.0\.2\.7 accept/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
