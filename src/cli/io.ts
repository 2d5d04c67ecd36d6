/**
 * The little process I/O the CLI needs (write a descriptor, read a file,
 * environment, terminal check, signals, exit), on Deno's own API under Deno
 * and `node:*` modules under Bun. Deno's Node compatibility layer costs about
 * 40 ms to start, more than everything else `nlkit link show` does, so the
 * CLI never loads it under Deno. Under Bun, `node:fs` costs about 6 MB and
 * several ms at start-up, so output goes through libc's write(2) instead
 * (the netlink commands load libc anyway).
 *
 * @module
 */

import { SysError } from "../sys/sys.ts";

/** The parts of Deno's namespace used here. */
interface DenoIo {
  args: string[];
  exit(code: number): never;
  env: { get(name: string): string | undefined };
  readTextFileSync(path: string): string;
  stdout: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  stderr: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  addSignalListener(signal: string, fn: () => void): void;
  removeSignalListener(signal: string, fn: () => void): void;
}

/** The parts of Node's `process` (as Bun provides it) used here. */
interface NodeProcess {
  argv: string[];
  env: Record<string, string | undefined>;
  exit(code: number): never;
  on(signal: string, fn: () => void): void;
  off(signal: string, fn: () => void): void;
  getBuiltinModule(name: string): unknown;
}

/** The parts of `node:fs` and `node:tty` used here. */
interface NodeFs {
  writeSync(fd: number, b: Uint8Array, off: number, len: number): number;
  readFileSync(path: string, enc: "utf8"): string;
}

const deno = (globalThis as { Deno?: DenoIo }).Deno;
// Not even read under Deno: touching `globalThis.process` there starts the Node layer too.
const node = deno ? undefined : (globalThis as { process?: NodeProcess }).process;
let nodeFs: NodeFs | undefined;
let libcWrite: ((fd: number, bytes: Uint8Array) => number) | undefined;

function fs(): NodeFs {
  return nodeFs ??= node!.getBuiltinModule("node:fs") as NodeFs;
}

/** The command-line arguments after the program (and script) name. */
export function programArgs(): string[] {
  return deno ? deno.args : node!.argv.slice(2);
}

/** Ends the process with `code`. */
export function exitProcess(code: number): never {
  return deno ? deno.exit(code) : node!.exit(code);
}

/** An environment variable, or undefined. */
export function envVar(name: string): string | undefined {
  return deno ? deno.env.get(name) : node!.env[name];
}

/** True when `fd` (1 or 2) is a terminal. */
export function isTerminal(fd: 1 | 2): boolean {
  if (deno) return (fd === 1 ? deno.stdout : deno.stderr).isTerminal();
  return (node!.getBuiltinModule("node:tty") as { isatty(fd: number): boolean }).isatty(fd);
}

/** Reads a whole text file ("/dev/stdin" for standard input). */
export function readText(path: string): string {
  return deno ? deno.readTextFileSync(path) : fs().readFileSync(path, "utf8");
}

/** Under Bun, writes through libc from now on (node:fs stays the fallback if libc cannot load). */
export async function prepareOutput(): Promise<void> {
  if (deno || libcWrite) return;
  try {
    const { loadSys } = await import("../sys/load.ts");
    const sys = await loadSys();
    libcWrite = (fd, bytes) => {
      const n = sys.write(fd, bytes);
      if (n < 0) throw new SysError("write", -n);
      return n;
    };
  } catch { /* no libc: node:fs writes */ }
}

/** Writes part of `bytes` to `fd` (1 or 2); returns how many bytes went out. */
export function writeSome(fd: 1 | 2, bytes: Uint8Array): number {
  if (deno) return (fd === 1 ? deno.stdout : deno.stderr).writeSync(bytes);
  if (libcWrite) return libcWrite(fd, bytes);
  return fs().writeSync(fd, bytes, 0, bytes.length);
}

/** Calls `fn` on SIGINT and SIGTERM until the returned function is called. */
export function onStopSignals(fn: () => void): () => void {
  const signals = ["SIGINT", "SIGTERM"];
  for (const s of signals) deno ? deno.addSignalListener(s, fn) : node!.on(s, fn);
  return () => {
    for (const s of signals) deno ? deno.removeSignalListener(s, fn) : node!.off(s, fn);
  };
}
