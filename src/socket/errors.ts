/**
 * Transport-level conditions callers are expected to handle.
 *
 * @module
 */

/**
 * The dump changed while it was read (`NLM_F_DUMP_INTR`): what was read may
 * be inconsistent. `partial` holds it when the dump was collected into an
 * array; a stream has already yielded it.
 */
export class DumpInterruptedError extends Error {
  /** Always `"DumpInterruptedError"`. */
  override name = "DumpInterruptedError";
  /** How many items the interrupted dump produced. */
  readonly count: number;
  /** The items read, when the dump was collected (`dumpAll`). */
  partial?: unknown[];
  /** Creates the error for a dump that produced `count` items. */
  constructor(count: number) {
    super(
      `Dump interrupted: the kernel's table changed while ${count} entries were read; dump again for a consistent view`,
    );
    this.count = count;
  }
}

/**
 * Marks lost multicast messages (the kernel reported ENOBUFS): the receive
 * buffer overflowed. The stream goes on; re-dump to resynchronise.
 */
export class Overrun {
  /** Discriminates an overrun from a message. */
  readonly kind: "overrun" = "overrun";
}

/** Tells whether an item from a multicast stream is an {@link Overrun}. */
export function isOverrun(x: unknown): x is Overrun {
  return x instanceof Overrun;
}

/** The socket was closed while an operation waited on it. */
export class SocketClosedError extends Error {
  /** Always `"SocketClosedError"`. */
  override name = "SocketClosedError";
  /** Creates the error. */
  constructor() {
    super("Netlink socket is closed");
  }
}
