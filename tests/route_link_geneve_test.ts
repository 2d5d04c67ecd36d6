/**
 * `geneve`, the kind added as the worked example of one module per kind
 * (`src/route/link/kinds/geneve.ts` plus its registry line). The test
 * kernel has no geneve driver, so: the requests `ip link add ... type
 * geneve` sends (strace of iproute2 6.1) against nlkit's, `RTM_NEWLINK`
 * replies built from the uapi layout in the order `geneve_fill_info`
 * writes them against what `ip -d` prints for them, and the kernel's own
 * refusal through the library and the CLI.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Args, UsageError } from "../src/cli/args.ts";
import { parseLinkAdd } from "../src/cli/link.ts";
import { type Link, listLinks, parseLinkMessage } from "../src/route/link/api.ts";
import { createLink, createLinkRequest, type CreateLinkSpec } from "../src/route/link/change.ts";
import { linkToIpJson } from "../src/route/link/json.ts";
import { readMessage } from "../src/wire/message.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { mutatedCaptures, onlyTyped } from "./_fuzz.ts";
import { have, ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";
import { unhex } from "./_vectors.ts";
import fc from "fast-check";

/** `ip link add WORDS` (iproute2 6.1) as sent: strace -f -xx -e trace=sendmsg, in a throwaway namespace. */
const IP_REQUESTS: [string, string][] = [
  [
    "gn0 type geneve id 5 remote 10.1.2.3 ttl 64 dstport 6081",
    "6c0000001000050671ca0e6b000000000000000000000000000000000000000008000300676e3000440012000a0001006765" +
    "6e6576650000340002000800010005000000080002000a01020308000b0000000000050003004000000005000400000000" +
    "000600050017c10000",
  ],
  [
    "gn1 type geneve id 70000 remote 2001:db8::9 ttl inherit tos inherit df inherit flowlabel 0x12345 " +
    "noudpcsum udp6zerocsumrx innerprotoinherit",
    "940000001000050677ca0e6b000000000000000000000000000000000000000008000300676e31006c0012000a0001006765" +
    "6e65766500005c00020005000c000100000005000d000200000008000100701101001400070020010db80000000000000000" +
    "0000000908000b00000123450500030000000000050004000100000004000e00050008000000000005000a0001000000",
  ],
  [
    "gn2 type geneve external",
    "60000000100005067dca0e6b000000000000000000000000000000000000000008000300676e3200380012000a0001006765" +
    "6e657665000028000200080001000000000008000b00000000000500030000000000050004000000000004000600",
  ],
];

/**
 * A request with the differences that are not the kind's: the socket's
 * sequence number and `NLM_F_ACK`, `NLA_F_NESTED` (nlkit sets it, ip does
 * not) and the NUL after `IFLA_INFO_KIND` (nlkit sends one). Everything
 * else, the whole `IFLA_INFO_DATA` included, is kept byte for byte.
 */
function canon(msg: Uint8Array): string {
  const attrs = (b: Uint8Array, fix: (type: number, payload: Uint8Array) => Uint8Array): string => {
    let out = "";
    for (let off = 0; off + 4 <= b.length;) {
      const v = new DataView(b.buffer, b.byteOffset + off);
      const len = v.getUint16(0, true), type = v.getUint16(2, true) & 0x3fff;
      const payload = fix(type, b.subarray(off + 4, off + len));
      out += `${type}:[${hex(payload)}]`;
      off += (len + 3) & ~3;
    }
    return out;
  };
  const info = (t: number, p: Uint8Array): Uint8Array =>
    t === 1 ? p.subarray(0, p.indexOf(0) < 0 ? p.length : p.indexOf(0)) : p;
  const top = (t: number, p: Uint8Array): Uint8Array => t === 18 ? new TextEncoder().encode(attrs(p, info)) : p;
  const v = new DataView(msg.buffer, msg.byteOffset);
  const head = `${v.getUint16(4, true)} ${v.getUint16(6, true) & ~4} ${hex(msg.subarray(16, 32))}`;
  return `${head} ${attrs(msg.subarray(32), top)}`;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function parse(bytes: Uint8Array): Link {
  return parseLinkMessage(readMessage(bytes, new DataView(bytes.buffer, bytes.byteOffset), 0, bytes.length));
}

test("link add ... type geneve: nlkit sends ip's request, attribute for attribute", () => {
  for (const [words, captured] of IP_REQUESTS) {
    const ours = createLinkRequest(parseLinkAdd(new Args(words.split(" "))));
    assert.equal(canon(ours), canon(unhex(captured)), words);
  }
  // The same through the library, an IPv6 remote moved to IFLA_GENEVE_REMOTE6 as ip moves it.
  const spec: CreateLinkSpec = {
    kind: "geneve",
    name: "gn1",
    data: {
      ttlInherit: 1,
      df: "inherit",
      id: 70000,
      remote: "2001:db8::9",
      label: 0x12345,
      ttl: 0,
      tos: 1,
      innerProtoInherit: true,
      udpCsum: 0,
      udpZeroCsum6Rx: 1,
    },
  };
  assert.equal(canon(createLinkRequest(spec)), canon(unhex(IP_REQUESTS[1][1])));
});

test("link add ... type geneve: bad words are usage errors naming the word", () => {
  const cases: [string, RegExp][] = [
    ["g type geneve remote 10.0.0.1", /Missing "id" in geneve/],
    ["g type geneve id 5", /Missing "remote" in geneve/],
    ["g type geneve id 16777216 remote 10.0.0.1", /Invalid VNI: "16777216"/],
    ["g type geneve external id 5", /"external" or "id"/],
    ["g type geneve id 5 remote 10.0.0.1 df maybe", /Unknown geneve df: "maybe"/],
    ["g type geneve id 5 remote 10.0.0.1 ttl 256", /Invalid TTL: "256"/],
    ["g type geneve id 5 remote 10.0.0.1 flowlabel 0x100000", /Invalid flowlabel/],
    ["g type geneve id 5 remote 239.1.1.1", /unicast address/],
    ["g type geneve id 5 remote 10.0.0.1 udpcsum noudpcsum", /"udpcsum" or "noudpcsum"/],
    ["g type geneve id 5 remote 10.0.0.1 srcport 1 2", /Unknown argument of geneve options: "srcport"/],
  ];
  for (const [words, re] of cases) {
    assert.throws(() => parseLinkAdd(new Args(words.split(" "))), (e: unknown) => {
      assert.ok(e instanceof UsageError, `${words}: ${e}`);
      assert.match(e.message, re, words);
      return true;
    });
  }
});

/**
 * `RTM_NEWLINK` replies for geneve links, from `<linux/if_link.h>` in the
 * order `geneve_fill_info` writes them: ifinfomsg (ether, index,
 * BROADCAST|MULTICAST), IFLA_IFNAME, IFLA_MTU 1450, IFLA_LINKINFO
 * { IFLA_INFO_KIND "geneve", IFLA_INFO_DATA { ID, REMOTE|REMOTE6,
 * UDP_CSUM|UDP_ZERO_CSUM6_TX, TTL, TOS, LABEL (be32), DF, PORT (be16),
 * [COLLECT_METADATA], UDP_ZERO_CSUM6_RX, TTL_INHERIT, [INNER_PROTO_INHERIT] } }.
 */
const REPLIES = [
  // id 5, remote 10.1.2.3, ttl 64, df set, port 6081.
  "940000001000000000000000000000000000010007000000021000000000000008000300676e300008000400aa05000064001200" +
  "0b00010067656e6576650000540002000800010005000000080002000a01020305000800000000000500030040000000050004" +
  "000000000008000b000000000005000d00010000000600050017c1000005000a000000000005000c0000000000",
  // id 70000, remote6 2001:db8::9, ttl inherit, tos inherit, flowlabel 0x12345, df inherit, inner proto inherit.
  "a40000001000000000000000000000000000010008000000021000000000000008000300676e310008000400aa05000074001200" +
  "0b00010067656e65766500006400020008000100701101001400070020010db80000000000000000000000090500090001000000" +
  "0500030000000000050004000100000008000b000001234505000d00020000000600050017c1000005000a000100000005000c00" +
  "0100000004000e00",
  // external.
  "880000001000000000000000000000000000010009000000021000000000000008000300676e320008000400aa05000058001200" +
  "0b00010067656e65766500004800020008000100000000000500030000000000050004000000000008000b000000000005000d00" +
  "000000000600050017c100000400060005000a000000000005000c0000000000",
].map(unhex);

/** The kind line `ip -d monitor file` (iproute2 6.1) prints for each reply. */
const IP_TEXT = [
  "geneve id 5 remote 10.1.2.3 ttl 64 df set dstport 6081 noudpcsum noudp6zerocsumrx ",
  "geneve id 70000 remote 2001:db8::9 ttl inherit tos inherit df inherit flowlabel 0x12345 dstport 6081 " +
  "udp6zerocsumtx udp6zerocsumrx innerprotoinherit ",
  "geneve external id 0 ttl auto dstport 6081 noudp6zerocsumrx ",
];

/** `info_data` as `geneve_print_opt` prints it in JSON, keys in its order. */
const IP_JSON = [
  { id: 5, remote: "10.1.2.3", ttl: 64, df: "set", port: 6081, udp_csum: false, udp_zero_csum6_rx: false },
  {
    id: 70000,
    remote6: "2001:db8::9",
    tos: "0x1",
    df: "inherit",
    label: "0x12345",
    port: 6081,
    udp_zero_csum6_tx: true,
    udp_zero_csum6_rx: true,
    inner_proto_inherit: true,
  },
  { external: true, id: 0, ttl: 0, df: "unset", port: 6081, udp_zero_csum6_rx: false },
];

test("RTM_NEWLINK for geneve parses to the table's fields and prints ip -j -d's info_data", () => {
  const [v4, v6, ext] = REPLIES.map(parse);
  assert.deepEqual(v4.linkinfo, {
    kind: "geneve",
    data: {
      id: 5,
      remote: "10.1.2.3",
      udpCsum: 0,
      ttl: 64,
      tos: 0,
      label: 0,
      df: "set",
      port: 6081,
      udpZeroCsum6Rx: 0,
      ttlInherit: 0,
    },
  });
  assert.equal((v6.linkinfo?.data as Record<string, unknown>).remote6, "2001:db8::9");
  assert.equal((ext.linkinfo?.data as Record<string, unknown>).collectMetadata, true);
  [v4, v6, ext].forEach((l, i) => {
    const info = linkToIpJson(l, { details: true }).linkinfo as Record<string, unknown>;
    assert.equal(info.info_kind, "geneve");
    assert.deepEqual(info.info_data, IP_JSON[i]);
    assert.deepEqual(Object.keys(info.info_data as object), Object.keys(IP_JSON[i]), "key order");
  });
});

test("RTM_NEWLINK for geneve prints ip -d's kind line (ip monitor file as the oracle when present)", () => {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-geneve-"));
  try {
    REPLIES.forEach((bytes, i) => {
      const file = join(dir, `v${i}.rtmon`);
      writeFileSync(file, bytes);
      const kindLine = (out: string): string => out.split("\n").find((l) => l.startsWith("    geneve"))!.slice(4);
      const r = nlkit(["-d", "monitor", "file", file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(kindLine(r.stdout), IP_TEXT[i]);
      if (have("ip")) assert.equal(kindLine(run("ip", ["-d", "monitor", "file", file])), IP_TEXT[i]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("property: mutated geneve replies give a link or a typed error", () => {
  fc.assert(
    fc.property(mutatedCaptures(REPLIES), (m) => onlyTyped(() => parseLinkMessage(m))),
    { numRuns: 3000 },
  );
});

test("geneve on a kernel without the driver: the kernel's refusal, exit 1, nothing created", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    await assert.rejects(
      createLink({ kind: "geneve", name: "gn0", data: { id: 5, remote: "10.1.2.3" } }, { netns: ns }),
      (e: unknown) => {
        assert.ok(e instanceof NetlinkError, String(e));
        assert.equal(e.errno, 95); // EOPNOTSUPP
        assert.equal(e.kernelMessage, "Unknown device type");
        return true;
      },
    );
    const words = ["link", "add", "gn0", "type", "geneve", "id", "5", "remote", "10.1.2.3"];
    const r = nlkit(["-n", ns, ...words]);
    assert.equal(r.code, 1, r.stderr);
    let theirs = "";
    try {
      ip(ns, ...words);
    } catch (e) {
      theirs = (e as Error).message;
    }
    assert.match(theirs, /Error: Unknown device type\./);
    assert.equal(r.stderr.trim(), "Error: Unknown device type.");
    assert.deepEqual((await listLinks({}, { netns: ns })).map((l) => l.name), ["lo"]);
  });
});
