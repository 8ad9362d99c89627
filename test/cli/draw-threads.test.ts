// Producers' record draws on threads of their own (src/cli/draw-threads.ts): a run is the same,
// table for table, whether its producers draw in the run's thread or on others — across many
// turns of the ring of chunks, with two producers, and with fewer threads than producers — while
// the thread starts (the run draws the first chunks itself), and when the thread fails.

import { describe, expect, it } from "vitest";
import { DrawThreads, ThreadDraws } from "../../src/cli/draw-threads.js";
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

  it("go on in the run's thread, the same run, if the thread fails before it has caught up", () => {
    const own = runWith(undefined);
    // The thread is given a plan it cannot draw from (its record sizes are missing).
    const threads: ThreadDraws[] = [];
    const sink = new MemorySink();
    try {
      const { summary } = simulate(scenarioOf(TEXT), {
        sink,
        drawSource: (plan) => {
          const broken = { ...plan, producer: { ...plan.producer, recordSize: undefined } };
          const source = new ThreadDraws(plan, { threadPlan: broken as unknown as DrawPlan });
          threads.push(source);
          return source;
        },
      });
      expect(threads.length).toBe(2);
      expect(threads.every((t) => t.drawingHere)).toBe(true);
      expect(summary).toEqual(own.summary);
      expect(Object.fromEntries(sink.tables)).toEqual(own.tables);
    } finally {
      for (const t of threads) t.close();
    }
  }, 60_000);

  it("are taken from the thread from any chunk on, after the run has drawn those before", () => {
    // The run draws the first 0, 1, 5 or 20 chunks of each producer itself (while a thread
    // starts, it draws those the thread has not written), then waits for the thread's: the thread
    // has written, and must give back, some of those the run drew, or a whole ring of them.
    const own = runWith(undefined);
    for (const head of [0, 1, 5, 20]) {
      const threads: ThreadDraws[] = [];
      const sink = new MemorySink();
      try {
        const { summary } = simulate(scenarioOf(TEXT), {
          sink,
          drawSource: (plan) => {
            const source = new ThreadDraws(plan, { head });
            threads.push(source);
            return source;
          },
        });
        expect(threads.some((t) => t.drawingHere)).toBe(false);
        expect(summary).toEqual(own.summary);
        expect(Object.fromEntries(sink.tables)).toEqual(own.tables);
      } finally {
        for (const t of threads) t.close();
      }
    }
  }, 60_000);
});
