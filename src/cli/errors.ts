/**
 * Turns an error into a message on stderr and an exit code: 2 for bad
 * input, 1 for kernel and runtime failures.
 *
 * @module
 */

import { escapeControls, UsageError } from "./args.ts";
import type { Output } from "./output.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { MalformedError, TruncatedError } from "../wire/errors.ts";
import { errnoText } from "../wire/errno.ts";

/** Exit code of a successful command. */
export const EXIT_OK = 0;
/** Exit code of a kernel or runtime failure. */
export const EXIT_FAILURE = 1;
/** Exit code of bad command-line input. */
export const EXIT_USAGE = 2;

/**
 * A device named on the command line does not exist: exit 1 with `ip`'s
 * words, which differ between listings and changes.
 */
export class NoDeviceError extends Error {
  /** Always "NoDeviceError". */
  override name = "NoDeviceError";
  /** The missing device's name. */
  readonly device: string;
  /** `listing`: `Device "x" does not exist.` (ip link/addr show); else `Cannot find device "x"`. */
  constructor(device: string, listing: boolean) {
    super(listing ? `Device "${device}" does not exist.` : `Cannot find device "${device}"`);
    this.device = device;
  }
}

/**
 * Turns the library's `Unknown link: "x"` (a TypeError: the name is checked
 * before anything changes) into {@link NoDeviceError}; other errors pass.
 */
export function asNoDevice(e: unknown, listing: boolean): unknown {
  const m = e instanceof TypeError ? /^Unknown link: "(.*)"$/.exec(e.message) : null;
  return m ? new NoDeviceError(m[1], listing) : e;
}

/** True for errors caused by what the user typed (checked before anything is sent). */
export function isUsageError(e: unknown): boolean {
  if (e instanceof UsageError) return true;
  if (e instanceof TruncatedError || e instanceof MalformedError) return false;
  return e instanceof TypeError || e instanceof RangeError;
}

/**
 * The message for an error, in `ip`'s words: the kernel's extended-ack text
 * as `Error: <msg>`, else `RTNETLINK answers: <strerror>`. Control
 * characters (echoed input) are escaped.
 */
export function errorText(e: unknown, prefix = "RTNETLINK answers"): string {
  return escapeControls(rawErrorText(e, prefix));
}

function rawErrorText(e: unknown, prefix: string): string {
  if (e instanceof NoDeviceError || (e instanceof UsageError && e.bare)) return e.message;
  if (e instanceof NetlinkError) {
    // iproute2 ends the kernel's message with a period when it has none.
    const msg = e.kernelMessage?.endsWith(".") ? e.kernelMessage : `${e.kernelMessage}.`;
    return e.kernelMessage ? `Error: ${msg}` : `${prefix}: ${errnoText(e.errno)}`;
  }
  return `Error: ${e instanceof Error ? e.message : String(e)}`;
}

/** True when stdout was closed by the reader (`nlkit route show | head`). */
export function isBrokenPipe(e: unknown): boolean {
  const x = e as { code?: string; name?: string } | undefined;
  return x?.code === "EPIPE" || x?.name === "BrokenPipe";
}

/**
 * Prints `e` to `err` and returns its exit code. A reader that went away
 * (broken pipe) is not an error: the output simply stops, as with `ip | head`.
 */
export function reportError(e: unknown, err: Output): number {
  if (isBrokenPipe(e)) return EXIT_OK;
  err.line(errorText(e));
  return isUsageError(e) ? EXIT_USAGE : EXIT_FAILURE;
}
