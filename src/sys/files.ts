/**
 * The few synchronous file reads nlkit makes outside netlink (namespace
 * files, /proc), through the runtime's own API: Deno's under Deno (its
 * `node:fs` would start the Node layer), `node:fs` under Bun.
 *
 * @module
 */

import { isRuntimePermissionDenied, runtimePermission } from "../errors.ts";

interface DenoFs {
  readDirSync(p: string): Iterable<{ name: string }>;
  readLinkSync(p: string): string;
  readTextFileSync(p: string): string;
  statSync(p: string): { dev: number; ino: number | null };
}

interface NodeFs {
  readdirSync(p: string): string[];
  readlinkSync(p: string): string;
  readFileSync(p: string, enc: "utf8"): string;
  statSync(p: string): { dev: number; ino: number };
}

const g = globalThis as { Deno?: DenoFs; process?: { getBuiltinModule(m: string): unknown } };
let nodeFs: NodeFs | undefined;

function fs(): NodeFs {
  return nodeFs ??= g.process!.getBuiltinModule("node:fs") as NodeFs;
}

/** Entry names of a directory; a `PermissionError` without Deno's `--allow-read`. */
export function readDirNames(dir: string): string[] {
  try {
    return g.Deno ? Array.from(g.Deno.readDirSync(dir), (e) => e.name) : fs().readdirSync(dir);
  } catch (e) {
    throw isRuntimePermissionDenied(e) ? runtimePermission(`read ${dir}`, "--allow-read", e) : e;
  }
}

/** The target of a symbolic link, or `undefined` when it cannot be read. */
export function readLinkOrUndefined(path: string): string | undefined {
  try {
    return g.Deno ? g.Deno.readLinkSync(path) : fs().readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** A whole text file, or `undefined` when it cannot be read. */
export function readTextOrUndefined(path: string): string | undefined {
  try {
    return g.Deno ? g.Deno.readTextFileSync(path) : fs().readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** `st_dev:st_ino` of a path (what tells two namespace files apart), or `undefined`. */
export function inodeOf(path: string): string | undefined {
  try {
    const st = g.Deno ? g.Deno.statSync(path) : fs().statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}
