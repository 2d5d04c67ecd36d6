/**
 * Rates, sizes and times written and read the way `tc` does (`100mbit`,
 * `1.5kbit`, `10kb`, `1mb`, `100ms`), and the transmit-time arithmetic
 * behind rate tables.
 *
 * @example
 * ```ts
 * import { formatRate, parseRate, parseSize, formatSize } from "./units.ts";
 * console.log(parseRate("100mbit")); // 12500000 (bytes per second)
 * console.log(formatRate(12500000)); // 100Mbit
 * console.log(formatSize(parseSize("10kb"))); // 10Kb
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";

// strtod's decimal subset: tc reads every number with it.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/i;

function split(text: string): [number, string] | undefined {
  const m = NUMBER.exec(text);
  return m ? [Number(m[0]), text.slice(m[0].length).toLowerCase()] : undefined;
}

/** `text`'s number times its unit's factor in `units`; NaN when it has no number or an unknown unit. */
function scaled(text: string, units: { readonly [unit: string]: number }): number {
  const parts = split(text);
  const k = parts && Object.hasOwn(units, parts[1]) ? units[parts[1]] : undefined;
  return parts && k !== undefined ? parts[0] * k : NaN;
}

/** Size units, in bytes (a bare number is bytes). */
const SIZE_UNITS = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  kbit: 1024 / 8,
  mbit: 1024 * 1024 / 8,
  gbit: 1024 * 1024 * 1024 / 8,
} as const;

/** Time units, in microseconds (a bare number is microseconds). */
const TIME_UNITS = {
  "": 1,
  s: 1e6,
  sec: 1e6,
  secs: 1e6,
  ms: 1e3,
  msec: 1e3,
  msecs: 1e3,
  us: 1,
  usec: 1,
  usecs: 1,
} as const;

/** Rate units, in bits per second (a bare number is bits per second). */
const RATE_UNITS = {
  "": 1,
  bit: 1,
  kibit: 1024,
  kbit: 1000,
  mibit: 1024 ** 2,
  mbit: 1e6,
  gibit: 1024 ** 3,
  gbit: 1e9,
  tibit: 1024 ** 4,
  tbit: 1e12,
  bps: 8,
  kibps: 8 * 1024,
  kbps: 8000,
  mibps: 8 * 1024 ** 2,
  mbps: 8e6,
  gibps: 8 * 1024 ** 3,
  gbps: 8e9,
  tibps: 8 * 1024 ** 4,
  tbps: 8e12,
} as const;

/**
 * Parses a rate (`100mbit`, `1.5kbit`, `10Mbps`; a bare number is bits per
 * second) into bytes per second, truncated as `tc` does.
 */
export function parseRate(text: string): number {
  const bits = scaled(text, RATE_UNITS);
  if (!(bits >= 0)) {
    if (text.includes("%")) throw new InvalidArgumentError(`Cannot use a rate relative to the link speed: "${text}"`);
    throw new InvalidArgumentError(
      `Invalid rate: "${text}" (expected a number and a unit such as 100mbit, 1.5kbit or 10Mbps)`,
    );
  }
  return Math.trunc(bits / 8);
}

/** Formats bytes per second as `tc` prints a rate (`100Mbit`, `1500Kbit`, `96bit`). */
export function formatRate(bytesPerSecond: number): string {
  const units = ["", "K", "M", "G", "T"];
  // 64-bit arithmetic, as in iproute2's print_rate.
  let rate = BigInt(Math.trunc(bytesPerSecond)) << 3n;
  let i = 0;
  for (; i < units.length - 1; i++) {
    if (rate < 1000n) break;
    if (rate % 1000n !== 0n && rate < 1000n * 1000n) break;
    rate /= 1000n;
  }
  return `${rate}${units[i]}bit`;
}

/** Parses a size (`10kb`, `1mb`, `1500`, `1g`, `8kbit`) into bytes, as `tc` does. */
export function parseSize(text: string): number {
  const bytes = scaled(text, SIZE_UNITS);
  if (!(bytes >= 0) || bytes > 0xffffffff || bytes !== Math.floor(bytes)) {
    throw new InvalidArgumentError(
      `Invalid size: "${text}" (expected bytes with an optional unit: b, kb, mb, gb, kbit, mbit)`,
    );
  }
  return bytes;
}

/** C's `%g` (as printf writes it) with `precision` significant digits. */
export function printfG(x: number, precision = 6): string {
  if (x === 0) return "0";
  const [mant, ex] = x.toExponential(precision - 1).split("e");
  const e = Number(ex);
  const strip = (t: string) => t.includes(".") ? t.replace(/\.?0+$/, "") : t;
  if (e < -4 || e >= precision) return `${strip(mant)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return strip(x.toFixed(precision - 1 - e));
}

/** Formats a size in bytes as `tc` does (`10Kb`, `1Mb`, `1600b`). */
export function formatSize(bytes: number): string {
  const sz = bytes >>> 0;
  const kilo = 1024, mega = kilo * kilo;
  if (sz >= mega && Math.abs(mega * Math.round(sz / mega) - sz) < 1024) return `${printfG(rint(sz / mega))}Mb`;
  if (sz >= kilo && Math.abs(kilo * Math.round(sz / kilo) - sz) < 16) return `${printfG(rint(sz / kilo))}Kb`;
  return `${sz}b`;
}

/** Round half to even, as C's `rint`. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Microseconds per second: `tc`'s time unit. */
export const TIME_UNITS_PER_SEC = 1_000_000;

/** Parses a time (`100ms`, `1s`, `250us`, `2.5msec`; bare numbers are microseconds) into microseconds. */
export function parseTime(text: string): number {
  const us = scaled(text, TIME_UNITS);
  if (!(us >= 0) || us > 0xffffffff) {
    throw new InvalidArgumentError(`Invalid time: "${text}" (expected a number with an optional unit: s, ms, us)`);
  }
  return Math.trunc(us);
}

/** Formats microseconds as `tc` does (`50ms`, `1s`, `1.5s`, `800us`). */
export function formatTime(us: number): string {
  if (us >= TIME_UNITS_PER_SEC) return `${printfG(us / TIME_UNITS_PER_SEC, 3)}s`;
  if (us >= 1000) return `${printfG(us / 1000, 3)}ms`;
  return `${us >>> 0}us`;
}

/**
 * Scheduler ticks per microsecond. Every current kernel reports `000003e8
 * 00000040 000f4240 3b9aca00` in `/proc/net/psched` (64 ns per tick), which
 * `tc` turns into 1000 / 64 = 15.625 ticks per microsecond.
 */
export const TICKS_PER_USEC = 15.625;

// A double converted to a C unsigned int on x86-64 keeps the low 32 bits.
function toU32(x: number): number {
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(x))));
}

/** Ticks to send `size` bytes at `rate` bytes per second (`tc_calc_xmittime`). */
export function xmitTime(rate: number, size: number): number {
  return toU32(toU32(TIME_UNITS_PER_SEC * (size / rate)) * TICKS_PER_USEC);
}

/** Bytes sent at `rate` during `ticks` (`tc_calc_xmitsize`). */
export function xmitSize(rate: number, ticks: number): number {
  return (rate * toU32(ticks / TICKS_PER_USEC)) / TIME_UNITS_PER_SEC;
}

/** Link layers a rate table can account for. */
export const LINKLAYER = { ethernet: 1, atm: 2 } as const;

/** A rate's header in a rate table (`struct tc_ratespec`). */
export interface RateSpec {
  /** log2 of the table's cell size. */
  cellLog: number;
  /** `TC_LINKLAYER_*`. */
  linklayer: number;
  /** Bytes added to each packet. */
  overhead: number;
  /** Cell alignment (-1 as tc sets it). */
  cellAlign: number;
  /** Minimum packet size accounted. */
  mpu: number;
  /** Bytes per second, capped at 2^32-1 (the 64-bit rate goes in its own attribute). */
  rate: number;
}

/** `struct tc_ratespec` layout. */
export const TC_RATESPEC = {
  cellLog: "u8",
  linklayer: "u8",
  overhead: "u16",
  cellAlign: "s16",
  mpu: "u16",
  rate: "u32",
} as const;

/**
 * Computes a 256-entry rate table (`tc_calc_rtable`): the transmit time of
 * each packet size at `rate` (default: the spec's 32-bit rate; police passes its 64-bit one), with `spec`'s cell log and link layer filled in.
 * `cellLog` below 0 derives it from `mtu` (0 means 2047).
 */
export function rateTable(spec: RateSpec, cellLog: number, mtu: number, rate: number = spec.rate): Uint32Array {
  if (mtu === 0) mtu = 2047;
  if (cellLog < 0) {
    cellLog = 0;
    while ((mtu >> cellLog) > 255) cellLog++;
  }
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let sz = Math.max((i + 1) << cellLog, spec.mpu);
    if (spec.linklayer === LINKLAYER.atm) sz = Math.ceil(sz / 48) * 53;
    table[i] = xmitTime(rate, sz);
  }
  spec.cellAlign = -1;
  spec.cellLog = cellLog;
  spec.linklayer &= 0x0f;
  return table;
}

/** Parses `SIZE[/CELL]` (a burst with an optional cell size, a power of two) into bytes and cell log (-1 if absent). */
export function parseSizeAndCell(text: string): { size: number; cellLog: number } {
  const slash = text.indexOf("/");
  if (slash < 0) return { size: parseSize(text), cellLog: -1 };
  const cell = Number(text.slice(slash + 1));
  const cellLog = Math.log2(cell);
  if (!Number.isInteger(cellLog) || cellLog < 0 || cellLog > 31) {
    throw new InvalidArgumentError(`Invalid cell size: "${text}" (expected SIZE/CELL with CELL a power of two)`);
  }
  return { size: parseSize(text.slice(0, slash)), cellLog };
}

/**
 * A rate estimator from its averaging interval and time constant in
 * microseconds, as tc's `estimator INTERVAL TIME_CONST` computes it:
 * `interval` is log2 of quarter seconds (-2 to 3), `ewmaLog` the EWMA
 * weight's log.
 */
export function estimatorOf(intervalUs: number, timeConstUs: number): { interval: number; ewmaLog: number } {
  let interval = 0;
  while (interval <= 5 && !(intervalUs <= (1 << interval) * (TIME_UNITS_PER_SEC / 4))) interval++;
  let ewmaLog = 1;
  for (; ewmaLog < 32; ewmaLog++) {
    const w = 1 - 1 / 2 ** ewmaLog;
    if (intervalUs / (1 - w) > timeConstUs) break;
  }
  ewmaLog--;
  if (!intervalUs || !timeConstUs || interval > 5 || ewmaLog === 0 || ewmaLog >= 31) {
    throw new InvalidArgumentError(
      `Invalid estimator: ${intervalUs}us ${timeConstUs}us (interval up to 8s, time constant above it)`,
    );
  }
  return { interval: interval - 2, ewmaLog };
}
