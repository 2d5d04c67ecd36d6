/**
 * nft's command language for the commands scripts use, turned into nft's
 * JSON commands (then applied like a JSON document): tables, chains, sets
 * and maps, elements, and rules made of the statements the JSON layer
 * covers.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { Json } from "../json/types.ts";
import { count, parseDuration, tokenize, Tokens, unquote, wholeToken } from "./tokens.ts";
import { FAMILIES, family, priority } from "./families.ts";
import { once, parseStatements, setBody } from "./statement.ts";

type Obj = { [k: string]: Json };

/** `snat ip prefix to ...`: a nat statement's prefix flag, not a log prefix. */
const NAT_PREFIX = /^ip6?$/;

/** A type name; `inet_service:verdict` splits at its colon, the key-data one (no type name has one). */
function typeWord(t: Tokens): string {
  const c = /^([a-z_0-9]+):([a-z_0-9]+)$/.exec(t.peek() ?? "");
  if (c) t.t.splice(t.i, 1, c[1], ":", c[2]);
  return t.next("a type");
}

/** `= { a, b }` after `devices`: one device as a name, several (`NFTA_HOOK_DEVS`) as a list, as nft's JSON has them. */
function deviceSet(t: Tokens): Json {
  t.expect("=");
  t.expect("{");
  const devs = [unquote(t.next("a device"))];
  while (t.eat(",")) devs.push(unquote(t.next("a device")));
  t.expect("}");
  return devs.length === 1 ? devs[0] : devs;
}

/** Parses `{ key value; ... }` declarations of a table, chain or set body. */
function body(t: Tokens, on: (t: Tokens, key: string) => void): void {
  if (!t.eat("{")) return;
  while (!t.eat("}")) {
    if (t.eat(";")) continue;
    on(t, t.next("a declaration"));
  }
}

/**
 * A command's words as `tokenize` splits them joined by spaces, with the
 * quotes the shell removed around a log prefix or a comment put back. A
 * script's words are whole already: only a command line's need splitting.
 */
function commandTokens(words: readonly string[]): string[] {
  const out: string[] = [];
  let whole = true;
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    const prev = words[i - 1];
    if (
      (prev === "prefix" || prev === "comment") && !w.startsWith('"') && !(w === "to" && NAT_PREFIX.test(words[i - 2]))
    ) {
      w = JSON.stringify(w);
    }
    if (whole && !wholeToken(w)) whole = false;
    out.push(w);
  }
  return whole ? out : tokenize(out.join(" "));
}

/** Turns one nft command (`add rule inet t c tcp dport 22 accept`) into nft JSON commands. */
export function parseCommand(cmd: string, words: readonly string[]): Json[] {
  const t = new Tokens(commandTokens(words));
  const what = t.next("what to change (table, chain, rule, set, map, element, counter, quota, ruleset)");
  if (what === "ruleset") {
    if (cmd !== "flush") throw new InvalidArgumentError(`Cannot ${cmd} the ruleset: only flush`);
    const f = FAMILIES.includes(t.peek() ?? "") ? t.next("a family") : undefined;
    return [{ flush: { ruleset: f === undefined ? null : { family: f } } }];
  }
  const fam = family(t);
  const o: Obj = { family: fam };
  switch (what) {
    case "table":
      o.name = t.next("a table name");
      if (o.name === "handle") o.handle = t.nextNumber("a handle"), delete o.name;
      body(t, (t, key) => {
        if (key === "flags") o.flags = t.next("table flags");
        else if (key === "comment") once(o, "comment", unquote(t.next("a comment")));
        else throw new InvalidArgumentError(`Cannot use "${key}" in a table`);
      });
      break;
    case "chain":
      o.table = t.next("a table name");
      if (t.peek() === "handle") o.handle = (t.i++, t.nextNumber("a handle"));
      else o.name = unquote(t.next("a chain name"));
      body(t, (t, key) => {
        if (key === "type") {
          o.type = t.next("a chain type");
          t.expect("hook");
          o.hook = t.next("a hook");
          if (t.eat("device")) o.dev = unquote(t.next("a device"));
          else if (t.eat("devices")) o.dev = deviceSet(t);
          t.expect("priority");
          let p = t.next("a priority");
          if (t.peek() === "+" || t.peek() === "-") p += ` ${t.next("+")} ${t.next("an offset")}`;
          else if (/^[+-]\d+$/.test(t.peek() ?? "") && !/^-?\d+$/.test(p)) p += ` ${t.next("an offset")}`; // `raw -10`
          o.prio = priority(p, fam, String(o.hook));
        } else if (key === "policy") o.policy = t.next("a policy");
        else if (key === "comment") once(o, "comment", unquote(t.next("a comment")));
        else throw new InvalidArgumentError(`Cannot use "${key}" in a chain`);
      });
      break;
    case "set":
    case "map": {
      o.table = t.next("a table name");
      o.name = t.next(`a ${what} name`);
      if (o.name === "handle" && cmd === "delete") o.handle = t.nextNumber("a handle"), delete o.name;
      const elems: Json[] = [];
      body(t, (t, key) => {
        if (key === "type") {
          const types = [typeWord(t)];
          while (t.eat(".")) types.push(typeWord(t));
          o.type = types.length > 1 ? types : types[0];
          if (what === "map") {
            t.expect(":");
            const data = [t.next("a data type")];
            while (t.eat(".")) data.push(t.next("a data type"));
            o.map = data.join(" . ");
          }
        } else if (key === "flags") {
          const f = [t.next("a flag")];
          while (t.eat(",")) f.push(t.next("a flag"));
          o.flags = f;
        } else if (key === "timeout") o.timeout = parseDuration(t.next("a timeout"));
        else if (key === "gc-interval") o["gc-interval"] = parseDuration(t.next("an interval"));
        else if (key === "size") o.size = t.nextNumber("a size");
        else if (key === "policy") o.policy = t.next("a policy");
        else if (key === "comment") once(o, "comment", unquote(t.next("a comment")));
        else if (key === "elements") {
          t.expect("=");
          for (const e of setBody(t, what === "map")) elems.push(e);
        } else throw new InvalidArgumentError(`Cannot use "${key}" in a ${what}`);
      });
      if (elems.length) o.elem = elems;
      break;
    }
    case "element":
      o.table = t.next("a table name");
      o.name = t.next("a set name");
      o.elem = setBody(t, t.t.slice(t.i).includes(":"));
      break;
    case "rule": {
      o.table = t.next("a table name");
      o.chain = unquote(t.next("a chain name"));
      if (t.peek() === "handle" || t.peek() === "position") {
        const k = t.next("handle");
        o[cmd === "add" || cmd === "insert" ? "position" : "handle"] = t.nextNumber(`a ${k}`);
      } else if (t.peek() === "index" && (cmd === "add" || cmd === "insert")) {
        o.index = (t.i++, t.nextNumber("an index"));
      }
      // A rule is deleted by its handle only (nft's grammar): without one the kernel would delete them all.
      if ((cmd === "delete" || cmd === "replace") && o.handle === undefined) {
        throw new InvalidArgumentError(`syntax error, unexpected ${t.peek() ?? "newline"}, expecting handle`);
      }
      if (cmd !== "delete") {
        const { expr: e, comment } = parseStatements(t.t.slice(t.i));
        o.expr = e;
        if (comment !== undefined) o.comment = comment;
        t.i = t.t.length;
      }
      break;
    }
    case "counter":
    case "quota":
      o.table = t.next("a table name");
      if (t.peek() === "handle" && cmd === "delete") o.handle = (t.i++, count(t.next("a handle"), "a handle"));
      else o.name = unquote(t.next(`a ${what} name`));
      if (cmd === "delete") break;
      // `add counter ip t c packets 1 bytes 2` or `add counter ip t c { packets 1 bytes 2; comment "x" }`.
      if (t.peek() !== "{") statefulConfig(t, what, o);
      body(t, (t, key) => {
        if (key === "comment") return void (once(o, "comment", unquote(t.next("a comment"))));
        const at = --t.i;
        statefulConfig(t, what, o);
        if (t.i === at) throw new InvalidArgumentError(`Cannot use "${key}" in a ${what}`);
      });
      break;
    default:
      throw new InvalidArgumentError(
        `Cannot ${cmd} "${what}": expected table, chain, rule, set, map, element, counter, quota or ruleset`,
      );
  }
  if (!t.done) throw new InvalidArgumentError(`Unexpected "${t.peek()}"`);
  return [{ [cmd]: { [what]: o } }];
}

const BYTE_UNITS: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 ** 2, gbytes: 1024 ** 3 };

/** `N UNIT` (`25 mbytes`) as bytes. */
function byteAmount(t: Tokens, what: string): number {
  const n = count(t.next(what), what);
  const unit = t.next("a byte unit (bytes, kbytes, mbytes, gbytes)");
  const k = BYTE_UNITS[unit];
  if (k === undefined) {
    throw new InvalidArgumentError(`Cannot use byte unit "${unit}": expected ${Object.keys(BYTE_UNITS).join(", ")}`);
  }
  return n * k;
}

/** A counter's `packets N bytes M` or a quota's `[over|until] N UNIT [used N UNIT]`, into nft JSON keys. */
function statefulConfig(t: Tokens, what: string, o: Obj): void {
  if (what === "counter") {
    if (t.eat("packets")) o.packets = count(t.next("a packet count"), "a packet count");
    if (t.eat("bytes")) o.bytes = count(t.next("a byte count"), "a byte count");
    return;
  }
  if (t.eat("over")) o.inv = true;
  else t.eat("until");
  o.bytes = byteAmount(t, "a quota");
  if (t.eat("used")) o.used = byteAmount(t, "a used amount");
}
