/**
 * The `ct -L` line written straight from a message's bytes
 * (`src/netfilter/conntrack/line.ts`) against the reference path,
 * `formatConntrack(parseConntrackMessage(m))`: captured dump replies, built
 * entries in random combinations and mutated bytes, plus `printIp` against
 * `formatIp`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { formatIp, parseIp, printIp } from "../src/wire/addr.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { nfnlMessage, nfnlType } from "../src/wire/nfnetlink.ts";
import { TextSink } from "../src/wire/text_sink.ts";
import { type ConntrackAttrs, parseConntrackMessage } from "../src/netfilter/conntrack/entry.ts";
import { type ConntrackOutput, formatConntrack } from "../src/netfilter/conntrack/format.ts";
import { conntrackLineWriter, writeConntrackLineFast } from "../src/netfilter/conntrack/line.ts";
import { CTA_TABLE } from "../src/netfilter/conntrack/tables.ts";
import { createConntrack, listConntrack, streamConntrackMessages } from "../src/netfilter/conntrack/ops.ts";
import { NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));

function msgOf(bytes: Uint8Array): NlMsg {
  return readMessage(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length);
}

// Dump replies captured from Linux 6.18 (every entry carries CTA_SYNPROXY), with the lines conntrack -L printed.
const TCP = hex(
  "f00000000001020001e01b581b030000020000003400018014000180080001006440ed3108000200c61200041c00028005000100060000" +
    "000600020095df00000600030001bb0000340002801400018008000100c6120004080002006440ed311c00028005000100060000000600" +
    "020001bb00000600030095df0000080003000000000e080008000000013108000c0028bdaab908000b000000000108000700000d291c30" +
    "0004802c000180050001000300000005000200000000000500030000000000060004000000000006000500000000001c00188008000100" +
    "0000000008000200000000000800030000000000",
);
const TCP_LINE = "tcp      6 862492 ESTABLISHED src=100.64.237.49 dst=198.18.0.4 sport=38367 dport=443 " +
  "src=198.18.0.4 dst=100.64.237.49 sport=443 dport=38367 [ASSURED] mark=305 use=1";
const ICMP6 = hex(
  "000100000001020001e01b581b0300000a000000540001802c00018014000300fd0000010000000000000000000093e314000400fd0000" +
    "0200000000000000000000000424000280050001003a0000000600070093e3000005000800800000000500090000000000540002802c00" +
    "018014000300fd00000200000000000000000000000414000400fd0000010000000000000000000093e324000280050001003a00000006" +
    "00070093e3000005000800810000000500090000000000080003000000000a08000800000003e308000c008cbbacf208000b0000000001" +
    "08000700000d291b1c001880080001000000000008000200000000000800030000000000",
);
const ICMP6_LINE = "icmpv6   58 862491 src=fd00:1::93e3 dst=fd00:2::4 type=128 code=0 id=37859 " +
  "src=fd00:2::4 dst=fd00:1::93e3 type=129 code=0 id=37859 mark=995 use=1";

/** A fixed "now" for `delta-time`, so two calls print the same line. */
const NOW = 1_800_000_000;

const OUTPUTS: readonly ConntrackOutput[][] = [[], ["extended"], ["id"], ["extended", "id"]];

/** The fast line of `bytes`, or undefined where it declines. */
function fast(bytes: Uint8Array, output: ConntrackOutput[] = []): string | undefined {
  const w = new TextSink(16);
  w.ascii("x"); // what a declined line must leave as it was
  const ok = writeConntrackLineFast(w, msgOf(bytes), { output });
  const text = w.take();
  if (!ok) {
    assert.equal(text, "x");
    return undefined;
  }
  return text.slice(1);
}

/** The reference line, or the error it throws. */
function reference(bytes: Uint8Array, output: ConntrackOutput[] = []): string | Error {
  try {
    return formatConntrack(parseConntrackMessage(msgOf(bytes)), { output, now: NOW });
  } catch (e) {
    return e as Error;
  }
}

/** What `conntrackLineWriter` writes, or the error it throws. */
function written(bytes: Uint8Array, output: ConntrackOutput[] = []): string | Error {
  const w = new TextSink(16);
  try {
    conntrackLineWriter({ output, now: NOW })(w, msgOf(bytes));
    return w.take();
  } catch (e) {
    return e as Error;
  }
}

/** The fast line agrees with the reference where it writes one; the writer always does. Returns whether it wrote. */
function agrees(bytes: Uint8Array, output: ConntrackOutput[] = []): boolean {
  const ref = reference(bytes, output);
  const got = fast(bytes, output);
  if (got !== undefined) assert.equal(got, ref, `fast line of ${Buffer.from(bytes).toString("hex")}`);
  const all = written(bytes, output);
  if (ref instanceof Error) assert.ok(all instanceof Error && all.constructor === ref.constructor);
  else assert.equal(all, ref);
  return got !== undefined;
}

test("captured dump replies print conntrack's lines from their bytes", () => {
  assert.equal(fast(TCP), TCP_LINE);
  assert.equal(fast(ICMP6), ICMP6_LINE);
  assert.equal(fast(TCP, ["extended", "id"]), `ipv4     2 ${TCP_LINE} id=683518649`);
  assert.equal(fast(ICMP6, ["extended"]), `ipv6     10 ${ICMP6_LINE}`);
  for (const b of [TCP, ICMP6]) for (const o of OUTPUTS) assert.ok(agrees(b, o));
});

test("what the fast line leaves to the parser: labels, timestamps, other -o options, a cut message", () => {
  const w = new TextSink();
  assert.equal(writeConntrackLineFast(w, msgOf(TCP), { output: ["labels"] }), true); // a writer call ignores them
  // The writer itself declines every option the fast line does not print.
  for (const output of [["labels"], ["timestamp"]] as ConntrackOutput[][]) {
    assert.equal(written(TCP, output), reference(TCP, output));
  }
  const cut = TCP.slice(0, TCP.length - 6);
  new DataView(cut.buffer).setUint32(0, cut.length, true);
  assert.equal(fast(cut), undefined);
  assert.ok(reference(cut) instanceof Error);
  assert.ok(written(cut) instanceof Error);
});

const PORT_PROTOS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, gre: 47, udplite: 136, dccp: 33, x: 99 };

test("property: built entries print the reference line from their bytes", () => {
  const port = fc.integer({ min: 0, max: 65535 });
  const addr = fc.oneof(
    fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join(".")),
    fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 }).map((g) =>
      g.map((x) => x.toString(16)).join(":")
    ),
  );
  const u32 = fc.nat(0xffffffff);
  let wrote = 0, plain = 0;
  fc.assert(
    fc.property(
      addr,
      addr,
      port,
      port,
      fc.constantFrom("tcp", "udp", "icmp", "icmpv6", "sctp", "gre", "udplite", "dccp", "x"),
      fc.constantFrom(...OUTPUTS),
      fc.boolean(),
      fc.record({
        reply: fc.boolean(),
        mark: u32,
        timeout: u32,
        zone: fc.nat(65535),
        origZone: fc.nat(65535),
        replyZone: fc.nat(65535),
        id: u32,
        use: u32,
        secmark: u32,
        status: u32,
        counters: fc.tuple(fc.nat(2 ** 40), fc.nat(2 ** 40), fc.boolean()),
        state: fc.nat(12),
        seqAdj: u32,
        labels: fc.uniqueArray(fc.nat(127)),
        start: fc.bigInt({ min: 0n, max: 2n ** 63n }),
        helper: fc.constantFrom("ftp", "sip"),
      }, { requiredKeys: [] }),
      (src, dst, sport, dport, proto, output, dumpLike, x) => {
        // Half the entries as a dump sends them: none of the fields the fast line leaves to the parser.
        if (dumpLike) x = { ...x, labels: undefined, start: undefined, helper: undefined };
        const v6 = src.includes(":");
        const tuple = (a: string, b: string, sp: number, dp: number, zone?: number) => ({
          ip: v6
            ? { v6Src: a, v6Dst: b.includes(":") ? b : "::1" }
            : { v4Src: a, v4Dst: b.includes(":") ? "1.2.3.4" : b },
          proto: proto === "icmp"
            ? { num: 1, icmpType: 8, icmpCode: 0, icmpId: sp }
            : proto === "icmpv6"
            ? { num: 58, icmpv6Type: 128, icmpv6Code: 0, icmpv6Id: sp }
            : { num: PORT_PROTOS[proto], srcPort: sp, dstPort: dp },
          ...(zone === undefined ? {} : { zone }),
        });
        const a: Record<string, unknown> = { tupleOrig: tuple(src, dst, sport, dport, x.origZone) };
        if (x.reply) a.tupleReply = tuple(dst.includes(":") === v6 ? dst : src, src, dport, sport, x.replyZone);
        for (const k of ["status", "timeout", "mark", "zone", "id", "use", "secmark"] as const) {
          if (x[k] !== undefined) a[k] = x[k];
        }
        if (x.counters) {
          a.countersOrig = x.counters[2]
            ? { packets32: x.counters[0] % 2 ** 32, bytes32: x.counters[1] % 2 ** 32 }
            : { packets: x.counters[0], bytes: x.counters[1] };
          a.countersReply = { packets: x.counters[1] };
        }
        if (x.state !== undefined) {
          const info = proto === "sctp" ? "sctp" : proto === "dccp" ? "dccp" : "tcp";
          a.protoinfo = { [info]: { state: String(x.state) } };
          a.synproxy = { isn: x.mark ?? 1, tsoff: 300 };
        }
        if (x.seqAdj !== undefined) a.seqAdjOrig = { correctionPos: x.seqAdj, offsetBefore: 1, offsetAfter: 2 };
        if (x.labels) a.labels = Uint8Array.from({ length: 16 }, (_, i) => i === 0 ? x.labels!.length : 0);
        if (x.start !== undefined) a.timestamp = { start: x.start };
        if (x.helper !== undefined) a.help = { name: x.helper };
        const bytes = nfnlMessage(nfnlType(1, 0), 0, v6 ? 10 : 2).attrs(CTA_TABLE, a as ConntrackAttrs).finish();
        const did = agrees(bytes, output);
        if (did) wrote++;
        if (dumpLike) {
          plain++;
          assert.ok(did, `declined ${Buffer.from(bytes).toString("hex")}`);
        }
      },
    ),
    { numRuns: 3000 },
  );
  assert.ok(plain > 1000 && wrote >= plain, `${plain} plain, ${wrote} written`);
});

test("property: mutated dump replies print the reference line or fail as the parser does", () => {
  let wrote = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(TCP, ICMP6),
      fc.constantFrom(...OUTPUTS),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.nat(),
      (seed, output, flips, cut) => {
        const b = seed.slice();
        for (const [at, v] of flips) b[16 + (at % (b.length - 16))] = v;
        const t = b.slice(0, 16 + (cut % (b.length - 15)));
        new DataView(t.buffer).setUint32(0, t.length, true);
        if (agrees(t, output)) wrote++;
      },
    ),
    { numRuns: 4000 },
  );
  assert.ok(wrote > 0);
});

test("property: printIp writes what formatIp returns", () => {
  const group = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.nat(0xffff));
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(group, { minLength: 8, maxLength: 8 }).map((g) =>
          Uint8Array.from(g.flatMap((x) => [x >> 8, x & 255]))
        ),
        fc.uint8Array({ minLength: 0, maxLength: 20 }),
      ),
      fc.nat(3),
      (bytes, pad) => {
        const b = new Uint8Array(pad + bytes.length);
        b.set(bytes, pad);
        const w = new TextSink(4);
        printIp(w, b, pad, bytes.length);
        assert.equal(w.take(), formatIp(b, pad, bytes.length));
      },
    ),
    { numRuns: 5000 },
  );
  // RFC 5952 corners: all zero, a run at either end, the first of two equal runs, a single zero group, dotted tails.
  for (
    const text of ["::", "::1", "1::", "1:0:0:1::1", "1::1:0:0:1", "1:0:1:1:1:1:1:1", "::ffff:1.2.3.4", "::1.2.3.4"]
  ) {
    const w = new TextSink();
    printIp(w, parseIp(text), 0, 16);
    assert.equal(w.take(), text);
  }
  // Every byte value in every octet (the digit table), each quad ending where the sink is full, after text already written.
  for (let v = 0; v < 256; v++) {
    for (let at = 0; at < 4; at++) {
      const b = Uint8Array.of(10, 200, 7, 99);
      b[at] = v;
      const w = new TextSink(18);
      w.ascii("src=");
      printIp(w, b, 0, 4);
      w.byte(32);
      assert.equal(w.take(), `src=${formatIp(b)} `);
    }
  }
});

test(
  "streamConntrackMessages hands each reply of a table's dump to the caller's parser",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      for (const sport of [1000, 1001, 1002]) {
        await createConntrack({
          proto: "udp",
          orig: { src: "10.0.0.1", dst: "10.0.0.2", sport, dport: 53 },
          timeout: 100,
        }, { netns: ns });
      }
      const parsed = await Array.fromAsync(streamConntrackMessages(undefined, parseConntrackMessage, { netns: ns }));
      const listed = await listConntrack({}, { netns: ns });
      const key = (e: { orig: { sport?: number } }) => e.orig.sport;
      assert.deepEqual(parsed.map(key).sort(), listed.map(key).sort());
      assert.equal(parsed.length, 3);
      const lines = await Array.fromAsync(streamConntrackMessages("conntrack", (m) => {
        const w = new TextSink();
        conntrackLineWriter()(w, m);
        return w.take();
      }, { netns: ns }));
      // The timeouts may tick between the two dumps.
      const untimed = (l: string) => l.replace(/^(udp +17 )\d+ /, "$1T ");
      assert.deepEqual(lines.map(untimed).sort(), listed.map((e) => untimed(formatConntrack(e))).sort());
      assert.match(lines[0], /^udp +17 \d+ src=10\.0\.0\.1 dst=10\.0\.0\.2 sport=100\d dport=53 \[UNREPLIED\] /);
      assert.deepEqual(await Array.fromAsync(streamConntrackMessages("dying", (m) => m, { netns: ns })), []);
      assert.throws(() => streamConntrackMessages("nope" as "dying", (m) => m, { netns: ns }), /Invalid table: "nope"/);
    });
  },
);
