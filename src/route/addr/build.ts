/**
 * What a caller gives to add, replace or delete an address, the checks and
 * defaults (those of `ip addr`) that turn it into an `RTM_NEWADDR` or
 * `RTM_DELADDR` request, and its encoding. Bad input throws
 * `InvalidArgumentError` before anything is sent.
 *
 * @module
 */

import { AF_INET, parseCidr, parseIp } from "../../wire/addr.ts";
import { bitsOfNames, valueOfName } from "../../wire/table.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import {
  addressRequestHeader,
  buildAddressRequest,
  encodeAddressRequest,
  publicAddressAttrs,
} from "./_generated/table.ts";
import { RT_SCOPE_HOST, RT_SCOPE_UNIVERSE } from "../route/names.ts";
import { RTM } from "../rtnl.ts";
import { type Address, IFA_F_NAMES, IFAPROT_NAMES, INFINITY_LIFE_TIME, type Lifetime } from "./table.ts";
/** Settings of an address being added or replaced (all optional). */
export interface AddressSettings {
  /** Point-to-point peer (`IFA_ADDRESS`), with an optional prefix: `10.1.0.2/32`. */
  peer?: string;
  /** IPv4 broadcast address, or `true` to derive it from the prefix (iproute2's `brd +`). */
  broadcast?: string | true;
  /** IPv4 label: the link name, optionally followed by `:` and a suffix (`eth0:web`). */
  label?: string;
  /** Scope name (`global`, `site`, `link`, `host`, `nowhere`) or number. Default: `host` for 127/8, else `global`. */
  scope?: string | number;
  /** Flag names: `nodad`, `noprefixroute`, `mngtmpaddr`, `autojoin`, `optimistic`, `home`... */
  flags?: readonly string[];
  /** Valid lifetime in seconds or `"forever"` (the default). */
  validLft?: Lifetime;
  /** Preferred lifetime in seconds or `"forever"`; defaults to `validLft`. */
  preferredLft?: Lifetime;
  /** Metric of the prefix route (`IFA_RT_PRIORITY`). */
  metric?: number;
  /** Origin (`IFA_PROTO`, ip's `proto`): `kernel_lo`, `kernel_ra`, `kernel_ll` or a number 0 to 255. */
  protocol?: string | number;
}

/** A lifetime in seconds (`"forever"` and absent: infinite), checked. */
function lifetime(v: Lifetime | undefined, what: string): number {
  if (v === undefined || v === "forever") return INFINITY_LIFE_TIME;
  if (!Number.isInteger(v) || v < 0 || v > INFINITY_LIFE_TIME) {
    throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be 0 to 4294967295 seconds or "forever")`);
  }
  return v;
}

/** A scope's number, by name or number, checked by the header policy of {@link ADDRESS_MESSAGE}. */
export function scopeOf(scope: string | number): number {
  return addressRequestHeader({ scope }).scope;
}

/** Flag names ip also takes for others. */
export const FLAG_ALIASES: { readonly [k: string]: string } = { temporary: "secondary", home: "homeaddress" };

function flagsOf(names: readonly string[]): number {
  if (!Array.isArray(names)) {
    throw new InvalidArgumentError(`Invalid address flags: "${String(names)}" (must be an array of names)`);
  }
  return bitsOfNames(IFA_F_NAMES, names.map((n) => FLAG_ALIASES[n] ?? n), "address flag");
}

/** Derives the IPv4 broadcast address of `addr/prefixLen` (host bits set). */
function broadcastOf(addr: Uint8Array, prefixLen: number): Uint8Array {
  const out = addr.slice();
  for (let bit = prefixLen; bit < 32; bit++) out[bit >> 3] |= 0x80 >> (bit & 7);
  return out;
}

/** The addresses and prefix length of a request. */
export interface AddressRequest {
  family: number;
  prefixLen: number;
  local: Uint8Array;
  address: Uint8Array;
}

const SETTINGS_KEYS = [
  "peer",
  "broadcast",
  "label",
  "scope",
  "flags",
  "validLft",
  "preferredLft",
  "metric",
  "protocol",
];

/** Validates everything a NEWADDR needs before any socket is opened; returns its encoder by link index. */
export function newAddressMessage(
  flags: number,
  cidr: string,
  settings: AddressSettings,
): (index: number) => Uint8Array {
  checkKeys(settings, SETTINGS_KEYS, "address settings");
  const req = addressRequest(cidr, settings.peer);
  const v4 = req.family === AF_INET;
  let brd: Uint8Array | undefined;
  if (settings.broadcast !== undefined) {
    if (!v4) throw new InvalidArgumentError(`Broadcast addresses are IPv4 only: "${cidr}"`);
    brd = settings.broadcast === true ? broadcastOf(req.local, req.prefixLen) : parseIp(settings.broadcast);
    if (brd.length !== 4) {
      throw new InvalidArgumentError(`Invalid broadcast address: "${settings.broadcast}" (must be IPv4)`);
    }
  }
  if (settings.label !== undefined && !v4) {
    throw new InvalidArgumentError(`Address labels are IPv4 only: "${settings.label}"`);
  }
  // iproute2's default: loopback addresses are host-scoped.
  const scope = settings.scope ?? (v4 && req.local[0] === 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE);
  const ifaFlags = settings.flags === undefined ? 0 : flagsOf(settings.flags);
  const proto = settings.protocol === undefined ? undefined : protocolOf(settings.protocol);
  const valid = lifetime(settings.validLft, "valid lifetime");
  const preferred = settings.preferredLft === undefined ? valid : lifetime(settings.preferredLft, "preferred lifetime");
  if (valid === 0) throw new InvalidArgumentError(`Invalid valid lifetime: "0" (must be at least 1 second)`);
  if (preferred > valid) {
    throw new InvalidArgumentError(
      `Invalid preferred lifetime: "${settings.preferredLft}" (must not exceed the valid lifetime ${valid})`,
    );
  }
  const lifetimes = settings.validLft !== undefined || settings.preferredLft !== undefined;
  // The header holds only 8 flag bits; IFA_FLAGS carries all of them.
  const header = { family: req.family, prefixLen: req.prefixLen, flags: ifaFlags & 0xff, scope, index: 0 };
  const attrs = {
    local: req.local,
    address: req.address,
    broadcast: brd,
    label: settings.label,
    flags: ifaFlags > 0xff ? ifaFlags : undefined,
    cacheinfo: lifetimes ? { preferred, valid } : undefined,
    metric: settings.metric,
    protocol: proto,
  };
  // Checked now, against the policies of ADDRESS_MESSAGE and IFA_ATTRS (the scope, the label, the metric).
  addressRequestHeader(header);
  const wire = publicAddressAttrs(attrs, attrs, "");
  return (index) =>
    encodeAddressRequest(new MessageBuilder(RTM.RTM_NEWADDR, flags), addressRequestHeader({ ...header, index }), wire)
      .finish();
}

/** An `IFA_PROTO` value by name or number, 0 to 255. */
function protocolOf(v: string | number): number {
  const n = typeof v === "string" || typeof v === "number" ? valueOfName(IFAPROT_NAMES, v, "address protocol") : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    throw new InvalidArgumentError(`Invalid address protocol: "${v}" (a name or 0 to 255)`, "protocol");
  }
  return n;
}

/** The family, prefix length, local and peer addresses of `cidr` and its optional peer. */
export function addressRequest(cidr: string, peer: string | undefined): AddressRequest {
  if (typeof cidr !== "string") throw new InvalidArgumentError(`Invalid address or prefix: "${String(cidr)}"`);
  const local = parseCidr(cidr);
  if (peer === undefined) {
    return { family: local.family, prefixLen: local.prefixLen, local: local.addr, address: local.addr };
  }
  const p = parseCidr(peer);
  if (p.family !== local.family) {
    throw new InvalidArgumentError(`Peer "${peer}" is not of the same family as "${cidr}"`);
  }
  // As in iproute2, a peer given with a prefix sets the prefix length.
  return {
    family: local.family,
    prefixLen: peer.includes("/") ? p.prefixLen : local.prefixLen,
    local: local.addr,
    address: p.addr,
  };
}

/** The `RTM_DELADDR` that removes exactly the address the kernel reported. */
export function deleteMessage(a: Address): Uint8Array {
  const c = parseCidr(a.address);
  const header = { family: c.family, prefixLen: c.prefixLen, index: a.ifindex };
  const attrs = { local: c.addr, address: a.peer !== undefined ? parseIp(a.peer) : c.addr };
  return buildAddressRequest(RTM.RTM_DELADDR, 0, header, attrs);
}
