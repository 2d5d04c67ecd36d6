/**
 * Connection tracking over ctnetlink: entries, kernel-side filters,
 * statistics, expectations and events, with conntrack-tools text output.
 *
 * @example
 * ```ts ignore
 * import { formatConntrack, listConntrack } from "./mod.ts";
 * for (const e of await listConntrack({ family: "inet", proto: "tcp" }, { netns: "lab" })) console.log(formatConntrack(e));
 * ```
 *
 * @module
 */

export * from "./ctnetlink.ts";
export * from "./tables.ts";
export * from "./entry.ts";
export * from "./entry_attrs.ts";
export * from "./spec.ts";
export * from "./filter.ts";
export * from "./format.ts";
export * from "./ops.ts";
export * from "./bulk.ts";
export * from "./stats.ts";
export * from "./expect_tables.ts";
export * from "./expect.ts";
export * from "./expect_ops.ts";
export * from "./events.ts";
