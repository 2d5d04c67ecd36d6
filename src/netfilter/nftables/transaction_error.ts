/**
 * A refused nftables transaction: each failing message, the object it
 * changed, and what the kernel's extended ack points at in it.
 *
 * @module
 */

import { NlkitError } from "../../errors.ts";
import type { NetlinkError } from "../../wire/netlink_error.ts";

/** Which object a failing message changed, and how the kernel refused it. */
export interface NftFailure {
  /** Index of the message in the batch (0 is `BATCH_BEGIN`). */
  index: number;
  /** The object, as nft names it (`rule #2 of chain inet filter input`). */
  object: string;
  /** The kernel's refusal. */
  error: NetlinkError;
  /**
   * The top-level attribute of the message the kernel's extended ack points
   * at (`NFTA_RULE_CHAIN` is 2), when it points at one: nft underlines the
   * word it came from.
   */
  attribute?: number;
  /**
   * With the `NFTA_SET_ELEM_LIST_ELEMENTS` attribute of an element message:
   * the index of the element the ack points into.
   */
  element?: number;
}

/**
 * A refused transaction: nothing was changed. `code` is the kernel's errno
 * name of the first failure (`ENOENT`, `ERESTART`); each failure keeps its
 * own `NetlinkError` (a `NotFoundError` for a missing table or chain).
 */
export class NftTransactionError extends NlkitError {
  /** The refused messages. */
  readonly failures: NftFailure[];
  /** Creates the error. */
  constructor(failures: NftFailure[]) {
    const f = failures[0];
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : "";
    const detail = f.error.kernelMessage ? `${f.error.kernelMessage} (${f.error.code})` : f.error.message;
    super(`Cannot apply the transaction: ${f.object}: ${detail}${more}`, f.error.code, "nftables transaction");
    this.name = "NftTransactionError";
    this.failures = failures;
  }
}
