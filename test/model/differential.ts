// The differential law: over generated scenarios with several shards, every consumer kind and the
// settings that change routing or parallelism (Lambda's parallelizationFactor, KCL workers,
// enhanced fan-out, polling readers, a delivery stream reading the stream, a split mid-run), and
// producers whose batches fill faster than, near and slower than the 10 ms tick, record and cohort
// resolution agree on what a user reads: throughput, first-attempt throttling, loss, put latency,
// how far consumers fall behind and the end-to-end latency of what consumers process and delivery
// streams deliver — within the tolerances below. The traffic stays off the knife edge
// of a shard's limit (under 75% or over 125% of it), where retries feeding back make small
// differences grow (README, Resolutions), and off that of the clients' own capacity (single-record
// clients at most half busy), where a queue's growth rests on a small difference of rates.

import fc from "fast-check";
import { expect } from "vitest";
import type { RunSummary } from "../../src/metrics/summary.js";
import { simulate } from "../../src/simulate.js";
import { scenarioOf } from "../laws.js";

/** What the two resolutions must agree on, and how closely. */
export const TOLERANCE = {
  /** Accepted, dropped and processed records as fractions of those produced: absolute. */
  fraction: 0.03,
  /** First-attempt throttle fraction: absolute; over the limit, where a run's value moves by a few
   *  points from seed to seed with few clients, more. */
  throttled: 0.03,
  throttledOverloaded: 0.05,
  /** Put latency p50 (under the limit only: over it, producers fall behind for the whole run and a
   *  percentile of their latency measures a backlog that grows until the run ends): relative, plus
   *  an absolute floor for latencies of a few ms. */
  latencyRelative: 0.2,
  latencyAbsoluteMs: 5,
  /** A consumer's largest iterator age: relative, plus a floor (one poll and a batch or two). */
  lagRelative: 0.35,
  lagAbsoluteMs: 3000,
};

export const generatedScenario = fc.record({
  shards: fc.integer({ min: 2, max: 6 }),
  // Offered load as a share of the stream's records limit: light, or clearly over.
  load: fc.oneof(
    fc.double({ min: 0.15, max: 0.75, noNaN: true }),
    fc.double({ min: 1.25, max: 1.8, noNaN: true }),
  ),
  instances: fc.constantFrom(1, 2, 5, 16, 40),
  // Or a fleet of sparse clients — 2,000 devices, each with a record or two per 1 s linger time —
  // whose batches cohort resolution models client by client in aggregate (SDK clients only).
  sparse: fc.boolean(),
  arrivals: fc.constantFrom("poisson", "even"),
  // Batches that fill in far less than a tick, about one, or many.
  batch: fc.constantFrom(
    "{ maxRecords: 20, linger: 100ms }",
    "{ maxRecords: 100, linger: 20ms }",
    "{ maxRecords: 500, linger: 5ms }",
    "{ maxRecords: 500, linger: 100ms }",
  ),
  api: fc.constantFrom("PutRecords", "PutRecords", "PutRecord"),
  keys: fc.constantFrom(
    "{ dist: random }",
    "{ dist: uniform, keys: 2000 }",
    "{ dist: zipf, keys: 5000, exponent: 0.8 }",
  ),
  consumer: fc.oneof(
    fc.constant(""),
    fc.constant("{ name: c, type: polling, pollInterval: 200ms }"),
    fc.constant("{ name: c, type: efo }"),
    fc.integer({ min: 1, max: 3 }).map((w) => `{ name: c, type: kcl, workers: ${w}, retrieval: polling }`),
    fc
      .record({
        pf: fc.integer({ min: 1, max: 4 }),
        batch: fc.constantFrom(10, 50, 200),
        perRecordMs: fc.constantFrom(0.2, 1, 3),
      })
      .map(
        (l) =>
          `{ name: c, type: lambda, batchSize: ${l.batch}, parallelizationFactor: ${l.pf}, duration: { base: 20ms, perRecord: ${l.perRecordMs}ms } }`,
      ),
  ),
  firehose: fc.boolean(),
  split: fc.boolean(),
  // Jittered backoff, as SDKs retry; a constant resend delay holding a client's slot makes clients
  // march in step, and small differences in phase then decide who gets a second's capacity.
  retry: fc.constantFrom(
    "{ preset: sdk-v3-standard }",
    "{ base: 100ms, cap: 5s, maxAttempts: 11, jitter: full }",
  ),
  // The KPL now and then: aggregating, or collecting only (retries rejoin its buffers either way).
  client: fc.constantFrom("sdk", "sdk", "sdk", "kpl", "kpl-no-aggregation"),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

export type Generated = typeof generatedScenario extends fc.Arbitrary<infer T> ? T : never;

/** The scenario text of a generated case (90 s; a split of shard 0 at 40 s when asked). */
export function differentialText(g: Generated, resolution: string): string {
  const rate = Math.round(g.load * g.shards * 1000);
  // One record per call keeps a client's slot for a request's latency (about 50 ms on average):
  // enough clients that they are at most half busy, off the knife edge of their own capacity.
  const sparse = g.sparse && g.client === "sdk" && g.api === "PutRecords";
  const instances = sparse
    ? 2000
    : g.client === "sdk" && g.api === "PutRecord"
      ? Math.max(g.instances, Math.ceil((rate * 0.05) / 0.5))
      : g.instances;
  const batch = sparse ? "{ maxRecords: 50, linger: 1s }" : g.batch;
  return `name: differential
seed: ${g.seed}
duration: 90s
resolution: ${resolution}
stream: { shards: ${g.shards} }
producers:
  - name: p
    instances: ${instances}
    rate: ${rate}/s
    arrivals: ${g.arrivals}
    recordSize: 200B
    partitionKey: ${g.keys}
${client(g, batch)}
${g.consumer ? `consumers:\n  - ${g.consumer}\n` : ""}${g.firehose ? "firehose:\n  - { name: f, source: { stream: stream }, destination: { type: s3 }, buffering: { size: 1MiB, interval: 60s } }\n" : ""}${g.split ? "events:\n  - { at: 40s, action: SplitShard, shard: 0, newStartingHashKey: middle }\n" : ""}`;
}

/** The client's lines of the producer: the SDK loop's settings, or the KPL's. */
function client(g: Generated, batch: string): string {
  if (g.client === "kpl") return "    client: kpl";
  if (g.client === "kpl-no-aggregation") return "    client: kpl\n    kpl: { aggregationEnabled: false }";
  return `    api: ${g.api}${g.api === "PutRecords" ? `\n    batch: ${batch}` : ""}\n    retry: ${g.retry}`;
}

/** The numbers a user reads from a run. */
function readings(s: RunSummary) {
  const produced = Math.max(1, s.ledger.produced);
  return {
    accepted: s.ledger.accepted / produced,
    dropped: s.ledger.dropped / produced,
    throttled: s.throttle.firstAttemptFraction,
    putP50: s.putLatencyMs.p50,
    consumers: s.consumers.map((c) => ({
      name: c.name,
      processed: c.processed / produced,
      lagMs: Math.max(c.iteratorAgeMaxMs, c.millisBehindLatestMaxMs),
      endToEnd: [c.endToEndLatencyMs.p50, c.endToEndLatencyMs.p99],
    })),
    // What a delivery stream took in (when its buffers flush before the run ends is a coin toss).
    firehose: s.firehose.map((f) => ({
      name: f.name,
      ingested: f.incomingRecords / produced,
      endToEnd: [f.endToEndLatencyMs.p50, f.endToEndLatencyMs.p99],
    })),
  };
}

/** Runs a case at record resolution and at a cohort tick (10 ms unless given) and checks that they
 *  agree; the message names what differed. */
export function expectResolutionsAgree(g: Generated, tick = "10ms"): void {
  // Only the summaries are read: the runs discard their rows.
  const record = readings(simulate(scenarioOf(differentialText(g, "record"))).summary);
  const cohort = readings(simulate(scenarioOf(differentialText(g, tick))).summary);
  const t = TOLERANCE;
  const within = (what: string, a: number, b: number, tol: number) =>
    expect(Math.abs(a - b), `${what}: record ${a} vs ${tick} ${b}`).toBeLessThanOrEqual(tol);
  // End-to-end latency (creation to processed or delivered), p50 and p99, as put latency is held.
  const endToEndWithin = (name: string, a: number[], b: number[]) => {
    for (const [k, p] of ["p50", "p99"].entries())
      within(`${name} end-to-end ${p} (ms)`, a[k]!, b[k]!, t.latencyAbsoluteMs + t.latencyRelative * a[k]!);
  };
  within("accepted fraction", record.accepted, cohort.accepted, t.fraction);
  within("dropped fraction", record.dropped, cohort.dropped, t.fraction);
  const overloaded = g.load > 1;
  within(
    "first-attempt throttled",
    record.throttled,
    cohort.throttled,
    overloaded ? t.throttledOverloaded : t.throttled,
  );
  if (!overloaded)
    within(
      "put p50 (ms)",
      record.putP50,
      cohort.putP50,
      t.latencyAbsoluteMs + t.latencyRelative * record.putP50,
    );
  record.consumers.forEach((c, i) => {
    const o = cohort.consumers[i]!;
    within(`${c.name} processed fraction`, c.processed, o.processed, t.fraction);
    within(
      `${c.name} largest lag (ms)`,
      c.lagMs,
      o.lagMs,
      t.lagAbsoluteMs + t.lagRelative * Math.max(c.lagMs, o.lagMs),
    );
    if (!overloaded) endToEndWithin(c.name, c.endToEnd, o.endToEnd);
  });
  record.firehose.forEach((f, i) => {
    within(`${f.name} ingested fraction`, f.ingested, cohort.firehose[i]!.ingested, t.fraction);
    if (!overloaded) endToEndWithin(f.name, f.endToEnd, cohort.firehose[i]!.endToEnd);
  });
}
