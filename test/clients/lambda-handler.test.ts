// A user's Lambda handler inside the simulated event source mapping: it receives real Kinesis
// event payloads, its awaits take virtual time, and what it reports (batchItemFailures, a throw)
// drives the mapping's retries and on-failure destination like the modelled function's errors.

import { describe, expect, it } from "vitest";
import { type KinesisEventRecord, simulateWithClients } from "../../src/clients/run-clients.js";
import { EPOCH_MS } from "../../src/model/describe.js";
import { loadScenario } from "../../src/scenario/load.js";

const SCENARIO = `name: lambda-client
seed: 5
duration: 20s
stream: { name: payments, shards: 2 }
producers:
  - name: api
    rate: 100/s
    recordSize: 200B
    partitionKey: { dist: uniform, keys: 20, prefix: "account-" }
consumers:
  - name: ledger
    type: lambda
    batchSize: 50
    duration: { base: 40ms, perRecord: 1ms }
    functionResponseTypes: [ReportBatchItemFailures]
    maximumRetryAttempts: 1
    onFailure: sqs
`;

describe("a Lambda handler run by the simulated mapping", () => {
  it("gets real events in virtual time, and its reported failures go to the destination", async () => {
    const { scenario } = loadScenario(SCENARIO, { file: "lambda.yaml" });
    const seen: { records: KinesisEventRecord[]; startedMs: number; tookMs: number; remaining: number }[] =
      [];
    const result = await simulateWithClients(scenario, {
      clients: [
        {
          role: "lambda",
          handler: async (event, context) => {
            const startedMs = Date.now();
            const remaining = context.getRemainingTimeInMillis();
            await new Promise((r) => setTimeout(r, 25)); // a downstream call, in virtual time
            seen.push({ records: event.Records, startedMs, tookMs: Date.now() - startedMs, remaining });
            const failures = event.Records.filter((r) => r.kinesis.partitionKey === "account-7").map((r) => ({
              itemIdentifier: r.kinesis.sequenceNumber,
            }));
            return { batchItemFailures: failures };
          },
        },
      ],
    });
    const report = result.clients[0]!;
    expect(report.error).toBeUndefined();
    expect(report.invocations).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(20);
    const first = seen[0]!;
    expect(first.records[0]).toMatchObject({
      eventSource: "aws:kinesis",
      eventName: "aws:kinesis:record",
      eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/payments",
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: expect.stringMatching(/^account-\d+$/) },
    });
    // The data is the simulated producer's record, as base64 JSON.
    expect(JSON.parse(Buffer.from(first.records[0]!.kinesis.data, "base64").toString())).toHaveProperty(
      "kinesim",
    );
    // Virtual time: the clock reads the run's time, and the 25 ms await took 25 virtual ms.
    expect(first.startedMs).toBeGreaterThanOrEqual(EPOCH_MS);
    expect(first.startedMs).toBeLessThan(EPOCH_MS + 20_000);
    for (const s of seen) expect(s.tookMs).toBe(25);
    expect(first.remaining).toBeGreaterThan(2_900);
    // Batches never exceed batchSize, and sequence numbers rise within a shard's batch.
    for (const s of seen) expect(s.records.length).toBeLessThanOrEqual(50);
    // account-7's records failed, were retried once, then sent to the on-failure destination.
    const consumer = result.summary.consumers.find((c) => c.name === "ledger")!;
    expect(report.failedInvocations).toBeGreaterThan(0);
    expect(consumer.toDestination).toBeGreaterThan(0);
    expect(consumer.processed).toBeGreaterThan(500);
    expect(consumer.lambda?.invocations).toBe(seen.length);
    // Each invocation lasted the modelled compute plus the handler's 25 ms.
    expect(consumer.lambda!.durationMs.p50).toBeGreaterThanOrEqual(40 + 1 + 25);
    expect(result.summary.ledger.balanced).toBe(true);
  }, 60_000);

  it("a handler that throws fails its batch, which the mapping retries", async () => {
    const { scenario } = loadScenario(
      SCENARIO.replace("maximumRetryAttempts: 1", "maximumRetryAttempts: 2"),
      {
        file: "lambda.yaml",
      },
    );
    let calls = 0;
    const result = await simulateWithClients(scenario, {
      clients: [
        {
          role: "lambda",
          handler: () => {
            calls++;
            if (calls <= 3) throw new Error("downstream is down");
            return undefined;
          },
        },
      ],
    });
    const report = result.clients[0]!;
    expect(report.failedInvocations).toBe(3);
    expect(report.error).toMatch(/downstream is down/);
    const consumer = result.summary.consumers.find((c) => c.name === "ledger")!;
    expect(consumer.lambda?.errors).toBe(3);
    expect(consumer.lambda?.invocations).toBe(calls);
    expect(consumer.toDestination).toBe(0);
  }, 60_000);
});
