// Turns the components' counters into the run's tables, one row per metrics interval, streamed to
// the sink as the run goes: timeseries.csv (stream totals, CloudWatch names) and shards.csv.

import type { Simulation } from "../engine/simulation.js";
import { US_PER_MS, US_PER_S } from "../engine/time.js";
import { LatencyHistogram } from "../metrics/latency-histogram.js";
import type { Cell, RunSink, TableSink } from "../metrics/sink.js";
import { WriteCounters } from "../metrics/write-counters.js";
import type { Producer } from "./producer.js";
import type { Stream } from "./stream.js";

/** Columns of timeseries.csv. */
export const TIMESERIES_COLUMNS = [
  "Time",
  "ProducedRecords",
  "IncomingRecords",
  "IncomingBytes",
  "PutRecords.TotalRecords",
  "PutRecords.SuccessfulRecords",
  "PutRecords.ThrottledRecords",
  "PutRecord.Success",
  "WriteProvisionedThroughputExceeded",
  "FirstAttemptRecords",
  "FirstAttemptThrottledRecords",
  "RetriedRecords",
  "DroppedRecords",
  "BufferedRecords",
  "InFlightRecords",
  "PutLatency.p50",
  "PutLatency.p90",
  "PutLatency.p99",
  "PutLatency.Max",
  "OpenShards",
] as const;

/** Columns of shards.csv. */
export const SHARD_COLUMNS = [
  "Time",
  "ShardId",
  "IncomingRecords",
  "IncomingBytes",
  "WriteProvisionedThroughputExceeded",
  "RecordsUtilization",
  "BytesUtilization",
] as const;

/** Rounds for output: enough digits to be useful, few enough to read. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Writes interval rows for a stream and its producers. */
export class RunRecorder {
  private readonly timeseries: TableSink;
  private readonly shardsTable: TableSink;
  private readonly row = new WriteCounters();
  private readonly latency = new LatencyHistogram();
  private intervalStartUs = 0;

  constructor(
    sim: Simulation,
    private readonly stream: Stream,
    private readonly producers: readonly Producer[],
    sink: RunSink,
    intervalUs: number,
  ) {
    this.timeseries = sink.open("timeseries", TIMESERIES_COLUMNS);
    this.shardsTable = sink.open("shards", SHARD_COLUMNS);
    sim.every(intervalUs, (t) => this.flush(t));
  }

  /** Writes the last, possibly partial, interval. */
  finish(endUs: number): void {
    if (endUs > this.intervalStartUs) this.flush(endUs);
  }

  private flush(boundaryUs: number): void {
    const lengthS = (boundaryUs - this.intervalStartUs) / US_PER_S;
    const time = round(this.intervalStartUs / US_PER_S, 6);
    const c = this.row;
    c.reset();
    this.latency.reset();
    let buffered = 0;
    let pending = 0;
    for (const p of this.producers) {
      p.interval.addTo(c);
      this.latency.add(p.latency);
      buffered += p.bufferedRecords();
      pending += p.pendingRecords;
      p.closeInterval();
    }
    const ms = (us: number) => round(us / US_PER_MS);
    const lat = this.latency;
    const values: Cell[] = [
      time,
      c.produced,
      c.accepted,
      c.acceptedBytes,
      c.putRecordsTotal,
      c.putRecordsSuccessful,
      c.putRecordsThrottled,
      c.putRecordSuccessful,
      c.throttled,
      c.firstAttempts,
      c.firstAttemptsThrottled,
      c.retried,
      c.dropped,
      buffered,
      pending,
      ms(lat.percentile(50)),
      ms(lat.percentile(90)),
      ms(lat.percentile(99)),
      ms(lat.max),
      this.stream.openCount,
    ];
    this.timeseries.write(values);
    const recordCapacity = this.stream.recordsPerSecondLimit * lengthS;
    const byteCapacity = this.stream.bytesPerSecondLimit * lengthS;
    for (const shard of this.stream.shards) {
      if (!shard.open && shard.intervalRecords === 0 && shard.intervalThrottled === 0) continue;
      this.shardsTable.write([
        time,
        shard.id,
        shard.intervalRecords,
        shard.intervalBytes,
        shard.intervalThrottled,
        round((100 * shard.intervalRecords) / recordCapacity, 2),
        round((100 * shard.intervalBytes) / byteCapacity, 2),
      ]);
      shard.resetInterval();
    }
    this.intervalStartUs = boundaryUs;
  }
}
