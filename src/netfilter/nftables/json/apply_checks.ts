/**
 * The checks an nft JSON document's objects go through before anything is
 * planned: known keys, strings, numbers, durations, families and types.
 *
 * @module
 */

import { InvalidArgumentError, notFound, type NotFoundError } from "../../../errors.ts";
import { type Json, type NftType, typeByName } from "./types.ts";

type Obj = { [k: string]: Json };

/** nft's families. */
export const FAMILY = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

/** Refuses a key of `o` not in `allowed`: nothing accepted is dropped. */
export function keys(o: Obj, allowed: readonly string[], what: string): void {
  for (const k in o) { // no key list made: this runs for every rule of a document
    if (!allowed.includes(k)) {
      throw new InvalidArgumentError(`Cannot use "${k}" in ${what}: expected ${allowed.join(", ")}`);
    }
  }
}

/** `o[k]` as a string; anything else is bad input. */
export function str(o: Obj, k: string, what: string): string {
  const v = o[k];
  if (typeof v !== "string" || !v) throw new InvalidArgumentError(`Cannot use ${what} without a "${k}" string`);
  return v;
}

/** The family `o` names, checked against nft's. */
export function family(o: Obj, what: string): string {
  const f = o.family ?? "ip";
  if (typeof f !== "string" || !FAMILY.includes(f)) {
    throw new InvalidArgumentError(`Cannot use family ${JSON.stringify(f)} in ${what}: expected ${FAMILY.join(", ")}`);
  }
  return f;
}

/** `v` as a number, when given. */
export function num(v: Json | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as ${what}: expected an integer`);
  }
  return v;
}

/**
 * An unsigned 32-bit field nft's JSON holds as a C int (see `cInt`): a
 * negative one is read as its unsigned value, as nft reads it back.
 */
export function cIntField(v: Json | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as ${what}: expected an unsigned 32-bit number`);
  }
  return v >>> 0;
}

/** Seconds, whole in nft's JSON; the text reader writes milliseconds as fractions (`100ms`: 0.1). */
export function duration(v: Json, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as ${what}: expected seconds`);
  }
  return v;
}

export function typesOf(v: Json, what: string): NftType[] {
  if (typeof v === "string") return v.split(" . ").map((n) => typeByName(n));
  if (Array.isArray(v)) return v.map((n) => typeByName(String(n)));
  throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as the type of ${what}`);
}

/** nft's refusal of `flush set` on a map (and the reverse, or a meter): ENOENT. */
export function notAKind(kind: string, fam: string, table: string, name: string): NotFoundError {
  return notFound(
    { kind: `nft ${kind}`, key: `${fam} ${table} ${name}` },
    "NFT_MSG_DELSETELEM",
    `No such file or directory: ${fam} ${table} ${name} is not a ${kind}`,
  );
}
