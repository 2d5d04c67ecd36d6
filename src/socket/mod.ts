/**
 * The netlink transport.
 *
 * @module
 */

export * from "./socket.ts";
export * from "./errors.ts";
export * from "./capture.ts";
