/**
 * ip's realm words (`realm TO`, `realms FROM/TO`), for routes and their selectors.
 *
 * @module
 */

import { invalidArgument, ipUnsigned } from "./numbers.ts";

/** A realm by name (`cosmos` is 0) or number, 0 to 255, as ip's `rtnl_rtrealm_a2n` reads it. */
function realm(word: string, whole: string): number {
  if (word === "cosmos") return 0;
  const n = ipUnsigned(word, 255);
  if (n === undefined) throw invalidArgument(whole, "invalid realms");
  return n;
}

/** `realm TO` or `realms FROM/TO` (a bare number is taken raw, as ip's `get_rt_realms_or_raw` does). */
export function parseRealms(word: string): number {
  const raw = ipUnsigned(word);
  if (raw !== undefined) return raw;
  const slash = word.indexOf("/");
  if (slash < 0) return realm(word, word);
  const from = realm(word.slice(0, slash), word); // an empty FROM is refused, as ip does
  const to = slash === word.length - 1 ? 0 : realm(word.slice(slash + 1), word);
  return ((from << 16) | to) >>> 0;
}
