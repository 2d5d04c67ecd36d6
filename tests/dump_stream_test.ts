/**
 * `DumpStream.forEach` and `forEachValue`: values already received go to
 * the callback without a promise each, in order, through `keep`, across
 * datagrams and requests, against the fake kernel.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { DumpStream, forEachValue } from "../src/socket/dump_stream.ts";
import { NetlinkSocket } from "../src/socket/socket.ts";
import { datagram, fakeSys, frame } from "../src/testing/mod.ts";

const TYPE = 0x20;
const item = (seq: number, n: number) => frame(TYPE, 2, seq, new Uint8Array([n, 0, 0, 0])); // NLM_F_MULTI
const done = (seq: number) => frame(3, 2, seq, new Uint8Array(4)); // NLMSG_DONE

/** A fake kernel answering a dump request whose first payload byte is `k` with k datagrams of three values. */
function kernel(): ReturnType<typeof fakeSys> {
  return fakeSys((r, seq) => {
    const k = r[16];
    const out = [];
    for (let d = 0; d < k; d++) {
      out.push({
        bytes: datagram(item(seq, 10 * k + 3 * d), item(seq, 10 * k + 3 * d + 1), item(seq, 10 * k + 3 * d + 2)),
      });
    }
    out.push({ bytes: datagram(done(seq)) });
    return out;
  });
}

const request = (k: number) => frame(TYPE, 0, 0, new Uint8Array([k, 0, 0, 0]));
const parse = (m: { buf: Uint8Array; start: number }) => m.buf[m.start + 16];

test("forEach gives every value of every datagram and request, in order, through keep", async () => {
  using sock = NetlinkSocket.openWith(kernel(), 0);
  for (const retries of [0, 2]) {
    const got: number[] = [];
    const stream = new DumpStream(0, { socket: sock, retries }, () => ({
      request: [request(2), request(3)],
      parse,
      keep: (v: number) => v % 5 !== 0,
    }));
    await stream.forEach((v) => got.push(v));
    const all = [20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35, 36, 37, 38];
    assert.deepEqual(got, all.filter((v) => v % 5 !== 0), `retries ${retries}`);
  }
});

test("a throw from the forEach callback ends the dump, rejects with it, and the socket dumps again", async () => {
  using sock = NetlinkSocket.openWith(kernel(), 0);
  const plan = () => ({ request: request(3), parse });
  const got: number[] = [];
  const boom = new Error("stop here");
  await assert.rejects(
    new DumpStream(0, { socket: sock }, plan).forEach((v) => {
      got.push(v);
      if (v === 34) throw boom;
    }),
    (e: unknown) => e === boom,
  );
  assert.deepEqual(got, [30, 31, 32, 33, 34]);
  const again: number[] = [];
  await forEachValue(new DumpStream(0, { socket: sock }, plan), (v) => again.push(v));
  assert.deepEqual(again, [30, 31, 32, 33, 34, 35, 36, 37, 38]);
});

test("forEachValue takes any async iterable, a dump stream or not", async () => {
  async function* gen(): AsyncGenerator<number> {
    yield 1;
    yield 2;
  }
  const got: number[] = [];
  await forEachValue(gen(), (v) => got.push(v));
  assert.deepEqual(got, [1, 2]);
});

test("next() results stay apart, values received together included; reuseMessage lends one message object", async () => {
  using sock = NetlinkSocket.openWith(kernel(), 0);
  for (const reuseMessage of [false, true]) {
    const seen: object[] = [];
    const stream = new DumpStream(0, { socket: sock }, () => ({
      request: request(1),
      parse: (m: { buf: Uint8Array; start: number }) => {
        seen.push(m);
        return parse(m);
      },
      reuseMessage,
    }));
    const [a, b, c] = [await stream.next(), await stream.next(), await stream.next()]; // b, c came with a
    assert.ok(a !== b && b !== c);
    assert.deepEqual([a.value, b.value, c.value], [10, 11, 12]);
    await stream.return();
    assert.equal(seen[0] === seen[1], reuseMessage, `reuseMessage ${reuseMessage}`);
  }
});
