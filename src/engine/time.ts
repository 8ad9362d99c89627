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

/** Seconds (fractional) from microseconds. */
export function usToSeconds(us: number): number {
  return us / US_PER_S;
}

/** Milliseconds (fractional) from microseconds. */
export function usToMs(us: number): number {
  return us / US_PER_MS;
}
