/**
 * Network namespaces: run a synchronous step (such as opening a socket)
 * inside one, and create, list and delete named namespaces the way
 * `ip netns` does, so each sees the other's.
 *
 * @example
 * ```ts ignore
 * import { createNetns, deleteNetns, listNetns } from "./netns.ts";
 * await createNetns("lab");
 * console.log(listNetns()); // ["lab", ...]
 * await deleteNetns("lab");
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { loadSys } from "../sys/load.ts";
import { type Sys, SysError } from "../sys/sys.ts";
import { notFound } from "../errors.ts";
import { readDirNames } from "../sys/files.ts";
import { EEXIST, EINVAL } from "../sys/errno.ts";
import { O_CLOEXEC, O_CREAT, O_EXCL, O_RDONLY } from "../sys/flags.ts";

/**
 * A network namespace: a name under `/run/netns`, or `{ name }`, `{ path }`
 * (any nsfs file), `{ pid }` (that process's namespace) or `{ fd }` (an
 * open namespace descriptor, not closed by nlkit).
 */
export type NetnsTarget = string | { name: string } | { path: string } | { pid: number } | { fd: number };

/** Where `ip netns` keeps named namespaces. */
export const NETNS_RUN_DIR = "/run/netns";

const CLONE_NEWNET = 0x40000000;
const MS_BIND = 4096;
const MS_REC = 16384;
const MS_SHARED = 1 << 20;
const MNT_DETACH = 2;

/** Checks a namespace name as `ip netns` would accept it. */
export function checkNetnsName(name: string): string {
  if (!name || name.length > 255 || name.includes("/") || name === "." || name === "..") {
    throw new InvalidArgumentError(`Invalid namespace name: "${name}"`);
  }
  return name;
}

/** The nsfs path for a target (`undefined` for a descriptor). */
export function netnsPath(target: NetnsTarget): string | undefined {
  if (typeof target === "string") return `${NETNS_RUN_DIR}/${checkNetnsName(target)}`;
  if ("name" in target) return `${NETNS_RUN_DIR}/${checkNetnsName(target.name)}`;
  if ("path" in target) return target.path;
  if ("pid" in target) {
    if (!Number.isInteger(target.pid) || target.pid <= 0) {
      throw new InvalidArgumentError(`Invalid pid: "${target.pid}"`);
    }
    return `/proc/${target.pid}/ns/net`;
  }
  return undefined;
}

/** Opens a target namespace; the caller closes the descriptor unless the target was `{ fd }`. */
export function openNetns(sys: Sys, target: NetnsTarget): { fd: number; owned: boolean } {
  const path = netnsPath(target);
  if (path === undefined) return { fd: (target as { fd: number }).fd, owned: false };
  try {
    return { fd: sys.open(path, O_RDONLY | O_CLOEXEC), owned: true };
  } catch (e) {
    if (e instanceof SysError && e.code === "ENOENT") {
      const key = typeof target === "string" ? target : "name" in target ? target.name : path;
      const message = `open network namespace ${JSON.stringify(path)} failed: No such file or directory (ENOENT)`;
      throw notFound({ kind: "network namespace", key }, "open network namespace", message);
    }
    throw e;
  }
}

/**
 * Runs `fn` with the calling thread inside `target`, then switches back,
 * even when `fn` throws. `fn` must be synchronous: an `await` would let
 * other code run inside the namespace.
 */
export function withNetns<T>(sys: Sys, target: NetnsTarget, fn: () => T): T {
  netnsPath(target); // reject a bad name before touching the thread
  const orig = sys.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  let dest: { fd: number; owned: boolean } | undefined;
  try {
    dest = openNetns(sys, target);
    sys.setns(dest.fd, CLONE_NEWNET);
    try {
      const out = fn();
      if (out instanceof Promise) throw new InvalidArgumentError("withNetns takes a synchronous function");
      return out;
    } finally {
      sys.setns(orig, CLONE_NEWNET);
    }
  } finally {
    if (dest?.owned) sys.close(dest.fd);
    sys.close(orig);
  }
}

function ensureRunDir(sys: Sys): void {
  const r = sys.mkdir(NETNS_RUN_DIR, 0o755);
  if (r < 0 && -r !== EEXIST) throw new SysError("mkdir", -r, NETNS_RUN_DIR);
  // Mounts under /run/netns must propagate between mount namespaces, as ip does.
  try {
    sys.mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC);
  } catch (e) {
    if (!(e instanceof SysError) || e.errno !== EINVAL) throw e;
    sys.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC);
    sys.mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC);
  }
}

/** Creates a named namespace, visible to `ip netns list` and usable with `ip -n`. */
export async function createNetns(name: string): Promise<void> {
  const sys = await loadSys();
  const path = `${NETNS_RUN_DIR}/${checkNetnsName(name)}`;
  ensureRunDir(sys);
  sys.close(sys.open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  const orig = sys.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  try {
    sys.unshare(CLONE_NEWNET);
    try {
      sys.mount("/proc/thread-self/ns/net", path, "none", MS_BIND);
    } finally {
      sys.setns(orig, CLONE_NEWNET);
    }
  } catch (e) {
    try {
      sys.unlink(path);
    } catch { /* the original error matters more */ }
    throw e;
  } finally {
    sys.close(orig);
  }
}

/** Deletes a named namespace (its interfaces go once nothing else holds it). */
export async function deleteNetns(name: string): Promise<void> {
  const sys = await loadSys();
  const path = `${NETNS_RUN_DIR}/${checkNetnsName(name)}`;
  try {
    sys.umount2(path, MNT_DETACH);
  } catch (e) {
    if (!(e instanceof SysError) || e.errno !== EINVAL) throw e; // not mounted: just remove the file
  }
  sys.unlink(path);
}

/** Names of the namespaces under `/run/netns` (needs read access there). */
export function listNetns(): string[] {
  try {
    return readDirNames(NETNS_RUN_DIR).sort();
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return [];
    throw e;
  }
}
