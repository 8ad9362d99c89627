// AWS limits and defaults of the read side: shared-throughput GetRecords, enhanced fan-out, the
// Kinesis Client Library and Lambda event source mappings. Data with sources (see sources.ts),
// checked against the facts sheet of 2026-11.

import type { Fact } from "./sources.js";

const MiB = 1024 * 1024;

/** Shared-throughput reads (GetRecords). */
export const READS = {
  callsPerSecondPerShard: {
    value: 5,
    unit: "GetRecords calls/s per shard, shared by polling consumers",
    sources: ["KDS-Q-CUR", "BOTO-2026"],
  },
  bytesPerSecondPerShard: {
    value: 2 * MiB,
    unit: "bytes/s per shard, shared by polling consumers",
    sources: ["KDS-Q-CUR", "KDS-DG-2022"],
  },
  maxRecordsPerCall: {
    value: 10_000,
    unit: "records per GetRecords call (Limit 1–10,000)",
    sources: ["BOTO-2026"],
  },
  maxBytesPerCall: {
    value: 10 * MiB,
    unit: "bytes per GetRecords call",
    sources: ["BOTO-2026"],
    note: "After a 10 MiB response, calls in the next 5 s are throttled: modelled as a 2 MiB/s byte allowance that may go 10 MiB into debt.",
  },
  iteratorLifetimeMs: {
    value: 300_000,
    unit: "ms a shard iterator stays valid",
    sources: ["BOTO-2026", "KDS-Q-CUR"],
  },
  propagationDelayMs: {
    value: 0,
    unit: "ms from acceptance until a record is readable",
    sources: ["KDS-DG-2022"],
    note: "Records can be read as soon as they are written; the ~200 ms (1 consumer) and ~1 s (5 consumers) put-to-get averages AWS quotes come from polling cadence and shared limits, which kinesim models.",
  },
} as const satisfies Record<string, Fact>;

/** Enhanced fan-out (SubscribeToShard). */
export const EFO = {
  bytesPerSecondPerConsumerShard: {
    value: 2 * MiB,
    unit: "bytes/s per consumer per shard",
    sources: ["BOTO-2026", "KDS-DG-2022"],
  },
  typicalLatencyMs: { value: 70, unit: "ms average put-to-get", sources: ["KDS-DG-2022", "BLOG-EFO-2018"] },
  subscriptionLifetimeMs: {
    value: 300_000,
    unit: "ms a SubscribeToShard subscription lasts",
    sources: ["BOTO-2026"],
  },
  maxConsumersPerStream: {
    value: 20,
    unit: "registered consumers per stream (On-demand Advantage: 50)",
    sources: ["BOTO-2026", "KDS-Q-CUR"],
    note: "5 at launch (2018), 20 since Aug 2020.",
  },
} as const satisfies Record<string, Fact>;

/** Kinesis Client Library defaults. */
export const KCL_DEFAULTS = {
  failoverTimeMs: { value: 10_000, unit: "ms a lease lasts without renewal", sources: ["KCL"] },
  takerIntervalMs: {
    value: 20_050,
    unit: "ms between lease-taker runs ((failover + 25 ms) × 2)",
    sources: ["KCL"],
  },
  maxRecords: { value: 10_000, unit: "records per GetRecords", sources: ["KCL"] },
  idleTimeBetweenReadsMs: {
    value: 1_500,
    unit: "ms between reads (1,000 ms before v2.5.4)",
    sources: ["KCL"],
  },
} as const satisfies Record<string, Fact>;

/** Lambda event source mapping for Kinesis. */
export const LAMBDA_ESM = {
  batchSizeDefault: { value: 100, unit: "records", sources: ["BOTO-2026", "LAM-DG-2023"] },
  batchSizeMax: { value: 10_000, unit: "records (BatchSize 1–10,000)", sources: ["BOTO-2026"] },
  batchingWindowMaxSeconds: {
    value: 300,
    unit: "s (MaximumBatchingWindowInSeconds 0–300)",
    sources: ["BOTO-2026"],
  },
  payloadMaxBytes: {
    value: 6 * 1000 * 1000,
    unit: "bytes per invocation payload (6 MB, not adjustable)",
    sources: ["LAM-DG-2023"],
  },
  parallelizationFactorMax: {
    value: 10,
    unit: "concurrent batches per shard (ParallelizationFactor 1–10)",
    sources: ["BOTO-2026"],
  },
  maximumRetryAttemptsMax: {
    value: 10_000,
    unit: "retries (MaximumRetryAttempts −1 … 10,000)",
    sources: ["BOTO-2026"],
  },
  maximumRecordAgeMaxSeconds: {
    value: 604_800,
    unit: "s (MaximumRecordAgeInSeconds −1 … 604,800)",
    sources: ["BOTO-2026"],
  },
  pollIntervalMs: { value: 1_000, unit: "ms between polls of a caught-up shard", sources: ["LAM-DG-2023"] },
  accountConcurrency: {
    value: 1_000,
    unit: "concurrent executions per Region (default)",
    sources: ["LAM-DG-2023"],
  },
  timeoutMaxSeconds: { value: 900, unit: "s function timeout", sources: ["LAM-DG-2023"] },
} as const satisfies Record<string, Fact>;
