/**
 * The check every rtnetlink call of routes, rules, nexthops and neighbours
 * makes on its options (the last argument): a plain object with only the
 * keys of {@link RouteOptions}, so that data put in the options slot is
 * refused instead of ignored.
 *
 * @module
 */

import { checkKeys, InvalidArgumentError } from "../wire/invalid.ts";
import type { RouteOptions } from "./rtnl.ts";

const CHANGE_KEYS = ["netns", "socket"] as const;
const LIST_KEYS = ["netns", "socket", "retries"] as const;

/**
 * Refuses options with an unknown key (`what` names the call); `retries`
 * only where the call dumps (`list`).
 */
export function checkRouteOptions(opts: RouteOptions, what: string, list = false): void {
  checkKeys(opts, list ? LIST_KEYS : CHANGE_KEYS, `${what} options`);
}

/**
 * {@link checkKeys} with a word for keys that moved: `moved` maps an old or
 * mistaken key (`link`) to what to write instead ("a neighbour's link is `dev`").
 */
export function checkMovedKeys(
  value: unknown,
  allowed: readonly string[],
  what: string,
  moved: Readonly<Record<string, string>>,
): void {
  if (value !== null && typeof value === "object") {
    for (const k of Object.keys(value)) {
      if (Object.hasOwn(moved, k) && !allowed.includes(k)) {
        throw new InvalidArgumentError(`Cannot use ${what}: unknown key "${k}" (${moved[k]})`, k);
      }
    }
  }
  checkKeys(value, allowed, what);
}
