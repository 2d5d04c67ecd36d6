/**
 * The netlink transport.
 *
 * @module
 */

export * from "./socket.ts";
export * from "./errors.ts";
export * from "./capture.ts";
export * from "./family.ts";
export * from "./dump_stream.ts";
