// Properties of delivery streams under generated settings: the books always close (every record
// ingested is delivered, buffered, in delivery, failed, backed up or lost), the direct-PUT quota
// is never exceeded in any second, objects flushed by size reach the hint by less than a record,
// and while nothing fails a record is never older than the interval plus the write time.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Cell } from "../../src/metrics/sink.js";
import { runInMemory, scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

const KiB = 1024;

const settings = fc.record({
  rate: fc.integer({ min: 1, max: 4000 }),
  recordKiB: fc.integer({ min: 1, max: 20 }),
  sizeMiB: fc.integer({ min: 1, max: 8 }),
  interval: fc.constantFrom("0s", "60s", "90s"),
  partitions: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  maxActive: fc.integer({ min: 1, max: 60 }),
  transform: fc.option(
    fc.record({
      errorRate: fc.constantFrom("0%", "20%", "100%"),
      failedRecords: fc.constantFrom("0%", "5%"),
      sizeRatio: fc.constantFrom(0.5, 1, 2),
    }),
    { nil: undefined },
  ),
  destination: fc.constantFrom("s3", "http", "opensearch", "redshift"),
  failureRate: fc.constantFrom("0%", "10%", "60%"),
  outage: fc.boolean(),
  resolution: fc.constantFrom("record", "10ms", "250ms"),
  quotaKiB: fc.integer({ min: 64, max: 8192 }),
});

type Settings = typeof settings extends fc.Arbitrary<infer T> ? T : never;

function scenarioText(s: Settings): string {
  const parts = [`name: ${s.destination === "s3" ? "s3" : "other"}`];
  const firehose = [
    "name: d",
    `buffering: { size: ${s.sizeMiB}MiB, interval: ${s.interval} }`,
    `quota: { bytes: ${s.quotaKiB}KiB/s }`,
    s.partitions !== undefined
      ? `partitioning: { partitions: ${s.partitions}, maxActivePartitions: ${s.maxActive} }`
      : "",
    s.transform
      ? `transform: { errorRate: ${s.transform.errorRate}, failedRecords: ${s.transform.failedRecords}, sizeRatio: ${s.transform.sizeRatio}, bufferInterval: 5s }`
      : "",
    `destination: { type: ${s.destination}, failureRate: ${s.failureRate}${s.outage ? ", outages: [{ at: 40s, duration: 60s }]" : ""}${s.destination === "s3" ? "" : ", retryDuration: 30s"} }`,
  ].filter((x) => x !== "");
  return `${parts[0]}
duration: 3m
resolution: ${s.resolution}
producers:
  - { name: p, instances: 4, rate: ${s.rate}/s, recordSize: ${s.recordKiB}KiB, target: d }
firehose:
  - { ${firehose.join(", ")} }
`;
}

describe("delivery streams under generated settings", () => {
  it("keep their books, their quota and their hints", () => {
    fc.assert(
      fc.property(settings, (s) => {
        // summarize throws a ConservationError if a delivery stream's ledger does not balance.
        const run = runInMemory(scenarioOf(scenarioText(s)));
        const f = run.summary.firehose[0]!;
        const l = f.ledger;
        expect(l.balanced).toBe(true);
        expect(l.ingested).toBe(l.delivered + l.buffered + l.inDelivery + l.failed + l.backedUp + l.lost);
        for (const row of run.sink.records("firehose-d"))
          expect(Number(row["IncomingBytes"] as Cell)).toBeLessThanOrEqual(s.quotaKiB * KiB);
        const ratio = s.transform ? s.transform.sizeRatio : 1;
        for (const o of run.sink.records("firehose-d-objects")) {
          if (o["Trigger"] !== "size") continue;
          // The record that reaches the hint is the last in (after the transform's resizing).
          expect(Number(o["Bytes"] as Cell)).toBeLessThan(
            s.sizeMiB * 1024 * KiB + s.recordKiB * KiB * ratio + 2,
          );
        }
        const healthy = !s.transform && s.failureRate === "0%" && !s.outage;
        if (healthy) {
          const objects = run.sink.records("firehose-d-objects");
          const write = Math.max(0, ...objects.map((o) => Number(o["Finished"]) - Number(o["Created"])));
          const interval = s.interval === "0s" ? 1 : Number.parseInt(s.interval, 10);
          expect(f.maxDataFreshnessSeconds).toBeLessThanOrEqual(interval + write + 1e-3);
        }
      }),
      { seed: propertySeed("firehose-books"), numRuns: runs(25, 300) },
    );
  });
});
