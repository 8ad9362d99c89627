// Scenario forms of distributions: a shorthand value ("1KiB" means a constant) or a mapping with
// `dist`. Sizes and durations share one builder; the result is an engine DistributionSpec.

import { type DistributionSpec, Z_P99 } from "../engine/distributions.js";
import { type Bound, number, SHORTHANDS } from "./fields.js";
import * as z from "./zod.js";

type UnitField = (options: {
  min?: Bound;
  max?: Bound;
  description: string;
}) => z.ZodType<number, string | number>;

/** Wraps a bare value as `{ dist: constant, value }` so the shorthand validates like the long form. */
function shorthand(value: unknown): unknown {
  return typeof value === "string" || typeof value === "number" ? { dist: "constant", value } : value;
}

/** A distribution whose values are read with `unit` (size or duration). */
export function distributionOf(unit: UnitField, noun: string) {
  const positive = { value: 0, exclusive: true } as const;
  const nonNegative = { value: 0 } as const;
  const value = (description: string, min: Bound = nonNegative) => unit({ min, description });
  const variants = z.discriminatedUnion("dist", [
    z.strictObject({ dist: z.literal("constant"), value: value(`the ${noun}`) }),
    z.strictObject({
      dist: z.literal("uniform"),
      min: value(`smallest ${noun}`),
      max: value(`largest ${noun}`),
    }),
    z.strictObject({ dist: z.literal("exponential"), mean: value(`mean ${noun}`, positive) }),
    z.strictObject({
      dist: z.literal("normal"),
      mean: value(`mean ${noun}`),
      stddev: value(`standard deviation`),
    }),
    z.strictObject({
      dist: z.literal("lognormal"),
      median: value(`median ${noun}`, positive),
      p99: value(`99th percentile ${noun} (give p99 or sigma)`, positive).optional(),
      sigma: number({
        min: positive,
        description: "σ of the underlying normal (give p99 or sigma)",
      }).optional(),
    }),
    z.strictObject({
      dist: z.literal("empirical"),
      values: z
        .array(value(`a possible ${noun}`))
        .min(1)
        .meta({ description: `the possible ${noun}s, drawn with the weights` }),
      weights: z
        .array(number({ min: nonNegative, description: "relative weight" }))
        .optional()
        .meta({ description: "relative weight of each value, in the same order (default: all equal)" }),
    }),
  ]);
  return z
    .preprocess(shorthand, variants)
    .register(SHORTHANDS, { shorthand: () => value(`a constant ${noun}`) })
    .transform((spec, ctx): DistributionSpec => {
      switch (spec.dist) {
        case "constant":
          return { dist: "constant", value: spec.value };
        case "uniform":
          if (spec.max < spec.min)
            ctx.issues.push({
              code: "custom",
              message: "max must not be below min",
              input: spec,
              path: ["max"],
            });
          return { dist: "uniform", min: spec.min, max: spec.max };
        case "exponential":
          return { dist: "exponential", mean: spec.mean };
        case "normal":
          return { dist: "normal", mean: spec.mean, stddev: spec.stddev, clampMin: 0 };
        case "lognormal": {
          if ((spec.p99 === undefined) === (spec.sigma === undefined)) {
            ctx.issues.push({ code: "custom", message: "give exactly one of p99 or sigma", input: spec });
            return { dist: "constant", value: spec.median };
          }
          if (spec.p99 !== undefined && spec.p99 <= spec.median) {
            ctx.issues.push({
              code: "custom",
              message: "p99 must be above the median",
              input: spec,
              path: ["p99"],
            });
            return { dist: "constant", value: spec.median };
          }
          const sigma = spec.sigma ?? Math.log(spec.p99! / spec.median) / Z_P99;
          return { dist: "lognormal", median: spec.median, sigma };
        }
        case "empirical":
          if (spec.weights && spec.weights.length !== spec.values.length) {
            ctx.issues.push({
              code: "custom",
              message: "weights must have one entry per value",
              input: spec,
              path: ["weights"],
            });
          }
          if (spec.weights && !spec.weights.some((w) => w > 0)) {
            ctx.issues.push({
              code: "custom",
              message: "at least one weight must be positive",
              input: spec,
              path: ["weights"],
            });
          }
          return {
            dist: "empirical",
            values: spec.values,
            ...(spec.weights ? { weights: spec.weights } : {}),
          };
      }
    });
}
