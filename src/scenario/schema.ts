// The scenario file format: a zod schema that validates YAML data and fills every default. Field
// descriptions double as the scenario reference and the JSON Schema (`kinesim schema`).
// Output values are in engine units: durations in µs, sizes in bytes, rates per second.

import { FIREHOSE_PUT } from "../data/firehose-limits.js";
import {
  AGENT_DEFAULTS,
  KINESIS,
  KPL_DEFAULTS,
  ON_DEMAND,
  PUT_LATENCY_MEASURED,
  SDK_V3_STANDARD_RETRY,
} from "../data/kinesis-limits.js";
import type { Fact } from "../data/sources.js";
import { SQS_FIFO } from "../data/sqs-limits.js";
import { type DistributionSpec, Z_P99 } from "../engine/distributions.js";
import { US_PER_H, US_PER_MS, US_PER_S } from "../engine/time.js";
import { analyticsSchema } from "./analytics.js";
import { eventSchema, onDemandSchema, scalingSchema, updatingSchema } from "./capacity.js";
import { consumerSchema, EFO_LIMIT, usesEfo } from "./consumers.js";
import { distributionOf } from "./distributions.js";
import {
  byteRate,
  countRate,
  duration,
  fraction,
  hashKey,
  hashKeyMessage,
  name,
  number,
  oneOf,
  SHORTHANDS,
  size,
} from "./fields.js";
import { firehoseSchema } from "./firehose.js";
import { aboveMaximum, citation, expected, unknownName } from "./messages.js";
import { queueSchema } from "./queues.js";
import { formatSize, parseDurationThreshold, parseShareThreshold, UNIT_PATTERNS } from "./units.js";
import * as z from "./zod.js";

const DAY_US = 24 * US_PER_H;
const MS = US_PER_MS;

// ---------------------------------------------------------------------------------------------
// Traffic: rate profiles

const recordRate = (description: string) => countRate({ min: { value: 0 }, description });

/** An ExplicitHashKey: a decimal 128-bit number, as AWS takes it. */
const hashKeyText = hashKey("an ExplicitHashKey: a decimal integer from 0 to 2^128−1");

const rateVariants = z.discriminatedUnion("profile", [
  z.strictObject({ profile: z.literal("constant"), rate: recordRate("records per second") }),
  z
    .strictObject({
      profile: z.literal("ramp"),
      from: recordRate("rate at `start`"),
      to: recordRate("rate at `end`"),
      start: duration({ min: { value: 0 }, description: "when the ramp begins (default 0)" }).default(0),
      end: duration({
        min: { value: 0 },
        description: "when the ramp reaches `to` (default: end of run)",
      }).optional(),
    })
    .superRefine((r, ctx) => {
      if (r.end !== undefined && r.end < r.start)
        ctx.addIssue({ code: "custom", message: "a ramp must end at or after its start", path: ["end"] });
    }),
  z.strictObject({
    profile: z.literal("steps"),
    steps: z
      .array(
        z.strictObject({
          at: duration({ min: { value: 0 }, description: "time the step starts" }),
          rate: recordRate("rate from `at` on"),
        }),
      )
      .min(1)
      .meta({ description: "rates from given times on, in increasing order of `at`" }),
  }),
  z
    .strictObject({
      profile: z.literal("diurnal"),
      mean: recordRate("average rate over a period"),
      peak: recordRate("highest rate, reached at `peakAt`"),
      period: duration({
        min: { value: 1 * US_PER_S },
        description: "length of one cycle (default 24h)",
      }).default(DAY_US),
      peakAt: duration({ min: { value: 0 }, description: "time of the first peak (default 12h)" }).default(
        12 * US_PER_H,
      ),
    })
    .superRefine((d, ctx) => {
      if (d.peak < d.mean)
        ctx.addIssue({
          code: "custom",
          message: "the peak of a diurnal profile must be at least its mean",
          path: ["peak"],
        });
    }),
  z.strictObject({
    profile: z.literal("spike"),
    base: recordRate("rate outside the spike"),
    peak: recordRate("rate during the spike"),
    at: duration({ min: { value: 0 }, description: "when the spike starts" }),
    duration: duration({ min: { value: 1 }, description: "how long the spike lasts at its peak" }),
    rampUp: duration({ min: { value: 0 }, description: "linear rise before the peak (default 0)" }).default(
      0,
    ),
    rampDown: duration({ min: { value: 0 }, description: "linear fall after the peak (default 0)" }).default(
      0,
    ),
  }),
  z.strictObject({
    profile: z.literal("pulse"),
    base: recordRate("rate between pulses"),
    peak: recordRate("rate during each pulse"),
    every: duration({ min: { value: 1 }, description: "time from one pulse start to the next" }),
    width: duration({ min: { value: 1 }, description: "length of each pulse" }),
    offset: duration({ min: { value: 0 }, description: "start of the first pulse (default 0)" }).default(0),
  }),
  z.strictObject({
    profile: z.literal("trace"),
    file: z.string().min(1).meta({ description: "CSV file, relative to the scenario file" }),
    column: z
      .string()
      .optional()
      .meta({ description: "column holding the values (default: the last numeric column)" }),
    interval: duration({
      min: { value: 1 * MS },
      description: "time each row covers, e.g. 1s or 1m (CloudWatch periods)",
    }),
    values: oneOf(
      ["sum", "perSecond"],
      "whether a row holds the records of its interval (sum) or a rate",
    ).default("sum"),
    scale: number({
      min: { value: 0 },
      description: "multiplier applied to every value (default 1)",
    }).default(1),
    loop: z
      .boolean()
      .default(false)
      .meta({ description: "repeat the trace when it ends (default: rate 0 after it)" }),
  }),
]);

/** A producer fleet's record rate over time; a bare rate ("3000/s") means constant. */
export const rateProfileSchema = z
  .preprocess(
    (v) => (typeof v === "string" || typeof v === "number" ? { profile: "constant", rate: v } : v),
    rateVariants,
  )
  .register(SHORTHANDS, { shorthand: () => recordRate("a constant rate: records per second") })
  .meta({ description: "records per second offered by the whole fleet, over time" });
/** A rate profile after validation (rates per second, times in µs). */
export type RateProfile =
  | z.output<typeof rateProfileSchema>
  | { profile: "series"; intervalUs: number; perSecond: number[]; loop: boolean };

// ---------------------------------------------------------------------------------------------
// Partition keys

const hotKeys = z
  .array(
    z.strictObject({
      key: z
        .string()
        .min(1)
        .max(KINESIS.partitionKeyMaxChars.value)
        .meta({ description: "the partition key" }),
      share: fraction({
        description: "share of all records that carry this key",
        min: { value: 0, exclusive: true },
      }),
    }),
  )
  .optional()
  .meta({ description: "keys that carry a fixed share of the records on top of the base distribution" });

const keyCount = (description: string) =>
  number({ integer: true, min: { value: 1 }, max: { value: 1_000_000 }, description });
const keyPrefix = z
  .string()
  .max(200)
  .default("key-")
  .meta({ description: 'keys are named prefix + index (default "key-")' });

/** Characters of a partition key kinesim makes up (36: a UUID's). */
const keyLength = (description: string, defaultChars: number) =>
  number({
    integer: true,
    min: { value: 1 },
    max: { value: KINESIS.partitionKeyMaxChars.value, fact: KINESIS.partitionKeyMaxChars },
    description: `${description} (default ${defaultChars}${defaultChars === 36 ? ", a UUID" : ""})`,
  }).default(defaultChars);

const keyVariants = z.discriminatedUnion("dist", [
  z.strictObject({
    dist: z.literal("random"),
    keyLength: keyLength("characters per key", 36),
    hotKeys,
  }),
  z.strictObject({
    dist: z.literal("uniform"),
    keys: keyCount("number of distinct keys, equally likely"),
    prefix: keyPrefix,
    hotKeys,
  }),
  z.strictObject({
    dist: z.literal("zipf"),
    keys: keyCount("number of distinct keys; key k has weight 1/k^exponent"),
    exponent: number({ min: { value: 0 }, description: "Zipf exponent s (default 1)" }).default(1),
    prefix: keyPrefix,
    hotKeys,
  }),
  z.strictObject({
    dist: z.literal("list"),
    keys: z
      .array(
        z.union([
          z.string().min(1).max(KINESIS.partitionKeyMaxChars.value),
          z.strictObject({
            key: z
              .string()
              .min(1)
              .max(KINESIS.partitionKeyMaxChars.value)
              .meta({ description: "the partition key" }),
            weight: number({ min: { value: 0 }, description: "relative weight" }),
          }),
        ]),
      )
      .min(1)
      .meta({ description: "keys, each a string (weight 1) or { key, weight }" }),
    hotKeys,
  }),
  z.strictObject({
    dist: z.literal("hashRanges"),
    ranges: z
      .array(
        z.strictObject({
          startingHashKey: hashKeyText.meta({ description: "first hash key of the range" }),
          endingHashKey: hashKeyText.meta({ description: "last hash key of the range (inclusive)" }),
          weight: number({ min: { value: 0 }, description: "relative share of the records in the range" }),
        }),
      )
      .min(1)
      .meta({
        description:
          "ranges of the hash space, each with a share of the records spread evenly over it (e.g. observed per-shard traffic over the shards' ranges)",
      }),
    keysPerRange: number({
      integer: true,
      min: { value: 1 },
      max: { value: 10_000 },
      description:
        "distinct keys per range, evenly spaced ExplicitHashKeys: a later reshard spreads a range's share at this granularity (default 64)",
    }).default(64),
    keyLength: keyLength("characters of the partition key sent alongside", 36),
    hotKeys,
  }),
  z.strictObject({
    dist: z.literal("explicitHashKeys"),
    hashKeys: z
      .array(
        z.union(
          [
            hashKeyText,
            z.strictObject({
              hashKey: hashKeyText.meta({ description: "the ExplicitHashKey" }),
              weight: number({ min: { value: 0 }, description: "relative weight" }),
            }),
          ],
          { error: (issue) => hashKeyMessage(issue.input, "{ hashKey, weight }") },
        ),
      )
      .min(1)
      .meta({
        description: "ExplicitHashKey values (decimal, 0 … 2^128−1), each a string or { hashKey, weight }",
      }),
    keyLength: keyLength("characters of the partition key sent alongside", 1),
    hotKeys,
  }),
]);

/** How records choose partition keys (default: random UUID-like keys). */
export const keyDistributionSchema = keyVariants.meta({ description: "partition-key distribution" });
/** A key distribution after validation. */
export type KeyDistribution = z.output<typeof keyDistributionSchema>;

// ---------------------------------------------------------------------------------------------
// Retry policy

/** Jitter kinds for exponential backoff. */
export const JITTERS = ["none", "full", "equal", "decorrelated", "proportional"] as const;
/** One of JITTERS. */
export type Jitter = (typeof JITTERS)[number];
/** Named retry presets. */
export const RETRY_PRESETS = ["sdk-v3-standard", "kpl", "kinesis-agent", "none"] as const;

/** A retry policy with every field filled. */
export interface RetryPolicy {
  preset: (typeof RETRY_PRESETS)[number] | "custom";
  /** First backoff ceiling, µs. */
  base: number;
  /** Largest backoff, µs. */
  cap: number;
  /** Attempts in total including the first (Infinity: until recordTtl). */
  maxAttempts: number;
  jitter: Jitter;
  /** A record older than this when it would be retried is dropped (µs; Infinity: never). */
  recordTtl: number;
  /**
   * The SDK's retry quota of each client, in tokens (Infinity: none): a retry of a throttled call
   * takes 5 and is refused when fewer are left; a success gives them back (1 without a retry).
   * Only single-record calls (PutRecord) go through it: the SDK never retries a PutRecords entry.
   */
  retryQuota: number;
}

const PRESETS: Record<(typeof RETRY_PRESETS)[number], Omit<RetryPolicy, "preset">> = {
  // AWS SDK for JavaScript v3, standard mode: 3 attempts, full jitter, 1,000 ms base for throttling
  // errors (the 2026 behaviour the pinned SDK ships), 20 s cap, a retry quota of 500 tokens per
  // client (SMITHY; SDKREF). Checked against the real SDK by test/clients/agreement.test.ts.
  "sdk-v3-standard": {
    base: SDK_V3_STANDARD_RETRY.throttlingBaseDelayMs.value * MS,
    cap: SDK_V3_STANDARD_RETRY.maxBackoffMs.value * MS,
    maxAttempts: SDK_V3_STANDARD_RETRY.maxAttempts.value,
    jitter: "full",
    recordTtl: Number.POSITIVE_INFINITY,
    retryQuota: SDK_V3_STANDARD_RETRY.retryQuotaTokens.value,
  },
  // KPL: a failed record goes back to the buffer due in ½·RecordMaxBufferedTime, with no backoff,
  // until its RecordTtl (30 s) runs out (KPL-CFG; KDS-DG-2022 kinesis-producer-adv-retries).
  kpl: {
    base: (KPL_DEFAULTS.recordMaxBufferedTimeMs.value / 2) * MS,
    cap: (KPL_DEFAULTS.recordMaxBufferedTimeMs.value / 2) * MS,
    maxAttempts: Number.POSITIVE_INFINITY,
    jitter: "none",
    recordTtl: KPL_DEFAULTS.recordTtlMs.value * MS,
    retryQuota: Number.POSITIVE_INFINITY,
  },
  // Kinesis Agent: 100 ms doubling to 10 s, ±30%, retried for as long as the agent runs
  // (AGENT-SRC AsyncPublisherThrottler; the agent backs off per flow, this per batch).
  "kinesis-agent": {
    base: AGENT_DEFAULTS.retryInitialBackoffMs.value * MS,
    cap: AGENT_DEFAULTS.retryMaxBackoffMs.value * MS,
    maxAttempts: Number.POSITIVE_INFINITY,
    jitter: "proportional",
    recordTtl: Number.POSITIVE_INFINITY,
    retryQuota: Number.POSITIVE_INFINITY,
  },
  none: {
    base: 0,
    cap: 0,
    maxAttempts: 1,
    jitter: "none",
    recordTtl: Number.POSITIVE_INFINITY,
    retryQuota: Number.POSITIVE_INFINITY,
  },
};

const retrySchema = z
  .preprocess(
    (v) => (typeof v === "string" ? { preset: v } : v),
    z.strictObject({
      preset: oneOf(RETRY_PRESETS, "start from a named policy; other fields override it").optional(),
      base: duration({ min: { value: 0 }, description: "backoff ceiling of the first retry" }).optional(),
      cap: duration({ min: { value: 0 }, description: "largest backoff" }).optional(),
      maxAttempts: z
        .union([
          number({ integer: true, min: { value: 1 }, description: "attempts including the first" }),
          z.literal("unlimited"),
        ])
        .optional()
        .meta({ description: "attempts in total including the first, or unlimited (until recordTtl)" }),
      jitter: oneOf(
        JITTERS,
        "none: base·2^i; full: U(0, that); equal: half + U(0, half); decorrelated: U(base, 3·previous); proportional: that × (1 ± U(0, 30%)), the Kinesis Agent's",
      ).optional(),
      recordTtl: duration({
        min: { value: 1 },
        description: "drop a record older than this instead of retrying it",
      }).optional(),
      retryQuota: z
        .union([
          number({ integer: true, min: { value: 0 }, description: "tokens per client" }),
          z.literal("none"),
        ])
        .optional()
        .meta({
          description:
            "the SDK's retry quota per client on PutRecord calls: a throttled call's retry takes 5 tokens and is refused when fewer are left, a success gives them back (sdk-v3-standard: 500; none: no quota)",
        }),
    }),
  )
  .register(SHORTHANDS, { shorthand: () => oneOf(RETRY_PRESETS, "a named retry policy") })
  .transform((r): RetryPolicy => {
    const preset = r.preset ?? "sdk-v3-standard";
    const base = PRESETS[preset];
    const custom =
      r.base !== undefined ||
      r.cap !== undefined ||
      r.maxAttempts !== undefined ||
      r.jitter !== undefined ||
      r.recordTtl !== undefined ||
      r.retryQuota !== undefined;
    return {
      preset: custom ? "custom" : preset,
      base: r.base ?? base.base,
      cap: r.cap ?? base.cap,
      maxAttempts:
        r.maxAttempts === "unlimited" ? Number.POSITIVE_INFINITY : (r.maxAttempts ?? base.maxAttempts),
      jitter: r.jitter ?? base.jitter,
      recordTtl: r.recordTtl ?? base.recordTtl,
      retryQuota: r.retryQuota === "none" ? Number.POSITIVE_INFINITY : (r.retryQuota ?? base.retryQuota),
    };
  })
  .meta({
    description:
      'retry of throttled records: a preset name ("sdk-v3-standard", "kpl", "kinesis-agent", "none") or its fields',
  });

// ---------------------------------------------------------------------------------------------
// Producers

const defaultLatency: DistributionSpec = {
  // PutRecords latency measured in-Region (BRANDUR-2015): p50 ≈ 35 ms, p99 ≈ 200 ms.
  dist: "lognormal",
  median: PUT_LATENCY_MEASURED.p50Ms.value * MS,
  sigma: Math.log(PUT_LATENCY_MEASURED.p99Ms.value / PUT_LATENCY_MEASURED.p50Ms.value) / Z_P99,
};

/** The Kinesis Producer Library's settings (KinesisProducerConfiguration, lowerCamelCase). */
const kplSchema = z
  .strictObject({
    recordMaxBufferedTime: duration({
      min: { value: 0 },
      max: { value: 60 * US_PER_S },
      description:
        "longest a user record waits in the KPL's buffers before its Kinesis record is sent (RecordMaxBufferedTime, default 100ms)",
    }).default(KPL_DEFAULTS.recordMaxBufferedTimeMs.value * MS),
    recordTtl: duration({
      min: { value: 100 * MS },
      description:
        "a user record not put by then fails, counted as lost (RecordTtl, default 30s; at least 100ms)",
    }).default(KPL_DEFAULTS.recordTtlMs.value * MS),
    aggregationEnabled: z.boolean().default(true).meta({
      description:
        "pack user records into aggregated Kinesis records per predicted shard (AggregationEnabled, default true)",
    }),
    aggregationMaxSize: size({
      min: { value: KPL_DEFAULTS.aggregationMaxSizeMin.value, fact: KPL_DEFAULTS.aggregationMaxSizeMin },
      max: { value: KPL_DEFAULTS.aggregationMaxSizeMax.value, fact: KPL_DEFAULTS.aggregationMaxSizeMax },
      description: "largest aggregated Kinesis record (AggregationMaxSize, default 51200B)",
    }).default(KPL_DEFAULTS.aggregationMaxSize.value),
    aggregationMaxCount: number({
      integer: true,
      min: { value: 1 },
      max: { value: KPL_DEFAULTS.aggregationMaxCount.value },
      description: "most user records in one aggregated record (AggregationMaxCount, default 4294967295)",
    }).default(KPL_DEFAULTS.aggregationMaxCount.value),
    collectionMaxCount: number({
      integer: true,
      min: { value: 1 },
      max: { value: KINESIS.putRecordsMaxRecords.value, fact: KINESIS.putRecordsMaxRecords },
      description: "Kinesis records per PutRecords request (CollectionMaxCount, default 500)",
    }).default(KPL_DEFAULTS.collectionMaxCount.value),
    collectionMaxSize: size({
      min: { value: KPL_DEFAULTS.collectionMaxSizeMin.value, fact: KPL_DEFAULTS.collectionMaxSizeMin },
      max: { value: KINESIS.putRecordsMaxRequestBytes.value, fact: KINESIS.putRecordsMaxRequestBytes },
      description: "bytes per PutRecords request (CollectionMaxSize, default 5MiB)",
    }).default(KPL_DEFAULTS.collectionMaxSize.value),
    rateLimit: number({
      min: { value: 1 },
      max: { value: 10_000 },
      description:
        "per-shard token buckets refilled at this % of a shard's limits, records and bytes, holding Kinesis records in the client (RateLimit, default 150)",
    }).default(KPL_DEFAULTS.rateLimitPercent.value),
    maxConnections: number({
      integer: true,
      min: { value: 1 },
      max: { value: 256 },
      description: "PutRecords requests in flight at once (MaxConnections, default 24)",
    }).default(KPL_DEFAULTS.maxConnections.value),
    requestTimeout: duration({
      min: { value: 100 * MS },
      max: { value: 600 * US_PER_S },
      description:
        "a request without an answer by then fails and its records are retried (RequestTimeout, default 6s)",
    }).default(KPL_DEFAULTS.requestTimeoutMs.value * MS),
    failIfThrottled: z.boolean().default(false).meta({
      description:
        "a throttled user record fails at once instead of being retried (FailIfThrottled, default false)",
    }),
    compressionRatio: fraction({
      min: { value: 0, exclusive: true },
      max: { value: 1 },
      description:
        "size of a user record's data after the application compresses it, as a share of its size (default 1: no compression)",
    }).default(1),
  })
  .meta({ description: "settings of the Kinesis Producer Library (with client: kpl)" });

/** Keys when none are given: random 36-character keys, as UUIDs. */
const DEFAULT_KEYS: KeyDistribution = { dist: "random", keyLength: 36 };

/** The Kinesis Agent's flow settings (its own names, in kinesim units). */
const agentSchema = z
  .strictObject({
    maxBufferAge: duration({
      min: { value: AGENT_DEFAULTS.maxBufferAgeMinMs.value * MS, fact: AGENT_DEFAULTS.maxBufferAgeMinMs },
      max: { value: AGENT_DEFAULTS.maxBufferAgeMaxMs.value * MS, fact: AGENT_DEFAULTS.maxBufferAgeMaxMs },
      description:
        "longest a batch waits from its first line before it is sent (maxBufferAgeMillis, default 60s)",
    }).default(AGENT_DEFAULTS.maxBufferAgeMs.value * MS),
    maxBufferSizeRecords: number({
      integer: true,
      min: { value: 1 },
      max: { value: AGENT_DEFAULTS.maxBufferSizeRecords.value, fact: AGENT_DEFAULTS.maxBufferSizeRecords },
      description: "lines per batch, one batch per request (maxBufferSizeRecords, default 500)",
    }).default(AGENT_DEFAULTS.maxBufferSizeRecords.value),
    maxBufferSizeBytes: size({
      min: { value: 1 },
      max: {
        value: AGENT_DEFAULTS.maxBufferSizeBytesStream.value,
        fact: AGENT_DEFAULTS.maxBufferSizeBytesStream,
      },
      description:
        "bytes per batch, keys included (maxBufferSizeBytes, default 5MiB to a stream, 4MiB to a delivery stream)",
    }).optional(),
    maxSendingThreads: number({
      integer: true,
      min: { value: 1 },
      max: { value: 10_000 },
      description:
        "batches in flight at once (maxSendingThreads, default max(2, 12 × cores): 24 on a 2-core host)",
    }).default(2 * AGENT_DEFAULTS.sendingThreadsPerCore.value),
    retryInitialBackoff: duration({
      min: { value: 0 },
      description:
        "first backoff after a failed send, doubling per failure (retryInitialBackoffMillis, default 100ms)",
    }).default(AGENT_DEFAULTS.retryInitialBackoffMs.value * MS),
    retryMaxBackoff: duration({
      min: { value: 0 },
      description: "largest backoff before its ±30% jitter (retryMaxBackoffMillis, default 10s)",
    }).default(AGENT_DEFAULTS.retryMaxBackoffMs.value * MS),
    partitionKeyOption: oneOf(
      ["RANDOM", "DETERMINISTIC"],
      "RANDOM: a random decimal below 1,000,000 per line; DETERMINISTIC: the MD5 of the line (default RANDOM)",
    ).default("RANDOM"),
  })
  .meta({ description: "settings of the Kinesis Agent (with client: agent)" });
/** Kinesis Agent settings after validation. */
export type AgentSettings = z.output<typeof agentSchema>;
/** KPL settings after validation. */
export type KplSettings = z.output<typeof kplSchema>;

export const producerSchema = z
  .strictObject({
    name: name("producer name, unique in the scenario"),
    client: oneOf(
      ["sdk", "kpl", "agent"],
      "sdk: an AWS SDK send loop (batch, maxInFlight, retry); kpl: the Kinesis Producer Library (kpl: settings); agent: the Kinesis Agent tailing log files, rate in lines/s and recordSize per line without its newline (agent: settings) (default sdk)",
    ).default("sdk"),
    kpl: kplSchema.optional(),
    agent: agentSchema.optional(),
    instances: number({
      integer: true,
      min: { value: 1 },
      max: { value: 100_000 },
      description: "client processes in the fleet, each batching on its own (default 1)",
    }).default(1),
    rate: rateProfileSchema,
    arrivals: oneOf(
      ["poisson", "even"],
      "record arrivals: a Poisson process, or evenly spaced (default poisson)",
    ).default("poisson"),
    recordSize: distributionOf(size, "data blob size")
      .default({ dist: "constant", value: 1024 })
      .meta({ description: "size of each record's data blob, without the partition key (default 1KiB)" }),
    partitionKey: keyDistributionSchema.optional().meta({
      description: "how records pick their partition keys (default random 36-character keys, as UUIDs)",
    }),
    target: name(
      "the stream or direct-PUT delivery stream the fleet writes to (default: the scenario's stream)",
    ).optional(),
    api: oneOf(
      ["PutRecords", "PutRecord", "PutRecordBatch", "SendMessageBatch", "SendMessage"],
      "PutRecords (batched, default for streams), PutRecordBatch (batched, default for delivery streams), SendMessageBatch (batched, default for SQS queues), or one record per call: PutRecord, SendMessage",
    ).optional(),
    batch: z
      .strictObject({
        maxRecords: number({
          integer: true,
          min: { value: 1 },
          max: { value: KINESIS.putRecordsMaxRecords.value, fact: KINESIS.putRecordsMaxRecords },
          description: "records per PutRecords request (default 500)",
        }).default(KINESIS.putRecordsMaxRecords.value),
        maxBytes: size({
          min: { value: 1 },
          max: { value: KINESIS.putRecordsMaxRequestBytes.value, fact: KINESIS.putRecordsMaxRequestBytes },
          description:
            "bytes per PutRecords request, keys included (default 5MiB, the KPL's CollectionMaxSize)",
        }).default(KPL_DEFAULTS.collectionMaxSize.value),
        linger: duration({
          min: { value: 0 },
          max: { value: 60 * US_PER_S },
          description:
            "longest a record waits for its batch to fill (default 100ms, the KPL's RecordMaxBufferedTime)",
        }).default(KPL_DEFAULTS.recordMaxBufferedTimeMs.value * MS),
      })
      .optional()
      .meta({ description: "client-side batching for PutRecords" }),
    maxInFlight: number({
      integer: true,
      min: { value: 1 },
      max: { value: 10_000 },
      description: "requests one instance keeps outstanding; more batches wait (default 1)",
    }).optional(),
    keyAffinity: z.boolean().default(false).meta({
      description:
        "each named key is always sent by the same instance (a device sending its own data), instead of by any instance (default false)",
    }),
    ordering: oneOf(
      ["none", "per-key"],
      "per-key: at most one record of a partition key in flight at a time — later records of the key wait until it is accepted or dropped, so retries and concurrent requests cannot reorder the key (as PutRecord with SequenceNumberForOrdering, or a batcher that holds a key back); needs record resolution (default none)",
    ).default("none"),
    latency: distributionOf(duration, "request latency").default(defaultLatency).meta({
      description: "time from sending a request to its response (default lognormal, median 35ms, p99 200ms)",
    }),
    retry: retrySchema.optional(),
    start: duration({ min: { value: 0 }, description: "when the fleet starts sending (default 0)" }).default(
      0,
    ),
    stop: duration({
      min: { value: 0 },
      description: "when the fleet stops producing (default: end of run)",
    }).optional(),
  })
  .transform((p) => {
    const agent =
      p.client === "agent" ? agentClient(p.agent ?? agentSchema.parse({}), p.recordSize) : undefined;
    return {
      ...p,
      agent: agent?.settings ?? p.agent,
      recordSize: agent?.recordSize ?? p.recordSize,
      partitionKey: agent?.key ?? p.partitionKey ?? DEFAULT_KEYS,
      partitionKeyGiven: p.partitionKey !== undefined,
      maxInFlight: agent?.maxInFlight ?? p.maxInFlight ?? 1,
      maxInFlightGiven: p.maxInFlight !== undefined,
      kpl: p.client === "kpl" ? (p.kpl ?? kplSchema.parse({})) : p.kpl,
      retry:
        agent?.retry ??
        p.retry ??
        ({ preset: "sdk-v3-standard", ...PRESETS["sdk-v3-standard"] } satisfies RetryPolicy),
      retryGiven: p.retry !== undefined,
      batch: agent?.batch ??
        p.batch ?? {
          maxRecords: KINESIS.putRecordsMaxRecords.value,
          maxBytes: KPL_DEFAULTS.collectionMaxSize.value,
          linger: KPL_DEFAULTS.recordMaxBufferedTimeMs.value * MS,
        },
      batchGiven: p.batch !== undefined,
    };
  });
/** A producer fleet after validation. */
export type Producer = z.output<typeof producerSchema>;

/**
 * What the Kinesis Agent is as an SDK send loop: one batch per request (its buffer), its sending
 * threads as requests in flight, its backoff, its keys, and a newline on every line. The SDK
 * loop's own settings given beside `client: agent` are refused by the checks.
 */
function agentClient(a: AgentSettings, recordSize: DistributionSpec) {
  const keyLength =
    a.partitionKeyOption === "RANDOM"
      ? AGENT_DEFAULTS.randomKeyChars.value
      : AGENT_DEFAULTS.deterministicKeyChars.value;
  return {
    settings: a,
    batch: {
      maxRecords: a.maxBufferSizeRecords,
      maxBytes: a.maxBufferSizeBytes ?? AGENT_DEFAULTS.maxBufferSizeBytesStream.value,
      linger: a.maxBufferAge,
    },
    maxInFlight: a.maxSendingThreads,
    retry: {
      preset: "kinesis-agent",
      ...PRESETS["kinesis-agent"],
      base: a.retryInitialBackoff,
      cap: a.retryMaxBackoff,
    } satisfies RetryPolicy,
    key: { dist: "random", keyLength } as KeyDistribution,
    recordSize: { ...recordSize, offset: AGENT_DEFAULTS.newlineBytes.value } as DistributionSpec,
  };
}

// ---------------------------------------------------------------------------------------------
// Stream

const shardIdText = (description: string) =>
  z
    .string({ error: (issue) => expected("a shard id such as shardId-000000000003", issue.input) })
    .regex(/^shardId-\d{12}$/, {
      error: (issue) => expected("a shard id such as shardId-000000000003", issue.input),
    })
    .meta({ description });

/** One shard of an explicit shard list, in DescribeStream's terms. */
const shardEntrySchema = z.strictObject({
  shardId: shardIdText("the shard's id; its digits are its creation number"),
  parentShardId: shardIdText(
    "the shard it was split from, or the first of the two merged into it",
  ).optional(),
  adjacentParentShardId: shardIdText("the second shard of the merge that made it").optional(),
  startingHashKey: hashKeyText.meta({ description: "first hash key of the shard's range" }),
  endingHashKey: hashKeyText.meta({ description: "last hash key of the shard's range (inclusive)" }),
  closed: z.boolean().default(false).meta({
    description: "a parent shard closed by a past reshard: listed, takes no writes (default false)",
  }),
});
/** A shard of an explicit shard list after validation. */
export type ShardEntry = z.output<typeof shardEntrySchema>;

/** The open shards of a shard list, in hash-key order. */
export function openShards(list: readonly ShardEntry[]): ShardEntry[] {
  return list
    .filter((s) => !s.closed)
    .sort((a, b) => (BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? -1 : 1));
}

/** Checks a shard list as AWS keeps it: unique ids, and open shards covering the hash space once. */
function checkShardList(list: readonly ShardEntry[], ctx: z.RefinementCtx): void {
  const issue = (message: string, path: (string | number)[]) =>
    ctx.addIssue({ code: "custom", message, path: ["shardList", ...path] });
  const seen = new Set<string>();
  list.forEach((s, i) => {
    if (seen.has(s.shardId)) issue(`shard id ${s.shardId} is listed twice`, [i, "shardId"]);
    seen.add(s.shardId);
    if (BigInt(s.startingHashKey) > BigInt(s.endingHashKey))
      issue("startingHashKey must not exceed endingHashKey", [i, "endingHashKey"]);
  });
  const open = list.map((s, i) => ({ s, i })).filter((x) => !x.s.closed);
  if (open.length === 0) {
    issue("at least one shard must be open", []);
    return;
  }
  open.sort((a, b) => (BigInt(a.s.startingHashKey) < BigInt(b.s.startingHashKey) ? -1 : 1));
  let next = 0n;
  for (const { s, i } of open) {
    const start = BigInt(s.startingHashKey);
    if (start !== next) {
      issue(
        start > next
          ? `the open shards leave hash keys ${next} … ${start - 1n} uncovered: open shards must cover 0 … 2^128−1 exactly once`
          : `${s.shardId}'s range overlaps another open shard's: open shards must cover 0 … 2^128−1 exactly once`,
        [i, "startingHashKey"],
      );
      return;
    }
    next = BigInt(s.endingHashKey) + 1n;
  }
  if (next !== 1n << 128n)
    issue(
      `the open shards end at ${next - 1n}, not at 2^128−1: open shards must cover the whole hash space`,
      [open.at(-1)!.i, "endingHashKey"],
    );
}

/** Write-limiter policies. */
export const LIMITER_POLICIES = ["window", "token-bucket"] as const;

const streamSchema = z
  .strictObject({
    name: name('stream name (default "stream")').default("stream"),
    mode: oneOf(["provisioned", "on-demand"], "capacity mode (default provisioned)").default("provisioned"),
    onDemand: onDemandSchema,
    updating: updatingSchema,
    shards: number({
      integer: true,
      min: { value: KINESIS.minShards.value, fact: KINESIS.minShards },
      max: { value: KINESIS.maxShardsPerStream.value, fact: KINESIS.maxShardsPerStream },
      description:
        "number of shards, split evenly over the hash-key space as CreateStream does (on-demand: default 4, AWS's start; with shardList: its open shards)",
    }).optional(),
    shardList: z.array(shardEntrySchema).min(1).optional().meta({
      description:
        "the shards as DescribeStream lists them (ids, hash-key ranges, parents, closed or open), kept exactly: the stream starts with them; a `shards` count other than the open ones reshards them at the start as UpdateShardCount does (even ranges)",
    }),
    retention: duration({
      min: { value: KINESIS.retentionMinHours.value * US_PER_H, fact: KINESIS.retentionMinHours },
      max: { value: KINESIS.retentionMaxHours.value * US_PER_H, fact: KINESIS.retentionMaxHours },
      description: "data retention period (default 24h, up to 365 days)",
    }).default(KINESIS.retentionDefaultHours.value * US_PER_H),
    maxRecordSize: size({
      min: { value: KINESIS.maxRecordSizeMin.value, fact: KINESIS.maxRecordSizeMin },
      max: { value: KINESIS.maxRecordSizeMax.value, fact: KINESIS.maxRecordSizeMax },
      description: "largest record, partition key included (default 1MiB; up to 10MiB since Oct 2025)",
    }).default(KINESIS.maxRecordSizeDefault.value),
    limiter: z
      .strictObject({
        policy: oneOf(
          LIMITER_POLICIES,
          "window: per calendar second (default); token-bucket: rate + burst",
        ).default("window"),
        burst: duration({
          min: { value: 1 * MS },
          max: { value: 60 * US_PER_S },
          description: "token-bucket depth, as seconds of the per-shard rate (default 1s)",
        }).default(US_PER_S),
      })
      .default({ policy: "window", burst: US_PER_S })
      .meta({ description: "how the per-shard write limit (1,000 records/s and 1 MiB/s) is enforced" }),
    getRecordsLatency: distributionOf(duration, "GetRecords latency")
      .default({ dist: "lognormal", median: 30 * MS, sigma: Math.log(300 / 30) / Z_P99 })
      .meta({
        description:
          "time a GetRecords call takes (default lognormal, median 30ms, p99 300ms; a modelling choice)",
      }),
    pushLatency: distributionOf(duration, "push latency")
      .default({ dist: "lognormal", median: 65 * MS, sigma: Math.log(100 / 65) / Z_P99 })
      .meta({
        description:
          "enhanced fan-out delay from readable to pushed; events stay in order (default lognormal, median 65ms, p99 100ms, which gives the ~70ms average AWS states)",
      }),
    propagationDelay: duration({
      min: { value: 0 },
      max: { value: 60 * US_PER_S },
      description:
        "time from acceptance until a record is readable (default 0: AWS says records can be read as soon as they are written)",
    }).default(0),
    writeRecordsPerSecond: countRate({
      min: { value: 1 },
      // A limiter admits whole records: a fraction a second (1000/min) would let it take part of one.
      integer: true,
      description: "per-shard record limit, a whole number a second (default 1000/s, AWS's)",
    }).default(KINESIS.shardWriteRecordsPerSecond.value),
    writeBytesPerSecond: byteRate({
      min: { value: 1 },
      description: "per-shard byte limit (default 1MiB/s, AWS's)",
    }).default(KINESIS.shardWriteBytesPerSecond.value),
  })
  .superRefine((stream, ctx) => {
    if (stream.shardList) checkShardList(stream.shardList, ctx);
  })
  .transform((stream, ctx) => {
    let shards = stream.shards ?? (stream.shardList ? openShards(stream.shardList).length : undefined);
    if (shards === undefined) {
      if (stream.mode === "provisioned") {
        ctx.issues.push({
          code: "custom",
          message: 'missing required field "shards" (a provisioned stream states its shard count)',
          input: stream,
        });
        return z.NEVER;
      }
      // An on-demand stream starts at 4 shards, or with room for twice its previous peak, or at its
      // warm throughput (On-demand Advantage).
      const od = stream.onDemand;
      shards = Math.max(
        ON_DEMAND.initialShards.value,
        Math.ceil((ON_DEMAND.peakMultiple.value * od.previousPeak) / stream.writeBytesPerSecond),
        Math.ceil((ON_DEMAND.peakMultiple.value * od.previousPeakRecords) / stream.writeRecordsPerSecond),
        Math.ceil(od.warmThroughput / stream.writeBytesPerSecond),
      );
    }
    return { ...stream, shards };
  });
/** The stream after validation. */
export type StreamSpec = z.output<typeof streamSchema>;

// ---------------------------------------------------------------------------------------------
// SLOs

const ratioThreshold = z
  .string()
  .transform((text, ctx) => {
    const threshold = parseShareThreshold(text);
    if (threshold && typeof threshold.over === "number" && threshold.over <= 0)
      return windowIsZero(ctx, text);
    if (threshold) return threshold;
    ctx.issues.push({
      code: "custom",
      message: expected('a threshold such as "< 0.1%" or "<= 0"', text),
      input: text,
    });
    return z.NEVER;
  })
  .meta({ pattern: UNIT_PATTERNS.shareThreshold });
const latencyThreshold = z
  .string()
  .transform((text, ctx) => {
    const threshold = parseDurationThreshold(text);
    if (threshold && typeof threshold.over === "number" && threshold.over <= 0)
      return windowIsZero(ctx, text);
    if (threshold) return threshold;
    ctx.issues.push({
      code: "custom",
      message: expected('a threshold such as "< 2s" or "<= 250ms"', text),
      input: text,
    });
    return z.NEVER;
  })
  .meta({ pattern: UNIT_PATTERNS.durationThreshold });

/** An SLO window of zero length has nothing in it. */
function windowIsZero(ctx: z.RefinementCtx, text: string) {
  ctx.issues.push({
    code: "custom",
    message: `the window after "over" must be longer than 0 (e.g. "over 1m", or "over run" for the whole run)`,
    input: text,
  });
  return z.NEVER;
}

const sloSchema = z
  .strictObject({
    writeThrottledFraction: ratioThreshold.optional().meta({
      description:
        'share of first attempts throttled in every window, e.g. "< 0.1%" (every minute, the default), "< 0.1% over 5m", "< 0.1% over run"',
    }),
    recordsLostFraction: ratioThreshold.optional().meta({
      description:
        'share of records lost (dropped after retries, or rejected as too large) in every window, e.g. "<= 0"; "over 5m" or "over run" sets the window (default every minute)',
    }),
    putLatencyP50: latencyThreshold.optional().meta({
      description:
        'median creation-to-acceptance latency in every window, e.g. "< 200ms" (every minute, the default) or "< 200ms over run"',
    }),
    putLatencyP99: latencyThreshold.optional().meta({
      description:
        '99th percentile creation-to-acceptance latency in every window, e.g. "< 2s" (every minute, the default) or "< 2s over 5m"',
    }),
    endToEndLatencyP99: latencyThreshold.optional().meta({
      description:
        '99th percentile creation-to-processed latency of every consumer (the worst counts) in every window, e.g. "< 5s" (every minute, the default) or "< 5s over run"',
    }),
    iteratorAgeMax: latencyThreshold.optional().meta({
      description: 'largest iterator age (or MillisBehindLatest) of any consumer, e.g. "< 1m"',
    }),
    dataFreshnessMax: latencyThreshold.optional().meta({
      description: 'largest DataFreshness of any delivery stream, e.g. "< 10m"',
    }),
  })
  .meta({
    description:
      'service-level objectives checked at the end of the run (exit code 1 when one fails); shares and percentiles hold in every window of a minute unless the threshold says "over 5m" or "over run"',
  });
/** SLOs after validation. */
export type Slo = z.output<typeof sloSchema>;

// ---------------------------------------------------------------------------------------------
// The scenario

const resolutionSchema = z
  .union([
    z.literal("record"),
    z.literal("auto"),
    duration({ min: { value: 100 }, max: { value: 60 * US_PER_S }, description: "cohort tick" }),
  ])
  .meta({ description: "record (follow every record), auto (default), or a cohort tick such as 10ms" });

/** The fields of a scenario file. */
const scenarioObject = z.strictObject({
  name: name("scenario name; also the default report folder"),
  description: z.string().optional().meta({ description: "what the scenario shows" }),
  seed: z
    .union([z.number().int(), z.string().min(1)], {
      error: (issue) => expected("an integer or a string", issue.input),
    })
    .default(1)
    .transform(String)
    .meta({ description: "seed of every random stream (default 1)" }),
  duration: duration({
    min: { value: 1 * MS },
    max: { value: 400 * DAY_US },
    description: "simulated time to run",
  }),
  resolution: resolutionSchema.default("auto"),
  growth: number({
    min: { value: 0, exclusive: true },
    max: { value: 1000 },
    description:
      "multiplier on every producer's traffic, e.g. 2 for twice today's (default 1; --growth 2x sets it). Applied when the scenario loads: a loaded scenario's rates include it",
  }).default(1),
  metricsInterval: duration({
    min: { value: 1 * MS },
    max: { value: US_PER_H },
    description: "length of one row of the time series (default 1s)",
  }).default(US_PER_S),
  stream: streamSchema.optional().meta({
    description: "the Kinesis data stream (optional when producers write only to delivery streams)",
  }),
  streams: z.array(streamSchema).default([]).meta({
    description: "more streams, e.g. an analytics application's output; provisioned, no capacity events",
  }),
  producers: z
    .array(producerSchema)
    .min(1, { error: "expected at least one producer" })
    .meta({ description: "producer fleets: what they write, how fast, and how they batch and retry" }),
  consumers: z.array(consumerSchema).default([]).meta({ description: "applications reading the stream" }),
  firehose: z.array(firehoseSchema).default([]).meta({ description: "Firehose delivery streams" }),
  queues: z.array(queueSchema).default([]).meta({
    description:
      "SQS FIFO queues (to compare ordering and throughput with Kinesis); producers send to them with target",
  }),
  analytics: z
    .array(analyticsSchema)
    .default([])
    .meta({ description: "analytics applications (Managed Service for Apache Flink, SQL)" }),
  events: z.array(eventSchema).default([]).meta({ description: "capacity actions at scheduled times" }),
  scaling: scalingSchema.optional().meta({ description: "an autoscaling policy for a provisioned stream" }),
  variants: z
    .array(
      z.strictObject({
        name: name("variant name"),
        set: z
          .record(z.string(), z.unknown())
          .meta({ description: "overrides, as with --set: YAML path → value" }),
      }),
    )
    .default([])
    .meta({
      description: "named alternatives for `kinesim compare`: the same traffic under other settings",
    }),
  slo: sloSchema.optional(),
});

/** The whole scenario file. */
export const scenarioSchema = scenarioObject
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.producers.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({
          code: "custom",
          message: `producer name "${p.name}" is used twice`,
          path: ["producers", i, "name"],
        });
      seen.add(p.name);
      if (p.stop !== undefined && p.stop <= p.start) {
        ctx.addIssue({ code: "custom", message: "stop must be after start", path: ["producers", i, "stop"] });
      }
      if (p.client === "kpl") {
        const notForKpl = (field: string, instead: string) =>
          ctx.addIssue({
            code: "custom",
            message: `${field} is a setting of the SDK send loop; the KPL has its own (${instead})`,
            path: ["producers", i, field],
          });
        if (p.batchGiven)
          notForKpl("batch", "kpl.collectionMaxCount, kpl.collectionMaxSize, kpl.recordMaxBufferedTime");
        if (p.retryGiven)
          notForKpl("retry", "kpl.recordTtl and kpl.failIfThrottled: failed records rejoin its buffers");
        if (p.api !== undefined && p.api !== "PutRecords")
          ctx.addIssue({
            code: "custom",
            message: `the KPL sends PutRecords requests only, not ${p.api}`,
            path: ["producers", i, "api"],
          });
        if (p.ordering === "per-key")
          ctx.addIssue({
            code: "custom",
            message:
              "ordering: per-key is not a KPL setting; the KPL reorders a key's records by up to twice RecordMaxBufferedTime",
            path: ["producers", i, "ordering"],
          });
      }
      if (p.client === "agent") {
        const notForAgent = (field: string, instead: string) =>
          ctx.addIssue({
            code: "custom",
            message: `${field} is a setting of the SDK send loop; the Kinesis Agent has its own (${instead})`,
            path: ["producers", i, field],
          });
        if (p.batchGiven)
          notForAgent("batch", "agent.maxBufferSizeRecords, agent.maxBufferSizeBytes, agent.maxBufferAge");
        if (p.retryGiven) notForAgent("retry", "agent.retryInitialBackoff, agent.retryMaxBackoff");
        if (p.maxInFlightGiven) notForAgent("maxInFlight", "agent.maxSendingThreads");
        if (p.partitionKeyGiven) notForAgent("partitionKey", "agent.partitionKeyOption");
        if (p.api !== undefined)
          notForAgent("api", "PutRecords to a stream, PutRecordBatch to a delivery stream");
        if (p.ordering === "per-key")
          ctx.addIssue({
            code: "custom",
            message:
              "ordering: per-key is not a Kinesis Agent setting; concurrent and retried batches reorder lines",
            path: ["producers", i, "ordering"],
          });
      }
      if (p.api === "PutRecord" && p.batchGiven) {
        ctx.addIssue({
          code: "custom",
          message: "batch applies to PutRecords only; remove it or use api: PutRecords",
          path: ["producers", i, "batch"],
        });
      }
      const shares = (p.partitionKey?.hotKeys ?? []).reduce((a, h) => a + h.share, 0);
      if (shares >= 1) {
        ctx.addIssue({
          code: "custom",
          message: "hot key shares must add up to less than 100%",
          path: ["producers", i, "partitionKey", "hotKeys"],
        });
      }
      const rate = p.rate;
      if (rate.profile === "pulse" && rate.width > rate.every) {
        ctx.addIssue({
          code: "custom",
          message: "pulse width must not exceed `every`",
          path: ["producers", i, "rate", "width"],
        });
      }
      if (rate.profile === "steps") {
        rate.steps.forEach((step, j) => {
          if (j > 0 && step.at <= rate.steps[j - 1]!.at) {
            ctx.addIssue({
              code: "custom",
              message: "steps must be in increasing order of `at`",
              path: ["producers", i, "rate", "steps", j, "at"],
            });
          }
        });
      }
    });
    const names = new Set<string>();
    s.consumers.forEach((c, i) => {
      if (names.has(c.name))
        ctx.addIssue({
          code: "custom",
          message: `consumer name "${c.name}" is used twice`,
          path: ["consumers", i, "name"],
        });
      names.add(c.name);
      if (c.type === "kcl") {
        c.failures.forEach((f, j) => {
          if (f.worker >= c.workers) {
            ctx.addIssue({
              code: "custom",
              message: `worker ${f.worker} does not exist: the application has ${c.workers} worker(s), numbered from 0`,
              path: ["consumers", i, "failures", j, "worker"],
            });
          }
        });
      }
      if (c.type === "lambda") {
        const shards = streamByName(s, c.stream)?.shards ?? 0;
        c.poisonRecords.forEach((p, j) => {
          if (shards > 0 && p.shard >= shards) {
            ctx.addIssue({
              code: "custom",
              message: `shard ${p.shard} does not exist: the stream has ${shards} shard(s), numbered from 0`,
              path: ["consumers", i, "poisonRecords", j, "shard"],
            });
          }
        });
      }
    });
    const efoByStream = new Map<string, number>();
    for (const c of s.consumers.filter(usesEfo)) {
      const stream = c.stream ?? s.stream?.name ?? "";
      efoByStream.set(stream, (efoByStream.get(stream) ?? 0) + 1);
    }
    for (const [stream, count] of efoByStream) {
      if (count > EFO_LIMIT.value) {
        ctx.addIssue({
          code: "custom",
          message: `${count} enhanced fan-out consumers of stream "${stream}" exceed the AWS maximum of ${EFO_LIMIT.value} registered consumers per stream${citation(EFO_LIMIT)}`,
          path: ["consumers"],
        });
      }
    }
    const variantNames = new Set<string>();
    s.variants.forEach((v, i) => {
      if (variantNames.has(v.name))
        ctx.addIssue({
          code: "custom",
          message: `the variant name "${v.name}" is used twice`,
          path: ["variants", i, "name"],
        });
      variantNames.add(v.name);
    });
    if (s.queues.length > 0 && typeof s.resolution === "number")
      ctx.addIssue({
        code: "custom",
        message:
          "SQS queues follow each message and its group, which needs record resolution (resolution: record or auto)",
        path: ["resolution"],
      });
    s.producers.forEach((p, i) => {
      if (p.ordering === "per-key" && typeof s.resolution === "number")
        ctx.addIssue({
          code: "custom",
          message:
            "ordering: per-key follows each record's key, which needs record resolution (resolution: record or auto); cohorts mix keys",
          path: ["producers", i, "ordering"],
        });
    });
    checkTopology(s, ctx);
    if (typeof s.resolution === "number" && s.metricsInterval % s.resolution !== 0) {
      ctx.addIssue({
        code: "custom",
        message: "metricsInterval must be a whole number of resolution ticks",
        path: ["metricsInterval"],
      });
    }
    if (s.scaling) {
      if (s.scaling.minShards > s.scaling.maxShards) {
        ctx.addIssue({
          code: "custom",
          message: `minShards (${s.scaling.minShards}) must not exceed maxShards (${s.scaling.maxShards})`,
          path: ["scaling", "minShards"],
        });
      }
      const becomesProvisioned = s.events.some(
        (e) => e.action === "UpdateStreamMode" && e.mode === "provisioned",
      );
      if (s.stream?.mode === "on-demand" && !becomesProvisioned) {
        ctx.addIssue({
          code: "custom",
          message:
            "a scaling policy acts through UpdateShardCount, which works on provisioned streams only, and this stream is on-demand for the whole run (on-demand scales by itself; remove scaling, or use mode: provisioned)",
          path: ["scaling"],
        });
      }
    }
  })
  .transform(resolveReferences);

type Parsed = z.output<typeof scenarioObject>;

/** The stream of that name (the scenario's stream when the name is undefined). */
function streamByName(s: Parsed, name: string | undefined): StreamSpec | undefined {
  if (name === undefined) return s.stream;
  return [s.stream, ...s.streams].find((x) => x?.name === name);
}

/**
 * Checks the references between components: every name unique, every producer target, consumer
 * stream, delivery-stream source and application source and sink names something that exists
 * and can take that role.
 */
/**
 * A delivery stream's source, whether or not its own schema transformed it: when a delivery stream
 * has an issue of its own, zod hands the parent refinement the value as written ("direct-put" or
 * { stream }), and its topology is still checked so that every problem is reported at once.
 */
function sourceOf(
  f: Parsed["firehose"][number],
): { kind: "direct-put" } | { kind: "stream"; stream?: string } {
  const raw = f.source as unknown;
  if (raw === "direct-put" || (raw as { kind?: string }).kind === "direct-put") return { kind: "direct-put" };
  const stream = (raw as { stream?: string }).stream;
  return stream === undefined ? { kind: "stream" } : { kind: "stream", stream };
}

function checkTopology(s: Parsed, ctx: z.RefinementCtx): void {
  const issue = (message: string, path: (string | number)[]) =>
    ctx.addIssue({ code: "custom", message, path });
  const streams = new Map<string, string>();
  const firehose = new Map(s.firehose.map((f) => [f.name, f]));
  const declare = (name: string, path: (string | number)[]) => {
    if (streams.has(name) || (firehose.has(name) && path[0] !== "firehose"))
      issue(`the name "${name}" is used twice (streams and delivery streams share one namespace)`, path);
    streams.set(name, name);
  };
  if (s.stream) declare(s.stream.name, ["stream", "name"]);
  s.streams.forEach((x, i) => {
    declare(x.name, ["streams", i, "name"]);
  });
  const queues = new Set<string>();
  s.queues.forEach((q, i) => {
    if (streams.has(q.name) || firehose.has(q.name) || queues.has(q.name))
      issue(`the name "${q.name}" is used twice (streams, delivery streams and queues share one namespace)`, [
        "queues",
        i,
        "name",
      ]);
    queues.add(q.name);
  });
  const seenFirehose = new Set<string>();
  s.firehose.forEach((f, i) => {
    if (seenFirehose.has(f.name) || streams.has(f.name))
      issue(`the name "${f.name}" is used twice (streams and delivery streams share one namespace)`, [
        "firehose",
        i,
        "name",
      ]);
    seenFirehose.add(f.name);
  });
  const others = [...streams.keys(), ...firehose.keys()].map((n) => `"${n}"`).join(", ");
  const noStream = `no stream is declared: add a \`stream:\` section${others ? `, or name one of ${others}` : ", or write to a delivery stream with `target:`"}`;
  const needStream = (name: string | undefined, path: (string | number)[]) => {
    if (name === undefined) {
      if (!s.stream) issue(noStream, path);
    } else if (!streams.has(name)) {
      issue(
        firehose.has(name)
          ? `"${name}" is a delivery stream; this field names a Kinesis data stream`
          : unknownName("stream", name, [...streams.keys()]),
        path,
      );
    }
  };
  const queueApis = ["SendMessageBatch", "SendMessage"];
  /** A batch setting the producer gave above the target's maximum. */
  const batchAbove = (
    p: Parsed["producers"][number],
    i: number,
    field: "maxBytes" | "maxRecords",
    fact: Fact,
    show: (n: number) => string,
  ) => {
    if (p.batchGiven && p.batch[field] > fact.value)
      issue(aboveMaximum(show(p.batch[field]), show(fact.value), fact), ["producers", i, "batch", field]);
  };
  s.producers.forEach((p, i) => {
    const target = p.target;
    const f = target !== undefined ? firehose.get(target) : undefined;
    if (p.client === "agent" && target !== undefined && queues.has(target))
      issue(`the Kinesis Agent writes to streams and delivery streams; "${target}" is a queue`, [
        "producers",
        i,
        "target",
      ]);
    if (
      p.client === "agent" &&
      f &&
      (p.agent?.maxBufferSizeBytes ?? 0) > AGENT_DEFAULTS.maxBufferSizeBytesFirehose.value
    )
      issue(
        aboveMaximum(
          formatSize(p.agent!.maxBufferSizeBytes!),
          formatSize(AGENT_DEFAULTS.maxBufferSizeBytesFirehose.value),
          AGENT_DEFAULTS.maxBufferSizeBytesFirehose,
        ),
        ["producers", i, "agent", "maxBufferSizeBytes"],
      );
    if (p.client === "kpl" && target !== undefined && (queues.has(target) || f))
      issue(`the KPL writes to Kinesis data streams; "${target}" is a ${f ? "delivery stream" : "queue"}`, [
        "producers",
        i,
        "target",
      ]);
    if (target !== undefined && queues.has(target)) {
      if (p.api !== undefined && !queueApis.includes(p.api))
        issue(`an SQS queue takes SendMessageBatch or SendMessage, not ${p.api}`, ["producers", i, "api"]);
      batchAbove(p, i, "maxBytes", SQS_FIFO.maxMessageBytes, formatSize);
      batchAbove(p, i, "maxRecords", SQS_FIFO.batchMaxMessages, String);
      return;
    }
    if (p.api !== undefined && queueApis.includes(p.api))
      issue(`${p.api} is an SQS call; name a queue in target, or use a Kinesis or Firehose API`, [
        "producers",
        i,
        "api",
      ]);
    if (f) {
      if (sourceOf(f).kind !== "direct-put")
        issue(
          `delivery stream "${target}" reads a stream; only a direct-PUT delivery stream takes producer writes`,
          ["producers", i, "target"],
        );
      if (p.api === "PutRecords")
        issue("a delivery stream takes PutRecordBatch or PutRecord, not PutRecords", ["producers", i, "api"]);
      batchAbove(p, i, "maxBytes", FIREHOSE_PUT.batchMaxBytes, formatSize);
    } else {
      if (target !== undefined && !streams.has(target))
        issue(
          unknownName("stream, delivery stream or queue", target, [
            ...streams.keys(),
            ...firehose.keys(),
            ...queues,
          ]),
          ["producers", i, "target"],
        );
      else needStream(target, ["producers", i]);
      if (p.api === "PutRecordBatch")
        issue(
          "PutRecordBatch is the delivery-stream call; a Kinesis data stream takes PutRecords or PutRecord",
          ["producers", i, "api"],
        );
    }
  });
  s.consumers.forEach((c, i) => {
    needStream(c.stream, c.stream === undefined ? ["consumers", i] : ["consumers", i, "stream"]);
  });
  s.firehose.forEach((f, i) => {
    const source = sourceOf(f);
    if (source.kind === "stream")
      needStream(
        source.stream,
        source.stream === undefined ? ["firehose", i, "source"] : ["firehose", i, "source", "stream"],
      );
  });
  s.analytics.forEach((a, i) => {
    needStream(
      a.source.stream,
      a.source.stream === undefined ? ["analytics", i, "source"] : ["analytics", i, "source", "stream"],
    );
    const source = a.source.stream ?? s.stream?.name;
    if (a.sink.stream !== undefined) {
      needStream(a.sink.stream, ["analytics", i, "sink", "stream"]);
      if (a.sink.stream === source)
        issue("an application cannot write to the stream it reads", ["analytics", i, "sink", "stream"]);
    }
    if (a.sink.firehose !== undefined) {
      const f = firehose.get(a.sink.firehose);
      if (!f)
        issue(unknownName("delivery stream", a.sink.firehose, [...firehose.keys()]), [
          "analytics",
          i,
          "sink",
          "firehose",
        ]);
      else if (sourceOf(f).kind !== "direct-put")
        issue(
          `delivery stream "${a.sink.firehose}" reads a stream; an application writes to a direct-PUT one`,
          ["analytics", i, "sink", "firehose"],
        );
    }
  });
  if (!s.stream && (s.events.length > 0 || s.scaling))
    issue("capacity events and scaling act on the scenario's stream, and none is declared", [
      s.events.length > 0 ? "events" : "scaling",
    ]);
  s.streams.forEach((x, i) => {
    if (x.mode !== "provisioned")
      issue("the extra streams are provisioned (on-demand scaling is simulated for the scenario's stream)", [
        "streams",
        i,
        "mode",
      ]);
  });
}

/** A stream that nothing writes to or reads, when the scenario declares none (never simulated). */
const UNUSED_STREAM = { name: "stream", shards: 1 };

/** Fills every reference with the name it defaults to, and each producer's API and batch. */
function resolveReferences(s: Parsed) {
  const firehose = new Set(s.firehose.map((f) => f.name));
  const queues = new Set(s.queues.map((q) => q.name));
  const stream = s.stream ?? streamSchema.parse(UNUSED_STREAM);
  const main = stream.name;
  return {
    ...s,
    stream,
    /** Whether the scenario declares its stream (when not, `stream` is an unused placeholder). */
    streamDeclared: s.stream !== undefined,
    producers: s.producers.map((p) => {
      const target = p.target ?? main;
      const toFirehose = firehose.has(target);
      const toQueue = queues.has(target);
      const batchBytes = FIREHOSE_PUT.batchMaxBytes.value;
      const api = p.api ?? (toQueue ? "SendMessageBatch" : toFirehose ? "PutRecordBatch" : "PutRecords");
      const batch =
        toQueue && !p.batchGiven
          ? {
              ...p.batch,
              maxRecords: SQS_FIFO.batchMaxMessages.value,
              maxBytes: SQS_FIFO.maxMessageBytes.value,
            }
          : // A byte limit the user chose (the batch's, or an agent's) is checked, not trimmed.
            toFirehose &&
              !p.batchGiven &&
              !(p.client === "agent" && p.agent?.maxBufferSizeBytes !== undefined)
            ? { ...p.batch, maxBytes: Math.min(p.batch.maxBytes, batchBytes) }
            : p.batch;
      return { ...p, target, api, batch };
    }),
    consumers: s.consumers.map((c) => ({ ...c, stream: c.stream ?? main })),
    firehose: s.firehose.map((f) => ({
      ...f,
      source: f.source.kind === "stream" ? { ...f.source, stream: f.source.stream ?? main } : f.source,
    })),
    analytics: s.analytics.map((a) => ({ ...a, source: { ...a.source, stream: a.source.stream ?? main } })),
  };
}

/** The validated scenario, every default filled, in engine units. */
export type Scenario = Omit<z.output<typeof scenarioSchema>, "producers"> & { producers: ResolvedProducer[] };
/** A producer whose rate profile has been resolved (trace files read). */
export type ResolvedProducer = Omit<Producer, "rate" | "api" | "target"> & {
  rate: RateProfile;
  api: NonNullable<Producer["api"]>;
  /** The stream or delivery stream it writes to. */
  target: string;
};
