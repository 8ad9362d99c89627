// Turns the components' counters into the run's tables, one row per metrics interval, streamed to
// the sink as the run goes: timeseries.csv (stream totals, CloudWatch names) and shards.csv.

import type { Simulation } from "../engine/simulation.js";
import { US_PER_MS, US_PER_S } from "../engine/time.js";
import { LatencyHistogram } from "../metrics/latency-histogram.js";
import type { Cell, RunSink, TableSink } from "../metrics/sink.js";
import { WriteCounters } from "../metrics/write-counters.js";
import type { CapacityManager } from "./capacity.js";
import type { Consumer } from "./consumers/consumer.js";
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
  "ClosedShards",
  "StreamStatus",
  "CapacityMode",
  "WriteCapacityBytesPerSecond",
] as const;

/** Columns of scaling.csv: every capacity action, done or refused. */
export const SCALING_COLUMNS = ["Time", "Action", "From", "To", "Reason", "Result", "Detail"] as const;

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

/** Columns of consumer-<name>.csv (every kind writes them all; those that do not apply are 0). */
export const CONSUMER_COLUMNS = [
  "Time",
  "DeliveredRecords",
  "DeliveredBytes",
  "ProcessedRecords",
  "DuplicateRecords",
  "ExpiredRecords",
  "DiscardedRecords",
  "DestinationRecords",
  "UnreadRecords",
  "GetRecords.Success",
  "ReadProvisionedThroughputExceeded",
  "SubscribeToShardEvent.Success",
  "IteratorAgeMilliseconds",
  "SubscribeToShardEvent.MillisBehindLatest",
  "ReadDelay.Average",
  "EndToEndLatency.p50",
  "EndToEndLatency.p90",
  "EndToEndLatency.p99",
  "EndToEndLatency.Max",
  "Invocations",
  "Errors",
  "Throttles",
  "Duration.p50",
  "Duration.p99",
  "ConcurrentExecutions",
] as const;

/** Rounds for output: enough digits to be useful, few enough to read. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Writes interval rows for a stream, its producers and its consumers. */
export class RunRecorder {
  private readonly timeseries: TableSink;
  private readonly shardsTable: TableSink;
  private readonly consumerTables: TableSink[];
  private readonly scalingTable: TableSink;
  private actionsWritten = 0;
  private readonly row = new WriteCounters();
  private readonly latency = new LatencyHistogram();
  private intervalStartUs = 0;

  constructor(
    sim: Simulation,
    private readonly stream: Stream,
    private readonly producers: readonly Producer[],
    private readonly consumers: readonly Consumer[],
    private readonly capacity: CapacityManager,
    sink: RunSink,
    intervalUs: number,
  ) {
    this.timeseries = sink.open("timeseries", TIMESERIES_COLUMNS);
    this.shardsTable = sink.open("shards", SHARD_COLUMNS);
    this.consumerTables = consumers.map((c) => sink.open(`consumer-${c.name}`, CONSUMER_COLUMNS));
    this.scalingTable = sink.open("scaling", SCALING_COLUMNS);
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
    let buffered = 0;
    let pending = 0;
    // One producer's histogram is read as it is; several are merged for the stream's row.
    const single = this.producers.length === 1 ? this.producers[0]!.latency.interval : undefined;
    if (!single) this.latency.reset();
    for (const p of this.producers) {
      p.interval.addTo(c);
      if (!single) this.latency.add(p.latency.interval);
      buffered += p.bufferedRecords();
      pending += p.pendingRecords;
    }
    const ms = (us: number) => round(us / US_PER_MS);
    const lat = single ?? this.latency;
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
      this.stream.shards.length - this.stream.openCount,
      this.capacity.status,
      this.capacity.mode,
      this.stream.openCount * this.stream.bytesPerSecondLimit,
    ];
    this.timeseries.write(values);
    const actions = this.capacity.actions;
    for (; this.actionsWritten < actions.length; this.actionsWritten++) {
      const a = actions[this.actionsWritten]!;
      this.scalingTable.write([
        round(a.atUs / US_PER_S, 6),
        a.action,
        a.from,
        a.to,
        a.reason,
        a.result,
        a.message,
      ]);
    }
    for (const p of this.producers) p.closeInterval();
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
    this.consumers.forEach((consumer, i) => {
      this.consumerTables[i]!.write(this.consumerRow(consumer, time));
    });
    this.stream.trimLogs(boundaryUs);
    this.intervalStartUs = boundaryUs;
  }

  private consumerRow(consumer: Consumer, time: number): Cell[] {
    const m = consumer.metrics;
    const c = m.interval;
    const ms = (us: number) => round(us / US_PER_MS);
    const row: Cell[] = [
      time,
      c.delivered,
      c.deliveredBytes,
      c.processed,
      c.duplicates,
      c.expired,
      c.discarded,
      c.toDestination,
      consumer.unread(),
      c.calls,
      c.throttledCalls,
      c.events,
      round(c.iteratorAgeMaxMs),
      round(c.millisBehindLatestMaxMs),
      ms(m.readDelay.interval.mean),
      ms(m.endToEnd.interval.percentile(50)),
      ms(m.endToEnd.interval.percentile(90)),
      ms(m.endToEnd.interval.percentile(99)),
      ms(m.endToEnd.interval.max),
      c.invocations,
      c.errors,
      c.throttles,
      ms(m.duration.interval.percentile(50)),
      ms(m.duration.interval.percentile(99)),
      Math.max(c.concurrencyMax, consumer.concurrency()),
    ];
    m.closeInterval();
    return row;
  }
}
