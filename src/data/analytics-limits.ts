// Defaults and limits of analytics applications: Amazon Managed Service for Apache Flink
// (formerly Kinesis Data Analytics for Apache Flink), Kinesis Data Analytics SQL applications, and
// the Flink Kinesis connectors they read and write with. Data with sources (see sources.ts),
// collected 2026-11.

import type { Fact } from "./sources.js";

/** Application and connector settings. */
export const ANALYTICS = {
  maxParallelism: {
    value: 256,
    unit: "subtasks per Flink application (default maximum: ParallelismPerKPU × the 64-KPU default limit would allow 512; AWS states 256)",
    sources: ["MSF-DG"],
    note: "An older stored version of the same page says 64 (with a KPU limit of 8).",
  },
  maxParallelismPerKpu: {
    value: 8,
    unit: "subtasks per KPU (ParallelismPerKPU, default 1)",
    sources: ["MSF-DG"],
  },
  defaultKpuLimit: {
    value: 64,
    unit: "KPUs per Flink application by default (older guides: 32 or 8)",
    sources: ["MSF-DG", "BOTO-2026"],
  },
  sqlMaxInputParallelism: {
    value: 64,
    unit: "in-application input streams of a SQL application (InputParallelism.Count 1–64)",
    sources: ["KDA-SQL-DG", "BOTO-2026"],
  },
  sqlRowsPerSecondPerInAppStream: {
    value: 10_000,
    unit: "rows/s one in-application stream handles (AWS: about 5,000–15,000 at typical row sizes; the middle is used)",
    sources: ["KDA-SQL-DG"],
  },
  checkpointIntervalMs: {
    value: 60_000,
    unit: "ms between checkpoints (CheckpointInterval default; checkpointing is on by default)",
    sources: ["BOTO-2026", "MSF-DG"],
  },
  orchestrationKpus: {
    value: 1,
    unit: "extra KPU billed per Flink application for orchestration",
    sources: ["MSF-DG"],
  },
  flinkPollIntervalMs: {
    value: 200,
    unit: "ms between GetRecords calls per shard (FlinkKinesisConsumer SHARD_GETRECORDS_INTERVAL_MILLIS)",
    sources: ["FLINK-AWS", "MSF-DG"],
  },
  sqlPollIntervalMs: {
    value: 1_000,
    unit: "ms between reads (SQL applications read the source about once per second)",
    sources: ["KDA-SQL-DG"],
    note: "AWS states the cadence per application; kinesim applies it per shard.",
  },
  sinkMaxBatchSize: {
    value: 500,
    unit: "records per request (KinesisStreamsSink maxBatchSize)",
    sources: ["FLINK-AWS"],
  },
  sinkMaxInFlightRequests: {
    value: 50,
    unit: "requests in flight per subtask (KinesisStreamsSink maxInFlightRequests)",
    sources: ["FLINK-AWS"],
  },
  sinkMaxTimeInBufferMs: {
    value: 5_000,
    unit: "ms an entry waits in the sink's buffer (KinesisStreamsSink maxTimeInBufferMS)",
    sources: ["FLINK-AWS"],
  },
} as const satisfies Record<string, Fact>;
