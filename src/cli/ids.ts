/**
 * User and group names by number, from `/etc/passwd` and `/etc/group`, as
 * iproute2 prints a tun/tap owner (`getpwuid`, `getgrgid`).
 *
 * @module
 */

import { readText } from "./io.ts";

const cache = new Map<string, Map<number, string>>();

function table(path: string): Map<number, string> {
  let m = cache.get(path);
  if (m) return m;
  m = new Map();
  let text = "";
  try {
    text = readText(path);
  } catch { /* no such file: numbers print as numbers */ }
  for (const line of text.split("\n")) {
    const [name, , id] = line.split(":");
    // The first entry for an id wins, as with getpwuid.
    if (name && id !== undefined && /^\d+$/.test(id) && !m.has(Number(id))) m.set(Number(id), name);
  }
  cache.set(path, m);
  return m;
}

/** The user name of `uid`, or undefined. */
export function userName(uid: number): string | undefined {
  return table("/etc/passwd").get(uid);
}

/** The group name of `gid`, or undefined. */
export function groupName(gid: number): string | undefined {
  return table("/etc/group").get(gid);
}

/** A user or group as a number, or by name (`getpwnam`/`getgrnam`); undefined when no such name. */
export function idOf(kind: "user" | "group", v: string): number | undefined {
  if (/^\d+$/.test(v)) return Number(v);
  for (const [id, name] of table(kind === "user" ? "/etc/passwd" : "/etc/group")) if (name === v) return id;
  return undefined;
}
