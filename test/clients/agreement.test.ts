// kinesim's model of an SDK client (the sdk-v3-standard retry preset) against the real
// @aws-sdk/client-kinesis in standard retry mode, on the same traffic (same seed: the same records,
// keys and creation times) and the same stream. The client under test is the modelled fleet's
// loop written with the real SDK: `instances` clients, each sending PutRecord calls one at a time
// in creation order; the SDK retries throttled calls with its own strategy (3 attempts, backoff,
// retry quota), and a record whose call still fails is dropped.

import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { describe, expect, it } from "vitest";
import type { TrafficRecord } from "../../src/clients/client-producer.js";
import { type ProducerFunction, simulateWithClients } from "../../src/clients/run-clients.js";
import type { RunSummary } from "../../src/metrics/summary.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";

/** The modelled fleet's loop with the real SDK: per instance, one PutRecord in flight, in order. */
const putRecordFleet =
  (retryMode: "standard" | "adaptive"): ProducerFunction =>
  async ({ clientConfig, streamName, traffic }) => {
    const queues: TrafficRecord[][] = Array.from({ length: traffic.instances }, () => []);
    const wake: (() => void)[] = [];
    const loop = async (i: number) => {
      const client = new KinesisClient({ ...clientConfig, retryMode });
      for (;;) {
        const record = queues[i]!.shift();
        if (!record) {
          if (traffic.ended) return;
          await new Promise<void>((resolve) => {
            wake[i] = resolve;
          });
          continue;
        }
        try {
          await client.send(new PutRecordCommand({ StreamName: streamName, ...record }));
        } catch {
          traffic.drop(record);
        }
      }
    };
    const loops = queues.map((_, i) => loop(i));
    for (;;) {
      const record = await traffic.next();
      if (!record) break;
      const i = traffic.instanceOf(record);
      queues[i]!.push(record);
      wake[i]?.();
    }
    for (const w of wake) w?.();
    await Promise.all(loops);
  };

interface Row {
  firstAttemptThrottled: number;
  retriesPerRecord: number;
  dropped: number;
  p50Ms: number;
  p99Ms: number;
}

function rowOf(s: RunSummary): Row {
  const p = s.producers[0]!;
  return {
    firstAttemptThrottled: p.firstAttemptThrottledFraction,
    retriesPerRecord: p.retried / p.produced,
    dropped: p.dropped / p.produced,
    p50Ms: p.putLatencyMs.p50,
    p99Ms: p.putLatencyMs.p99,
  };
}

async function compare(yaml: string) {
  const { scenario } = loadScenario(yaml, { file: "agreement.yaml" });
  const model = rowOf(simulate(scenario).summary);
  const real = await simulateWithClients(scenario, {
    clients: [{ role: "producer", run: putRecordFleet("standard") }],
  });
  return { model, sdk: rowOf(real.summary) };
}

/** Over capacity: 150 records/s offered to one shard of 100 records/s (limits scaled down 10×
 *  so that a minute of single-record calls stays quick; the ratios are over-capacity.yaml's). */
const OVER = `name: over
seed: 3
duration: 1m
resolution: record
stream: { name: orders, shards: 1, writeRecordsPerSecond: 100/s }
producers:
  - name: checkout
    instances: 20
    api: PutRecord
    rate: 150/s
    recordSize: 1KiB
    partitionKey: { dist: random }
`;

/** Quickstart-like: under capacity on average, zipf-distributed keys, a busier shard that throttles at times. */
const QUICKSTART = `name: quick
seed: 42
duration: 1m
resolution: record
stream: { name: clicks, shards: 2, writeRecordsPerSecond: 100/s }
producers:
  - name: web
    instances: 20
    api: PutRecord
    rate: { profile: diurnal, mean: 170/s, peak: 200/s, period: 1m, peakAt: 30s }
    recordSize: { dist: lognormal, median: 600B, p99: 2KiB }
    partitionKey: { dist: zipf, keys: 2000, exponent: 0.75, prefix: "user-" }
`;

/** How far the model may be from the real SDK: absolute for fractions, relative for latency. */
const TOLERANCE = {
  firstAttemptThrottled: 0.02,
  retriesPerRecord: 0.03,
  dropped: 0.01,
  p50: 0.15,
  p99: 0.3,
};

function expectAgreement(name: string, model: Row, sdk: Row): void {
  const fmt = (x: number) => (x * 100).toFixed(2) + "%";
  console.log(
    `| ${name} | first-attempt throttled | ${fmt(model.firstAttemptThrottled)} | ${fmt(sdk.firstAttemptThrottled)} |\n` +
      `| ${name} | retries per record | ${model.retriesPerRecord.toFixed(3)} | ${sdk.retriesPerRecord.toFixed(3)} |\n` +
      `| ${name} | dropped after the last attempt | ${fmt(model.dropped)} | ${fmt(sdk.dropped)} |\n` +
      `| ${name} | latency p50 | ${Math.round(model.p50Ms)} ms | ${Math.round(sdk.p50Ms)} ms |\n` +
      `| ${name} | latency p99 | ${Math.round(model.p99Ms)} ms | ${Math.round(sdk.p99Ms)} ms |`,
  );
  expect(Math.abs(model.firstAttemptThrottled - sdk.firstAttemptThrottled)).toBeLessThanOrEqual(
    TOLERANCE.firstAttemptThrottled,
  );
  expect(Math.abs(model.retriesPerRecord - sdk.retriesPerRecord)).toBeLessThanOrEqual(
    TOLERANCE.retriesPerRecord,
  );
  expect(Math.abs(model.dropped - sdk.dropped)).toBeLessThanOrEqual(TOLERANCE.dropped);
  expect(Math.abs(model.p50Ms - sdk.p50Ms)).toBeLessThanOrEqual(TOLERANCE.p50 * sdk.p50Ms);
  expect(Math.abs(model.p99Ms - sdk.p99Ms)).toBeLessThanOrEqual(TOLERANCE.p99 * sdk.p99Ms);
}

describe("sdk-v3-standard against the real SDK (standard mode), same traffic", () => {
  it.each([
    ["over capacity", OVER],
    ["quickstart-like", QUICKSTART],
  ])(
    "%s: within the stated tolerances",
    async (name, yaml) => {
      const { model, sdk } = await compare(yaml);
      expectAgreement(name, model, sdk);
      // Not a vacuous comparison: the traffic throttles, and the SDK retried.
      expect(sdk.firstAttemptThrottled).toBeGreaterThan(0.005);
      expect(sdk.retriesPerRecord).toBeGreaterThan(0.005);
    },
    120_000,
  );
});
