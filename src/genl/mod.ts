/**
 * Generic netlink: the controller that resolves families by name, the
 * groundwork of every generic netlink family (ethtool, wireguard, ...).
 *
 * @example Resolve the controller family by name
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGenericFamily, listGenericFamilies } from "@nlkit/netlink/genl";
 *
 * const ctrl = await getGenericFamily("nlctrl");
 * assert.equal(ctrl.id, 16); // GENL_ID_CTRL
 * assert.ok(ctrl.groups.some((g) => g.name === "notify"));
 * assert.ok((await listGenericFamilies()).some((f) => f.name === "nlctrl"));
 * ```
 *
 * @module
 */

export * from "./ctrl.ts";
