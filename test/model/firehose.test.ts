// Firehose delivery streams against the closed forms of their buffers, the direct-PUT quotas, a
// destination outage, dynamic partitioning and the Lambda transform. Every run's delivery-stream
// ledger must balance (summarize throws when it does not).

import { describe, expect, it } from "vitest";
import type { Cell } from "../../src/metrics/sink.js";
import { expectLedgerBalanced, type MemoryRun, runInMemory, scenarioOf } from "../laws.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** A direct-PUT scenario: `rate` records/s of 1 KiB sent evenly into a delivery stream. */
function directPut(rate: string, firehose: string, duration = "10m", extra = ""): string {
  return `name: fh
seed: 3
duration: ${duration}
producers:
  - { name: app, instances: 2, rate: ${rate}, arrivals: even, recordSize: 1KiB, target: events }
firehose:
  - ${firehose}
${extra}`;
}

function objects(run: MemoryRun, name = "events") {
  return run.sink.records(`firehose-${name}-objects`).map((o) => ({
    created: Number(o["Created"]),
    finished: Number(o["Finished"]),
    records: Number(o["Records"]),
    bytes: Number(o["Bytes"]),
    trigger: String(o["Trigger"]),
    result: String(o["Result"]),
    attempts: Number(o["Attempts"]),
  }));
}

function column(run: MemoryRun, name: string, col: string): number[] {
  return run.sink.records(`firehose-${name}`).map((r) => Number(r[col] as Cell));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);

describe("buffering hints", () => {
  it("10 KiB/s into 1 MiB / 60 s: one object a minute of about 600 KiB", () => {
    const run = runInMemory(
      scenarioOf(directPut("10/s", "{ name: events, buffering: { size: 1MiB, interval: 60s } }")),
    );
    const objs = objects(run);
    expect(objs.every((o) => o.trigger === "interval")).toBe(true);
    // A buffer opens with its first record and flushes 60 s later; the next record arrives about
    // 1/rate after the flush: period = interval + 1/rate.
    const period = mean(gaps(objs.map((o) => o.created)));
    expect(period).toBeGreaterThan(60);
    expect(period).toBeLessThan(60.2);
    for (const o of objs) {
      expect(o.bytes).toBeGreaterThanOrEqual(595 * KiB);
      expect(o.bytes).toBeLessThanOrEqual(605 * KiB);
    }
    expectLedgerBalanced(run);
  });

  it("100 KiB/s into 1 MiB / 60 s: size-triggered objects of 1 MiB about every 10.24 s", () => {
    const run = runInMemory(
      scenarioOf(directPut("100/s", "{ name: events, buffering: { size: 1MiB, interval: 60s } }")),
    );
    const objs = objects(run);
    expect(objs.every((o) => o.trigger === "size")).toBe(true);
    for (const o of objs) expect(o.bytes).toBe(MiB);
    expect(mean(gaps(objs.map((o) => o.created)))).toBeCloseTo(10.24, 1);
  });

  it("DataFreshness never exceeds the interval plus the write time while the destination is healthy", () => {
    for (const rate of ["10/s", "100/s", "700/s"]) {
      const run = runInMemory(
        scenarioOf(directPut(rate, "{ name: events, buffering: { size: 1MiB, interval: 60s } }")),
      );
      const writeTime = Math.max(...objects(run).map((o) => o.finished - o.created));
      const freshness = column(run, "events", "DeliveryToS3.DataFreshness");
      expect(Math.max(...freshness), `at ${rate}`).toBeLessThanOrEqual(60 + writeTime + 1e-3);
      expect(run.summary.firehose[0]!.maxDataFreshnessSeconds).toBeLessThanOrEqual(60 + writeTime + 1e-3);
    }
  });

  it("zero buffering delivers within a few seconds", () => {
    const run = runInMemory(
      scenarioOf(directPut("50/s", "{ name: events, buffering: { size: 1MiB, interval: 0s } }", "3m")),
    );
    expect(run.summary.firehose[0]!.deliveryLatencyMs.max).toBeLessThan(3000);
  });

  it("the same hints hold at cohort resolution, where one cohort can fill several objects", () => {
    const run = runInMemory(
      scenarioOf(directPut("3000/s", "{ name: events, buffering: { size: 1MiB, interval: 60s } }", "2m"), {
        resolution: "100ms",
      }),
    );
    const objs = objects(run);
    // Every size-triggered object reaches the hint by at most one record.
    for (const o of objs.filter((x) => x.trigger === "size")) {
      expect(o.bytes).toBeGreaterThanOrEqual(MiB);
      expect(o.bytes).toBeLessThan(MiB + KiB + 1);
    }
    expect(objs.length).toBeGreaterThan(300);
    const f = run.summary.firehose[0]!;
    expect(f.ledger.balanced).toBe(true);
  });
});

describe("direct-PUT quotas", () => {
  it("throttles records beyond the byte quota, and never accepts more than it in any second", () => {
    // 6 MiB/s offered into a 5 MiB/s quota (us-east-1).
    const run = runInMemory(scenarioOf(directPut("6144/s", "{ name: events }", "1m")));
    const incoming = column(run, "events", "IncomingBytes");
    for (const b of incoming) expect(b).toBeLessThanOrEqual(5 * MiB);
    const f = run.summary.firehose[0]!;
    expect(f.throttledRecords).toBeGreaterThan(0);
    expect(f.incomingBytes / 60).toBeGreaterThan(4.5 * MiB);
    expectLedgerBalanced(run);
  });

  it("other Regions have a fifth of the quota", () => {
    const run = runInMemory(scenarioOf(directPut("2048/s", "{ name: events, region: eu-central-1 }", "1m")));
    for (const b of column(run, "events", "IncomingBytes")) expect(b).toBeLessThanOrEqual(1 * MiB);
    expect(run.summary.firehose[0]!.throttledRecords).toBeGreaterThan(0);
  });

  it("refuses whole requests beyond the request quota", () => {
    // 40 clients making single-record calls: about 300 calls/s against a quota of 100.
    const text = directPut("300/s", "{ name: events, quota: { requests: 100/s } }", "1m").replace(
      "instances: 2, rate: 300/s, arrivals: even, recordSize: 1KiB, target: events",
      "instances: 40, rate: 300/s, arrivals: even, recordSize: 1KiB, target: events, api: PutRecord",
    );
    const run = runInMemory(scenarioOf(text));
    const f = run.summary.firehose[0]!;
    expect(f.throttledRequests).toBeGreaterThan(0);
    for (const r of column(run, "events", "IncomingPutRequests")) expect(r).toBeLessThanOrEqual(100);
  });
});

describe("a destination outage", () => {
  it("freshness climbs, deliveries are retried, and past the retry duration the data goes to backup", () => {
    const run = runInMemory(
      scenarioOf(
        directPut(
          "100/s",
          "{ name: events, buffering: { size: 1MiB, interval: 60s }, destination: { type: http, retryDuration: 120s, outages: [{ at: 3m, duration: 5m }] } }",
          "12m",
        ),
      ),
    );
    const f = run.summary.firehose[0]!;
    const objs = objects(run);
    const freshness = column(run, "events", "DeliveryToHttpEndpoint.DataFreshness");
    // Healthy, freshness stays near the ~10 s an object takes to fill; during the outage the oldest
    // undelivered record ages until its object runs out of retries (120 s).
    expect(Math.max(...freshness.slice(0, 175))).toBeLessThan(15);
    expect(Math.max(...freshness.slice(180, 480))).toBeGreaterThan(80);
    expect(Math.max(...freshness)).toBeLessThanOrEqual(120 + 15);
    expect(objs.some((o) => o.attempts > 1)).toBe(true);
    expect(f.backupRecords).toBeGreaterThan(0);
    // Objects created early in the outage run out of retries; the last ones are delivered after it.
    expect(objs.filter((o) => o.created >= 180 && o.created < 300).every((o) => o.result === "backup")).toBe(
      true,
    );
    expect(
      objs.filter((o) => o.created >= 420 && o.created < 480).every((o) => o.result === "delivered"),
    ).toBe(true);
    // Nothing unaccounted for.
    const l = f.ledger;
    expect(l.ingested).toBe(l.delivered + l.buffered + l.inDelivery + l.failed + l.backedUp + l.lost);
    expect(l.balanced).toBe(true);
  });

  it("S3 keeps retrying for 24 hours: an outage delays delivery but loses nothing", () => {
    const run = runInMemory(
      scenarioOf(
        directPut(
          "100/s",
          "{ name: events, buffering: { size: 1MiB, interval: 60s }, destination: { outages: [{ at: 2m, duration: 5m }] } }",
          "10m",
        ),
      ),
    );
    const f = run.summary.firehose[0]!;
    expect(f.backupRecords + f.lostRecords).toBe(0);
    expect(f.maxDataFreshnessSeconds).toBeGreaterThan(250);
    expect(f.deliveredRecords).toBeGreaterThan(0.9 * f.incomingRecords);
  });
});

describe("dynamic partitioning", () => {
  it("P active partitions multiply the objects by P and divide their size by P", () => {
    const hints = "buffering: { size: 1MiB, interval: 60s }";
    const base = runInMemory(scenarioOf(directPut("50/s", `{ name: events, ${hints} }`, "10m")));
    const split = runInMemory(
      scenarioOf(directPut("50/s", `{ name: events, ${hints}, partitioning: { partitions: 8 } }`, "10m")),
    );
    // 50 KiB/s: one buffer fills 1 MiB in ~20.5 s (size); eight fill 1/8 of that in 60 s (interval).
    const a = objects(base);
    const b = objects(split);
    expect(a.every((o) => o.trigger === "size")).toBe(true);
    expect(b.every((o) => o.trigger === "interval")).toBe(true);
    // Per minute: 60/20.48 ≈ 2.93 objects of 1 MiB, against 8 of ~375 KiB.
    expect(b.length / a.length).toBeCloseTo(8 / (60 / 20.48), 0);
    expect(mean(b.map((o) => o.bytes)) / KiB).toBeGreaterThan(340);
    expect(mean(b.map((o) => o.bytes)) / KiB).toBeLessThan(410);
    expect(split.summary.firehose[0]!.maxActivePartitions).toBe(8);
  });

  it("records beyond the active-partition limit go to the error prefix, counted", () => {
    const run = runInMemory(
      scenarioOf(
        directPut(
          "200/s",
          "{ name: events, partitioning: { partitions: 1000, maxActivePartitions: 50 } }",
          "3m",
        ),
      ),
    );
    const f = run.summary.firehose[0]!;
    expect(f.maxActivePartitions).toBe(50);
    expect(f.partitionExceededRecords).toBeGreaterThan(0);
    expect(f.ledger.failed).toBe(f.partitionExceededRecords);
    expect(f.ledger.balanced).toBe(true);
  });
});

describe("the Lambda transform", () => {
  it("a function that always fails is retried, then its records are failed", () => {
    const run = runInMemory(
      scenarioOf(
        directPut(
          "100/s",
          "{ name: events, transform: { errorRate: 100%, retries: 3, bufferInterval: 10s } }",
          "3m",
        ).replace("target: events", "target: events, stop: 1m"),
      ),
    );
    const f = run.summary.firehose[0]!;
    expect(f.deliveredRecords).toBe(0);
    expect(f.processingFailedRecords).toBeGreaterThan(0);
    // Each batch is invoked once and retried three times (the producer stops early, so every
    // batch has finished by the end).
    expect(f.transformInvocations % 4).toBe(0);
    expect(f.transformErrors).toBe(f.transformInvocations);
    expect(f.ledger.balanced).toBe(true);
  });

  it("records the function marks ProcessingFailed leave; the rest are delivered", () => {
    const run = runInMemory(
      scenarioOf(
        directPut(
          "200/s",
          "{ name: events, buffering: { size: 1MiB, interval: 60s }, transform: { failedRecords: 10%, bufferInterval: 5s } }",
          "5m",
        ),
      ),
    );
    const f = run.summary.firehose[0]!;
    const processed =
      f.processingFailedRecords + f.deliveredRecords + f.ledger.buffered + f.ledger.inDelivery;
    expect(f.processingFailedRecords / processed).toBeGreaterThan(0.08);
    expect(f.processingFailedRecords / processed).toBeLessThan(0.12);
  });
});

describe("billing", () => {
  it("rounds every record up to the next 5 KB", () => {
    const run = runInMemory(scenarioOf(directPut("10/s", "{ name: events }", "1m")));
    const f = run.summary.firehose[0]!;
    expect(f.billedBytes).toBe(f.incomingRecords * 5 * KiB);
  });
});
