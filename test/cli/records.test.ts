// The CLI's view of records: get-shard-iterator / get-records / put-record against a scenario at
// a virtual time, in the shape `aws kinesis` prints.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserInputError } from "../../src/cli/errors.js";
import { getRecords, getShardIterator, putRecord } from "../../src/cli/records.js";

const work = mkdtempSync(join(tmpdir(), "kinesim-records-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const file = join(work, "small.yaml");
writeFileSync(
  file,
  `name: small
seed: 2
duration: 2m
stream: { name: s, shards: 2 }
producers:
  - { name: p, instances: 2, rate: 20/s, recordSize: 100B, partitionKey: { dist: uniform, keys: 10, prefix: "dev-" } }
events:
  - { at: 1m, action: SplitShard, shard: 0 }
`,
);

const iterator = (type: Parameters<typeof getShardIterator>[0]["type"], more: object = {}) =>
  getShardIterator({ scenario: file, shardId: "shardId-000000000000", type, at: "30s", ...more })
    .ShardIterator;

describe("get-records", () => {
  it("returns records in the CLI's shape, in sequence order, and its next iterator continues", () => {
    const first = getRecords({ scenario: file, shardIterator: iterator("TRIM_HORIZON"), limit: 5 });
    expect(Object.keys(first)).toEqual(["Records", "NextShardIterator", "MillisBehindLatest"]);
    expect(first.Records).toHaveLength(5);
    for (const r of first.Records) {
      expect(Object.keys(r)).toEqual([
        "SequenceNumber",
        "ApproximateArrivalTimestamp",
        "Data",
        "PartitionKey",
      ]);
      expect(r.SequenceNumber).toMatch(/^\d{45}$/);
      expect(r.PartitionKey).toMatch(/^dev-\d$/);
      expect(Buffer.from(r.Data, "base64")).toHaveLength(100);
    }
    const seqs = (rs: { SequenceNumber: string }[]) => rs.map((r) => BigInt(r.SequenceNumber));
    const a = seqs(first.Records);
    for (let i = 1; i < a.length; i++) expect(a[i]! > a[i - 1]!).toBe(true);
    expect(first.MillisBehindLatest).toBeGreaterThan(0);
    const next = getRecords({ scenario: file, shardIterator: first.NextShardIterator!, limit: 5 });
    expect(seqs(next.Records)[0]).toBe(a.at(-1)! + 1n);
    // AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER land on and after a known record.
    const at = getRecords({
      scenario: file,
      shardIterator: iterator("AT_SEQUENCE_NUMBER", {
        startingSequenceNumber: first.Records[2]!.SequenceNumber,
      }),
      limit: 1,
    });
    expect(at.Records[0]!.SequenceNumber).toBe(first.Records[2]!.SequenceNumber);
    const after = getRecords({
      scenario: file,
      shardIterator: iterator("AFTER_SEQUENCE_NUMBER", {
        startingSequenceNumber: first.Records[2]!.SequenceNumber,
      }),
      limit: 1,
    });
    expect(after.Records[0]!.SequenceNumber).toBe(first.Records[3]!.SequenceNumber);
  });

  it("LATEST reads nothing at once; AT_TIMESTAMP starts at the first record from then", () => {
    const latest = getRecords({ scenario: file, shardIterator: iterator("LATEST") });
    expect(latest.Records).toEqual([]);
    expect(latest.MillisBehindLatest).toBe(0);
    // A call made 10 s later sees the records that arrived meanwhile.
    const later = getRecords({ scenario: file, shardIterator: iterator("LATEST"), at: "40s" });
    expect(later.Records.length).toBeGreaterThan(0);
    expect(later.Records[0]!.ApproximateArrivalTimestamp).toBeGreaterThanOrEqual(30);
    const ts = getRecords({
      scenario: file,
      shardIterator: iterator("AT_TIMESTAMP", { timestamp: "20s" }),
      limit: 1,
    });
    expect(ts.Records[0]!.ApproximateArrivalTimestamp).toBeGreaterThanOrEqual(20);
  });

  it("a split parent, read to its end, names its children instead of a next iterator", () => {
    const it = getShardIterator({
      scenario: file,
      shardId: "shardId-000000000000",
      type: "TRIM_HORIZON",
      at: "90s",
    });
    const all = getRecords({ scenario: file, shardIterator: it.ShardIterator });
    expect(all.NextShardIterator).toBeUndefined();
    expect(all.ChildShards!.map((c) => c.ShardId)).toEqual(["shardId-000000000002", "shardId-000000000003"]);
    expect(all.ChildShards![0]!.ParentShards).toEqual(["shardId-000000000000"]);
  });

  it("refuses an iterator older than 5 minutes and a limit above 10,000", () => {
    const long = join(work, "long.yaml");
    writeFileSync(
      long,
      "name: small\nduration: 10m\nstream: { name: s, shards: 1 }\nproducers: [{ name: p, rate: 5/s }]\n",
    );
    const it = getShardIterator({
      scenario: long,
      shardId: "shardId-000000000000",
      type: "LATEST",
      at: "1m",
    });
    expect(() => getRecords({ scenario: long, shardIterator: it.ShardIterator, at: "7m" })).toThrow(
      /ExpiredIteratorException/,
    );
    expect(() => getRecords({ scenario: long, shardIterator: it.ShardIterator, limit: 10_001 })).toThrow(
      UserInputError,
    );
  });
});

describe("put-record (dry run)", () => {
  it("names the shard a key hashes to and the sequence number the next record there gets", () => {
    const dry = putRecord({ scenario: file, partitionKeys: ["dev-4"], at: "30s" }) as {
      ShardId: string;
      SequenceNumber: string;
    };
    expect(dry.ShardId).toMatch(/^shardId-00000000000[01]$/);
    const it = getShardIterator({ scenario: file, shardId: dry.ShardId, type: "LATEST", at: "30s" });
    const next = getRecords({ scenario: file, shardIterator: it.ShardIterator, at: "35s", limit: 1 });
    expect(next.Records[0]!.SequenceNumber).toBe(dry.SequenceNumber);
    // An explicit hash key at the top of the space goes to the last shard.
    expect(
      (
        putRecord({
          scenario: file,
          partitionKeys: ["x"],
          explicitHashKey: (2n ** 128n - 1n).toString(),
          at: "30s",
        }) as { ShardId: string }
      ).ShardId,
    ).toBe("shardId-000000000001");
  });

  it("answers several keys in one call as PutRecords does, sequence numbers following on within a shard", () => {
    const keys = ["dev-4", "dev-4", "dev-9", "dev-17", "dev-4"];
    const many = putRecord({ scenario: file, partitionKeys: keys, at: "30s" }) as {
      FailedRecordCount: number;
      Records: { ShardId: string; SequenceNumber: string }[];
    };
    expect(many.FailedRecordCount).toBe(0);
    expect(many.Records).toHaveLength(5);
    const single = keys.map(
      (k) =>
        putRecord({ scenario: file, partitionKeys: [k], at: "30s" }) as {
          ShardId: string;
          SequenceNumber: string;
        },
    );
    // Each record on the shard a single call names; the first on a shard gets what a single call gets.
    many.Records.forEach((r, i) => {
      expect(r.ShardId).toBe(single[i]!.ShardId);
    });
    expect(many.Records[0]!.SequenceNumber).toBe(single[0]!.SequenceNumber);
    // The second record of the same shard gets the next sequence number.
    expect(BigInt(many.Records[1]!.SequenceNumber)).toBe(BigInt(many.Records[0]!.SequenceNumber) + 1n);
  });
});
