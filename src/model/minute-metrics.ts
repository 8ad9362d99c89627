// The one-minute view of the stream that CloudWatch gives and that capacity policies act on:
// per minute, the stream's IncomingRecords, IncomingBytes and WriteProvisionedThroughputExceeded
// sums and its open shards, and each open shard's own minute.

import type { Simulation } from "../engine/simulation.js";
import { US_PER_MIN } from "../engine/time.js";
import type { Shard } from "./shard.js";
import type { Stream } from "./stream.js";

/** One minute of the stream, as CloudWatch sums it. */
export interface StreamMinute {
  /** Start of the minute, µs. */
  startUs: number;
  incomingRecords: number;
  incomingBytes: number;
  throttledRecords: number;
  openShards: number;
  /** Largest consumer iterator age seen in the minute, ms (0 without consumers). */
  iteratorAgeMaxMs: number;
}

/** One minute of one shard. */
export interface ShardMinute {
  shard: Shard;
  records: number;
  bytes: number;
  throttled: number;
}

/** Keeps the stream's recent minutes and tells listeners when one ends. */
export class MinuteMetrics {
  readonly history: StreamMinute[] = [];
  private readonly listeners: ((minute: StreamMinute, shards: ShardMinute[]) => void)[] = [];
  private readonly keep: number;

  constructor(
    sim: Simulation,
    private readonly stream: Stream,
    private readonly iteratorAgeMs: () => number,
    /** Minutes of history to keep. */
    keepMinutes = 120,
  ) {
    this.keep = keepMinutes;
    sim.every(US_PER_MIN, (t) => this.close(t));
  }

  /** Calls `listener` at the end of every minute with its stream and shard sums. */
  onMinute(listener: (minute: StreamMinute, shards: ShardMinute[]) => void): void {
    this.listeners.push(listener);
  }

  private close(endUs: number): void {
    const shards: ShardMinute[] = [];
    const minute: StreamMinute = {
      startUs: endUs - US_PER_MIN,
      incomingRecords: 0,
      incomingBytes: 0,
      throttledRecords: 0,
      openShards: this.stream.openCount,
      iteratorAgeMaxMs: this.iteratorAgeMs(),
    };
    for (const shard of this.stream.shards) {
      if (shard.minuteRecords === 0 && shard.minuteThrottled === 0 && !shard.open) continue;
      minute.incomingRecords += shard.minuteRecords;
      minute.incomingBytes += shard.minuteBytes;
      minute.throttledRecords += shard.minuteThrottled;
      if (shard.open)
        shards.push({
          shard,
          records: shard.minuteRecords,
          bytes: shard.minuteBytes,
          throttled: shard.minuteThrottled,
        });
      shard.minuteRecords = 0;
      shard.minuteBytes = 0;
      shard.minuteThrottled = 0;
    }
    this.history.push(minute);
    if (this.history.length > this.keep) this.history.shift();
    for (const listener of this.listeners) listener(minute, shards);
  }
}
