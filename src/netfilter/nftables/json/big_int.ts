/**
 * Integers past 2^53 in nft's JSON. nft prints a value that fits 64 bits
 * as a JSON number, signed (jansson's `json_integer`: `0xfffffffffffffff1`
 * prints as -15), which a JS number cannot hold exactly. Such a value is a
 * raw JSON number here (`JSON.rawJSON`): `JSON.stringify` writes its digits
 * as they are, and a document's own digits are read back the same way.
 *
 * @module
 */

import type { Json } from "./types.ts";

// ES2026's raw JSON, in both runtimes; TypeScript's library does not declare it yet.
const RawJson = JSON as unknown as {
  rawJSON(text: string): Json;
  isRawJSON(v: unknown): boolean;
  parse(text: string, reviver: (key: string, v: Json, context: { source?: string }) => Json): Json;
};

/** nft's JSON of an unsigned value of up to 64 bits past 2^53: its digits, as a signed 64-bit number. */
export function bigJson(n: bigint): Json {
  return RawJson.rawJSON(BigInt.asIntN(64, n).toString());
}

/** The integer a raw JSON number holds (one {@link bigJson} made or a document held), else undefined. */
export function rawInteger(v: Json): bigint | undefined {
  if (v === null || typeof v !== "object" || !RawJson.isRawJSON(v)) return undefined;
  const text = (v as { rawJSON: string }).rawJSON;
  return /^-?\d+$/.test(text) ? BigInt(text) : undefined;
}

/**
 * Parses nft's JSON text (`nft -j list ruleset`) as `JSON.parse` does, but
 * keeps an integer a number cannot hold exactly as a raw JSON number, so
 * that applying it writes the value nft listed.
 *
 * @example
 * ```ts
 * import { parseNftJson } from "./big_int.ts";
 * const doc = parseNftJson('{"right": 72442887246253793}');
 * console.log(JSON.stringify(doc)); // {"right":72442887246253793}
 * ```
 */
export function parseNftJson(text: string): Json {
  // Only a document with a run of 16 digits can hold one: the others skip the reviver's cost per value.
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  return RawJson.parse(text, (_key, v, context) => {
    if (typeof v !== "number" || Number.isSafeInteger(v) || !context.source || !/^-?\d+$/.test(context.source)) {
      return v;
    }
    return RawJson.rawJSON(context.source);
  });
}
