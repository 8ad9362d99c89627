// The KPL's per-shard rate limiter (ShardLimiter): a token bucket with two streams — Kinesis
// records and bytes — each holding one second of the shard's limit and refilled at RateLimit % of
// it. A Kinesis record passes only when both streams have its tokens; the rest wait in the client.

import { US_PER_S } from "../../engine/time.js";

/** A two-stream token bucket (records, bytes) that starts full. */
export class ShardBucket {
  private records: number;
  private bytes: number;
  private lastUs = 0;
  private readonly recordsPerUs: number;
  private readonly bytesPerUs: number;

  constructor(
    /** Capacity: one second of the shard's limits (times the instances a group stands for). */
    readonly maxRecords: number,
    readonly maxBytes: number,
    /** Refill rate as a fraction of the capacity per second (1.5 for RateLimit 150). */
    rateFraction: number,
  ) {
    this.records = maxRecords;
    this.bytes = maxBytes;
    this.recordsPerUs = (maxRecords * rateFraction) / US_PER_S;
    this.bytesPerUs = (maxBytes * rateFraction) / US_PER_S;
  }

  private refill(nowUs: number): void {
    const dt = nowUs - this.lastUs;
    if (dt <= 0) return;
    this.records = Math.min(this.maxRecords, this.records + dt * this.recordsPerUs);
    this.bytes = Math.min(this.maxBytes, this.bytes + dt * this.bytesPerUs);
    this.lastUs = nowUs;
  }

  /**
   * Takes tokens for as many of `count` Kinesis records of `bytesEach` bytes as both streams allow,
   * in order; returns how many may pass now.
   */
  take(nowUs: number, count: number, bytesEach: number): number {
    this.refill(nowUs);
    let n = Math.min(count, Math.floor(this.records));
    if (bytesEach > 0) n = Math.min(n, Math.floor(this.bytes / bytesEach));
    // Never more than the tokens there are, whatever the rounding of the division.
    while (n > 0 && n * bytesEach > this.bytes) n--;
    if (n <= 0) return 0;
    this.records -= n;
    this.bytes -= n * bytesEach;
    return n;
  }
}
