/**
 * A fake kernel for tests that need no root: a scripted stand-in behind the
 * libc interface ({@link Sys}) that answers each request the socket sends
 * with the datagrams a test function returns. Open a socket on it with
 * `NetlinkSocket.openWith(fakeSys(respond), protocol)`.
 *
 * @example Answer a request with an ack, then with a refusal
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetlinkSocket } from "@nlkit/netlink/socket";
 * import { NetlinkError } from "@nlkit/netlink/wire";
 * import { errorFrame, fakeSys, frame } from "@nlkit/netlink/testing";
 *
 * let refuse = false; // the second request gets EEXIST (17)
 * const sys = fakeSys((_request, seq) => [{ bytes: errorFrame(seq, refuse ? 17 : 0) }]);
 * using sock = NetlinkSocket.openWith(sys, 0);
 * await sock.request(frame(0x20, 0, 0));
 * refuse = true;
 * await assert.rejects(sock.request(frame(0x20, 0, 0)), (e) => e instanceof NetlinkError && e.code === "EEXIST");
 * assert.equal(sys.sent.length, 2);
 * ```
 *
 * @module
 */

export * from "./fake_kernel.ts";
export type { RecvMsg, Sys } from "../sys/sys.ts";
export type { DatagramVector } from "../sys/mmsg.ts";
