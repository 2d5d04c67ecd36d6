/**
 * `RTM_NEWSTATS` as the kernel sends it on `ip stats set dev d0 l3_stats on`
 * (captured): parsed to the link and its hardware-statistics info; bad
 * bytes give typed errors.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStatsMessage } from "../src/route/stats/parse.ts";
import { parseMonitorEvent } from "../src/route/monitor_events.ts";
import { readMessage } from "../src/wire/message.ts";
import { MalformedError } from "../src/wire/errors.ts";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { unhex } from "./_vectors.ts";

// ifindex 3, filter mask LINK_OFFLOAD_XSTATS, HW_S_INFO { L3_STATS { REQUEST 1, USED 0 } }.
const L3_ON = unhex(
  "380000005c00000000000000000000000000000003000000080000001c000400180002801400038005000100010000000500020000000000",
);

const msg = (b: Uint8Array) => readMessage(b, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length);

test("RTM_NEWSTATS: the link and its l3_stats request and use", () => {
  assert.deepEqual(parseStatsMessage(msg(L3_ON)), {
    ifindex: 3,
    hwStatsInfo: { l3Stats: { request: true, used: false } },
  });
  assert.deepEqual(parseMonitorEvent(msg(L3_ON)), {
    type: "new",
    kind: "stats",
    object: { ifindex: 3, hwStatsInfo: { l3Stats: { request: true, used: false } } },
  });
  // A message without the nest: the link alone (ip prints just "3: d0:").
  const bare = L3_ON.slice(0, 28);
  new DataView(bare.buffer).setUint32(0, 28, true);
  assert.deepEqual(parseStatsMessage(msg(bare)), { ifindex: 3 });
  const short = L3_ON.slice(0, 24);
  new DataView(short.buffer).setUint32(0, 24, true);
  assert.throws(() => parseStatsMessage(msg(short)), MalformedError);
});

test("RTM_NEWSTATS parser: random and damaged bytes give typed errors only", () => {
  assertOnlyTypedErrors([L3_ON], [parseStatsMessage], { numRuns: 2000, maxLength: 96, maxEdits: 6 });
});
