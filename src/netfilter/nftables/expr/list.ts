/**
 * Expression lists (`NFTA_RULE_EXPRESSIONS`, `NFTA_SET_ELEM_EXPRESSIONS`):
 * `NFTA_LIST_ELEM` nests of `NFTA_EXPR_NAME` and `NFTA_EXPR_DATA`, each
 * data decoded by the table the registry names.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { MalformedError } from "../../../wire/errors.ts";
import { type Attrs, type AttrTable, type Codec, forEachAttr, parseAttrs, readString } from "../../../wire/table.ts";
import { isKnownExpr, NFT_EXPRESSIONS, type NftExpr } from "./registry.ts";
import { NFT_EXPRESSIONS_BUILDERS } from "./_generated/registry.ts";

const NFTA_LIST_ELEM = 1;
const NFTA_EXPR_NAME = 1;
const NFTA_EXPR_DATA = 2;

/** Decodes one `NFTA_EXPR_*` nest (name and data) in `buf[start, end)`. */
export function parseExpr(buf: Uint8Array, view: DataView, start: number, end: number): NftExpr {
  let name: string | undefined;
  let ds = -1;
  let de = -1;
  forEachAttr(view, start, end, (type, s, e) => {
    const t = type & 0x3fff;
    if (t === NFTA_EXPR_NAME) name = readString(buf, s, e);
    else if (t === NFTA_EXPR_DATA) [ds, de] = [s, e];
  });
  if (name === undefined) throw new MalformedError("Expression without NFTA_EXPR_NAME", start);
  if (!isKnownExpr(name)) return { name, raw: ds < 0 ? new Uint8Array(0) : buf.slice(ds, de) };
  const table: AttrTable = NFT_EXPRESSIONS[name];
  const attrs = ds < 0 ? {} : parseAttrs(table, buf, view, ds, de);
  return { name, ...attrs } as NftExpr;
}

/** Appends one expression as an `NFTA_LIST_ELEM` nest. */
export function buildExpr(b: MessageBuilder, expr: NftExpr): void {
  // Open and close rather than nested callbacks, the expression itself as the attributes (no table has
  // a `name` key), written by its table's generated builder: a 10,000-rule batch builds some 60,000 of these.
  const elem = b.open(NFTA_LIST_ELEM);
  b.string(NFTA_EXPR_NAME, expr.name);
  if ("raw" in expr) {
    if (expr.raw.length) b.attr(NFTA_EXPR_DATA | 0x8000, (d) => d.raw(expr.raw));
    b.close(elem);
    return;
  }
  const name = expr.name;
  if (!isKnownExpr(name)) throw new InvalidArgumentError(`Cannot build expression "${name}": unknown expression`);
  const table: AttrTable = NFT_EXPRESSIONS[name];
  for (const k in expr) {
    if (k !== "name" && k !== "unknown" && !Object.hasOwn(table, k)) {
      throw new InvalidArgumentError(
        `Cannot use key "${k}" in ${name} expression: expected ${Object.keys(table).join(", ")}`,
      );
    }
  }
  const data = b.open(NFTA_EXPR_DATA);
  (NFT_EXPRESSIONS_BUILDERS[name] as (b: MessageBuilder, a: Attrs<AttrTable>) => MessageBuilder)(
    b,
    expr as Attrs<AttrTable>,
  );
  b.close(data);
  b.close(elem);
}

/** `NFTA_*_EXPRESSIONS` as a list of typed expressions. */
export const EXPR_LIST: Codec<NftExpr[]> = {
  parse(buf, view, start, end): NftExpr[] {
    const out: NftExpr[] = [];
    forEachAttr(view, start, end, (type, s, e) => {
      if ((type & 0x3fff) === NFTA_LIST_ELEM) out.push(parseExpr(buf, view, s, e));
    });
    return out;
  },
  build(b, value): void {
    for (const expr of value) buildExpr(b, expr);
  },
};

/** A single expression nest (`NFTA_SET_EXPR`, `NFTA_DYNSET_EXPR`). */
export const EXPR_ONE: Codec<NftExpr> = {
  parse: parseExpr,
  build(b, value): void {
    const { name } = value;
    b.string(NFTA_EXPR_NAME, name);
    if ("raw" in value) {
      if (value.raw.length) b.attr(NFTA_EXPR_DATA | 0x8000, (d) => d.raw(value.raw));
      return;
    }
    const { name: _n, ...attrs } = value;
    const table: AttrTable = NFT_EXPRESSIONS[name as keyof typeof NFT_EXPRESSIONS];
    b.nest(NFTA_EXPR_DATA, (d) => d.attrs(table, attrs as Attrs<AttrTable>));
  },
};
