/**
 * The netlink capture hook: a sink that sees every datagram a socket sends
 * or receives, for writing `LINKTYPE_NETLINK` captures or for debugging.
 *
 * @example
 * ```ts
 * import { setGlobalCapture } from "./capture.ts";
 * const seen: string[] = [];
 * setGlobalCapture({ record: (dir, proto, bytes) => seen.push(`${dir} ${proto} ${bytes.length}`) });
 * setGlobalCapture(undefined);
 * ```
 *
 * @module
 */

/** Receives a copy-free view of every datagram a socket sends or receives; copy it if you keep it. */
export interface NetlinkCapture {
  /** Called once per datagram: `out` as sent, `in` as received (before parsing). */
  record(direction: "out" | "in", protocol: number, bytes: Uint8Array): void;
}

let globalCapture: NetlinkCapture | undefined;

/** Sets (or with `undefined` clears) the process-wide capture used by sockets without their own. */
export function setGlobalCapture(capture: NetlinkCapture | undefined): void {
  globalCapture = capture;
}

/** The process-wide capture, if any. */
export function globalCaptureSink(): NetlinkCapture | undefined {
  return globalCapture;
}
