// Bills against hand-computed ones: AWS's rounding rules (25 KB PUT payload units, 1 KB on-demand
// ingest, 5 KB Firehose ingest), the facts sheet's price-list examples, and a steady run billed
// line by line. GB is 2^30 bytes; KB 1,024 bytes.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPrices } from "../../src/cli/prices.js";
import { US_EAST_1 } from "../../src/data/prices.js";
import { billOf, breakEven, roundingOf, type Usage, usageOf } from "../../src/plan/bill.js";
import { runInMemory, scenarioOf } from "../laws.js";

const GB = 1024 ** 3;
const constant = (value: number) => ({ dist: "constant" as const, value });
const lineOf = (bill: ReturnType<typeof billOf>, item: string) => bill.lines.find((l) => l.item === item);

describe("rounding per record", () => {
  it("counts PUT payload units in 25 KB chunks", () => {
    expect(roundingOf(constant(5 * 1024)).putUnits).toBe(1);
    expect(roundingOf(constant(45 * 1024)).putUnits).toBe(2);
    expect(roundingOf(constant(25 * 1024)).putUnits).toBe(1);
    expect(roundingOf(constant(25 * 1024 + 1)).putUnits).toBe(2);
    // AWS's "1 MB = 40 units" holds for 1,000 KB; a full MiB is 41 chunks of 25 KB.
    expect(roundingOf(constant(1000 * 1024)).putUnits).toBe(40);
    expect(roundingOf(constant(1024 * 1024)).putUnits).toBe(41);
  });

  it("rounds on-demand ingest up to 1 KB and Firehose ingest up to 5 KB per record", () => {
    expect(roundingOf(constant(4.5 * 1024)).bytes1k).toBe(5 * 1024);
    expect(roundingOf(constant(1)).bytes1k).toBe(1024);
    expect(roundingOf(constant(1024)).bytes5k).toBe(5 * 1024);
    expect(roundingOf(constant(5 * 1024 + 1)).bytes5k).toBe(10 * 1024);
  });

  it("averages the rounding over a distribution: half the records below 1 KB, half above", () => {
    const r = roundingOf({ dist: "empirical", values: [500, 1500], weights: [1, 1] });
    expect(r.bytes).toBe(1000);
    expect(r.bytes1k).toBe(1.5 * 1024);
  });
});

/** A usage with one stream and nothing else. */
function streamUsage(hours: number, over: Partial<Usage["streams"][number]> = {}): Usage {
  return {
    hours,
    streams: [
      {
        name: "s",
        shardHours: 0,
        records: 0,
        putUnits: 0,
        bytes1k: 0,
        pollingReadBytes: 0,
        efoConsumers: 0,
        efoReadBytes: 0,
        extendedRetentionHours: 0,
        ingestBytes: 0,
        ...over,
      },
    ],
    firehose: [],
    lambda: [],
    analytics: [],
  };
}

describe("the facts sheet's price-list examples", () => {
  it("a shard for 2,920 hours costs $43.80; an on-demand stream for 730 hours $29.20", () => {
    const provisioned = billOf(streamUsage(2920, { shardHours: 2920 }), "provisioned", US_EAST_1);
    expect(lineOf(provisioned, "shard-hours")!.cost).toBeCloseTo(43.8, 10);
    const onDemand = billOf(streamUsage(730), "on-demand", US_EAST_1);
    expect(lineOf(onDemand, "stream-hours")!.cost).toBeCloseTo(29.2, 10);
    // A month is 730 hours: the on-demand run is its own month.
    expect(onDemand.monthlyTotal).toBeCloseTo(onDemand.total, 10);
  });

  it("Firehose ingest is tiered by the month's volume", () => {
    const usage = {
      ...streamUsage(730),
      streams: [],
      firehose: [{ name: "f", billedBytes: 600 * 1024 * GB, formatConversion: false }],
    };
    // 600 TB in a month: 500 TB at $0.029 and 100 TB at $0.025.
    const expected = 500 * 1024 * 0.029 + 100 * 1024 * 0.025;
    expect(billOf(usage, "provisioned", US_EAST_1).total).toBeCloseTo(expected, 6);
  });
});

describe("a steady run, billed by hand", () => {
  // 2 shards, 1,000 records/s of exactly 1 KiB, one EFO consumer and one polling reader, 10 minutes.
  const text = `name: steady
seed: 3
duration: 10m
stream: { name: s, shards: 2 }
producers:
  - { name: p, instances: 4, rate: 1000/s, recordSize: 1KiB, arrivals: even }
consumers:
  - { name: fan, type: efo }
  - { name: poll, type: polling }
  - name: fn
    type: lambda
    memorySize: 512
    duration: { base: 20ms }
`;
  const scenario = scenarioOf(text);
  const run = runInMemory(scenario);
  const usage = usageOf(scenario, run.summary);
  const accepted = run.summary.records.accepted;
  const hours = 10 / 60;

  it("provisioned: shard-hours, one PUT unit per record, EFO consumer-shard-hours and data", () => {
    expect(run.summary.throttle.firstAttemptFraction).toBe(0);
    const bill = billOf(usage, "provisioned", US_EAST_1);
    expect(lineOf(bill, "shard-hours")!.cost).toBeCloseTo(2 * hours * 0.015, 7); // shard-hours to 6 decimals
    expect(lineOf(bill, "PUT payload units")!.cost).toBeCloseTo((accepted * 0.014) / 1e6, 10);
    expect(lineOf(bill, "enhanced fan-out consumer-shard-hours")!.cost).toBeCloseTo(2 * hours * 0.015, 7);
    const efoDelivered = run.summary.consumers.find((c) => c.name === "fan")!.delivered;
    expect(lineOf(bill, "enhanced fan-out data")!.cost).toBeCloseTo(((efoDelivered * 1024) / GB) * 0.013, 10);
    // Month: 730 / (1/6) = 4,380 times the run.
    expect(bill.monthlyTotal / bill.total).toBeCloseTo(4380, 4);
  });

  it("on-demand: stream-hours, 1 KB-rounded data in, shared data out for the polling readers", () => {
    const bill = billOf(usage, "on-demand", US_EAST_1);
    expect(lineOf(bill, "stream-hours")!.cost).toBeCloseTo(hours * 0.04, 10);
    expect(lineOf(bill, "data in (1 KB rounding)")!.cost).toBeCloseTo(((accepted * 1024) / GB) * 0.08, 10);
    const polled = ["poll", "fn"].reduce(
      (a, n) => a + run.summary.consumers.find((c) => c.name === n)!.delivered,
      0,
    );
    expect(lineOf(bill, "data out (shared throughput)")!.cost).toBeCloseTo(((polled * 1024) / GB) * 0.04, 10);
  });

  it("Lambda: requests and GB-seconds at the function's memory", () => {
    const bill = billOf(usage, "provisioned", US_EAST_1);
    const fn = run.summary.consumers.find((c) => c.name === "fn")!.lambda!;
    expect(lineOf(bill, "requests")!.cost).toBeCloseTo((fn.invocations * 0.2) / 1e6, 12);
    expect(lineOf(bill, "duration")!.quantity).toBeCloseTo(
      (fn.invocations * fn.durationMs.mean * 0.5) / 1000,
      6,
    );
  });
});

describe("a KPL producer's bill", () => {
  // 1,000 user records/s of 512 B with random 36-character keys on one shard: the SDK puts each
  // as its own record (one PUT payload unit each); the KPL aggregates them into Kinesis records
  // under AggregationMaxSize (51,200 B), each of which is 2 units at most (ceil(51,200 / 25,600)).
  const text = (client: string) => `
name: kpl-bill
seed: 2
duration: 30s
stream: { name: s, shards: 1 }
producers:
  - { name: app, client: ${client}, rate: 1000/s, recordSize: 512B, arrivals: even }
consumers:
  - { name: poll, type: polling }
`;
  const kpl = scenarioOf(text("kpl"));
  const sdk = scenarioOf(text("sdk"));
  const kplRun = runInMemory(kpl);
  const sdkRun = runInMemory(sdk);
  const k = kplRun.summary.producers[0]!.kpl!;

  it("bills PUT payload units per aggregated Kinesis record, not per user record", () => {
    const users = kplRun.summary.producers[0]!.accepted;
    expect(users).toBeGreaterThan(25_000);
    // Each user record adds its 512 B, 3 + 2 bytes of framing and, its key being new, 36 + 3 bytes
    // of key table: 556 B; 51,200 / 556 = 92.08, so no Kinesis record holds more than 92.
    expect(k.kinesisRecordsPut).toBeGreaterThanOrEqual(Math.ceil(users / 92));
    expect(k.putPayloadUnits).toBeGreaterThanOrEqual(k.kinesisRecordsPut);
    expect(k.putPayloadUnits).toBeLessThanOrEqual(2 * k.kinesisRecordsPut);
    const kplBill = billOf(usageOf(kpl, kplRun.summary), "provisioned", US_EAST_1);
    const sdkBill = billOf(usageOf(sdk, sdkRun.summary), "provisioned", US_EAST_1);
    expect(lineOf(kplBill, "PUT payload units")!.cost).toBeCloseTo((k.putPayloadUnits * 0.014) / 1e6, 12);
    const sdkUsers = sdkRun.summary.producers[0]!.accepted;
    expect(lineOf(sdkBill, "PUT payload units")!.cost).toBeCloseTo((sdkUsers * 0.014) / 1e6, 12);
    // Fewer than one unit per 40 user records against one per user record.
    expect(k.putPayloadUnits).toBeLessThan(users / 40);
  });

  it("bills on-demand data in per Kinesis record (1 KB rounding) and data out with the aggregation's bytes", () => {
    const usage = usageOf(kpl, kplRun.summary);
    const bill = billOf(usage, "on-demand", US_EAST_1);
    expect(lineOf(bill, "data in (1 KB rounding)")!.cost).toBeCloseTo((k.billedBytes1k / GB) * 0.08, 12);
    // Rounding each ~50 KB Kinesis record up to 1 KB adds less than 1 KB per record.
    expect(k.billedBytes1k).toBeGreaterThanOrEqual(k.kinesisBytesPut);
    expect(k.billedBytes1k).toBeLessThan(k.kinesisBytesPut + 1024 * k.kinesisRecordsPut);
    // The reader pays for the bytes it reads: the user records' share of the aggregated bytes.
    const users = kplRun.summary.producers[0]!.accepted;
    const delivered = kplRun.summary.consumers[0]!.delivered;
    expect(usage.streams[0]!.pollingReadBytes).toBeCloseTo((delivered * k.kinesisBytesPut) / users, 3);
    // On the wire each user record in an aggregated record is a protobuf entry of 1 + 2 + (2 + 1 +
    // 2 + 512) = 520 bytes plus its key-table entry of 1 + 1 + 36 = 38; each Kinesis record adds 20
    // bytes (magic and MD5) and its own 36-byte partition key. A single record goes unaggregated:
    // 512 + 36 bytes.
    expect(k.kinesisBytesPut).toBeLessThanOrEqual(users * 558 + k.kinesisRecordsPut * 56);
    expect(k.kinesisBytesPut).toBeGreaterThanOrEqual(users * 548);
  });
});

describe("break-even utilisation", () => {
  it("is where a month of provisioned shards and of on-demand cost the same per shard", () => {
    const r = roundingOf(constant(1024));
    const even = breakEven(r, US_EAST_1, 1, { recordsPerSecond: 1000, bytesPerSecond: 1024 * 1024 });
    const recordsPerHour = even.utilization * even.recordsPerSecondPerShard * 3600;
    const usage = streamUsage(1, {
      shardHours: 1,
      records: recordsPerHour,
      putUnits: recordsPerHour,
      bytes1k: recordsPerHour * 1024,
      pollingReadBytes: recordsPerHour * 1024,
    });
    const provisioned = billOf(usage, "provisioned", US_EAST_1).total;
    const onDemand = billOf(usage, "on-demand", US_EAST_1).total - US_EAST_1.onDemand.streamHour.value;
    expect(provisioned).toBeCloseTo(onDemand, 10);
    expect(even.utilization).toBeGreaterThan(0);
    expect(even.utilization).toBeLessThan(1);
  });
});

describe("a user's price table", () => {
  const dir = mkdtempSync(join(tmpdir(), "kinesim-prices-"));
  it("replaces the prices it names and marks them as the user's", () => {
    const file = join(dir, "discount.yaml");
    writeFileSync(file, "provisioned:\n  shardHour: 0.012\nkms:\n  keyMonth: 1\n");
    const prices = loadPrices(file);
    expect(prices.provisioned.shardHour.value).toBe(0.012);
    expect(prices.provisioned.shardHour.note).toMatch(/your price/);
    expect(prices.onDemand.streamHour.value).toBe(0.04);
    expect(prices.kms!.keyMonth.value).toBe(1);
  });

  it("rejects an unknown price with its path", () => {
    const file = join(dir, "typo.yaml");
    writeFileSync(file, "provisioned:\n  shardHours: 0.012\n");
    expect(() => loadPrices(file)).toThrow(
      /provisioned\.shardHours: unknown price; expected one of shardHour/,
    );
  });
});
