// Producers' record draws on threads of their own (src/cli/draw-threads.ts): a run is the same,
// table for table, whether its producers draw in the run's thread or on others — across many
// turns of the ring of chunks, with two producers, and with fewer threads than producers — and a
// thread that fails is reported at once rather than waited for.

import { describe, expect, it } from "vitest";
import { DrawThreads } from "../../src/cli/draw-threads.js";
import { MemorySink } from "../../src/metrics/sink.js";
import type { DrawPlan } from "../../src/model/record-draws.js";
import { simulate } from "../../src/simulate.js";
import { scenarioOf } from "../laws.js";

// About 190,000 and 90,000 records: 47 and 22 chunks of 4,096, several turns of a 16-chunk ring.
const TEXT = `name: threads
seed: 3
duration: 30s
resolution: record
stream: { shards: 4 }
producers:
  - name: web
    instances: 6
    rate: { profile: diurnal, mean: 6000/s, peak: 7500/s, period: 20s, peakAt: 5s }
    recordSize: { dist: lognormal, median: 500B, p99: 3KiB }
    partitionKey: { dist: zipf, keys: 5000, exponent: 1.1 }
    batch: { maxRecords: 200, linger: 20ms }
  - name: devices
    instances: 3
    start: 2s
    rate: 3200/s
    recordSize: 300B
    partitionKey: { dist: random }
consumers:
  - { name: c, type: polling, pollInterval: 200ms }
`;

function runWith(threads: DrawThreads | undefined) {
  const sink = new MemorySink();
  try {
    const { summary } = simulate(scenarioOf(TEXT), {
      sink,
      ...(threads ? { drawSource: threads.source } : {}),
    });
    return { summary, tables: Object.fromEntries(sink.tables) };
  } finally {
    threads?.close();
  }
}

describe("record draws on threads", () => {
  it("give the run drawn in the run's own thread, with a thread per producer or fewer", () => {
    const own = runWith(undefined);
    expect(own.summary.records.produced).toBeGreaterThan(250_000);
    const two = new DrawThreads(2, 0);
    const onTwo = runWith(two);
    expect(two.started).toBe(2);
    expect(onTwo.summary).toEqual(own.summary);
    expect(onTwo.tables).toEqual(own.tables);
    const one = new DrawThreads(1, 0);
    const onOne = runWith(one);
    expect(one.started).toBe(1);
    expect(onOne.summary).toEqual(own.summary);
    expect(onOne.tables).toEqual(own.tables);
  }, 60_000);

  it("are left in the run's thread for a producer of fewer records than repay a thread", () => {
    const threads = new DrawThreads(2);
    runWith(threads);
    expect(threads.started).toBe(0);
  }, 60_000);

  it("report a thread that fails instead of waiting for it", () => {
    const threads = new DrawThreads(1, 0);
    let plan: DrawPlan | undefined;
    simulate(scenarioOf(TEXT, { duration: "1s" }), {
      drawSource: (p) => {
        plan ??= p;
        return undefined;
      },
    });
    // A plan no thread can draw from: its record sizes are missing.
    const broken = {
      ...plan!,
      producer: { ...plan!.producer, recordSize: undefined },
    } as unknown as DrawPlan;
    const source = threads.source(broken)!;
    try {
      expect(() => source.next()).toThrow(/thread drawing a producer's records failed/);
    } finally {
      threads.close();
    }
  }, 60_000);
});
