/**
 * Times as nft writes them: durations (`1h30m`), `meta time` dates and
 * `meta hour` clock times in local time, and seconds with milliseconds.
 *
 * @module
 */

const DAY = 86400;
const two = (n: number): string => String(n).padStart(2, "0");

/** Seconds east of UTC of local time at `ms` (what nft adds, as `tm_gmtoff`). */
function gmtoff(ms: number): number {
  return -new Date(ms).getTimezoneOffset() * 60;
}

/** nft's `meta time` value: nanoseconds since the epoch as local `YYYY-MM-DD HH:MM:SS`. */
export function formatDate(ns: number): string {
  const s = Math.floor(ns / 1e9);
  const d = new Date((s + gmtoff(s * 1000)) * 1000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** nft's `meta hour` value: seconds since midnight UTC as local `HH:MM` (`:SS` when not 0). */
export function formatHour(n: number): string {
  const s = (n + gmtoff(Date.now())) % DAY;
  const out = `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}`;
  return s % 60 ? `${out}:${two(s % 60)}` : out;
}

/** `YYYY-MM-DD[ HH:MM[:SS]]` in local time to nanoseconds since the epoch, else undefined. */
export function parseDate(v: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(v);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const date = new Date(y, mo - 1, d, h, mi, s);
  // No rolling over: 2026-13-01 is not a date.
  if (date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h || date.getMinutes() !== mi) {
    return undefined;
  }
  const ms = date.getTime();
  return Number.isNaN(ms) || ms < 0 || s > 59 ? undefined : ms * 1e6;
}

/** `HH:MM[:SS]` in local time to seconds since midnight UTC, else undefined. */
export function parseHour(v: string): number | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v);
  if (!m) return undefined;
  const [h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return (((h * 3600 + mi * 60 + s - gmtoff(Date.now())) % DAY) + DAY) % DAY;
}

const TIME_UNITS: Record<string, number> = { d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 };

/** nft's relative time text (`30s`, `30000ms`, `4d23h59m59s`) in milliseconds; undefined when it is none. */
export function relativeMs(v: string): number | undefined {
  const re = /(\d+)(ms|d|h|m|s)/gy;
  let ms = 0, at = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) (ms += Number(m[1]) * TIME_UNITS[m[2]]), (at = re.lastIndex);
  return at && at === v.length ? ms : undefined;
}

/** Seconds of the JSON in the kernel's ms; nlkit's text reader writes `100ms` as 0.1 (nft's JSON has whole ones). */
export function msOf(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** A kernel time in ms as nft's JSON counts it, whole seconds; `exact` keeps the milliseconds (for the text). */
export function seconds(ms: number, exact = false): number {
  return exact ? ms / 1000 : Math.floor(ms / 1000);
}
