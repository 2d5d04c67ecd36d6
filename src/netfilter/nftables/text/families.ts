/**
 * Families and chain priorities as nft's language names them
 * (`priority filter - 10`, `dstnat` of a bridge).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { nftNumber, type Tokens } from "./tokens.ts";

export const FAMILIES = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

export function family(t: Tokens): string {
  return FAMILIES.includes(t.peek() ?? "") ? t.next("a family") : "ip";
}

const STD_PRIOS: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};

/** nft's standard priority names of the bridge family (its own values). */
const BRIDGE_PRIOS: Record<string, number> = { dstnat: -300, filter: -200, out: 100, srcnat: 300 };

/** The families (and hook, when one) where a standard name is valid (nft's std_prio_family_hook_compat). */
const IP_FAMILIES = ["ip", "ip6", "inet"];

const PRIO_PLACES: Record<string, [string[], string?]> = {
  raw: [IP_FAMILIES],
  mangle: [IP_FAMILIES],
  security: [IP_FAMILIES],
  filter: [[...IP_FAMILIES, "arp", "netdev"]],
  dstnat: [IP_FAMILIES, "prerouting"],
  srcnat: [IP_FAMILIES, "postrouting"],
};

const BRIDGE_PRIO_HOOKS: Record<string, string | undefined> = {
  dstnat: "prerouting",
  out: "output",
  srcnat: "postrouting",
};

/**
 * A chain or flowtable priority: a number, or a standard name with an offset (`filter + 5`, `raw -10`).
 * With `hook`, a name must suit the family and hook, as nft refuses `srcnat` in an input chain.
 */
export function priority(s: string, family: string, hook?: string): number {
  // Numbers as nft's scanner reads them: `010` is 8, `0x10` 16, and `09` no number.
  const num = /^-?(0x[0-9a-f]+|\d+)$/i.exec(s);
  if (num) {
    const n = nftNumber(num[1]);
    if (Number.isNaN(n)) throw new InvalidArgumentError("invalid priority expression value in this context.");
    return s[0] === "-" ? -n : n;
  }
  const names = family === "bridge" ? BRIDGE_PRIOS : STD_PRIOS;
  const m = /^([a-z]+)(?:\s*([+-])\s*(0x[0-9a-fA-F]+|\d+))?$/.exec(s);
  if (!m || !(m[1] in names)) {
    throw new InvalidArgumentError(
      `Cannot use priority "${s}": expected a number or ${Object.keys(names).join(", ")}`,
    );
  }
  if (hook !== undefined && !prioFits(m[1], family, hook)) {
    throw new InvalidArgumentError(`'${s}' is invalid priority in this context.`);
  }
  const offset = m[3] === undefined ? 0 : nftNumber(m[3]);
  if (Number.isNaN(offset)) throw new InvalidArgumentError("invalid priority expression value in this context.");
  return names[m[1]] + (m[2] === "-" ? -1 : 1) * offset;
}

function prioFits(name: string, family: string, hook: string): boolean {
  if (family === "bridge") {
    const h = BRIDGE_PRIO_HOOKS[name];
    return h === undefined || h === hook;
  }
  const [families, h] = PRIO_PLACES[name];
  return families.includes(family) && (h === undefined || h === hook);
}
