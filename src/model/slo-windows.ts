// SLOs over windows: "never more than 0.1% throttled" is a statement about the worst minute, not
// the run's mean. Every metrics interval adds the write path's counters and latencies (and the
// consumers' end-to-end latencies) to the open window of each length the SLOs ask for; when a
// window is complete its values are computed and the worst of each kept, with when it began.

import { US_PER_MIN } from "../engine/time.js";
import { LatencyHistogram } from "../metrics/latency-histogram.js";
import type { Slo } from "../scenario/schema.js";
import type { Consumer } from "./consumers/consumer.js";
import type { ProducerFleet } from "./producer-fleet.js";

/** The window an SLO holds over when its threshold names none (CloudWatch's standard period). */
export const DEFAULT_SLO_WINDOW_US = US_PER_MIN;

/** The SLOs that a window changes (maxima such as iterator age are the same over any window). */
export const WINDOWED_SLOS = [
  "writeThrottledFraction",
  "recordsLostFraction",
  "putLatencyP50",
  "putLatencyP99",
  "endToEndLatencyP99",
] as const;
/** One of WINDOWED_SLOS. */
export type WindowedSlo = (typeof WINDOWED_SLOS)[number];

/** The worst value of a windowed metric and the start of its window (µs). */
export interface WorstValue {
  value: number;
  atUs: number;
}

/** What windows of one length saw. */
export interface WindowResult {
  lengthUs: number;
  /** Complete windows (0: the run was shorter than one, and the whole run stood in for it). */
  windows: number;
  /** Worst value per metric; latencies in µs. Absent when no window had anything to measure. */
  worst: Partial<Record<WindowedSlo, WorstValue>>;
}

class Window {
  startUs = 0;
  firstAttempts = 0;
  firstAttemptsThrottled = 0;
  produced = 0;
  lost = 0;
  readonly put = new LatencyHistogram();
  readonly endToEnd: LatencyHistogram[];
  complete = 0;
  readonly worst: Partial<Record<WindowedSlo, WorstValue>> = {};

  constructor(
    readonly lengthUs: number,
    consumers: number,
  ) {
    this.endToEnd = Array.from({ length: consumers }, () => new LatencyHistogram());
  }

  close(): void {
    const keep = (name: WindowedSlo, value: number) => {
      const w = this.worst[name];
      if (!w || value > w.value) this.worst[name] = { value, atUs: this.startUs };
    };
    if (this.firstAttempts > 0)
      keep("writeThrottledFraction", this.firstAttemptsThrottled / this.firstAttempts);
    if (this.produced > 0) keep("recordsLostFraction", this.lost / this.produced);
    if (this.put.count > 0) {
      keep("putLatencyP50", this.put.percentile(50));
      keep("putLatencyP99", this.put.percentile(99));
    }
    const e2e = this.endToEnd.filter((h) => h.count > 0).map((h) => h.percentile(99));
    if (e2e.length > 0) keep("endToEndLatencyP99", Math.max(...e2e));
  }

  reset(startUs: number): void {
    this.startUs = startUs;
    this.firstAttempts = 0;
    this.firstAttemptsThrottled = 0;
    this.produced = 0;
    this.lost = 0;
    this.put.reset();
    for (const h of this.endToEnd) h.reset();
  }
}

/** Worst values over windows of the given lengths, fed one metrics interval at a time. */
export class SloWindows {
  private readonly windows: Window[];

  constructor(
    lengthsUs: readonly number[],
    private readonly writers: readonly ProducerFleet[],
    private readonly consumers: readonly Consumer[],
  ) {
    this.windows = [...new Set(lengthsUs)].sort((a, b) => a - b).map((l) => new Window(l, consumers.length));
    // The interval histograms are what windows add up.
    for (const p of writers) p.latency.keepIntervals = true;
  }

  /** Adds the interval that ends at `endUs` (call before the components close their intervals). */
  interval(endUs: number): void {
    for (const w of this.windows) {
      for (const p of this.writers) {
        const c = p.interval;
        w.firstAttempts += c.firstAttempts;
        w.firstAttemptsThrottled += c.firstAttemptsThrottled;
        w.produced += c.produced;
        w.lost += c.dropped + c.rejected;
        p.latency.addIntervalTo(w.put);
      }
      this.consumers.forEach((c, i) => {
        c.metrics.endToEnd.addIntervalTo(w.endToEnd[i]!);
      });
      if (endUs - w.startUs >= w.lengthUs) {
        w.complete++;
        w.close();
        w.reset(endUs);
      }
    }
  }

  /** What the windows saw; a run shorter than a window is measured as one window. */
  results(): WindowResult[] {
    return this.windows.map((w) => {
      if (w.complete === 0) w.close();
      return { lengthUs: w.lengthUs, windows: w.complete, worst: { ...w.worst } };
    });
  }
}

/** The window lengths a scenario's SLOs ask for (none: the run needs no window tracking). */
export function sloWindowLengths(slo: Slo | undefined, durationUs: number): number[] {
  if (!slo) return [];
  const lengths = new Set<number>();
  for (const name of WINDOWED_SLOS) {
    const threshold = slo[name];
    if (!threshold || threshold.over === "run") continue;
    lengths.add(Math.min(threshold.over ?? DEFAULT_SLO_WINDOW_US, durationUs));
  }
  return [...lengths];
}
