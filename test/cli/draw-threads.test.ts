// Producers' record draws on threads of their own (src/cli/draw-threads.ts): a run is the same,
// table for table, whether its producers draw in the run's thread or on others — with two
// producers, with fewer threads than producers, on a small ring that the thread goes round many
// times (its slots used again, the thread waiting for room and woken), while the thread starts
// (the run draws the first chunks itself), and when the thread fails, before the run takes its
// chunks or after.

import { describe, expect, it } from "vitest";
import { DrawThreads, ThreadDraws } from "../../src/cli/draw-threads.js";
import { MemorySink } from "../../src/metrics/sink.js";
import type { DrawPlan, DrawSource } from "../../src/model/record-draws.js";
import { simulate } from "../../src/simulate.js";
import { scenarioOf } from "../laws.js";

// About 190,000 and 90,000 records: 47 and 22 chunks of 4,096 (the ring holds 64), and about 3,000
// and 1,400 chunks of 64 on a ring of 3.
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

/** The scenario's run (`text`, TEXT unless given), its producers' draws from `drawSource`
 *  (undefined: their own), then `close`. */
function runWith(drawSource?: (plan: DrawPlan) => DrawSource | undefined, close = () => {}, text = TEXT) {
  const sink = new MemorySink();
  try {
    const { summary } = simulate(scenarioOf(text), { sink, ...(drawSource ? { drawSource } : {}) });
    return { summary, tables: Object.fromEntries(sink.tables) };
  } finally {
    close();
  }
}

/** The run on threads `make` starts for its producers, with those threads. */
function runOnThreads(make: (plan: DrawPlan) => ThreadDraws) {
  const made: ThreadDraws[] = [];
  const run = runWith(
    (plan) => {
      const t = make(plan);
      made.push(t);
      return t;
    },
    () => {
      for (const t of made) t.close();
    },
  );
  return { ...run, made };
}

/** A ring the thread goes round about a thousand times in the scenario's run. */
const SMALL_RING = { chunks: 3, records: 64 };

/** The run on the threads `threads` hands out. */
const runOn = (threads: DrawThreads) =>
  runWith(threads.source, () => {
    threads.close();
  });

describe("record draws on threads", () => {
  it("give the run drawn in the run's own thread, with a thread per producer or fewer", () => {
    const own = runWith();
    expect(own.summary.records.produced).toBeGreaterThan(250_000);
    const two = new DrawThreads(2, 0);
    const onTwo = runOn(two);
    expect(two.started).toBe(2);
    expect(onTwo.summary).toEqual(own.summary);
    expect(onTwo.tables).toEqual(own.tables);
    const one = new DrawThreads(1, 0);
    const onOne = runOn(one);
    expect(one.started).toBe(1);
    expect(onOne.summary).toEqual(own.summary);
    expect(onOne.tables).toEqual(own.tables);
  }, 60_000);

  it("go to the producers expected to draw the most, whatever their order", () => {
    // web (about 190,000 records) starts first and takes the one thread; devices, made the larger
    // (about 390,000), takes it from web, which goes on in the run's thread: the same run. With
    // devices the smaller, web keeps it.
    const larger = TEXT.replace("rate: 3200/s", "rate: 14000/s");
    const own = runWith(undefined, () => {}, larger);
    const one = new DrawThreads(1, 0);
    const onOne = runWith(one.source, () => one.close(), larger);
    expect(one.started).toBe(2);
    expect(one.holders).toEqual(["producer/devices/traffic"]);
    expect(onOne.summary).toEqual(own.summary);
    expect(onOne.tables).toEqual(own.tables);
    const kept = new DrawThreads(1, 0);
    runOn(kept);
    expect(kept.started).toBe(1);
    expect(kept.holders).toEqual(["producer/web/traffic"]);
  }, 60_000);

  it("are given back by a producer taking the thread's chunks already, the same run", () => {
    // The thread taken away after the producer has switched to its ring: the run draws the plan
    // again past the chunks taken, on a small ring whose slots the thread had gone round.
    const own = runWith();
    const run = runOnThreads((plan) => {
      const t = new ThreadDraws(plan, { head: 0, ring: SMALL_RING });
      const next = t.next.bind(t);
      let taken = 0;
      t.next = () => {
        if (++taken === 40) t.handBack();
        return next();
      };
      return t;
    });
    expect(run.made.every((t) => t.drawingHere && t.threadGivenUp)).toBe(true);
    expect(run.summary).toEqual(own.summary);
    expect(run.tables).toEqual(own.tables);
  }, 60_000);

  it("are left in the run's thread for a producer of fewer records than repay a thread", () => {
    const threads = new DrawThreads(2);
    runOn(threads);
    expect(threads.started).toBe(0);
  }, 60_000);

  it("go on in the run's thread, the same run, if the thread fails before it has caught up", () => {
    const own = runWith();
    // The thread is given a plan it cannot draw from (its record sizes are missing).
    const run = runOnThreads((plan) => {
      const broken = { ...plan, producer: { ...plan.producer, recordSize: undefined } };
      return new ThreadDraws(plan, { threadPlan: broken as unknown as DrawPlan });
    });
    expect(run.made.length).toBe(2);
    expect(run.made.every((t) => t.drawingHere)).toBe(true);
    expect(run.summary).toEqual(own.summary);
    expect(run.tables).toEqual(own.tables);
  }, 60_000);

  it("are taken from the thread from any chunk on, after the run has drawn those before", () => {
    // The run draws the first 0, 1, 5 or 20 chunks of each producer itself (while a thread
    // starts, it draws those the thread has not written), then waits for the thread's: the thread
    // has written, and must give back, some of those the run drew, or a whole ring of them.
    const own = runWith();
    for (const head of [0, 1, 5, 20]) {
      const run = runOnThreads((plan) => new ThreadDraws(plan, { head, ring: SMALL_RING }));
      expect(run.made.some((t) => t.drawingHere)).toBe(false);
      expect(run.summary).toEqual(own.summary);
      expect(run.tables).toEqual(own.tables);
    }
  }, 60_000);

  it("are taken from the thread's ring, 4,096 records a chunk, the same run", () => {
    const own = runWith();
    const run = runOnThreads((plan) => new ThreadDraws(plan, { head: 0 }));
    expect(run.summary).toEqual(own.summary);
    expect(run.tables).toEqual(own.tables);
  }, 60_000);

  it("go on in the run's thread, the same run, if the thread fails after the run took its chunks", () => {
    const own = runWith();
    // The thread fails after 30 chunks of 64 records, the run having taken the thread's from
    // the first; the run draws the rest itself, from the plan again.
    const run = runOnThreads((plan) => new ThreadDraws(plan, { head: 0, ring: SMALL_RING, failAfter: 30 }));
    expect(run.made.every((t) => t.threadGivenUp)).toBe(true);
    expect(run.summary).toEqual(own.summary);
    expect(run.tables).toEqual(own.tables);
  }, 60_000);
});
