/**
 * Generic netlink: the controller codec (indexed arrays), family listing
 * and resolution against the kernel, compared with `genl ctrl list`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  getFamilyRequest,
  getGenericFamily,
  listGenericFamilies,
  parseFamilyMessage,
  resolveGenericGroup,
} from "../src/genl/ctrl.ts";
import { NetlinkSocket } from "../src/socket/socket.ts";
import { MessageBuilder } from "../src/wire/builder.ts";
import { NETLINK_GENERIC } from "../src/wire/constants.ts";
import { CTRL_ATTRS, GENL_ID_CTRL, GENLMSGHDR } from "../src/wire/genetlink.ts";
import { InvalidArgumentError } from "../src/wire/invalid.ts";
import { readMessage } from "../src/wire/message.ts";
import type { Attrs } from "../src/wire/table.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

function family(values: Attrs<typeof CTRL_ATTRS>): Uint8Array {
  return new MessageBuilder(GENL_ID_CTRL, 0).struct(GENLMSGHDR, { cmd: 1, version: 2 }).attrs(CTRL_ATTRS, values)
    .finish();
}

function parse(bytes: Uint8Array): ReturnType<typeof parseFamilyMessage> {
  return parseFamilyMessage(readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length));
}

test("families with indexed arrays of operations and groups round-trip", () => {
  const bytes = family({
    familyId: 0x1a,
    familyName: "demo",
    version: 2,
    hdrsize: 0,
    maxattr: 9,
    ops: [{ id: 1, flags: 0xe }, { id: 7, flags: 0x1 }],
    mcastGroups: [{ name: "events", id: 0x1b }],
  });
  const f = parse(bytes);
  assert.deepEqual(f, {
    name: "demo",
    id: 0x1a,
    version: 2,
    hdrsize: 0,
    maxattr: 9,
    ops: [{ id: 1, flagBits: 0xe, flags: ["do", "dump", "has-policy"] }, { id: 7, flagBits: 1, flags: ["admin-perm"] }],
    groups: [{ name: "events", id: 0x1b }],
  });
  // The elements are nests numbered from 1, as the kernel numbers them: CTRL_ATTR_OPS, then element 1, then 2.
  const at = 16 + 4 + 8 + 12 + 8 + 8 + 8;
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint16(at + 2, true) & 0x3fff, 6);
  assert.equal(view.getUint16(at + 4 + 2, true), 0x8001);
  assert.equal(view.getUint16(at + 4 + 20 + 2, true), 0x8002);
});

test("family messages give typed errors only on bad bytes", () => {
  const seed = family({
    familyId: 0x10,
    familyName: "nlctrl",
    ops: [{ id: 3, flags: 14 }],
    mcastGroups: [{ name: "notify", id: 16 }],
  });
  assertOnlyTypedErrors([seed], [parseFamilyMessage], { numRuns: 3000, maxLength: 120, maxEdits: 8 });
  fc.assert(fc.property(fc.string(), (name) => {
    try {
      getFamilyRequest(name);
    } catch (e) {
      assert.ok(e instanceof Error);
    }
  }));
});

test("families list as genl ctrl list names them, and resolve by name and id", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const all = await listGenericFamilies({ netns: ns });
    const theirs = [...run("ip", ["netns", "exec", ns, "genl", "ctrl", "list"]).matchAll(/^Name: (\S+)$/gm)].map((m) =>
      m[1]
    );
    assert.deepEqual(all.map((f) => f.name), theirs);
    const ctrl = all.find((f) => f.name === "nlctrl")!;
    assert.equal(ctrl.id, GENL_ID_CTRL);
    assert.deepEqual(await getGenericFamily("nlctrl", { netns: ns }), ctrl);
    assert.deepEqual(await getGenericFamily(GENL_ID_CTRL, { netns: ns }), ctrl);
    assert.equal(await resolveGenericGroup("nlctrl", "notify", { netns: ns }), 0x10);
    await assert.rejects(resolveGenericGroup("nlctrl", "nosuch", { netns: ns }), InvalidArgumentError);
    await assert.rejects(
      getGenericFamily("nosuchfamily", { netns: ns }),
      (e) => e instanceof NetlinkError && e.code === "ENOENT",
    );
  });
});

test("a socket's resolutions are cached; bad names and options are refused first", { skip: NEEDS_ROOT }, async () => {
  using s = await NetlinkSocket.open(NETLINK_GENERIC);
  const a = await getGenericFamily("nlctrl", { socket: s });
  assert.equal(await getGenericFamily("nlctrl", { socket: s }), a, "same object from the cache");
  assert.equal(await getGenericFamily(a.id, { socket: s }), a);
  for (const bad of ["", "x".repeat(16), 0, 70000, 1.5]) {
    await assert.rejects(getGenericFamily(bad as string), InvalidArgumentError);
  }
  await assert.rejects(listGenericFamilies({ netns: "x", sock: 1 } as never), /unknown key "sock"/);
});
