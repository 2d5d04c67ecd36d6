/**
 * `nlkit nft -f FILE` in nft's own language, against `nft -f` in fresh
 * namespaces: block syntax, defines, includes, sets and maps with
 * elements, named objects, policies, a syntax error, a refusal that
 * changes nothing, `-c` and `-e`. Plus the script parser's property:
 * any text gives commands or a located, typed error.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftJson, nftResult } from "./_nft.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { NftScriptError, parseScript, scriptDocument } from "../src/netfilter/nftables/text/script.ts";

const BLOCKS = `#!/usr/sbin/nft -f
# comments and continuations
define ssh = 22
define nets = { 10.0.0.0/8, \\
                192.168.0.0/16 }
table inet filter {
	counter hits { packets 5 bytes 300 }
	quota q { over 25 mbytes used 0 bytes }
	limit lim { rate 400/minute burst 5 packets }
	ct helper ftp { type "ftp" protocol tcp; l3proto inet; }
	set allowed {
		type ipv4_addr
		flags interval
		elements = { 10.1.0.0/16,
			     10.3.0.1 }
	}
	map ports {
		typeof tcp dport : meta mark
		elements = { 22 : 0x1, 80 : 0x2 }
	}
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		ip saddr $nets tcp dport $ssh counter accept
		ip saddr @allowed jump allowed_in
		counter name "hits"
	}
	chain allowed_in {
		tcp dport { 80, 443 } accept; udp dport 53 accept
	}
}
add table ip nat
add chain ip nat post { type nat hook postrouting priority srcnat; }
add rule ip nat post oifname "eth0" masquerade
`;

/** nft's listing without handles (assigned anew in each namespace). */
function listing(ns: string): unknown[] {
  return JSON.parse(JSON.stringify(nftJson(ns, "ruleset"), (k, v) => (k === "handle" ? undefined : v)));
}

/** Loads `text` with nft in one namespace and with nlkit in another; returns both listings and nlkit's result. */
async function bothWays(
  text: string,
  nlkitArgs: string[] = [],
): Promise<{ want: unknown[]; got: unknown[]; r: { code: number; stderr: string } }> {
  return await withTempNetns(async (a) => {
    nft(a, ["-f", "-"], text);
    const want = listing(a);
    return await withTempNetns((b) => {
      const r = nlkit(["-n", b, "nft", ...nlkitArgs, "-f", "-"], {}, text);
      return { want, got: r.code === 0 ? listing(b) : [], r };
    });
  });
}

test("nft -f: blocks, defines, continuations, sets, maps, objects and commands as nft loads them", {
  skip: NFT_SKIP,
}, async () => {
  const { want, got, r } = await bothWays(BLOCKS);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(want.length > 8);
  assert.deepEqual(got, want);
});

test("nft -f: a table block adds to an existing table; include reads files as nft does", {
  skip: NFT_SKIP,
}, async () => {
  const dir = mkdtempSync("/tmp/nftfile-inc-");
  try {
    writeFileSync(`${dir}/a.nft`, "table ip t {\n chain c {\n  counter\n }\n}\n");
    writeFileSync(`${dir}/b.nft`, "table ip t { chain c { accept; }; chain d { }; }\n");
    const text = `include "${dir}/a.nft"\ninclude "${dir}/b*.nft"\ninclude "${dir}/none*.nft"\n`;
    const { want, got, r } = await bothWays(text);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(want.filter((o) => (o as { rule?: unknown }).rule).length, 2);
    assert.deepEqual(got, want);
    // A missing file without a wildcard is an error, as in nft.
    assert.throws(() => parseScript(`include "${dir}/missing.nft"`, "x"), /File not found/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("nft -f: a syntax error and a kernel refusal change nothing and exit 1, naming the place", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["add", "table", "ip", "keep"]);
    const before = listing(ns);
    const bad = "table ip t {\n  chain c {\n    tcp dport 22 acept\n  }\n}\n";
    const r = nlkit(["-n", ns, "nft", "-f", "-"], {}, bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^\/dev\/stdin:3:5-22: Error: .*acept/m);
    assert.match(r.stderr, /^ {4}\^+$/m);
    const refused = "table ip t {\n chain c { type filter hook input priority 0; jump nowhere; }\n}\n";
    const r2 = nlkit(["-n", ns, "nft", "-f", "-"], {}, refused);
    // nft refuses it too, pointing at the jump's chain.
    const t = nftResult(ns, ["-f", "-"], refused);
    assert.match(t.stderr, /^\/dev\/stdin:2:52-58: Error: Could not process rule: No such file or directory\n/);
    assert.deepEqual([r2.code, r2.stderr], [t.code, t.stderr]);
    assert.deepEqual(listing(ns), before);
  });
});

test("nft -c: the kernel checks the batch and nothing is committed", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    const r = nlkit(["-n", ns, "nft", "-c", "-f", "-"], {}, BLOCKS);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listing(ns), []);
    // Only the kernel knows the jump target is missing: -c must have sent the batch.
    const refused = "table ip t {\n chain c { type filter hook input priority 0; jump nowhere; }\n}\n";
    const r2 = nlkit(["-n", ns, "nft", "-c", "-f", "-"], {}, refused);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /^\/dev\/stdin:2:52-58: Error: Could not process rule: No such file or directory\n/);
    assert.deepEqual(listing(ns), []);
  });
});

test("nft -e: what was added, printed as nft -e prints it (text, -a, -j)", { skip: NFT_SKIP }, async () => {
  const text = "table ip t {\n chain c { type filter hook input priority 0; tcp dport 22 accept; }\n" +
    " set s { type ipv4_addr; elements = { 1.2.3.4 } }\n}\n";
  const gen = (s: string) => s.replace(/^# new generation .*$/m, "# generation");
  // A file, not stdin: nft 1.0.6 -j -e reads stdin as JSON first and then echoes nothing.
  const dir = mkdtempSync("/tmp/nftfile-echo-");
  writeFileSync(`${dir}/r.nft`, text);
  try {
    for (const flags of [["-e"], ["-a", "-e"], ["-j", "-e"]]) {
      const [want, got] = await withTempNetns(async (a) => [
        gen(nft(a, [...flags, "-f", `${dir}/r.nft`])),
        await withTempNetns((b) => {
          const r = nlkit(["-n", b, "nft", ...flags, "-f", `${dir}/r.nft`]);
          assert.equal(r.code, 0, r.stderr);
          return gen(r.stdout);
        }),
      ]);
      assert.match(want, /"rule"|add rule ip t c/);
      assert.equal(got, want, flags.join(" "));
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
  // Loaded again, only the rule is new: nft echoes that alone.
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], text);
    const want = gen(nft(ns, ["-e", "-f", "-"], text));
    const r = nlkit(["-n", ns, "nft", "-e", "-f", "-"], {}, text);
    assert.equal(gen(r.stdout), want);
    assert.match(want, /^add rule ip t c tcp dport 22 accept$/m);
  });
});

test("nft scripts: defines are scoped, redefined and undefined; unknown keywords are refused", () => {
  const doc = scriptDocument("define p = 1\nredefine p = 2\ntable ip t { chain c { tcp dport $p; }; }\n", "x");
  assert.deepEqual(doc.nftables.at(-1), {
    add: {
      rule: {
        family: "ip",
        table: "t",
        chain: "c",
        expr: [{ match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 2 } }],
      },
    },
  });
  assert.throws(
    () => parseScript("define p = 1\nundefine p\nadd rule ip t c tcp dport $p\n", "x"),
    /unknown identifier/,
  );
  assert.throws(() => parseScript("table ip t { chain c { x } }\nadd table ip u { bogus 1; }", "f"), NftScriptError);
  assert.throws(() => parseScript("table ip t { flowtable f { hook egress priority 0; }; }", "f"), /hook ingress/);
  assert.throws(() => parseScript("table ip t { flowtable f { devices = { a }; }; }", "f"), /without a hook/);
  assert.throws(() => parseScript("list ruleset", "f"), /Cannot run "list"/);
  assert.throws(() => parseScript('table ip t { comment "open }', "f"), /unterminated string/);
});

test("nft scripts: 200,000 elements in a block, an add element, a define and a map read without overflowing the stack", () => {
  const n = 200_000;
  const addrs = Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  const list = addrs.join(", ");
  const pairs = addrs.map((a, i) => `${a} : ${i & 0xffff}`).join(", ");
  const text = `define many = { ${list} }\n` +
    `table ip t {\n set s { type ipv4_addr; elements = { ${list} } }\n` +
    ` map m { type ipv4_addr : inet_service; elements = { ${pairs} } }\n` +
    ` set d { type ipv4_addr; elements = $many }\n}\n` +
    `add element ip t s { ${list} }\n`;
  const cmds = scriptDocument(text, "big").nftables as {
    add: { set?: { elem?: unknown[] }; map?: { elem?: unknown[] }; element?: { elem: unknown[] } };
  }[];
  const sizes = cmds.map((c) => (c.add.set ?? c.add.map)?.elem?.length ?? c.add.element?.elem.length);
  assert.deepEqual(sizes.filter((x) => x !== undefined), [n, n, n, n]);
});

test("nft scripts: random and mutated text gives commands or a typed error, never a crash", () => {
  const words = [
    "table",
    "chain",
    "set",
    "map",
    "add",
    "ip",
    "inet",
    "t",
    "c",
    "{",
    "}",
    ";",
    "\n",
    "type",
    "filter",
    "hook",
    "input",
    "priority",
    "0",
    "policy",
    "drop",
    "elements",
    "=",
    ",",
    ":",
    ".",
    "tcp",
    "dport",
    "22",
    "accept",
    "define",
    "$x",
    "x",
    '"s"',
    "\\",
    "#",
    "counter",
    "ct",
    "helper",
    "typeof",
    "ip saddr",
  ];
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.constantFrom(...words), { maxLength: 60 }).map((w) => w.join(" ")),
    fc.tuple(fc.integer({ min: 0, max: BLOCKS.length }), fc.string({ maxLength: 8 }))
      .map(([i, s]) => BLOCKS.slice(0, i) + s + BLOCKS.slice(i + 1)),
  );
  fc.assert(
    fc.property(text, (t) => {
      try {
        parseScript(t, "fuzz", { includePaths: [] });
      } catch (e) {
        if (!(e instanceof InvalidArgumentError)) throw e;
      }
    }),
    { numRuns: 600 },
  );
});
