// Properties of every consumer, over generated scenarios: no record is processed twice unless
// counted as a duplicate, nothing is read beyond the log, Lambda keeps each partition key in
// order whatever its parallelization factor, the shared read limits hold in every window, and
// every consumer's ledger balances.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { US_PER_S } from "../../src/engine/time.js";
import { NULL_SINK } from "../../src/metrics/sink.js";
import { buildRun } from "../../src/model/build.js";
import { summarize } from "../../src/model/summarize.js";
import { scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

const MiB = 1024 * 1024;

const consumerArb = fc.oneof(
  fc.record({
    type: fc.constant("polling"),
    pollInterval: fc.constantFrom("100ms", "200ms", "1s"),
    maxRecords: fc.constantFrom(50, 10000),
  }),
  fc.record({ type: fc.constant("efo"), base: fc.constantFrom("0ms", "30ms") }),
  fc.record({
    type: fc.constant("kcl"),
    workers: fc.integer({ min: 1, max: 3 }),
    retrieval: fc.constantFrom("polling", "efo"),
    failAt: fc.integer({ min: 5, max: 50 }),
  }),
  fc.record({
    type: fc.constant("lambda"),
    batchSize: fc.constantFrom(1, 10, 100),
    pf: fc.integer({ min: 1, max: 10 }),
    errorRate: fc.constantFrom(0, 0.2),
    bisect: fc.boolean(),
    efo: fc.boolean(),
  }),
);

type ConsumerCase = typeof consumerArb extends fc.Arbitrary<infer T> ? T : never;

function consumerYaml(c: ConsumerCase, i: number): string {
  switch (c.type) {
    case "polling":
      return `  - { name: c${i}, type: polling, pollInterval: ${c.pollInterval}, maxRecords: ${c.maxRecords} }`;
    case "efo":
      return `  - { name: c${i}, type: efo, processing: { base: ${c.base} } }`;
    case "kcl":
      return `  - { name: c${i}, type: kcl, workers: ${c.workers}, retrieval: ${c.retrieval}, checkpoint: { everyRecords: 50 }, failures: [{ worker: 0, at: ${c.failAt}s }] }`;
    case "lambda":
      return `  - { name: c${i}, type: lambda, batchSize: ${c.batchSize}, parallelizationFactor: ${c.pf}, errorRate: ${c.errorRate}, bisectBatchOnFunctionError: ${c.bisect}, maximumRetryAttempts: 3, efo: ${c.efo}, duration: { base: 30ms } }`;
    default:
      throw new Error("unknown consumer case");
  }
}

describe("consumers under generated scenarios", () => {
  it("never process a record twice uncounted, keep Lambda's per-key order, respect read limits, balance their books", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 20, max: 1500 }),
        fc.integer({ min: 3, max: 300 }),
        fc.array(consumerArb, { minLength: 1, maxLength: 4 }),
        fc.integer(),
        (shards, rate, keys, consumers, seed) => {
          const text = `
name: prop
seed: ${seed}
duration: 60s
resolution: record
stream: { shards: ${shards} }
producers:
  - { name: p, instances: 3, rate: ${rate}/s, recordSize: { dist: uniform, min: 100B, max: 4KiB }, partitionKey: { dist: zipf, keys: ${keys} } }
consumers:
${consumers.map(consumerYaml).join("\n")}
`;
          const scenario = scenarioOf(text);
          const run = buildRun(scenario, { sink: NULL_SINK });
          // Observe reads per shard and processed records per consumer.
          const reads = run.stream.open.map(() => [] as [number, number][]);
          run.stream.open.forEach((shard, i) => {
            shard.readLimiter.observer = (t, bytes) => reads[i]!.push([t, bytes]);
          });
          const seen = run.consumers.map(() => new Map<string, number>());
          const lastSeqOfKey = run.consumers.map(() => new Map<number, number>());
          let orderBroken = 0;
          run.consumers.forEach((consumer, ci) => {
            consumer.metrics.observer = (_t, pieces) => {
              for (const p of pieces) {
                for (let seq = p.firstSeq; seq < p.endSeq; seq++) {
                  const key = `${p.keyId}:${seq}:${p.arrivalUs}`;
                  seen[ci]!.set(key, (seen[ci]!.get(key) ?? 0) + 1);
                }
                if (consumer.kind === "lambda" && p.keyId >= 0) {
                  const id = p.keyId;
                  const last = lastSeqOfKey[ci]!.get(id);
                  // Per key, records of one shard come in sequence-number order (keys map to one shard).
                  if (last !== undefined && p.firstSeq <= last) orderBroken++;
                  lastSeqOfKey[ci]!.set(id, p.endSeq - 1);
                }
              }
            };
          });
          run.sim.run(scenario.duration);
          run.recorder.finish(scenario.duration);
          const summary = summarize(scenario, run);
          expect(orderBroken).toBe(0);
          summary.consumers.forEach((c, ci) => {
            expect(c.ledger.balanced, c.name).toBe(true);
            const counts = [...seen[ci]!.values()];
            const repeats = counts.reduce((a, n) => a + n - 1, 0);
            if (c.kind === "kcl") expect(repeats, `${c.name} repeats`).toBe(c.duplicates);
            else expect(repeats, `${c.name} repeats`).toBe(0);
            expect(counts.length, `${c.name} unique`).toBe(c.processed);
            expect(c.processed).toBeLessThanOrEqual(summary.records.accepted);
          });
          for (const list of reads) {
            const perSecond = new Map<number, number>();
            for (const [t] of list)
              perSecond.set(Math.floor(t / US_PER_S), (perSecond.get(Math.floor(t / US_PER_S)) ?? 0) + 1);
            for (const n of perSecond.values()) expect(n).toBeLessThanOrEqual(5);
            for (let i = 0; i < list.length; i++) {
              let bytes = 0;
              for (let j = i; j < list.length; j++) {
                bytes += list[j]![1];
                const span = (list[j]![0] - list[i]![0]) / US_PER_S;
                // 2 MiB/s, a one-second bucket, and the one call that may overdraw it (≤ 10 MiB).
                // Every pair of reads is checked; expect is reached only by a pair over the bound
                // (and fails there), since calling it for each of the tens of thousands of pairs
                // cost seconds.
                if (!(bytes <= 2 * MiB * span + 2 * MiB + 10 * MiB))
                  expect(bytes).toBeLessThanOrEqual(2 * MiB * span + 2 * MiB + 10 * MiB);
              }
            }
          }
        },
      ),
      { numRuns: runs(12, 150), seed: propertySeed("consumers-laws") },
    );
  });
});
