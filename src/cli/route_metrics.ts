/**
 * `ip route add`'s metric words (iproute2's iproute_modify): `mtu`,
 * `hoplimit`, `advmss`, `reordering`, `rtt`, `rttvar`, `rto_min`, `window`,
 * `cwnd`, `ssthresh`, `initcwnd`, `initrwnd`, `features ecn`, `quickack`,
 * `congctl` and `fastopen_no_cookie`, each with ip's optional `lock`, its
 * units (`rtt 100ms` is kept in 1/8 ms, a bare number as it is) and ip's
 * words when a value is refused.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import { invalidArgument, ipNumber } from "./numbers.ts";
import type { WordTable } from "./keywords.ts";
import type { RouteMetricsSpec } from "../route/route/build.ts";
import { type MetricWordSpec, RTAX_TABLE } from "../route/route/table.ts";

/** One metric word of {@link RTAX_TABLE}: where it goes, how its value reads, ip's reason when it does not, and its lock name. */
interface MetricWord {
  readonly key: Exclude<keyof RouteMetricsSpec, "lock" | "unknown">;
  readonly read: NonNullable<MetricWordSpec["read"]>;
  readonly why: string;
  /** The lock name (`RTAX_LOCK_BITS`) when `lock` may precede the value; `rto_min` is always locked, as ip sends it. */
  readonly lock?: string;
  readonly alwaysLocked?: boolean;
}

/** The words, as ip spells them, from {@link RTAX_TABLE}. */
export const METRIC_WORDS: { readonly [word: string]: MetricWord } = Object.fromEntries(
  Object.entries(RTAX_TABLE).flatMap(([key, spec]) => {
    if (!("ip" in spec)) return [];
    const ip: MetricWordSpec = spec.ip;
    const word = ip.word ?? key, read = ip.read ?? "u32";
    const why = read === "bool"
      ? `"${word}" value`
      : read === "features"
      ? `"${word}" value not valid`
      : `"${word}" value is invalid`;
    const m: MetricWord = {
      key: key as MetricWord["key"],
      read,
      why: ip.why ?? why,
      ...(ip.lock === false ? {} : { lock: word }),
      ...(ip.lock === "always" ? { alwaysLocked: true } : {}),
    };
    return [[word, m]];
  }),
);

/** The metric words for the keyword parser's table. */
export const METRIC_WORD_TABLE: WordTable = Object.fromEntries(
  Object.keys(METRIC_WORDS).map((w) => [w, { arg: w === "features" ? "feature" : "value" }]),
);

/** ip's get_time_rtt: a number (raw when it has no unit), `s`/`sec`/`secs` or `ms`/`msec`/`msecs`, rounded up. */
function timeRtt(text: string): { value: number; raw: boolean } | undefined {
  const m = /^(\d+(?:\.\d*)?|\.\d+|0[xX][0-9a-fA-F]+)([a-zA-Z]*)$/.exec(text);
  if (!m) return undefined;
  let t = m[1].startsWith("0x") || m[1].startsWith("0X") ? parseInt(m[1], 16) : Number(m[1]);
  const unit = m[2].toLowerCase();
  if (["s", "sec", "secs"].includes(unit)) t *= 1000;
  else if (unit && !["ms", "msec", "msecs"].includes(unit)) return undefined;
  const value = Math.ceil(t);
  return value <= 0xffffffff ? { value, raw: unit === "" } : undefined;
}

function readMetric(m: MetricWord, text: string): number | string {
  switch (m.read) {
    case "u32":
      return ipNumber(text, m.why);
    case "hoplimit":
      return ipNumber(text, m.why, 255);
    case "rtt":
    case "rttvar":
    case "ms": {
      const t = timeRtt(text);
      if (!t) throw invalidArgument(text, m.why);
      // The kernel keeps rtt in 1/8 ms and rttvar in 1/4 ms; a bare number is taken as it is.
      return t.raw || m.read === "ms" ? t.value : t.value * (m.read === "rtt" ? 8 : 4);
    }
    case "bool": {
      const n = ipNumber(text, `${m.why} is invalid`);
      if (n > 1) throw invalidArgument(text, `${m.why} should be 0 or 1`);
      return n;
    }
    case "features":
      if (text !== "ecn") throw invalidArgument(text, m.why);
      return 1; // RTAX_FEATURE_ECN
    case "name":
      return text;
  }
}

/**
 * Takes `lock` out of `METRIC lock VALUE` so the keyword parser sees
 * `METRIC VALUE`; returns the metrics locked.
 */
export function takeMetricLocks(words: string[]): string[] {
  const lock: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    const m = METRIC_WORDS[words[i]];
    if (m?.lock && !m.alwaysLocked && words[i + 1] === "lock") {
      lock.push(m.lock);
      words.splice(i + 1, 1);
    }
  }
  return lock;
}

/** The metrics the parsed words name, with the locks taken by {@link takeMetricLocks}; undefined when none. */
export function routeMetrics(words: Record<string, string | undefined>, locks: string[]): RouteMetricsSpec | undefined {
  const out: Record<string, unknown> = {};
  const lock = [...locks];
  for (const [word, m] of Object.entries(METRIC_WORDS)) {
    const v = words[word];
    if (v === undefined) continue;
    out[m.key] = readMetric(m, v);
    if (m.alwaysLocked) lock.push(m.lock!);
  }
  if (lock.length) out.lock = lock;
  if (Object.keys(out).length === 0) return undefined;
  if (out.congctl === "") throw new UsageError(`Missing value after "congctl"`, "congctl");
  return out as RouteMetricsSpec;
}
