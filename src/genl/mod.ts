/**
 * Generic netlink: the controller that resolves families by name, the
 * groundwork of every generic netlink family (ethtool, wireguard, ...).
 *
 * @example
 * ```ts ignore
 * import { listGenericFamilies } from "./mod.ts";
 * for (const f of await listGenericFamilies()) console.log(f.name, f.id, f.groups.map((g) => g.name));
 * ```
 *
 * @module
 */

export * from "./ctrl.ts";
