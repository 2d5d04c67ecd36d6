/**
 * The pure netlink codec: framing, attributes, tables, errors, nfnetlink.
 * No FFI and no I/O, so it runs in any JavaScript engine.
 *
 * @module
 */

export * from "./constants.ts";
export * from "./errors.ts";
export * from "./invalid.ts";
export * from "./addr.ts";
export * from "./table.ts";
export * from "./builder.ts";
export * from "./message.ts";
export * from "./error_message.ts";
export * from "./netlink_error.ts";
export * from "./nfnetlink.ts";
export * from "./genetlink.ts";
export { errnoName, errnoText } from "./errno.ts";
export type { Family } from "./family.ts";
