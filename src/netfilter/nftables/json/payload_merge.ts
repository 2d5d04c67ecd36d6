/**
 * nft's `stmt_reduce` (rule_postprocess): equality matches on adjacent
 * payload bytes of one header base are joined into one load and one
 * compare, so `tcp sport 1 tcp dport 2` is one 4-byte match and
 * `ether saddr X` joins the `ether type ip` dependency after it. The
 * kernel then holds the bytes nft would write, and nft lists the rule as it
 * lists its own (a joined match keeps the place of a protocol field, so the
 * order of the listing is nft's too).
 *
 * nft also joins `!=` matches, which changes what the rule means
 * (`tcp sport != 1 tcp dport != 2` would match sport 1 with dport 3): nlkit
 * joins equality alone.
 *
 * @module
 */

import type { NftExpr, NftKnownExpr } from "../expr/registry.ts";

type Payload = Extract<NftKnownExpr, { name: "payload" }>;
type Cmp = Extract<NftKnownExpr, { name: "cmp" }>;

/** One payload match: its load and its compare, as emitted. */
interface Candidate {
  load: Payload;
  cmp: Cmp;
  /** A protocol field (`ether type`, `ip protocol`): a joined match takes its place. */
  protocol: boolean;
}

const BASE_ORDER: Record<string, number> = { ll: 1, nh: 2, th: 3, ih: 4 };
/** nft's NFT_REG_SIZE and NFT_REG32_SIZE, in bytes. */
const REG_SIZE = 16;
const REG32_SIZE = 4;

/** nft's payload_can_merge: adjacent, and joining keeps or gains the kernel's fast path. */
function canMerge(a: Payload, b: Payload): boolean {
  if (a.base !== b.base || (a.offset ?? 0) + (a.len ?? 0) !== b.offset) return false;
  const total = (a.len ?? 0) + (b.len ?? 0);
  if (total > REG_SIZE) return false;
  return total <= REG32_SIZE || a.base === "ll" || (a.len ?? 0) > REG32_SIZE || (b.len ?? 0) > REG32_SIZE;
}

/** Collects a rule's payload matches in runs, as nft's stmt_reduce walks its statements. */
export class PayloadMerge {
  #run: Candidate[] = [];
  #dropped = new Set<NftExpr>();

  /** Notes the last two expressions of `out`, a payload load and an equality compare, as one match. */
  add(out: readonly NftExpr[], protocol: boolean): void {
    const [load, cmp] = out.slice(-2) as [NftExpr, NftExpr];
    if (load?.name !== "payload" || cmp?.name !== "cmp") return;
    const l = load as Payload, c = cmp as Cmp;
    if (l.sreg !== undefined || l.dreg !== c.sreg || c.op !== "eq" || !c.data?.value) return;
    this.#run.push({ load: l, cmp: c, protocol });
  }

  /**
   * A statement other than a match ends the run, as in nft, which joins
   * nothing across it once the run holds two matches (a lone match stays,
   * and may join one after the statement).
   */
  boundary(): void {
    if (this.#run.length < 2) return;
    this.#join();
    this.#run = [];
  }

  /** `out` with the rule's runs joined. */
  apply(out: NftExpr[]): NftExpr[] {
    if (this.#run.length > 1) this.#join();
    this.#run = [];
    if (this.#dropped.size === 0) return out;
    return out.filter((e) => !this.#dropped.has(e));
  }

  #join(): void {
    const sa = [...this.#run].sort((a, b) =>
      (BASE_ORDER[a.load.base as string] ?? 0) - (BASE_ORDER[b.load.base as string] ?? 0) ||
      (a.load.offset ?? 0) - (b.load.offset ?? 0)
    );
    let last = sa[0];
    for (const cur of sa.slice(1)) {
      if (!canMerge(last.load, cur.load)) {
        last = cur;
        continue;
      }
      const offset = last.load.offset, len = (last.load.len ?? 0) + (cur.load.len ?? 0);
      const value = new Uint8Array(len);
      value.set(last.cmp.data!.value!);
      value.set(cur.cmp.data!.value!, last.load.len);
      // The joined match goes where a protocol field was: its header is then known before what follows.
      const [keep, drop] = cur.protocol ? [cur, last] : [last, cur];
      keep.load.offset = offset;
      keep.load.len = len;
      keep.cmp.data = { value };
      keep.protocol = cur.protocol;
      this.#dropped.add(drop.load).add(drop.cmp);
      last = keep;
    }
  }
}
