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

type Reader = "u32" | "hoplimit" | "rtt" | "rttvar" | "ms" | "bool" | "name" | "features";

/** One metric word: where it goes, how its value reads, ip's reason when it does not, and whether `lock` may precede it. */
interface MetricWord {
  readonly key: Exclude<keyof RouteMetricsSpec, "lock" | "unknown">;
  readonly read: Reader;
  readonly why: string;
  /** The lock name (`RTAX_LOCK_BITS`); `rto_min` is always locked, as ip sends it. */
  readonly lock?: string;
  readonly alwaysLocked?: boolean;
}

const u32 = (key: MetricWord["key"], word: string, why = `"${word}" value is invalid`): MetricWord => ({
  key,
  read: "u32",
  why,
  lock: word,
});

/** The words, as ip spells them. */
export const METRIC_WORDS: { readonly [word: string]: MetricWord } = {
  mtu: u32("mtu", "mtu"),
  hoplimit: { key: "hoplimit", read: "hoplimit", why: `"hoplimit" value is invalid`, lock: "hoplimit" },
  advmss: u32("advmss", "advmss", `"mss" value is invalid`),
  reordering: u32("reordering", "reordering"),
  rtt: { key: "rtt", read: "rtt", why: `"rtt" value is invalid`, lock: "rtt" },
  rttvar: { key: "rttvar", read: "rttvar", why: `"rttvar" value is invalid`, lock: "rttvar" },
  rto_min: { key: "rtoMin", read: "ms", why: `"rto_min" value is invalid`, lock: "rto_min", alwaysLocked: true },
  window: u32("window", "window"),
  cwnd: u32("cwnd", "cwnd"),
  ssthresh: u32("ssthresh", "ssthresh"),
  initcwnd: u32("initcwnd", "initcwnd"),
  initrwnd: u32("initrwnd", "initrwnd"),
  features: { key: "features", read: "features", why: `"features" value not valid` },
  quickack: { key: "quickack", read: "bool", why: `"quickack" value` },
  congctl: { key: "congctl", read: "name", why: "", lock: "congctl" },
  fastopen_no_cookie: { key: "fastopenNoCookie", read: "bool", why: `"fastopen_no_cookie" value` },
};

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
