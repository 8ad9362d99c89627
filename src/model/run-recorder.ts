// Turns the components' counters into the run's tables, one row per metrics interval, streamed to
// the sink as the run goes: timeseries.csv (stream totals, CloudWatch names) and shards.csv.

import type { Simulation } from "../engine/simulation.js";
import { US_PER_MS, US_PER_S } from "../engine/time.js";
import { LatencyHistogram } from "../metrics/latency-histogram.js";
import type { Cell, RunSink, TableSink } from "../metrics/sink.js";
import { WriteCounters } from "../metrics/write-counters.js";
import type { AnalyticsApp } from "./analytics.js";
import type { CapacityManager } from "./capacity.js";
import type { Consumer } from "./consumers/consumer.js";
import type { DeliveryStream } from "./firehose/delivery-stream.js";
import type { ProducerFleet } from "./producer-fleet.js";
import { SloWindows } from "./slo-windows.js";
import type { FifoQueue } from "./sqs/fifo-queue.js";
import type { Stream } from "./stream.js";

/** Columns of timeseries.csv. */
export const TIMESERIES_COLUMNS = [
  "Time",
  "ProducedRecords",
  "AcceptedRecords",
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
  "RejectedRecords",
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

/** Columns of stream-<name>.csv, for each stream besides the scenario's. */
export const STREAM_COLUMNS = [
  "Time",
  "ProducedRecords",
  "IncomingRecords",
  "IncomingBytes",
  "WriteProvisionedThroughputExceeded",
  "DroppedRecords",
  "UnsentRecords",
  "PutLatency.p50",
  "PutLatency.p99",
  "OpenShards",
] as const;

/** Columns of firehose-<name>.csv; the delivery columns take the destination's metric prefix. */
export function firehoseColumns(prefix: string): string[] {
  return [
    "Time",
    "IncomingRecords",
    "IncomingBytes",
    "IncomingPutRequests",
    "ThrottledRecords",
    "ProducerDroppedRecords",
    "BilledBytes",
    "BufferedRecords",
    "BufferedBytes",
    "BufferAgeSeconds",
    "PartitionCount",
    "PartitionCountExceeded",
    "ExecuteProcessing.Invocations",
    "ExecuteProcessing.Success",
    "SucceedProcessing.Records",
    "ProcessingFailedRecords",
    `${prefix}.Records`,
    `${prefix}.Bytes`,
    `${prefix}.Success`,
    `${prefix}.DataFreshness`,
    `${prefix}.ObjectCount`,
    "ObjectSize.Average",
    "InDeliveryRecords",
    "BackupToS3.Records",
    "BackupAllToS3.Records",
    "LostRecords",
    "DeliveryLatency.p50",
    "DeliveryLatency.p99",
    "EndToEndLatency.p50",
    "EndToEndLatency.p99",
  ];
}

/** Columns of analytics-<name>.csv. */
export const ANALYTICS_COLUMNS = [
  "Time",
  "RecordsIn",
  "BytesIn",
  "RecordsOut",
  "BytesOut",
  "WindowsEmitted",
  "BacklogRecords",
  "MillisBehindLatest",
  "KPUs",
  "SubtaskUtilization",
  "EmitLatency.p50",
  "EmitLatency.p99",
  "WindowWait.Average",
  "Restarts",
] as const;

/** Columns of queue-<name>.csv (SQS's CloudWatch names where it has them). */
export const QUEUE_COLUMNS = [
  "Time",
  "NumberOfMessagesSent",
  "SendThrottledMessages",
  "ReceiveCalls",
  "NumberOfEmptyReceives",
  "ThrottledCalls",
  "NumberOfMessagesDeleted",
  "RedeliveredMessages",
  "DuplicateDeliveries",
  "ApproximateNumberOfMessagesVisible",
  "ApproximateNumberOfMessagesNotVisible",
  "InFlightGroupsMax",
  "BusyWorkersMax",
  "EndToEndLatency.p50",
  "EndToEndLatency.p99",
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
  "ThrottledBytes",
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
  "DeliveredKinesisRecords",
] as const;

/** Rounds for output: enough digits to be useful, few enough to read. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The components whose metrics a run records. */
export interface RecordedParts {
  /** The scenario's stream first, then the extra streams. */
  streams: readonly Stream[];
  producers: readonly ProducerFleet[];
  consumers: readonly Consumer[];
  deliveryStreams: readonly DeliveryStream[];
  apps: readonly AnalyticsApp[];
  queues: readonly FifoQueue[];
  capacity: CapacityManager;
}

/** Writes interval rows for the streams, their producers, consumers, delivery streams and applications. */
export class RunRecorder {
  /** Rows are thrown away (a sweep or plan run): skip building the costly ones. */
  private readonly discards: boolean;
  private readonly timeseries: TableSink;
  private readonly shardsTable: TableSink;
  private readonly consumerTables: TableSink[];
  private readonly streamTables: TableSink[];
  private readonly firehoseTables: TableSink[];
  private readonly appTables: TableSink[];
  private readonly queueTables: TableSink[];
  private readonly scalingTable: TableSink;
  /** Producers' own metrics tables (the KPL's), by producer. */
  private readonly clientTables: { producer: ProducerFleet; table: TableSink }[];
  private actionsWritten = 0;
  private readonly row = new WriteCounters();
  private readonly latency = new LatencyHistogram();
  private intervalStartUs = 0;
  private readonly stream: Stream;
  private readonly capacity: CapacityManager;
  /** Producers by the name of the stream or delivery stream they write to. */
  private readonly writers = new Map<string, ProducerFleet[]>();
  /** The worst windows of the SLOs (undefined: no SLO asks for a window). */
  readonly sloWindows: SloWindows | undefined;

  constructor(
    sim: Simulation,
    private readonly parts: RecordedParts,
    sink: RunSink,
    intervalUs: number,
    /** Window lengths (µs) the SLOs hold over: the worst window of each is tracked. */
    sloWindowsUs: readonly number[] = [],
  ) {
    this.stream = parts.streams[0]!;
    this.capacity = parts.capacity;
    for (const p of parts.producers) {
      const list = this.writers.get(p.spec.target) ?? [];
      list.push(p);
      this.writers.set(p.spec.target, list);
    }
    this.discards = sink.discards === true;
    // The write path's interval latencies feed only the timeseries rows.
    if (this.discards) for (const p of parts.producers) p.latency.keepIntervals = false;
    this.sloWindows =
      sloWindowsUs.length > 0
        ? new SloWindows(sloWindowsUs, this.writers.get(this.stream.name) ?? [], parts.consumers)
        : undefined;
    this.timeseries = sink.open("timeseries", TIMESERIES_COLUMNS);
    this.shardsTable = sink.open("shards", SHARD_COLUMNS);
    this.consumerTables = parts.consumers.map((c) => sink.open(`consumer-${c.name}`, CONSUMER_COLUMNS));
    this.streamTables = parts.streams.slice(1).map((x) => sink.open(`stream-${x.name}`, STREAM_COLUMNS));
    this.firehoseTables = parts.deliveryStreams.map((d) =>
      sink.open(`firehose-${d.name}`, firehoseColumns(d.metricPrefix)),
    );
    this.appTables = parts.apps.map((a) => sink.open(`analytics-${a.name}`, ANALYTICS_COLUMNS));
    this.queueTables = parts.queues.map((q) => sink.open(`queue-${q.name}`, QUEUE_COLUMNS));
    this.scalingTable = sink.open("scaling", SCALING_COLUMNS);
    this.clientTables = parts.producers.flatMap((producer) =>
      producer.clientTable
        ? [{ producer, table: sink.open(producer.clientTable.name, producer.clientTable.columns) }]
        : [],
    );
    sim.every(intervalUs, (t) => this.flush(t));
  }

  /** Writes the last, possibly partial, interval. */
  finish(endUs: number): void {
    // Records a stream took whole this second are written to their shards before the books close.
    for (const x of this.parts.streams) x.settleDeferred(endUs);
    if (endUs > this.intervalStartUs) this.flush(endUs);
  }

  /** Sums the producers' interval counters into `this.row` and merges their latency. */
  private writePath(producers: readonly ProducerFleet[]) {
    const c = this.row;
    c.reset();
    let buffered = 0;
    let pending = 0;
    // One producer's histogram is read as it is; several are merged.
    const single = producers.length === 1 ? producers[0]!.latency.interval : undefined;
    if (!single) this.latency.reset();
    for (const p of producers) {
      p.interval.addTo(c);
      if (!single) p.latency.addIntervalTo(this.latency);
      buffered += p.bufferedRecords();
      pending += p.pendingRecords;
    }
    return { c, buffered, pending, lat: single ?? this.latency };
  }

  private flush(boundaryUs: number): void {
    this.sloWindows?.interval(boundaryUs);
    const lengthS = (boundaryUs - this.intervalStartUs) / US_PER_S;
    const time = round(this.intervalStartUs / US_PER_S, 6);
    const ms = (us: number) => round(us / US_PER_MS);
    if (!this.discards) this.writeTimeseries(time);
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
    this.parts.streams.slice(1).forEach((x, i) => {
      const w = this.writePath(this.writers.get(x.name) ?? []);
      this.streamTables[i]!.write([
        time,
        w.c.produced,
        w.c.accepted,
        w.c.acceptedBytes,
        w.c.throttled,
        w.c.dropped,
        w.buffered + w.pending,
        ms(w.lat.percentile(50)),
        ms(w.lat.percentile(99)),
        x.openCount,
      ]);
    });
    this.parts.deliveryStreams.forEach((d, i) => {
      const w = this.writePath(this.writers.get(d.name) ?? []);
      this.firehoseTables[i]!.write(this.firehoseRow(d, time, boundaryUs, w.c.dropped));
    });
    this.parts.queues.forEach((q, i) => {
      const c = q.interval;
      this.queueTables[i]!.write([
        time,
        c.sent,
        c.sendThrottled,
        c.receiveCalls,
        c.emptyReceives,
        c.callsThrottled,
        c.processed,
        c.redelivered,
        c.duplicates,
        q.queued,
        q.inFlight,
        c.inFlightGroupsMax,
        c.busyWorkersMax,
        ms(q.latency.interval.percentile(50)),
        ms(q.latency.interval.percentile(99)),
      ]);
      q.closeInterval();
    });
    this.parts.apps.forEach((a, i) => {
      this.appTables[i]!.write(this.appRow(a, time, lengthS));
    });
    for (const { producer, table } of this.clientTables) {
      const row = producer.clientTable!.row(time, lengthS);
      if (!this.discards) table.write(row);
    }
    for (const p of this.parts.producers) p.closeInterval();
    const recordCapacity = this.stream.recordsPerSecondLimit * lengthS;
    const byteCapacity = this.stream.bytesPerSecondLimit * lengthS;
    for (const shard of this.stream.shards) {
      if (!shard.open && shard.intervalRecords === 0 && shard.intervalThrottled === 0) continue;
      if (!this.discards)
        this.shardsTable.write([
          time,
          shard.id,
          shard.intervalRecords,
          shard.intervalBytes,
          shard.intervalThrottled,
          shard.intervalThrottledBytes,
          round((100 * shard.intervalRecords) / recordCapacity, 2),
          round((100 * shard.intervalBytes) / byteCapacity, 2),
        ]);
      shard.closeInterval();
    }
    for (const x of this.parts.streams.slice(1)) for (const shard of x.shards) shard.closeInterval();
    this.parts.consumers.forEach((consumer, i) => {
      this.consumerTables[i]!.write(this.consumerRow(consumer, time));
    });
    for (const x of this.parts.streams) x.trimLogs(boundaryUs);
    this.intervalStartUs = boundaryUs;
  }

  /** The timeseries row of the scenario's stream. */
  private writeTimeseries(time: number): void {
    const ms = (us: number) => round(us / US_PER_MS);
    const { c, buffered, pending, lat } = this.writePath(this.writers.get(this.stream.name) ?? []);
    const values: Cell[] = [
      time,
      c.produced,
      c.accepted,
      c.incomingRecords,
      c.incomingBytes,
      c.putRecordsTotal,
      c.putRecordsSuccessful,
      c.putRecordsThrottled,
      c.putRecordSuccessful,
      c.throttled,
      c.firstAttempts,
      c.firstAttemptsThrottled,
      c.retried,
      c.dropped,
      c.rejected,
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
  }

  private firehoseRow(d: DeliveryStream, time: number, nowUs: number, producerDropped: number): Cell[] {
    const c = d.interval;
    const ms = (us: number) => round(us / US_PER_MS);
    const row: Cell[] = [
      time,
      c.incomingRecords,
      c.incomingBytes,
      c.incomingRequests,
      c.throttledRecords,
      producerDropped,
      c.billedBytes,
      d.buffered(),
      d.bufferedBytes(),
      round(d.bufferAgeUs(nowUs) / US_PER_S),
      d.activePartitions(),
      c.partitionExceededRecords,
      c.transformInvocations,
      c.transformInvocations > 0 ? round(1 - c.transformErrors / c.transformInvocations, 4) : "",
      c.transformSucceededRecords,
      c.processingFailedRecords,
      c.deliveredRecords,
      c.deliveredBytes,
      c.deliveryAttempts > 0 ? round(1 - c.deliveryFailures / c.deliveryAttempts, 4) : "",
      round(d.freshnessUs(nowUs) / US_PER_S),
      c.objects,
      c.objects > 0 ? Math.round(c.objectBytes / c.objects) : "",
      d.inDelivery(),
      c.backupRecords,
      c.backupAllRecords,
      c.lostRecords,
      ms(d.deliveryLatency.interval.percentile(50)),
      ms(d.deliveryLatency.interval.percentile(99)),
      ms(d.endToEnd.interval.percentile(50)),
      ms(d.endToEnd.interval.percentile(99)),
    ];
    d.closeInterval(nowUs);
    return row;
  }

  private appRow(a: AnalyticsApp, time: number, lengthS: number): Cell[] {
    const c = a.interval;
    const ms = (us: number) => round(us / US_PER_MS);
    const row: Cell[] = [
      time,
      c.recordsIn,
      c.bytesIn,
      c.recordsOut,
      c.bytesOut,
      c.windowsEmitted,
      a.backlog(),
      round(a.metrics.interval.iteratorAgeMaxMs),
      a.spec.kpus,
      round((100 * c.busyUs) / (lengthS * US_PER_S * a.spec.parallelism), 2),
      ms(a.emitLatency.interval.percentile(50)),
      ms(a.emitLatency.interval.percentile(99)),
      ms(a.windowWait.interval.mean),
      c.restarts,
    ];
    a.closeInterval();
    return row;
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
      c.deliveredKinesis,
    ];
    m.closeInterval();
    return row;
  }
}
