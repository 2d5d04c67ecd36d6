/**
 * Packet traces from bytes the kernel sent (`NFT_MSG_TRACE`, captured next
 * to `nft monitor trace` in one namespace: ip and inet chains, ICMP and a
 * TCP SYN over a veth): each message parses, and prints the lines nft
 * printed for it. Bad bytes give typed errors; any headers give matches.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { unhex } from "./_vectors.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { parseTraceMessage } from "../src/netfilter/nftables/trace.ts";
import { parseNftEvent } from "../src/netfilter/nftables/events.ts";
import { traceLines, type TraceTextContext } from "../src/netfilter/nftables/text/trace_text.ts";
import { tracePacketMatches } from "../src/netfilter/nftables/json/trace_packet.ts";

const FIXTURE = JSON.parse(readFileSync(new URL("./fixtures/nft_trace.json", import.meta.url), "utf8")) as {
  ifnames: Record<string, string>;
  rules: Record<string, string>;
  messages: string[];
  lines: string[];
};

const MESSAGES = FIXTURE.messages.map(unhex);

const CTX: TraceTextContext = {
  ifname: (i) => FIXTURE.ifnames[i] ?? i,
  rule: (family, table, chain, handle) => FIXTURE.rules[`${family} ${table} ${chain} ${handle}`],
};

function message(b: Uint8Array): NlMsg {
  return readMessage(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length);
}

test("captured traces print nft's lines", () => {
  const lines = MESSAGES.flatMap((b) => traceLines(parseTraceMessage(message(b)), CTX));
  assert.deepEqual(lines, FIXTURE.lines);
});

test("a captured trace's fields, and the event it makes", () => {
  const t = parseTraceMessage(message(MESSAGES[0]));
  assert.equal(t.family, "ip");
  assert.equal(t.table, "t");
  assert.equal(t.chain, "pre");
  assert.equal(t.type, "rule");
  assert.equal(t.nfproto, 2);
  assert.equal(t.iif, 2);
  assert.equal(t.iiftype, 1);
  assert.equal(t.verdict?.code, "continue");
  assert.equal(t.networkHeader?.length, 20);
  assert.equal(t.llHeader?.length, 14);
  assert.deepEqual(parseNftEvent(message(MESSAGES[0])), { trace: t });
});

test("a rule the ruleset did not hold when tracing began is an unknown handle", () => {
  const [t] = MESSAGES.map((b) => parseTraceMessage(message(b))).filter((x) => x.type === "rule");
  const line = traceLines(t, { ...CTX, rule: () => undefined }).at(-1);
  assert.equal(
    line,
    `trace id ${t.id!.toString(16).padStart(8, "0")} ip t pre unknown rule handle ${t.ruleHandle} (verdict continue)`,
  );
});

test("trace parsing and printing: bad bytes give typed errors", () => {
  assertOnlyTypedErrors(MESSAGES, [parseTraceMessage, (m) => traceLines(parseTraceMessage(m), CTX)], {
    numRuns: 400,
    maxLength: 256,
    maxEdits: 6,
  });
});

test("any headers in any family split into matches without throwing", () => {
  const family = fc.constantFrom("ip", "ip6", "inet", "arp", "bridge", "netdev");
  const header = fc.option(fc.uint8Array({ maxLength: 48 }), { nil: undefined });
  fc.assert(
    fc.property(
      family,
      fc.option(fc.constantFrom(2, 10, 7), { nil: undefined }),
      fc.option(fc.constantFrom(1, 772), { nil: undefined }),
      header,
      header,
      header,
      (f, nfproto, iiftype, ll, nh, th) => {
        const out = tracePacketMatches({ family: f, nfproto, iiftype, headers: { ll, nh, th } });
        assert.ok(Array.isArray(out));
      },
    ),
    { numRuns: 500 },
  );
});
