// Two places where the model's aggregated-record sizes once differed from the bytes the KPL writes
// (explicit hash keys indexed in their own table; a wide key index widening a record's length
// prefix), each pinned by an example worked out by hand and checked with a protobuf encoding.

import { describe, expect, it } from "vitest";
import {
  accurateSize,
  ExpectedAggregate,
  fittingPrefix,
  type UserShape,
} from "../../../src/model/kpl/aggregation.js";

/** Base-128 varint length of n. */
function varintLength(n: number): number {
  let bytes = 1;
  for (let v = n; v >= 128; v = Math.floor(v / 128)) bytes++;
  return bytes;
}

/** A length-delimited field: tag, length varint, payload. */
const field = (length: number) => 1 + varintLength(length) + length;

/**
 * Exact size of the Kinesis record the KPL sends for records with these key ids, key lengths,
 * explicit hash key lengths (0: none) and data sizes: 20 + the AggregatedRecord protobuf, where
 * each table (partition keys, explicit hash keys) has its own first-appearance indices, as
 * KinesisRecord::after_add fills them (aws/kinesis/core/kinesis_record.cc).
 */
function kplSize(records: readonly UserShape[]): number {
  const pk = new Map<number, number>();
  const ehk = new Map<number, number>();
  let protobuf = 0;
  for (const r of records) {
    let pkIndex = pk.get(r.keyId);
    if (pkIndex === undefined) {
      pkIndex = pk.size;
      pk.set(r.keyId, pkIndex);
      protobuf += field(r.keyBytes);
    }
    let message = 1 + varintLength(pkIndex) + field(r.dataBytes);
    if (r.hashKeyBytes > 0) {
      let ehkIndex = ehk.get(r.keyId);
      if (ehkIndex === undefined) {
        ehkIndex = ehk.size;
        ehk.set(r.keyId, ehkIndex);
        protobuf += field(r.hashKeyBytes);
      }
      message += 1 + varintLength(ehkIndex);
    }
    protobuf += field(message);
  }
  return 20 + protobuf;
}

describe("aggregated sizes the model gets wrong", () => {
  it("accurateSize: an explicit hash key's index counts in its own table, not the partition keys'", () => {
    // explicitHashKeys with hotKeys: a hot key without a hash key first, then 128 keys that have
    // one. The 129th record has partition-key index 128 (two varint bytes) but explicit-hash-key
    // index 127 (one byte). The model writes the partition-key index twice, one byte too many.
    const records: UserShape[] = [{ dataBytes: 10, keyId: 0, keyBytes: 3, hashKeyBytes: 0 }];
    for (let k = 1; k <= 128; k++) records.push({ dataBytes: 10, keyId: k, keyBytes: 4, hashKeyBytes: 39 });
    // By hand: "hot" 1 + 1 + 3 = 5; 128 keys of 4 → 6 each; 128 hash keys of 39 → 41 each;
    // record 1: 1 + 1 + (1 + 1) + (1 + 1 + 10) = 16; records 2–128 (indices < 128): 1 + 1 +
    // (1 + 1) + (1 + 1) + (1 + 1 + 10) = 18 each; record 129: pk index 2 bytes → 19.
    const byHand = 20 + 5 + 128 * 6 + 128 * 41 + 16 + 127 * 18 + 19;
    expect(kplSize(records)).toBe(byHand);
    expect.soft(accurateSize(records)).toBe(byHand);
  });

  it("ExpectedAggregate.accurate: a wider key index can also widen the Record's length prefix", () => {
    // Fresh 36-byte keys, 123-byte data: a Record message is 1 + 1 + 1 + 1 + 123 = 127 bytes
    // (framed 1 + 1 + 127 = 129) while its key index is below 128, and 128 bytes (framed
    // 1 + 2 + 128 = 131) from index 128 on: two bytes more, not one.
    const keys = { probabilities: [], keyBytes: [], hashKeyBytes: [], randomShare: 1, randomKeyBytes: 36 };
    const shapes: UserShape[] = Array.from({ length: 400 }, (_, i) => ({
      dataBytes: 123,
      keyId: -1 - i,
      keyBytes: 36,
      hashKeyBytes: 0,
    }));
    const exact = (n: number) => 20 + n * 38 + Math.min(n, 128) * 129 + Math.max(0, n - 128) * 131;
    expect(exact(200)).toBe(33_564);
    expect(accurateSize(shapes, 200)).toBe(exact(200));
    const expected = new ExpectedAggregate(keys, 123);
    // What it gives instead: 20 + 200 × (38 + 129) + 72 = 33,492.
    expect.soft(expected.accurate(200)).toBe(exact(200));
    // At AggregationMaxSize 51,200 the flush comes at the 307th record (estimate 167 per record:
    // 123 + 3 + 2 + 36 + 3; 306 × 167 = 51,102 < 51,200 ≤ 307 × 167) and the KPL keeps 304
    // (exact(304) = 51,140, exact(305) = 51,309); the cohort model keeps 305.
    expect(exact(304)).toBeLessThanOrEqual(51_200);
    expect(exact(305)).toBeGreaterThan(51_200);
    expect(fittingPrefix(shapes.slice(0, 307), 51_200, 1_000_000)).toBe(304);
    expect.soft(expected.fill(51_200, 1_000_000)).toEqual({ trigger: 307, keep: 304 });
  });
});
