/**
 * Verdicts in nft's JSON: `{"accept": null}`, `{"jump": {"target": "x"}}`.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { NftVerdict } from "../data.ts";
import type { Json } from "./types.ts";

/** nft's JSON of a verdict. */
export function verdictJson(v: NftVerdict): Json {
  const code = v.code ?? "continue";
  if (code === "jump" || code === "goto") return { [code]: { target: v.chain ?? "" } };
  return { [code]: null };
}

/** The verdict of nft's JSON statement `{"accept": null}` etc., or undefined if it is none. */
export function verdictOf(stmt: Record<string, Json>): NftVerdict | undefined {
  const [key] = Object.keys(stmt);
  switch (key) {
    case "accept":
    case "drop":
    case "continue":
    case "return":
      return { code: key };
    case "jump":
    case "goto": {
      const t = stmt[key] as { target?: Json } | null;
      if (!t || typeof t.target !== "string") {
        throw new InvalidArgumentError(`Cannot use ${key} without a target chain`);
      }
      return { code: key, chain: t.target };
    }
  }
  return undefined;
}
