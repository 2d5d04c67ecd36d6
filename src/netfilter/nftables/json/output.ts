/**
 * nft's output flags that change how values print, in its JSON and text
 * alike (nft 1.0.6's `octx->flags`: `-n`, `-p`, `-S`, `-u`, `-N`), and the
 * system names they print: services from `/etc/services`, users and
 * groups from `/etc/passwd` and `/etc/group` (what glibc's `files` source
 * answers), host names from a resolver the caller supplies.
 *
 * @module
 */

import { readTextOrUndefined } from "../../../sys/files.ts";

/** How values print; all off is nft's default. */
export interface NftOutput {
  /** `-n`: values of named types (`ct state`, `icmp type`...) as numbers. */
  numericSymbol?: boolean;
  /** `-p` (and `-n`): layer-4 protocols as numbers. */
  numericProto?: boolean;
  /** `-S`: ports as service names. */
  service?: boolean;
  /** `-u`: user and group ids as names. */
  guid?: boolean;
  /** `-N`: the host name of an address (its 4 or 16 bytes), as nft's getnameinfo finds it; undefined when none. */
  hostName?: (addr: Uint8Array) => string | undefined;
  /**
   * The values are for nft's text, not its JSON: a range's ends print
   * fully numeric there, and `-n` does not byte-swap named big-endian
   * values (nft's JSON prints `ether type ip` as 8).
   */
  text?: boolean;
}

let current: NftOutput = {};

/** Sets how the values of nft's JSON and text print from now on (the CLI's listing flags). */
export function setNftOutput(o: NftOutput): void {
  current = o;
}

/** How values print now. */
export function nftOutput(): NftOutput {
  return current;
}

/**
 * Runs `render` with a range's flags: nft prints a range's ends without
 * service names and with protocol numbers, and in text fully numeric.
 */
export function inRange<T>(render: () => T): T {
  const saved = current;
  current = saved.text
    ? { numericSymbol: true, numericProto: true, text: true }
    : { ...saved, service: false, numericProto: true };
  try {
    return render();
  } finally {
    current = saved;
  }
}

const tables = new Map<string, Map<number, string>>();

/** `NAME ... ID ...` lines of `path`, `name` at field 0 and the id at field `idField` (`:`-separated), first name wins. */
function idNames(path: string, idField: number): Map<number, string> {
  let m = tables.get(path);
  if (m) return m;
  m = new Map();
  for (const line of (readTextOrUndefined(path) ?? "").split("\n")) {
    const f = line.split(":");
    const id = Number(f[idField]);
    if (f.length > idField && f[idField] !== "" && Number.isInteger(id) && !m.has(id)) m.set(id, f[0]);
  }
  tables.set(path, m);
  return m;
}

/** The service of `port` as getservbyport(port, NULL) finds it: the first line of `/etc/services` for it. */
export function serviceName(port: number): string | undefined {
  let m = tables.get("/etc/services");
  if (!m) {
    m = new Map();
    for (const line of (readTextOrUndefined("/etc/services") ?? "").split("\n")) {
      const x = /^([^\s#]+)\s+(\d+)\//.exec(line);
      if (x && !m.has(Number(x[2]))) m.set(Number(x[2]), x[1]);
    }
    tables.set("/etc/services", m);
  }
  return m.get(port);
}

/** The port of service `name` (or an alias) as getservbyname(name, NULL) finds it in `/etc/services`. */
export function servicePort(name: string): number | undefined {
  let m = ports;
  if (!m) {
    m = ports = new Map();
    for (const line of (readTextOrUndefined("/etc/services") ?? "").split("\n")) {
      const x = /^([^\s#]+)\s+(\d+)\/\S+((?:[ \t]+[^\s#]+)*)/.exec(line);
      if (!x) continue;
      for (const n of [x[1], ...x[3].trim().split(/\s+/)]) if (n && !m.has(n)) m.set(n, Number(x[2]));
    }
  }
  return m.get(name);
}
let ports: Map<string, number> | undefined;

/** The user name of `uid` (getpwuid). */
export function userName(uid: number): string | undefined {
  return idNames("/etc/passwd", 2).get(uid);
}

/** The group name of `gid` (getgrgid). */
export function groupName(gid: number): string | undefined {
  return idNames("/etc/group", 2).get(gid);
}

/** The uid of user `name` (getpwnam), from `/etc/passwd`. */
export function userId(name: string): number | undefined {
  return idOf(idNames("/etc/passwd", 2), name);
}

/** The gid of group `name` (getgrnam), from `/etc/group`. */
export function groupId(name: string): number | undefined {
  return idOf(idNames("/etc/group", 2), name);
}

function idOf(ids: Map<number, string>, name: string): number | undefined {
  for (const [id, n] of ids) if (n === name) return id;
  return undefined;
}
