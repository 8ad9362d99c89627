// Quantities as people write them in scenario files: durations (100ms, 5m, 1h30m), sizes (800B,
// 250KB, 1MiB), rates (4000/s, 2MiB/s, 100/min) and shares (0.1%, 0.25). Sizes follow SI and IEC:
// KB = 1000 bytes, KiB = 1024 bytes. Parsers return undefined for text they cannot read.

import { US_PER_H, US_PER_MIN, US_PER_MS, US_PER_S } from "../engine/time.js";

/** A duration in integer microseconds (parsed from e.g. "100ms"). */
export type DurationUs = number;
/** A size in bytes (parsed from e.g. "1MiB"). */
export type Bytes = number;
/** A rate per second (records/s or bytes/s). */
export type PerSecond = number;
/** A share between 0 and 1 (parsed from e.g. "5%"). */
export type Fraction = number;

const DURATION_UNITS: Record<string, number> = {
  us: 1,
  µs: 1,
  ms: US_PER_MS,
  s: US_PER_S,
  sec: US_PER_S,
  m: US_PER_MIN,
  min: US_PER_MIN,
  h: US_PER_H,
  d: 24 * US_PER_H,
};

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

// A signed decimal; negative values parse so that bounds, not the parser, reject them.
const NUMBER = String.raw`[-+]?(?:[0-9]+(?:_[0-9]+)*(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|\.[0-9]+)`;
const DURATION_PART = new RegExp(String.raw`(${NUMBER})\s*(us|µs|ms|sec|min|s|m|h|d)`, "y");

/** Parses "1h30m", "250ms", "2.5s"; a bare number means seconds. Result in whole µs. */
export function parseDuration(input: string | number): DurationUs | undefined {
  if (typeof input === "number") return Number.isNaN(input) ? undefined : Math.round(input * US_PER_S);
  const text = input.trim().toLowerCase();
  if (text === "") return undefined;
  if (new RegExp(`^(?:${NUMBER})$`).test(text))
    return Math.round(Number(text.replaceAll("_", "")) * US_PER_S);
  let total = 0;
  let index = 0;
  while (index < text.length) {
    DURATION_PART.lastIndex = index;
    const match = DURATION_PART.exec(text);
    if (!match) return undefined;
    total += Number(match[1]!.replaceAll("_", "")) * DURATION_UNITS[match[2]!]!;
    index = DURATION_PART.lastIndex;
    while (text[index] === " ") index++;
  }
  return Number.isNaN(total) ? undefined : Math.round(total);
}

/** Parses "800B", "250KB", "1 MiB"; a bare number means bytes. */
export function parseSize(input: string | number): Bytes | undefined {
  if (typeof input === "number") return Number.isNaN(input) ? undefined : input;
  const match = new RegExp(String.raw`^(${NUMBER})\s*([a-z]*)$`).exec(input.trim().toLowerCase());
  if (!match) return undefined;
  const unit = match[2] === "" ? "b" : match[2]!;
  const factor = SIZE_UNITS[unit];
  if (factor === undefined) return undefined;
  const value = Number(match[1]!.replaceAll("_", "")) * factor;
  return Number.isNaN(value) ? undefined : value;
}

/** A parsed rate: per second, and whether it counted bytes or records. */
export interface ParsedRate {
  perSecond: PerSecond;
  kind: "count" | "bytes";
}

/** Parses "4000/s", "100/min", "2MiB/s", "4000" (per second). */
export function parseRate(input: string | number): ParsedRate | undefined {
  if (typeof input === "number") return Number.isNaN(input) ? undefined : { perSecond: input, kind: "count" };
  const text = input.trim();
  const slash = text.lastIndexOf("/");
  const amountText = slash >= 0 ? text.slice(0, slash).trim() : text;
  const periodText = slash >= 0 ? text.slice(slash + 1).trim() : "s";
  const period = parseDuration(/^[0-9.]/.test(periodText) ? periodText : `1${periodText}`);
  if (period === undefined || period <= 0) return undefined;
  let amount: number | undefined;
  let kind: ParsedRate["kind"] = "count";
  if (new RegExp(`^(?:${NUMBER})$`, "i").test(amountText)) amount = Number(amountText.replaceAll("_", ""));
  else {
    amount = parseSize(amountText);
    kind = "bytes";
  }
  if (amount === undefined) return undefined;
  const perSecond = (amount * US_PER_S) / period;
  return Number.isNaN(perSecond) ? undefined : { perSecond, kind };
}

/** Parses "5%" or a plain fraction 0.05. */
export function parseFraction(input: string | number): Fraction | undefined {
  if (typeof input === "number") return Number.isNaN(input) ? undefined : input;
  const match = new RegExp(String.raw`^(${NUMBER})\s*%$`).exec(input.trim());
  if (match) return Number(match[1]!.replaceAll("_", "")) / 100;
  const plain = new RegExp(`^(?:${NUMBER})$`).test(input.trim()) ? Number(input.trim()) : undefined;
  return plain;
}

/** Parses a p99-to-median ratio: "3x" or a plain number (NaN-free; the field checks it is ≥ 1). */
export function parseRatio(input: string | number): number | undefined {
  if (typeof input === "number") return Number.isNaN(input) ? undefined : input;
  const match = /^\s*([0-9.]+)\s*x\s*$/i.exec(input);
  const value = match ? Number(match[1]) : Number.NaN;
  return Number.isNaN(value) ? undefined : value;
}

/**
 * An SLO threshold: a comparison, the value it compares with, and the window it holds over
 * (`over`: the whole run, or every window of that many µs; undefined: the SLO's default).
 */
export interface Threshold {
  op: "<" | "<=";
  value: number;
  over?: "run" | number;
}

// "< 0.1%", "<= 250ms": the operator, then everything up to the end of the line.
const THRESHOLD = /^\s*(<=|<)\s*(.+)$/;
// " over 1m" / " over run": the first "over" between spaces starts the window.
const WINDOW = /^([\s\S]*?)[^\S\n\r\u2028\u2029]+over[^\S\n\r\u2028\u2029]+([\s\S]*)$/i;

/** Splits "< 0.1% over 1m" into the threshold text and its window; undefined when the window is unreadable. */
function splitWindow(text: string): { head: string; over?: "run" | number } | undefined {
  const match = WINDOW.exec(text);
  if (!match) return { head: text };
  const window = match[2]!.trim();
  if (window.toLowerCase() === "run") return { head: match[1]!, over: "run" };
  const us = parseDuration(window);
  // A window of 0 or less is read here and refused by the SLO field, as a rate's zero period is.
  return us !== undefined && Number.isFinite(us) ? { head: match[1]!, over: us } : undefined;
}

// A share: a plain decimal, optionally a percentage.
const SHARE_THRESHOLD = /^\s*(<=|<)\s*([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*(%?)\s*$/;

/** Parses a share threshold ("< 0.1%", "<= 0", "< 0.1% over 1m"); the value is a fraction. */
export function parseShareThreshold(text: string): Threshold | undefined {
  const split = splitWindow(text);
  const match = split ? SHARE_THRESHOLD.exec(split.head) : null;
  if (!split || !match) return undefined;
  const value = Number(match[2]!) / (match[3] === "%" ? 100 : 1);
  if (!Number.isFinite(value)) return undefined;
  return {
    op: match[1] as Threshold["op"],
    value,
    ...(split.over !== undefined ? { over: split.over } : {}),
  };
}

/** Parses a duration threshold ("< 2s", "<= 250ms over 5m"); the value is in µs. */
export function parseDurationThreshold(text: string): Threshold | undefined {
  const split = splitWindow(text);
  const match = split ? THRESHOLD.exec(split.head) : null;
  const value = match ? parseDuration(match[2]!.trim()) : undefined;
  if (!split || !match || value === undefined || !Number.isFinite(value)) return undefined;
  return {
    op: match[1] as Threshold["op"],
    value,
    ...(split.over !== undefined ? { over: split.over } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The same languages as regular expressions, for the JSON Schema (`kinesim schema`), so that an
// editor checks a value as the parsers above read it. They are matched against the text as written:
// surrounding white space is allowed and letters are matched in both cases, because the parsers trim
// and lower-case (and "\u212A", the Kelvin sign, lower-cases to "k"). Only arithmetic is left out: a
// rate whose period comes to zero or less, and numerals so large that they overflow to ±Infinity
// (test/scenario/unit-patterns.prop.test.ts states both; the fields refuse them).

/** A numeral of NUMBER's form; `e` as given, and `_` groups only when `underscores`. */
function numeral(e: string, underscores: boolean, signed = true): string {
  const groups = underscores ? "(?:_[0-9]+)*" : "";
  return `${signed ? "[-+]?" : ""}(?:[0-9]+${groups}(?:\\.[0-9]+)?(?:${e}[-+]?[0-9]+)?|\\.[0-9]+)`;
}
const N = numeral("[eE]", true);
const DURATION_UNIT = "(?:[uUµ][sS]|[mM](?:[sS]|[iI][nN])?|[sS](?:[eE][cC])?|[hH]|[dD])";
const SIZE_UNIT = "(?:[kK\\u212AmMgGtT][iI]?)?[bB]";

/** A duration after its first numeral; `ws` is the white space allowed between number and unit. */
function durationTail(ws: string): string {
  return `(?:${ws}*${DURATION_UNIT}(?: *${N}${ws}*${DURATION_UNIT})*)?`;
}
const DURATION = `${N}${durationTail("\\s")}`;
// The period of a rate: a duration that starts with a digit or ".", or a unit that reads as "1<unit>"
// (so "/s", "/min", "/h 30m", and also what continues a "1": "/_5s" is 15 s, "/e3s" 1000 s).
const PERIOD = `(?:${numeral("[eE]", true, false)}|(?:(?:_[0-9]+)+(?:\\.[0-9]+)?)?(?:[eE][-+]?[0-9]+)?)${durationTail("\\s")}`;
const RATE_PERIOD = `(?:\\s*/\\s*${PERIOD})?`;
// White space that is not a line break (an SLO threshold is one line).
const INLINE_WS = "[^\\S\\n\\r\\u2028\\u2029]";
const whole = (body: string) => `^\\s*(?:${body})\\s*$`;
// An SLO's window: " over run" or " over <duration>" (letters in either case).
const OVER = `${INLINE_WS}+[oO][vV][eE][rR]${INLINE_WS}`;
const WINDOW_TAIL = `(?:${OVER}\\s*(?:[rR][uU][nN]|${DURATION})\\s*)?`;

/** JSON Schema patterns of the unit strings each parser reads (ECMA-262 syntax, with or without the u flag). */
export const UNIT_PATTERNS = {
  /** parseDuration: "250ms", "1h30m", "5" (seconds). */
  duration: whole(DURATION),
  /** parseSize: "800B", "1 MiB", "5" (bytes). */
  size: whole(`${N}\\s*(?:${SIZE_UNIT})?`),
  /** parseRate of kind "count": "4000/s", "100/min", "4000". */
  countRate: whole(`${N}${RATE_PERIOD}`),
  /** parseRate of kind "bytes": "2MiB/s", "500KB/s", "1MiB" (per second). */
  byteRate: whole(`${N}\\s*${SIZE_UNIT}${RATE_PERIOD}`),
  /** parseFraction: "5%" or "0.05" (a plain fraction has no "_" groups). */
  fraction: whole(`${numeral("e", true)}\\s*%|${numeral("e", false)}`),
  /** parseRatio: "3x". */
  ratio: whole("(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*[xX]"),
  /** parseShareThreshold: "< 0.1%", "<= 0", "< 0.1% over 1m". */
  shareThreshold: `^\\s*<=?\\s*[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*%?${WINDOW_TAIL}\\s*$`,
  /** parseDurationThreshold: "<= 250ms", "< 2s over run". */
  durationThreshold: `^\\s*<=?\\s*${N}${durationTail(INLINE_WS)}${WINDOW_TAIL}${INLINE_WS}*$`,
} as const;

/** Formats µs in the largest unit that divides it exactly ("365d", "24h", "250ms", "1.5s"). */
export function formatDuration(us: DurationUs): string {
  if (us === 0) return "0s";
  const day = 24 * US_PER_H;
  if (us >= 2 * day && us % day === 0) return `${us / day}d`;
  if (us % US_PER_H === 0) return `${us / US_PER_H}h`;
  if (us % US_PER_MIN === 0) return `${us / US_PER_MIN}m`;
  if (us % US_PER_S === 0 || (us > US_PER_S && us % US_PER_MS === 0)) return `${us / US_PER_S}s`;
  if (us % US_PER_MS === 0) return `${us / US_PER_MS}ms`;
  if (us >= US_PER_S) return `${us / US_PER_S}s`;
  return `${us}us`;
}

/** Formats bytes with the largest IEC unit that divides them exactly ("1MiB", "800B"). */
export function formatSize(bytes: Bytes): string {
  for (const [unit, factor] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}

/** Formats a share as a percentage ("0.1%"). */
export function formatPercent(fraction: Fraction): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

/**
 * A number as `toLocaleString("en-US", { minimumFractionDigits, maximumFractionDigits })` writes
 * it ("70,000", "1,234.568"), without ICU: the first Intl number format of a process costs 15-25
 * ms (ICU's set-up), and a command that parses a scenario, lists it or writes a run's report needs
 * only this. Like ICU it rounds the shortest decimal that reads back as the number (1.0005 →
 * "1.001", where toFixed gives "1.000"), half away from zero, and keeps the sign of a negative
 * number that rounds to zero ("-0"). Infinities and NaN go to toLocaleString.
 */
export function formatNumber(x: number, maximumFractionDigits = 3, minimumFractionDigits = 0): string {
  if (!Number.isFinite(x)) return x.toLocaleString("en-US", { minimumFractionDigits, maximumFractionDigits });
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  let whole: string;
  let fraction: string;
  if (Number.isSafeInteger(x)) {
    whole = String(Math.abs(x));
    fraction = "";
  } else {
    // String() gives the shortest decimal that reads back as x, possibly with an exponent.
    const [, lead = "", tail = "", exponent = "0"] = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(
      String(Math.abs(x)),
    )!;
    const digits = lead + tail;
    const point = lead.length + Number(exponent);
    whole = point <= 0 ? "0" : digits.slice(0, point).padEnd(point, "0");
    fraction = point < 0 ? "0".repeat(-point) + digits : digits.slice(Math.max(point, 0));
    if (fraction.length > maximumFractionDigits) {
      const up = fraction[maximumFractionDigits]! >= "5";
      fraction = fraction.slice(0, maximumFractionDigits);
      if (up) {
        const rounded = increment(whole + fraction);
        whole = rounded.slice(0, rounded.length - fraction.length);
        fraction = rounded.slice(rounded.length - fraction.length);
      }
    }
  }
  while (fraction.length > minimumFractionDigits && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  fraction = fraction.padEnd(minimumFractionDigits, "0");
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return `${sign}${grouped}${fraction ? `.${fraction}` : ""}`;
}

/** A string of decimal digits plus one ("199" → "200", "99" → "100"). */
function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === "9") i--;
  if (i < 0) return `1${"0".repeat(digits.length)}`;
  return `${digits.slice(0, i)}${String.fromCharCode(digits.charCodeAt(i) + 1)}${"0".repeat(digits.length - 1 - i)}`;
}
