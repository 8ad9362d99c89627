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

/** The conservation ledger of the write path: produced = accepted + inFlight + dropped. */
export interface WriteLedger {
  produced: number;
  accepted: number;
  inFlight: number;
  dropped: number;
  balanced: boolean;
}

/** One SLO verdict. */
export interface SloVerdict {
  name: string;
  threshold: string;
  actual: number;
  unit: string;
  met: boolean;
}

/** Summary of one producer fleet. */
export interface ProducerSummary {
  name: string;
  produced: number;
  accepted: number;
  dropped: number;
  inFlightAtEnd: number;
  retried: number;
  firstAttemptThrottledFraction: number;
  putLatencyMs: LatencySummary;
}

/** Summary of one consumer. */
export interface ConsumerSummary {
  name: string;
  kind: string;
  delivered: number;
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

/** Whether the stream's capacity changed during a run (or could have: on-demand, a scaling policy). */
export function capacityChanged(c: CapacitySummary): boolean {
  return c.actions.length > 0 || c.mode !== "provisioned" || c.shardsCreated > c.openShardsAtEnd;
}

/** Summary of a run. */
export interface RunSummary {
  scenario: string;
  seed: string;
  resolution: string;
  durationSeconds: number;
  events: number;
  /** Length of one row of the time series, seconds. */
  metricsIntervalSeconds: number;
  stream: {
    name: string;
    mode: string;
    openShards: number;
    limiter: string;
    /** Per-shard write limits. */
    recordsPerSecondLimit: number;
    bytesPerSecondLimit: number;
  };
  records: {
    produced: number;
    accepted: number;
    dropped: number;
    inFlightAtEnd: number;
    retried: number;
    throttledAttempts: number;
    firstAttempts: number;
    firstAttemptsThrottled: number;
  };
  bytes: { produced: number; accepted: number; dropped: number };
  throttle: {
    /** Share of records throttled on their first attempt. */
    firstAttemptFraction: number;
    /** Share of all attempts (retries included) throttled. */
    attemptFraction: number;
    /** Shards that throttled at least one record. */
    shardsThrottling: number;
  };
  loss: { droppedFraction: number };
  putLatencyMs: LatencySummary;
  hottestShard: {
    shardId: string;
    share: number;
    peakRecordsPerSecond: number;
    peakRecordsUtilization: number;
    peakBytesPerSecond: number;
    peakBytesUtilization: number;
    peakSecond: number;
  };
  producers: ProducerSummary[];
  consumers: ConsumerSummary[];
  capacity: CapacitySummary;
  ledger: WriteLedger;
  slo: SloVerdict[];
  sloMet: boolean;
}
