// Samplers for counts: Poisson, binomial and multinomial splitting. Cohort resolution uses them
// to draw how many records arrive in a tick and to split a cohort over shards or delay bins
// without following each record. All are exact in distribution (no normal approximations).

import type { RandomStream } from "./random.js";

/** Draws from Poisson(mean). Inversion for small means, PTRS (Hörmann 1993) for large ones. */
export function poisson(rng: RandomStream, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 12) {
    // Inversion by sequential search: expected mean + 1 steps.
    let k = 0;
    let p = Math.exp(-mean);
    let cdf = p;
    const u = rng.next();
    while (u > cdf) {
      k++;
      p *= mean / k;
      cdf += p;
      if (p === 0 && cdf < u) break; // numerical tail: stop rather than loop forever
    }
    return k;
  }
  // PTRS: transformed rejection with squeeze.
  const slam = Math.sqrt(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    const lhs = Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b);
    const rhs = -mean + k * Math.log(mean) - logFactorial(k);
    if (lhs <= rhs) return k;
  }
}

/** Draws from Binomial(n, p). Inversion for small n·min(p,1−p), BTRS (Hörmann 1993) otherwise. */
export function binomial(rng: RandomStream, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  if (n * p < 14) return binomialInversion(rng, n, p);
  return binomialBtrs(rng, n, p);
}

function binomialInversion(rng: RandomStream, n: number, p: number): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  let r = q ** n;
  let u = rng.next();
  let x = 0;
  while (u > r) {
    u -= r;
    x++;
    if (x > n) {
      // Rounding left a sliver of probability unassigned: restart the draw.
      x = 0;
      r = q ** n;
      u = rng.next();
      continue;
    }
    r *= a / x - s;
  }
  return x;
}

function binomialBtrs(rng: RandomStream, n: number, p: number): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  // The exact test's constants cost three logarithms; most draws end at the squeeze above it
  // (about 86% at these means), so they are worked out at the first draw that needs them.
  let alpha = 0;
  let lpq = 0;
  let m = 0;
  let h = 0;
  let prepared = false;
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    if (!prepared) {
      prepared = true;
      alpha = (2.83 + 5.1 / b) * spq;
      lpq = Math.log(p / (1 - p));
      m = Math.floor((n + 1) * p);
      h = logFactorial(m) + logFactorial(n - m);
    }
    const lv = Math.log((v * alpha) / (a / (us * us) + b));
    if (lv <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}

/**
 * Splits `n` items over categories with probabilities `probs` (summing to 1), writing the counts
 * into `out`. Conditional binomials; categories with zero probability always get zero.
 */
export function multinomial(
  rng: RandomStream,
  n: number,
  probs: ArrayLike<number>,
  out: Float64Array | number[],
): void {
  // The last category with positive probability takes the remainder, so rounding in the running
  // mass can never hand records to a category whose probability is zero.
  let last = probs.length - 1;
  while (last > 0 && !(probs[last]! > 0)) out[last--] = 0;
  let left = n;
  let massLeft = 1;
  for (let i = 0; i < last; i++) {
    const p = probs[i]!;
    if (left === 0 || !(p > 0)) {
      out[i] = 0;
      continue;
    }
    const q = massLeft > p ? p / massLeft : 1;
    const k = q >= 1 ? left : binomial(rng, left, q);
    out[i] = k;
    left -= k;
    massLeft -= p;
  }
  if (last >= 0) out[last] = left;
}

const LOG_FACT_TABLE_SIZE = 256;
const logFactTable = new Float64Array(LOG_FACT_TABLE_SIZE);
for (let i = 1; i < LOG_FACT_TABLE_SIZE; i++) logFactTable[i] = logFactTable[i - 1]! + Math.log(i);

/** ln(k!) — exact table below 256, Stirling series above. */
export function logFactorial(k: number): number {
  if (k < LOG_FACT_TABLE_SIZE) return logFactTable[k]!;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
