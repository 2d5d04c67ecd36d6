/**
 * The pure netlink codec: framing, attributes, tables, errors, nfnetlink.
 * No FFI and no I/O, so it runs in any JavaScript engine.
 *
 * @example Build a message from a table and parse it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AttrTable, MessageBuilder, parseAttrs, readMessage } from "@nlkit/netlink/wire";
 *
 * const TABLE = {
 *   name: { type: 3, kind: "string" },
 *   mtu: { type: 4, kind: "u32" },
 * } as const satisfies AttrTable;
 * const bytes = new MessageBuilder(16, 0).raw(new Uint8Array(16)).attrs(TABLE, { name: "v0", mtu: 1400 }).finish();
 * const msg = readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length);
 * const attrs = parseAttrs(TABLE, msg.buf, msg.view, msg.start + 32, msg.end);
 * assert.deepEqual({ name: attrs.name, mtu: attrs.mtu }, { name: "v0", mtu: 1400 });
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export * from "./errors.ts";
export * from "./invalid.ts";
export * from "./addr.ts";
export * from "./table.ts";
export * from "./builder.ts";
export * from "./arena.ts";
export * from "./message.ts";
export * from "./error_message.ts";
export * from "./netlink_error.ts";
export * from "./nfnetlink.ts";
export * from "./genetlink.ts";
export * from "./text_sink.ts";
export { errnoName, errnoText } from "./errno.ts";
export type { Family } from "./family.ts";
