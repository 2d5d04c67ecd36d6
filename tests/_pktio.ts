/**
 * Fixtures for the NFQUEUE, NFLOG and pcap tests: two namespaces joined by
 * a veth pair, a UDP sender and a UDP receiver run as child processes of
 * this runtime under `ip netns exec`.
 *
 * @module
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { ip, run, withTempNetns } from "./_helpers.ts";

/** The two ends: `a` sends from 10.77.0.1, `b` receives on 10.77.0.2. */
export interface VethPair {
  a: string;
  b: string;
}

/** Address of the receiving side. */
export const B_ADDR = "10.77.0.2";

/** Runs `fn` with two fresh namespaces joined by a veth pair (both deleted afterwards). */
export function withVethPair<T>(fn: (p: VethPair) => Promise<T>): Promise<T> {
  return withTempNetns((a) =>
    withTempNetns((b) => {
      ip(a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b);
      ip(a, "addr", "add", "10.77.0.1/24", "dev", "va");
      ip(b, "addr", "add", `${B_ADDR}/24`, "dev", "vb");
      ip(a, "link", "set", "va", "up");
      ip(b, "link", "set", "vb", "up");
      return fn({ a, b });
    })
  );
}

const IS_BUN = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** argv that runs a JavaScript snippet with this runtime. */
function evalArgs(code: string): string[] {
  return IS_BUN ? [process.execPath, "-e", code] : [process.execPath, "eval", code];
}

/** Sends UDP datagrams (text payloads) from `ns` to `host:port`, one after the other. */
export function udpSend(ns: string, host: string, port: number, payloads: string[]): void {
  const code = `import dgram from "node:dgram";
const s = dgram.createSocket("udp4");
const msgs = ${JSON.stringify(payloads)};
const send = (m) => new Promise((r, j) => s.send(m, ${port}, ${JSON.stringify(host)}, (e) => e ? j(e) : r()));
// An ICMP port unreachable for an earlier datagram (no listener) fails the next send once: send it again.
for (const m of msgs) await send(m).catch((e) => e.code === "ECONNREFUSED" ? send(m) : Promise.reject(e));
s.close();`;
  const r = spawnSync("ip", ["netns", "exec", ns, ...evalArgs(code)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`UDP sender failed: ${r.stderr}`);
}

/** A UDP receiver running in a namespace; `lines` holds each datagram's text as it arrives. */
export class UdpReceiver {
  readonly lines: string[] = [];
  #child: ChildProcess;
  #ready: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(ns: string, port: number) {
    const code = `import dgram from "node:dgram";
const s = dgram.createSocket("udp4");
s.on("message", (m) => console.log(JSON.stringify(m.toString())));
s.bind(${port}, () => console.log("READY"));`;
    this.#child = spawn("ip", ["netns", "exec", ns, ...evalArgs(code)], { stdio: ["ignore", "pipe", "inherit"] });
    let buf = "";
    let ready!: () => void;
    this.#ready = new Promise((r) => ready = r);
    this.#child.stdout!.on("data", (d: Uint8Array) => {
      buf += new TextDecoder().decode(d);
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === "READY") ready();
        else this.lines.push(JSON.parse(line));
        for (const w of this.#waiters.splice(0)) w();
      }
    });
  }

  /** Resolves once the socket is bound. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Waits until `n` datagrams arrived, or `ms` passed; returns what arrived. */
  async waitFor(n: number, ms = 5000): Promise<string[]> {
    const deadline = Date.now() + ms;
    while (this.lines.length < n && Date.now() < deadline) {
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return this.lines;
  }

  /** Stops the receiver. */
  stop(): void {
    this.#child.kill();
  }
}

/** Runs `iptables` in a namespace. */
export function iptables(ns: string, ...args: string[]): string {
  return run("ip", ["netns", "exec", ns, "iptables", ...args]);
}

/** Runs `nft -f -` with `script` in a namespace. */
export function nft(ns: string, script: string): string {
  return run("ip", ["netns", "exec", ns, "nft", "-f", "-"], script);
}

/** Runs `nft -j ARGS` in a namespace and parses the result. */
// deno-lint-ignore no-explicit-any
export function nftJson(ns: string, ...args: string[]): any {
  return JSON.parse(run("ip", ["netns", "exec", ns, "nft", "-j", ...args]));
}

/** Packets counted by the first `counter` of rule with `comment` in an nft ruleset listing. */
export function nftCounter(ns: string, table: string, chain: string, comment: string): number {
  const out = nftJson(ns, "list", "chain", "inet", table, chain);
  for (const item of out.nftables) {
    if (item.rule?.comment !== comment) continue;
    for (const e of item.rule.expr) if (e.counter) return e.counter.packets;
  }
  throw new Error(`no rule "${comment}" in ${table}/${chain}`);
}
