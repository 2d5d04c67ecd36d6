/**
 * Bulk paths of nftables requests: set elements written from packed keys
 * give the bytes the element tables give, plain IPv4 block lists take that
 * path only when every element is a bare address, and the framing helpers
 * they rely on write what a DataView would.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { NftTransaction } from "../src/netfilter/nftables/transaction.ts";
import { elementsOf, packedIp4Keys } from "../src/netfilter/nftables/json/values.ts";
import { type Json, typeByName } from "../src/netfilter/nftables/json/types.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { stampMessage } from "../src/wire/message.ts";
import { InvalidArgumentError } from "../src/errors.ts";

function sameMessages(a: Uint8Array[], b: Uint8Array[]): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.deepEqual(b[i], a[i], `message ${i}`);
}

test("packed keys give the messages of bare-key elements, split the same way", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 17 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
      fc.boolean(),
      (keyLen, count, setId, remove) => {
        const keys = new Uint8Array(keyLen * count).map((_, i) => (i * 31 + keyLen) & 255);
        const ref = { family: "inet", table: "t", set: "s", setId: remove ? undefined : setId };
        const elements = Array.from({ length: count }, (_, i) => ({
          key: { value: keys.slice(i * keyLen, (i + 1) * keyLen) },
        }));
        const tabled = new NftTransaction();
        if (remove) tabled.deleteElements(ref, elements);
        else tabled.addElements(ref, elements);
        const packed = new NftTransaction().addElementKeys(ref, keys, keyLen, remove);
        assert.equal(packed.length, tabled.length);
        if (count) sameMessages(tabled.messages(), packed.messages());
      },
    ),
    { numRuns: 60 },
  );
});

test("packed keys refuse a length that does not divide the bytes", () => {
  const tx = new NftTransaction();
  const ref = { family: "ip", table: "t", set: "s" };
  assert.throws(() => tx.addElementKeys(ref, new Uint8Array(10), 4), InvalidArgumentError);
  assert.throws(() => tx.addElementKeys(ref, new Uint8Array(8), 0), InvalidArgumentError);
  assert.equal(tx.length, 0);
});

test("a plain IPv4 set's addresses pack to the key bytes elementsOf gives", () => {
  const ip4 = { key: [typeByName("ipv4_addr")], interval: false };
  const elems = ["10.0.0.1", "192.168.255.254", "0.0.0.0", "255.255.255.255"];
  const packed = packedIp4Keys(ip4, elems);
  assert.ok(packed);
  const keys = elementsOf(ip4, elems).map((e) => Array.from(e.key!.value!));
  assert.deepEqual(Array.from(packed), keys.flat());
});

test("only bare addresses of a plain IPv4 set are packed", () => {
  const ip4 = { key: [typeByName("ipv4_addr")], interval: false };
  // Each would lose something if packed: a prefix, a comment, a timeout, a wrong address, a catch-all.
  const odds: Json[] = [
    { prefix: { addr: "10.0.0.0", len: 8 } },
    { elem: { val: "10.0.0.1", comment: "x" } },
    { elem: { val: "10.0.0.1", timeout: 5 } },
    "10.0.0.256",
    "*",
  ];
  for (const odd of odds) {
    assert.equal(packedIp4Keys(ip4, ["10.0.0.1", odd]), undefined, JSON.stringify(odd));
  }
  assert.equal(packedIp4Keys({ ...ip4, interval: true }, ["10.0.0.1"]), undefined);
  assert.equal(packedIp4Keys({ ...ip4, data: { verdict: true } }, [["10.0.0.1", { accept: null }]]), undefined);
  assert.equal(packedIp4Keys({ key: [typeByName("ipv6_addr")], interval: false }, ["::1"]), undefined);
  assert.equal(
    packedIp4Keys({ key: [typeByName("ipv4_addr"), typeByName("inet_service")], interval: false }, [
      { concat: ["10.0.0.1", 22] },
    ]),
    undefined,
  );
});

test("an attribute of a byte range holds those bytes, short or long", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), fc.nat(), (data, x, y) => {
      const start = data.length ? x % (data.length + 1) : 0;
      const end = start + (data.length - start ? y % (data.length - start + 1) : 0);
      const ranged = new MessageBuilder(0, 0).bytes(7, data, start, end).finish();
      const copied = new MessageBuilder(0, 0).attr(7, (b) => b.raw(data.slice(start, end))).finish();
      assert.deepEqual(ranged, copied);
    }),
  );
});

test("stamping writes the sequence number and port id little-endian", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (seq, pid) => {
      const msg = new Uint8Array(20).fill(0xaa);
      stampMessage(msg, seq, pid);
      const view = new DataView(msg.buffer);
      assert.equal(view.getUint32(8, true), seq);
      assert.equal(view.getUint32(12, true), pid);
      assert.deepEqual(Array.from(msg.subarray(0, 8)), new Array(8).fill(0xaa));
      assert.deepEqual(Array.from(msg.subarray(16)), new Array(4).fill(0xaa));
    }),
  );
});
