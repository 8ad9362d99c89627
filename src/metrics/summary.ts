// The shape of a run's summary (summary.json): totals, rates, latency percentiles, the hottest
// shard, per-producer lines, the conservation ledger and SLO verdicts. Plain data only.

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** The conservation ledger of the write path: produced = accepted + inFlight + dropped + rejected. */
export interface WriteLedger {
  produced: number;
  accepted: number;
  inFlight: number;
  /** Given up after the last retry or the record's TTL. */
  dropped: number;
  /** Refused by the API as invalid (over the maximum record size). */
  rejected: number;
  balanced: boolean;
}

/** How an SLO came out. `notMeasured`: the scenario has nothing it measures (e.g. no consumers). */
export type SloOutcome = "met" | "notMet" | "notMeasured";

/**
 * The stream's demand per calendar second: records sent for the first time (retries apart), for
 * the stream and per shard. "Noise" is the second-to-second variance (half the mean squared change
 * between neighbouring seconds), which leaves out slow trends such as a rate profile's.
 */
export interface DemandSummary {
  seconds: number;
  streamMeanPerSecond: number;
  streamNoiseVariance: number;
  /** Mean records per shard-second, and the noise variance pooled over shards. */
  shardMeanPerSecond: number;
  shardNoiseVariance: number;
  /** The busiest shard-second, in records and (separately) in bytes. */
  shardMaxPerSecond: number;
  shardMaxBytesPerSecond: number;
  /** Attempts beyond the first, per first attempt. */
  retriedAttemptsPerRecord: number;
}

/** One SLO verdict. */
export interface SloVerdict {
  name: string;
  threshold: string;
  /** The measured value (a fraction, or milliseconds); null when not measured. */
  actual: number | null;
  unit: string;
  verdict: SloOutcome;
  /** Why it was not measured ("no consumers"); only with `notMeasured`. */
  reason?: string;
  /** The window it holds over: "run", or a length such as "1m" (`actual` is then the worst window's). */
  over?: string;
  /** The value over the whole run, beside the worst window's. */
  wholeRun?: number | null;
  /** When the worst window began, seconds into the run. */
  worstAtSeconds?: number;
}

/** The worst windows of one length that the SLOs asked for. */
export interface SloWindowSummary {
  /** Window length, seconds. */
  overSeconds: number;
  /** Complete windows (0: the run was shorter, and the whole run stood in for one). */
  windows: number;
  /** Worst value of each windowed metric (a fraction, or ms) and when its window began (s). */
  worst: Record<string, { value: number; atSeconds: number }>;
}

/** Summary of one producer fleet. */
export interface ProducerSummary {
  name: string;
  /** The stream or delivery stream it writes to. */
  target: string;
  produced: number;
  accepted: number;
  dropped: number;
  rejected: number;
  inFlightAtEnd: number;
  retried: number;
  firstAttemptThrottledFraction: number;
  putLatencyMs: LatencySummary;
  /** The client that sends its records: the SDK send loop, the KPL, or the Kinesis Agent. */
  client: "sdk" | "kpl" | "agent";
  /** What the KPL did with its records (KPL producers only). */
  kpl?: KplSummary;
}

/** A KPL producer's aggregation, collection, rate limiting and errors over the run. */
export interface KplSummary {
  /** Kinesis records put and their bytes on the wire (aggregation overhead and keys included). */
  kinesisRecordsPut: number;
  kinesisBytesPut: number;
  /** User records per Kinesis record and Kinesis records per PutRecords request (as sent). */
  userRecordsPerKinesisRecord: number;
  kinesisRecordsPerRequest: number;
  putRecordsRequests: number;
  /** PUT payload units (25 KB each) the records put are billed for. */
  putPayloadUnits: number;
  /** Bytes of the records put, each rounded up to 1 KB (on-demand's data-in charge). */
  billedBytes1k: number;
  /** Mean time a user record waited in the KPL's buffers before its request was sent, and mean request time. */
  bufferingTimeMsMean: number;
  requestTimeMsMean: number;
  /** Errors by code, in Kinesis records (throttled, expired in the limiter) and requests (timed out). */
  errorsThrottled: number;
  errorsExpired: number;
  requestTimeouts: number;
  /** User records that landed on a shard the KPL's map did not predict, and were sent again. */
  wrongShard: number;
  /** User records that expired (RecordTtl) before they were put. */
  userRecordsExpired: number;
  /** Retries per user record finished (put or failed). */
  retriesPerRecord: number;
  /** Most user records the per-shard rate limiters held in the client at once. */
  rateLimiterHeldMax: number;
}

/** Summary of one consumer. */
export interface ConsumerSummary {
  name: string;
  kind: string;
  /** User records handed to the consumer (GetRecords responses, EFO events, Lambda batches). */
  delivered: number;
  /** The Kinesis records those were: fewer when a KPL producer aggregated them. */
  deliveredKinesisRecords: number;
  processed: number;
  duplicates: number;
  expired: number;
  discarded: number;
  toDestination: number;
  unreadAtEnd: number;
  getRecordsCalls: number;
  readThrottledCalls: number;
  iteratorAgeMaxMs: number;
  millisBehindLatestMaxMs: number;
  /** Arrival at the shard → delivered to the consumer. */
  readDelayMs: LatencySummary;
  /** Record creation → processed. */
  endToEndLatencyMs: LatencySummary;
  /**
   * Per-key order as processed (record resolution, named keys): records processed after a
   * later-created record of their key, the keys that had one, and the largest gap in creation time.
   * `checked` is 0 when nothing could be checked (cohort resolution, or random keys only).
   */
  order: { checked: number; outOfOrder: number; keysAffected: number; maxDisplacementMs: number };
  lambda?: {
    invocations: number;
    errors: number;
    throttles: number;
    durationMs: LatencySummary;
    concurrencyMax: number;
  };
  /** accepted = processed + unread + expired + discarded + toDestination + skipped. */
  ledger: {
    accepted: number;
    processed: number;
    unread: number;
    expired: number;
    discarded: number;
    toDestination: number;
    skipped: number;
    balanced: boolean;
  };
}

/** How capacity changed during a run. */
export interface CapacitySummary {
  /** Capacity mode at the end of the run. */
  mode: string;
  openShardsAtEnd: number;
  maxOpenShards: number;
  /** Shards ever created (initial, children, intermediate). */
  shardsCreated: number;
  /** Sum over time of open shards, in shard-hours (what provisioned streams are billed for). */
  shardHours: number;
  actionsDone: number;
  actionsRefused: number;
  actions: {
    at: number;
    action: string;
    from: number;
    to: number;
    reason: string;
    result: string;
    detail: string;
  }[];
}

/** One stage of the path a record takes to a destination, for the latency decomposition. */
export interface LatencyStage {
  stage: string;
  meanMs: number;
  p99Ms: number;
}

/** Summary of one Firehose delivery stream. */
export interface FirehoseSummary {
  name: string;
  /** "direct-put", or the stream it reads. */
  source: string;
  destination: string;
  /** The metric prefix of the destination (DeliveryToS3, …). */
  metricPrefix: string;
  bufferSizeBytes: number;
  bufferIntervalSeconds: number;
  incomingRecords: number;
  incomingBytes: number;
  throttledRecords: number;
  throttledRequests: number;
  /** Ingest as billed: each record rounded up to the next 5 KB. */
  billedBytes: number;
  objects: number;
  /** Mean object size in bytes (as written). */
  objectBytesMean: number;
  deliveredRecords: number;
  deliveredBytes: number;
  deliveryAttempts: number;
  deliveryFailures: number;
  maxActivePartitions: number;
  partitionExceededRecords: number;
  transformInvocations: number;
  transformErrors: number;
  processingFailedRecords: number;
  backupRecords: number;
  backupAllRecords: number;
  lostRecords: number;
  /** Largest DataFreshness seen at the end of an interval, seconds. */
  maxDataFreshnessSeconds: number;
  /** Ingest → delivered. */
  deliveryLatencyMs: LatencySummary;
  /** Record creation → delivered. */
  endToEndLatencyMs: LatencySummary;
  /**
   * The path from the first producer to the destination, stage by stage (put, read, process and
   * window, buffer and deliver); the means add up to the mean end-to-end latency.
   */
  stages: LatencyStage[];
  /** Sum of the stages' means. */
  pathMeanMs: number;
  /** ingested = delivered + buffered + inDelivery + failed + backedUp + lost. */
  ledger: {
    ingested: number;
    delivered: number;
    buffered: number;
    inDelivery: number;
    failed: number;
    backedUp: number;
    lost: number;
    balanced: boolean;
  };
}

/** Summary of one analytics application. */
export interface AnalyticsSummary {
  name: string;
  runtime: string;
  source: string;
  sink: string;
  parallelism: number;
  kpus: number;
  recordsIn: number;
  recordsOut: number;
  windowsEmitted: number;
  /** Mean share of subtask time spent processing. */
  utilization: number;
  maxLagMs: number;
  restarts: number;
  duplicates: number;
  /** Record creation → the output its window emitted. */
  emitLatencyMs: LatencySummary;
  /** Processed → emitted (waiting for the window to close). */
  windowWaitMs: LatencySummary;
}

/** Summary of an SQS FIFO queue. */
export interface QueueSummary {
  name: string;
  highThroughput: boolean;
  /** Calls/s per API action. */
  transactionsPerSecond: number;
  /** Messages/s one API action can carry: calls/s × 10 with batching. */
  messagesPerSecondCeiling: number;
  workers: number;
  /** Message groups seen. */
  groups: number;
  sent: number;
  sendThrottled: number;
  processed: number;
  redelivered: number;
  duplicates: number;
  maxInFlightGroups: number;
  maxBusyWorkers: number;
  throttledCalls: number;
  /** Creation → deleted. */
  latencyMs: LatencySummary;
  order: { checked: number; outOfOrder: number; keysAffected: number; maxDisplacementMs: number };
  /** sent = processed + queued + in flight. */
  ledger: { sent: number; processed: number; queued: number; inFlight: number; balanced: boolean };
}

/** Summary of a stream besides the scenario's. */
export interface ExtraStreamSummary {
  name: string;
  openShards: number;
  incomingRecords: number;
  throttledRecords: number;
}

/** Whether the stream's capacity changed during a run (or could have: on-demand, a scaling policy). */
export function capacityChanged(c: CapacitySummary): boolean {
  return c.actions.length > 0 || c.mode !== "provisioned" || c.shardsCreated > c.openShardsAtEnd;
}

/** Summary of a run. */
export interface RunSummary {
  /** Set when the run was stopped before its end (a signal): the numbers cover [0, atSeconds). */
  interrupted?: { atSeconds: number; reason: string };
  scenario: string;
  seed: string;
  resolution: string;
  durationSeconds: number;
  events: number;
  /** Length of one row of the time series, seconds. */
  metricsIntervalSeconds: number;
  stream: {
    name: string;
    /** False when the scenario declares no stream (producers write only to delivery streams). */
    declared: boolean;
    mode: string;
    openShards: number;
    limiter: string;
    /** Per-shard write limits. */
    recordsPerSecondLimit: number;
    bytesPerSecondLimit: number;
  };
  /** The write path of the producers that write to the scenario's stream. */
  records: {
    produced: number;
    accepted: number;
    dropped: number;
    /** Refused by the API as invalid (over the maximum record size). */
    rejected: number;
    inFlightAtEnd: number;
    retried: number;
    throttledAttempts: number;
    firstAttempts: number;
    firstAttemptsThrottled: number;
    /** Kinesis records accepted by the stream (IncomingRecords): fewer than the user records
     *  accepted when a client aggregates them. */
    incomingRecords: number;
  };
  /** User records' bytes, and the Kinesis records' bytes the stream accepted (IncomingBytes). */
  bytes: { produced: number; accepted: number; dropped: number; incoming: number };
  throttle: {
    /** Share of records throttled on their first attempt. */
    firstAttemptFraction: number;
    /** Share of all attempts (retries included) throttled, in Kinesis records. */
    attemptFraction: number;
    /** Shards that throttled at least one record. */
    shardsThrottling: number;
  };
  /** Shares of produced records: dropped after retries, rejected as invalid, and both (lost). */
  loss: { droppedFraction: number; rejectedFraction: number; lostFraction: number };
  putLatencyMs: LatencySummary;
  /** The shard that was sent the most records (first attempts: retries do not make a shard hot). */
  hottestShard: {
    shardId: string;
    /** Its share of the records sent to the stream (first attempts). */
    share: number;
    /** Its share of the bytes sent to the stream (first attempts). */
    bytesShare: number;
    /** Attempts it was sent beyond the first: retries of records it throttled (and of others). */
    retriedAttempts: number;
    peakRecordsPerSecond: number;
    peakRecordsUtilization: number;
    peakBytesPerSecond: number;
    peakBytesUtilization: number;
    peakSecond: number;
  };
  /** What the producers asked of the stream, second by second (first attempts, before limits). */
  demand: DemandSummary;
  producers: ProducerSummary[];
  consumers: ConsumerSummary[];
  /** Streams besides the scenario's (analytics outputs). */
  streams: ExtraStreamSummary[];
  firehose: FirehoseSummary[];
  analytics: AnalyticsSummary[];
  queues: QueueSummary[];
  capacity: CapacitySummary;
  ledger: WriteLedger;
  /** The worst windows of the lengths the SLOs hold over (empty without windowed SLOs). */
  sloWindows: SloWindowSummary[];
  slo: SloVerdict[];
  /** No SLO was not met (SLOs with nothing to measure do not count either way). */
  sloMet: boolean;
}
