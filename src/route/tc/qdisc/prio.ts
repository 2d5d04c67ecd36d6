/**
 * `prio` (bands and priority map) and `pfifo_fast`, which reports the same
 * options but takes none.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { type Codec, parseAttrs, parseStruct } from "../../../wire/table.ts";
import type { OptionsCodec, QdiscKind } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import type { TcWords } from "../words.ts";

const TCA_PRIO_MQ = 1;

/** `TCA_PRIO_MQ`: tc sends it empty (on); the kernel may send a u8. */
const ON_OR_U8: Codec<boolean> = {
  parse: (_buf, view, start, end) => end > start ? view.getUint8(start) !== 0 : true,
  build: () => {},
};

/** The `TCA_PRIO_*` nested after `struct tc_prio_qopt` (tc's "nest compat"). */
const PRIO_ATTRS = { multiqueue: { type: TCA_PRIO_MQ, kind: "codec", codec: ON_OR_U8 } } as const;
const TC_PRIO_MAX = 15;
const DEFAULT_MAP = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

/** prio options. */
export interface PrioOptions {
  /** Number of bands (default 3). */
  bands?: number;
  /** Band of each of the 16 priorities. */
  priomap?: number[];
  /** One hardware queue per band (`multiqueue`). */
  multiqueue?: boolean;
}

function parse(buf: Uint8Array, view: DataView, s: number, e: number): PrioOptions {
  if (e - s < 20) return {};
  const o: PrioOptions = { bands: parseStruct({ bands: "s32" }, view, s, e).bands, priomap: [] };
  for (let i = 0; i <= TC_PRIO_MAX; i++) o.priomap!.push(view.getUint8(s + 4 + i));
  // Nested attributes follow the struct, in an attribute of their own (tc's "nest compat").
  const inner = s + 20;
  if (e - inner >= 4) {
    const { multiqueue } = parseAttrs(
      PRIO_ATTRS,
      buf,
      view,
      inner + 4,
      Math.min(e, inner + view.getUint16(inner, true)),
    );
    if (multiqueue !== undefined) o.multiqueue = multiqueue;
  }
  return o;
}

function print(p: TcPrinter, o: PrioOptions): void {
  p.uint("bands", "bands %s ", o.bands ?? 0);
  p.openArray("priomap");
  p.text("priomap");
  for (const band of o.priomap ?? []) p.uint(undefined, " %s", band);
  p.close();
  if (o.multiqueue !== undefined) p.str(undefined, " multiqueue: %s ", o.multiqueue ? "on" : "off", "fp");
  p.bool("multiqueue", "", o.multiqueue ?? false, "json");
}

function words(w: TcWords): PrioOptions {
  const o: PrioOptions = {};
  let mapping = false;
  for (let word = w.next(); word !== undefined; word = w.next()) {
    if (word === "bands" && !mapping) o.bands = w.int(word, 0, 0x7fffffff);
    else if (word === "priomap") {
      if (mapping) throw new InvalidArgumentError(`Duplicate "priomap" in prio`);
      mapping = true;
      o.priomap = [...DEFAULT_MAP];
      o.priomap.length = 0;
    } else if (word === "multiqueue") o.multiqueue = true;
    else if (mapping && /^\d+$/.test(word)) {
      const band = Number(word);
      if (band >= (o.bands ?? 3)) throw new InvalidArgumentError(`Invalid priomap band: "${word}" (out of bands)`);
      if (o.priomap!.length > TC_PRIO_MAX) {
        throw new InvalidArgumentError(`Invalid priomap: more than ${TC_PRIO_MAX + 1} bands`);
      }
      o.priomap!.push(band);
    } else throw new InvalidArgumentError(`Unknown prio argument: "${word}"`);
  }
  return o;
}

const prioCodec: OptionsCodec<unknown> = {
  keys: ["bands", "priomap", "multiqueue"],
  parse,
  build(b, options): void {
    const o = options as PrioOptions;
    const map = [...DEFAULT_MAP];
    (o.priomap ?? []).forEach((band, i) => map[i] = band);
    b.scalar("s32", o.bands ?? 3);
    b.raw(Uint8Array.from(map));
    b.attr(2, (x) => x.attrs(PRIO_ATTRS, { multiqueue: o.multiqueue || undefined }));
  },
  print,
  words,
};

/** The prio module. */
export const prio: QdiscKind = { kind: "prio", qdisc: prioCodec };

/** The pfifo_fast module: prio's options are printed; none are taken. */
export const pfifoFast: QdiscKind = {
  kind: "pfifo_fast",
  qdisc: {
    ...prioCodec,
    build(): void {},
    words(w): PrioOptions {
      if (!w.done) throw new InvalidArgumentError(`Unknown pfifo_fast argument: "${w.peek()}" (it takes none)`);
      return {};
    },
  },
};
