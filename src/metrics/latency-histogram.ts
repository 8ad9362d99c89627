// Latency distributions in microseconds on HdrHistogram (3 significant digits), recorded with
// counts so a cohort of many records costs a few insertions. A cohort's records are spread over
// its known offsets (see Spread) rather than piled on one value.

import * as hdr from "hdr-histogram-js";

/** How the creation times of a cohort's records sit before its origin time: a share at one
 *  offset (`point`) and the rest uniform over [lo, hi]. Offsets are µs, ≥ 0. */
export interface Spread {
  pPoint: number;
  point: number;
  lo: number;
  hi: number;
}

/** All records created exactly at the origin. */
export const NO_SPREAD: Spread = Object.freeze({ pPoint: 1, point: 0, lo: 0, hi: 0 });

/** The oldest offset a spread allows (for age checks). */
export function maxOffset(spread: Spread): number {
  return spread.pPoint >= 1 ? spread.point : Math.max(spread.point, spread.hi);
}

/** A latency histogram (values in µs). */
export class LatencyHistogram {
  private readonly h: hdr.Histogram;
  /** Golden-ratio sequence state for dithering cohort spreads (deterministic). */
  private phase = 0;

  constructor() {
    this.h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
      useWebAssembly: false,
    });
  }

  /** Records `count` values of `valueUs`. */
  record(valueUs: number, count: number): void {
    this.h.recordValueWithCount(valueUs < 1 ? 1 : Math.round(valueUs), count);
  }

  /**
   * Records `count` records whose latency is `baseUs` plus their spread offset: the point share at
   * base + point, the rest at up to four stratified positions in [base + lo, base + hi]. Positions
   * and remainders are dithered with a golden-ratio sequence, so over many cohorts the recorded
   * values fill the range evenly and no count is rounded towards one end.
   */
  recordSpread(baseUs: number, count: number, spread: Spread): void {
    if (spread.pPoint >= 1) {
      this.record(baseUs + spread.point, count);
      return;
    }
    const atPoint = Math.floor(count * spread.pPoint + this.dither());
    if (atPoint > 0) this.record(baseUs + spread.point, atPoint);
    const rest = count - atPoint;
    if (rest <= 0) return;
    const parts = Math.min(rest, 4);
    const each = Math.floor(rest / parts);
    const extra = rest - each * parts;
    const u = this.dither();
    const first = Math.floor(u * parts);
    const width = spread.hi - spread.lo;
    for (let i = 0; i < parts; i++) {
      const n = each + ((i - first + parts) % parts < extra ? 1 : 0);
      this.record(baseUs + spread.lo + ((i + u) / parts) * width, n);
    }
  }

  private dither(): number {
    this.phase += 0.6180339887498949;
    if (this.phase >= 1) this.phase -= 1;
    return this.phase;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.h.totalCount;
  }

  /** The p-th percentile (0–100) in µs; 0 when empty. */
  percentile(p: number): number {
    return this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(p);
  }

  /** Largest recorded value in µs (at histogram precision). */
  get max(): number {
    return this.h.totalCount === 0 ? 0 : this.h.maxValue;
  }

  /** Mean in µs. */
  get mean(): number {
    return this.h.totalCount === 0 ? 0 : this.h.mean;
  }

  /** Adds all of another histogram's values. */
  add(other: LatencyHistogram): void {
    if (other.h.totalCount > 0) this.h.add(other.h);
  }

  /** Empties the histogram. */
  reset(): void {
    this.h.reset();
  }
}
