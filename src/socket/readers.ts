/**
 * Delivery to a socket's readers: notifications to the multicast reader
 * (kept in a stash while none runs yet, since requests drain the same
 * queue), unicast messages that answer no request to the unicast reader,
 * and the {@link Overrun} marks both get where the kernel dropped messages.
 *
 * @module
 */

import { copyMessage, type NlMsg, readMessage } from "../wire/message.ts";
import type { Consumer } from "./consumer.ts";
import type { SocketCore } from "./core.ts";
import { MessageError, Overrun } from "./errors.ts";

/** Notifications kept for a multicast reader that has not started yet; past this, they count as lost. */
const STASH_BYTES = 1 << 20;

/** A notification: only the multicast reader gets it; a parse failure becomes an item. */
export function event(s: SocketCore, m: NlMsg): void {
  const l = s.listener;
  if (s.draining || m.type < 0x10) return;
  if (!l) return stashEvent(s, m);
  if (!l.parse) return;
  try {
    l.items.push(l.parse(copyMessage(m)));
  } catch (e) {
    s.counters.eventErrors++;
    l.items.push(new MessageError(e, m.buf.slice(m.start, m.end)));
  }
  if (l.wake) s.settle(l, undefined);
}

/** Tells the multicast reader (or the one still to come) that notifications were lost. */
export function eventsLost(s: SocketCore): void {
  if (s.listener) {
    s.listener.items.push(new Overrun());
    s.settle(s.listener, undefined);
  } else if (s.joined > 0 && s.stash.at(-1) !== null) s.stash.push(null);
}

/** Keeps a notification read while no multicast reader runs. */
function stashEvent(s: SocketCore, m: NlMsg): void {
  if (s.joined === 0 || s.stash.at(-1) === null && s.stashBytes >= STASH_BYTES) return;
  if (s.stashBytes + m.end - m.start > STASH_BYTES) return eventsLost(s);
  s.stash.push(m.buf.slice(m.start, m.end));
  s.stashNsids[s.stash.length - 1] = s.nsid;
  s.stashBytes += m.end - m.start;
}

/** Drops the stashed notifications. */
export function clearStash(s: SocketCore): void {
  s.stash = [];
  s.stashNsids = [];
  s.stashBytes = 0;
}

/** Hands the stashed notifications to a starting reader, in order. */
export function unstash(s: SocketCore, l: Consumer): void {
  const current = s.nsid;
  for (const [i, bytes] of s.stash.entries()) {
    if (bytes === null) {
      l.items.push(new Overrun());
      continue;
    }
    s.nsid = s.stashNsids[i];
    const m = readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length);
    try {
      l.items.push(l.parse!(m));
    } catch (e) {
      s.counters.eventErrors++;
      l.items.push(new MessageError(e, bytes));
    }
  }
  s.nsid = current;
  clearStash(s);
}

/** A unicast message for the unicast reader; a parse failure becomes an item. */
export function unicastMessage(s: SocketCore, m: NlMsg): void {
  if (s.draining) return; // the "drain" policy discards what was queued at an overflow
  let item: unknown;
  try {
    item = s.unicast!.parse!(copyMessage(m));
  } catch (e) {
    s.counters.eventErrors++;
    return unicastItem(s, new MessageError(e, m.buf.slice(m.start, m.end)));
  }
  if (item === undefined) s.counters.unmatchedDropped++; // the reader's parser says it is not its kind
  else unicastItem(s, item);
}

export function unicastItem(s: SocketCore, item: unknown): void {
  const u = s.unicast!;
  u.items.push(item);
  if (u.wake) s.settle(u, undefined);
}

/** Tells the unicast reader that messages were lost. */
export function unicastLost(s: SocketCore): void {
  const u = s.unicast!;
  if (u.items.at(-1) instanceof Overrun) return;
  u.items.push(new Overrun());
  s.settle(u, undefined);
}
