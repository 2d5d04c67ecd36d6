// The kinds' tc words, read from their declared word tables by one parser
// (src/route/tc/word_table.ts): values, bare words, duplicates refused, refused
// words, unknown words refused or (police) left for the caller.
import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../src/errors.ts";
import { actionKind } from "../src/route/tc/action/registry.ts";
import { TC_ACT } from "../src/route/tc/constants.ts";
import { filterKind } from "../src/route/tc/filter/registry.ts";
import { qdiscKind } from "../src/route/tc/qdisc/registry.ts";
import { TcWords } from "../src/route/tc/words.ts";

function qdisc(kind: string, text: string): unknown {
  return qdiscKind(kind)!.qdisc!.words(new TcWords(text.split(" ")), { linkIndex: () => 1 });
}

function htbClass(text: string): unknown {
  return qdiscKind("htb")!.class!.words(new TcWords(text.split(" ")), { linkIndex: () => 1 });
}

test("word tables: fq_codel values, times, sizes and the ecn/noecn pair", () => {
  assert.deepEqual(
    qdisc("fq_codel", "limit 100 drop_batch 8 target 5ms memory_limit 1kb ce_threshold_selector 0x1/0xff noecn"),
    {
      limit: 100,
      dropBatch: 8,
      target: 5000,
      memoryLimit: 1024,
      ceThresholdSelector: { value: 1, mask: 255 },
      ecn: false,
    },
  );
  assert.deepEqual(qdisc("fq_codel", "ecn"), { ecn: true });
  assert.throws(() => qdisc("fq_codel", "limit 1 bogus"), /Unknown fq_codel argument: "bogus"/);
  assert.throws(() => qdisc("fq_codel", "ce_threshold_selector 1/256"), /Invalid ce_threshold_selector/);
  assert.throws(() => qdisc("fq_codel", "limit"), InvalidArgumentError);
});

test("word tables: sfq refuses its RED words instead of dropping them", () => {
  assert.deepEqual(qdisc("sfq", "perturb -1 limit 2 headdrop"), { perturb: -1, limit: 2, headdrop: true });
  assert.throws(() => qdisc("sfq", "limit 1"), /Invalid limit/);
  assert.throws(() => qdisc("sfq", "limit 10 ecn"), /Cannot use sfq "ecn": nlkit does not build sfq's RED options/);
});

test("word tables: tbf takes the bucket words once each, mpu and overhead as often as given", () => {
  assert.deepEqual(qdisc("tbf", "rate 1mbit burst 10kb/8 latency 1ms mpu 64 mpu 32 overhead 4 linklayer atm"), {
    rate: 125000,
    burst: 10240,
    cellLog: 3,
    latency: 1000,
    mpu: 32,
    overhead: 4,
    linklayer: 2,
  });
  assert.throws(() => qdisc("tbf", "rate 1mbit burst 10kb buffer 5kb latency 1ms"), /Duplicate "buffer" in tbf/);
  assert.throws(() => qdisc("tbf", "rate 1mbit rate 2mbit burst 1kb latency 1ms"), /Duplicate "rate" in tbf/);
  assert.throws(() => qdisc("tbf", "burst 10kb latency 1ms"), /Missing tbf "rate"/);
});

test("word tables: htb qdisc and class words", () => {
  assert.deepEqual(qdisc("htb", "default 1f r2q 5 debug 31 offload"), {
    defaultClass: 0x1f,
    r2q: 5,
    debug: 3 | (1 << 2),
    offload: true,
  });
  assert.deepEqual(htbClass("rate 1mbit ceil 2mbit cburst 2kb prio 1"), {
    rate: 125000,
    ceil: 250000,
    cburst: 2048,
    prio: 1,
  });
  assert.throws(() => htbClass("rate 1mbit ceil 2mbit ceil 3mbit"), /Duplicate "ceil" in htb class/);
  assert.throws(() => htbClass("rate 1mbit bogus"), /Unknown htb class argument: "bogus"/);
});

test("word tables: police reads its words and its verdicts, and ends at a word it does not know", () => {
  const w = new TcWords("rate 1mbit burst 10k mtu 2k drop pkts_burst 3 conform-exceed pipe/ok index 7 next".split(" "));
  assert.deepEqual(actionKind("police")!.options.words(w, { linkIndex: () => 1 }), {
    rate: 125000,
    burst: 10240,
    mtu: 2048,
    pktsBurst: 3,
    action: TC_ACT.TC_ACT_PIPE,
    conform: TC_ACT.TC_ACT_OK,
    index: 7,
  });
  assert.equal(w.next(), "next");
  const dflt = actionKind("police")!.options.words(new TcWords(["rate", "1mbit", "burst", "1k"]), {
    linkIndex: () => 1,
  });
  assert.equal((dflt as { action: number }).action, TC_ACT.TC_ACT_RECLASSIFY);
});

test("word tables: classifiers share classid/flowid, repeated actions and the skip flags", () => {
  const ctx = { linkIndex: () => 1 };
  const m = filterKind("matchall")!.options.words(
    new TcWords("flowid 1:2 skip_sw action drop action pass".split(" ")),
    ctx,
  );
  const { actions, ...rest } = m as { actions: { kind: string }[] };
  assert.deepEqual(rest, { classid: 0x10002, flags: 2 });
  assert.deepEqual(actions.map((a) => a.kind), ["gact", "gact"]);
  assert.throws(
    () => filterKind("matchall")!.options.words(new TcWords(["match"]), ctx),
    /Unknown matchall argument: "match"/,
  );
  assert.throws(
    () => filterKind("basic")!.options.words(new TcWords(["skip_sw"]), ctx),
    /Unknown basic argument: "skip_sw"/,
  );
  assert.deepEqual(filterKind("basic")!.options.words(new TcWords(["classid", "1:3"]), ctx), { classid: 0x10003 });
});

test("word tables: bpf filter and action read the program words, the filter its own and the shared ones", () => {
  const ctx = { linkIndex: () => 1 };
  const f = filterKind("bpf")!.options.words(
    new TcWords(["run", "bc", "1,6 0 0 0", "da", "name", "p", "flowid", "1:2", "skip_hw", "action", "drop"]),
    ctx,
  );
  const { actions, ...rest } = f as { actions: { kind: string }[] };
  assert.deepEqual(rest, {
    bytecode: [{ code: 6, jt: 0, jf: 0, k: 0 }],
    directAction: true,
    name: "p",
    classid: 0x10002,
    flags: 1,
  });
  assert.deepEqual(actions.map((a) => a.kind), ["gact"]);
  assert.deepEqual(filterKind("bpf")!.options.words(new TcWords(["fd", "5"]), ctx), { fd: 5 });
  assert.deepEqual(filterKind("bpf")!.options.words(new TcWords(["object-pinned", "/sys/fs/bpf/p"]), ctx), {
    pinned: "/sys/fs/bpf/p",
  });
  assert.throws(() => filterKind("bpf")!.options.words(new TcWords(["obj", "x.o"]), ctx), /Cannot load "obj"/);
  assert.throws(() => filterKind("bpf")!.options.words(new TcWords(["bogus"]), ctx), /Unknown bpf argument/);
  const w = new TcWords(["pinned", "/sys/fs/bpf/p", "index", "4", "next"]);
  assert.deepEqual(actionKind("bpf")!.options.words(w, ctx), {
    pinned: "/sys/fs/bpf/p",
    index: 4,
    action: TC_ACT.TC_ACT_PIPE,
  });
  assert.equal(w.next(), "next");
});

test("word tables: u32 offset and hashkey words set the selector and its flags as tc's parse_offset and parse_hashkey", () => {
  const u32 = (text: string) =>
    (filterKind("u32")!.options.words(new TcWords(text.split(" ")), { linkIndex: () => 1 }) as { sel?: object }).sel;
  const OFFSET = 2, VAROFFSET = 4, EAT = 8;
  assert.deepEqual(u32("offset at 0 mask 0x0f00 shift 6 plus 4 eat"), {
    flags: OFFSET | VAROFFSET | EAT,
    offshift: 6,
    offmask: 0x0f00,
    off: 4,
    offoff: 0,
    hoff: 0,
    hmask: 0,
    keys: [],
  });
  assert.deepEqual(u32("offset plus -2"), {
    flags: OFFSET,
    offshift: 0,
    offmask: 0,
    off: 0xfffe,
    offoff: 0,
    hoff: 0,
    hmask: 0,
    keys: [],
  });
  assert.deepEqual(u32("hashkey mask 0x000000ff at 12 divisor 4"), {
    flags: 0,
    offshift: 0,
    offmask: 0,
    off: 0,
    offoff: 0,
    hoff: 12,
    hmask: 0xff,
    keys: [],
  });
  assert.throws(() => u32("offset at 3"), /Invalid offset "at": 3 \(must be even\)/);
  assert.throws(() => u32("hashkey at 6"), /Invalid hashkey "at": 6 \(must be a multiple of 4\)/);
  assert.throws(() => u32("offset shift 256"), InvalidArgumentError);
  assert.throws(() => u32("offset bogus"), /Unknown u32 argument: "bogus"/);
});

test("word tables: skbedit and vlan words, refused where tc refuses them, and the words after them left to the tail", () => {
  const act = (kind: string, text: string) => {
    const w = new TcWords(text.split(" "));
    const o = actionKind(kind)!.options.words(w, { linkIndex: () => 1 });
    return { o, rest: w.next() };
  };
  assert.deepEqual(act("skbedit", "mark 0x10/0xff ptype otherhost inheritdsfield drop index 3 next"), {
    o: { mark: 16, mask: 255, ptype: 3, inheritDsfield: true, action: TC_ACT.TC_ACT_SHOT, index: 3 },
    rest: "next",
  });
  assert.throws(() => act("skbedit", "mark 0x1/0x100000000"), /Invalid skbedit mark: "0x100000000"/);
  assert.throws(() => act("skbedit", "ptype bogus"), /Invalid ptype: "bogus"/);
  assert.throws(() => act("skbedit", "ptype toString"), /Invalid ptype: "toString"/);
  assert.throws(() => act("skbedit", "pipe"), /Missing skbedit parameters/);
  assert.deepEqual(act("vlan", "modify id 7 priority 2 next").o, {
    vlanAction: "modify",
    id: 7,
    priority: 2,
    action: TC_ACT.TC_ACT_PIPE,
  });
  assert.deepEqual(act("vlan", "push_eth dst_mac 02:00:00:00:00:01 src_mac 02:00:00:00:00:02").o, {
    vlanAction: "push_eth",
    dstMac: "02:00:00:00:00:01",
    srcMac: "02:00:00:00:00:02",
    action: TC_ACT.TC_ACT_PIPE,
  });
  assert.throws(() => act("vlan", "pop id 5"), /Cannot use "id" with vlan pop/);
  assert.throws(() => act("vlan", "push id 5 dst_mac 02:00:00:00:00:01"), /Cannot use "dst_mac" with vlan push/);
  assert.throws(() => act("vlan", "push id 5 protocol ip"), /Invalid vlan protocol/);
  assert.throws(() => act("vlan", "push priority 1"), /Missing vlan "id" for push/);
  assert.throws(() => act("vlan", "push id 4096"), InvalidArgumentError);
});
