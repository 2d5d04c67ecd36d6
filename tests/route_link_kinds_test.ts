/**
 * The link kind registry: every kind module is reachable from the generic
 * code through it alone (parsing tables, `link add` words, help).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { Args, UsageError } from "../src/cli/args.ts";
import { parseLinkAdd } from "../src/cli/link.ts";
import { kindHelp } from "../src/cli/link_kind_words.ts";
import { KIND_DATA, KIND_SLAVE_DATA, LINK_KINDS, linkKind } from "../src/route/link/kinds/registry.ts";
import { changeLinkRequest, createLinkRequest, type CreateLinkSpec } from "../src/route/link/change.ts";

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
    name: "TypeError",
    message: 'Invalid data for link kind "dummy" (nlkit has no table for it)',
  });
  assert.throws(() => createLinkRequest(spec({ kind: "bridge", peer: { name: "y" } })), {
    name: "TypeError",
    message: 'Invalid peer for link kind "bridge" (only pairs have one)',
  });
  assert.throws(() => changeLinkRequest(3, { kind: "nosuch" as "bridge", data: { stpState: 1 } }), TypeError);
});
