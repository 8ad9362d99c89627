// Continuous and discrete distributions, compiled once into samplers with a quantile function
// and exact (clamped) moments. Unitless: the scenario layer converts sizes and durations first.

import { AliasTable } from "./alias-table.js";
import type { RandomStream } from "./random.js";

/** Kinds of distribution the engine can sample. */
export const DISTRIBUTION_KINDS = [
  "constant",
  "uniform",
  "exponential",
  "normal",
  "lognormal",
  "zipf",
  "empirical",
] as const;
/** One of DISTRIBUTION_KINDS. */
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];

/** A distribution in numbers; `min`/`max` clamp every draw. */
export type DistributionSpec = (
  | { dist: "constant"; value: number }
  | { dist: "uniform"; min: number; max: number }
  | { dist: "exponential"; mean: number }
  | { dist: "normal"; mean: number; stddev: number }
  | { dist: "lognormal"; median: number; sigma: number }
  | { dist: "zipf"; n: number; exponent: number }
  | { dist: "empirical"; values: number[]; weights?: number[] }
) & { clampMin?: number; clampMax?: number; offset?: number };

/** A compiled distribution. */
export interface Sampler {
  /** One draw. */
  sample(rng: RandomStream): number;
  /** The u-quantile, 0 < u < 1 (clamped like the draws). */
  quantile(u: number): number;
  /** Mean of the clamped distribution. */
  readonly mean: number;
  /** Variance of the clamped distribution. */
  readonly variance: number;
  /** The draws above `x`: their share and mean, and the distribution of the draws at or below it. */
  splitAt(x: number): SplitAt;
}

/** A distribution cut at a value (see Sampler.splitAt). */
export interface SplitAt {
  /** Probability that a draw is above the value. */
  above: number;
  /** Mean of the draws above it (0 when there are none). */
  aboveMean: number;
  /** The distribution of the draws at or below it (undefined when every draw is above). */
  below: Sampler | undefined;
}

/** Compiles a spec into a sampler (clamped first, then shifted by `offset`). */
export function compileDistribution(spec: DistributionSpec): Sampler {
  if (spec.offset) return shifted(compileDistribution({ ...spec, offset: 0 }), spec.offset);
  const lo = spec.clampMin ?? Number.NEGATIVE_INFINITY;
  const hi = spec.clampMax ?? Number.POSITIVE_INFINITY;
  const clamp = (x: number) => Math.min(hi, Math.max(lo, x));
  let draw: (rng: RandomStream) => number;
  let quantile: (u: number) => number;
  // Exact moments when the clamps do not bite (the numerical rule truncates heavy tails).
  let exact: { mean: number; variance: number; support: [number, number] };
  switch (spec.dist) {
    case "constant": {
      const v = clamp(spec.value);
      const sampler: Sampler = {
        sample: () => v,
        quantile: () => v,
        mean: v,
        variance: 0,
        splitAt: (x) =>
          v > x ? { above: 1, aboveMean: v, below: undefined } : { above: 0, aboveMean: 0, below: sampler },
      };
      return sampler;
    }
    case "uniform": {
      const { min, max } = spec;
      draw = (rng) => min + (max - min) * rng.next();
      quantile = (u) => min + (max - min) * u;
      exact = { mean: (min + max) / 2, variance: (max - min) ** 2 / 12, support: [min, max] };
      break;
    }
    case "exponential": {
      const mean = spec.mean;
      draw = (rng) => -mean * Math.log(rng.nextOpen());
      quantile = (u) => -mean * Math.log(1 - u);
      exact = { mean, variance: mean * mean, support: [0, Number.POSITIVE_INFINITY] };
      break;
    }
    case "normal": {
      const { mean, stddev } = spec;
      draw = (rng) => mean + stddev * rng.normal();
      quantile = (u) => mean + stddev * normalQuantile(u);
      exact = {
        mean,
        variance: stddev * stddev,
        support: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
      };
      break;
    }
    case "lognormal": {
      const mu = Math.log(spec.median);
      const sigma = spec.sigma;
      draw = (rng) => Math.exp(mu + sigma * rng.normal());
      quantile = (u) => Math.exp(mu + sigma * normalQuantile(u));
      exact = {
        mean: Math.exp(mu + (sigma * sigma) / 2),
        variance: (Math.exp(sigma * sigma) - 1) * Math.exp(2 * mu + sigma * sigma),
        support: [0, Number.POSITIVE_INFINITY],
      };
      break;
    }
    case "zipf": {
      const weights = new Float64Array(spec.n);
      for (let k = 1; k <= spec.n; k++) weights[k - 1] = k ** -spec.exponent;
      return discrete(
        Array.from({ length: spec.n }, (_, i) => i + 1),
        weights,
        clamp,
      );
    }
    case "empirical":
      return discrete(spec.values, spec.weights ?? spec.values.map(() => 1), clamp);
    default: {
      const never: never = spec;
      throw new Error(`unknown distribution ${JSON.stringify(never)}`);
    }
  }
  const clampedQuantile = (u: number) => clamp(quantile(u));
  const unclamped = lo <= exact.support[0] && hi >= exact.support[1];
  const { mean, variance } = unclamped ? exact : momentsFromQuantile(clampedQuantile);
  const sampler: Sampler = {
    sample: (rng) => clamp(draw(rng)),
    quantile: clampedQuantile,
    mean,
    variance,
    splitAt: (x) => splitContinuous(sampler, x),
  };
  return sampler;
}

/** splitAt for a continuous distribution, from its (non-decreasing) quantile function. */
function splitContinuous(sampler: Sampler, x: number): SplitAt {
  const q = sampler.quantile;
  if (q(1 - 1e-12) <= x) return { above: 0, aboveMean: 0, below: sampler };
  if (q(1e-12) > x) return { above: 1, aboveMean: sampler.mean, below: undefined };
  // The largest u with q(u) <= x, by bisection.
  let a = 1e-12;
  let b = 1 - 1e-12;
  for (let i = 0; i < 60; i++) {
    const m = (a + b) / 2;
    if (q(m) <= x) a = m;
    else b = m;
  }
  const kept = a;
  const belowQuantile = (u: number) => q(u * kept);
  const belowMoments = momentsFromQuantile(belowQuantile);
  const above = 1 - kept;
  const aboveMean = (sampler.mean - kept * belowMoments.mean) / above;
  const below: Sampler = {
    sample: (rng) => belowQuantile(rng.next()),
    quantile: belowQuantile,
    mean: belowMoments.mean,
    variance: belowMoments.variance,
    splitAt: (y) => (y >= x ? { above: 0, aboveMean: 0, below } : splitContinuous(below, y)),
  };
  return { above, aboveMean: Math.max(x, aboveMean), below };
}

function discrete(
  values: readonly number[],
  weights: ArrayLike<number>,
  clamp: (x: number) => number,
): Sampler {
  const table = new AliasTable(weights);
  const clamped = values.map(clamp);
  const cumulative = new Float64Array(clamped.length);
  let acc = 0;
  let mean = 0;
  for (let i = 0; i < clamped.length; i++) {
    const p = table.probabilities[i]!;
    acc += p;
    cumulative[i] = acc;
    mean += p * clamped[i]!;
  }
  let variance = 0;
  for (let i = 0; i < clamped.length; i++) variance += table.probabilities[i]! * (clamped[i]! - mean) ** 2;
  // Quantile over the values in the order given (callers give sorted values for meaningful quantiles).
  const quantile = (u: number) => {
    let a = 0;
    let b = cumulative.length - 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (cumulative[m]! < u) a = m + 1;
      else b = m;
    }
    return clamped[a]!;
  };
  const sampler: Sampler = {
    sample: (rng) => clamped[table.sample(rng)]!,
    quantile,
    mean,
    variance,
    splitAt: (x) => {
      let above = 0;
      let aboveSum = 0;
      const kept = clamped.map((v, i) => {
        const p = table.probabilities[i]!;
        if (v <= x) return p;
        above += p;
        aboveSum += p * v;
        return 0;
      });
      if (above === 0) return { above: 0, aboveMean: 0, below: sampler };
      const below = above >= 1 - 1e-12 ? undefined : discrete(clamped, kept, (v) => v);
      return { above, aboveMean: aboveSum / above, below };
    },
  };
  return sampler;
}

/** Mean and variance by the midpoint rule on the quantile function (65,536 points). */
function momentsFromQuantile(quantile: (u: number) => number): { mean: number; variance: number } {
  const points = 65536;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < points; i++) {
    const x = quantile((i + 0.5) / points);
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / points;
  return { mean, variance: Math.max(0, sumSq / points - mean * mean) };
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** z-score of the 99th percentile, for "median + p99" lognormal specs. */
export const Z_P99 = normalQuantile(0.99);

/** A sampler whose draws are another's plus `offset` (a line's newline on top of its text). */
function shifted(inner: Sampler, offset: number): Sampler {
  return {
    sample: (rng) => inner.sample(rng) + offset,
    quantile: (u) => inner.quantile(u) + offset,
    mean: inner.mean + offset,
    variance: inner.variance,
    splitAt: (x) => {
      const split = inner.splitAt(x - offset);
      return {
        above: split.above,
        aboveMean: split.above > 0 ? split.aboveMean + offset : 0,
        below: split.below ? shifted(split.below, offset) : undefined,
      };
    },
  };
}
