/**
 * What a qdisc, classifier or action module declares: how its options are
 * decoded, encoded, printed and read from `tc`'s words. Each kind is one
 * module registered in its folder's registry.
 *
 * @module
 */

import type { MessageBuilder } from "../../wire/builder.ts";
import type { BpfProgInfo } from "../../sys/bpf.ts";
import type { Sys } from "../../sys/sys.ts";
import type { TcPrinter } from "./printer.ts";
import type { TcWords } from "./words.ts";

/** What printing needs beyond the options. */
export interface PrintContext {
  /** `-d` level. */
  details: number;
  /** `-s` level. */
  stats: number;
  /** Names a link by index (`ifN` style fallback is the caller's choice). */
  linkName(ifindex: number): string;
  /** The object's handle (a filter's handle, printed by some classifiers). */
  handle: number;
  /** A filter's protocol (host order), 0 for other objects. */
  protocol: number;
  /** Looks up a loaded BPF program by id (tc shows its name and tag); absent: only the id is shown. */
  progInfo?: (id: number) => BpfProgInfo | undefined;
}

/** Options made ready to send, and how to release what that opened. */
export interface OpenedOptions {
  /** The options to build the request from. */
  options: unknown;
  /** Releases what was opened (closes descriptors); call once the request is answered. */
  close(): void;
}

/** What reading words needs beyond the words. */
export interface WordsContext {
  /** Resolves a link name to its index (checked before anything is sent). */
  linkIndex(name: string): number;
  /** The filter's protocol (host order), for classifiers that match on it (flower). */
  protocol?: number;
}

/** The codec of one kind's `TCA_OPTIONS` (or an action's `TCA_ACT_OPTIONS`) payload. */
export interface OptionsCodec<O> {
  /** Every key the options object may hold; any other is refused before sending. */
  readonly keys: readonly string[];
  /** Decodes the payload `buf[start, end)`. */
  parse(buf: Uint8Array, view: DataView, start: number, end: number): O;
  /** Writes the payload (the attribute header is the caller's). */
  build(b: MessageBuilder, options: O): void;
  /** Prints the options as `tc` does, in text or JSON. */
  print(p: TcPrinter, options: O, ctx: PrintContext): void;
  /** Reads the options from `tc`'s words after the kind name. */
  words(w: TcWords, ctx: WordsContext): O;
}

/** Kind-specific statistics (`TCA_STATS_APP`/`TCA_XSTATS`). */
export interface XstatsCodec<X> {
  /** Decodes the payload. */
  parse(buf: Uint8Array, view: DataView, start: number, end: number): X;
  /** Prints them as `tc -s` does. */
  print(p: TcPrinter, xstats: X): void;
}

/** A qdisc kind: its options, its class options when classful, its xstats. */
export interface QdiscKind {
  /** `TCA_KIND`. */
  readonly kind: string;
  /** Qdisc options; absent: the kind takes none and no `TCA_OPTIONS` is sent. */
  readonly qdisc?: OptionsCodec<unknown>;
  /** Text printed in place of options by an option-less kind (ingress's dashes). */
  readonly bareText?: string;
  /** Class options, for classful kinds. */
  readonly class?: OptionsCodec<unknown>;
  /** Statistics of the qdisc or its classes. */
  readonly xstats?: XstatsCodec<unknown>;
}

/** A classifier kind. */
export interface FilterKind {
  /** `TCA_KIND`. */
  readonly kind: string;
  /** Filter options. */
  readonly options: OptionsCodec<unknown>;
  /** Parses the kind's handle notation (default: a number, decimal or 0x hex). */
  readonly parseHandle?: (text: string) => number;
  /** Folds options into the handle (u32's `order`); returns the handle to send. */
  readonly finalHandle?: (options: unknown, handle: number) => number;
  /** Opens what the options name outside the message (bpf's pinned program) before the request is built. */
  readonly open?: (options: unknown, sys: Sys) => OpenedOptions;
}

/** An action kind. */
export interface ActionKind {
  /** `TCA_ACT_KIND`. */
  readonly kind: string;
  /** Action options (`TCA_ACT_OPTIONS`); its `keys` are the kind's own, beside every action's `ACTION_PARMS_KEYS`. */
  readonly options: OptionsCodec<unknown>;
  /** Opens what the options name outside the message (act_bpf's pinned program) before the request is built. */
  readonly open?: (options: unknown, sys: Sys) => OpenedOptions;
}
