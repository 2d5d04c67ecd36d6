/**
 * Checks the options argument of an operation (`{ netns, socket }` and the
 * few keys a call adds) before anything is opened, so a misspelt or
 * misplaced key never makes a call run somewhere else (the host namespace).
 *
 * @module
 */

import { checkKeys, InvalidArgumentError } from "../wire/invalid.ts";

/** The keys every operation's options take. */
export const TARGET_KEYS: readonly string[] = ["netns", "socket"];

/**
 * Refuses options with a key outside `netns`, `socket` and `extra`, or a
 * `socket` that is not an object; `what` names the call.
 */
export function checkTarget(opts: unknown, what: string, extra: readonly string[] = []): void {
  checkKeys(opts, [...TARGET_KEYS, ...extra], `the options of ${what}`);
  const { socket, netns } = opts as { socket?: unknown; netns?: unknown };
  // Any object: a test's stand-in may implement only what the call uses.
  if (socket !== undefined && (typeof socket !== "object" || socket === null)) {
    throw new InvalidArgumentError(`Cannot use socket ${String(socket)}: expected a NetlinkSocket`, "socket");
  }
  if (netns !== undefined && typeof netns !== "string" && (typeof netns !== "object" || netns === null)) {
    throw new InvalidArgumentError(
      `Cannot use netns ${JSON.stringify(netns)}: expected a name, or { name }, { path }, { pid } or { fd }`,
      "netns",
    );
  }
}
