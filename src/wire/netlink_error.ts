/**
 * The error a kernel refusal becomes.
 *
 * @module
 */

import { errnoName, errnoText } from "./errno.ts";
import type { ExtAck } from "./error_message.ts";

/** Capability hints for EPERM, by netlink protocol. */
const CAPABILITY_HINT = "needs root or CAP_NET_ADMIN";

/**
 * A request the kernel refused. Carries the errno by number and name, the
 * kernel's extended-ack message and offset, and the failed request.
 */
export class NetlinkError extends Error {
  /** Always `"NetlinkError"`. */
  override name = "NetlinkError";
  /** Positive errno, e.g. 2. */
  readonly errno: number;
  /** errno name, e.g. `ENOENT`. */
  readonly code: string;
  /** The kernel's extended-ack message, when it sent one. */
  readonly kernelMessage?: string;
  /** Offset in the request of the attribute the kernel rejected. */
  readonly offset?: number;
  /** Type of a missing attribute the kernel reported. */
  readonly missingType?: number;
  /** `nlmsg_type` of the failed request. */
  readonly requestType: number;
  /** The failed request's bytes, when known. */
  readonly request?: Uint8Array;

  /** Creates the error; `operation` names what was attempted (e.g. "RTM_NEWLINK"). */
  constructor(errno: number, ext: ExtAck, requestType: number, operation: string, request?: Uint8Array) {
    const code = errnoName(errno);
    const detail = ext.message ? `${ext.message}` : errnoText(errno);
    const hint = errno === 1 ? ` (${CAPABILITY_HINT})` : "";
    super(`${operation} failed: ${detail} (${code})${hint}`);
    this.errno = errno;
    this.code = code;
    this.kernelMessage = ext.message;
    this.offset = ext.offset;
    this.missingType = ext.missingType;
    this.requestType = requestType;
    this.request = request;
  }
}
