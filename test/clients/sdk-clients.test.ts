// Client functions with the real SDK in one virtual-time run: the SDK's own retry strategy (its
// backoff and jitter, drawn from the scenario's random stream) waits in virtual time, and a
// consumer's GetRecords loop reads back exactly what a producer function got accepted.

import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { describe, expect, it } from "vitest";
import { simulateWithClients } from "../../src/clients/run-clients.js";
import { loadScenario } from "../../src/scenario/load.js";

const HOT = `name: hot
seed: 9
duration: 60s
stream: { name: s, shards: 1, writeRecordsPerSecond: 20/s }
producers:
  - name: app
    rate: 30/s
    recordSize: 100B
    partitionKey: { dist: uniform, keys: 10 }
`;

describe("the SDK's own retries in virtual time", () => {
  it("waits out its backoff on the virtual clock, the same way for the same seed", async () => {
    const run = async () => {
      const { scenario } = loadScenario(HOT, { file: "hot.yaml" });
      const attempts: { attempts: number; delayMs: number; elapsedMs: number }[] = [];
      let failures = 0;
      const result = await simulateWithClients(scenario, {
        clients: [
          {
            role: "producer",
            run: async ({ clientConfig, streamName, traffic }) => {
              const client = new KinesisClient({ ...clientConfig, maxAttempts: 4 });
              for (;;) {
                const record = await traffic.next();
                if (!record) return;
                const before = Date.now();
                try {
                  const out = await client.send(new PutRecordCommand({ StreamName: streamName, ...record }));
                  const m = out.$metadata;
                  attempts.push({
                    attempts: m.attempts!,
                    delayMs: m.totalRetryDelay!,
                    elapsedMs: Date.now() - before,
                  });
                } catch (error) {
                  failures++;
                  traffic.drop(record);
                  expect((error as Error).name).toBe("ProvisionedThroughputExceededException");
                }
              }
            },
          },
        ],
      });
      return { attempts, failures, result };
    };
    const a = await run();
    const retried = a.attempts.filter((x) => x.attempts > 1);
    expect(retried.length).toBeGreaterThan(10);
    for (const x of a.attempts) {
      // The SDK waited exactly its own computed delays, in virtual time, besides the service latency.
      expect(x.elapsedMs).toBeGreaterThanOrEqual(x.delayMs);
      // Full jitter under 1 s · 2^i for a throttling error, at most 3 retries.
      expect(x.delayMs).toBeLessThan(1000 + 2000 + 4000);
    }
    expect(a.result.clients[0]!.calls.errors.ProvisionedThroughputExceededException).toBeGreaterThan(10);
    expect(a.result.summary.ledger.balanced).toBe(true);
    expect(a.result.summary.ledger.dropped).toBe(a.failures);
    const b = await run();
    expect(b.attempts).toEqual(a.attempts);
  }, 60_000);
});

describe("a consumer function", () => {
  it("reads back, in order per shard, every record a producer function got accepted", async () => {
    const { scenario } = loadScenario(
      `name: pair\nseed: 3\nduration: 30s\nstream: { name: s, shards: 2 }\nproducers:\n  - { name: app, rate: 50/s, recordSize: 60B, partitionKey: { dist: uniform, keys: 40 } }\n`,
      { file: "pair.yaml" },
    );
    const accepted = new Map<string, string[]>();
    const read = new Map<string, string[]>();
    const result = await simulateWithClients(scenario, {
      clients: [
        {
          role: "producer",
          run: async ({ client, streamName, traffic, sleep, signal }) => {
            while (!signal.aborted && !traffic.ended) {
              await sleep(200);
              const records = traffic.take();
              if (records.length === 0) continue;
              const out = await client.send(
                new PutRecordsCommand({ StreamName: streamName, Records: records }),
              );
              out.Records!.forEach((r, i) => {
                if (!r.SequenceNumber) return;
                const list = accepted.get(r.ShardId!) ?? [];
                list.push(Buffer.from(records[i]!.Data).toString().trim());
                accepted.set(r.ShardId!, list);
              });
            }
          },
        },
        {
          role: "consumer",
          run: async ({ client, streamName, sleep, signal }) => {
            const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards!;
            await Promise.all(
              shards.map(async (shard) => {
                let iterator = (
                  await client.send(
                    new GetShardIteratorCommand({
                      StreamName: streamName,
                      ShardId: shard.ShardId!,
                      ShardIteratorType: "TRIM_HORIZON",
                    }),
                  )
                ).ShardIterator;
                while (iterator && !signal.aborted) {
                  const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
                  const list = read.get(shard.ShardId!) ?? [];
                  for (const r of out.Records!) list.push(Buffer.from(r.Data!).toString().trim());
                  read.set(shard.ShardId!, list);
                  iterator = out.NextShardIterator;
                  await sleep(1000);
                }
              }),
            );
          },
        },
      ],
    });
    expect(result.clients.map((c) => c.error)).toEqual([undefined, undefined]);
    expect(result.clients[1]!.calls.calls.GetRecords).toBeGreaterThan(40);
    for (const [shard, list] of accepted) {
      const got = read.get(shard) ?? [];
      // Everything but what arrived in the last poll interval was read, in the order accepted.
      expect(got.length).toBeGreaterThan(list.length - 120);
      expect(got).toEqual(list.slice(0, got.length));
    }
    expect([...accepted.values()].flat().length).toBeGreaterThan(1400);
  }, 60_000);
});
