// A count per calendar second, kept as running statistics rather than a series: how many seconds,
// their sum, the sum of squared differences between consecutive seconds (whose half estimates the
// second-to-second noise without the slow trend of a rate profile), and the busiest second.

/** Running statistics of a per-second count. */
export class SecondSeries {
  /** Seconds closed so far (quiet seconds between busy ones included). */
  seconds = 0;
  sum = 0;
  /** Σ (x_t − x_{t−1})² over consecutive closed seconds. */
  sumDiffSquares = 0;
  /** The largest count of a closed second, and that second. */
  max = 0;
  maxSecond = -1;
  private second = -1;
  private current = 0;
  private previous: number | undefined;

  /** Adds `x` to calendar second `second` (seconds only move forward). */
  add(second: number, x: number): void {
    if (second !== this.second) {
      if (this.second >= 0) {
        this.close(this.current, this.second);
        // Seconds with nothing in them count as zeros.
        for (let s = this.second + 1; s < second; s++) this.close(0, s);
      }
      this.second = second;
      this.current = 0;
    }
    this.current += x;
  }

  /** Closes the second in progress (at the end of a run). */
  finish(): void {
    if (this.second < 0) return;
    this.close(this.current, this.second);
    this.second = -1;
    this.current = 0;
  }

  /** Mean count per second. */
  get mean(): number {
    return this.seconds > 0 ? this.sum / this.seconds : 0;
  }

  /** Variance of the second-to-second noise: half the mean squared difference of neighbours. */
  get noiseVariance(): number {
    return this.seconds > 1 ? this.sumDiffSquares / (2 * (this.seconds - 1)) : 0;
  }

  private close(x: number, second: number): void {
    this.seconds++;
    this.sum += x;
    if (this.previous !== undefined) this.sumDiffSquares += (x - this.previous) ** 2;
    this.previous = x;
    if (x > this.max) {
      this.max = x;
      this.maxSecond = second;
    }
  }
}
