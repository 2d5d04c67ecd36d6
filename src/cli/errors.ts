/**
 * Turns an error into a message on stderr and an exit code, by class
 * (never by message text): 2 for bad input ({@link UsageError},
 * `InvalidArgumentError`), 1 for everything else (`NetlinkError` and its
 * `NotFoundError` and `PermissionError`, `SysError`, runtime failures).
 *
 * @module
 */

import { escapeControls, UsageError } from "./args.ts";
import type { Output } from "./output.ts";
import { InvalidArgumentError, NetlinkError, NotFoundError } from "../errors.ts";
import { errnoText } from "../wire/errno.ts";
import { ENODEV } from "../sys/errno.ts";

/** Exit code of a successful command. */
export const EXIT_OK = 0;
/** Exit code of a kernel or runtime failure. */
export const EXIT_FAILURE = 1;
/** Exit code of bad command-line input. */
export const EXIT_USAGE = 2;

/**
 * A missing link named on the command line, in `ip`'s words, which differ
 * between listings (`Device "x" does not exist.`: ip link/addr show) and
 * changes (`Cannot find device "x"`). A {@link NotFoundError}, code `ENODEV`.
 */
export class NoDeviceError extends NotFoundError {
  /** Creates the error for the link `device`, looked up for `operation`. */
  constructor(device: string | number, listing: boolean, operation: string) {
    const message = listing ? `Device "${device}" does not exist.` : `Cannot find device "${device}"`;
    super(ENODEV, {}, 0, operation, undefined, message, { kind: "link", key: device });
    this.name = "NoDeviceError";
  }
}

/**
 * nlkit's refusal of what nft accepts (a flag the command would not apply, `-f` with `-i`): exit 2, the
 * project's code for bad input, where nft's own errors exit 1.
 */
export class NftRefusal extends UsageError {}

/**
 * A missing nftables object in nft's own text: the error, the command line
 * and carets under the name nft points at. A {@link NotFoundError} with the
 * kind, key and errno of the one it stands for.
 */
export class NftNotFoundError extends NotFoundError {
  /** Stands for `e`, printed as `text`. */
  constructor(e: NotFoundError, text: string) {
    const lookup = e.kind !== undefined && e.key !== undefined ? { kind: e.kind, key: e.key } : undefined;
    super(e.errno, { message: e.kernelMessage }, e.requestType, e.operation, e.request, text, lookup);
    this.name = "NftNotFoundError";
  }
}

/** The library's link {@link NotFoundError} as a {@link NoDeviceError}; other errors pass. */
export function asNoDevice(e: unknown, listing: boolean): unknown {
  if (!(e instanceof NotFoundError) || e.kind !== "link" || e.key === undefined) return e;
  return new NoDeviceError(e.key, listing, e.operation);
}

/**
 * True for errors caused by what the user typed, refused before anything
 * was sent: a {@link UsageError} or the library's {@link InvalidArgumentError}.
 */
export function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || e instanceof InvalidArgumentError;
}

/**
 * The message for an error, in `ip`'s words: the kernel's extended-ack text
 * as `Error: <msg>`, else `RTNETLINK answers: <strerror>`. Control
 * characters (echoed input) are escaped.
 */
export function errorText(e: unknown, prefix = "RTNETLINK answers"): string {
  // nft's located text is three lines: each is escaped on its own.
  const text = e instanceof NftNotFoundError
    ? e.message.split("\n").map(escapeControls).join("\n")
    : escapeControls(rawErrorText(e, prefix));
  return text + (e instanceof UsageError && e.blankLine ? "\n" : "");
}

function rawErrorText(e: unknown, prefix: string): string {
  if (e instanceof NoDeviceError || e instanceof NftNotFoundError || (e instanceof UsageError && e.bare)) {
    return e.message;
  }
  // requestType 0: refused by nlkit itself (a lookup, a permission), in its own words.
  if (e instanceof NetlinkError && e.requestType !== 0) {
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
