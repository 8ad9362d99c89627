// `kinesim serve` over real HTTP, driven by the AWS SDK for JavaScript with an endpoint override
// (the way a boto3, Java or KPL integration test would point at it): partial PutRecords throttling,
// GetRecords of a record just put, ListShards after the scenario's reshard, and the report written
// at shutdown.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/cli/serve.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-serve-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 2-shard stream of 100 records/s per shard; shard 0 is split 3 virtual seconds in. */
const SCENARIO = `name: serve-test
seed: 1
duration: 10m
stream: { name: orders, shards: 2, writeRecordsPerSecond: 100/s }
producers:
  - { name: background, rate: 1/s, recordSize: 100B }
events:
  - { at: 3s, action: SplitShard, shard: shardId-000000000000 }
`;

function clientFor(server: RunningServer): KinesisClient {
  return new KinesisClient({
    region: "us-east-1",
    endpoint: server.url,
    credentials: { accessKeyId: "AKIAKINESIM", secretAccessKey: "test" },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

describe("kinesim serve", () => {
  it("answers the SDK's own calls over HTTP with AWS's shapes", async () => {
    const file = join(work, "serve.yaml");
    writeFileSync(file, SCENARIO);
    const out = join(work, "report");
    // 20 virtual seconds per wall second: the split at 3 s comes 150 ms in.
    const server = await startServer({ scenario: file, port: 0, timeScale: 20, out, charts: false });
    const client = clientFor(server);
    try {
      // One key, one shard, 300 records in one call: the shard takes 100 this second.
      const put = await client.send(
        new PutRecordsCommand({
          StreamName: "orders",
          Records: Array.from({ length: 300 }, (_, i) => ({
            PartitionKey: "hot",
            ExplicitHashKey: "1", // shard 0
            Data: Buffer.from(`{"n":${i}}`),
          })),
        }),
      );
      expect(put.FailedRecordCount).toBeGreaterThanOrEqual(200);
      expect(put.FailedRecordCount).toBeLessThan(300);
      const failed = put.Records!.filter((r) => r.ErrorCode);
      expect(failed[0]).toEqual({
        ErrorCode: "ProvisionedThroughputExceededException",
        ErrorMessage: expect.stringMatching(
          /^Rate exceeded for shard shardId-\d{12} in stream orders under account \d{12}\.$/,
        ),
      });
      const ok = put.Records!.find((r) => r.SequenceNumber);
      expect(ok?.ShardId).toMatch(/^shardId-\d{12}$/);

      // GetRecords after a PutRecord: the record comes back with its data and key.
      const one = await client.send(
        new PutRecordCommand({
          StreamName: "orders",
          PartitionKey: "reader",
          // Shard 1: shard 0 has used this second's records on the PutRecords above.
          ExplicitHashKey: (2n ** 127n + 1n).toString(),
          Data: Buffer.from("hello kinesim"),
        }),
      );
      const iterator = await client.send(
        new GetShardIteratorCommand({
          StreamName: "orders",
          ShardId: one.ShardId!,
          ShardIteratorType: "AT_SEQUENCE_NUMBER",
          StartingSequenceNumber: one.SequenceNumber!,
        }),
      );
      const got = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
      expect(got.Records![0]!.SequenceNumber).toBe(one.SequenceNumber);
      expect(Buffer.from(got.Records![0]!.Data!).toString()).toBe("hello kinesim");
      expect(got.Records![0]!.PartitionKey).toBe("reader");
      expect(got.Records![0]!.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
      expect(got.NextShardIterator).toBeTruthy();

      // ListShards once the split has happened (virtual time runs at 20×).
      let shards = (await client.send(new ListShardsCommand({ StreamName: "orders" }))).Shards!;
      for (let i = 0; i < 100 && shards.length < 4; i++) {
        await new Promise((r) => setTimeout(r, 50));
        shards = (await client.send(new ListShardsCommand({ StreamName: "orders" }))).Shards!;
      }
      expect(shards.map((s) => s.ShardId)).toEqual([
        "shardId-000000000000",
        "shardId-000000000001",
        "shardId-000000000002",
        "shardId-000000000003",
      ]);
      expect(shards[0]!.SequenceNumberRange!.EndingSequenceNumber).toBeDefined();
      expect(one.ShardId).toBe("shardId-000000000001");
      expect(shards[2]!.ParentShardId).toBe("shardId-000000000000");
      expect(shards[3]!.ParentShardId).toBe("shardId-000000000000");

      // AWS's error shape for an unknown stream, through the SDK's own error classes.
      await expect(
        client.send(new PutRecordCommand({ StreamName: "nope", PartitionKey: "k", Data: Buffer.from("x") })),
      ).rejects.toMatchObject({ name: "ResourceNotFoundException", $metadata: { httpStatusCode: 400 } });

      const live = server.metrics();
      expect(live.calls.PutRecords).toBe(1);
      expect(live.errors.ResourceNotFoundException).toBe(1);
    } finally {
      client.destroy();
      await server.stop("test");
    }
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.interrupted.reason).toBe("test");
    expect(existsSync(join(out, "shards.csv"))).toBe(true);
  }, 30_000);
});
