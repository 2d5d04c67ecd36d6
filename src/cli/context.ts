/**
 * What every command handler gets: the global options, the outputs and the
 * namespace to run in.
 *
 * @module
 */

import type { Output } from "./output.ts";
import type { Painter } from "./color.ts";
import type { Args } from "./args.ts";

/** Options given before the object (`nlkit -j -n lab link show`). */
export interface GlobalOptions {
  /** `-j`: JSON output. */
  json: boolean;
  /** `-p`: indented JSON. */
  pretty: boolean;
  /** `-d`: details (count of repeats). */
  details: number;
  /** `-s`: statistics (count of repeats). */
  stats: number;
  /** `-n NETNS`: run every command in this named namespace. */
  netns?: string;
  /** `-4`, `-6`, `-0`, `-B`, `-M`, `-f FAMILY`: address family filter, an `AF_*` number. */
  family?: number;
  /** `-br`: brief output. */
  brief: boolean;
  /** `-o`: one record per line. */
  oneline: boolean;
  /** `-t` / `-ts`: timestamp events (monitor); 0 none. */
  timestamp: number;
  /** `-ts`: the short timestamp form. */
  timestampShort: boolean;
  /** `-b FILE`: batch file ("-" for stdin). */
  batch?: string;
  /** `-force`: go on after a failed batch line. */
  force: boolean;
  /** `-c[=MODE]`: "always", "auto" (on a terminal) or "never" (the default, as in ip). */
  color: string;
  /** `-V`: print the version. */
  version: boolean;
  /** `-h`: print help. */
  help: boolean;
  /** `--pcap FILE`: record every netlink datagram to FILE (LINKTYPE_NETLINK). */
  pcap?: string;
}

/** The state a command runs with. */
export interface Context {
  /** Global options. */
  opts: GlobalOptions;
  /** Standard output. */
  out: Output;
  /** Standard error. */
  err: Output;
  /** Colours roles when colour is on. */
  paint: Painter;
  /** Options every library call gets (the namespace from `-n`). */
  lib: { netns?: string };
}

/** Runs one object's commands; returns an exit code (undefined means 0). */
export type Handler = (ctx: Context, args: Args) => Promise<number | void>;
