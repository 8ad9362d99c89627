// Walker's alias method (Vose's stable construction): O(n) build, O(1) draws from a discrete
// distribution given by non-negative weights. Used for keys, shards and empirical distributions.

import type { RandomStream } from "./random.js";

/** A discrete distribution over indices 0..n-1, sampled in constant time. */
export class AliasTable {
  /** Normalised probabilities (sum 1), index-aligned with the weights given. */
  readonly probabilities: Float64Array;
  private readonly threshold: Float64Array;
  private readonly alias: Int32Array;
  private readonly n: number;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError("alias table needs at least one weight");
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!(w >= 0) || !Number.isFinite(w))
        throw new RangeError(`weight ${i} is ${w}; weights must be finite and ≥ 0`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError("weights sum to zero");
    this.n = n;
    this.probabilities = new Float64Array(n);
    this.threshold = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      const p = weights[i]! / total;
      this.probabilities[i] = p;
      scaled[i] = p * n;
      if (scaled[i]! < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns]!;
      const l = large[--nl]!;
      this.threshold[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    // Leftovers are 1 up to rounding error.
    while (nl > 0) {
      const l = large[--nl]!;
      this.threshold[l] = 1;
      this.alias[l] = l;
    }
    while (ns > 0) {
      const s = small[--ns]!;
      this.threshold[s] = 1;
      this.alias[s] = s;
    }
  }

  /** Number of outcomes. */
  get size(): number {
    return this.n;
  }

  /** Draws one index. */
  sample(rng: RandomStream): number {
    const u = rng.next() * this.n;
    const i = Math.floor(u);
    return u - i < this.threshold[i]! ? i : this.alias[i]!;
  }
}
