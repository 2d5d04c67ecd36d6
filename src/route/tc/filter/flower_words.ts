/**
 * flower's `tc` words: its own (ports, prefixes, MACs, `ip_flags`, `mpls
 * lse`), the scalar keys of `flower_keys.ts` and the words classifiers
 * share, declared as one word table.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { intWord } from "../../../words.ts";
import type { WordsContext } from "../kind.ts";
import { readWords, type WordRule, type WordTable } from "../word_table.ts";
import type { TcWords } from "../words.ts";
import { FLOWER_SCALARS, type Masked, readCtState, readScalar } from "./flower_keys.ts";
import type { FlowerOptions, MplsLse, PortMatch } from "./flower_options.ts";
import { CLASS_ACTION_WORDS, CLS_FLAG_WORDS } from "./words.ts";

const LSE_MAX: Record<string, number> = { depth: 0xff, label: 0xfffff, tc: 7, bos: 1, ttl: 0xff };

/** `mpls lse depth N [label L] [tc T] [bos B] [ttl T] [lse ...]`, read as tc reads it (decimal numbers). */
function mplsWords(w: TcWords): MplsLse[] {
  const out: MplsLse[] = [];
  while (w.peek() === "lse") {
    w.next();
    const lse: Record<string, number> = {};
    for (let word = w.peek(); word !== undefined && Object.hasOwn(LSE_MAX, word); word = w.peek()) {
      w.next();
      const v = w.value(word, "number");
      const n = /^\d+$/.test(v) ? Number(v) : NaN;
      if (!(n >= (word === "depth" ? 1 : 0) && n <= LSE_MAX[word])) {
        throw new InvalidArgumentError(
          `Illegal "${word}": "${v}" (expected 0 to ${LSE_MAX[word]}${word === "depth" ? ", not 0" : ""})`,
        );
      }
      lse[word] = n;
    }
    if (lse.depth === undefined) throw new InvalidArgumentError(`Missing "depth" in mpls lse`);
    out.push(lse as unknown as MplsLse);
  }
  return out;
}

/** `ip_proto` names. */
export const IP_PROTOS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58 };

/** `ip_flags` words (`frag/nofirstfrag`): TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT 1, FRAG_IS_FIRST 2. */
export const IP_FLAGS: readonly [string, number][] = [["frag", 1], ["firstfrag", 2]];

function ipFlagsWords(text: string): { flags: number; mask: number } {
  let flags = 0, mask = 0;
  for (const token of text.split("/")) {
    const no = token.startsWith("no");
    const f = IP_FLAGS.find(([n]) => n === (no ? token.slice(2) : token));
    if (!f) {
      throw new InvalidArgumentError(`Invalid ip_flags: "${text}" (expected [no]frag and [no]firstfrag joined by /)`);
    }
    if (!no) flags |= f[1];
    mask |= f[1];
  }
  return { flags, mask };
}

function portWords(text: string): PortMatch {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  const [p, m] = text.split("/");
  const num = (x: string) => {
    const n = intWord(x);
    if (!(n >= 0 && n <= 0xffff)) {
      throw new InvalidArgumentError(`Invalid port: "${text}" (expected PORT, PORT/MASK or MIN-MAX)`);
    }
    return n;
  };
  return m === undefined ? { port: num(p) } : { port: num(p), mask: num(m) };
}

function ipProtoWord(w: TcWords, word: string): number {
  const v = w.value(word, "protocol");
  const n = IP_PROTOS[v] ?? (/^[0-9a-f]{1,2}$/i.test(v) ? parseInt(v, 16) : NaN);
  if (Number.isNaN(n)) {
    throw new InvalidArgumentError(`Invalid ip_proto: "${v}" (expected tcp, udp, sctp, icmp, icmpv6 or hex)`);
  }
  return n;
}

type Rule = WordRule<FlowerOptions>;
const prefix = (key: keyof FlowerOptions): Rule => ({ key, read: (w, word) => w.value(word, "prefix") });
const mac = (key: keyof FlowerOptions): Rule => ({
  key,
  read(w, word): Masked<string> {
    const [value, mask] = w.value(word, "address").split("/");
    return { value, mask };
  },
});
const port = (key: keyof FlowerOptions): Rule => ({ key, read: (w, word) => portWords(w.value(word, "port")) });

/** flower's words: its own, the scalar keys (flower_keys.ts) and the words classifiers share. */
const WORDS: WordTable<FlowerOptions> = {
  ...CLASS_ACTION_WORDS,
  indev: { key: "indev", read: (w, word) => w.value(word, "device") },
  ip_proto: { key: "ipProto", read: ipProtoWord },
  dst_port: port("dstPort"),
  src_port: port("srcPort"),
  ip_flags: { key: "ipFlags", read: (w, word) => ipFlagsWords(w.value(word, "flags")) },
  ct_state: { key: "ctState", read: (w, word) => readCtState(w.value(word, "state")) },
  mpls: {
    key: "mplsLse",
    apply(w, _word, o): void {
      o.mplsLse = [...(o.mplsLse ?? []), ...mplsWords(w)];
    },
  },
  dst_mac: mac("dstMac"),
  src_mac: mac("srcMac"),
  arp_tha: mac("arpTha"),
  arp_sha: mac("arpSha"),
  dst_ip: prefix("dstIp"),
  src_ip: prefix("srcIp"),
  arp_tip: prefix("arpTip"),
  arp_sip: prefix("arpSip"),
  enc_dst_ip: prefix("encDstIp"),
  enc_src_ip: prefix("encSrcIp"),
  ...Object.fromEntries(
    FLOWER_SCALARS.map((s): [string, Rule] => [
      s.word,
      { key: s.option as keyof FlowerOptions, read: (w, word) => readScalar(s, w.value(word)) },
    ]),
  ),
  ...CLS_FLAG_WORDS,
};

/** Reads flower's words; the filter's protocol is the ethernet type unless it is `all`. */
export function words(w: TcWords, ctx: WordsContext): FlowerOptions {
  const proto = ctx.protocol ?? 3;
  const { flags, ...o } = readWords<FlowerOptions>(w, "flower", WORDS, proto !== 3 ? { ethType: proto } : {}, ctx);
  return { ...o, flags: flags ?? 0 };
}
