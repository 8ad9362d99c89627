// AWS limits and defaults of Kinesis Data Streams used by the model and the scenario validator.
// Data, not code: each entry carries its unit and sources (see sources.ts). Figures checked
// against the facts sheet of 2026-11; where a limit changed, the current value is used and the
// old one noted.

import type { Fact } from "./sources.js";

const MiB = 1024 * 1024;
const KiB = 1024;

/** Limits and defaults of Kinesis Data Streams. */
export const KINESIS = {
  shardWriteRecordsPerSecond: {
    value: 1000,
    unit: "records/s per shard",
    sources: ["KDS-Q-CUR", "BOTO-2026", "KDS-DG-2022"],
    note: "Same in provisioned and on-demand mode.",
  },
  shardWriteBytesPerSecond: {
    value: 1 * MiB,
    unit: "bytes/s per shard",
    sources: ["KDS-Q-CUR", "BOTO-2026", "KDS-DG-2022"],
    note: "Counts partition key bytes plus data bytes. The guides write MB, the API reference MiB.",
  },
  largeRecordBurstBytes: {
    value: 10 * MiB,
    unit: "bytes per shard (capacity tank)",
    sources: ["BLOG-10MIB", "LARGE-REC"],
    note: "With records above 1 MiB a shard can burst to 10 MiB/s while averaging 1 MiB/s.",
  },
  putRecordsMaxRecords: {
    value: 500,
    unit: "records per PutRecords request",
    sources: ["BOTO-2026", "KDS-Q-CUR"],
  },
  putRecordsMaxRequestBytes: {
    value: 10 * MiB,
    unit: "bytes per PutRecords request",
    sources: ["BOTO-2026", "BLOG-10MIB"],
    note: "5 MiB until the 2025-10-28 launch of large records.",
  },
  maxRecordSizeDefault: {
    value: 1 * MiB,
    unit: "bytes per record (partition key + data)",
    sources: ["BOTO-2026", "LARGE-REC"],
  },
  maxRecordSizeMin: {
    value: 1 * MiB,
    unit: "bytes",
    sources: ["BOTO-2026"],
    note: "MaxRecordSizeInKiB ≥ 1024.",
  },
  maxRecordSizeMax: {
    value: 10 * MiB,
    unit: "bytes",
    sources: ["BOTO-2026", "BLOG-10MIB"],
    note: "MaxRecordSizeInKiB ≤ 10240; 1 MiB was the hard maximum before 2025-10-28.",
  },
  partitionKeyMaxChars: { value: 256, unit: "Unicode characters", sources: ["BOTO-2026"] },
  retentionDefaultHours: { value: 24, unit: "hours", sources: ["KDS-DG-2022", "KDS-Q-CUR"] },
  retentionMinHours: { value: 24, unit: "hours", sources: ["KDS-DG-2022", "KDS-Q-CUR"] },
  retentionMaxHours: { value: 8760, unit: "hours (365 days)", sources: ["KDS-DG-2022", "KDS-Q-CUR"] },
  minShards: { value: 1, unit: "shards (CreateStream ShardCount ≥ 1)", sources: ["BOTO-2026"] },
  maxShardsPerStream: {
    value: 10_000,
    unit: "shards per stream (UpdateShardCount bound)",
    sources: ["BOTO-2026"],
  },
  accountShardQuota: {
    value: 20_000,
    unit: "shards per account (us-east-1, us-west-2, eu-west-1)",
    sources: ["KDS-Q-CUR"],
    note: "1,000 or 6,000 in other Regions; 500 / 200 in 2022.",
  },
  putRecordKbRoundingBytes: {
    value: 1 * KiB,
    unit: "bytes",
    sources: ["KDS-DG-2022"],
    note: "For throttling, a PutRecord is rounded up to the next KB; a PutRecords call is rounded as a whole.",
  },
} as const satisfies Record<string, Fact>;

/**
 * AWS's sizing formula for a provisioned stream (Kinesis Data Streams developer guide, "Choosing the
 * data stream capacity mode" → Provisioned mode, how-do-i-size-a-stream.md):
 *   incoming_write_bandwidth_in_KB = average_data_size_in_KB × records_per_second
 *   outgoing_read_bandwidth_in_KB  = incoming_write_bandwidth_in_KB × number_of_consumers
 *   number_of_shards = max(incoming_write_bandwidth_in_KiB / 1024, outgoing_read_bandwidth_in_KiB / 2048)
 * where average_data_size_in_KB is the average data record size "rounded up to the nearest 1 KB",
 * and number_of_consumers counts the applications that read the stream concurrently and
 * independently. The page mixes KB and KiB; the formula divides KiB by 1024 and 2048 (1 MiB and
 * 2 MiB per shard), so kinesim reads the record size in KiB too (1,024 bytes: 1 KiB, not 2 KB).
 * The data record is the blob the producer sends: the partition key is not part of the formula.
 */
export const SIZING_FORMULA = {
  writeKiBPerShard: {
    value: 1024,
    unit: "KiB/s of incoming write bandwidth per shard (the formula's divisor)",
    sources: ["KDS-DG-2022"],
    note: "how-do-i-size-a-stream.md, Provisioned mode.",
  },
  readKiBPerShard: {
    value: 2048,
    unit: "KiB/s of outgoing read bandwidth per shard (the formula's divisor)",
    sources: ["KDS-DG-2022"],
    note: "how-do-i-size-a-stream.md, Provisioned mode.",
  },
  recordSizeRoundingBytes: {
    value: 1024,
    unit: "bytes: the average data record size is rounded up to a whole KiB",
    sources: ["KDS-DG-2022"],
    note: "The page says 'rounded up to the nearest 1 KB'; KiB, to match the formula's divisors.",
  },
} as const satisfies Record<string, Fact>;

/** Resharding and capacity-mode rules. */
export const CAPACITY = {
  updateShardCountCallsPer24h: {
    value: 10,
    unit: "UpdateShardCount calls per stream per rolling 24 h",
    sources: ["BOTO-2026"],
    note: "2 per 24 h before the 2020-08-17 API update.",
  },
  updateShardCountMaxFactor: {
    value: 2,
    unit: "× the current open shards at most, ½ at least, per call",
    sources: ["BOTO-2026"],
  },
  modeSwitchesPer24h: {
    value: 2,
    unit: "capacity-mode switches per stream per 24 h",
    sources: ["KDS-Q-CUR"],
  },
  splitMergeSecondsDefault: {
    value: 5,
    unit: "s a SplitShard or MergeShards keeps the stream UPDATING",
    sources: ["BRANDUR-2015"],
    note: "Observed as 'a few seconds' in 2015; AWS documents no figure (UNCONFIRMED). A setting.",
  },
  updateShardCountSecondsDefault: {
    value: 120,
    unit: "s an UpdateShardCount keeps the stream UPDATING",
    sources: ["BOTO-2026"],
    note: "AWS: it 'could take a few minutes'. A setting.",
  },
  modeSwitchSecondsDefault: {
    value: 60,
    unit: "s a capacity-mode switch keeps the stream UPDATING",
    sources: ["KDS-Q-CUR"],
    note: "AWS documents UPDATING with no disruption but no duration (UNCONFIRMED). A setting.",
  },
} as const satisfies Record<string, Fact>;

/** On-demand capacity mode. */
export const ON_DEMAND = {
  initialShards: {
    value: 4,
    unit: "shards (4 MiB/s and 4,000 records/s of writes) when a stream is created on-demand",
    sources: ["KDS-Q-CUR", "BLOG-10MIB"],
    note: "The 4,000 records/s is derived from 4 shards, not stated on the quota page.",
  },
  peakMultiple: {
    value: 2,
    unit: "× the peak write throughput of the last 30 days is accommodated",
    sources: ["KDS-DG-2022"],
  },
  peakWindowDays: { value: 30, unit: "days of peak history", sources: ["KDS-DG-2022"] },
  scaleUpMinutes: {
    value: 15,
    unit: "minutes for capacity to follow a new peak / a hot shard to be split",
    sources: ["KDS-DG-2022"],
    note: "AWS: traffic more than doubling the previous peak within 15 minutes can throttle; a shard above 500 KB/s is split within 15 minutes. kinesim uses the 15 minutes as the delay (a setting).",
  },
  splitThresholdBytesPerSecond: {
    value: 500 * 1000,
    unit: "bytes/s of writes above which a shard is split",
    sources: ["KDS-DG-2022"],
  },
  maxWriteBytesPerSecond: {
    value: 200 * 1000 * 1000,
    unit: "bytes/s of writes per on-demand stream (default; 10 GB/s in us-east-1, us-west-2, eu-west-1 on request)",
    sources: ["KDS-DG-2022", "KDS-Q-CUR"],
  },
} as const satisfies Record<string, Fact>;

/** Put latency as measured from a client in the same Region (1–10 records per call). */
export const PUT_LATENCY_MEASURED = {
  p50Ms: { value: 35, unit: "ms", sources: ["BRANDUR-2015"] },
  p95Ms: { value: 100, unit: "ms", sources: ["BRANDUR-2015"] },
  p99Ms: { value: 200, unit: "ms", sources: ["BRANDUR-2015"] },
} as const satisfies Record<string, Fact>;

/** Retry settings of the AWS SDK for JavaScript v3, standard mode. */
export const SDK_V3_STANDARD_RETRY = {
  maxAttempts: { value: 3, unit: "attempts (first try + 2 retries)", sources: ["SMITHY", "SDKREF"] },
  throttlingBaseDelayMs: {
    value: 1_000,
    unit: "ms",
    sources: ["SMITHY"],
    note: "the 2026 retry behaviour, on by default in @aws-sdk/client-kinesis 3.1143.0 (@smithy/core 3.41.1: Retry.v2026 = true, throttlingDelay() = 1,000); it was 500 ms, and opt-in, before",
  },
  retryQuotaTokens: { value: 500, unit: "tokens per client (INITIAL_RETRY_TOKENS)", sources: ["SMITHY"] },
  throttlingRetryCost: {
    value: 5,
    unit: "tokens a retry after a throttling error takes; a success gives them back, a success without a retry gives 1",
    sources: ["SMITHY"],
  },
  transientBaseDelayMs: { value: 100, unit: "ms", sources: ["SMITHY"] },
  maxBackoffMs: { value: 20_000, unit: "ms", sources: ["SMITHY"] },
} as const satisfies Record<string, Fact>;

/**
 * Kinesis Producer Library settings (KinesisProducerConfiguration; the properties file spells them
 * in PascalCase) with their defaults and ranges from the sample configuration.
 */
export const KPL_DEFAULTS = {
  recordMaxBufferedTimeMs: {
    value: 100,
    unit: "ms a user record may wait in the KPL's buffers (RecordMaxBufferedTime)",
    sources: ["KPL-CFG"],
  },
  recordTtlMs: {
    value: 30_000,
    unit: "ms before an unsent user record fails as expired (RecordTtl), at least 100",
    sources: ["KPL-CFG"],
  },
  aggregationMaxSize: {
    value: 51_200,
    unit: "bytes per aggregated Kinesis record (AggregationMaxSize), 64 … 1,048,576",
    sources: ["KPL-CFG"],
  },
  aggregationMaxSizeMin: { value: 64, unit: "bytes", sources: ["KPL-CFG"] },
  aggregationMaxSizeMax: { value: 1_048_576, unit: "bytes", sources: ["KPL-CFG"] },
  aggregationMaxCount: {
    value: 4_294_967_295,
    unit: "user records per aggregated Kinesis record (AggregationMaxCount)",
    sources: ["KPL-CFG"],
  },
  collectionMaxCount: {
    value: 500,
    unit: "Kinesis records per PutRecords (CollectionMaxCount), 1 … 500",
    sources: ["KPL-CFG"],
  },
  collectionMaxSize: {
    value: 5 * MiB,
    unit: "bytes per PutRecords (CollectionMaxSize), at least 52,224",
    sources: ["KPL-CFG"],
    note: "Predates the 10 MiB PutRecords limit.",
  },
  collectionMaxSizeMin: { value: 52_224, unit: "bytes", sources: ["KPL-CFG"] },
  maxConnections: {
    value: 24,
    unit: "requests in flight (MaxConnections), 1 … 256",
    sources: ["KPL-CFG"],
    note: "The older sample configuration has 4.",
  },
  rateLimitPercent: {
    value: 150,
    unit: "% of a shard's limits each per-shard token bucket refills at (RateLimit)",
    sources: ["KPL-CFG", "KPL-AGG"],
  },
  requestTimeoutMs: {
    value: 6_000,
    unit: "ms before a PutRecords call is given up and its records retried (RequestTimeout), 100 … 600,000",
    sources: ["KPL-CFG"],
  },
} as const satisfies Record<string, Fact>;

/**
 * How the KPL's core sizes and paces what it sends (aggregation-format.md and the C++ core; the
 * numbers are constants of that code, not settings).
 */
export const KPL_INTERNALS = {
  containerOverheadBytes: {
    value: 20,
    unit: "bytes of an aggregated record beyond its protobuf: 4-byte magic + 16-byte MD5",
    sources: ["KPL-AGG"],
  },
  userRecordOverheadBytes: {
    value: 3,
    unit: "bytes the KPL's estimate adds to each user record's data",
    sources: ["KPL-AGG"],
  },
  keyIndexBytes: {
    value: 2,
    unit: "bytes for each user record's partition-key index",
    sources: ["KPL-AGG"],
  },
  keyTableEntryOverheadBytes: {
    value: 3,
    unit: "bytes added to a partition key's length the first time it appears in a container",
    sources: ["KPL-AGG"],
  },
  aggregatedPartitionKeyBytes: {
    value: 1,
    unit: 'bytes of the partition key of an aggregated record ("a"); it is routed by an explicit hash key',
    sources: ["KPL-AGG"],
  },
  minBufferTimeMs: {
    value: 50,
    unit: "ms: a buffer's deadline is at least this far from when it last changed (kMinBufferTime)",
    sources: ["KPL-AGG"],
  },
  collectionBufferRatio: {
    value: 0.2,
    unit: "of RecordMaxBufferedTime that a Kinesis record's deadline is extended by in the collector, at most 50 ms",
    sources: ["KPL-AGG"],
  },
  collectionBufferMaxMs: { value: 50, unit: "ms", sources: ["KPL-AGG"] },
  collectorShardFlushBytes: {
    value: 256 * 1024,
    unit: "bytes buffered for one shard that make the collector send at once",
    sources: ["KPL-AGG"],
  },
  limiterDrainMs: { value: 25, unit: "ms between the rate limiter's drains", sources: ["KPL-AGG"] },
} as const satisfies Record<string, Fact>;

/**
 * The Kinesis Agent's flow settings and its sending and retry constants. The agent is a Java
 * program on the plain AWS SDK (v1): PutRecords for a stream, PutRecordBatch for a delivery
 * stream; it does not use the KPL and does not aggregate.
 */
export const AGENT_DEFAULTS = {
  maxBufferAgeMs: {
    value: 60_000,
    unit: "ms a batch waits from its first record before it is sent (maxBufferAgeMillis), 1,000 … 900,000",
    sources: ["AGENT-SRC", "AGENT-DOC"],
  },
  maxBufferAgeMinMs: { value: 1_000, unit: "ms", sources: ["AGENT-SRC", "AGENT-DOC"] },
  maxBufferAgeMaxMs: { value: 900_000, unit: "ms", sources: ["AGENT-SRC", "AGENT-DOC"] },
  maxBufferSizeRecords: {
    value: 500,
    unit: "records per batch, one batch per request (maxBufferSizeRecords), 1 … 500",
    sources: ["AGENT-SRC", "AGENT-DOC"],
  },
  maxBufferSizeBytesStream: {
    value: 5 * MiB,
    unit: "bytes per batch to a stream, partition keys included (maxBufferSizeBytes)",
    sources: ["AGENT-SRC"],
    note: "The code's default and maximum; the developer guide says 4 MB.",
  },
  maxBufferSizeBytesFirehose: {
    value: 4 * MiB,
    unit: "bytes per batch to a delivery stream (maxBufferSizeBytes)",
    sources: ["AGENT-SRC", "AGENT-DOC"],
  },
  sendingThreadsPerCore: {
    value: 12,
    unit: "sending threads per CPU core (maxSendingThreads = max(2, 12 × cores)): batches in flight",
    sources: ["AGENT-SRC"],
  },
  retryInitialBackoffMs: {
    value: 100,
    unit: "ms, the first backoff after a failed send (retryInitialBackoffMillis); doubles per failure",
    sources: ["AGENT-SRC"],
  },
  retryMaxBackoffMs: {
    value: 10_000,
    unit: "ms, the largest backoff before jitter (retryMaxBackoffMillis)",
    sources: ["AGENT-SRC"],
  },
  backoffJitter: {
    value: 0.3,
    unit: "each backoff is multiplied by 1 + u·0.3, u uniform in (−1, 1)",
    sources: ["AGENT-SRC"],
  },
  randomKeyChars: {
    value: 17,
    unit: "characters of a RANDOM partition key: Java's decimal of a random number below 1,000,000, such as 482913.2750391847",
    sources: ["AGENT-SRC"],
    note: "The developer guide calls it a random integer; the code makes a decimal. Lengths vary by a character or two.",
  },
  deterministicKeyChars: {
    value: 32,
    unit: "characters of a DETERMINISTIC partition key (the MD5 hex digest of the data)",
    sources: ["AGENT-SRC", "AGENT-DOC"],
  },
  newlineBytes: {
    value: 1,
    unit: "byte: a record is a line with its newline",
    sources: ["AGENT-SRC"],
  },
} as const satisfies Record<string, Fact>;
