import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntervalHistogram, type LatencyHistogram } from "../../src/metrics/latency-histogram.js";
import { propertySeed } from "../support/property.js";

const PERCENTILES = [0, 10, 50, 90, 99, 99.9, 100];

function shape(h: LatencyHistogram) {
  return { count: h.count, mean: h.mean, max: h.max, p: PERCENTILES.map((p) => h.percentile(p)) };
}

describe("IntervalHistogram", () => {
  // The whole-run histogram is filled at interval closes (replayed or merged), or at once when it
  // is read mid-interval; it must equal one that recorded every value directly.
  it("gives the same whole-run histogram as recording every value directly", () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("value" as const),
        v: fc.integer({ min: 0, max: 5_000_000 }),
        n: fc.integer({ min: 1, max: 50 }),
      }),
      fc.record({
        kind: fc.constant("burst" as const),
        v: fc.integer({ min: 1, max: 1_000_000 }),
        values: fc.integer({ min: 1, max: 3000 }),
      }),
      fc.record({
        kind: fc.constant("spread" as const),
        v: fc.integer({ min: 0, max: 2_000_000 }),
        n: fc.integer({ min: 1, max: 1000 }),
        width: fc.integer({ min: 0, max: 1_000_000 }),
      }),
      fc.constant({ kind: "close" as const }),
      fc.constant({ kind: "read" as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const h = new IntervalHistogram();
        const reference = new IntervalHistogram();
        reference.keepIntervals = false;
        let intervalCount = 0;
        for (const o of ops) {
          if (o.kind === "value") {
            h.record(o.v, o.n);
            reference.record(o.v, o.n);
            intervalCount += o.n;
          } else if (o.kind === "burst") {
            // Many distinct values: more than the buffer holds, so the interval is merged.
            for (let i = 0; i < o.values; i++) {
              h.record(o.v + i * 7, 1);
              reference.record(o.v + i * 7, 1);
            }
            intervalCount += o.values;
          } else if (o.kind === "spread") {
            h.recordSpread(o.v, o.n, { lo: 0, hi: o.width });
            reference.recordSpread(o.v, o.n, { lo: 0, hi: o.width });
            intervalCount += o.n;
          } else if (o.kind === "close") {
            expect(h.interval.count).toBe(intervalCount);
            h.closeInterval();
            intervalCount = 0;
          } else {
            expect(shape(h.total)).toEqual(shape(reference.total));
          }
        }
        expect(h.interval.count).toBe(intervalCount);
        expect(shape(h.total)).toEqual(shape(reference.total));
      }),
      { numRuns: 100, seed: propertySeed("interval-histogram-total") },
    );
  });

  // Found by the property above: a read mid-interval put the buffered values into the whole-run
  // histogram, then the interval outgrew the buffer and was merged at its close (counted twice).
  it("counts values once when the whole run is read before the interval outgrows its buffer", () => {
    const h = new IntervalHistogram();
    h.record(0, 1);
    expect(h.total.count).toBe(1);
    for (let i = 0; i < 2045; i++) h.record(1 + i * 7, 1);
    h.recordSpread(0, 4, { lo: 0, hi: 1 });
    h.closeInterval();
    expect(h.total.count).toBe(1 + 2045 + 4);
  });
});
