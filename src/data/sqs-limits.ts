// Amazon SQS FIFO queues, for the ordering comparison with Kinesis: throughput quotas per API
// action (without and with batching, and in high throughput mode), batch size, message groups and
// the visibility timeout. Data with sources (see sources.ts).

import type { Fact } from "./sources.js";

/** FIFO queue quotas and defaults. */
export const SQS_FIFO = {
  transactionsPerSecond: {
    value: 300,
    unit: "calls/s per API action (SendMessage, ReceiveMessage, DeleteMessage) of a FIFO queue without high throughput",
    sources: ["SQS-DG"],
    note: "A batch call is one transaction: with 10 messages a batch, 3,000 messages/s.",
  },
  batchMaxMessages: {
    value: 10,
    unit: "messages per SendMessageBatch / DeleteMessageBatch call, and per ReceiveMessage (MaxNumberOfMessages)",
    sources: ["SQS-DG"],
  },
  highThroughputTransactionsPerSecond: {
    value: 70_000,
    unit: "calls/s per API action of a high-throughput FIFO queue in us-east-1, us-west-2 and eu-west-1",
    sources: ["SQS-DG"],
    note: "19,000 in us-east-2 and eu-central-1, less elsewhere; 18,000 in the Oct 2023 announcement. Each partition takes 300 calls/s per action; partitions follow the message group ids.",
  },
  partitionTransactionsPerSecond: {
    value: 300,
    unit: "calls/s per API action per partition of a high-throughput FIFO queue",
    sources: ["SQS-DG"],
  },
  maxMessageBytes: {
    value: 262_144,
    unit: "bytes per message (256 KiB)",
    sources: ["SQS-DG"],
    note: "AWS raised it to 1 MiB in 2025 (UNCONFIRMED in the stored copies); set a smaller record size if that matters.",
  },
  visibilityTimeoutDefaultSeconds: {
    value: 30,
    unit: "s a received message stays invisible before it is delivered again (0 s–12 h)",
    sources: ["SQS-DG"],
  },
  visibilityTimeoutMaxSeconds: {
    value: 43_200,
    unit: "s, the longest visibility timeout (12 hours)",
    sources: ["SQS-DG"],
  },
  groupBlocking: {
    value: 1,
    unit: "a message group with a message in flight delivers no later message of the group until it is deleted or its visibility timeout expires",
    sources: ["SQS-KC"],
  },
} as const satisfies Record<string, Fact>;
