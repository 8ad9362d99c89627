// Scenario forms of analytics applications (Kinesis Data Analytics / Managed Service for Apache
// Flink, and SQL applications): a consumer of a stream with parallel subtasks of a given
// throughput, optional tumbling or sliding windows whose results are emitted when the window
// closes, and a sink that is another stream or a delivery stream.

import { ANALYTICS } from "../data/analytics-limits.js";
import { US_PER_MS, US_PER_S } from "../engine/time.js";
import { processingSchema } from "./consumers.js";
import { distributionOf } from "./distributions.js";
import { duration, name, number, oneOf, size } from "./fields.js";
import { aboveMaximum } from "./messages.js";
import * as z from "./zod.js";

const MS = US_PER_MS;

const windowSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("none") }),
    z.strictObject({
      type: z.literal("tumbling"),
      size: duration({
        min: { value: 1 * MS },
        max: { value: 24 * 3600 * US_PER_S },
        description: "window length",
      }),
    }),
    z.strictObject({
      type: z.literal("sliding"),
      size: duration({
        min: { value: 1 * MS },
        max: { value: 24 * 3600 * US_PER_S },
        description: "window length",
      }),
      slide: duration({ min: { value: 1 * MS }, description: "how often a window closes (its step)" }),
    }),
  ])
  .default({ type: "none" })
  .meta({
    description:
      "none (records pass through), tumbling { size } or sliding { size, slide }: windows by processing time, results emitted when a window closes",
  });

const outputSchema = z
  .strictObject({
    recordsPerWindow: number({
      integer: true,
      min: { value: 0 },
      max: { value: 10_000_000 },
      description: "records each window emits when it closes (e.g. one per group key)",
    }).optional(),
    perInput: number({
      min: { value: 0 },
      max: { value: 1000 },
      description:
        "records emitted per record processed (without windows, or as a share with them; default 1)",
    }).optional(),
    recordSize: distributionOf(size, "output record size")
      .default({ dist: "constant", value: 200 })
      .meta({ description: "size of each output record (default 200B)" }),
  })
  .prefault({})
  .meta({ description: "what the application writes to its sink" });

const sinkSchema = z
  .strictObject({
    stream: name("a Kinesis data stream of the scenario").optional(),
    firehose: name("a delivery stream of the scenario").optional(),
    maxBatchSize: number({
      integer: true,
      min: { value: 1 },
      max: { value: 500 },
      description: "records per PutRecords / PutRecordBatch call (default 500)",
    }).default(ANALYTICS.sinkMaxBatchSize.value),
    maxTimeInBuffer: duration({
      min: { value: 0 },
      max: { value: 60 * US_PER_S },
      description: "longest an output record waits for its batch (default 5s, the Flink Kinesis sink's)",
    }).default(ANALYTICS.sinkMaxTimeInBufferMs.value * MS),
    maxInFlightRequests: number({
      integer: true,
      min: { value: 1 },
      max: { value: 1000 },
      description: "requests in flight per subtask (default 50)",
    }).default(ANALYTICS.sinkMaxInFlightRequests.value),
  })
  .meta({ description: "where results go: { stream: name } or { firehose: name }" });

/** An analytics application. */
export const analyticsSchema = z
  .strictObject({
    name: name("application name"),
    runtime: oneOf(
      ["flink", "sql"],
      "Managed Service for Apache Flink (default) or a SQL application",
    ).default("flink"),
    source: z
      .strictObject({
        stream: name("the stream to read (default: the scenario's stream)").optional(),
        startingPosition: oneOf(["LATEST", "TRIM_HORIZON"], "where reading starts (default LATEST)").default(
          "LATEST",
        ),
        pollInterval: duration({
          min: { value: 0 },
          max: { value: 60 * US_PER_S },
          description: "time between GetRecords calls per shard (default 200ms for Flink, 1s for SQL)",
        }).optional(),
      })
      .prefault({})
      .meta({ description: "the stream the application reads, and where it starts" }),
    parallelism: number({
      integer: true,
      min: { value: 1 },
      max: { value: ANALYTICS.maxParallelism.value, fact: ANALYTICS.maxParallelism },
      description: "parallel subtasks; shard i is read by subtask i mod parallelism (default 1)",
    }).default(1),
    parallelismPerKPU: number({
      integer: true,
      min: { value: 1 },
      max: { value: ANALYTICS.maxParallelismPerKpu.value, fact: ANALYTICS.maxParallelismPerKpu },
      description: "subtasks per KPU (default 1): KPUs = ceil(parallelism / parallelismPerKPU)",
    }).default(1),
    processing: processingSchema.optional().meta({
      description:
        "time one subtask (Flink) or in-application stream (SQL) spends on a batch (default Flink 1ms + 50µs per record, about 20,000 records/s; SQL 100µs per record, the middle of AWS's 5,000–15,000 rows/s)",
    }),
    window: windowSchema,
    output: outputSchema,
    sink: sinkSchema,
    checkpointInterval: duration({
      min: { value: 1 * US_PER_S },
      description: "how often state and source positions are checkpointed (default 60s)",
    }).default(ANALYTICS.checkpointIntervalMs.value * MS),
    failures: z
      .array(
        z.strictObject({
          at: duration({ min: { value: 0 }, description: "when the application fails" }),
          restart: duration({
            min: { value: 0 },
            description: "time until it runs again from its last checkpoint (default 30s)",
          }).default(30 * US_PER_S),
        }),
      )
      .default([])
      .meta({
        description:
          "application failures: it restarts from its last checkpoint, reads the records since again and re-emits their windows (at-least-once into a stream)",
      }),
    start: duration({ min: { value: 0 }, description: "when the application starts (default 0)" }).default(0),
  })
  .superRefine((a, ctx) => {
    const sqlMax = ANALYTICS.sqlMaxInputParallelism;
    if (a.runtime === "sql" && a.parallelism > sqlMax.value)
      ctx.addIssue({
        code: "custom",
        message: aboveMaximum(String(a.parallelism), String(sqlMax.value), sqlMax),
        path: ["parallelism"],
      });
    const targets = (a.sink.stream !== undefined ? 1 : 0) + (a.sink.firehose !== undefined ? 1 : 0);
    if (targets !== 1)
      ctx.addIssue({
        code: "custom",
        message: "a sink names exactly one of stream or firehose",
        path: ["sink"],
      });
    const w = a.window;
    if (w.type === "sliding" && (w.slide > w.size || w.size % w.slide !== 0))
      ctx.addIssue({
        code: "custom",
        message: "a sliding window's slide must divide its size",
        path: ["window", "slide"],
      });
    if (w.type !== "none" && a.output.recordsPerWindow === undefined && a.output.perInput === undefined)
      ctx.addIssue({
        code: "custom",
        message: "a windowed application states output.recordsPerWindow (or output.perInput)",
        path: ["output"],
      });
    if (w.type === "none" && a.output.recordsPerWindow !== undefined)
      ctx.addIssue({
        code: "custom",
        message: "recordsPerWindow needs a window; without one, use perInput",
        path: ["output", "recordsPerWindow"],
      });
  })
  .transform((a) => ({
    ...a,
    source: {
      ...a.source,
      pollInterval:
        a.source.pollInterval ??
        (a.runtime === "sql" ? ANALYTICS.sqlPollIntervalMs.value : ANALYTICS.flinkPollIntervalMs.value) * MS,
    },
    processing:
      a.processing ??
      (a.runtime === "sql"
        ? {
            baseUs: 0,
            perRecordUs: US_PER_S / ANALYTICS.sqlRowsPerSecondPerInAppStream.value,
            perKiBUs: 0,
            p99Ratio: 1,
          }
        : { baseUs: 1 * MS, perRecordUs: 50, perKiBUs: 0, p99Ratio: 1 }),
    kpus: Math.ceil(a.parallelism / a.parallelismPerKPU),
  }));
/** An analytics application after validation. */
export type AnalyticsSpec = z.output<typeof analyticsSchema>;
