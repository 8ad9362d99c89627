// The bench's floor cases: a peer case's per-record work at record resolution with the records
// kept in typed columns — no events, no record objects, no metrics rows — using kinesim's own
// random streams, key table and latency histogram. Not a model (no retries, no in-flight slots,
// no requests' latency): a lower bound on what the record path could cost, so the README can
// say how far kinesim's own record path (records as columns since 2026-12-07) is from it.

import { KINESIS } from "../data/kinesis-limits.js";
import { RandomStream } from "../engine/random.js";
import { roundUs } from "../engine/time.js";
import { IntervalHistogram } from "../metrics/latency-histogram.js";
import { evenSplit, hashFraction } from "../model/hash-space.js";
import { KeySpace } from "../model/keys.js";
import { createLimiter } from "../model/limiter.js";

/** A floor case: Poisson arrivals of 1 KiB records and uniform keys, batched as the peer does. */
export interface FloorSpec {
  seconds: number;
  shards: number;
  /** Records per second. */
  rate: number;
  keys: number;
}

/** What a floor run measured. */
export interface FloorResult {
  records: number;
  accepted: number;
  wallSeconds: number;
}

const RECORD_BYTES = 1024;
const LINGER_US = 100_000;
const BATCH_RECORDS = 500;

/** Runs one floor case: arrivals, key draws, batches closed at 500 records or 100 ms, a per-shard
 *  per-second limiter deciding for a request's part on each shard, and a latency insertion per
 *  accepted record. */
export function runFloor(spec: FloorSpec): FloorResult {
  const keys = KeySpace.of({ dist: "uniform", keys: spec.keys, prefix: "pk-" });
  const n = spec.shards;
  // The stream's ranges as CreateStream splits them, and each shard's own write limiter.
  const starts = evenSplit(n).map((r) => r.start);
  const startFractions = starts.map(hashFraction);
  const shardOf = <T>(at: readonly T[], x: T) => {
    let s = n - 1;
    while (at[s]! > x) s--;
    return s;
  };
  const { shardOfKey } = keys.route({
    openCount: n,
    shares: new Float64Array(n).fill(1 / n),
    shardOfFraction: (p) => shardOf(startFractions, p),
    shardOfHash: (h) => shardOf(starts, h),
  });
  const limiters = Array.from({ length: n }, () =>
    createLimiter({
      policy: "window",
      recordsPerSecond: KINESIS.shardWriteRecordsPerSecond.value,
      bytesPerSecond: KINESIS.shardWriteBytesPerSecond.value,
      burstUs: 0,
      largeRecordTankBytes: 0,
    }),
  );
  const traffic = new RandomStream("1", "bench/floor/traffic");
  const latency = new IntervalHistogram();
  const origin = new Float64Array(BATCH_RECORDS);
  const keyOf = new Int32Array(BATCH_RECORDS);
  const bytesOf = new Float64Array(BATCH_RECORDS);
  let inBatch = 0;
  let batchStart = -1;
  let records = 0;
  let accepted = 0;
  // Each shard's part of a request: its records and bytes, then whether it was taken whole.
  const partRecords = new Float64Array(n);
  const partBytes = new Float64Array(n);
  const whole = new Uint8Array(n);
  const land = (now: number) => {
    // A shard's limiter decides once for its whole part where it has room for all of it (as
    // kinesim's stream does for a shard nobody reads), else once per record.
    for (let i = 0; i < inBatch; i++) {
      const s = shardOfKey[keyOf[i]!]!;
      partRecords[s]! += 1;
      partBytes[s]! += bytesOf[i]!;
    }
    for (let s = 0; s < n; s++) {
      if (partRecords[s]! > 0)
        whole[s] = limiters[s]!.admitWhole(now, partRecords[s]!, partBytes[s]!) ? 1 : 0;
      partRecords[s] = 0;
      partBytes[s] = 0;
    }
    for (let i = 0; i < inBatch; i++) {
      const s = shardOfKey[keyOf[i]!]!;
      if (whole[s] === 1 || limiters[s]!.admit(now, 1, bytesOf[i]!) === 1) {
        accepted++;
        latency.record(now - origin[i]!, 1);
      }
    }
    inBatch = 0;
    batchStart = -1;
  };
  const endUs = spec.seconds * 1e6;
  const ratePerUs = spec.rate / 1e6;
  const started = process.hrtime.bigint();
  let t = 0;
  let intervalEndUs = 1e6;
  for (;;) {
    t += roundUs(traffic.exponential(ratePerUs));
    if (batchStart >= 0 && t >= batchStart + LINGER_US) land(batchStart + LINGER_US);
    if (t >= endUs) break;
    const k = keys.sample(traffic);
    if (inBatch === 0) batchStart = t;
    origin[inBatch] = t;
    keyOf[inBatch] = k;
    bytesOf[inBatch] = RECORD_BYTES + keys.bytesOf(k);
    inBatch++;
    records++;
    if (inBatch === BATCH_RECORDS) land(t);
    // A metrics interval a second, as a run keeps them.
    if (t >= intervalEndUs) {
      latency.closeInterval();
      intervalEndUs = (Math.floor(t / 1e6) + 1) * 1e6;
    }
  }
  if (inBatch > 0) land(batchStart + LINGER_US);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { records, accepted, wallSeconds };
}
