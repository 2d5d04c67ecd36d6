/**
 * tun/tap devices. The kernel makes them only through ioctls on
 * `/dev/net/tun` (rtnetlink refuses the `tun` kind), as `ip tuntap` does:
 * `TUNSETIFF` attaches a new device to the descriptor, `TUNSETOWNER` and
 * `TUNSETGROUP` say who may attach later, and `TUNSETPERSIST` keeps it once
 * the descriptor closes. Their settings are then listed over rtnetlink
 * (`IFLA_TUN_*`, see `kinds/tun.ts`).
 *
 * @example
 * ```ts ignore
 * import { createTuntap, deleteTuntap } from "./tuntap.ts";
 * const tap = await createTuntap({ name: "tap0", mode: "tap", user: 1000, multiQueue: true }, { netns: "lab" });
 * console.log(tap.linkinfo?.data); // { type: "tap", multiQueue: 1, owner: 1000, persist: 1, ... }
 * await deleteTuntap("tap0", { netns: "lab" });
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { readDirNames, readLinkOrUndefined, readTextOrUndefined } from "../../sys/files.ts";
import { loadSys } from "../../sys/load.ts";
import { O_CLOEXEC, O_RDWR } from "../../sys/flags.ts";
import { type Sys, SysError } from "../../sys/sys.ts";
import { linkNotFound } from "../../errors.ts";
import { withNetns } from "../../netns/netns.ts";
import type { RouteOptions } from "../rtnl.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { checkLinkName, getLink, type Link } from "./api.ts";
import type { LinkKindData } from "./kinds/registry.ts";

/** `TUNSETIFF`: `_IOW('T', 202, int)`. */
export const TUNSETIFF = 0x400454ca;
/** `TUNSETPERSIST`: `_IOW('T', 203, int)`. */
export const TUNSETPERSIST = 0x400454cb;
/** `TUNSETOWNER`: `_IOW('T', 204, int)`. */
export const TUNSETOWNER = 0x400454cc;
/** `TUNSETGROUP`: `_IOW('T', 206, int)`. */
export const TUNSETGROUP = 0x400454ce;

/** `ifr_flags` bits of `TUNSETIFF` (`<linux/if_tun.h>`). */
export const TUN_IFF = {
  IFF_TUN: 0x0001,
  IFF_TAP: 0x0002,
  IFF_MULTI_QUEUE: 0x0100,
  IFF_NO_PI: 0x1000,
  IFF_ONE_QUEUE: 0x2000,
  IFF_VNET_HDR: 0x4000,
  IFF_TUN_EXCL: 0x8000,
} as const;

/** `sizeof(struct ifreq)`. */
const IFREQ_LEN = 40;
/** The device every tun/tap ioctl goes through. */
export const TUN_DEVICE = "/dev/net/tun";

/** A new tun or tap device (`ip tuntap add`). */
export interface TuntapSpec {
  /** Device name; the kernel picks `tunN`/`tapN` when left out. */
  name?: string;
  /** `tun` (layer 3, no link-layer header) or `tap` (Ethernet frames). */
  mode: "tun" | "tap";
  /** Uid allowed to attach to the device besides root (`TUNSETOWNER`). */
  user?: number;
  /** Gid allowed to attach to the device (`TUNSETGROUP`). */
  group?: number;
  /** Prefix each packet with `struct tun_pi` (ip's `pi`; off by default, as in ip). */
  pi?: boolean;
  /** Carry `struct virtio_net_hdr` with each packet (`vnet_hdr`). */
  vnetHdr?: boolean;
  /** Allow several queues, one descriptor each (`multi_queue`). */
  multiQueue?: boolean;
  /** `IFF_ONE_QUEUE`: kept by the kernel for compatibility only, and not reported back over rtnetlink. */
  oneQueue?: boolean;
}

/** Where a tun/tap call runs: the namespace that gets the device. */
export type TuntapOptions = Pick<RouteOptions, "netns">;

const KEYS: ReadonlySet<string> = new Set(["name", "mode", "user", "group", "pi", "vnetHdr", "multiQueue", "oneQueue"]);

function checkId(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= 0xffffffff) {
    throw new InvalidArgumentError(`Invalid ${what}: "${v}" (must be 0 to 4294967294)`);
  }
  return v;
}

/** The `struct ifreq` of `TUNSETIFF` for a spec, checked. */
export function tuntapIfreq(spec: TuntapSpec): Uint8Array {
  for (const k of Object.keys(spec)) {
    if (!KEYS.has(k)) {
      throw new InvalidArgumentError(`Unknown tun/tap setting: "${k}" (expected one of ${[...KEYS].join(", ")})`);
    }
  }
  if (spec.mode !== "tun" && spec.mode !== "tap") {
    throw new InvalidArgumentError(`Invalid tun/tap mode: "${spec.mode}" (must be "tun" or "tap")`);
  }
  for (const k of ["pi", "vnetHdr", "multiQueue", "oneQueue"] as const) {
    if (spec[k] !== undefined && typeof spec[k] !== "boolean") {
      throw new InvalidArgumentError(`Invalid ${k}: "${spec[k]}" (must be true or false)`);
    }
  }
  if (spec.user !== undefined) checkId("user", spec.user);
  if (spec.group !== undefined) checkId("group", spec.group);
  const ifr = new Uint8Array(IFREQ_LEN);
  if (spec.name !== undefined) ifr.set(new TextEncoder().encode(checkLinkName(spec.name)));
  let flags = spec.mode === "tun" ? TUN_IFF.IFF_TUN : TUN_IFF.IFF_TAP;
  if (!spec.pi) flags |= TUN_IFF.IFF_NO_PI;
  if (spec.vnetHdr) flags |= TUN_IFF.IFF_VNET_HDR;
  if (spec.multiQueue) flags |= TUN_IFF.IFF_MULTI_QUEUE;
  if (spec.oneQueue) flags |= TUN_IFF.IFF_ONE_QUEUE;
  new DataView(ifr.buffer).setUint16(16, flags, true);
  return ifr;
}

/** Opens `/dev/net/tun` inside the target namespace: the device is created where the descriptor was opened. */
function openTun(sys: Sys, opts: TuntapOptions): number {
  const open = () => sys.open(TUN_DEVICE, O_RDWR | O_CLOEXEC);
  return opts.netns === undefined ? open() : withNetns(sys, opts.netns, open);
}

/** Runs one tun ioctl, naming it in the error as ip does (`ioctl(TUNSETIFF): Device or resource busy`). */
function tunIoctl(name: string, call: () => void): void {
  try {
    call();
  } catch (e) {
    throw e instanceof SysError ? new SysError(`ioctl(${name})`, e.errno) : e;
  }
}

/** Attaches to (or creates) the device of `ifr`, runs `fn` on the descriptor, and closes it. */
function withTun(sys: Sys, opts: TuntapOptions, ifr: Uint8Array, fn: (fd: number) => void): string {
  const fd = openTun(sys, opts);
  try {
    tunIoctl("TUNSETIFF", () => sys.ioctlPtr(fd, TUNSETIFF, ifr));
    fn(fd);
  } finally {
    sys.close(fd);
  }
  const end = ifr.indexOf(0);
  return new TextDecoder().decode(ifr.subarray(0, end < 0 || end > 16 ? 16 : end));
}

/**
 * Creates a persistent tun/tap device (`ip tuntap add`) and resolves with it
 * as the kernel lists it. Fails with `SysError` `EBUSY` when the name is
 * taken by an attached device, `EINVAL` when it belongs to another kind.
 */
export async function createTuntap(spec: TuntapSpec, opts: TuntapOptions = {}): Promise<Link> {
  checkKeys(opts, ["netns"], "the options of createTuntap");
  const ifr = tuntapIfreq(spec);
  // `IFF_TUN_EXCL`: fail on an existing device instead of attaching to it (ip sets it too).
  const dv = new DataView(ifr.buffer);
  dv.setUint16(16, dv.getUint16(16, true) | TUN_IFF.IFF_TUN_EXCL, true);
  const sys = await loadSys();
  const name = withTun(sys, opts, ifr, (fd) => {
    if (spec.user !== undefined) tunIoctl("TUNSETOWNER", () => sys.ioctlInt(fd, TUNSETOWNER, spec.user!));
    if (spec.group !== undefined) tunIoctl("TUNSETGROUP", () => sys.ioctlInt(fd, TUNSETGROUP, spec.group!));
    tunIoctl("TUNSETPERSIST", () => sys.ioctlInt(fd, TUNSETPERSIST, 1));
  });
  return await getLink(name, opts);
}

/**
 * Deletes a tun/tap device (`ip tuntap del`): attaches with its own mode
 * and queue setting, read from the kernel, and clears `persist`. Throws
 * `NotFoundError` (`ENODEV`) for a missing device and for links that
 * are not tun/tap devices.
 */
export async function deleteTuntap(name: string, opts: TuntapOptions = {}): Promise<void> {
  checkKeys(opts, ["netns"], "the options of deleteTuntap");
  const link = await getLink(checkLinkName(name), opts);
  const data = link.linkinfo?.kind === "tun" ? link.linkinfo.data as LinkKindData["tun"] | undefined : undefined;
  if (!data || (data.type !== "tun" && data.type !== "tap")) {
    throw linkNotFound(name, "not a tun/tap device");
  }
  const ifr = tuntapIfreq({ name, mode: data.type, multiQueue: data.multiQueue === 1, pi: data.pi === 1 });
  const sys = await loadSys();
  withTun(sys, opts, ifr, (fd) => tunIoctl("TUNSETPERSIST", () => sys.ioctlInt(fd, TUNSETPERSIST, 0)));
}

/** A process holding a tun/tap device open. */
export interface TuntapProcess {
  /** Its command name (`/proc/PID/comm`). */
  name: string;
  /** Its pid. */
  pid: number;
}

/**
 * The processes that have the tun/tap device `name` attached (`ip -d tuntap
 * show`): descriptors of `/dev/net/tun` whose fdinfo says `iff: NAME`, this
 * process left out. Needs read access to other processes' /proc entries.
 */
export function tuntapProcesses(name: string): TuntapProcess[] {
  const self = String(
    (globalThis as { Deno?: { pid: number } }).Deno?.pid ??
      (globalThis as { process?: { pid: number } }).process?.pid,
  );
  const out: TuntapProcess[] = [];
  for (const pid of readDirNames("/proc")) {
    if (!/^\d+$/.test(pid) || pid === self) continue;
    let fds: string[];
    try {
      fds = readDirNames(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      if (readLinkOrUndefined(`/proc/${pid}/fd/${fd}`) !== TUN_DEVICE) continue;
      const info = readTextOrUndefined(`/proc/${pid}/fdinfo/${fd}`) ?? "";
      if (!info.split("\n").some((l) => /^iff:\s+/.test(l) && l.replace(/^iff:\s+/, "") === name)) continue;
      const comm = readTextOrUndefined(`/proc/${pid}/comm`);
      out.push({ name: comm === undefined ? "<NULL>" : comm.replace(/\n.*$/s, ""), pid: Number(pid) });
    }
  }
  return out;
}
