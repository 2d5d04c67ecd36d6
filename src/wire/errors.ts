/**
 * Codec faults: malformed or truncated bytes. Both carry the offset where
 * decoding stopped so a capture can be inspected at that point.
 *
 * @module
 */

/** Bytes end before a structure that should be there. */
export class TruncatedError extends RangeError {
  /** Always `"TruncatedError"`. */
  override name = "TruncatedError";
  /** Always `"EBADMSG"`: the bytes are not a whole message. */
  readonly code = "EBADMSG";
  /** Byte offset where the missing data should begin. */
  readonly offset: number;
  /** Creates the error; `what` names the structure that did not fit. */
  constructor(what: string, offset: number, need: number, have: number) {
    super(`Truncated ${what} at offset ${offset}: need ${need} bytes, have ${have}`);
    this.offset = offset;
  }
}

/** Bytes that cannot be a valid netlink structure. */
export class MalformedError extends SyntaxError {
  /** Always `"MalformedError"`. */
  override name = "MalformedError";
  /** Always `"EBADMSG"`: the bytes are not a valid message. */
  readonly code = "EBADMSG";
  /** Byte offset of the offending field. */
  readonly offset: number;
  /** Creates the error with a description of what is wrong. */
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.offset = offset;
  }
}
