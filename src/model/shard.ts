// One shard: its hash-key range and lineage, its write limiter, and the counters the metrics
// read each interval (including the busiest calendar second, for "hottest shard" verdicts).

import { US_PER_S } from "../engine/time.js";
import { SecondSeries } from "../metrics/second-series.js";
import { type HashKeyRange, hashFraction, rangeShare, shardIdOf } from "./hash-space.js";
import type { WriteLimiter } from "./limiter.js";
import type { ReadLimiter } from "./read-limiter.js";
import type { ShardLog } from "./shard-log.js";

/** A shard of a stream. */
export class Shard {
  /** `shardId-000000000000` style id. */
  readonly id: string;
  /** Position of the range start in [0, 1), for routing random keys. */
  readonly startFraction: number;
  /** Share of the hash space the range covers. */
  readonly shareOfSpace: number;
  open = true;
  parentShardId: string | undefined;
  adjacentParentShardId: string | undefined;
  /** When the shard was created and (if it is closed) closed, µs. */
  createdAtUs = 0;
  closedAtUs: number | undefined;

  // Counters of the current metrics interval.
  intervalRecords = 0;
  intervalBytes = 0;
  intervalThrottled = 0;
  intervalThrottledBytes = 0;
  /** Records (and bytes) sent to this shard for the first time: its share of the traffic. */
  intervalFirstAttempts = 0;
  intervalFirstAttemptBytes = 0;
  // Counters of the current minute (read by capacity policies, which see one-minute metrics).
  minuteRecords = 0;
  minuteBytes = 0;
  minuteThrottled = 0;
  // Run totals.
  totalRecords = 0;
  totalBytes = 0;
  totalThrottled = 0;
  totalThrottledBytes = 0;
  totalFirstAttempts = 0;
  totalFirstAttemptBytes = 0;
  /** Records and bytes sent here for the first time, per calendar second (demand without retries). */
  readonly firstAttemptSeconds = new SecondSeries();
  readonly firstAttemptByteSeconds = new SecondSeries();
  // Busiest calendar second so far.
  peakRecordsPerSecond = 0;
  peakBytesPerSecond = 0;
  peakSecond = 0;
  private second = -1;
  private secondRecords = 0;
  private secondBytes = 0;

  constructor(
    /** Creation number: the digits of the id. */
    readonly number: number,
    readonly range: HashKeyRange,
    readonly limiter: WriteLimiter,
    /** Accepted records, for consumers. */
    readonly log: ShardLog,
    /** GetRecords limits shared by the polling consumers. */
    readonly readLimiter: ReadLimiter,
  ) {
    this.id = shardIdOf(number);
    this.startFraction = hashFraction(range.start);
    this.shareOfSpace = rangeShare(range);
  }

  /** Counts `records` accepted (`bytes` actual bytes) at `nowUs`. */
  recordAccepted(nowUs: number, records: number, bytes: number): void {
    const second = Math.floor(nowUs / US_PER_S);
    if (second !== this.second) {
      this.closeSecond();
      this.second = second;
    }
    this.secondRecords += records;
    this.secondBytes += bytes;
    this.intervalRecords += records;
    this.intervalBytes += bytes;
    this.minuteRecords += records;
    this.minuteBytes += bytes;
    this.totalRecords += records;
    this.totalBytes += bytes;
  }

  /** Counts `records` rejected with ProvisionedThroughputExceeded (`bytes` actual bytes) at `nowUs`. */
  recordThrottled(_nowUs: number, records: number, bytes: number): void {
    this.intervalThrottled += records;
    this.intervalThrottledBytes += bytes;
    this.minuteThrottled += records;
    this.totalThrottled += records;
    this.totalThrottledBytes += bytes;
  }

  /** Counts `records` (`bytes`) sent to this shard for the first time (retries are not counted). */
  recordFirstAttempts(nowUs: number, records: number, bytes: number): void {
    const second = Math.floor(nowUs / US_PER_S);
    this.firstAttemptSeconds.add(second, records);
    this.firstAttemptByteSeconds.add(second, bytes);
    this.intervalFirstAttempts += records;
    this.intervalFirstAttemptBytes += bytes;
    this.totalFirstAttempts += records;
    this.totalFirstAttemptBytes += bytes;
  }

  /** AWS-style sequence number of the record `ordinal` of this shard: a decimal string that
   *  increases within the shard, and is larger in shards created later. */
  sequenceNumber(ordinal: number): string {
    // The prefix is fixed once the shard exists (its creation time is set right after construction).
    if (this.sequencePrefixAtUs !== this.createdAtUs) {
      this.sequencePrefix = `49${String(this.number).padStart(6, "0")}${String(this.createdAtUs).padStart(17, "0")}`;
      this.sequencePrefixAtUs = this.createdAtUs;
    }
    return `${this.sequencePrefix}${String(ordinal).padStart(20, "0")}`;
  }

  private sequencePrefix = "";
  private sequencePrefixAtUs = -1;

  /** Ends the run's per-second demand statistics (at the end of a run). */
  finishSeconds(): void {
    this.closeSecond();
    this.firstAttemptSeconds.finish();
    this.firstAttemptByteSeconds.finish();
  }

  /** Folds the second in progress into the peaks (call before reading them at the end). */
  closeSecond(): void {
    if (this.secondRecords > this.peakRecordsPerSecond) {
      this.peakRecordsPerSecond = this.secondRecords;
      this.peakSecond = this.second;
    }
    if (this.secondBytes > this.peakBytesPerSecond) this.peakBytesPerSecond = this.secondBytes;
    this.secondRecords = 0;
    this.secondBytes = 0;
  }

  /** Ends a metrics interval: its counters start again from zero. */
  closeInterval(): void {
    this.intervalRecords = 0;
    this.intervalBytes = 0;
    this.intervalThrottled = 0;
    this.intervalThrottledBytes = 0;
    this.intervalFirstAttempts = 0;
    this.intervalFirstAttemptBytes = 0;
  }
}
