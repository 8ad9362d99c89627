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
