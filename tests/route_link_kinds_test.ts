/**
 * The link kind registry: every kind module is reachable from the generic
 * code through it alone (parsing tables, `link add` words, help), and the
 * kinds' printers against `ip` on replies for kinds this kernel lacks.
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
import { kindHelp } from "../src/cli/link_kind_words.ts";
import { KIND_DATA, KIND_SLAVE_DATA, LINK_KINDS, linkKind } from "../src/route/link/kinds/registry.ts";
import { changeLinkRequest, createLinkRequest, type CreateLinkSpec } from "../src/route/link/change.ts";
import { parseLinkMessage } from "../src/route/link/api.ts";
import { linkToIpJson } from "../src/route/link/json.ts";
import { readMessage } from "../src/wire/message.ts";
import { have, run } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";
import { unhex } from "./_vectors.ts";
import { InvalidArgumentError } from "../src/errors.ts";

test("every registered kind is found by name, with its tables, words and help", () => {
  const names = LINK_KINDS.map((k) => k.kind);
  assert.equal(new Set(names).size, names.length, "kind names are unique");
  const help = kindHelp();
  for (const k of LINK_KINDS) {
    assert.equal(linkKind(k.kind), k);
    assert.equal(KIND_DATA[k.kind], k.data, `${k.kind} data table`);
    assert.equal(KIND_SLAVE_DATA[k.kind], k.slaveData, `${k.kind} slave table`);
    // A kind link add takes is in the help, alone or as NAME|OTHER.
    if (k.words) assert.match(help, new RegExp(`(^|[| ])${k.kind}([| ]|$)`, "m"), `${k.kind} in help`);
    else assert.ok(k.refuse, `${k.kind}: no words, so link add must say why`);
  }
  assert.equal(linkKind("toString"), undefined);
  assert.equal(KIND_DATA["toString"], undefined);
});

test("link add reaches each kind through the registry; unknown kinds are usage errors", () => {
  assert.deepEqual(parseLinkAdd(new Args(["d0", "type", "dummy"])), { name: "d0", kind: "dummy" });
  assert.throws(() => parseLinkAdd(new Args(["x", "type", "vxlam", "id", "1"])), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /Unknown link kind: "vxlam" \(did you mean "vxlan"\?\)/);
    return true;
  });
  assert.throws(() => parseLinkAdd(new Args(["x", "type", "tap"])), /nlkit tuntap add/);
});

test("a kind's data or peer the kind cannot carry is refused before sending, never dropped", () => {
  const spec = (extra: object) => ({ name: "x0", ...extra }) as unknown as CreateLinkSpec;
  assert.throws(() => createLinkRequest(spec({ kind: "dummy", data: { id: 1 } })), {
    name: "InvalidArgumentError",
    message: 'Invalid data for link kind "dummy" (nlkit has no table for it)',
  });
  assert.throws(() => createLinkRequest(spec({ kind: "bridge", peer: { name: "y" } })), {
    name: "InvalidArgumentError",
    message: 'Invalid peer for link kind "bridge" (only pairs have one)',
  });
  assert.throws(
    () => changeLinkRequest(3, { kind: "nosuch" as "bridge", data: { stpState: 1 } }),
    InvalidArgumentError,
  );
});

/**
 * Replies for kinds this kernel lacks, built from `<linux/if_link.h>`:
 * ifinfomsg, IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO { KIND, DATA }. vlan:
 * PROTOCOL (be16), ID, FLAGS {flags, mask}, INGRESS_QOS and EGRESS_QOS of
 * IFLA_VLAN_QOS_MAPPING {from, to}; ipvlan: MODE and FLAGS (u16).
 */
const REPLIES: [string, string, Record<string, unknown>][] = [
  [
    "8c0000001000000000000000000000000000010007000000021000000000000008000300766c300008000400dc0500005c0012000900" +
    "0100766c616e000000004c000200060005008100000006000100050000000c00020001000000ffffffff1c0004000c00010001000000" +
    "020000000c0001000300000004000000100003000c0001000000000007000000",
    "vlan protocol 802.1Q id 5 <REORDER_HDR> \n      ingress-qos-map { 1:2 3:4 } \n      egress-qos-map { 0:7 } ",
    {
      protocol: "802.1Q",
      id: 5,
      flags: ["REORDER_HDR"],
      ingress_qos: [{ from: 1, to: 2 }, { from: 3, to: 4 }],
      egress_qos: [{ from: 0, to: 7 }],
    },
  ],
  [
    "680000001000000000000000000000000000010008000000021000000000000008000300766c310008000400dc050000380012000900" +
    "0100766c616e00000000280002000600050088a8000006000100fe0f00000c0002001d000000ffffffff0400040004000300",
    "vlan protocol 802.1ad id 4094 <REORDER_HDR,MVRP,LOOSE_BINDING,BRIDGE_BINDING> \n      ingress-qos-map { } \n" +
    "      egress-qos-map { } ",
    {
      protocol: "802.1ad",
      id: 4094,
      flags: ["REORDER_HDR", "MVRP", "LOOSE_BINDING", "BRIDGE_BINDING"],
      ingress_qos: [],
      egress_qos: [],
    },
  ],
  [
    "580000001000000000000000000000000000010009000000021000000000000009000300697076300000000008000400dc0500002400" +
    "12000b0001006970766c616e00001400020006000100000000000600020000000000",
    "ipvlan  mode l2 bridge ",
    { mode: "l2", bridge: true },
  ],
  [
    "58000000100000000000000000000000000001000a000000021000000000000009000300697076310000000008000400dc0500002400" +
    "12000b0001006970766c616e00001400020006000100010000000600020001000000",
    "ipvlan  mode l3 private ",
    { mode: "l3", private: true },
  ],
  [
    "58000000100000000000000000000000000001000b000000021000000000000009000300697076320000000008000400dc0500002400" +
    "12000b0001006970766c616e00001400020006000100020000000600020002000000",
    "ipvlan  mode l3s vepa ",
    { mode: "l3s", vepa: true },
  ],
];

test("vlan and ipvlan replies print as ip -d monitor file and ip -j -d print them", () => {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-kinds-"));
  try {
    for (const [hex, text, json] of REPLIES) {
      const bytes = unhex(hex);
      const link = parseLinkMessage(readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length));
      const info = linkToIpJson(link, { details: true }).linkinfo as { info_data: object };
      assert.deepEqual(info.info_data, json, text);
      assert.deepEqual(Object.keys(info.info_data), Object.keys(json), `${text}: key order`);
      const file = join(dir, "reply.rtmon");
      writeFileSync(file, bytes);
      // The kind's lines: from the kind word to the end (the qos maps are lines of their own).
      const kindText = (out: string): string =>
        out.slice(out.indexOf(`    ${link.linkinfo?.kind} `) + 4).replace(/\n$/, "");
      const r = nlkit(["-d", "monitor", "file", file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(kindText(r.stdout), text);
      if (have("ip")) assert.equal(kindText(run("ip", ["-d", "monitor", "file", file])), text);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
