/**
 * Running monitors (`ip monitor`, `nlkit monitor`, rtmon) side by side:
 * each is started, the test waits until each has joined its netlink
 * groups in the namespace, then acts, then stops them with SIGINT.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import process from "node:process";
import { run } from "./_helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** What one watched command printed, and how it ended. */
export interface Watched {
  /** stdout. */
  out: string;
  /** stderr. */
  err: string;
  /** Exit code (null when a signal ended it). */
  code: number | null;
  /** The signal that ended it. */
  signal: string | null;
}

/** Starts each command, waits until they listen, runs `act`, stops them with SIGINT; their output and exit. */
export async function watch(ns: string, cmds: [string, string[]][], act: () => void): Promise<Watched[]> {
  const kids = cmds.map(([cmd, args]) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "" } });
    let out = "", err = "";
    child.stdout.on("data", (d) => out += d);
    child.stderr.on("data", (d) => err += d);
    const done = new Promise<Watched>((resolve) =>
      child.on("close", (code, signal) => resolve({ out, err, code, signal: signal as string | null }))
    );
    return { child, done };
  });
  const start = Date.now();
  for (;;) {
    const table = run("ip", ["netns", "exec", ns, "cat", "/proc/net/netlink"]);
    // /proc shows only groups 1 to 32: after a while any socket in the namespace will do (RTNLGRP_STATS is 36).
    const late = Date.now() - start > 4000;
    if (kids.every((k) => k.child.pid && subscribed(k.child.pid, table, late)) || Date.now() - start > 30_000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300)); // a process may join its groups one by one
  act();
  await new Promise((r) => setTimeout(r, 700));
  // process.kill, not child.kill: Deno reports a child it signalled itself as killed even when it exited 0.
  for (const k of kids) process.kill(k.child.pid!, "SIGINT");
  return await Promise.all(kids.map((k) => k.done));
}

/**
 * `pid` (or, for `ip netns exec`, its child) holds a netlink socket that
 * joined a group, in `table` (the namespace's /proc/net/netlink: nlkit
 * opens its sockets there while its process stays in its own).
 */
function subscribed(pid: number, table: string, anyGroup = false): boolean {
  const pids = [pid, ...children(pid)];
  for (const p of pids) {
    let inodes: Set<string>;
    try {
      inodes = new Set(
        readdirSync(`/proc/${p}/fd`).map((fd) => {
          try {
            return readlinkSync(`/proc/${p}/fd/${fd}`);
          } catch {
            return "";
          }
        }).filter((l) => l.startsWith("socket:[")).map((l) => l.slice(8, -1)),
      );
    } catch {
      continue; // gone, or not started yet
    }
    for (const line of table.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 10 && inodes.has(f[9]) && (anyGroup || f[3] !== "00000000")) return true;
    }
  }
  return false;
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
