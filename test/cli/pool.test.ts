// The worker pool: what a batch returns depends only on its tasks and their results — the same
// on one thread as on two — and a batch that stops early returns the results up to the first
// that stops it, in task order, even when two batches share the threads.

import { afterAll, describe, expect, it } from "vitest";
import { SimPool } from "../../src/cli/pool.js";
import type { SimResult, SimTask } from "../../src/cli/sim-worker.js";

/** Short quickstart runs that differ by seed and shard count: some throttle, some do not. */
const task = (seed: number, shards: number): SimTask => ({
  scenario: "scenarios/quickstart.yaml",
  overrides: [
    { path: "duration", value: "20s" },
    { path: "seed", value: String(seed) },
    { path: "stream.shards", value: String(shards) },
  ],
});
const tasks = [task(1, 8), task(2, 2), task(3, 8), task(4, 2), task(5, 8)];
/** Stops a batch at a run that throttled. */
const throttled = (r: SimResult) => r.summary.throttle.firstAttemptFraction > 0;
const seedsOf = (results: SimResult[]) => results.map((r) => r.summary.seed);

const one = new SimPool(1);
const two = new SimPool(2);
afterAll(async () => {
  await one.destroy();
  await two.destroy();
});

describe("SimPool", () => {
  it("returns every result in task order, the same on one thread and two", async () => {
    const [a, b] = await Promise.all([one.run(tasks), two.run(tasks)]);
    expect(seedsOf(a)).toEqual(["1", "2", "3", "4", "5"]);
    expect(b.map((r) => r.summary)).toEqual(a.map((r) => r.summary));
  });

  it("stops a batch at the first result that stops it, in task order", async () => {
    const all = await one.run(tasks);
    // Two shards throttle at quickstart's rate and eight do not, or the test would prove nothing.
    expect(all.map(throttled)).toEqual([false, true, false, true, false]);
    for (const pool of [one, two]) {
      const results = await pool.runUntil(tasks, throttled);
      expect(seedsOf(results)).toEqual(["1", "2"]);
      expect(results.map((r) => r.summary)).toEqual(all.slice(0, 2).map((r) => r.summary));
      // A batch nothing stops runs to its end.
      expect(seedsOf(await pool.runUntil(tasks, () => false))).toHaveLength(5);
    }
  });

  it("keeps two batches sharing the threads apart", async () => {
    const later = [task(6, 8), task(7, 8), task(8, 2)];
    const [a, b] = await Promise.all([two.runUntil(tasks, throttled), two.runUntil(later, throttled)]);
    expect(seedsOf(a)).toEqual(["1", "2"]);
    expect(seedsOf(b)).toEqual(["6", "7", "8"]);
  });
});
