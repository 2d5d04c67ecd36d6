/**
 * What a caller gives to add, replace, change, get or delete a neighbour
 * entry, the checks and defaults (those of `ip neigh`) that turn it into an
 * `RTM_NEWNEIGH`/`RTM_GETNEIGH`/`RTM_DELNEIGH` request, and its encoding.
 * Bad input throws `InvalidArgumentError` before anything is sent.
 *
 * @module
 */

import { AF_INET, AF_INET6, parseIp, parseMac } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { encodeNeighbourRequest, neighbourRequestHeader, publicNeighbourAttrs } from "./_generated/table.ts";
import { valueOfName } from "../../wire/table.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { type Family, familyNumber } from "../../wire/family.ts";
import { checkMovedKeys } from "../options.ts";
import type { FdbForwarding, NeighbourOutputFields } from "./fdb.ts";
import { RTM } from "../rtnl.ts";
import { NEIGHBOUR_OUTPUT_ONLY, NTF_EXT_NAMES, NTF_NAMES, NUD_NAMES, NUD_PERMANENT } from "./table.ts";

/** Hints for keys of other objects' words. */
export const MOVED = { link: `did you mean "dev"? a neighbour's device is dev` } as const;

/**
 * A neighbour entry to add, replace, change, get or delete. A listed
 * {@link Neighbour} is one as it is: its output-only fields
 * (`NEIGHBOUR_OUTPUT_ONLY`) are accepted and ignored, and a listed bridge
 * FDB entry (family `bridge`) goes to the FDB calls (see `FdbSpec`), with
 * its {@link FdbForwarding} fields.
 */
export interface NeighbourSpec extends FdbForwarding, NeighbourOutputFields {
  /** Protocol address (IPv4 or IPv6); its family picks the table. Required but for FDB entries. */
  dst?: string;
  /** The device, by name or index. */
  dev?: string | number;
  /** The device's index, used when `dev` is absent (a listed entry carries both). */
  ifindex?: number;
  /** `inet` or `inet6` (checked against `dst`), or `bridge` for an FDB entry. */
  family?: Family | number | string;
  /** Link-layer address, e.g. `02:00:00:00:00:09`. */
  lladdr?: string;
  /**
   * `NUD_*` state by name (`PERMANENT`, `REACHABLE`, `STALE`, `NOARP`, `NONE`... any case), or
   * the names a listed entry carries. Default `PERMANENT`.
   */
  state?: string | readonly string[];
  /** Flag names: `router`, `proxy`, `extern_learn`, `use`, `managed`...; `offload` and `locked` (set by the kernel) are accepted and not sent. */
  flags?: readonly string[];
  /** Who adds it (`static`, `zebra`... or a number), stored in `NDA_PROTOCOL`. */
  protocol?: string | number;
  /** Output only (an FDB entry's bridge): accepted from a listed entry and ignored. */
  master?: number;
}

/** The keys a {@link NeighbourSpec} of an ARP/NDP entry takes. */
const SPEC_KEYS: readonly string[] = [
  "dst",
  "dev",
  "ifindex",
  "family",
  "lladdr",
  "state",
  "flags",
  "protocol",
  ...NEIGHBOUR_OUTPUT_ONLY,
];

/** Flags the kernel sets: accepted from a listed entry, never sent. */
const KERNEL_FLAGS: readonly string[] = ["offload", "locked"];

const EXT_FLAGS: readonly string[] = Object.values(NTF_EXT_NAMES);

/** Splits flag names into `ndm_flags` and `NDA_FLAGS_EXT` bits. */
function flagBits(names: readonly string[] | undefined): { flags: number; ext: number } {
  let flags = 0, ext = 0;
  if (names === undefined) return { flags, ext };
  if (!Array.isArray(names)) {
    throw new InvalidArgumentError(`Invalid neighbour flags: "${String(names)}" (must be an array of names)`);
  }
  for (const name of names) {
    if (KERNEL_FLAGS.includes(name)) continue;
    if (EXT_FLAGS.includes(name)) ext |= valueOfName(NTF_EXT_NAMES, name, "neighbour flag");
    else flags |= valueOfName(NTF_NAMES, name, "neighbour flag");
  }
  if (flags > 0xff) {
    throw new InvalidArgumentError(`Invalid neighbour flags: "${names.join(",")}" (ndm_flags is 8 bits)`);
  }
  return { flags, ext };
}

/** The `NUD_*` bits of a state name, or of the names a listed entry carries. */
function statesOf(state: string | readonly string[] | undefined): number {
  if (!Array.isArray(state)) return stateOf(state as string | undefined);
  if (state.length === 0) {
    throw new InvalidArgumentError(`Cannot use neighbour state []: expected a state name or names`, "state");
  }
  return state.reduce((bits: number, st: string) => bits | stateOf(st), 0);
}

/** The `NUD_*` bit of a state name (absent: `PERMANENT`; `NONE`: 0). */
export function stateOf(state: string | undefined): number {
  if (state === undefined) return NUD_PERMANENT;
  if (typeof state === "string" && state.toUpperCase() === "NONE") return 0;
  const v = typeof state === "string" ? valueOfName(NUD_NAMES, state.toUpperCase(), "neighbour state") : NaN;
  if (!(v > 0 && v <= 0xffff && (v & (v - 1)) === 0)) {
    throw new InvalidArgumentError(
      `Unknown neighbour state: "${state}" (one of ${Object.values(NUD_NAMES).join(", ")}, NONE)`,
    );
  }
  return v;
}

/** Validates a spec and returns a builder for its message once the link index is known. */
export function neighbourMessage(type: number, nlFlags: number, spec: NeighbourSpec): (index: number) => Uint8Array {
  checkMovedKeys(spec, SPEC_KEYS, "neighbour spec", MOVED);
  if (spec.dev === undefined && spec.ifindex === undefined) {
    throw new InvalidArgumentError(`Cannot use neighbour spec: "${spec.dst}" needs a device (dev)`, "dev");
  }
  if (typeof spec.dst !== "string") {
    throw new InvalidArgumentError(`Cannot use neighbour dst ${JSON.stringify(spec.dst)}: expected an address`, "dst");
  }
  const dst = parseIp(spec.dst);
  const family = dst.length === 4 ? AF_INET : AF_INET6;
  if (spec.family !== undefined && familyNumber(spec.family) !== family) {
    throw new InvalidArgumentError(
      `Cannot use neighbour family ${JSON.stringify(spec.family)} with dst "${spec.dst}"`,
      "family",
    );
  }
  const lladdr = spec.lladdr === undefined ? undefined : parseMac(spec.lladdr);
  const state = type === RTM.RTM_DELNEIGH ? 0 : statesOf(spec.state);
  const { flags, ext } = flagBits(spec.flags);
  const header = { family, state, flags };
  // The attributes are checked by the policies of NDA_ATTRS now (the protocol's name or number).
  const attrs = type === RTM.RTM_DELNEIGH
    ? { dst }
    : { dst, lladdr, protocol: spec.protocol, flagsExt: ext || undefined };
  neighbourRequestHeader(header);
  const wire = publicNeighbourAttrs(attrs, attrs, "");
  return (ifindex) =>
    encodeNeighbourRequest(new MessageBuilder(type, nlFlags), neighbourRequestHeader({ ...header, ifindex }), wire)
      .finish();
}
