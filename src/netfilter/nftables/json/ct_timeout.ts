/**
 * `ct timeout` objects in nft's JSON: a protocol's conntrack states (in the
 * kernel's `CTA_TIMEOUT_*` order) with the defaults nft leaves out of
 * `policy`.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { Json } from "./types.ts";

/** States of each protocol nft 1.0.6 knows, in attribute order, with the kernel's default seconds. */
export const CT_TIMEOUT_STATES: { readonly [proto: string]: readonly (readonly [string, number])[] } = {
  tcp: [
    ["syn_sent", 120],
    ["syn_recv", 60],
    ["established", 432000],
    ["fin_wait", 120],
    ["close_wait", 60],
    ["last_ack", 30],
    ["time_wait", 120],
    ["close", 10],
    ["syn_sent2", 120],
    ["retrans", 300],
    ["unack", 300],
  ],
  udp: [["unreplied", 30], ["replied", 120]],
};

/** nft's `policy`: the states whose timeout is not the default, or null when none is. */
export function timeoutPolicyJson(proto: string, timeouts: readonly (number | undefined)[]): Json {
  const out: Record<string, Json> = {};
  (CT_TIMEOUT_STATES[proto] ?? []).forEach(([state, dflt], i) => {
    const v = timeouts[i];
    if (v !== undefined && v !== dflt) out[state] = v;
  });
  return Object.keys(out).length ? out : null;
}

/** The kernel's timeouts of nft's `policy` (states not named are left out: the kernel keeps its defaults). */
export function timeoutPolicy(proto: string, policy: Json | undefined): (number | undefined)[] {
  const states = CT_TIMEOUT_STATES[proto];
  if (!states) throw new InvalidArgumentError(`Cannot use ct timeout protocol "${proto}": expected tcp or udp`);
  const out: (number | undefined)[] = [];
  if (policy === undefined || policy === null) return out;
  if (typeof policy !== "object" || Array.isArray(policy)) {
    throw new InvalidArgumentError(`Cannot use ${JSON.stringify(policy)} as a ct timeout policy: expected an object`);
  }
  for (const [state, v] of Object.entries(policy)) {
    const i = states.findIndex(([s]) => s === state);
    if (i < 0) {
      throw new InvalidArgumentError(
        `Cannot use ${proto} state "${state}": expected ${states.map(([s]) => s).join(", ")}`,
      );
    }
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new InvalidArgumentError(`Cannot use ${JSON.stringify(v)} as the ${state} timeout: expected seconds`);
    }
    out[i] = v;
  }
  return out;
}
