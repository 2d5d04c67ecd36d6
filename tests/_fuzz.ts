/**
 * Shared fuzzing properties for the codec tests: parsers fed random and
 * mutated messages may throw only the typed errors of the wire layer.
 *
 * @module
 */

import fc from "fast-check";
import { MalformedError, TruncatedError } from "../src/wire/errors.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { InvalidArgumentError, NlkitError } from "../src/errors.ts";

/** An error class a parser may throw on bad bytes. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** What a parser may throw on bad input: the wire errors and bad-value errors. */
const TYPED_ERRORS: readonly ErrorClass[] = [TruncatedError, MalformedError, TypeError, RangeError];

/** The built-in classes: a parser that throws one of these as it is has crashed, not refused (a DataView read past the end, say). */
const BUILT_IN: readonly unknown[] = [Error, TypeError, RangeError, SyntaxError];

/**
 * Whether `e` is one of nlkit's typed refusals: a wire error, an
 * `InvalidArgumentError` or an `NlkitError`, never a built-in error itself.
 */
export function isTyped(e: unknown): boolean {
  return (e instanceof TruncatedError || e instanceof MalformedError || e instanceof InvalidArgumentError ||
    e instanceof NlkitError) && !BUILT_IN.includes(e.constructor);
}

/** Runs `fn`, rethrowing any error that is not one of `typed`, or that is a built-in error itself rather than nlkit's. */
export function onlyTyped(fn: () => unknown, typed: readonly ErrorClass[] = TYPED_ERRORS): void {
  try {
    fn();
  } catch (e) {
    if (!typed.some((T) => e instanceof T) || BUILT_IN.includes((e as Error).constructor)) throw e;
  }
}

/** `b` as a message whose `nlmsg_len` is `len` (written into `b`). */
export function asMessage(b: Uint8Array, len = b.length): NlMsg {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  view.setUint32(0, len, true);
  return readMessage(b, view, 0, len);
}

/** Options of {@link assertOnlyTypedErrors}. */
export interface FuzzOptions {
  /** Inputs to try. */
  numRuns: number;
  /** Longest random message. */
  maxLength: number;
  /** Most bytes changed in one mutated seed. */
  maxEdits: number;
  /** The errors a parser may throw (default: the wire errors, TypeError and RangeError). */
  typed?: readonly ErrorClass[];
}

/**
 * Runs every parser on random whole messages and on `seeds` with bytes
 * changed anywhere after nlmsg_len (headers included), and fails on any
 * error that is not typed. nlmsg_len always equals the length, so the
 * damage reaches the parser instead of the framer.
 */
export function assertOnlyTypedErrors(
  seeds: readonly Uint8Array[],
  parsers: readonly ((m: NlMsg) => unknown)[],
  o: FuzzOptions,
): void {
  const mutated = fc.tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: o.maxEdits }),
  ).map(([seed, edits]) => {
    const b = seed.slice();
    for (const [at, v] of edits) b[4 + (at % (b.length - 4))] = v;
    return b;
  });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ minLength: 16, maxLength: o.maxLength }), mutated), (bytes) => {
      const m = asMessage(bytes);
      for (const parse of parsers) onlyTyped(() => parse(m), o.typed);
    }),
    { numRuns: o.numRuns },
  );
}

/**
 * Captured messages with up to 8 payload bytes changed (the 16-byte header
 * is kept so lengths stay sane), then cut short: nlmsg_len claims the cut.
 */
export function mutatedCaptures(vectors: readonly Uint8Array[]): fc.Arbitrary<NlMsg> {
  return fc.tuple(
    fc.constantFrom(...vectors),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    fc.nat(),
  ).map(([vector, edits, cut]) => {
    const b = vector.slice();
    for (const [at, v] of edits) b[16 + (at % (b.length - 16))] = v;
    return asMessage(b, 16 + (cut % (b.length - 15)));
  });
}

/** Random payloads behind a zeroed 16-byte header. */
export function randomPayloads(maxLength: number): fc.Arbitrary<NlMsg> {
  return fc.uint8Array({ maxLength }).map((payload) => {
    const b = new Uint8Array(16 + payload.length);
    b.set(payload, 16);
    return asMessage(b);
  });
}

/** One attribute: header and payload, padded to 4 bytes. */
export function tlv(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array((4 + payload.length + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint16(0, 4 + payload.length, true);
  v.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}

/** The parts one after the other. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** What `fn` gives: `{ ok }`, or the class and message of what it throws, for comparing two parsers. */
export function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}
