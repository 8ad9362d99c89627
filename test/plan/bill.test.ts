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
