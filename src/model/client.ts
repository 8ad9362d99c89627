// The representative client: one producer instance simulated at batch granularity (no records,
// O(1) per flush). At cohort resolution it supplies what aggregated cohorts cannot see for
// themselves — how long records wait for their batch to close and for an in-flight slot, and the
// service time of the request — so latency tails match record resolution.

import { poisson } from "../engine/counts.js";
import type { Sampler } from "../engine/distributions.js";
import type { RandomStream } from "../engine/random.js";
import { US_PER_S } from "../engine/time.js";
import type { ArrivalClock, RateFunction } from "./traffic.js";

/** One request of the representative client. */
export interface FlushSample {
  /** Creation time of the batch's first record. */
  startUs: number;
  /** When the batch stopped taking records (linger expiry, full, or its send). */
  closeUs: number;
  /** When the request was sent (an in-flight slot was free). */
  sendUs: number;
  /** Records in the batch. */
  records: number;
  /** Request latency drawn for it. */
  serviceUs: number;
}

/** Settings of a representative client. */
export interface ClientSettings {
  arrivals: ArrivalClock;
  rate: RateFunction;
  /** This client's share of the fleet's rate (1 / instances). */
  scale: number;
  maxRecordsPerBatch: number;
  lingerUs: number;
  slots: number;
  latency: Sampler;
  rng: RandomStream;
  evenArrivals: boolean;
}

/** One instance's batching and in-flight slots, simulated request by request. */
export class RepresentativeClient {
  /** The most recent request, if any. */
  last: FlushSample | undefined;
  private nextFirstUs: number;
  /** Times at which each in-flight slot is free again (a binary min-heap). */
  private readonly slotFree: number[];

  constructor(
    private readonly settings: ClientSettings,
    startUs: number,
  ) {
    this.slotFree = new Array(Math.min(settings.slots, 1 << 16)).fill(Number.NEGATIVE_INFINITY);
    this.nextFirstUs = settings.arrivals.next(startUs);
  }

  /** Resolves every batch whose first record arrives before `untilUs`. */
  advanceTo(untilUs: number): void {
    const s = this.settings;
    while (this.nextFirstUs < untilUs) {
      const start = this.nextFirstUs;
      const rate = (s.rate.at(start) * s.scale) / US_PER_S; // records per µs
      const fillUs = s.maxRecordsPerBatch <= 1 ? start : rate > 0 ? start + (s.maxRecordsPerBatch - 1) / rate : Number.POSITIVE_INFINITY;
      const due = Math.min(start + s.lingerUs, fillUs);
      // A batch whose linger time is up keeps filling until an in-flight slot is free.
      const sendUs = Math.max(due, this.slotFree[0]!);
      const closeUs = Math.min(sendUs, fillUs);
      const expectedMore = rate * (closeUs - start);
      const more = s.evenArrivals ? Math.floor(expectedMore) : poisson(s.rng, expectedMore);
      const records = Math.min(s.maxRecordsPerBatch, 1 + more);
      const serviceUs = Math.round(s.latency.sample(s.rng));
      this.replaceEarliestSlot(sendUs + serviceUs);
      this.last = { startUs: start, closeUs, sendUs, records, serviceUs };
      this.nextFirstUs = s.arrivals.next(closeUs);
    }
  }

  private replaceEarliestSlot(freeUs: number): void {
    const heap = this.slotFree;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]! < heap[l]! ? r : l;
      if (heap[c]! >= freeUs) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = freeUs;
  }
}
