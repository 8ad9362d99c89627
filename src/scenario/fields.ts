// zod builders for the quantities of a scenario file (durations, sizes, rates, shares, counts),
// each with bounds that may cite an AWS limit. Output values are in engine units: µs, bytes,
// per second, fractions.

import type { Fact } from "../data/sources.js";
import { aboveMaximum, belowMinimum, EXPECTED, expected, notOneOf, show } from "./messages.js";
import { formatDuration, formatSize, parseDuration, parseFraction, parseRate, parseSize } from "./units.js";
import * as z from "./zod.js";

/** A bound on a quantity; `fact` makes the message cite the AWS limit it comes from. */
export interface Bound {
  value: number;
  fact?: Fact;
  /** Strict bound (value itself not allowed). */
  exclusive?: boolean;
}

interface QuantityOptions {
  min?: Bound;
  max?: Bound;
  integer?: boolean;
  description: string;
  /** A more specific reason when the input cannot be read (e.g. a byte rate for a record rate). */
  explain?: (input: string | number) => string | undefined;
}

type Parse = (input: string | number) => number | undefined;

/** How a quantity is written: the unit language of its text, and what a bare number counts. */
export type QuantityKind = "duration" | "size" | "countRate" | "byteRate" | "fraction" | "number";

/** What the JSON Schema (json-schema.ts) needs to know about a quantity field. */
export interface QuantityInfo {
  kind: QuantityKind;
  description: string;
  min?: Bound;
  max?: Bound;
  integer?: boolean;
}

/** A shorter form a field also accepts ("3000/s" for a constant rate profile), as a schema of its own. */
export interface Shorthand {
  /** The shorthand's schema (typed loosely: zod's registry types rewrite schema types in metadata). */
  shorthand: () => unknown;
}

/** Fields whose preprocess step expands a shorthand; the JSON Schema lists the shorthand beside the long form. */
export const SHORTHANDS = z.registry<Shorthand>();

/** Every quantity field built here, with its kind and bounds, so the JSON Schema states them too. */
export const QUANTITIES = z.registry<QuantityInfo>();

/** A number or a text, with `what` in the message for anything else: one schema per `what`,
 *  shared by the fields that expect it (zod builds every schema when the module loads). */
const numberOrTextOf = new Map<string, ReturnType<typeof makeNumberOrText>>();

function makeNumberOrText(what: string) {
  // z.number() rejects ±Infinity; a custom check lets huge values reach the bounds below.
  return z.union([z.custom<number>((v) => typeof v === "number"), z.string()], {
    error: (issue) => expected(what, issue.input),
  });
}

function numberOrText(what: string) {
  let schema = numberOrTextOf.get(what);
  if (!schema) {
    schema = makeNumberOrText(what);
    numberOrTextOf.set(what, schema);
  }
  return schema;
}

function quantity(
  kind: QuantityKind,
  parse: Parse,
  what: string,
  render: (n: number) => string,
  options: QuantityOptions,
) {
  const { min, max, integer, description } = options;
  const info: QuantityInfo = { kind, description };
  if (min) info.min = min;
  if (max) info.max = max;
  if (integer) info.integer = true;
  return (
    numberOrText(what)
      .transform((input, ctx) => {
        const value = parse(input);
        const fail = (message: string) => {
          ctx.issues.push({ code: "custom", message, input });
          return z.NEVER;
        };
        if (value === undefined || Number.isNaN(value)) {
          const reason = options.explain?.(input);
          return fail(`${expected(what, input)}${reason ? ` (${reason})` : ""}`);
        }
        const shown = typeof input === "string" ? `"${input}"` : render(value);
        const { min, max } = options;
        if (!Number.isFinite(value)) {
          if (value > 0 && max) return fail(aboveMaximum(shown, render(max.value), max.fact));
          return fail(
            `${typeof input === "string" ? shown : String(input)} is too large to be a meaningful value`,
          );
        }
        if (options.integer && !Number.isInteger(value)) return fail(expected(`${EXPECTED.integer}`, input));
        if (min && (value < min.value || (min.exclusive && value === min.value))) {
          const bound = min.exclusive ? `more than ${render(min.value)}` : render(min.value);
          return fail(belowMinimum(shown, bound, min.fact));
        }
        if (max && (value > max.value || (max.exclusive && value === max.value))) {
          const bound = max.exclusive ? `less than ${render(max.value)}` : render(max.value);
          return fail(aboveMaximum(shown, bound, max.fact));
        }
        return value;
      })
      // Registered on the field itself: `.meta()` would register a clone and build the field twice.
      .register(z.globalRegistry, { description: options.description })
      .register(QUANTITIES, info)
  );
}

/** A duration in µs ("250ms", "5m"; bare numbers are seconds). */
export function duration(options: QuantityOptions) {
  return quantity("duration", parseDuration, EXPECTED.duration, formatDuration, options);
}

/** A size in bytes ("1MiB", "800B"; bare numbers are bytes). */
export function size(options: QuantityOptions) {
  return quantity("size", parseSize, EXPECTED.size, formatSize, options);
}

/** A record rate per second ("4000/s", "100/min"). */
export function countRate(options: QuantityOptions) {
  const parse: Parse = (input) => {
    const rate = parseRate(input);
    return rate && rate.kind === "count" ? rate.perSecond : undefined;
  };
  const byteRateGiven = (input: string | number) => parseRate(input)?.kind === "bytes";
  return quantity("countRate", parse, EXPECTED.countRate, (n) => `${show(n)}/s`, {
    ...options,
    explain: (input) => (byteRateGiven(input) ? "that is a byte rate; this field counts records" : undefined),
  });
}

/** A byte rate per second ("2MiB/s"). */
export function byteRate(options: QuantityOptions) {
  const parse: Parse = (input) => {
    const rate = parseRate(input);
    return rate && rate.kind === "bytes" ? rate.perSecond : undefined;
  };
  return quantity("byteRate", parse, EXPECTED.rate, (n) => `${formatSize(Math.round(n))}/s`, options);
}

/** A share in [0, 1] ("5%", 0.05). */
export function fraction(options: Omit<QuantityOptions, "min" | "max"> & { min?: Bound; max?: Bound }) {
  return quantity("fraction", parseFraction, EXPECTED.fraction, (n) => `${show(n * 100)}%`, {
    min: { value: 0 },
    max: { value: 1 },
    ...options,
  });
}

/** A plain number with bounds. */
export function number(options: QuantityOptions) {
  const parse: Parse = (input) => (typeof input === "number" ? input : undefined);
  return quantity("number", parse, options.integer ? EXPECTED.integer : EXPECTED.number, show, options);
}

/** A string from a fixed set, with a "did you mean" hint. */
export function oneOf<const T extends readonly [string, ...string[]]>(options: T, description: string) {
  return z.enum(options, { error: (issue) => notOneOf(issue.input, options) }).meta({ description });
}

/** A name usable in file names and stream paths. */
export function name(description: string) {
  return z
    .string({ error: (issue) => expected("a name", issue.input) })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, {
      error: (issue) =>
        `expected a name of letters, digits, "_", "." or "-" (up to 128), got ${JSON.stringify(issue.input)}`,
    })
    .meta({ description });
}

/** The largest ExplicitHashKey, 2^128 − 1 (the hash-key space is 128 bits). */
const MAX_HASH_KEY = (1n << 128n) - 1n;

/**
 * Reads an ExplicitHashKey as AWS takes it: a decimal integer from 0 to 2^128 − 1, written without
 * sign, leading zeros or spaces. Undefined for anything else (hex, negative, too large).
 */
export function parseHashKey(text: string): bigint | undefined {
  if (!/^(0|[1-9]\d{0,38})$/.test(text)) return undefined;
  const key = BigInt(text);
  return key <= MAX_HASH_KEY ? key : undefined;
}

/** "expected a decimal hash key …, got …", with a hint when the key was written as a YAML number. */
export function hashKeyMessage(input: unknown, alternative?: string): string {
  const what = alternative ? `${EXPECTED.hashKey}, or ${alternative}` : EXPECTED.hashKey;
  const hint =
    typeof input === "number" ? " (write it in quotes: a YAML number loses digits above 2^53)" : "";
  return `${expected(what, input)}${hint}`;
}

/** A hash key written as a string (a YAML number would lose digits above 2^53). */
export function hashKey(description: string) {
  return z
    .string({ error: (issue) => hashKeyMessage(issue.input) })
    .refine((text) => parseHashKey(text) !== undefined, {
      error: (issue) => expected(EXPECTED.hashKey, issue.input),
    })
    .meta({ description });
}
