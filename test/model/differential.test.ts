// Counterexamples of the differential law (differential.ts), kept as examples: each is a case in
// which record and cohort resolution once disagreed, with what the cohort model now does instead.

import { describe, expect, it } from "vitest";
import { runInMemory, scenarioOf } from "../laws.js";
import { expectResolutionsAgree, type Generated } from "./differential.js";

const base: Generated = {
  shards: 2,
  load: 0.5,
  instances: 2,
  arrivals: "poisson",
  batch: "{ maxRecords: 500, linger: 100ms }",
  api: "PutRecords",
  keys: "{ dist: uniform, keys: 2000 }",
  consumer: "",
  firehose: false,
  split: false,
  retry: "{ preset: sdk-v3-standard }",
  client: "sdk",
  seed: 1,
};

describe("counterexamples of the differential law", () => {
  it("a Lambda's lanes on skewed keys load unevenly at cohort resolution too (processed 40% vs 46%)", () => {
    expectResolutionsAgree({
      ...base,
      shards: 5,
      load: 1.8,
      keys: "{ dist: zipf, keys: 5000, exponent: 0.8 }",
      consumer:
        "{ name: c, type: lambda, batchSize: 50, parallelizationFactor: 3, duration: { base: 20ms, perRecord: 3ms } }",
      retry: "{ base: 100ms, cap: 5s, maxAttempts: 11, jitter: full }",
      seed: 34661,
    });
  });

  it("single-record clients queue each on their own, fed at random like real clients (put p50 56 ms vs 35)", () => {
    expectResolutionsAgree({
      ...base,
      shards: 6,
      load: 0.4412629494392561,
      instances: 40,
      arrivals: "even",
      api: "PutRecord",
      consumer:
        "{ name: c, type: lambda, batchSize: 200, parallelizationFactor: 3, duration: { base: 20ms, perRecord: 1ms } }",
      firehose: true,
      seed: 8,
    });
  });
});

describe("batches that fill within a tick (peer-R4: 40,000 records/s, batches of 500 fill in 12.5 ms)", () => {
  const yaml = `
name: r4
seed: 1
duration: 20s
stream: { shards: 50 }
producers:
  - { name: fleet, instances: 1, rate: 40000/s, recordSize: 1KiB, partitionKey: { dist: uniform, keys: 100000 },
      batch: { maxRecords: 500, linger: 100ms }, maxInFlight: 64, latency: 0ms,
      retry: { base: 100ms, cap: 5s, maxAttempts: 11, jitter: full } }
`;
  it("keeps put latency at 10 ms what it is per record (it once gave p50 0.9 ms for 6.2)", () => {
    const record = runInMemory(scenarioOf(yaml, { resolution: "record" })).summary.putLatencyMs;
    const cohort = runInMemory(scenarioOf(yaml, { resolution: "10ms" })).summary.putLatencyMs;
    // A batch's records wait from their creation until the 500th: about 6.25 ms on average.
    expect(record.p50).toBeGreaterThan(5.5);
    expect(record.p50).toBeLessThan(7);
    for (const p of ["p50", "p99", "mean"] as const)
      expect(Math.abs(cohort[p] - record[p]) / record[p], p).toBeLessThan(0.1);
  });
});
