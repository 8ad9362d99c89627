// Small numerical helpers for the validation tests: reading CSV columns, least-squares slopes,
// a seeded generator, and the exact distribution of the largest bin of a uniform multinomial.
// Nothing here calls Math.random: every number a test compares against is reproducible.

import type { Cell } from "../../src/metrics/sink.js";

/** A CSV row as the memory sink gives it. */
export type Row = Record<string, Cell>;

/** One column of a table as numbers (blank cells read as 0). */
export function column(rows: readonly Row[], name: string): number[] {
  return rows.map((r) => Number(r[name] ?? 0));
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
export const mean = (xs: readonly number[]): number => sum(xs) / xs.length;

/** Rows whose Time lies in [from, to). */
export function between(rows: readonly Row[], from: number, to = Number.POSITIVE_INFINITY): Row[] {
  return rows.filter((r) => Number(r["Time"]) >= from && Number(r["Time"]) < to);
}

/** Ordinary least-squares slope of ys against xs. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

/** Largest sum of `width` consecutive values. */
export function maxWindowSum(xs: readonly number[], width: number): number {
  let best = Number.NEGATIVE_INFINITY;
  let run = 0;
  for (let i = 0; i < xs.length; i++) {
    run += xs[i]!;
    if (i >= width) run -= xs[i - width]!;
    if (i >= width - 1) best = Math.max(best, run);
  }
  return best;
}

/**
 * A 32-bit linear congruential generator (the Numerical Recipes constants). Weak in its low bits,
 * so callers use the whole value scaled to [0, 1); good enough for a Monte Carlo cross-check.
 */
export class Lcg {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (Math.imul(1664525, this.state) + 1013904223) >>> 0;
    return this.state / 2 ** 32;
  }
}

/** log(n!) for n = 0 … max. */
function logFactorials(max: number): Float64Array {
  const table = new Float64Array(max + 1);
  for (let n = 2; n <= max; n++) table[n] = table[n - 1]! + Math.log(n);
  return table;
}

/**
 * P(max bin ≤ m) when K balls fall independently and uniformly into N bins. Computed exactly by
 * conditioning one bin at a time: the first of b bins receives Binomial(r, 1/b) of the r balls
 * left, and the rest are again uniform over the other b − 1 bins.
 */
function probabilityMaxAtMost(balls: number, bins: number, m: number, logFact: Float64Array): number {
  // p[r] = P(all of b bins hold ≤ m | r balls spread uniformly over them); start with b = 1.
  let p = Float64Array.from({ length: balls + 1 }, (_, r) => (r <= m ? 1 : 0));
  for (let b = 2; b <= bins; b++) {
    const next = new Float64Array(balls + 1);
    const logP = Math.log(1 / b);
    const logQ = Math.log(1 - 1 / b);
    for (let r = 0; r <= balls; r++) {
      let total = 0;
      for (let c = 0; c <= Math.min(m, r); c++) {
        const logPmf = logFact[r]! - logFact[c]! - logFact[r - c]! + c * logP + (r - c) * logQ;
        total += Math.exp(logPmf) * p[r - c]!;
      }
      next[r] = total;
    }
    p = next;
  }
  return p[balls]!;
}

/** Mean and variance of the largest bin count of multinomial(K, 1/N), exactly. */
export function maxLoadMoments(balls: number, bins: number): { mean: number; variance: number } {
  const logFact = logFactorials(balls);
  let first = 0;
  let second = 0;
  // E[X] = Σ_{m≥0} P(X > m); E[X²] = Σ_{m≥0} (2m + 1) P(X > m).
  for (let m = 0; m < balls; m++) {
    const tail = 1 - probabilityMaxAtMost(balls, bins, m, logFact);
    first += tail;
    second += (2 * m + 1) * tail;
  }
  return { mean: first, variance: second - first * first };
}

/** Monte Carlo estimate of the mean largest bin, with its standard error. */
export function maxLoadMonteCarlo(
  balls: number,
  bins: number,
  trials: number,
  seed: number,
): { mean: number; standardError: number } {
  const rng = new Lcg(seed);
  const counts = new Int32Array(bins);
  let s1 = 0;
  let s2 = 0;
  for (let t = 0; t < trials; t++) {
    counts.fill(0);
    for (let i = 0; i < balls; i++) counts[Math.floor(rng.next() * bins)]!++;
    let max = 0;
    for (const c of counts) max = Math.max(max, c);
    s1 += max;
    s2 += max * max;
  }
  const m = s1 / trials;
  return { mean: m, standardError: Math.sqrt((s2 / trials - m * m) / trials) };
}

/**
 * Prints a measured value beside its expectation when KINESIM_VALIDATION_VERBOSE is set, so the
 * margins can be reviewed (`KINESIM_VALIDATION_VERBOSE=1 npx vitest run test/validation`).
 */
export function note(label: string, measured: number, expected: number | string): void {
  if (!process.env["KINESIM_VALIDATION_VERBOSE"]) return;
  const e = typeof expected === "number" ? expected.toPrecision(6) : expected;
  console.log(`[validation] ${label}: measured ${measured.toPrecision(6)}, expected ${e}`);
}
