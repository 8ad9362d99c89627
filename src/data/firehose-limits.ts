// AWS limits and defaults of Amazon Data Firehose (formerly Kinesis Data Firehose): direct-PUT
// quotas, buffering hints per destination, record and batch sizes, retry durations, the Lambda
// transform and dynamic partitioning. Data with sources (see sources.ts), checked against the
// facts sheet of 2026-11.

import type { Fact } from "./sources.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Direct PUT: record and call sizes, and the per-stream quotas (PutRecord and PutRecordBatch combined). */
export const FIREHOSE_PUT = {
  maxRecordBytes: {
    value: 1000 * KiB,
    unit: "bytes per record before base64 (Data blob at most 1,024,000 bytes)",
    sources: ["FH-Q-CUR", "BOTO-2026"],
  },
  batchMaxRecords: {
    value: 500,
    unit: "records per PutRecordBatch call",
    sources: ["FH-Q-CUR", "BOTO-2026"],
  },
  batchMaxBytes: {
    value: 4 * MiB,
    unit: "bytes per PutRecordBatch call (whichever of 500 records or 4 MiB is smaller)",
    sources: ["FH-Q-CUR"],
  },
  largeRegionRecordsPerSecond: {
    value: 500_000,
    unit: "records/s per delivery stream in us-east-1, us-west-2, eu-west-1",
    sources: ["FH-Q-CUR"],
    note: "The PutRecord API text says 5,000 records/s; the quota page says 500,000. The three quotas scale together when raised.",
  },
  largeRegionRequestsPerSecond: {
    value: 2_000,
    unit: "requests/s per delivery stream in us-east-1, us-west-2, eu-west-1",
    sources: ["FH-Q-CUR", "BOTO-2026"],
  },
  largeRegionBytesPerSecond: {
    value: 5 * MiB,
    unit: "bytes/s per delivery stream in us-east-1, us-west-2, eu-west-1",
    sources: ["FH-Q-CUR", "BOTO-2026"],
  },
  otherRegionRecordsPerSecond: {
    value: 100_000,
    unit: "records/s per delivery stream in other Regions",
    sources: ["FH-Q-CUR"],
  },
  otherRegionRequestsPerSecond: {
    value: 1_000,
    unit: "requests/s per delivery stream in other Regions",
    sources: ["FH-Q-CUR"],
  },
  otherRegionBytesPerSecond: {
    value: 1 * MiB,
    unit: "bytes/s per delivery stream in other Regions",
    sources: ["FH-Q-CUR"],
  },
  directPutRetentionHours: {
    value: 24,
    unit: "hours records are kept while the destination is unavailable (direct PUT)",
    sources: ["FH-Q-CUR", "BOTO-2026"],
  },
} as const satisfies Record<string, Fact>;

/** The Regions with the larger direct-PUT quotas. */
export const LARGE_QUOTA_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"] as const;

/** Reading a Kinesis data stream as the source. */
export const FIREHOSE_KDS_SOURCE = {
  getRecordsIntervalMs: {
    value: 1_000,
    unit: "ms between GetRecords calls per shard (counts against the shard's 5 calls/s and 2 MiB/s)",
    sources: ["FH-DG-2023"],
  },
} as const satisfies Record<string, Fact>;

/** Buffering hints (whichever of size and interval is reached first triggers delivery). */
export const FIREHOSE_BUFFERING = {
  s3SizeMinMiB: { value: 1, unit: "MiB (S3, Redshift)", sources: ["FH-BUF-CUR", "BOTO-2026"] },
  s3SizeMaxMiB: { value: 128, unit: "MiB (S3, Redshift)", sources: ["FH-BUF-CUR", "BOTO-2026"] },
  s3SizeDefaultMiB: { value: 5, unit: "MiB (S3, Redshift)", sources: ["FH-BUF-CUR", "BOTO-2026"] },
  s3IntervalMaxSeconds: { value: 900, unit: "s (S3, Redshift)", sources: ["FH-BUF-CUR", "BOTO-2026"] },
  s3IntervalDefaultSeconds: { value: 300, unit: "s (S3, Redshift)", sources: ["FH-BUF-CUR", "BOTO-2026"] },
  classicIntervalMinSeconds: {
    value: 60,
    unit: "s: the smallest interval before zero buffering (the current quota page still says 60–900)",
    sources: ["FH-DG-2023", "FH-Q-CUR"],
    note: "The API allows 0–900 s since zero buffering; intervals under 60 s use multipart uploads.",
  },
  openSearchSizeMaxMiB: { value: 100, unit: "MiB (OpenSearch)", sources: ["FH-BUF-CUR", "BOTO-2026"] },
  openSearchIntervalDefaultSeconds: { value: 300, unit: "s (OpenSearch)", sources: ["FH-BUF-CUR"] },
  splunkSizeMaxMiB: { value: 5, unit: "MiB (Splunk)", sources: ["FH-BUF-CUR"] },
  splunkIntervalMaxSeconds: { value: 60, unit: "s (Splunk)", sources: ["FH-BUF-CUR"] },
  splunkIntervalDefaultSeconds: { value: 60, unit: "s (Splunk)", sources: ["FH-BUF-CUR"] },
  httpSizeMaxMiB: { value: 64, unit: "MiB (HTTP endpoint)", sources: ["FH-BUF-CUR"] },
  httpIntervalDefaultSeconds: { value: 60, unit: "s (HTTP endpoint)", sources: ["FH-BUF-CUR"] },
  formatConversionMinMiB: {
    value: 64,
    unit: "MiB: the smallest buffer size with format conversion (default 128 with it)",
    sources: ["FH-DG-2023"],
  },
  formatConversionDefaultMiB: { value: 128, unit: "MiB with format conversion", sources: ["FH-DG-2023"] },
} as const satisfies Record<string, Fact>;

/** Retrying a failed delivery. */
export const FIREHOSE_RETRY = {
  s3RetryHours: {
    value: 24,
    unit: "hours Firehose keeps retrying delivery to S3, after which the data is lost",
    sources: ["FH-DG-2023"],
  },
  retryDurationMaxSeconds: {
    value: 7_200,
    unit: "s (RetryDurationInSeconds 0–7,200) for destinations other than S3",
    sources: ["BOTO-2026"],
  },
  openSearchRetryDefaultSeconds: { value: 300, unit: "s (OpenSearch default)", sources: ["BOTO-2026"] },
  redshiftRetryDefaultSeconds: { value: 3_600, unit: "s (Redshift default)", sources: ["BOTO-2026"] },
  otherRetryDefaultSeconds: {
    value: 300,
    unit: "s (HTTP endpoint and Splunk default)",
    sources: ["BOTO-2026"],
    note: "UNCONFIRMED in the facts sheet; 300 s as for OpenSearch.",
  },
} as const satisfies Record<string, Fact>;

/** The optional Lambda transform. */
export const FIREHOSE_TRANSFORM = {
  bufferSizeMinBytes: { value: 200_000, unit: "bytes (BufferSizeInMBs 0.2–3)", sources: ["BOTO-2026"] },
  bufferSizeMaxBytes: { value: 3_000_000, unit: "bytes (BufferSizeInMBs 0.2–3)", sources: ["BOTO-2026"] },
  bufferSizeDefaultBytes: { value: 1_000_000, unit: "bytes (1 MB)", sources: ["BOTO-2026", "FH-DG-2023"] },
  bufferIntervalDefaultSeconds: {
    value: 60,
    unit: "s (BufferIntervalInSeconds; its range is not confirmed)",
    sources: ["BOTO-2026"],
  },
  retriesDefault: { value: 3, unit: "retries of a failed invocation", sources: ["BOTO-2026", "FH-DG-2023"] },
  timeoutMaxSeconds: { value: 300, unit: "s per invocation (5 minutes)", sources: ["FH-DG-2023"] },
  outstandingInvocations: {
    value: 5,
    unit: "concurrent invocations per shard (S3, Redshift, OpenSearch); 10 for Splunk",
    sources: ["FH-Q-CUR"],
  },
} as const satisfies Record<string, Fact>;

/** Dynamic partitioning. */
export const FIREHOSE_PARTITIONING = {
  activePartitionsDefault: {
    value: 500,
    unit: "active partitions per delivery stream (raisable; records past it go to the error prefix)",
    sources: ["FH-Q-CUR", "FH-DG-2023"],
  },
  activePartitionsMax: {
    value: 5_000,
    unit: "active partitions after a quota increase (2023 docs)",
    sources: ["FH-DG-2023"],
  },
} as const satisfies Record<string, Fact>;

/** Billing: ingest is billed per record rounded up to the next 5 KB. */
export const FIREHOSE_BILLING = {
  ingestRoundingBytes: {
    value: 5 * KiB,
    unit: "bytes: each record is billed rounded up to the next 5 KB (5,120 bytes)",
    sources: ["FH-Q-CUR", "PRICE-FH"],
  },
} as const satisfies Record<string, Fact>;
