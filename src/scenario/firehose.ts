// Scenario forms of Amazon Data Firehose delivery streams: the source (direct PUT or a Kinesis
// data stream), buffering hints, dynamic partitioning, the Lambda transform, format conversion,
// and the destination with its write-time model, failures, outages, retries and backup. Setting
// names follow the Firehose API (BufferingHints.SizeInMBs / IntervalInSeconds, RetryOptions, …).

import {
  FIREHOSE_BUFFERING,
  FIREHOSE_PARTITIONING,
  FIREHOSE_PUT,
  FIREHOSE_RETRY,
  FIREHOSE_TRANSFORM,
  LARGE_QUOTA_REGIONS,
} from "../data/firehose-limits.js";
import type { Fact } from "../data/sources.js";
import { US_PER_H, US_PER_MS, US_PER_S } from "../engine/time.js";
import { type ProcessingSpec, processingSchema } from "./consumers.js";
import { byteRate, countRate, duration, fraction, name, number, oneOf, size } from "./fields.js";
import { aboveMaximum, belowMinimum, citation } from "./messages.js";
import { formatDuration, formatSize } from "./units.js";
import * as z from "./zod.js";

const MiB = 1024 * 1024;
const MS = US_PER_MS;

/** Destination kinds, as the Firehose API names their configurations. */
export const DESTINATIONS = ["s3", "redshift", "opensearch", "http", "splunk"] as const;
/** One of DESTINATIONS. */
export type DestinationKind = (typeof DESTINATIONS)[number];

/** The CloudWatch metric prefix of each destination (DeliveryToS3.Records, …). */
export const DELIVERY_METRIC_PREFIX: Record<DestinationKind, string> = {
  s3: "DeliveryToS3",
  redshift: "DeliveryToRedshift",
  opensearch: "DeliveryToAmazonOpenSearchService",
  http: "DeliveryToHttpEndpoint",
  splunk: "DeliveryToSplunk",
};

/** Buffering-hint bounds and defaults of a destination kind. */
interface BufferLimits {
  maxSizeMiB: number;
  maxSizeFact: Fact;
  defaultSizeMiB: number;
  maxIntervalSeconds: number;
  maxIntervalFact: Fact;
  defaultIntervalSeconds: number;
}

const B = FIREHOSE_BUFFERING;
const S3_LIMITS: BufferLimits = {
  maxSizeMiB: B.s3SizeMaxMiB.value,
  maxSizeFact: B.s3SizeMaxMiB,
  defaultSizeMiB: B.s3SizeDefaultMiB.value,
  maxIntervalSeconds: B.s3IntervalMaxSeconds.value,
  maxIntervalFact: B.s3IntervalMaxSeconds,
  defaultIntervalSeconds: B.s3IntervalDefaultSeconds.value,
};
const BUFFER_LIMITS: Record<DestinationKind, BufferLimits> = {
  s3: S3_LIMITS,
  redshift: S3_LIMITS,
  opensearch: {
    ...S3_LIMITS,
    maxSizeMiB: B.openSearchSizeMaxMiB.value,
    maxSizeFact: B.openSearchSizeMaxMiB,
    defaultIntervalSeconds: B.openSearchIntervalDefaultSeconds.value,
  },
  http: {
    ...S3_LIMITS,
    maxSizeMiB: B.httpSizeMaxMiB.value,
    maxSizeFact: B.httpSizeMaxMiB,
    defaultIntervalSeconds: B.httpIntervalDefaultSeconds.value,
  },
  splunk: {
    maxSizeMiB: B.splunkSizeMaxMiB.value,
    maxSizeFact: B.splunkSizeMaxMiB,
    defaultSizeMiB: B.s3SizeDefaultMiB.value,
    maxIntervalSeconds: B.splunkIntervalMaxSeconds.value,
    maxIntervalFact: B.splunkIntervalMaxSeconds,
    defaultIntervalSeconds: B.splunkIntervalDefaultSeconds.value,
  },
};

/** Default retry duration of a destination kind, µs (S3 retries for 24 hours). */
function defaultRetryDuration(kind: DestinationKind): number {
  switch (kind) {
    case "s3":
      return FIREHOSE_RETRY.s3RetryHours.value * US_PER_H;
    case "redshift":
      return FIREHOSE_RETRY.redshiftRetryDefaultSeconds.value * US_PER_S;
    case "opensearch":
      return FIREHOSE_RETRY.openSearchRetryDefaultSeconds.value * US_PER_S;
    default:
      return FIREHOSE_RETRY.otherRetryDefaultSeconds.value * US_PER_S;
  }
}

/**
 * Time to write one object or batch to a destination: a modelling choice per kind (AWS publishes
 * none), in the form of a processing model: base + per KiB, with lognormal noise.
 */
const DEFAULT_WRITE: Record<DestinationKind, ProcessingSpec> = {
  // An S3 PUT in Region: tens of ms plus ~100 MB/s of transfer.
  s3: { baseUs: 50 * MS, perRecordUs: 0, perKiBUs: 10, p99Ratio: 3 },
  // S3 first (as s3), then COPY: its own model below.
  redshift: { baseUs: 50 * MS, perRecordUs: 0, perKiBUs: 10, p99Ratio: 3 },
  opensearch: { baseUs: 100 * MS, perRecordUs: 0, perKiBUs: 20, p99Ratio: 3 },
  http: { baseUs: 150 * MS, perRecordUs: 0, perKiBUs: 20, p99Ratio: 3 },
  splunk: { baseUs: 150 * MS, perRecordUs: 0, perKiBUs: 20, p99Ratio: 3 },
};
/** A Redshift COPY from the intermediate S3 objects (modelling choice). */
const DEFAULT_COPY: ProcessingSpec = { baseUs: 2 * US_PER_S, perRecordUs: 0, perKiBUs: 50, p99Ratio: 3 };

const outageSchema = z.strictObject({
  at: duration({ min: { value: 0 }, description: "when the destination goes down" }),
  duration: duration({ min: { value: 1 }, description: "how long it stays down" }),
});

const destinationSchema = z
  .strictObject({
    type: oneOf(DESTINATIONS, "where records are delivered (default s3)").default("s3"),
    write: processingSchema
      .optional()
      .meta({ description: "time to write one object or batch (default: a model per destination)" }),
    copy: processingSchema.optional().meta({
      description: "Redshift only: time of the COPY that loads each object (default 2s + 50ms/MiB)",
    }),
    failureRate: fraction({ description: "share of delivery attempts that fail (default 0)" }).default(0),
    outages: z
      .array(outageSchema)
      .default([])
      .meta({ description: "times the destination is unavailable: every attempt then fails" }),
    retryDuration: duration({
      min: { value: 0 },
      max: {
        value: FIREHOSE_RETRY.retryDurationMaxSeconds.value * US_PER_S,
        fact: FIREHOSE_RETRY.retryDurationMaxSeconds,
      },
      description:
        "how long a failed delivery is retried before the data goes to the backup bucket (default 300s; Redshift 3600s; S3 retries for 24h and is not settable)",
    }).optional(),
  })
  .transform((d) => ({
    type: d.type,
    write: d.write ?? DEFAULT_WRITE[d.type],
    copy: d.type === "redshift" ? (d.copy ?? DEFAULT_COPY) : undefined,
    failureRate: d.failureRate,
    outages: d.outages,
    retryDuration:
      d.type === "s3" ? defaultRetryDuration("s3") : (d.retryDuration ?? defaultRetryDuration(d.type)),
    retryDurationGiven: d.retryDuration !== undefined,
  }))
  .meta({ description: "where records are delivered, and how writes there behave" });
/** A destination after validation. */
export type DestinationSpec = z.output<typeof destinationSchema>;

const transformSchema = z
  .strictObject({
    bufferSize: size({
      min: {
        value: FIREHOSE_TRANSFORM.bufferSizeMinBytes.value,
        fact: FIREHOSE_TRANSFORM.bufferSizeMinBytes,
      },
      max: {
        value: FIREHOSE_TRANSFORM.bufferSizeMaxBytes.value,
        fact: FIREHOSE_TRANSFORM.bufferSizeMaxBytes,
      },
      description: "records sent to one invocation (default 1MB)",
    }).default(FIREHOSE_TRANSFORM.bufferSizeDefaultBytes.value),
    bufferInterval: duration({
      min: { value: 0 },
      max: { value: 900 * US_PER_S },
      description: "longest records wait for an invocation (default 60s)",
    }).default(FIREHOSE_TRANSFORM.bufferIntervalDefaultSeconds.value * US_PER_S),
    duration: processingSchema.prefault({ base: "50ms", perKiB: "1ms", p99: "2x" }).meta({
      description: "time one invocation takes (default 50ms + 1ms/KiB, p99 2x)",
    }),
    timeout: duration({
      min: { value: 1 * US_PER_S },
      max: {
        value: FIREHOSE_TRANSFORM.timeoutMaxSeconds.value * US_PER_S,
        fact: FIREHOSE_TRANSFORM.timeoutMaxSeconds,
      },
      description: "the function's timeout; a longer invocation fails (default 60s)",
    }).default(60 * US_PER_S),
    errorRate: fraction({ description: "share of invocations that fail (default 0)" }).default(0),
    failedRecords: fraction({
      description: "share of records the function returns as ProcessingFailed (default 0)",
    }).default(0),
    sizeRatio: number({
      min: { value: 0 },
      max: { value: 100 },
      description: "bytes out per byte in (default 1)",
    }).default(1),
    retries: number({
      integer: true,
      min: { value: 0 },
      max: { value: 300 },
      description: "retries of a failed invocation before its records are failed (default 3)",
    }).default(FIREHOSE_TRANSFORM.retriesDefault.value),
    concurrency: number({
      integer: true,
      min: { value: 1 },
      max: { value: 10_000 },
      description: "invocations in flight at once (default 5 per shard of a source stream, 5 for direct PUT)",
    }).optional(),
  })
  .meta({ description: "a Lambda function that transforms records before buffering" });

const partitioningSchema = z
  .strictObject({
    partitions: number({
      integer: true,
      min: { value: 1 },
      max: { value: 1_000_000 },
      description: "distinct partition values the partition-key expression yields",
    }),
    dist: oneOf(["uniform", "zipf"], "how records spread over partition values (default uniform)").default(
      "uniform",
    ),
    exponent: number({
      min: { value: 0, exclusive: true },
      max: { value: 10 },
      description: "zipf exponent (default 1)",
    }).default(1),
    maxActivePartitions: number({
      integer: true,
      min: { value: 1 },
      max: {
        value: FIREHOSE_PARTITIONING.activePartitionsMax.value,
        fact: FIREHOSE_PARTITIONING.activePartitionsMax,
      },
      description: "active partitions allowed; records past it go to the error prefix (default 500)",
    }).default(FIREHOSE_PARTITIONING.activePartitionsDefault.value),
  })
  .meta({ description: "dynamic partitioning: each active partition has a buffer of its own" });

const sourceSchema = z
  .union([
    z.literal("direct-put"),
    z.strictObject({
      stream: name("the Kinesis data stream to read (default: the scenario's stream)").optional(),
      startingPosition: oneOf(["LATEST", "TRIM_HORIZON"], "where reading starts (default LATEST)").default(
        "LATEST",
      ),
    }),
  ])
  .default("direct-put")
  .meta({ description: "direct-put (producers write to it) or { stream: name } (it reads a stream)" });

const quotaSchema = z
  .strictObject({
    records: countRate({ min: { value: 1 }, description: "records/s (default by Region)" }).optional(),
    requests: countRate({
      min: { value: 1 },
      description: "PutRecord and PutRecordBatch calls/s (default by Region)",
    }).optional(),
    bytes: byteRate({ min: { value: 1 }, description: "bytes/s (default by Region)" }).optional(),
  })
  .default({})
  .meta({ description: "direct-PUT quotas of the delivery stream (PutRecord and PutRecordBatch combined)" });

const bufferingSchema = z
  .strictObject({
    size: size({
      min: { value: 1 },
      description: "SizeInMBs (default 5MiB; 128MiB with format conversion)",
    }).optional(),
    interval: duration({
      min: { value: 0 },
      description: "IntervalInSeconds (default 300s; HTTP and Splunk 60s)",
    }).optional(),
    subMinute: z.boolean().default(false).meta({
      description:
        "allow intervals of 1–59 s, which the API accepts since zero buffering (they use multipart uploads); by default an interval is 0 or 60–900 s",
    }),
  })
  .default({ subMinute: false })
  .meta({ description: "buffering hints: whichever of size and interval is reached first flushes" });

/** A delivery stream. */
export const firehoseSchema = z
  .strictObject({
    name: name("delivery stream name"),
    source: sourceSchema,
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected a Region such as "us-east-1"' })
      .default("us-east-1")
      .meta({ description: "AWS Region: sets the default direct-PUT quotas (default us-east-1)" }),
    quota: quotaSchema,
    buffering: bufferingSchema,
    partitioning: partitioningSchema.optional(),
    transform: transformSchema.optional(),
    formatConversion: z
      .strictObject({
        format: oneOf(["parquet", "orc"], "output format (default parquet)").default("parquet"),
        sizeRatio: number({
          min: { value: 0, exclusive: true },
          max: { value: 10 },
          description: "bytes written per byte read (default 1; columnar formats often shrink JSON)",
        }).default(1),
      })
      .optional()
      .meta({ description: "record format conversion (Parquet or ORC); needs a buffer of at least 64 MiB" }),
    destination: destinationSchema.prefault({}),
    backup: oneOf(
      ["failed", "all"],
      "what goes to the S3 backup bucket: failed data only (default) or all",
    ).default("failed"),
  })
  .superRefine((f, ctx) => {
    const limits = BUFFER_LIMITS[f.destination.type];
    const kind = f.destination.type;
    const sizeGiven = f.buffering.size;
    if (sizeGiven !== undefined) {
      if (sizeGiven < MiB)
        ctx.addIssue({
          code: "custom",
          message: belowMinimum(formatSize(sizeGiven), "1MiB", B.s3SizeMinMiB),
          path: ["buffering", "size"],
        });
      if (sizeGiven > limits.maxSizeMiB * MiB)
        ctx.addIssue({
          code: "custom",
          message: `${aboveMaximum(formatSize(sizeGiven), `${limits.maxSizeMiB}MiB`, limits.maxSizeFact)} for ${kind}`,
          path: ["buffering", "size"],
        });
      if (f.formatConversion && sizeGiven < B.formatConversionMinMiB.value * MiB)
        ctx.addIssue({
          code: "custom",
          message: `format conversion needs a buffer size of at least ${B.formatConversionMinMiB.value}MiB, got ${formatSize(sizeGiven)}${citation(B.formatConversionMinMiB)}`,
          path: ["buffering", "size"],
        });
    }
    const interval = f.buffering.interval;
    if (interval !== undefined) {
      if (interval > limits.maxIntervalSeconds * US_PER_S)
        ctx.addIssue({
          code: "custom",
          message: `${aboveMaximum(formatDuration(interval), `${limits.maxIntervalSeconds}s`, limits.maxIntervalFact)} for ${kind}`,
          path: ["buffering", "interval"],
        });
      const classicMin = B.classicIntervalMinSeconds;
      if (
        interval > 0 &&
        interval < classicMin.value * US_PER_S &&
        !f.buffering.subMinute &&
        kind !== "splunk"
      )
        ctx.addIssue({
          code: "custom",
          message: `${formatDuration(interval)} is not a buffer interval: use 0 (zero buffering) or ${classicMin.value}s–${limits.maxIntervalSeconds}s, or set buffering.subMinute: true for the 1–59 s the API accepts since zero buffering${citation(classicMin)}`,
          path: ["buffering", "interval"],
        });
    }
    if (f.destination.type === "s3" && f.destination.retryDurationGiven)
      ctx.addIssue({
        code: "custom",
        message: `S3 delivery is retried for ${FIREHOSE_RETRY.s3RetryHours.value} hours and has no retry duration setting (AWS: ${FIREHOSE_RETRY.s3RetryHours.unit})`,
        path: ["destination", "retryDuration"],
      });
  })
  .transform((f) => {
    const limits = BUFFER_LIMITS[f.destination.type];
    const large = (LARGE_QUOTA_REGIONS as readonly string[]).includes(f.region);
    const P = FIREHOSE_PUT;
    return {
      name: f.name,
      source:
        f.source === "direct-put"
          ? ({ kind: "direct-put" } as const)
          : ({ kind: "stream", ...f.source } as const),
      region: f.region,
      quota: {
        records:
          f.quota.records ??
          (large ? P.largeRegionRecordsPerSecond.value : P.otherRegionRecordsPerSecond.value),
        requests:
          f.quota.requests ??
          (large ? P.largeRegionRequestsPerSecond.value : P.otherRegionRequestsPerSecond.value),
        bytes:
          f.quota.bytes ?? (large ? P.largeRegionBytesPerSecond.value : P.otherRegionBytesPerSecond.value),
      },
      buffering: {
        size:
          f.buffering.size ??
          (f.formatConversion ? B.formatConversionDefaultMiB.value : limits.defaultSizeMiB) * MiB,
        interval: f.buffering.interval ?? limits.defaultIntervalSeconds * US_PER_S,
      },
      partitioning: f.partitioning,
      transform: f.transform,
      formatConversion: f.formatConversion,
      destination: f.destination,
      backup: f.backup,
    };
  });
/** A delivery stream after validation. */
export type FirehoseSpec = z.output<typeof firehoseSchema>;
