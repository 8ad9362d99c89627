// Validation of consumers against queueing closed forms. A consumer that serves R records/s fed
// at λ > R is a queue that never empties: its backlog grows at λ − R records/s, and the record it
// serves at time t arrived at about R·t/λ, so its iterator age grows at 1 − R/λ seconds per second.
// A steady, unthrottled pipeline obeys Little's law, L = λ·W (Little 1961): the time-average
// number of records in the system equals the arrival rate times the mean time one spends there.

import { describe, expect, it } from "vitest";
import { runInMemory, scenarioOf } from "../laws.js";
import { between, column, mean, note, slope } from "./stats.js";

/** Fitted growth per second of the backlog and of the iterator age (seconds per second). */
function growth(rows: ReturnType<typeof between>) {
  const unread = slope(column(rows, "Time"), column(rows, "UnreadRecords"));
  // IteratorAgeMilliseconds is a maximum over the interval's batches: 0 in seconds without one.
  const aged = rows.filter((r) => Number(r["IteratorAgeMilliseconds"]) > 0);
  const age = slope(column(aged, "Time"), column(aged, "IteratorAgeMilliseconds")) / 1000;
  return { unread, age };
}

describe("a backlog grows at the offered rate minus the service rate", () => {
  it("a Lambda mapping of 100-record batches at 20 ms per record serves 50 records/s", () => {
    // Source: LAM-DG-2023 with-kinesis.md (one batch per shard at a time with parallelization
    // factor 1; the mapping polls again at once while records are waiting). A batch of 100 takes
    // 100 × 20 ms = 2 s, so R = 50 records/s; λ ≈ 80 records/s. Tolerance: slopes fitted over
    // seconds 30–300 within 3% of λ − R and 1 − R/λ, with λ measured over the same seconds
    // (Poisson arrivals; the backlog saws by one batch, 100 records, around a trend of 8,000).
    const run = runInMemory(
      scenarioOf(`
name: validation-lambda-backlog
seed: 5
duration: 5m
resolution: record
stream: { shards: 1 }
producers:
  - { name: p, instances: 2, rate: 80/s, arrivals: poisson, recordSize: 1KiB, partitionKey: { dist: uniform, keys: 500 } }
consumers:
  - { name: fn, type: lambda, batchSize: 100, duration: { perRecord: 20ms } }
`),
    );
    const R = 100 / 2;
    const lambda = mean(column(between(run.sink.records("timeseries"), 30), "IncomingRecords"));
    const g = growth(between(run.sink.records("consumer-fn"), 30));
    note("Lambda backlog slope (records/s)", g.unread, lambda - R);
    note("Lambda iterator-age slope (s/s)", g.age, 1 - R / lambda);
    expect(g.unread / (lambda - R)).toBeGreaterThan(0.97);
    expect(g.unread / (lambda - R)).toBeLessThan(1.03);
    expect(g.age / (1 - R / lambda)).toBeGreaterThan(0.97);
    expect(g.age / (1 - R / lambda)).toBeLessThan(1.03);
    // The service rate itself: one invocation every 2 s.
    const c = run.summary.consumers[0]!;
    expect(c.processed / 300 / R).toBeGreaterThan(0.97);
    expect(c.processed / 300 / R).toBeLessThanOrEqual(1);
  });

  it("a polling reader taking 200 records per call at 10 ms each serves 200 / 2.05 s", () => {
    // One GetRecords call (constant 50 ms latency here) returns maxRecords = 200, processed in
    // 200 × 10 ms = 2 s, and the reader calls again at once (pollInterval 0): R = 200 / 2.05 ≈
    // 97.6 records/s against λ ≈ 130. Once behind, that is one call every 2.05 s, far under 5
    // calls/s and 2 MiB/s, so no read is throttled (only in the first second, while the reader
    // finds nothing and calls again at once). Tolerance as above: 3% on both slopes over seconds
    // 30–300.
    const run = runInMemory(
      scenarioOf(`
name: validation-polling-backlog
seed: 5
duration: 5m
resolution: record
stream: { shards: 1, getRecordsLatency: 50ms }
producers:
  - { name: p, instances: 2, rate: 130/s, arrivals: poisson, recordSize: 1KiB }
consumers:
  - { name: reader, type: polling, pollInterval: 0s, maxRecords: 200, processing: { perRecord: 10ms } }
`),
    );
    const R = 200 / 2.05;
    const lambda = mean(column(between(run.sink.records("timeseries"), 30), "IncomingRecords"));
    const g = growth(between(run.sink.records("consumer-reader"), 30));
    note("polling backlog slope (records/s)", g.unread, lambda - R);
    note("polling iterator-age slope (s/s)", g.age, 1 - R / lambda);
    expect(g.unread / (lambda - R)).toBeGreaterThan(0.97);
    expect(g.unread / (lambda - R)).toBeLessThan(1.03);
    expect(g.age / (1 - R / lambda)).toBeGreaterThan(0.97);
    expect(g.age / (1 - R / lambda)).toBeLessThan(1.03);
    const rows = between(run.sink.records("consumer-reader"), 1);
    expect(Math.max(...column(rows, "ReadProvisionedThroughputExceeded"))).toBe(0);
  });
});

describe("Little's law on a steady stream", () => {
  it("records between creation and processing average arrival rate × mean end-to-end latency", () => {
    // The system is everything from a record's creation to its processing by one consumer:
    // producer buffers and requests, the shard, and the consumer. Two shards take 600 records/s
    // (30% of their limit: never throttled), read by a polling consumer (1 s poll interval) and an
    // enhanced fan-out consumer, each its own system. L(t) = records produced − records processed
    // by that consumer, read every 100 ms from the interval counts; λ = processed / run length;
    // W = the consumer's mean creation-to-processed latency (summary, exact sum, not a histogram
    // bucket). Tolerance 2%: the records still inside at the end add about W / (2·T) ≈ 0.4% to L
    // against λ·W (T = 120 s, W ≤ 1 s); sampling a sawtooth every 100 ms is unbiased on average
    // (the rises between samples and the drops at processing cancel) and its noise is under 1%.
    const T = 120;
    const run = runInMemory(
      scenarioOf(`
name: validation-little
seed: 11
duration: ${T}s
resolution: record
metricsInterval: 100ms
stream: { shards: 2 }
producers:
  - { name: p, instances: 4, rate: 600/s, arrivals: poisson, recordSize: 500B }
consumers:
  - { name: poller, type: polling, pollInterval: 1s, processing: { base: 20ms, perRecord: 0.5ms } }
  - { name: pushed, type: efo, processing: { base: 5ms, perRecord: 0.2ms } }
`),
    );
    expect(run.summary.producers[0]!.firstAttemptThrottledFraction).toBe(0);
    const produced = column(run.sink.records("timeseries"), "ProducedRecords");
    const dt = 0.1;
    for (const c of run.summary.consumers) {
      const processed = column(run.sink.records(`consumer-${c.name}`), "ProcessedRecords");
      let inSystem = 0;
      let area = 0;
      for (let i = 0; i < produced.length; i++) {
        inSystem += produced[i]! - processed[i]!;
        area += inSystem * dt;
      }
      const L = area / T;
      const lambda = c.processed / T;
      const W = c.endToEndLatencyMs.mean / 1000;
      note(`${c.name}: L (records in system)`, L, lambda * W);
      expect(L / (lambda * W), c.name).toBeGreaterThan(0.98);
      expect(L / (lambda * W), c.name).toBeLessThan(1.02);
      expect(c.readThrottledCalls, c.name).toBe(0);
    }
  });
});
