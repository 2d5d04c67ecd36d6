/**
 * Validation of a {@link NexthopObjectSpec} and {@link NexthopFilter}, and
 * encoding of nexthop requests. Every bad value is refused here, before
 * anything reaches the kernel.
 *
 * @module
 */

import { AF_INET, AF_INET6, AF_UNSPEC, ipFamily } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { type Attrs, bitsOfNames, nameOf, type RawAttr, valueOfName } from "../../wire/table.ts";
import { ROUTE_FLAG_NAMES, RT_SCOPE_NAMES, RTNH_F_ONLINK, RTPROT_NAMES } from "../route/names.ts";
import { RTM } from "../rtnl.ts";
import { type Family, familyNumber } from "../../wire/family.ts";
import { NEXTHOP_GRP_TYPES, type NexthopGroupMember, NHA_ATTRS, NHMSG, USER_HZ } from "./table.ts";

/**
 * A nexthop to add, replace or delete; names follow `ip nexthop`. A listed
 * {@link Nexthop} is a valid spec, so it can be passed back as it is.
 */
export interface NexthopObjectSpec {
  /** Nexthop id (1 to 2^32-1); absent on add lets the kernel pick one. Required to replace or delete. */
  id?: number;
  /** `inet` or `inet6` (or `AF_*`); by default the gateway's family, `inet` for a device or blackhole. */
  family?: Family | number | string;
  /** Gateway address (`via`). */
  gateway?: string;
  /** Output device by name or index (`dev`). */
  dev?: string | number;
  /** Output device index; a listed nexthop carries it next to `dev`, which wins when both are given. */
  ifindex?: number;
  /** Drop packets (`blackhole`). */
  blackhole?: boolean;
  /** A nexthop for the bridge FDB (`fdb`). */
  fdb?: boolean;
  /** Treat the gateway as directly reachable (`onlink`). */
  onlink?: boolean;
  /**
   * Flag names: `onlink` is sent; the state flags the kernel reports (`dead`, `linkdown`, `offload`,
   * `trap`, ...) are accepted so that a listed nexthop passes back, and are not sent (the kernel sets them).
   */
  flags?: string[];
  /** Origin by name (`static`, `boot`, ...) or number. */
  protocol?: string | number;
  /** Reported by the kernel (the kernel picks a nexthop's scope): checked as a scope name so a listed nexthop passes back, and not sent. */
  scope?: string | number;
  /** Group members: ids, or `{ id, weight }` with weights 1 to 65536. */
  group?: readonly (number | NexthopGroupMember)[];
  /** Group type: `mpath` (default) or `resilient`. */
  groupType?: "mpath" | "resilient";
  /** Resilient group parameters (seconds); `unbalancedTime` is reported only, and not sent. */
  resilient?: { buckets?: number; idleTimer?: number; unbalancedTimer?: number; unbalancedTime?: number };
  /** A lightweight tunnel, raw: `LWTUNNEL_ENCAP_*` type and its encoded attributes. */
  encap?: { type: number; data: Uint8Array };
  /** Raw attributes sent as they are (a listed nexthop's unknown attributes round-trip). */
  unknown?: RawAttr[];
}

/** Which nexthops to list or flush; `dev`, `master`, `groups` and `fdb` are filtered by the kernel. */
export interface NexthopFilter {
  /** Only this id. */
  id?: number;
  /** Only `inet` or `inet6` nexthops. */
  family?: Family | number | string;
  /** Only nexthops through this device (name or index). */
  dev?: string | number;
  /** Only nexthops whose device has this master (name or index; a VRF, say). */
  master?: string | number;
  /** Only groups. */
  groups?: boolean;
  /** Only FDB nexthops. */
  fdb?: boolean;
  /** Only nexthops of this origin (name or number). */
  protocol?: string | number;
  /**
   * With `fdb`: keep every nexthop the kernel sends for `NHA_FDB`, unchecked
   * here (`ip nexthop show fdb`'s listing; kernels up to 6.18 at least ignore
   * the flag and send all). Refused by `flushNexthops`, which must never
   * select more than asked.
   */
  kernelFdb?: boolean;
}

/** Which buckets of resilient groups to list. */
export interface NexthopBucketFilter {
  /** Only the buckets of this group. */
  id?: number;
  /** Only buckets that point at this nexthop. */
  nhid?: number;
  /** Only buckets whose nexthop goes through this device (name or index). */
  dev?: string | number;
  /** Only buckets whose nexthop's device has this master. */
  master?: string | number;
}

const SPEC_KEYS = [
  "id",
  "family",
  "gateway",
  "dev",
  "ifindex",
  "blackhole",
  "fdb",
  "onlink",
  "flags",
  "protocol",
  "scope",
  "group",
  "groupType",
  "resilient",
  "encap",
  "unknown",
] as const;
const FILTER_KEYS = ["id", "family", "dev", "master", "groups", "fdb", "protocol", "kernelFdb"] as const;
const BUCKET_FILTER_KEYS = ["id", "nhid", "dev", "master"] as const;
const RESILIENT_KEYS = ["buckets", "idleTimer", "unbalancedTimer", "unbalancedTime"] as const;
/** Flags the kernel reports but sets itself. */
const STATE_FLAGS = ["dead", "linkdown", "offload", "trap", "rt_offload", "rt_trap", "rt_offload_failed", "unresolved"];

/** Checks a whole number in `[min, max]`; `what` names it in the error. */
export function checkInt(what: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(
      `Cannot use ${what} ${JSON.stringify(v)}: expected a whole number ${min} to ${max}`,
      what,
    );
  }
  return v;
}

function checkBool(what: string, v: unknown): boolean {
  if (typeof v !== "boolean") {
    throw new InvalidArgumentError(`Cannot use ${what} ${JSON.stringify(v)}: expected true or false`, what);
  }
  return v;
}

/** The `AF_*` number of a nexthop family (`inet`, `inet6`, `unspec`), by name or number. */
function nexthopFamily(v: unknown): number {
  const n = familyNumber(v as string);
  if (n === AF_INET || n === AF_INET6 || n === AF_UNSPEC) return n;
  throw new InvalidArgumentError(`Cannot use family ${JSON.stringify(v)}: expected "inet" or "inet6"`, "family");
}

function addressFamily(v: unknown): number {
  try {
    return typeof v === "string" ? ipFamily(v) : 0;
  } catch {
    return 0;
  }
}

function members(v: unknown): NexthopGroupMember[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new InvalidArgumentError(`Cannot use group ${JSON.stringify(v)}: expected a non-empty array of ids`, "group");
  }
  return v.map((m) => {
    if (typeof m === "number") return { id: checkInt("group member id", m, 1, 0xffffffff), weight: 1 };
    checkKeys(m, ["id", "weight"], "group member");
    return {
      id: checkInt("group member id", m.id, 1, 0xffffffff),
      weight: m.weight === undefined ? 1 : checkInt("group member weight", m.weight, 1, 65536),
    };
  });
}

/** A checked spec, with the device still to resolve (by name, in the target namespace). */
export interface CheckedNexthop {
  /** The header fields. */
  header: { family: number; protocol: number; flags: number };
  /** The attributes, `oif` not yet set when `dev` is a name. */
  attrs: Attrs<typeof NHA_ATTRS>;
  /** A device name to resolve into `attrs.oif`. */
  dev?: string;
}

/** Validates a spec for `op`; throws {@link InvalidArgumentError} naming the bad key or value. */
export function checkNexthopSpec(op: "add" | "replace" | "delete", spec: NexthopObjectSpec): CheckedNexthop {
  checkKeys(spec, SPEC_KEYS, "nexthop spec");
  const attrs: Attrs<typeof NHA_ATTRS> = {};
  if (spec.id !== undefined) attrs.id = checkInt("id", spec.id, op === "add" ? 0 : 1, 0xffffffff);
  else if (op !== "add") throw new InvalidArgumentError(`Cannot ${op} a nexthop without an id`, "id");
  let family = spec.family === undefined ? undefined : nexthopFamily(spec.family);
  const out: CheckedNexthop = { header: { family: AF_UNSPEC, protocol: 0, flags: 0 }, attrs };
  if (op === "delete") {
    out.header.family = family ?? AF_UNSPEC;
    return out;
  }
  if (spec.gateway !== undefined) {
    const gf = addressFamily(spec.gateway);
    if (gf === 0) {
      throw new InvalidArgumentError(
        `Cannot use gateway ${JSON.stringify(spec.gateway)}: expected an IP address`,
        "gateway",
      );
    }
    if (family !== undefined && family !== AF_UNSPEC && family !== gf) {
      throw new InvalidArgumentError(`Cannot use gateway "${spec.gateway}": address family mismatch`, "gateway");
    }
    family = gf;
    attrs.gateway = spec.gateway;
  }
  // `dev` wins over `ifindex`, as for routes: in a listed nexthop whose `dev` was changed, `ifindex` is stale.
  if (spec.dev === undefined && spec.ifindex !== undefined) {
    attrs.oif = checkInt("ifindex", spec.ifindex, 1, 0x7fffffff);
  } else if (typeof spec.dev === "number") attrs.oif = checkInt("dev", spec.dev, 1, 0x7fffffff);
  else if (spec.dev !== undefined) {
    if (typeof spec.dev !== "string" || spec.dev === "") {
      throw new InvalidArgumentError(
        `Cannot use dev ${JSON.stringify(spec.dev)}: expected a link name or index`,
        "dev",
      );
    }
    out.dev = spec.dev;
  }
  if (spec.blackhole !== undefined && checkBool("blackhole", spec.blackhole)) attrs.blackhole = true;
  if (spec.fdb !== undefined && checkBool("fdb", spec.fdb)) attrs.fdb = true;
  let flags = spec.onlink !== undefined && checkBool("onlink", spec.onlink) ? RTNH_F_ONLINK : 0;
  if (spec.flags !== undefined) {
    if (!Array.isArray(spec.flags)) {
      throw new InvalidArgumentError(
        `Cannot use flags ${JSON.stringify(spec.flags)}: expected an array of names`,
        "flags",
      );
    }
    const settable = spec.flags.filter((f) => !STATE_FLAGS.includes(f));
    flags |= bitsOfNames(ROUTE_FLAG_NAMES, settable, "flags");
    if (flags & ~RTNH_F_ONLINK) {
      throw new InvalidArgumentError(
        `Cannot set nexthop flags ${JSON.stringify(settable)}: only "onlink" can be set`,
        "flags",
      );
    }
  }
  if (spec.group !== undefined) {
    attrs.group = members(spec.group);
    // Like ip, the type goes only when given: the kernel's default is mpath.
    const type = spec.groupType ?? (spec.resilient ? "resilient" : undefined);
    if (type !== undefined) attrs.groupType = valueOfName(NEXTHOP_GRP_TYPES, type, "groupType") ? "resilient" : "mpath";
  } else if (spec.groupType !== undefined || spec.resilient !== undefined) {
    throw new InvalidArgumentError(
      "Cannot use groupType or resilient without group",
      spec.groupType !== undefined ? "groupType" : "resilient",
    );
  }
  if (spec.resilient !== undefined) {
    if (attrs.groupType !== "resilient") {
      throw new InvalidArgumentError("Cannot use resilient parameters on an mpath group", "resilient");
    }
    checkKeys(spec.resilient, RESILIENT_KEYS, "resilient group");
    const r = spec.resilient;
    attrs.resGroup = {};
    if (r.buckets !== undefined) attrs.resGroup.buckets = checkInt("buckets", r.buckets, 1, 0xffff);
    if (r.idleTimer !== undefined) attrs.resGroup.idleTimer = ticks("idleTimer", r.idleTimer);
    if (r.unbalancedTimer !== undefined) attrs.resGroup.unbalancedTimer = ticks("unbalancedTimer", r.unbalancedTimer);
    if (r.unbalancedTime !== undefined) checkNonNegative("unbalancedTime", r.unbalancedTime);
  }
  if (spec.encap !== undefined) {
    checkKeys(spec.encap, ["type", "data"], "encap");
    attrs.encapType = checkInt("encap type", spec.encap.type, 1, 0xffff);
    if (!(spec.encap.data instanceof Uint8Array)) {
      throw new InvalidArgumentError("Cannot use encap data: expected a Uint8Array", "encap");
    }
    attrs.encap = spec.encap.data;
  }
  if (spec.unknown !== undefined) attrs.unknown = spec.unknown;
  if (spec.scope !== undefined) valueOfName(RT_SCOPE_NAMES, spec.scope, "scope");
  const kindCount =
    [attrs.group, attrs.blackhole, attrs.gateway ?? attrs.oif ?? out.dev].filter((x) => x !== undefined).length;
  if (kindCount !== 1 && !(attrs.fdb && attrs.gateway !== undefined)) {
    throw new InvalidArgumentError(
      "Cannot build a nexthop: give exactly one of a gateway and/or dev, blackhole, or group",
      "nexthop spec",
    );
  }
  out.header = {
    family: family ?? (attrs.group ? AF_UNSPEC : AF_INET),
    protocol: spec.protocol === undefined ? 0 : valueOfName(RTPROT_NAMES, spec.protocol, "protocol"),
    flags,
  };
  return out;
}

function checkNonNegative(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new InvalidArgumentError(`Cannot use ${what} ${JSON.stringify(v)}: expected seconds, 0 or more`, what);
  }
  return v;
}

/** Seconds to clock ticks, as `ip` does (below 2^32/100 seconds). */
function ticks(what: string, seconds: unknown): number {
  const s = checkNonNegative(what, seconds);
  const t = Math.round(s * USER_HZ);
  if (t >= 0xffffffff) {
    throw new InvalidArgumentError(
      `Cannot use ${what} ${s}: expected less than ${Math.floor(0xffffffff / USER_HZ)} seconds`,
      what,
    );
  }
  return t;
}

const NLM_FLAGS = { add: NLM_F_CREATE | NLM_F_EXCL, replace: NLM_F_CREATE | NLM_F_REPLACE, delete: 0 } as const;

/** Encodes a checked spec (its device resolved) as a request. */
export function buildNexthopMessage(op: "add" | "replace" | "delete", c: CheckedNexthop): Uint8Array {
  const type = op === "delete" ? RTM.RTM_DELNEXTHOP : RTM.RTM_NEWNEXTHOP;
  return new MessageBuilder(type, NLM_FLAGS[op]).struct(NHMSG, c.header).attrs(NHA_ATTRS, c.attrs).finish();
}

/** Checks a list filter; returns the kernel-side part with devices still to resolve. */
export function checkNexthopFilter(f: NexthopFilter): NexthopFilter & { familyNum: number; protocolName?: string } {
  checkKeys(f, FILTER_KEYS, "nexthop filter");
  if (f.id !== undefined) checkInt("id", f.id, 1, 0xffffffff);
  if (f.groups !== undefined) checkBool("groups", f.groups);
  if (f.fdb !== undefined) checkBool("fdb", f.fdb);
  if (f.kernelFdb !== undefined) checkBool("kernelFdb", f.kernelFdb);
  const familyNum = f.family === undefined ? AF_UNSPEC : nexthopFamily(f.family);
  const protocolName = f.protocol === undefined
    ? undefined
    : nameOf(RTPROT_NAMES, valueOfName(RTPROT_NAMES, f.protocol, "protocol"));
  return { ...f, familyNum, protocolName };
}

/** Checks a bucket filter. */
export function checkBucketFilter(f: NexthopBucketFilter): NexthopBucketFilter {
  checkKeys(f, BUCKET_FILTER_KEYS, "nexthop bucket filter");
  if (f.id !== undefined) checkInt("id", f.id, 1, 0xffffffff);
  if (f.nhid !== undefined) checkInt("nhid", f.nhid, 1, 0xffffffff);
  return f;
}

/** A get or dump request; a dump's attributes are the kernel-side filters (`NHA_OIF`, `NHA_MASTER`, ...). */
export function nexthopRequest(
  type: number,
  family: number,
  attrs: Attrs<typeof NHA_ATTRS>,
): Uint8Array {
  return new MessageBuilder(type, 0).struct(NHMSG, { family }).attrs(NHA_ATTRS, attrs).finish();
}
