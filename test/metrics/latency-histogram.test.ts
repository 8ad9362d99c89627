import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntervalHistogram, LatencyHistogram } from "../../src/metrics/latency-histogram.js";
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
        positions: fc.constantFrom(1, 2, 4),
      }),
      fc.constant({ kind: "close" as const }),
      fc.constant({ kind: "read" as const }),
      fc.constant({ kind: "peek" as const }),
      fc.constant({ kind: "window" as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const h = new IntervalHistogram();
        const reference = new IntervalHistogram();
        reference.keepIntervals = false;
        // Its interval's histogram is read after every value (filled as values come).
        const eager = new IntervalHistogram();
        const record = (v: number, n: number) => {
          h.record(v, n);
          reference.record(v, n);
          eager.record(v, n);
          void eager.interval;
        };
        // Windows of several intervals, filled from each interval at its close.
        const window = new LatencyHistogram();
        const eagerWindow = new LatencyHistogram();
        let intervalCount = 0;
        for (const o of ops) {
          if (o.kind === "value") {
            record(o.v, o.n);
            intervalCount += o.n;
          } else if (o.kind === "burst") {
            // Many distinct values: more than the buffer holds, so the interval is merged.
            for (let i = 0; i < o.values; i++) record(o.v + i * 7, 1);
            intervalCount += o.values;
          } else if (o.kind === "spread") {
            h.recordSpread(o.v, o.n, { lo: 0, hi: o.width }, o.positions);
            reference.recordSpread(o.v, o.n, { lo: 0, hi: o.width }, o.positions);
            eager.recordSpread(o.v, o.n, { lo: 0, hi: o.width }, o.positions);
            void eager.interval;
            intervalCount += o.n;
          } else if (o.kind === "close") {
            h.closeInterval();
            eager.closeInterval();
            intervalCount = 0;
          } else if (o.kind === "peek") {
            // Reading the interval fills its histogram; later values must still count once.
            expect(shape(h.interval)).toEqual(shape(eager.interval));
            expect(h.interval.count).toBe(intervalCount);
          } else if (o.kind === "window") {
            h.addIntervalTo(window);
            eagerWindow.add(eager.interval);
            expect(shape(window)).toEqual(shape(eagerWindow));
          } else {
            expect(shape(h.total)).toEqual(shape(reference.total));
          }
        }
        expect(h.interval.count).toBe(intervalCount);
        expect(shape(h.total)).toEqual(shape(reference.total));
      }),
      { numRuns: 200, seed: propertySeed("interval-histogram-total") },
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

  // Found by the property above once histograms grew to the values they saw: adding a histogram
  // grown larger than its target went through HdrHistogram's slower path, which reports the
  // maximum rounded down to its bucket (6,028 for 6,029).
  it("keeps the exact maximum when a larger histogram is added to a smaller one", () => {
    const grown = new IntervalHistogram();
    grown.record(8192, 1);
    // Read, as a time-series row reads it: the interval's histogram grows to hold 8,192.
    expect(grown.interval.max).toBe(8192);
    grown.closeInterval();
    grown.record(6029, 1);
    const window = new LatencyHistogram();
    window.add(grown.interval);
    expect(window.max).toBe(6029);
    expect(window.count).toBe(1);
  });

  // A batch's cohorts recorded at one position each: the same records, the maximum four positions
  // reach, and a distribution that fills the same range (the sequence spreads the positions).
  it("records cohorts at fewer positions with the same count and maximum, and about the same spread", () => {
    const four = new IntervalHistogram();
    const one = new IntervalHistogram();
    for (let i = 0; i < 5000; i++) {
      const base = 1_000_000 + (i % 7) * 1000;
      four.recordSpread(base, 40, { lo: 0, hi: 200_000 });
      one.recordSpread(base, 40, { lo: 0, hi: 200_000 }, 1);
      expect(one.interval.max).toBe(four.interval.max);
    }
    expect(one.total.count).toBe(four.total.count);
    expect(one.total.max).toBe(four.total.max);
    for (const p of [10, 50, 90, 99])
      expect(Math.abs(one.total.percentile(p) - four.total.percentile(p))).toBeLessThan(2_000);
    expect(Math.abs(one.total.mean - four.total.mean)).toBeLessThan(500);
  });
});

describe("LatencyHistogram", () => {
  // It inserts through HdrHistogram's WebAssembly export directly (not the loader's wrapper):
  // whatever it records must read as the library's own histogram, filled through its API.
  it("reads as HdrHistogram's own histogram of the same values", async () => {
    const { initWebAssemblySync, WasmHistogram } = await import("hdr-histogram-js/dist/wasm/index.js");
    initWebAssemblySync();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 2_000_000_000 }), fc.integer({ min: 1, max: 1000 })), {
          minLength: 1,
          maxLength: 300,
        }),
        (values) => {
          const ours = new LatencyHistogram();
          const library = WasmHistogram.build({
            bitBucketSize: 32,
            lowestDiscernibleValue: 1,
            highestTrackableValue: 4096,
            numberOfSignificantValueDigits: 3,
            autoResize: true,
          });
          for (const [v, n] of values) {
            ours.record(v, n);
            library.recordValueWithCount(v, n);
          }
          expect(ours.count).toBe(library.totalCount);
          for (const p of PERCENTILES) expect(ours.percentile(p)).toBe(library.getValueAtPercentile(p));
          library.destroy();
        },
      ),
      { seed: propertySeed("LatencyHistogram direct insertion"), numRuns: 100 },
    );
  });

  // The direct insertion relies on the loader's layout (each method's `original` export, the
  // object's address as its value): a version laid out otherwise falls back to the slower wrapper,
  // which this notices.
  it("finds the WebAssembly export it inserts through", async () => {
    const { initWebAssemblySync, WasmHistogram } = await import("hdr-histogram-js/dist/wasm/index.js");
    initWebAssemblySync();
    const h = WasmHistogram.build({ bitBucketSize: 32, autoResize: true, highestTrackableValue: 4096 });
    const inner = (h as unknown as { _wasmHistogram: object })._wasmHistogram;
    const method = (Object.getPrototypeOf(inner) as { recordValueWithCount: { original?: unknown } })
      .recordValueWithCount;
    expect(typeof method.original).toBe("function");
    expect((method.original as (...a: number[]) => void).length).toBe(3);
    expect(typeof inner.valueOf()).toBe("number");
    h.destroy();
  });
});
