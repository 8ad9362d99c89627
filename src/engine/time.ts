// Virtual time. One engine time unit: the integer microsecond, held in a JS number (exact to
// 2^53 µs ≈ 285 years). Every delay and timestamp in kinesim is in these units.

/** Microseconds in one millisecond. */
export const US_PER_MS = 1_000;
/** Microseconds in one second. */
export const US_PER_S = 1_000_000;
/** Microseconds in one minute. */
export const US_PER_MIN = 60 * US_PER_S;
/** Microseconds in one hour. */
export const US_PER_H = 60 * US_PER_MIN;

/** Whole microseconds from seconds, rounded to the nearest microsecond. */
export function secondsToUs(seconds: number): number {
  return Math.round(seconds * US_PER_S);
}

/** 2^52: from here up every double is a whole number. */
const WHOLE_FROM = 4_503_599_627_370_496;

/**
 * `Math.round(x)`, the same number for every input, for a fractional time in µs. Measured on the
 * peer's R4 at record resolution, `Math.round` of each arrival's random time cost about a tenth of
 * a record's time (a branch on the fraction, taken half the time); `floor(x + 0.5)` does not
 * branch. For 0.5 ≤ x < 2^52 the two agree: x + 0.5 is exact while it stays below the power of
 * two above x; if it reaches that power 2^k, the exact sum lies in [2^k, 2^k + 0.5) and rounding
 * moves it by a quarter at most, so its floor is still 2^k. Below 0.5 the sum can round up onto 1
 * (0.5 − 2^−54 plus 0.5), and from 2^52 up every double is whole: there it is `Math.round` itself.
 */
export function roundUs(x: number): number {
  return x >= 0.5 && x < WHOLE_FROM ? Math.floor(x + 0.5) : Math.round(x);
}

/** Seconds (fractional) from microseconds. */
export function usToSeconds(us: number): number {
  return us / US_PER_S;
}

/** Milliseconds (fractional) from microseconds. */
export function usToMs(us: number): number {
  return us / US_PER_MS;
}
