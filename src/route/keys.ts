/**
 * Strict object input: a filter or spec key the library does not know is
 * refused with {@link UnknownKeyError}, never silently ignored (plain
 * JavaScript callers get no compile-time check).
 *
 * @module
 */

/** An object given to the library has a key it does not know. */
export class UnknownKeyError extends TypeError {
  /** Always "UnknownKeyError". */
  override name = "UnknownKeyError";
  /** Always "EINVAL": bad input, nothing was sent. */
  readonly code = "EINVAL";
  /** The unknown key. */
  readonly key: string;
  /** `what` names the object ("route filter"); `allowed` lists the keys it takes. */
  constructor(what: string, key: string, allowed: readonly string[]) {
    super(`Unknown ${what} key: "${key}" (expected one of ${allowed.join(", ")})`);
    this.key = key;
  }
}

/** Throws {@link UnknownKeyError} for the first own key of `obj` not in `allowed`. */
export function checkKeys(obj: object, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new UnknownKeyError(what, k, allowed);
  }
}
