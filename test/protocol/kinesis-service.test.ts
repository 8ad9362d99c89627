// The Kinesis API over a simulated stream, without a transport: AWS's output shapes, its error
// codes and messages, its limits (PutRecords size, GetRecords rate, iterator lifetime), and the
// JSON wire protocol's framing.

import { describe, expect, it } from "vitest";
import { US_PER_S } from "../../src/engine/time.js";
import { Stream } from "../../src/model/stream.js";
import { answerWire } from "../../src/protocol/json-protocol.js";
import { KinesisError, KinesisService } from "../../src/protocol/kinesis-service.js";
import { loadScenario } from "../../src/scenario/load.js";

function service(shards = 2, recordsPerSecond = 1000) {
  const { scenario } = loadScenario(
    `name: t\nduration: 1m\nstream: { name: s, shards: ${shards}, writeRecordsPerSecond: ${recordsPerSecond}/s }\nproducers: [{ name: p, rate: 1/s }]\n`,
    { file: "t.yaml" },
  );
  const stream = new Stream(scenario.stream);
  return { stream, api: new KinesisService([stream], { keepRecordData: true }) };
}

const data = (text: string) => Buffer.from(text).toString("base64");

function errorOf(fn: () => unknown): KinesisError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KinesisError) return error;
    throw error;
  }
  throw new Error("expected a KinesisError");
}

describe("KinesisService", () => {
  it("throttles PutRecord past a shard's limit with AWS's error and message", () => {
    const { api } = service(1, 2);
    const put = () => api.call("PutRecord", { StreamName: "s", PartitionKey: "k", Data: data("x") }, 0);
    expect(put()).toMatchObject({ ShardId: "shardId-000000000000", EncryptionType: "NONE" });
    put();
    const e = errorOf(put);
    expect(e.code).toBe("ProvisionedThroughputExceededException");
    expect(e.status).toBe(400);
    expect(e.message).toBe(
      "Rate exceeded for shard shardId-000000000000 in stream s under account 123456789012.",
    );
  });

  it("answers PutRecords record by record, failed entries with ErrorCode and ErrorMessage", () => {
    const { api } = service(1, 3);
    const out = api.call(
      "PutRecords",
      {
        StreamName: "s",
        Records: Array.from({ length: 5 }, (_, i) => ({ PartitionKey: `k${i}`, Data: data("x") })),
      },
      0,
    ) as { FailedRecordCount: number; Records: Record<string, string>[] };
    expect(out.FailedRecordCount).toBe(2);
    expect(out.Records.slice(0, 3).every((r) => r.SequenceNumber && r.ShardId)).toBe(true);
    expect(out.Records[3]!.ErrorCode).toBe("ProvisionedThroughputExceededException");
    // Sequence numbers increase within a shard.
    const seqs = out.Records.slice(0, 3).map((r) => BigInt(r.SequenceNumber!));
    expect(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!).toBe(true);
  });

  it("refuses requests outside AWS's limits", () => {
    const { api } = service();
    const many = Array.from({ length: 501 }, () => ({ PartitionKey: "k", Data: data("x") }));
    expect(errorOf(() => api.call("PutRecords", { StreamName: "s", Records: many }, 0)).code).toBe(
      "ValidationException",
    );
    expect(
      errorOf(() => api.call("PutRecord", { StreamName: "s", PartitionKey: "", Data: data("x") }, 0)).code,
    ).toBe("ValidationException");
    expect(
      errorOf(() =>
        api.call(
          "PutRecord",
          { StreamName: "s", PartitionKey: "k", ExplicitHashKey: "-1", Data: data("x") },
          0,
        ),
      ).code,
    ).toBe("InvalidArgumentException");
    const missing = errorOf(() =>
      api.call("PutRecord", { StreamName: "nope", PartitionKey: "k", Data: data("x") }, 0),
    );
    expect(missing.code).toBe("ResourceNotFoundException");
    expect(missing.message).toBe("Stream nope under account 123456789012 not found.");
    expect(errorOf(() => api.call("DeleteStream", { StreamName: "s" }, 0)).code).toBe(
      "UnknownOperationException",
    );
  });

  it("reads back what was put, limits GetRecords to 5 calls a second per shard, and expires iterators", () => {
    const { api } = service(1);
    const put = api.call("PutRecord", { StreamName: "s", PartitionKey: "key", Data: data("hello") }, 0) as {
      SequenceNumber: string;
    };
    const it0 = api.call(
      "GetShardIterator",
      { StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" },
      0,
    ) as { ShardIterator: string };
    const got = api.call("GetRecords", { ShardIterator: it0.ShardIterator }, 1000) as {
      Records: { SequenceNumber: string; Data: string; PartitionKey: string }[];
      NextShardIterator: string;
      MillisBehindLatest: number;
    };
    expect(got.Records).toEqual([
      expect.objectContaining({
        SequenceNumber: put.SequenceNumber,
        Data: data("hello"),
        PartitionKey: "key",
      }),
    ]);
    expect(got.MillisBehindLatest).toBe(0);
    for (let i = 0; i < 4; i++) api.call("GetRecords", { ShardIterator: got.NextShardIterator }, 2000 + i);
    const throttled = errorOf(() => api.call("GetRecords", { ShardIterator: got.NextShardIterator }, 3000));
    expect(throttled.code).toBe("ProvisionedThroughputExceededException");
    const expired = errorOf(() =>
      api.call("GetRecords", { ShardIterator: it0.ShardIterator }, 301 * US_PER_S),
    );
    expect(expired.code).toBe("ExpiredIteratorException");
    expect(errorOf(() => api.call("GetRecords", { ShardIterator: "bm90IG1pbmU=" }, 0)).code).toBe(
      "InvalidArgumentException",
    );
  });

  it("lists shards page by page and after a split", () => {
    const { api, stream } = service(3);
    const page = api.call("ListShards", { StreamName: "s", MaxResults: 2 }, 0) as {
      Shards: { ShardId: string }[];
      NextToken: string;
    };
    expect(page.Shards.map((s) => s.ShardId)).toEqual(["shardId-000000000000", "shardId-000000000001"]);
    const rest = api.call("ListShards", { NextToken: page.NextToken }, 0) as {
      Shards: { ShardId: string }[];
    };
    expect(rest.Shards.map((s) => s.ShardId)).toEqual(["shardId-000000000002"]);
    const parent = stream.open[0]!;
    stream.splitShard(
      parent,
      parent.range.start + (parent.range.end - parent.range.start) / 2n,
      5 * US_PER_S,
    );
    const after = api.call("ListShards", { StreamName: "s" }, 6 * US_PER_S) as {
      Shards: { ShardId: string; ParentShardId?: string }[];
    };
    expect(after.Shards.map((s) => s.ShardId)).toHaveLength(5);
    expect(after.Shards.filter((s) => s.ParentShardId === "shardId-000000000000")).toHaveLength(2);
    const summary = api.call("DescribeStreamSummary", { StreamName: "s" }, 0) as {
      StreamDescriptionSummary: { OpenShardCount: number; StreamStatus: string };
    };
    expect(summary.StreamDescriptionSummary).toMatchObject({ OpenShardCount: 4, StreamStatus: "ACTIVE" });
  });

  it("registers and lists enhanced fan-out consumers", () => {
    const { api } = service();
    const arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
    const out = api.call("RegisterStreamConsumer", { StreamARN: arn, ConsumerName: "c1" }, 0) as {
      Consumer: { ConsumerARN: string };
    };
    expect(out.Consumer.ConsumerARN).toMatch(
      /^arn:aws:kinesis:us-east-1:123456789012:stream\/s\/consumer\/c1:/,
    );
    expect(
      errorOf(() => api.call("RegisterStreamConsumer", { StreamARN: arn, ConsumerName: "c1" }, 0)).code,
    ).toBe("ResourceInUseException");
    expect(api.call("ListStreamConsumers", { StreamARN: arn }, 0)).toMatchObject({
      Consumers: [{ ConsumerName: "c1", ConsumerStatus: "ACTIVE" }],
    });
  });
});

describe("the JSON wire protocol", () => {
  it("frames answers and errors as awsJson1_1 does", () => {
    const { api } = service();
    const ok = answerWire(
      api,
      { target: "Kinesis_20131202.ListShards", body: '{"StreamName":"s"}' },
      0,
      "r1",
    );
    expect(ok.status).toBe(200);
    expect(ok.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(ok.headers["x-amzn-requestid"]).toBe("r1");
    expect(JSON.parse(ok.body).Shards).toHaveLength(2);
    const bad = answerWire(api, { target: "Kinesis_20131202.ListShards", body: "{" }, 0, "r2");
    expect([bad.status, JSON.parse(bad.body).__type]).toEqual([400, "SerializationException"]);
    const none = answerWire(api, { target: undefined, body: "{}" }, 0, "r3");
    expect(JSON.parse(none.body)).toMatchObject({ __type: "UnknownOperationException" });
  });
});
