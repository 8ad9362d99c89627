// The scenario as run (scenario.yaml) loses nothing: loading a scenario, rendering it, writing
// it as YAML and loading that again gives the same Scenario, for every example scenario and for
// inline ones that reach the sections the examples leave out.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { loadScenario } from "../../src/scenario/load.js";
import { renderScenario } from "../../src/scenario/render.js";
import type { Scenario } from "../../src/scenario/schema.js";
import { scenarioOf } from "../laws.js";

/** scenario.yaml as the CLI writes it. */
function rendered(s: Scenario): string {
  return toYaml(renderScenario(s, "10ms"), { lineWidth: 0 });
}

/**
 * Loads the rendered text again. "auto (10ms)" shows what `auto` chose and is not loadable, so
 * it is read as "auto" — the setting that chose it.
 */
function reloaded(s: Scenario): Scenario {
  return scenarioOf(rendered(s).replace(/^resolution: auto \(.*\)$/m, "resolution: auto"));
}

/**
 * The Scenario without the flags that record whether the file itself gave a value:
 * `batchGiven`, `retryGiven`, `partitionKeyGiven` and `maxInFlightGiven`
 * (producers) and `retryDurationGiven` (delivery destinations). The rendering fills
 * in every default, so reloaded they always read "given". Neither changes a run: the batch is
 * rendered as resolved (already capped for a delivery stream, where the flag matters), and
 * retryDurationGiven only lets the loader reject a retry duration on S3, which is never rendered.
 */
function comparable(s: Scenario): unknown {
  return {
    ...s,
    producers: s.producers.map(
      ({ batchGiven: _b, retryGiven: _r, partitionKeyGiven: _k, maxInFlightGiven: _m, ...p }) => p,
    ),
    firehose: s.firehose.map((f) => {
      const { retryDurationGiven: _, ...destination } = f.destination;
      return { ...f, destination };
    }),
  };
}

function expectRoundTrip(s: Scenario): void {
  const again = reloaded(s);
  expect(comparable(again)).toEqual(comparable(s));
  // And the rendering is a fixed point: rendering the reloaded scenario gives the same text.
  expect(rendered(again)).toBe(rendered(s));
}

const EXAMPLES = readdirSync("scenarios")
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => join("scenarios", f));

describe("renderScenario round trip", () => {
  it("has example scenarios to check", () => expect(EXAMPLES.length).toBeGreaterThan(10));

  it.each(EXAMPLES)("%s", (file) => {
    expectRoundTrip(loadScenario(readFileSync(file, "utf8"), { file }).scenario);
  });

  it("keeps firehose: partitioning, transform, format conversion, Redshift, outages", () => {
    expectRoundTrip(
      scenarioOf(`
name: firehose-everything
duration: 10m
stream: { name: logs, shards: 3 }
producers:
  - { name: logs-in, rate: 500/s }
  - { name: direct, target: to-warehouse, rate: 100/min, api: PutRecord }
  - name: batched
    target: to-warehouse
    rate: { profile: pulse, base: 10/s, peak: 900/s, every: 1m, width: 5s, offset: 10s }
    batch: { maxRecords: 100, maxBytes: 1MB, linger: 250ms }
firehose:
  - name: to-warehouse
    region: eu-central-1
    quota: { records: 2000/s, requests: 100/s, bytes: 1.5MiB/s }
    partitioning: { partitions: 40, dist: zipf, exponent: 1.2, maxActivePartitions: 30 }
    transform:
      bufferSize: 3MB
      bufferInterval: 30s
      duration: { base: 80ms, perRecord: 20us, perKiB: 2ms, p99: 2.5x }
      timeout: 2m
      errorRate: 0.5%
      failedRecords: 0.07
      sizeRatio: 1.3
      retries: 5
      concurrency: 12
    formatConversion: { format: orc, sizeRatio: 0.4 }
    destination:
      type: redshift
      write: { base: 40ms, perKiB: 5us, p99: 3x }
      copy: { base: 3s, perKiB: 60us }
      failureRate: 1%
      outages: [{ at: 2m, duration: 90s }, { at: 7m, duration: 30s }]
      retryDuration: 20m
    backup: all
  - name: to-search
    source: { stream: logs, startingPosition: TRIM_HORIZON }
    buffering: { size: 2MiB, interval: 30s, subMinute: true }
    destination: { type: opensearch }
  - name: to-splunk
    source: { stream: logs }
    buffering: { interval: 20s }
    destination: { type: splunk, retryDuration: 0s }
  - name: to-http
    source: { stream: logs }
    buffering: { interval: 0s }
    destination: { type: http }
`),
    );
  });

  it("keeps analytics: SQL and Flink, sliding windows, failures, sinks to streams and delivery streams", () => {
    expectRoundTrip(
      scenarioOf(`
name: analytics-everything
duration: 30m
stream: { name: clicks, shards: 4 }
streams:
  - { name: counts, shards: 2, retention: 7d, limiter: { policy: token-bucket, burst: 2s } }
producers:
  - { name: web, rate: { profile: ramp, from: 100/s, to: 2000/s, start: 1m, end: 20m } }
analytics:
  - name: sql-app
    runtime: sql
    source: { startingPosition: TRIM_HORIZON }
    parallelism: 1
    window: { type: sliding, size: 10m, slide: 2m }
    output: { perInput: 0.25, recordSize: { dist: uniform, min: 100B, max: 1KiB } }
    sink: { firehose: archive, maxBatchSize: 100, maxTimeInBuffer: 500ms, maxInFlightRequests: 4 }
    checkpointInterval: 5m
    failures: [{ at: 5m }, { at: 20m, restart: 2m }]
    start: 30s
  - name: flink-app
    source: { stream: clicks, pollInterval: 1s }
    parallelism: 8
    parallelismPerKPU: 4
    processing: { base: 2ms, perRecord: 10us, perKiB: 1us, p99: 4x }
    window: { type: tumbling, size: 30s }
    output: { recordsPerWindow: 500, perInput: 0.5, recordSize: { dist: lognormal, median: 300B, sigma: 0.4 } }
    sink: { stream: counts }
  - name: pass-through
    output: { perInput: 2 }
    sink: { stream: counts }
firehose:
  - { name: archive }
`),
    );
  });

  it("keeps every consumer kind, reading either stream", () => {
    expectRoundTrip(
      scenarioOf(`
name: consumers-everything
duration: 20m
stream: { name: orders, shards: 4, propagationDelay: 200ms, maxRecordSize: 2MiB }
streams: [{ name: audit, shards: 2 }]
producers:
  - { name: shop, rate: { profile: diurnal, mean: 800/s, peak: 1200/s, period: 1h, peakAt: 20m } }
  - { name: auditor, target: audit, rate: 50/s, retry: kpl, api: PutRecord }
consumers:
  - name: reader
    type: polling
    pollInterval: 250ms
    maxRecords: 2000
    throttleBackoff: 2s
    processing: { base: 5ms, perRecord: 0.1ms, perKiB: 30us, p99: 2x }
    startingPosition: TRIM_HORIZON
    start: 1m
    parentsFirst: false
  - { name: fanout, type: efo, stream: audit, processing: { perRecord: 0.2ms, p99: 3x } }
  - name: billing
    type: kcl
    workers: 3
    retrieval: polling
    maxRecords: 500
    idleTimeBetweenReads: 1500ms
    checkpoint: { everyRecords: 1000, every: 30s }
    failoverTime: 20s
    failures: [{ worker: 1, at: 2m }, { worker: 2, at: 9m30s }]
  - { name: kcl-defaults, type: kcl, checkpoint: {} }
  - name: enrich
    type: lambda
    stream: orders
    batchSize: 100
    maximumBatchingWindowInSeconds: 2
    parallelizationFactor: 4
    duration: { base: 40ms, perRecord: 1ms, p99: 3x }
    timeout: 10s
    errorRate: 0.1%
    poisonRecords: [{ shard: 0, at: 10m }, { shard: 3, at: 1m }]
    maximumRetryAttempts: 2
    maximumRecordAgeInSeconds: 3600
    bisectBatchOnFunctionError: true
    functionResponseTypes: [ReportBatchItemFailures]
    onFailure: sqs
    reservedConcurrency: 10
    accountConcurrency: 200
    efo: true
    memorySize: 512
  - { name: lambda-defaults, type: lambda, stream: audit }
`),
    );
  });

  const capacity = `
name: capacity
duration: 2h
stream:
  name: telemetry
  mode: on-demand
  onDemand:
    previousPeak: 3MiB/s
    previousPeakRecords: 2500/s
    scaleUpDelay: 10m
    splitThreshold: 600KB/s
    maxWriteThroughput: 1GB/s
    warmThroughput: 8MiB/s
    advantage: true
    scaleDown: { after: 30m, below: 20% }
  updating: { splitShard: 3s, mergeShards: 4s, updateShardCount: 90s, streamMode: 2m }
  writeRecordsPerSecond: 2000/s
  writeBytesPerSecond: 2MB/s
producers:
  - { name: devices, rate: { profile: spike, base: 500/s, peak: 5000/s, at: 30m, duration: 10m, rampUp: 1m } }
events:
  - { at: 5m, action: UpdateStreamMode, mode: provisioned }
  - { at: 10m, action: SplitShard, shard: 0 }
  - { at: 20m, action: SplitShard, shard: shardId-000000000001, newStartingHashKey: "170141183460469231731687303715884105728" }
  - { at: 30m, action: MergeShards, shard: 2, adjacentShard: 3 }
  - { at: 40m, action: UpdateShardCount, targetShardCount: 12 }
`;

  it.each([
    [
      "threshold",
      "{ policy: threshold, minShards: 2, maxShards: 32, scaleUp: { threshold: 80%, minutes: 3, byPercent: 50, coolOff: 2m }, scaleDown: { minutes: 20 } }",
    ],
    [
      "alarm",
      "{ policy: alarm, throttleMinutes: 1, of: 5, lowUtilization: 10%, lowMinutes: 30, iteratorAgeGuard: 5m, coolOff: 15m, metricDelay: 2m }",
    ],
    [
      "target-tracking",
      "{ policy: target-tracking, target: 65%, scaleOutCooldown: 3m, scaleInCooldown: 30m }",
    ],
  ])("keeps capacity events, on-demand settings and a %s scaling policy", (_, policy) => {
    expectRoundTrip(scenarioOf(`${capacity}scaling: ${policy}\n`));
  });

  it("keeps traffic shapes, distributions, retry policies, variants and SLOs", () => {
    expectRoundTrip(
      scenarioOf(`
name: traffic
description: every traffic knob
seed: "blue-7"
duration: 1h
resolution: 5ms
metricsInterval: 10ms
stream: { shards: 8, retention: 365d }
producers:
  - name: steady
    instances: 20
    rate: 1/min
    arrivals: even
    recordSize: { dist: normal, mean: 2KB, stddev: 300B }
    partitionKey: { dist: uniform, keys: 100, prefix: "u-", hotKeys: [{ key: acme, share: 5% }, { key: bolt, share: 0.123456789 }] }
    latency: { dist: lognormal, median: 20ms, sigma: 0.75 }
    retry: { preset: kpl, recordTtl: 5s }
    start: 2m
    stop: 50m
  - name: listed
    rate: { profile: steps, steps: [{ at: 0s, rate: 10/s }, { at: 10m, rate: 12.5/s }, { at: 20m, rate: 7/h }] }
    recordSize: { dist: empirical, values: [100B, 1KiB, 10KiB], weights: [5, 3, 1] }
    partitionKey: { dist: list, keys: [a, { key: b, weight: 3 }] }
    latency: { dist: uniform, min: 10ms, max: 90ms }
    retry: { maxAttempts: unlimited, jitter: decorrelated, base: 100ms, cap: 5s }
  - name: hashed
    rate: 333.3/s
    recordSize: { dist: exponential, mean: 1500B }
    partitionKey: { dist: explicitHashKeys, hashKeys: ["0", { hashKey: "85070591730234615865843651857942052864", weight: 2 }], keyLength: 4 }
    latency: 40ms
    retry: none
    maxInFlight: 4
  - name: random-keys
    rate: 0.7/s
    partitionKey: { dist: random, keyLength: 12 }
    retry: { preset: none, maxAttempts: 2 }
variants:
  - { name: more-shards, set: { stream.shards: 16 } }
  - { name: kpl-retry, set: { "producers[0].retry": { preset: kpl } } }
slo:
  writeThrottledFraction: "< 0.1%"
  recordsLostFraction: "<= 0"
  putLatencyP50: "< 150ms"
  putLatencyP99: "<= 2.5s"
`),
    );
  });

  it("leaves out the placeholder stream of a scenario that declares none", () => {
    const s = scenarioOf(
      "name: t\nduration: 1m\nproducers: [{ name: p, target: d, rate: 10/s }]\nfirehose: [{ name: d }]\n",
    );
    expect(s.streamDeclared).toBe(false);
    expect(parseYaml(rendered(s))).not.toHaveProperty("stream");
    expectRoundTrip(s);
  });

  it("writes quantities as people write them", () => {
    const s = scenarioOf(
      "name: t\nduration: 90m\nstream: { shards: 2 }\nproducers: [{ name: p, rate: 100/min }]\n" +
        "consumers: [{ name: f, type: lambda, duration: { base: 40ms, perRecord: 1ms, p99: 3x }, errorRate: 7% }]\n",
    );
    const yaml = parseYaml(rendered(s));
    expect(yaml.duration).toBe("90m");
    expect(yaml.resolution).toBe("auto (10ms)");
    expect(yaml.stream.retention).toBe("24h");
    expect(yaml.stream.writeBytesPerSecond).toBe("1MiB/s");
    expect(yaml.stream.onDemand.splitThreshold).toBe("500KB/s");
    expect(yaml.producers[0].rate).toBe("100/min");
    expect(yaml.producers[0].retry).toEqual({ preset: "sdk-v3-standard" });
    expect(yaml.producers[0].latency).toEqual({ dist: "lognormal", median: "35ms", p99: "200ms" });
    expect(yaml.consumers[0].duration).toEqual({ base: "40ms", perRecord: "1ms", p99: "3x" });
    expect(yaml.consumers[0].errorRate).toBe("7%");
  });

  it("shows a replayed trace as a summary: its file was read before the run", () => {
    const s = loadScenario(
      "name: t\nduration: 1m\nstream: { shards: 1 }\nproducers: [{ name: p, rate: { profile: trace, file: t.csv, interval: 1m } }]\n",
      { file: "t.yaml", readFile: () => "t,n\n0,600\n60,1200\n" },
    ).scenario;
    expect(parseYaml(rendered(s)).producers[0].rate).toEqual({
      profile: "trace (replayed)",
      interval: "1m",
      rows: 2,
      peak: "20/s",
      loop: false,
    });
  });
});
