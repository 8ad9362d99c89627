// Property: with one record of a key in flight at a time (`ordering: per-key`), no throttling,
// retry policy, number of clients or requests in flight ever breaks a key's order — for a reader
// that takes parents before children, across a reshard too — and the books still balance.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runInMemory, scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

const settings = fc.record({
  shards: fc.integer({ min: 1, max: 3 }),
  rate: fc.integer({ min: 200, max: 4000 }),
  keys: fc.integer({ min: 1, max: 400 }),
  instances: fc.integer({ min: 1, max: 8 }),
  maxInFlight: fc.integer({ min: 1, max: 4 }),
  retry: fc.constantFrom("sdk-v3-standard", "kpl", "none"),
  api: fc.constantFrom("PutRecords", "PutRecord"),
  split: fc.boolean(),
});

describe("per-key ordering", () => {
  it("never lets a record of a key be processed after a later one, whatever the throttling", () => {
    fc.assert(
      fc.property(settings, (s) => {
        const text = `name: order
seed: 3
duration: 25s
resolution: record
stream: { shards: ${s.shards} }
producers:
  - name: p
    instances: ${s.instances}
    rate: ${s.rate}/s
    recordSize: 300B
    api: ${s.api}
    maxInFlight: ${s.maxInFlight}
    partitionKey: { dist: uniform, keys: ${s.keys} }
    retry: { preset: ${s.retry} }
    ordering: per-key
consumers:
  - { name: c, type: polling, pollInterval: 200ms }
${s.split ? "events: [{ at: 10s, action: SplitShard, shard: 0 }]\n" : ""}`;
        const run = runInMemory(scenarioOf(text));
        const c = run.summary.consumers[0]!;
        expect(c.order.outOfOrder).toBe(0);
        expect(c.order.checked).toBeGreaterThan(0);
        expect(run.summary.ledger.balanced).toBe(true);
        expect(c.ledger.balanced).toBe(true);
      }),
      { seed: propertySeed("per-key-order"), numRuns: runs(12, 200) },
    );
  });
});
