// Which part of an exported metric series becomes the run: all of it, the periods between two
// times, or the busiest stretch of a given length (a week of metrics is slow to simulate; its
// busiest day or hour is what sizing needs).

import type { MetricSeries } from "./system.js";

/** The user's choice of window. */
export interface WindowChoice {
  /** First time to keep, ms since the epoch. */
  fromMs?: number;
  /** First time no longer kept, ms since the epoch. */
  toMs?: number;
  /** Length of the busiest stretch to keep, seconds. */
  busiestSeconds?: number;
}

/** The chosen periods: the first one's start, how many, and why. */
export interface Window {
  startMs: number;
  points: number;
  reason: string;
}

/** A window choice that does not fit the series. */
export class WindowError extends Error {
  override name = "WindowError";
}

/** Picks the window of `series` (the stream's IncomingRecords) the choice asks for. */
export function chooseWindow(series: MetricSeries, choice: WindowChoice, stream: string): Window {
  const step = series.periodSeconds * 1000;
  const times = series.timesMs;
  const first = times[0]!;
  const n = times.length;
  let lo = 0;
  let hi = n;
  if (choice.fromMs !== undefined) lo = Math.max(0, Math.ceil((choice.fromMs - first) / step));
  if (choice.toMs !== undefined) hi = Math.min(n, Math.ceil((choice.toMs - first) / step));
  const span = `${new Date(first).toISOString()} … ${new Date(first + n * step).toISOString()}`;
  if (hi <= lo)
    throw new WindowError(
      `--from/--to select no period of ${stream}'s IncomingRecords, which covers ${span}`,
    );
  let reason = choice.fromMs !== undefined || choice.toMs !== undefined ? "--from/--to" : "the whole export";
  if (choice.busiestSeconds !== undefined) {
    const length = Math.round((choice.busiestSeconds * 1000) / step);
    if (length < 1)
      throw new WindowError(
        `--busiest ${choice.busiestSeconds}s is shorter than one period (${series.periodSeconds} s)`,
      );
    if (length > hi - lo)
      throw new WindowError(
        `--busiest ${choice.busiestSeconds}s is longer than the ${((hi - lo) * step) / 1000} s of ${stream}'s metrics (${span})`,
      );
    // The stretch with the most records (the earliest of equals, so the choice is reproducible).
    let sum = 0;
    for (let i = lo; i < lo + length; i++) sum += series.values[i]!;
    let best = sum;
    let bestAt = lo;
    for (let i = lo + length; i < hi; i++) {
      sum += series.values[i]! - series.values[i - length]!;
      if (sum > best) {
        best = sum;
        bestAt = i - length + 1;
      }
    }
    lo = bestAt;
    hi = bestAt + length;
    reason = `the busiest ${choice.busiestSeconds >= 3600 ? `${choice.busiestSeconds / 3600} h` : `${choice.busiestSeconds / 60} min`} of the export`;
  }
  return { startMs: first + lo * step, points: hi - lo, reason };
}
