// Every message a user sees about a scenario file, in one place, so wording stays consistent.

import { type Fact, SOURCES, type Source, type SourceKey } from "../data/sources.js";
import { formatNumber } from "./units.js";

/** A short description of what a field accepts, used in "expected …" messages. */
export const EXPECTED = {
  duration: "a duration such as 250ms, 5m or 24h (a bare number means seconds)",
  size: "a size such as 800B, 250KB or 1MiB (a bare number means bytes; KB = 1000 B, KiB = 1024 B)",
  rate: "a rate such as 4000/s, 100/min or 2MiB/s (a bare number means per second)",
  byteRate:
    "a byte rate such as 2MiB/s, 500KB/s or 1GB/min (a size per period; a bare size means per second)",
  countRate: "a record rate such as 4000/s or 100/min (a bare number means per second)",
  fraction: "a share such as 5% or 0.05",
  integer: "a whole number",
  hashKey: "a decimal hash key from 0 to 2^128−1 (340282366920938463463374607431768211455)",
  number: "a number",
} as const;

/** Renders a number for a message: integers with thousands separators, others compactly. */
export function show(value: number): string {
  if (Number.isInteger(value)) return formatNumber(value);
  return String(Number(value.toPrecision(6)));
}

/**
 * "source: <readable title>; <readable title>" for the documents behind a number. Messages name
 * documents, not the internal ids of the data files; `--verbose` adds their full titles and URLs.
 */
export function citeSources(keys: readonly SourceKey[]): string {
  if (keys.length === 0) return "";
  return `source${keys.length === 1 ? "" : "s"}: ${keys.map((k) => SOURCES[k].cite).join("; ")}`;
}

/** The documents whose readable names appear in a message, in the order of SOURCES. */
export function sourcesCitedIn(text: string): Source[] {
  return Object.values(SOURCES).filter((s: Source) => text.includes(s.cite));
}

/** " (AWS limit: <unit>. <note> Sources: <titles>)", or "" without a fact. */
export function citation(fact: Fact | undefined): string {
  if (!fact) return "";
  const note = fact.note ? ` ${withStop(fact.note)}` : "";
  return ` (AWS limit: ${fact.unit}.${note} ${capitalised(citeSources(fact.sources))})`;
}

function withStop(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "`20000` exceeds the AWS maximum of 10,000 (…)" or a plain maximum when no fact applies. */
export function aboveMaximum(input: string, max: string, fact?: Fact): string {
  return fact
    ? `${input} exceeds the AWS maximum of ${max}${citation(fact)}`
    : `${input} is above the maximum of ${max}`;
}

/** "`0` is below the AWS minimum of 1 (…)" or a plain minimum. */
export function belowMinimum(input: string, min: string, fact?: Fact): string {
  return fact
    ? `${input} is below the AWS minimum of ${min}${citation(fact)}`
    : `${input} is below the minimum of ${min}`;
}

/** "expected X, got Y". */
export function expected(what: string, got: unknown): string {
  return `expected ${what}, got ${describeValue(got)}`;
}

/** A short, safe rendering of any YAML value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

/** Unknown key, with a suggestion when one of the known keys is close. */
export function unknownKey(key: string, known: readonly string[]): string {
  const suggestion = closest(key, known);
  const hint = suggestion
    ? `; did you mean "${suggestion}"?`
    : known.length > 0
      ? `; expected one of: ${known.join(", ")}`
      : "";
  return `unknown key "${key}"${hint}`;
}

/** A value outside a fixed set, with a suggestion. */
export function notOneOf(got: unknown, options: readonly string[]): string {
  const suggestion = typeof got === "string" ? closest(got, options) : undefined;
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
  return `expected one of ${options.map((o) => `"${o}"`).join(", ")}, got ${describeValue(got)}${hint}`;
}

/** A reference to a component that does not exist, with a suggestion among those that do. */
export function unknownName(what: string, name: string, known: readonly string[]): string {
  const suggestion = closest(name, known);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
  const list = known.length > 0 ? known.map((n) => `"${n}"`).join(", ") : "none";
  return `no ${what} is named "${name}"${hint}; the scenario has ${list}`;
}

/** A required field is missing. */
export function missing(key: string): string {
  return `missing required field "${key}"`;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** Levenshtein distance (small strings only). */
export function editDistance(a: string, b: string): number {
  if (a.length > 200 || b.length > 200) return Math.abs(a.length - b.length) + 200;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
