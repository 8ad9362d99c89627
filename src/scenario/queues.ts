// Scenario forms of Amazon SQS FIFO queues, for comparing ordering and throughput with Kinesis:
// producers send to a queue with SendMessage or SendMessageBatch, the partition key is the
// message group id, and a pool of workers receives, processes and deletes messages.

import { SQS_FIFO } from "../data/sqs-limits.js";
import { US_PER_MS, US_PER_S } from "../engine/time.js";
import { processingSchema } from "./consumers.js";
import { duration, fraction, name, number, oneOf } from "./fields.js";
import { formatNumber } from "./units.js";
import * as z from "./zod.js";

const workersSchema = z
  .strictObject({
    workers: number({
      integer: true,
      min: { value: 1 },
      max: { value: 10_000 },
      description: "worker threads or processes receiving from the queue (default 1)",
    }).default(1),
    maxMessages: number({
      integer: true,
      min: { value: 1 },
      max: { value: SQS_FIFO.batchMaxMessages.value, fact: SQS_FIFO.batchMaxMessages },
      description: "MaxNumberOfMessages per ReceiveMessage call (default 10)",
    }).default(SQS_FIFO.batchMaxMessages.value),
    processing: processingSchema
      .default({ baseUs: 5 * US_PER_MS, perRecordUs: 0, perKiBUs: 0, p99Ratio: 1 })
      .meta({
        description: "time a worker spends on the messages of one receive (default 5ms)",
      }),
    failureRate: fraction({
      description:
        "share of receives whose processing fails: their messages are not deleted and come back after the visibility timeout (default 0)",
    }).default(0),
    waitTime: duration({
      min: { value: 0 },
      max: { value: 20 * US_PER_S },
      description: "WaitTimeSeconds of ReceiveMessage: long polling up to 20s (default 20s)",
    }).default(20 * US_PER_S),
  })
  .meta({ description: "the workers that receive, process and delete messages" });

/** An SQS FIFO queue. */
export const queueSchema = z
  .strictObject({
    name: name("queue name"),
    type: oneOf(["fifo"], "queue type: fifo (standard queues are not ordered, so not modelled)").default(
      "fifo",
    ),
    highThroughput: z
      .boolean()
      .default(false)
      .meta({
        description: `high throughput mode: up to ${formatNumber(SQS_FIFO.highThroughputTransactionsPerSecond.value)} calls/s per action in the largest Regions instead of ${SQS_FIFO.transactionsPerSecond.value} (default false)`,
      }),
    transactionsPerSecond: number({
      integer: true,
      min: { value: 1 },
      description: "calls/s per API action (default 300, or 70,000 with high throughput)",
    }).optional(),
    visibilityTimeout: duration({
      min: { value: 0 },
      max: {
        value: SQS_FIFO.visibilityTimeoutMaxSeconds.value * US_PER_S,
        fact: SQS_FIFO.visibilityTimeoutMaxSeconds,
      },
      description: "how long a received message stays invisible before it is delivered again (default 30s)",
    }).default(SQS_FIFO.visibilityTimeoutDefaultSeconds.value * US_PER_S),
    consumers: workersSchema.prefault({}),
  })
  .transform((q) => ({
    ...q,
    transactionsPerSecond:
      q.transactionsPerSecond ??
      (q.highThroughput
        ? SQS_FIFO.highThroughputTransactionsPerSecond.value
        : SQS_FIFO.transactionsPerSecond.value),
  }));

export type QueueSpec = z.output<typeof queueSchema>;
