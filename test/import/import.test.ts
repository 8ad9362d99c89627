// `kinesim import` in-process: the AWS CLI output of a resharded stream round-trips through the
// scenario to `describe-stream`; a CloudFormation template and a Terraform plan of the same system
// give the same scenario; the exported metrics are reproduced by a run (per-minute IncomingRecords
// and per-shard shares); growth, windows and reshards of an imported layout behave as documented.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validReport } from "../../src/cli/inventory.js";
import { type ImportOptions, importFiles } from "../../src/import/import.js";
import { replay } from "../../src/import/replay.js";
import { NULL_SINK } from "../../src/metrics/sink.js";
import { buildRun } from "../../src/model/build.js";
import { describeStream, listShards } from "../../src/model/describe.js";
import { HASH_SPACE } from "../../src/model/hash-space.js";
import { KeySpace } from "../../src/model/keys.js";
import { loadScenario, type Override } from "../../src/scenario/load.js";
import type { Scenario } from "../../src/scenario/schema.js";

const DIR = "test/import/fixtures";
const fixture = (name: string) => ({ file: join(DIR, name), text: readFileSync(join(DIR, name), "utf8") });

const OPTIONS: ImportOptions = {
  growth: 1,
  window: {},
  arrivals: "poisson",
  base: "orders",
  set: [],
  command: "kinesim import (test)",
  parameters: {},
  skipUnsupported: false,
};

/** Imports the files and loads the written scenario as `validate` does (side files from memory). */
function imported(names: string[], options: Partial<ImportOptions> = {}, overrides: Override[] = []) {
  const written = importFiles(names.map(fixture), { ...OPTIONS, ...options });
  const files = new Map(written.files.map((f) => [f.name, f.text]));
  const { scenario } = loadScenario(written.yaml, {
    file: "orders.yaml",
    overrides,
    readFile: (name) => {
      const text = files.get(name);
      if (text === undefined) throw new Error(`no side file ${name}`);
      return text;
    },
  });
  return { written, scenario };
}

const CLI_FILES = [
  "orders-describe-stream.json",
  "orders-consumers.json",
  "orders-event-source-mappings.json",
  "orders-delivery-stream.json",
];

describe("describe-stream round trip", () => {
  const source = JSON.parse(fixture("orders-describe-stream.json").text).StreamDescription;
  const { scenario } = imported(CLI_FILES);
  const run = buildRun(scenario, { sink: NULL_SINK });
  const described = describeStream(run.stream, run.capacity, 0).StreamDescription;

  it("lists the same shards: ids, hash-key ranges, parents, closed or open", () => {
    const shape = (s: Record<string, unknown> & { SequenceNumberRange: Record<string, string> }) => ({
      ShardId: s.ShardId,
      ParentShardId: s.ParentShardId,
      AdjacentParentShardId: s.AdjacentParentShardId,
      HashKeyRange: s.HashKeyRange,
      closed: s.SequenceNumberRange.EndingSequenceNumber !== undefined,
    });
    expect(described.Shards.map((s) => shape(s as never))).toEqual(source.Shards.map(shape));
    expect(listShards(run.stream, 0).Shards.map((s) => s.ShardId)).toEqual(
      source.Shards.map((s: { ShardId: string }) => s.ShardId),
    );
  });

  it("keeps the name, mode and retention; sequence numbers, ARN, timestamps and encryption are kinesim's own", () => {
    expect(described.StreamName).toBe(source.StreamName);
    expect(described.StreamModeDetails).toEqual(source.StreamModeDetails);
    expect(described.RetentionPeriodHours).toBe(source.RetentionPeriodHours);
    // Not reproduced (said in the scenario's comments): the emulated account and Region in the
    // ARN, sequence numbers, the creation time and KMS encryption.
    expect(described.StreamARN).not.toBe(source.StreamARN);
    expect(described.EncryptionType).toBe("NONE");
  });

  it("routes by the imported uneven ranges: half the hash space to shard 1", () => {
    expect(run.stream.open.map((s) => [s.id, s.shareOfSpace])).toEqual([
      ["shardId-000000000002", 0.25],
      ["shardId-000000000003", 0.25],
      ["shardId-000000000001", 0.5],
    ]);
  });

  it("gives the same scenario from describe-stream-summary plus list-shards", () => {
    const other = imported([
      "orders-summary.json",
      "orders-list-shards.json",
      ...CLI_FILES.slice(1),
    ]).scenario;
    expect(strip(other)).toEqual(strip(scenario));
  });

  it("validate says the stream starts as listed", () => {
    expect(validReport("orders.yaml", scenario)).toContain(
      "orders: 3 shards, as listed in shardList (and 1 closed parent)",
    );
  });

  it("reshards an imported layout to another count as UpdateShardCount would (a plan's --set)", () => {
    const six = imported(CLI_FILES, {}, [{ path: "stream.shards", value: "6" }]).scenario;
    const stream = buildRun(six, { sink: NULL_SINK }).stream;
    expect(stream.openCount).toBe(6);
    // The open shards tile the space, in even ranges, numbered after the imported ones.
    let next = 0n;
    for (const s of stream.open) {
      expect(s.range.start).toBe(next);
      next = s.range.end + 1n;
      expect(s.number).toBeGreaterThan(3);
    }
    expect(next).toBe(HASH_SPACE);
    for (const id of ["shardId-000000000001", "shardId-000000000002", "shardId-000000000003"])
      expect(stream.shard(id)?.open).toBe(false);
  });
});

/** A scenario without what names its sources. */
function strip(s: Scenario): unknown {
  const { description: _, ...rest } = s;
  return JSON.parse(JSON.stringify(rest));
}

describe("infrastructure code", () => {
  it("a CloudFormation template and a Terraform plan of the same system import to the same scenario", () => {
    const cfn = imported(["orders-template.yaml"]);
    const tf = imported(["orders-plan.json"]);
    expect(strip(tf.scenario)).toEqual(strip(cfn.scenario));
    const s = cfn.scenario;
    expect(s.stream.shards).toBe(3);
    expect(s.stream.retention).toBe(48 * 3600e6);
    expect(s.consumers.map((c) => [c.name, c.type])).toEqual([
      ["enrich-orders", "lambda"],
      ["fraud-scoring", "efo"],
    ]);
    const lambda = s.consumers[0]!;
    expect(lambda.type === "lambda" && lambda).toMatchObject({
      batchSize: 200,
      maximumBatchingWindowInSeconds: 1,
      parallelizationFactor: 2,
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 3600,
      bisectBatchOnFunctionError: true,
      onFailure: "sqs",
      timeout: 30e6,
      memorySize: 512,
    });
    expect(s.firehose[0]).toMatchObject({
      name: "orders-archive",
      source: { kind: "stream", stream: "orders" },
      destination: { type: "s3" },
    });
    // Each value names its source; Parameters' defaults are reported as assumptions.
    expect(cfn.written.yaml).toContain("orders-template.yaml: Resources.EnrichMapping.Properties.BatchSize");
    expect(cfn.written.yaml).toContain("parameter ShardCount taken at its Default 3");
    expect(cfn.written.yaml).toContain(
      "FilterCriteria (test/import/fixtures/orders-template.yaml: Resources.EnrichMapping.Properties.FilterCriteria) is not modelled",
    );
    expect(tf.written.yaml).toContain("planned_values.root_module.resources[4].values.batch_size");
  });

  it("SAM's Kinesis event gives the mapping the CloudFormation resource gives", () => {
    const sam = imported(["orders-sam.yaml"]).scenario;
    const cfn = imported(["orders-template.yaml"]).scenario;
    expect(JSON.parse(JSON.stringify(sam.consumers[0]))).toEqual(
      JSON.parse(JSON.stringify(cfn.consumers[0])),
    );
  });

  it("reads a JSON template with the long forms of the intrinsic functions", () => {
    const json = {
      file: "orders.json",
      text: JSON.stringify({
        Resources: {
          S: {
            Type: "AWS::Kinesis::Stream",
            Properties: { Name: { "Fn::Join": ["-", ["orders", "eu"]] }, ShardCount: 2 },
          },
          C: {
            Type: "AWS::Kinesis::StreamConsumer",
            Properties: { ConsumerName: "audit", StreamARN: { "Fn::GetAtt": "S.Arn" } },
          },
          M: {
            Type: "AWS::Lambda::EventSourceMapping",
            Properties: {
              EventSourceArn: { "Fn::GetAtt": ["C", "ConsumerARN"] },
              FunctionName: "audit-fn",
              StartingPosition: "TRIM_HORIZON",
            },
          },
        },
      }),
    };
    const { scenario } = loadScenario(importFiles([json], OPTIONS).yaml, { file: "j.yaml" });
    expect(scenario.stream.name).toBe("orders-eu");
    // The mapping reads through the EFO consumer: one consumer, not two.
    expect(JSON.parse(JSON.stringify(scenario.consumers))).toMatchObject([
      { name: "audit-fn", type: "lambda", efo: true, startingPosition: "TRIM_HORIZON" },
    ]);
  });

  it("--parameter overrides a template parameter's default", () => {
    const { scenario } = imported(["orders-template.yaml"], { parameters: { ShardCount: "5" } });
    expect(scenario.stream.shards).toBe(5);
  });
});

describe("metrics", () => {
  const files = [...CLI_FILES, "orders-metrics.json"];
  const { written, scenario } = imported(files, {}, [{ path: "resolution", value: "10ms" }]);

  it("becomes a traced rate, a record size and weights over the shards' ranges", () => {
    const p = scenario.producers[0]!;
    expect(p.rate.profile).toBe("series");
    expect(p.recordSize).toEqual({ dist: "constant", value: 500 });
    expect(p.partitionKey.dist).toBe("hashRanges");
    expect(scenario.duration).toBe(30 * 60e6);
    // The export's busiest minute is the on-demand side's previous peak.
    const busiest = Math.max(...written.observed!.series.IncomingRecords!);
    expect(scenario.stream.onDemand.previousPeakRecords).toBe(Math.ceil(busiest / 60));
    // The weights route exactly the observed shares onto the imported shards.
    const run = buildRun(scenario, { sink: NULL_SINK });
    const routing = new KeySpace(p.partitionKey).route(run.stream);
    const observed = written.observed!.shardRecords;
    const total = Object.values(observed).reduce((a, v) => a + v, 0);
    run.stream.open.forEach((s, i) => {
      expect(routing.shardProbabilities[i]).toBeCloseTo(observed[s.id]! / total, 6);
    });
  });

  // Tolerance: every minute within 3% of the export (Poisson arrivals of ~60,000 records a minute
  // vary by ~0.4%; retries carry a few records over a minute boundary), every shard's share within
  // 1 point of the observed share.
  it("a run reproduces the per-minute IncomingRecords within 3% and the per-shard skew within 1 point", () => {
    const r = replay(scenario, written.observed!);
    expect(r.periods).toHaveLength(30);
    expect(r.maxRelativeError).toBeLessThan(0.03);
    expect(r.maxShareError).toBeLessThan(0.01);
    expect(r.throttled).toEqual({ observed: 0, simulated: 0 });
    expect(r.iteratorAgeMaxMs.observed).toBeGreaterThan(0);
  });

  it("--growth 2x doubles the traced traffic", () => {
    const grown = imported(files, { growth: 2 }).scenario;
    const rate = (s: Scenario) => s.producers[0]!.rate as { perSecond: number[] };
    expect(rate(grown).perSecond).toEqual(rate(scenario).perSecond.map((r) => 2 * r));
    expect(grown.growth).toBe(1);
  });

  it("--busiest keeps the stretch with the most records", () => {
    const { written: w } = imported(files, { window: { busiestSeconds: 600 } });
    const all = written.observed!.series.IncomingRecords!;
    const sums = all.slice(0, 21).map((_, i) => all.slice(i, i + 10).reduce((a, v) => a + v, 0));
    const best = sums.indexOf(Math.max(...sums));
    expect(w.observed!.series.IncomingRecords).toEqual(all.slice(best, best + 10));
    expect(w.observed!.startMs).toBe(Date.parse("2026-11-30T12:00:00Z") + best * 60_000);
  });

  it("reads CloudWatch CSV: the README's week of a SAM application", () => {
    const week = {
      file: "scenarios/import/metrics-week.csv",
      text: readFileSync("scenarios/import/metrics-week.csv", "utf8"),
    };
    const w = importFiles([fixture("orders-sam.yaml"), week], {
      ...OPTIONS,
      window: { busiestSeconds: 1800 },
    });
    expect(w.observed!.series.IncomingRecords).toHaveLength(30);
    // The busiest half hour of the week is on a weekday, around the 13:00 UTC peak.
    const start = new Date(w.observed!.startMs);
    expect(start.getUTCHours()).toBeGreaterThanOrEqual(12);
    expect(start.getUTCHours()).toBeLessThanOrEqual(13);
    expect(w.yaml).toContain("ASSUMED: the shards of orders are the even split of its shard count");
  });
});

describe("the README's example", () => {
  it("scenarios/import/orders.yaml is what importing its template and week of metrics gives today", () => {
    const read = (name: string) => ({ file: name, text: readFileSync(`scenarios/import/${name}`, "utf8") });
    const w = importFiles([read("template.yml"), read("metrics-week.csv")], {
      ...OPTIONS,
      window: { busiestSeconds: 1800 },
      command: "kinesim import template.yml metrics-week.csv --busiest 30m --out orders.yaml",
    });
    expect(w.yaml).toBe(readFileSync("scenarios/import/orders.yaml", "utf8"));
    for (const f of w.files) expect(f.text).toBe(readFileSync(`scenarios/import/${f.name}`, "utf8"));
  });
});

describe("several streams and reshards", () => {
  const template = {
    file: "two-streams.yaml",
    text: [
      "Resources:",
      "  Clicks: { Type: AWS::Kinesis::Stream, Properties: { Name: clicks, ShardCount: 2 } }",
      "  Views: { Type: AWS::Kinesis::Stream, Properties: { Name: views, StreamModeDetails: { StreamMode: ON_DEMAND } } }",
      "  Count:",
      "    Type: AWS::Lambda::EventSourceMapping",
      "    Properties: { EventSourceArn: !GetAtt Clicks.Arn, FunctionName: count-clicks, StartingPosition: TRIM_HORIZON }",
      "  Rank:",
      "    Type: AWS::Lambda::EventSourceMapping",
      "    Properties: { EventSourceArn: !GetAtt Views.Arn, FunctionName: rank-views, StartingPosition: LATEST }",
    ].join("\n"),
  };

  it("a template with two streams becomes one scenario with both, each with its traffic and readers", () => {
    const w = importFiles([template], OPTIONS);
    const { scenario } = loadScenario(w.yaml, { file: "two.yaml" });
    // The on-demand stream is the scenario's stream (only it can scale); the other is provisioned.
    expect(scenario.stream).toMatchObject({ name: "views", mode: "on-demand" });
    expect(scenario.streams.map((s) => [s.name, s.shards])).toEqual([["clicks", 2]]);
    expect(scenario.producers.map((p) => p.target)).toEqual(["views", "clicks"]);
    expect(scenario.consumers.map((c) => [c.name, c.stream])).toEqual([
      ["count-clicks", "clicks"],
      ["rank-views", "views"],
    ]);
    expect(w.yaml).toContain("ASSUMED: no IncomingRecords metrics for clicks");
  });

  it("an imported stream takes scheduled reshards of its own shard ids", () => {
    const { scenario } = imported(CLI_FILES, {}, [
      {
        path: "events",
        value: "[{ at: 1s, action: SplitShard, shard: shardId-000000000001, newStartingHashKey: middle }]",
      },
      { path: "duration", value: "2m" },
    ]);
    const run = buildRun(scenario, { sink: NULL_SINK });
    run.sim.run(scenario.duration);
    const described = describeStream(run.stream, run.capacity, scenario.duration).StreamDescription.Shards;
    expect(described.slice(4).map((s) => [s.ShardId, s.ParentShardId])).toEqual([
      ["shardId-000000000004", "shardId-000000000001"],
      ["shardId-000000000005", "shardId-000000000001"],
    ]);
    expect(run.stream.openCount).toBe(4);
  });
});

describe("CloudWatch CSV", () => {
  const rows = Array.from({ length: 10 }, (_, i) => {
    const t = new Date(Date.parse("2026-11-30T00:00:00Z") + i * 300_000).toISOString();
    return `${t},${60_000 + i * 1000},${1000 * i}`;
  });
  const csv = {
    file: "five-minutes.csv",
    text: ["Timestamp,orders IncomingRecords,orders WriteProvisionedThroughputExceeded", ...rows].join("\n"),
  };

  it("keeps the periods between --from and --to, at the export's 5-minute period, and says when the stream throttled", () => {
    const w = importFiles([fixture("orders-describe-stream.json"), csv], {
      ...OPTIONS,
      window: { fromMs: Date.parse("2026-11-30T00:10:00Z"), toMs: Date.parse("2026-11-30T00:30:00Z") },
    });
    expect(w.observed!.periodSeconds).toBe(300);
    expect(w.observed!.series.IncomingRecords).toEqual([62_000, 63_000, 64_000, 65_000]);
    expect(w.yaml).toContain("interval: 300s");
    expect(w.yaml).toContain("the stream throttled 14,000 records in this window");
    expect(w.yaml).toContain("duration: 1200s");
  });
});
