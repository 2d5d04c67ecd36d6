/**
 * The multicast reader of a socket: notifications of the groups it joined,
 * parsed, with an {@link Overrun} where the kernel dropped some.
 *
 * @module
 */

import { newConsumer, type Parse } from "./consumer.ts";
import type { SocketCore } from "./core.ts";
import { MessageError, type Overrun, SocketClosedError } from "./errors.ts";
import { checkRequestOptions, type MessagesOptions } from "./options.ts";
import { unstash } from "./readers.ts";
import { receiveOne } from "./receive.ts";
import { until } from "./wait.ts";

/** Streams the notifications of `s` (one reader per socket), starting with the stashed ones. */
export async function* multicastMessages<T>(
  s: SocketCore,
  parse: Parse<T>,
  options: MessagesOptions,
): AsyncGenerator<T | Overrun, void, undefined> {
  if (options.signal?.aborted) return;
  checkRequestOptions(options);
  if (s.listener) throw new Error("Socket already has a multicast reader");
  const c = newConsumer(new Uint8Array(0), parse);
  s.listener = c;
  unstash(s, c);
  try {
    for (;;) {
      if (c.pos < c.items.length) {
        const item = c.items[c.pos] as T | Overrun | MessageError;
        c.items[c.pos++] = undefined;
        if (item instanceof MessageError) options.onParseError?.(item);
        else yield item;
        continue;
      }
      c.items.length = 0;
      c.pos = 0;
      if (c.error) throw c.error;
      while (c.items.length === 0 && !c.error && receiveOne(s));
      if (c.items.length === 0 && !c.error) {
        await until(s, c, () => c.items.length > 0 || c.error !== undefined, { signal: options.signal });
      }
    }
  } catch (e) {
    if (options.signal?.aborted || e instanceof SocketClosedError) return;
    throw e;
  } finally {
    if (s.listener === c) s.listener = undefined;
  }
}
