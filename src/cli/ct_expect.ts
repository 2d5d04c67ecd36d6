/**
 * `nlkit ct -G|-D|-I expect`: one expectation by its expected tuple.
 *
 * The expected tuple is `--tuple-src/--tuple-dst` with
 * `--tuple-port-src/--tuple-port-dst`; for `-G` and `-D`, conntrack's
 * `-s/-d/--sport/--dport` name it too. `-I` also needs the master (the
 * original direction of an entry with a helper: `-s/-d/--sport/--dport`, or
 * `--master-src/--master-dst/--master-port-src/--master-port-dst`), `-p` and
 * `-t`; the mask (`--mask-src/--mask-dst/--mask-port-src/--mask-port-dst`)
 * defaults to every bit of the tuple. `-D expect --helper NAME` deletes what
 * that helper expects.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { Context } from "./context.ts";
import type { CtArgs } from "./ct_arg_types.ts";
import { escapeControls } from "./args.ts";
import { JsonArrayWriter } from "./output.ts";
import { expectToJson, formatExpect } from "../netfilter/conntrack/expect.ts";
import {
  createExpect,
  deleteExpect,
  deleteExpectByHelper,
  type ExpectKey,
  type ExpectSpec,
  type ExpectTupleInput,
  getExpect,
} from "../netfilter/conntrack/expect_ops.ts";
import { AF_INET6, ipFamily } from "../wire/addr.ts";

/** A tuple from up to four options; undefined when no address was given. */
function tupleOf(
  src: string | undefined,
  dst: string | undefined,
  sport: number | undefined,
  dport: number | undefined,
  what: string,
): ExpectTupleInput | undefined {
  if (src === undefined && dst === undefined) return undefined;
  if (src === undefined || dst === undefined) {
    throw new InvalidArgumentError(`Missing ${src === undefined ? "source" : "destination"} address of the ${what}`);
  }
  const t: ExpectTupleInput = { src, dst };
  if (sport !== undefined) t.sport = sport;
  if (dport !== undefined) t.dport = dport;
  return t;
}

function proto(a: CtArgs, cmd: string): string | number {
  if (a.proto === undefined) throw new InvalidArgumentError(`Missing "-p" for "${cmd} expect"`);
  return /^\d+$/.test(a.proto) ? Number(a.proto) : a.proto;
}

/** The expected tuple: `--tuple-*`, else (for -G and -D, as conntrack reads them) `-s/-d/--sport/--dport`. */
function expectedTuple(a: CtArgs, cmd: string, origToo: boolean): ExpectTupleInput {
  const t = tupleOf(a.tupleSrc, a.tupleDst, a.tupleSport, a.tupleDport, "expected tuple") ??
    (origToo ? tupleOf(a.origSrc, a.origDst, a.sport, a.dport, "expected tuple") : undefined);
  if (!t) throw new InvalidArgumentError(`Missing expected tuple for "${cmd} expect" (--tuple-src and --tuple-dst)`);
  return t;
}

function keyOf(a: CtArgs, cmd: string): ExpectKey {
  const key: ExpectKey = { proto: proto(a, cmd), tuple: expectedTuple(a, cmd, true) };
  if (a.family) key.family = a.family;
  if (a.zone !== undefined) key.zone = a.zone;
  return key;
}

function say(ctx: Context, prefix: string, msg: string): void {
  ctx.err.line(`${prefix}: ${escapeControls(msg)}`);
}

/** `-G expect`: prints the expectation (ENOENT when there is none). */
export async function getExpectCommand(ctx: Context, a: CtArgs, prefix: string): Promise<number> {
  const x = await getExpect(keyOf(a, "-G"), ctx.lib);
  if (ctx.opts.json) {
    const json = new JsonArrayWriter(ctx.out, ctx.opts.pretty);
    json.item(expectToJson(x));
    json.end();
  } else {
    ctx.out.line(formatExpect(x));
  }
  ctx.out.flush();
  say(ctx, prefix, "1 expectations have been shown.");
  return 0;
}

/** `-D expect`: deletes one expectation by tuple, or all of a helper's with `--helper`. */
export async function deleteExpectCommand(ctx: Context, a: CtArgs, prefix: string): Promise<number> {
  if (a.helper !== undefined && a.tupleSrc === undefined && a.origSrc === undefined) {
    await deleteExpectByHelper(a.helper, ctx.lib);
    say(ctx, prefix, `expectations of helper "${a.helper}" have been deleted.`);
  } else {
    await deleteExpect(keyOf(a, "-D"), ctx.lib);
    say(ctx, prefix, "1 expectations have been deleted.");
  }
  return 0;
}

function exactMaskOf(addr: string): string {
  return ipFamily(addr) === AF_INET6 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" : "255.255.255.255";
}

/** `-I expect`: creates one expectation of a master that has a helper. */
export async function createExpectCommand(ctx: Context, a: CtArgs): Promise<number> {
  const p = proto(a, "-I");
  const tuple = expectedTuple(a, "-I", false);
  const master = tupleOf(
    a.masterSrc ?? a.origSrc,
    a.masterDst ?? a.origDst,
    a.masterSport ?? a.sport,
    a.masterDport ?? a.dport,
    "master",
  );
  if (!master) {
    throw new InvalidArgumentError(`Missing master for "-I expect" (-s and -d, or --master-src and --master-dst)`);
  }
  if (a.timeout === undefined) throw new InvalidArgumentError(`Missing "-t" for "-I expect"`);
  const spec: ExpectSpec = { proto: p, tuple, master, timeout: a.timeout };
  const masked = a.maskSrc ?? a.maskDst ?? a.maskSport ?? a.maskDport;
  if (masked !== undefined) {
    spec.mask = {
      src: a.maskSrc ?? exactMaskOf(tuple.src),
      dst: a.maskDst ?? exactMaskOf(tuple.dst),
      sport: a.maskSport ?? 0xffff,
      dport: a.maskDport ?? 0xffff,
    };
  }
  if (a.family) spec.family = a.family;
  if (a.zone !== undefined) spec.zone = a.zone;
  if (a.helper !== undefined) spec.helper = a.helper;
  await createExpect(spec, ctx.lib);
  return 0;
}
