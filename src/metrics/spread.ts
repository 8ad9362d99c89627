// Where a cohort's records were created, relative to its origin time: what a latency histogram
// spreads a cohort's values over, and what the model passes along with every cohort.

/** Where the creation times of a cohort's records lie: uniformly between `hi` and `lo` µs before
 *  its origin time (lo ≤ hi, both ≥ 0) — but for a share `atHi` of them, if given, created `hi`
 *  before it (the first records of sparse clients' batches, which waited longest). */
export interface Spread {
  lo: number;
  hi: number;
  atHi?: number;
}

/** All records created exactly at the origin. */
export const NO_SPREAD: Spread = Object.freeze({ lo: 0, hi: 0 });
