// Lambda's parallelizationFactor on a stream of several shards: every lane of every shard takes
// records, so the mapping's throughput grows with the factor at record resolution as it does at
// cohort resolution. (A record's lane was once chosen by its key's place in the whole hash space,
// which left most lanes of each shard idle: 2 shards × factor 3 kept 64 s behind at record
// resolution while 10 ms cohorts kept up.)

import { describe, expect, it } from "vitest";
import { runInMemory, scenarioOf } from "../laws.js";

// Per lane: batches of 10 take 20 ms + 10 × 1 ms, so ~333 records/s; a shard gets 750 records/s
// and needs all three of its lanes.
const yaml = `
name: lanes
duration: 2m
stream: { shards: 2 }
producers:
  - name: p
    rate: 1500/s
    partitionKey: { dist: uniform, keys: 1000 }
consumers:
  - name: fn
    type: lambda
    batchSize: 10
    parallelizationFactor: 3
    duration: { base: 20ms, perRecord: 1ms }
`;

describe("Lambda lanes on several shards", () => {
  it.each([2, 4])("keep up with %i shards at both resolutions when the factor is enough", (shards) => {
    const lag = (resolution: string) => {
      const run = runInMemory(
        scenarioOf(yaml, { resolution, "stream.shards": shards, "producers[0].rate": `${750 * shards}/s` }),
      );
      const c = run.summary.consumers[0]!;
      return c.iteratorAgeMaxMs / 1000;
    };
    const record = lag("record");
    const cohort = lag("10ms");
    expect(record).toBeLessThan(5);
    expect(cohort).toBeLessThan(5);
  });

  it("uses every lane of a shard at record resolution", () => {
    const run = runInMemory(scenarioOf(yaml, { resolution: "record" }));
    // With one lane per shard idle, at most 2/3 of the offered records could be processed.
    const c = run.summary.consumers[0]!;
    expect(c.processed / run.summary.records.accepted).toBeGreaterThan(0.97);
  });
});
