// Record resolution keeps a producer's records as rows of columns (src/model/record-columns.ts)
// unless a record must be an object of its own (per-key ordering, the SDK's retry quota). The
// columns are a representation, not a model: a run must be the same, byte for byte, with every
// record an object (the test hook `recordsAsObjects`). Checked over generated producers — batch
// limits by records and bytes, linger times, in-flight slots, oversize records, retries that give
// up by attempts or age, keys named, random and hot, key affinity, PutRecord calls, a delivery
// stream's direct PUT, readers that keep what is written, a split mid-run, and each kind of shard
// limiter (a stream nobody reads takes a request's part on a shard whole where every record fits)
// — on every table a run writes and its summary. The same again with the records' draws made
// from the producer's plan alone, in chunks, as a thread of their own makes them.

import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { MemorySink } from "../../src/metrics/sink.js";
import { Producer } from "../../src/model/producer.js";
import { type DrawPlan, InlineDraws, RecordDraws } from "../../src/model/record-draws.js";
import { Stream } from "../../src/model/stream.js";
import { simulate } from "../../src/simulate.js";
import { scenarioOf } from "../laws.js";
import { propertySeed, runs } from "../support/property.js";

const generated = fc.record({
  shards: fc.integer({ min: 1, max: 5 }),
  /** Offered records as a share of the stream's records limit. */
  load: fc.double({ min: 0.2, max: 2.5, noNaN: true }),
  instances: fc.constantFrom(1, 3, 12),
  arrivals: fc.constantFrom("poisson", "even"),
  api: fc.constantFrom("PutRecords", "PutRecords", "PutRecord"),
  batch: fc.record({
    maxRecords: fc.constantFrom(1, 7, 100, 500),
    maxBytes: fc.constantFrom("4MiB", "20KiB"),
    linger: fc.constantFrom("0ms", "5ms", "100ms"),
  }),
  maxInFlight: fc.constantFrom(1, 4, 64),
  recordSize: fc.constantFrom(
    "200B",
    "{ dist: lognormal, median: 600B, p99: 4KiB }",
    "{ dist: lognormal, median: 300KiB, p99: 2MiB }",
  ),
  keys: fc.constantFrom(
    "{ dist: random }",
    "{ dist: uniform, keys: 50 }",
    "{ dist: zipf, keys: 1000, exponent: 1.2 }",
  ),
  keyAffinity: fc.boolean(),
  retry: fc.record({
    maxAttempts: fc.integer({ min: 1, max: 8 }),
    jitter: fc.constantFrom("none", "full", "decorrelated"),
    recordTtl: fc.constantFrom("", ", recordTtl: 400ms"),
    // PutRecord calls with the SDK's retry quota keep records as objects (checked below).
    quota: fc.constantFrom(", retryQuota: none", ""),
  }),
  latency: fc.constantFrom("0ms", "{ dist: lognormal, median: 20ms, p99: 120ms }"),
  reader: fc.constantFrom(
    "",
    "{ name: c, type: polling, pollInterval: 200ms }",
    "{ name: c, type: efo }",
    // Its lanes are chosen by each key's place in the shard's hash range.
    "{ name: c, type: lambda, batchSize: 20, parallelizationFactor: 3, duration: { base: 5ms, perRecord: 1ms } }",
  ),
  split: fc.boolean(),
  direct: fc.boolean(),
  // The shards' limiters: calendar windows, token buckets, and the large records' tank.
  limiter: fc.constantFrom("", ", limiter: { policy: token-bucket, burst: 300ms }", ", maxRecordSize: 4MiB"),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never;

/** A 20 s run of one generated producer at record resolution. */
function scenarioText(g: Generated): string {
  const rate = Math.max(1, Math.round(g.load * g.shards * 1000));
  const target = g.direct ? "    target: direct\n" : "";
  return `name: columns
seed: ${g.seed}
duration: 20s
resolution: record
stream: { shards: ${g.shards}${g.limiter} }
producers:
  - name: p
    instances: ${g.instances}
${target}    rate: ${rate}/s
    arrivals: ${g.arrivals}
    recordSize: ${g.recordSize}
    partitionKey: ${g.keys}
    keyAffinity: ${g.keyAffinity}
    api: ${g.direct && g.api === "PutRecords" ? "PutRecordBatch" : g.api}
${g.api === "PutRecord" ? "" : `    batch: { maxRecords: ${g.batch.maxRecords}, maxBytes: ${g.batch.maxBytes}, linger: ${g.batch.linger} }\n`}    maxInFlight: ${g.maxInFlight}
    latency: ${g.latency}
    retry: { base: 50ms, cap: 1s, maxAttempts: ${g.retry.maxAttempts}, jitter: ${g.retry.jitter}${g.retry.recordTtl}${g.retry.quota} }
${g.reader ? `consumers:\n  - ${g.reader}\n` : ""}${g.direct ? "firehose:\n  - { name: direct, destination: { type: s3 }, buffering: { size: 1MiB, interval: 60s } }\n" : ""}${g.split ? "events:\n  - { at: 8s, action: SplitShard, shard: 0, newStartingHashKey: middle }\n" : ""}`;
}

/** A run's summary and every table it wrote, with records as columns or as objects; in columns
 *  with `fromPlan`, their draws are made from the producer's plan alone, as a thread of their own
 *  makes them (see record-draws.ts), a few records a chunk so that chunks end often. */
function runOf(text: string, recordsAsObjects: boolean, fromPlan = false) {
  const sink = new MemorySink();
  const plans: DrawPlan[] = [];
  const { summary, run } = simulate(scenarioOf(text), {
    sink,
    testHooks: { recordsAsObjects },
    ...(fromPlan
      ? {
          drawSource: (plan: DrawPlan) => {
            plans.push(structuredClone(plan));
            return new InlineDraws(RecordDraws.of(structuredClone(plan)), 7);
          },
        }
      : {}),
  });
  // Each producer in columns asked for its draws once.
  if (fromPlan)
    expect(plans.length).toBe(
      run.producers.filter((p) => p instanceof Producer && p.recordsInColumns).length,
    );
  const producer = run.producers[0];
  return {
    summary,
    tables: Object.fromEntries(sink.tables),
    columns: producer instanceof Producer && producer.recordsInColumns,
  };
}

/** Checks that a scenario runs the same with records as columns and as objects (or, where a
 *  record must be an object, that it is one either way). */
function expectSameRun(text: string, inColumns = true): void {
  const columns = runOf(text, false);
  const objects = runOf(text, true);
  // The hook did switch the representation: the comparison is not of a run with itself.
  expect(columns.columns).toBe(inColumns);
  expect(objects.columns).toBe(false);
  expect(columns.summary).toEqual(objects.summary);
  expect(columns.tables).toEqual(objects.tables);
  // Draws made from the plan alone (a fresh stream, in chunks of 7) are the producer's own.
  const planned = runOf(text, false, true);
  expect(planned.summary).toEqual(objects.summary);
  expect(planned.tables).toEqual(objects.tables);
}

describe("records as columns at record resolution", () => {
  it("give the same run as records as objects, on generated producers", () => {
    fc.assert(
      fc.property(generated, (g) => {
        expectSameRun(scenarioText(g), g.api === "PutRecords" || g.retry.quota !== "");
      }),
      { seed: propertySeed("record-columns"), numRuns: runs(12, 400), endOnFailure: true },
    );
  }, 600_000);

  it("give the same run where retries give up by attempts and by age, across a split, with readers", () => {
    const text = `name: columns-retries
seed: 7
duration: 20s
resolution: record
stream: { shards: 2 }
producers:
  - name: p
    instances: 5
    rate: 5000/s
    recordSize: { dist: lognormal, median: 600B, p99: 4KiB }
    partitionKey: { dist: zipf, keys: 200, exponent: 1.1 }
    batch: { maxRecords: 200, linger: 20ms }
    retry: { base: 100ms, cap: 2s, maxAttempts: 4, jitter: decorrelated, recordTtl: 700ms }
consumers:
  - { name: c, type: polling, pollInterval: 200ms }
  - { name: f, type: lambda, batchSize: 20, parallelizationFactor: 3, duration: { base: 5ms, perRecord: 1ms } }
events:
  - { at: 6s, action: SplitShard, shard: 1, newStartingHashKey: middle }
`;
    const run = runOf(text, false);
    // The run reaches every branch it is meant to check: throttled records retried, some dropped.
    expect(run.summary.ledger.dropped).toBeGreaterThan(0);
    expect(run.summary.throttle.firstAttemptFraction).toBeGreaterThan(0.1);
    expectSameRun(text);
  }, 60_000);

  it("take a request's part on a shard nobody reads whole where it fits, under each kind of limiter, and give the same run", () => {
    const small = "{ dist: lognormal, median: 600B, p99: 4KiB }";
    const kilobytes = "{ dist: lognormal, median: 2KiB, p99: 6KiB }";
    const bucket = ", limiter: { policy: token-bucket, burst: 300ms }";
    const cases = [
      // Records bind, then bytes bind (about 1.2 times the shards' limit either way).
      { limiter: "", rate: "5000/s", size: small },
      { limiter: "", rate: "2000/s", size: kilobytes },
      { limiter: bucket, rate: "5000/s", size: small },
      { limiter: bucket, rate: "2000/s", size: kilobytes },
      // Large records: the shards' byte tank binds.
      {
        limiter: ", maxRecordSize: 4MiB",
        rate: "20/s",
        size: "{ dist: lognormal, median: 300KiB, p99: 2MiB }",
      },
    ];
    for (const c of cases) {
      const text = `name: whole-parts
seed: 11
duration: 20s
resolution: record
stream: { shards: 4${c.limiter} }
producers:
  - name: p
    instances: 3
    rate: ${c.rate}
    recordSize: ${c.size}
    partitionKey: { dist: uniform, keys: 200 }
    batch: { maxRecords: 100, linger: 50ms }
    retry: { base: 50ms, cap: 1s, maxAttempts: 4, jitter: full }
`;
      // The run takes parts whole and is refused some: both ways are compared below.
      const spy = vi.spyOn(Stream.prototype, "writeWhole");
      try {
        runOf(text, false);
        const answers = spy.mock.results.map((r) => r.value as boolean);
        expect(answers.filter((a) => a).length).toBeGreaterThan(50);
        expect(answers.filter((a) => !a).length).toBeGreaterThan(0);
      } finally {
        spy.mockRestore();
      }
      expectSameRun(text);
    }
  }, 60_000);

  it("take their draws from the producer's plan alone, number for number, whatever the producer draws", () => {
    // Two producers on one stream, one over a window of the run on a diurnal rate; records over
    // the 1 MiB limit (rejected before an instance is drawn for them), sizes clamped at 0,
    // random keys (a position each), and instances drawn per record or by key.
    const text = `name: planned-draws
seed: 5
duration: 20s
resolution: record
stream: { shards: 3 }
producers:
  - name: big
    instances: 3
    rate: 40/s
    recordSize: { dist: lognormal, median: 400KiB, p99: 3MiB }
    partitionKey: { dist: random }
    batch: { maxRecords: 10, linger: 50ms }
  - name: small
    instances: 4
    start: 3s
    stop: 15s
    rate: { profile: diurnal, mean: 800/s, peak: 1200/s, period: 10s, peakAt: 4s }
    recordSize: { dist: normal, mean: 100B, stddev: 300B }
    partitionKey: { dist: zipf, keys: 300, exponent: 1.1 }
    keyAffinity: true
    batch: { maxRecords: 50, linger: 20ms }
`;
    const run = runOf(text, false);
    expect(run.summary.records.rejected).toBeGreaterThan(0);
    expectSameRun(text);
  }, 60_000);

  it("are not used where a record must be an object: per-key ordering and the SDK's retry quota", () => {
    const base = `name: objects
duration: 5s
resolution: record
stream: { shards: 1 }
producers:
  - name: p
    rate: 500/s
    partitionKey: { dist: uniform, keys: 20 }
`;
    expect(runOf(`${base}    ordering: per-key\n`, false).columns).toBe(false);
    expect(runOf(`${base}    api: PutRecord\n    retry: { preset: sdk-v3-standard }\n`, false).columns).toBe(
      false,
    );
    expect(runOf(base, false).columns).toBe(true);
    // Cohort resolution never uses them.
    expect(runOf(base.replace("resolution: record", "resolution: 10ms"), false).columns).toBe(false);
  });
});
