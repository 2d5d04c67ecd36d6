/**
 * nft's stateful object declarations other than counters and quotas, as
 * nft's JSON commands: `limit NAME { rate 10/second burst 5 packets }`,
 * `ct helper NAME { type "ftp" protocol tcp; l3proto ip }`,
 * `ct expectation NAME { protocol tcp; dport 21; timeout 1m; size 12; l3proto ip }`
 * and `synproxy NAME { mss 1460 wscale 7 timestamp sack-perm }`, in block
 * form or on one line.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { Json } from "../json/types.ts";
import { DUPLICATED, parseStatements } from "./statement.ts";
import { nftNumber, parseDuration } from "./tokens.ts";

type Obj = { [k: string]: Json };

const FAMILIES = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

function unquote(w: string): string {
  return w.startsWith('"') ? w.slice(1, -1) : w;
}

function int(w: string | undefined, what: string): number {
  const n = w === undefined ? NaN : nftNumber(w);
  if (Number.isNaN(n)) throw new InvalidArgumentError(`Cannot use "${w ?? ""}" as ${what}`);
  return n;
}

/**
 * `cmd KIND [FAMILY] TABLE NAME [words...]` with the declarations of its
 * block (`decls`, one word list each) as one JSON command.
 */
export function objectCommand(cmd: string, head: readonly string[], decls: readonly (readonly string[])[]): Json {
  const ct = head[0] === "ct";
  const kind = ct ? `ct ${head[1]}` : head[0];
  let rest = head.slice(ct ? 2 : 1);
  const family = FAMILIES.includes(rest[0]) ? rest[0] : "ip";
  if (family === rest[0]) rest = rest.slice(1);
  const [table, name, ...inline] = rest;
  if (table === undefined || name === undefined) throw new InvalidArgumentError(`Missing table or name of ${kind}`);
  const o: Obj = { family, table, name: unquote(name) };
  if (cmd === "delete" || cmd === "destroy") {
    if (inline.length || decls.length) throw new InvalidArgumentError(`Unexpected "${inline[0]}" after ${kind} name`);
    return { [cmd]: { [kind]: o } };
  }
  const words = [...inline, ...decls.flatMap((d) => [...d, ";"])];
  const all = words.filter((w) => w !== ";");
  const comment = all.indexOf("comment");
  if (comment >= 0) {
    o.comment = unquote(all[comment + 1] ?? "");
    all.splice(comment, 2);
    if (all.includes("comment")) throw new InvalidArgumentError(DUPLICATED);
  }
  if (kind === "limit") {
    const { expr } = parseStatements(["limit", ...all]);
    if (expr.length !== 1) throw new InvalidArgumentError(`Cannot use "${all.join(" ")}" as a limit`);
    Object.assign(o, (expr[0] as Obj).limit as Obj);
  } else if (kind === "ct helper") keyed(all, o, { type: (w) => unquote(w), protocol: String, l3proto: String });
  else if (kind === "ct expectation") {
    keyed(all, o, {
      protocol: String,
      dport: (w) => int(w, "a port"),
      timeout: durationMs,
      size: (w) => int(w, "a size"),
      l3proto: String,
    });
  } else if (kind === "ct timeout") {
    const eq = all.indexOf("policy");
    if (eq >= 0) {
      o.policy = timeoutPolicyWords(all.slice(eq + 1));
      all.splice(eq);
    }
    keyed(all, o, { protocol: String, l3proto: String });
  } else if (kind === "synproxy") {
    const { expr } = parseStatements(["synproxy", ...all]);
    if (expr.length !== 1) throw new InvalidArgumentError(`Cannot use "${all.join(" ")}" as a synproxy`);
    Object.assign(o, (expr[0] as Obj).synproxy ?? {});
  } else throw new InvalidArgumentError(`Cannot ${cmd} "${kind}": nlkit does not apply it from nft's language`);
  return { [cmd]: { [kind]: o } };
}

/** `= { established : 123, close : 2m }` as nft's JSON policy (seconds by state). */
function timeoutPolicyWords(w: readonly string[]): Json {
  if (w[0] !== "=" || w[1] !== "{" || w[w.length - 1] !== "}") {
    throw new InvalidArgumentError(`Cannot use "${w.join(" ")}" as a policy: expected = { STATE : SECONDS, ... }`);
  }
  const out: Obj = {};
  const items = w.slice(2, -1).join(" ").split(",").map((x) => x.trim()).filter((x) => x);
  for (const item of items) {
    const m = /^([a-z_-]+)\s*:\s*(\S+)$/.exec(item);
    if (!m) throw new InvalidArgumentError(`Cannot use "${item}" in a policy: expected STATE : SECONDS`);
    out[m[1]] = /^\d+$/.test(m[2]) ? Number(m[2]) : parseDuration(m[2]);
  }
  return out;
}

const MS: Record<string, number> = { d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 };

/** nft's duration with milliseconds (`1m30s`, `100ms`) in milliseconds. */
function durationMs(w: string): number {
  const parts = [...w.matchAll(/(\d+)(ms|d|h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== w) {
    throw new InvalidArgumentError(`Cannot use "${w}" as a duration: expected e.g. 1m30s or 100ms`);
  }
  return parts.reduce((n, p) => n + Number(p[1]) * MS[p[2]], 0);
}

/** `key value` pairs into `o`, each key converted by its function; refuses any other word. */
function keyed(words: readonly string[], o: Obj, conv: { [key: string]: (w: string) => Json }): void {
  for (let i = 0; i < words.length; i += 2) {
    const f = conv[words[i]];
    if (!f) throw new InvalidArgumentError(`Cannot use "${words[i]}" here: expected ${Object.keys(conv).join(", ")}`);
    if (words[i + 1] === undefined) throw new InvalidArgumentError(`Missing value after "${words[i]}"`);
    o[words[i]] = f(words[i + 1]);
  }
}
