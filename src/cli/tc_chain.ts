/**
 * `nlkit tc chain add|del|get|show [ dev DEV ] [ parent P | ingress |
 * egress | root ] [ chain N ] [ KIND OPTIONS ]`: filter chains as tc
 * handles them (tc/tc_filter.c, which prints them with the filter
 * printer's rules). A template (`KIND OPTIONS`) is taken by `add` alone;
 * `block` is refused, as nlkit has no shared blocks.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import { type TableWord, wordTable } from "./aliases.ts";
import type { Context } from "./context.ts";
import { indexNames, nameOfIndex } from "./names.ts";
import { invalidArgument } from "./numbers.ts";
import { linkLookup, nameIndex } from "./tc_links.ts";
import { addTcChain, deleteTcChain, getTcChain, streamTcChains, type TcChainSpec } from "../route/tc/chain.ts";
import { filterKind } from "../route/tc/filter/registry.ts";
import { printChain } from "../route/tc/print.ts";
import { TcPrinter } from "../route/tc/printer.ts";
import { parentOf } from "../route/tc/request.ts";
import { TcWords } from "../route/tc/words.ts";
import { intWord } from "../words.ts";

/** tc's `do_chain` commands. */
export const CHAIN_COMMANDS: readonly TableWord[] = wordTable("add delete=del get show list=show lst=show help");

interface ChainWords {
  dev?: string;
  parent?: string;
  chain?: number;
  kind?: string;
}

/** Reads the words up to the template kind, as tc_filter_modify and tc_filter_list read them. */
function chainWords(w: TcWords, cmd: string): ChainWords {
  const out: ChainWords = {};
  const once = (key: keyof ChainWords, word: string) => {
    if (out[key] !== undefined) throw new UsageError(`Duplicate "${word}" in tc chain ${cmd}`, word);
  };
  for (let word = w.peek(); word !== undefined; word = w.peek()) {
    w.next();
    if (word === "dev") {
      once("dev", word);
      out.dev = w.value("dev", "device");
    } else if (word === "parent") {
      once("parent", word);
      out.parent = w.value("parent", "handle");
    } else if (word === "root" || word === "ingress" || word === "egress") {
      once("parent", word);
      out.parent = word;
    } else if (word === "chain") {
      once("chain", word);
      const v = w.value("chain", "chain index");
      const n = intWord(v);
      if (!(n <= 0xffffffff)) throw invalidArgument(v, "invalid chain index value");
      out.chain = n;
    } else if (word === "block") {
      throw new UsageError(`Cannot use "block": nlkit does not handle shared filter blocks`, word);
    } else if (cmd === "add") {
      out.kind = word;
      return out;
    } else {
      throw new UsageError(`Unexpected argument: "${word}"`, word);
    }
  }
  return out;
}

function specOf(c: ChainWords, cmd: string): TcChainSpec {
  if (c.dev === undefined) throw new UsageError(`Missing "dev" in tc chain ${cmd}`, "dev");
  const spec: TcChainSpec = { dev: c.dev };
  if (c.chain !== undefined) spec.chain = c.chain;
  if (c.parent !== undefined) spec.parent = c.parent === "root" ? 0xffffffff : c.parent;
  return spec;
}

/** Handles `nlkit tc chain ...` after the command word. */
export async function tcChain(ctx: Context, cmd: string, w: TcWords): Promise<void> {
  const c = chainWords(w, cmd);
  if (cmd === "add" || cmd === "del") {
    const spec = specOf(c, cmd);
    if (c.kind !== undefined) {
      const k = filterKind(c.kind);
      if (!k) throw new UsageError(`Unknown filter kind: "${c.kind}"`, c.kind);
      spec.kind = c.kind;
      const rest = new TcWords(w.rest());
      if (!rest.done) spec.options = k.options.words(rest, { linkIndex: linkLookup(await nameIndex(ctx)) });
    }
    return cmd === "add" ? await addTcChain(spec, ctx.lib) : await deleteTcChain(spec, ctx.lib);
  }
  const links = await indexNames(ctx);
  const p = new TcPrinter(ctx.opts.json, ctx.opts.pretty);
  const print = { details: ctx.opts.details, stats: ctx.opts.stats, linkName: (i: number) => nameOfIndex(links, i) };
  const emit = (fn: () => void) => {
    fn();
    ctx.out.write(ctx.opts.json ? p.json() : p.take());
  };
  p.openArray();
  if (cmd === "get") {
    const chain = await getTcChain(specOf(c, cmd), ctx.lib);
    emit(() => printChain(p, chain, { ...print, hideDev: true })); // tc get leaves out only the device
  } else {
    if (c.dev === undefined) throw new UsageError(`Missing "dev" in tc chain show`, "dev");
    const parent = c.parent === undefined ? undefined : c.parent === "root" ? 0xffffffff : parentOf(c.parent, 0);
    const listedBy = { parent, chain: c.chain };
    for await (const chain of streamTcChains({ dev: c.dev, parent, chain: c.chain }, ctx.lib)) {
      emit(() => printChain(p, chain, { ...print, hideDev: true, listedBy }));
    }
  }
  p.close();
  if (ctx.opts.json) ctx.out.write(p.json() + "\n");
}
