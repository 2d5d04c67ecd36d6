/**
 * Bad input, refused before anything is sent: a wrong type, an out-of-range
 * value, or an object key the function does not know.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";

export { InvalidArgumentError };

/** The closest of `choices` to `word` (at most two edits away), for "did you mean" hints. */
function closest(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of choices) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]++;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

// Keys of the options argument: found in a data argument they are misplaced, not misspelt.
const OPTION_KEYS = ["netns", "socket", "retries"];

/**
 * Refuses an object that is not a plain object, or that has a key outside
 * `allowed` (`what` names the argument in the message, e.g. "nexthop spec").
 */
export function checkKeys(value: unknown, allowed: readonly string[], what: string): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError(`Cannot use ${what}: expected an object, got ${JSON.stringify(value)}`, what);
  }
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const hint = OPTION_KEYS.includes(key)
      ? ` (${key} is an option: pass it in the options object, the last argument)`
      : closest(key, allowed)
      ? ` (did you mean "${closest(key, allowed)}"?)`
      : "";
    throw new InvalidArgumentError(
      `Cannot use ${what}: unknown key "${key}"${hint}; expected one of ${allowed.join(", ")}`,
      key,
    );
  }
}
