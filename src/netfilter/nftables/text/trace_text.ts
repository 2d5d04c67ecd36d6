/**
 * nft's text of a packet trace (`nft monitor trace`, its netlink.c
 * `trace_print_*`): `trace id ID FAMILY TABLE CHAIN` then, for a packet a
 * hook sees first, `packet:` and its interfaces and headers; for a rule,
 * the rule as nft lists it and its verdict; for a chain's end, the policy
 * or the verdict, and the packet's mark.
 *
 * @module
 */

import type { Json } from "../json/types.ts";
import { tracePacketMatches } from "../json/trace_packet.ts";
import type { NftTrace } from "../trace.ts";
import { NF_VERDICTS } from "../../verdicts.ts";
import { stmtText } from "./stmt_text.ts";

/** What the text of a trace needs beyond the trace. */
export interface TraceTextContext {
  /** An interface's name by index (its number when it has none). */
  ifname: (index: number) => string | number;
  /** A rule's text as nft lists it, from the ruleset as it was when tracing started; undefined when unknown. */
  rule: (family: string, table: string, chain: string, handle: number) => string | undefined;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** A verdict code as nft prints it: `accept`, `jump CHAIN`, `queue` (with a queue number too). */
function verdictText(code: string | number | undefined, chain?: string): string {
  const n = typeof code === "number" ? code : Number(code);
  const name = Number.isInteger(n) ? NF_VERDICTS[(n & 0xff) as keyof typeof NF_VERDICTS] : code;
  return chain !== undefined ? `${name} ${chain}` : String(name ?? `unknown verdict value ${code}`);
}

function meta(key: string, right: Json): string {
  return stmtText({ match: { op: "==", left: { meta: { key } }, right } });
}

/** The lines nft prints for one trace message (a packet's line, then the event's), without newlines. */
export function traceLines(t: NftTrace, ctx: TraceTextContext): string[] {
  const head = `trace id ${hex8(t.id ?? 0)} ${t.family} ${t.table !== undefined ? `${t.table} ` : ""}${
    t.chain !== undefined ? `${t.chain} ` : ""
  }`;
  const lines: string[] = [];
  if (t.llHeader || t.networkHeader) {
    const parts: string[] = [];
    if (t.iif !== undefined) parts.push(meta("iif", ctx.ifname(t.iif)));
    if (t.oif !== undefined) parts.push(meta("oif", ctx.ifname(t.oif)));
    const headers = { ll: t.llHeader, nh: t.networkHeader, th: t.transportHeader };
    const matches = tracePacketMatches({ family: t.family, nfproto: t.nfproto, iiftype: t.iiftype, headers });
    for (const m of matches) parts.push(stmtText(m));
    lines.push(`${head}packet: ${parts.map((p) => `${p} `).join("")}`);
  }
  const mark = t.mark !== undefined ? `${meta("mark", t.mark)} ` : "";
  const verdict = t.verdict ? verdictText(t.verdict.code, t.verdict.chain) : undefined;
  switch (t.type) {
    case "rule": {
      if (t.ruleHandle === undefined) break;
      const rule = t.table !== undefined && t.chain !== undefined
        ? ctx.rule(t.family, t.table, t.chain, t.ruleHandle)
        : undefined;
      const what = rule !== undefined ? `rule ${rule}` : `unknown rule handle ${t.ruleHandle}`;
      // nft reads a missing verdict as 0: drop.
      lines.push(`${head}${what} (verdict ${verdict ?? verdictText(0)})`);
      break;
    }
    case "policy":
      lines.push(`${head}${t.policy !== undefined ? `policy ${verdictText(t.policy)} ` : ""}${mark}`);
      break;
    case "return":
      lines.push(`${head}${verdict !== undefined ? `verdict ${verdict} ` : ""}${mark}`);
      break;
  }
  return lines;
}
