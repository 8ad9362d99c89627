// The bench's floor cases: a peer case's per-record work at record resolution with the records
// kept in typed columns — no events, no record objects, no metrics rows — using kinesim's own
// random streams, key table and latency histogram. Not a model (no retries, no in-flight slots,
// no requests' latency): a lower bound on what an object-free record path could cost, so the
// README can say what a rewrite of the producer's record path would and would not reach.

import { KINESIS } from "../data/kinesis-limits.js";
import { RandomStream } from "../engine/random.js";
import { IntervalHistogram } from "../metrics/latency-histogram.js";
import { KeySpace } from "../model/keys.js";

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
  nsPerRecord: number;
}

const RECORD_BYTES = 1024;
const LINGER_US = 100_000;
const BATCH_RECORDS = 500;
/** A shard's write limits per second. */
const SHARD_RECORDS = KINESIS.shardWriteRecordsPerSecond.value;
const SHARD_BYTES = KINESIS.shardWriteBytesPerSecond.value;

/** Runs one floor case: arrivals, key draws, batches closed at 500 records or 100 ms, a per-shard
 *  per-second limiter, and a latency insertion per accepted record. */
export function runFloor(spec: FloorSpec): FloorResult {
  const keys = KeySpace.of({ dist: "uniform", keys: spec.keys, prefix: "pk-" });
  const n = spec.shards;
  // An even split of the hash space: shard i holds [i·2^128/n, (i+1)·2^128/n).
  const { shardOfKey } = keys.route({
    openCount: n,
    shares: new Float64Array(n).fill(1 / n),
    shardOfFraction: (p) => Math.min(n - 1, Math.floor(p * n)),
    shardOfHash: (h) => Number((h * BigInt(n)) >> 128n),
  });
  const traffic = new RandomStream("1", "bench/floor/traffic");
  const latency = new IntervalHistogram();
  const origin = new Float64Array(BATCH_RECORDS);
  const keyOf = new Int32Array(BATCH_RECORDS);
  const bytesOf = new Float64Array(BATCH_RECORDS);
  const secondRecords = new Int32Array(n);
  const secondBytes = new Float64Array(n);
  let second = -1;
  let inBatch = 0;
  let batchStart = -1;
  let records = 0;
  let accepted = 0;
  const land = (now: number) => {
    const s = Math.floor(now / 1e6);
    if (s !== second) {
      second = s;
      secondRecords.fill(0);
      secondBytes.fill(0);
    }
    for (let i = 0; i < inBatch; i++) {
      const shard = shardOfKey[keyOf[i]!]!;
      if (secondRecords[shard]! < SHARD_RECORDS && secondBytes[shard]! + bytesOf[i]! <= SHARD_BYTES) {
        secondRecords[shard]!++;
        secondBytes[shard]! += bytesOf[i]!;
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
    t += Math.round(traffic.exponential(ratePerUs));
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
  return { records, accepted, wallSeconds, nsPerRecord: (wallSeconds * 1e9) / Math.max(1, records) };
}
