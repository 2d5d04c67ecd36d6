/**
 * Network namespaces: create, delete and list named namespaces (as
 * `ip netns` does, under `/run/netns`), enter one for a call, and map
 * namespace ids (`ip netns set/list-id`).
 *
 * @example Create a namespace, give it an id as seen from here, delete it
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNetns, deleteNetns, getNsid, listNetns, setNsid } from "@nlkit/netlink/netns";
 *
 * const name = `doc-${crypto.randomUUID().slice(0, 8)}`;
 * await createNetns(name);
 * try {
 *   assert.ok(listNetns().includes(name));
 *   await setNsid(name, 77);
 *   assert.equal(await getNsid(name), 77);
 * } finally {
 *   await deleteNetns(name);
 * }
 * assert.ok(!listNetns().includes(name));
 * ```
 *
 * @module
 */

export * from "./netns.ts";
export * from "./nsid.ts";
