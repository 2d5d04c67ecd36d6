/**
 * The words after `link add ... type KIND` and `link set ... type
 * KIND_slave`: each kind's module declares them (see
 * `src/route/link/kinds/`); this file reads them with the CLI's keyword
 * parser and hands the kind a reader whose errors are usage errors.
 *
 * @module
 */

import { type Args, toInt, unknownWord, UsageError } from "./args.ts";
import { parseWords, required, type Words } from "./keywords.ts";
import { onOff } from "./link_words.ts";
import { type AnyLinkKind, type KindWordReader, linkKind, linkKinds } from "../route/link/kinds/registry.ts";
import type { CreateLinkSpec } from "../route/link/change.ts";

function reader(words: Words, common: Words): KindWordReader {
  return {
    words,
    common,
    int: toInt,
    required: (key, what, fromCommon) => required(fromCommon ? common : words, key, what),
    onOff,
    unknown: unknownWord,
    usage: (message, word) => new UsageError(message, word),
  };
}

/** The kind `link add` makes; `tun`/`tap` point to the command that makes them. */
function addableKind(kind: string): AnyLinkKind & Required<Pick<AnyLinkKind, "words" | "read">> {
  const k = linkKind(kind);
  if (k?.words && k.read) return k as AnyLinkKind & Required<Pick<AnyLinkKind, "words" | "read">>;
  const refused = linkKinds().find((x) => x.refuse?.names.includes(kind));
  if (refused) throw new UsageError(`Unknown link kind: "${kind}" (${refused.refuse!.hint})`, kind);
  const choices = linkKinds().filter((x) => x.words).map((x) => x.kind);
  throw unknownWord("link kind", kind, choices);
}

/** Reads `type KIND [WORDS]`: the kind part of a new link (`common` are the words before `type`). */
export function readKindWords(args: Args, common: Words): Pick<CreateLinkSpec, "kind"> {
  const kind = args.value("type", "link kind");
  const k = addableKind(kind);
  const spec = k.read(reader(parseWords(args, k.words, `${kind} options`), common));
  return { kind, ...spec } as Pick<CreateLinkSpec, "kind">;
}

/** Reads `type KIND_slave WORDS` of `link set`: the port settings under a master of that kind. */
export function readSlaveWords(args: Args): { kind: string; data: Record<string, unknown> } {
  const word = args.value("type", "link kind");
  const kind = word.endsWith("_slave") ? word.slice(0, -6) : undefined;
  const slave = linkKind(kind)?.slaveWords;
  if (!slave) {
    throw unknownWord("link set kind", word, linkKinds().filter((x) => x.slaveWords).map((x) => `${x.kind}_slave`));
  }
  const data = slave.read(reader(parseWords(args, slave.words, `${word} options`), {}));
  if (Object.keys(data).length === 0) throw new UsageError(`Nothing to change in "type ${word}"`, word);
  return { kind: kind!, data };
}

/** The `KIND := ...` and `PORT_WORDS := ...` help lines, from the kinds' modules. */
export function kindHelp(): string {
  const kinds = linkKinds().flatMap((k) => k.help ? [k.help] : []);
  const ports = linkKinds().flatMap((k) => k.slaveWords ? [k.slaveWords.help] : []);
  return `KIND := ${kinds.join("\n      | ")}\nPORT_WORDS := ${ports.join("\n      | ")}`;
}
