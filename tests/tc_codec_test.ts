/**
 * tc's units, handles and the tcmsg codec without a kernel: values read and
 * printed as tc does, round trips, and property tests (random and mutated
 * messages give typed errors, never a crash or a hang).
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { unhex } from "./_vectors.ts";
import {
  estimatorOf,
  formatRate,
  formatSize,
  formatTime,
  parseRate,
  parseSize,
  parseSizeAndCell,
  parseTime,
  printfG,
  rateTable,
  xmitSize,
  xmitTime,
} from "../src/route/tc/units.ts";
import { formatHandle, parseHandle, parseQdiscHandle } from "../src/route/tc/handle.ts";
import { formatU32Handle, parseU32Handle } from "../src/route/tc/filter/u32.ts";
import { parseTcMessage } from "../src/route/tc/message.ts";
import { printClass, printFilter, printQdisc } from "../src/route/tc/print.ts";
import { TcPrinter } from "../src/route/tc/printer.ts";
import { classRequest, qdiscRequest } from "../src/route/tc/request.ts";
import { tcRequest } from "../src/cli/tc.ts";
import { readMessage } from "../src/wire/message.ts";
import { rateSpec } from "../src/route/tc/ratespec.ts";
import { InvalidArgumentError } from "../src/errors.ts";

test("rates read and print as tc's", () => {
  assert.equal(parseRate("100mbit"), 12_500_000);
  assert.equal(parseRate("1.5kbit"), 187);
  assert.equal(parseRate("10Mbps"), 10_000_000);
  assert.equal(parseRate("1Kibit"), 128);
  assert.equal(parseRate("8000"), 1000);
  assert.equal(formatRate(12_500_000), "100Mbit");
  assert.equal(formatRate(187), "1496bit");
  assert.equal(formatRate(125_000), "1Mbit");
  assert.equal(formatRate(150_000), "1200Kbit");
  assert.equal(formatRate(125_000_000_000), "1Tbit");
  for (const bad of ["", "mbit", "10 mbit", "10furlongs", "-1mbit", "10%"]) {
    assert.throws(() => parseRate(bad), TypeError, bad);
  }
});

test("sizes and times read and print as tc's", () => {
  assert.equal(parseSize("10kb"), 10240);
  assert.equal(parseSize("1mb"), 1048576);
  assert.equal(parseSize("15k"), 15360);
  assert.equal(parseSize("8kbit"), 1024);
  assert.equal(formatSize(10240), "10Kb");
  assert.equal(formatSize(1600), "1600b");
  assert.equal(formatSize(1048576), "1Mb");
  assert.equal(formatSize(1000), "1000b");
  assert.deepEqual(parseSizeAndCell("15k/8"), { size: 15360, cellLog: 3 });
  assert.throws(() => parseSizeAndCell("15k/3"), InvalidArgumentError);
  assert.throws(() => parseSize("1.5"), InvalidArgumentError);
  assert.equal(parseTime("100ms"), 100_000);
  assert.equal(parseTime("1.5s"), 1_500_000);
  assert.equal(parseTime("250us"), 250);
  assert.equal(formatTime(100_000), "100ms");
  assert.equal(formatTime(1_500_000), "1.5s");
  assert.equal(formatTime(800), "800us");
  assert.equal(formatTime(12_345_678), "12.3s");
  assert.equal(printfG(123456789), "1.23457e+08");
  assert.equal(printfG(0.0001), "0.0001");
  assert.equal(printfG(0.00001), "1e-05");
});

test("rates and times survive the tick arithmetic", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1000, max: 1e9 }), fc.integer({ min: 1600, max: 1 << 20 }), (rate, size) => {
      fc.pre(size / rate < 200); // ticks are 32 bits: 274 s at most
      const back = xmitSize(rate, xmitTime(rate, size));
      // tc truncates to whole microseconds both ways: at most two microseconds of bytes are lost.
      assert.ok(size - back >= 0 && size - back <= 2 * rate / 1e6 + 1e-6, `${rate} ${size} -> ${back}`);
    }),
  );
  const spec = rateSpec(125_000);
  const table = rateTable(spec, -1, 1600);
  assert.equal(spec.cellLog, 3);
  assert.equal(table.length, 256);
  assert.ok(table.every((t, i) => i === 0 || t >= table[i - 1]));
});

test("handles read and print in tc's notation", () => {
  assert.equal(parseHandle("1:10"), 0x10010);
  assert.equal(parseHandle("1:"), 0x10000);
  assert.equal(parseHandle(":10"), 0x10);
  assert.equal(parseHandle("root"), 0xffffffff);
  assert.equal(parseHandle("ffff:fff1"), 0xfffffff1);
  assert.equal(parseQdiscHandle("1:"), 0x10000);
  assert.equal(parseQdiscHandle("ffff"), 0xffff0000);
  for (const h of [0x10010, 0x10000, 0x10, 0xffffffff, 0]) assert.equal(parseHandle(formatHandle(h)), h);
  for (const bad of ["1:10000", "x:1", ":", "1:2:3", "10000:"]) assert.throws(() => parseHandle(bad), TypeError, bad);
  assert.throws(() => parseQdiscHandle("1:10"), InvalidArgumentError);
  assert.equal(formatU32Handle(0x80000800), "800::800");
  assert.equal(parseU32Handle("800::800"), 0x80000800);
  assert.equal(parseU32Handle("5:"), 0x500000);
  assert.equal(formatU32Handle(0x500000), "5:");
  assert.throws(() => parseU32Handle("1000:"), InvalidArgumentError);
});

test("estimators are computed as tc computes them", () => {
  assert.deepEqual(estimatorOf(1_000_000, 8_000_000), { interval: 0, ewmaLog: 3 });
  assert.deepEqual(estimatorOf(250_000, 1_000_000), { interval: -2, ewmaLog: 2 });
  assert.throws(() => estimatorOf(16_000_000, 32_000_000), InvalidArgumentError);
});

test("a request's options are refused before sending when wrong", () => {
  assert.throws(() => qdiscRequest("add", { dev: 2, kind: "nosuch" }, 2), /Unknown qdisc kind/);
  assert.throws(() => qdiscRequest("add", { dev: 2, kind: "ingress", options: { x: 1 } }, 2), /takes none/);
  assert.throws(() => classRequest("add", { dev: 2, kind: "tbf", options: {} }, 2), /classful/);
  assert.throws(() => classRequest("add", { dev: 2, kind: "htb", options: { rate: 0 } }, 2), /rate/);
  assert.throws(() => qdiscRequest("add", { dev: 2, kind: "tbf", options: { rate: 1000, burst: 0 } }, 2), /burst/);
});

const VECTORS: { request: string; args: string[] }[] = JSON.parse(
  readFileSync(new URL("./vectors/tc_requests.json", import.meta.url), "utf8"),
);

function seeds(): Uint8Array[] {
  const out = VECTORS.filter((v) => v.args[0] !== "actions").map((v) => unhex(v.request));
  out.push(classRequest("add", { dev: 2, kind: "htb", parent: "1:", classid: "1:10", options: { rate: 125000 } }, 2));
  out.push(qdiscRequest("add", { dev: 2, kind: "tbf", options: { rate: 125000, burst: 10240, latency: 50000 } }, 2));
  out.push(qdiscRequest("add", { dev: 2, kind: "htb", handle: "1:", options: { r2q: 5, defaultClass: 0x10 } }, 2));
  return out;
}

test("random and mutated tc messages give typed errors, in parsing and printing", () => {
  const opts = { linkName: (i: number) => `if${i}`, details: 1, stats: 1 };
  const both = (fn: (p: TcPrinter) => void) => {
    fn(new TcPrinter(true));
    fn(new TcPrinter(false));
  };
  assertOnlyTypedErrors(seeds(), [
    (m) => both((p) => printQdisc(p, parseTcMessage(m, "qdisc"), opts)),
    (m) => both((p) => printClass(p, parseTcMessage(m, "class"), opts)),
    (m) => both((p) => printFilter(p, parseTcMessage(m, "filter"), opts)),
  ], { numRuns: 3000, maxLength: 512, maxEdits: 6 });
});

test("every captured request decodes into its kind's options", () => {
  for (const v of VECTORS.filter((x) => x.args[0] === "qdisc" || x.args[0] === "filter")) {
    const b = unhex(v.request);
    const m = readMessage(b, new DataView(b.buffer), 0, b.length);
    const o = parseTcMessage(m, v.args[0] as "qdisc");
    assert.ok(!(o.options instanceof Uint8Array), `${v.args.join(" ")}: options decoded`);
  }
});

test("unknown keys in specs and options are refused, naming the key", () => {
  assert.throws(
    () => qdiscRequest("add", { dev: 2, kind: "htb", hanlde: "1:" } as never, 2),
    /unknown key "hanlde".*"handle"/,
  );
  assert.throws(
    () => qdiscRequest("add", { dev: 2, kind: "htb", options: { defualtClass: 1 } }, 2),
    /htb options: unknown key "defualtClass"/,
  );
  assert.throws(
    () => classRequest("add", { dev: 2, kind: "htb", options: { rate: 1000, cieling: 5 } }, 2),
    /unknown key "cieling"/,
  );
});

test("JSON strings are escaped as iproute2's json_writer escapes them, keys and values alike", () => {
  const p = new TcPrinter(true);
  p.open();
  p.str("name", "%s", 'a\x01b\tc"d\\e');
  p.str("k\ney", "%s", "plain");
  p.uint("n", "%s", 7);
  p.close();
  // Control bytes other than \t \n \r \f \b stay raw (JSON.stringify would write \u0001).
  assert.equal(p.json(), '{"name":"a\x01b\\tc\\"d\\\\e","k\\ney":"plain","n":7}');
});

test("netem distributions and loss models are refused when tc refuses them", () => {
  const netem = (line: string) =>
    tcRequest("qdisc", "add", ["dev", "v0", "root", "netem", ...line.split(" ")], () => 2);
  assert.throws(() => netem("delay 10ms 1ms distribution nosuch"), /Cannot find netem distribution "nosuch"/);
  assert.throws(() => netem("delay 10ms distribution normal"), /without a delay and a jitter/);
  assert.throws(() => netem("loss 1% loss state 2%"), /Duplicate netem "loss"/);
  assert.throws(() => netem("slot distribution normal 1ms 0ms"), /slot jitter: it must be positive/);
  assert.throws(() => netem("slot distribution nosuch 1ms 1ms"), /Cannot find netem distribution "nosuch"/);
  assert.throws(() => netem("slot uniform 1ms 1ms"), /Unknown netem slot parameter: "uniform"/);
  assert.throws(() => netem("slot 5ms 2ms"), /Invalid netem slot/);
  assert.throws(() => netem("ecn"), /ecn without loss/);
  assert.ok(netem("loss gemodel 1% ecn").length > 0);
});
