// Scenario forms of consumers: plain polling readers, enhanced fan-out, KCL applications and
// Lambda event source mappings. Setting names follow the AWS SDKs and Serverless Framework
// (batchSize, parallelizationFactor, maximumRetryAttempts, bisectBatchOnFunctionError, …).

import { EFO, KCL_DEFAULTS, LAMBDA_ESM, READS } from "../data/consumer-limits.js";
import type { DistributionSpec } from "../engine/distributions.js";
import { Z_P99 } from "../engine/distributions.js";
import { US_PER_MS, US_PER_S } from "../engine/time.js";
import { duration, fraction, name, number, oneOf } from "./fields.js";
import { expected } from "./messages.js";
import { parseRatio, UNIT_PATTERNS } from "./units.js";
import * as z from "./zod.js";

const MS = US_PER_MS;

/** How long a consumer takes with a batch: base + per record + per KiB, times lognormal noise. */
export interface ProcessingSpec {
  baseUs: number;
  perRecordUs: number;
  perKiBUs: number;
  /** Ratio of the 99th percentile to the median of the noise (1: no noise). */
  p99Ratio: number;
}

const ratio = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const n = parseRatio(v);
    if (n === undefined || !(n >= 1) || !Number.isFinite(n)) {
      ctx.issues.push({
        code: "custom",
        message: expected('a ratio of at least 1, such as "3x"', v),
        input: v,
      });
      return z.NEVER;
    }
    return n;
  })
  .meta({
    description:
      'ratio of the 99th percentile to the median, at least 1, e.g. "3x" (default 1x: no variability)',
    anyOf: [
      { type: "number", minimum: 1 },
      { type: "string", pattern: UNIT_PATTERNS.ratio },
    ],
  });

/** A processing-time model. */
export const processingSchema = z
  .strictObject({
    base: duration({ min: { value: 0 }, description: "time per batch (default 0)" }).default(0),
    perRecord: duration({ min: { value: 0 }, description: "time per record (default 0)" }).default(0),
    perKiB: duration({ min: { value: 0 }, description: "time per KiB of data (default 0)" }).default(0),
    p99: ratio.default(1),
  })
  .meta({ description: "time spent on a batch: base + per record + per KiB, with noise up to the p99 ratio" })
  .transform(
    (p): ProcessingSpec => ({
      baseUs: p.base,
      perRecordUs: p.perRecord,
      perKiBUs: p.perKiB,
      p99Ratio: p.p99,
    }),
  );

/** The noise of a processing model as a distribution with median 1. */
export function noiseOf(spec: ProcessingSpec): DistributionSpec {
  return spec.p99Ratio <= 1
    ? { dist: "constant", value: 1 }
    : { dist: "lognormal", median: 1, sigma: Math.log(spec.p99Ratio) / Z_P99 };
}

const startingPosition = oneOf(["LATEST", "TRIM_HORIZON"], "where reading starts (default LATEST)").default(
  "LATEST",
);
const start = duration({
  min: { value: 0 },
  description: "when the consumer starts reading (default 0)",
}).default(0);
const parentsFirst = z.boolean().default(true).meta({
  description:
    "after a reshard, read a child only once its parents are read to the end (default true; false: a naive reader)",
});
const sourceStream = name("the stream to read (default: the scenario's stream)").optional();
const deaggregate = z.boolean().default(false).meta({
  description:
    "de-aggregate KPL records as the KPL's deaggregation library (or KCL) would: processing time per user record, not per Kinesis record (default false: a plain SDK reader handles each aggregated record as one)",
});
const noProcessing: ProcessingSpec = { baseUs: 0, perRecordUs: 0, perKiBUs: 0, p99Ratio: 1 };

const pollingSchema = z.strictObject({
  name: name("consumer name, unique in the scenario"),
  type: z.literal("polling"),
  pollInterval: duration({
    min: { value: 0 },
    max: { value: 3600 * US_PER_S },
    description: "wait after each batch before the next GetRecords (default 1s, AWS's advice)",
  }).default(US_PER_S),
  maxRecords: number({
    integer: true,
    min: { value: 1 },
    max: { value: READS.maxRecordsPerCall.value, fact: READS.maxRecordsPerCall },
    description: "Limit of each GetRecords call (default 10000)",
  }).default(READS.maxRecordsPerCall.value),
  throttleBackoff: duration({
    min: { value: 0 },
    description: "wait after a throttled call (default 1s, AWS's advice)",
  }).default(US_PER_S),
  processing: processingSchema.default(noProcessing),
  deaggregate,
  startingPosition,
  start,
  stream: sourceStream,
  parentsFirst,
});

const efoSchema = z.strictObject({
  name: name("consumer name, unique in the scenario"),
  type: z.literal("efo"),
  processing: processingSchema.default(noProcessing),
  deaggregate,
  startingPosition,
  start,
  stream: sourceStream,
  parentsFirst,
});

const kclSchema = z.strictObject({
  name: name("application name, unique in the scenario"),
  type: z.literal("kcl"),
  workers: number({
    integer: true,
    min: { value: 1 },
    max: { value: 10_000 },
    description: "worker processes; leases are balanced across them (default 1)",
  }).default(1),
  retrieval: oneOf(["efo", "polling"], "enhanced fan-out (KCL 2.x/3.x default) or polling").default("efo"),
  maxRecords: number({
    integer: true,
    min: { value: 1 },
    max: { value: KCL_DEFAULTS.maxRecords.value, fact: KCL_DEFAULTS.maxRecords },
    description: "records per GetRecords (default 10000)",
  }).default(KCL_DEFAULTS.maxRecords.value),
  idleTimeBetweenReads: duration({
    min: { value: 0 },
    description: "wait between polling reads (default 1500ms, KCL 2.5.4+ and 3.x)",
  }).default(KCL_DEFAULTS.idleTimeBetweenReadsMs.value * MS),
  checkpoint: z
    .strictObject({
      everyRecords: number({
        integer: true,
        min: { value: 1 },
        description: "checkpoint after this many records",
      }).optional(),
      every: duration({
        min: { value: 1 },
        description: "checkpoint at most this long after the last one",
      }).optional(),
    })
    .default({ every: 60 * US_PER_S })
    .meta({
      description:
        "when record processors checkpoint (default every 60s); reprocessing after a failover starts from the last checkpoint",
    }),
  failoverTime: duration({
    min: { value: 1 * MS },
    description: "lease duration without renewal (default 10s)",
  }).default(KCL_DEFAULTS.failoverTimeMs.value * MS),
  failures: z
    .array(
      z.strictObject({
        worker: number({ integer: true, min: { value: 0 }, description: "worker index (0-based)" }),
        at: duration({ min: { value: 0 }, description: "when the worker dies" }),
      }),
    )
    .default([])
    .meta({ description: "workers that die during the run; their leases move after the lease duration" }),
  processing: processingSchema.default(noProcessing),
  startingPosition,
  start,
  stream: sourceStream,
});

const lambdaSchema = z.strictObject({
  name: name("function name, unique in the scenario"),
  type: z.literal("lambda"),
  batchSize: number({
    integer: true,
    min: { value: 1 },
    max: { value: LAMBDA_ESM.batchSizeMax.value, fact: LAMBDA_ESM.batchSizeMax },
    description: "records per invocation (default 100)",
  }).default(LAMBDA_ESM.batchSizeDefault.value),
  maximumBatchingWindowInSeconds: number({
    min: { value: 0 },
    max: { value: LAMBDA_ESM.batchingWindowMaxSeconds.value, fact: LAMBDA_ESM.batchingWindowMaxSeconds },
    integer: true,
    description: "seconds to gather records before invoking (default 0)",
  }).default(0),
  parallelizationFactor: number({
    integer: true,
    min: { value: 1 },
    max: { value: LAMBDA_ESM.parallelizationFactorMax.value, fact: LAMBDA_ESM.parallelizationFactorMax },
    description: "concurrent batches per shard, each partition key always in the same one (default 1)",
  }).default(1),
  startingPosition,
  start,
  stream: sourceStream,
  duration: processingSchema
    .default({ baseUs: 10 * MS, perRecordUs: 0, perKiBUs: 0, p99Ratio: 1 })
    .meta({ description: "function run time per batch (default 10ms)" }),
  timeout: duration({
    min: { value: 1 * MS },
    max: { value: LAMBDA_ESM.timeoutMaxSeconds.value * US_PER_S, fact: LAMBDA_ESM.timeoutMaxSeconds },
    description: "function timeout (default 3s, the Lambda console's default; not in the facts sheet)",
  }).default(3 * US_PER_S),
  errorRate: fraction({ description: "share of invocations that fail (default 0)" }).default(0),
  poisonRecords: z
    .array(
      z.strictObject({
        shard: number({
          integer: true,
          min: { value: 0 },
          description: "shard index (0-based, in hash-key order)",
        }),
        at: duration({
          min: { value: 0 },
          description: "the first record accepted on the shard at or after this time is poison",
        }),
      }),
    )
    .default([])
    .meta({ description: "records that make every invocation holding them fail" }),
  maximumRetryAttempts: number({
    integer: true,
    min: { value: -1 },
    max: { value: LAMBDA_ESM.maximumRetryAttemptsMax.value, fact: LAMBDA_ESM.maximumRetryAttemptsMax },
    description: "retries of a failed batch; −1 retries until the records expire (default −1)",
  }).default(-1),
  maximumRecordAgeInSeconds: number({
    integer: true,
    min: { value: -1 },
    max: { value: LAMBDA_ESM.maximumRecordAgeMaxSeconds.value, fact: LAMBDA_ESM.maximumRecordAgeMaxSeconds },
    description: "discard records older than this instead of retrying; −1: no limit (default −1)",
  }).default(-1),
  bisectBatchOnFunctionError: z
    .boolean()
    .default(false)
    .meta({ description: "split a failed batch in two and retry the halves (default false)" }),
  functionResponseTypes: z.array(z.literal("ReportBatchItemFailures")).default([]).meta({
    description:
      "[ReportBatchItemFailures]: the function reports the first failed record; Lambda retries from it",
  }),
  onFailure: oneOf(
    ["none", "sqs", "sns"],
    "on-failure destination for discarded batches (default none)",
  ).default("none"),
  reservedConcurrency: number({
    integer: true,
    min: { value: 0 },
    description: "reserved concurrency of the function (default: the account's unreserved pool)",
  }).optional(),
  accountConcurrency: number({
    integer: true,
    min: { value: 1 },
    description: "concurrent executions available to the function without a reservation (default 1000)",
  }).default(LAMBDA_ESM.accountConcurrency.value),
  efo: z
    .boolean()
    .default(false)
    .meta({ description: "read through an enhanced fan-out consumer (default false: shared polling)" }),
  memorySize: number({
    integer: true,
    min: { value: 128 },
    max: { value: 10_240 },
    description: "function memory in MB, for cost (default 128)",
  }).default(128),
});

/** Any consumer. */
export const consumerSchema = z.discriminatedUnion("type", [
  pollingSchema,
  efoSchema,
  kclSchema,
  lambdaSchema,
]);
/** A consumer after validation. */
export type ConsumerSpec = z.output<typeof consumerSchema>;
/** A polling consumer after validation. */
export type PollingSpec = z.output<typeof pollingSchema>;
/** An EFO consumer after validation. */
export type EfoSpec = z.output<typeof efoSchema>;
/** A KCL application after validation. */
export type KclSpec = z.output<typeof kclSchema>;
/** A Lambda event source mapping after validation. */
export type LambdaSpec = z.output<typeof lambdaSchema>;

/** Whether a consumer registers an enhanced fan-out consumer (counted against the stream's limit). */
export function usesEfo(c: ConsumerSpec): boolean {
  return c.type === "efo" || (c.type === "kcl" && c.retrieval === "efo") || (c.type === "lambda" && c.efo);
}

/** The registered-consumer limit, for validation. */
export const EFO_LIMIT = EFO.maxConsumersPerStream;
