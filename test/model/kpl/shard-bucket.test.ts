// The KPL's per-shard rate limiter (ShardLimiter in aws/kinesis/core/limiter.h, TokenBucket in
// aws/utils/token_bucket.h): two token streams, records and bytes, each holding one second of the
// shard's limit and refilled at RateLimit % of it. Checked as a token bucket: what passes in any
// window, what it hands out, and how fast it fills again.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { US_PER_S } from "../../../src/engine/time.js";
import { ShardBucket } from "../../../src/model/kpl/shard-bucket.js";
import { propertySeed, runs } from "../../support/property.js";

// A shard's write limits (KDS: 1,000 records/s and 1 MiB/s per shard; the KPL's
// kRecordsPerSecLimit and kBytesPerSecLimit in limiter.h).
const RECORDS_PER_S = 1000;
const BYTES_PER_S = 1024 * 1024;

interface Call {
  dtUs: number;
  count: number;
  bytesEach: number;
}

const calls = fc.array(
  fc.record({
    dtUs: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 30_000 }),
      fc.integer({ min: 1, max: 2 * US_PER_S }),
    ),
    count: fc.integer({ min: 0, max: 3000 }),
    // Cohort resolution passes a mean size, so fractional bytes per record too.
    bytesEach: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 1024 }),
      fc.integer({ min: 1, max: 1_100_000 }),
      fc.integer({ min: 1, max: 7_000_000 }).map((x) => x / 7),
    ),
  }),
  { minLength: 1, maxLength: 120 },
);

const buckets = fc.record({
  maxRecords: fc.oneof(fc.constant(RECORDS_PER_S), fc.integer({ min: 1, max: 50_000 })),
  maxBytes: fc.oneof(fc.constant(BYTES_PER_S), fc.integer({ min: 1, max: 50 * BYTES_PER_S })),
  // RateLimit from 1 % to 500 %, and the default 150 %.
  rate: fc.oneof(
    fc.constant(1.5),
    fc.integer({ min: 1, max: 500 }).map((p) => p / 100),
  ),
});

interface Passed {
  t: number;
  records: number;
  bytes: number;
}

function replay(bucket: ShardBucket, sequence: readonly Call[]): Passed[] {
  const passed: Passed[] = [];
  let t = 0;
  for (const c of sequence) {
    t += c.dtUs;
    const n = bucket.take(t, c.count, c.bytesEach);
    expect(Number.isInteger(n)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(0);
    expect(n).toBeLessThanOrEqual(c.count);
    passed.push({ t, records: n, bytes: n * c.bytesEach });
  }
  return passed;
}

describe("ShardBucket (the KPL's ShardLimiter)", () => {
  it("never passes more than capacity + rate × T in any window, and is full after 1 s / rate idle", () => {
    fc.assert(
      fc.property(buckets, calls, ({ maxRecords, maxBytes, rate }, sequence) => {
        const bucket = new ShardBucket(maxRecords, maxBytes, rate);
        const passed = replay(bucket, sequence);
        // Every window [t_i, t_j] between call times, both ends included.
        for (let i = 0; i < passed.length; i++) {
          let records = 0;
          let bytes = 0;
          for (let j = i; j < passed.length; j++) {
            records += passed[j]!.records;
            bytes += passed[j]!.bytes;
            const seconds = (passed[j]!.t - passed[i]!.t) / US_PER_S;
            expect(records).toBeLessThanOrEqual(maxRecords + maxRecords * rate * seconds);
            expect(bytes).toBeLessThanOrEqual(maxBytes + maxBytes * rate * seconds);
          }
        }
        // Idle for one second / rate (rounded up to whole µs, the simulator's clock): both streams
        // are full again. One record of a full second's bytes passes, then the rest of the records.
        const idleUs = Math.ceil(US_PER_S / rate);
        const t = passed[passed.length - 1]!.t + idleUs;
        expect(bucket.take(t, 1, maxBytes)).toBe(1);
        expect(bucket.take(t, maxRecords + 1, 0)).toBe(maxRecords - 1);
        expect(bucket.take(t, 1, 0)).toBe(0);
      }),
      { numRuns: runs(200), seed: propertySeed("kpl-shard-bucket") },
    );
  });

  it("a full bucket passes exactly one second of the shard limit at once, and no more", () => {
    // Records bind: 1,000 records of 1 KiB (1,000 KiB ≤ 1 MiB).
    const byRecords = new ShardBucket(RECORDS_PER_S, BYTES_PER_S, 1.5);
    expect(byRecords.take(0, 5000, 1024)).toBe(1000);
    expect(byRecords.take(0, 1, 1)).toBe(0);
    // Bytes bind: 2 KiB records, 1 MiB / 2 KiB = 512 of them.
    const byBytes = new ShardBucket(RECORDS_PER_S, BYTES_PER_S, 1.5);
    expect(byBytes.take(0, 5000, 2048)).toBe(512);
    expect(byBytes.take(0, 1, 1)).toBe(0);
    // The records left over are still there for small records: 1,000 − 512 = 488 of 0 bytes.
    expect(byBytes.take(0, 5000, 0)).toBe(488);
    // A record bigger than the whole byte stream never passes.
    expect(new ShardBucket(RECORDS_PER_S, BYTES_PER_S, 1.5).take(0, 1, BYTES_PER_S + 1)).toBe(0);
  });

  it("under saturating demand at RateLimit 150 passes one second of capacity plus 1.5 × the limit per second", () => {
    // Polled every 25 ms (the KPL's limiter drains every kDrainDelayMillis = 25 ms) for 10 s with
    // more demand than it can pass. Passed by time T ≤ capacity + 1.5 × limit × T, and short of
    // it by less than one record's tokens left in the stream (in exact arithmetic none are left at
    // T = 10 s; refilling 39,321.6 bytes per poll in floating point leaves the last 2 KiB record a
    // hair short, so the bytes case passes 8,191):
    //   records: 1,000 + 1.5 × 1,000 × 10 = 16,000 (1 s + 15 s of the shard's record limit);
    //   bytes, 2 KiB records: (1 MiB + 1.5 × 1 MiB × 10) / 2 KiB = 512 + 7,680 = 8,192 records.
    const seconds = 10;
    const pollUs = 25_000;
    for (const { bytesEach, expected } of [
      { bytesEach: 1024, expected: RECORDS_PER_S + 1.5 * RECORDS_PER_S * seconds },
      { bytesEach: 2048, expected: (BYTES_PER_S + 1.5 * BYTES_PER_S * seconds) / 2048 },
    ]) {
      const bucket = new ShardBucket(RECORDS_PER_S, BYTES_PER_S, 1.5);
      let passed = 0;
      for (let t = 0; t <= seconds * US_PER_S; t += pollUs) passed += bucket.take(t, 100_000, bytesEach);
      expect(passed).toBeLessThanOrEqual(expected);
      expect(passed).toBeGreaterThanOrEqual(expected - 1);
    }
    expect(RECORDS_PER_S + 1.5 * RECORDS_PER_S * seconds).toBe(16_000);
    expect((BYTES_PER_S + 1.5 * BYTES_PER_S * seconds) / 2048).toBe(8192);
  });

  it("refills at the rate: after draining, 100 ms at RateLimit 150 brings 150 records", () => {
    const bucket = new ShardBucket(RECORDS_PER_S, BYTES_PER_S, 1.5);
    expect(bucket.take(0, RECORDS_PER_S, 0)).toBe(RECORDS_PER_S);
    expect(bucket.take(100_000, 10_000, 0)).toBe(150);
    // The refill stops at the capacity however long it waits.
    expect(bucket.take(100 * US_PER_S, 10_000, 0)).toBe(RECORDS_PER_S);
  });
});
