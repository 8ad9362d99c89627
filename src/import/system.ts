// What `kinesim import` learned about a deployed system, before it becomes a scenario: streams,
// enhanced fan-out consumers, Lambda mappings, delivery streams and metric series, each value
// with the file and path it came from. Every reader (AWS CLI, CloudWatch, CloudFormation,
// Terraform) fills this; one writer turns it into scenario YAML.

import type { ShardEntry } from "../scenario/schema.js";

/** A value and where it came from (`file: path`). */
export interface Sourced<T> {
  value: T;
  from: string;
}

/** A Kinesis data stream. */
export interface StreamFacts {
  name: string;
  /** Where the stream itself was declared. */
  from: string;
  mode?: Sourced<"provisioned" | "on-demand">;
  shardCount?: Sourced<number>;
  /** Shards exactly as DescribeStream or ListShards listed them. */
  shards?: Sourced<ShardEntry[]>;
  retentionHours?: Sourced<number>;
  encryption?: Sourced<string>;
}

/** An enhanced fan-out consumer registered on a stream. */
export interface EfoFacts {
  name: string;
  stream: string;
  from: string;
}

/** Lambda event-source-mapping settings, by their scenario names. */
export interface MappingSettings {
  batchSize?: Sourced<number>;
  maximumBatchingWindowInSeconds?: Sourced<number>;
  parallelizationFactor?: Sourced<number>;
  maximumRetryAttempts?: Sourced<number>;
  maximumRecordAgeInSeconds?: Sourced<number>;
  bisectBatchOnFunctionError?: Sourced<boolean>;
  startingPosition?: Sourced<string>;
  onFailure?: Sourced<"sqs" | "sns">;
  functionResponseTypes?: Sourced<string[]>;
  tumblingWindowInSeconds?: Sourced<number>;
  /** Where a FilterCriteria is given (not modelled: the scenario says so). */
  filterCriteria?: Sourced<true>;
}

/** A Lambda function reading a stream through an event source mapping. */
export interface MappingFacts {
  functionName: string;
  stream: string;
  /** The EFO consumer it reads through, when its source is a consumer ARN. */
  efoConsumer?: string;
  from: string;
  settings: MappingSettings;
  memorySize?: Sourced<number>;
  timeoutSeconds?: Sourced<number>;
}

/** A Firehose delivery stream. */
export interface FirehoseFacts {
  name: string;
  from: string;
  /** The stream it reads, when its source is a Kinesis data stream. */
  sourceStream?: Sourced<string>;
  destination?: Sourced<"s3" | "redshift" | "opensearch" | "http" | "splunk">;
  bufferSizeMiB?: Sourced<number>;
  bufferIntervalSeconds?: Sourced<number>;
  transform?: Sourced<{ bufferSizeMiB?: number; bufferIntervalSeconds?: number }>;
  dynamicPartitioning?: Sourced<boolean>;
  formatConversion?: Sourced<"parquet" | "orc">;
  backupAll?: Sourced<boolean>;
}

/** CloudWatch metrics kinesim reads. */
export const METRICS = [
  "IncomingRecords",
  "IncomingBytes",
  "WriteProvisionedThroughputExceeded",
  "PutRecords.ThrottledRecords",
  "GetRecords.IteratorAgeMilliseconds",
  "IteratorAge",
] as const;
/** One of METRICS. */
export type MetricName = (typeof METRICS)[number];

/** One exported metric series, oldest point first. */
export interface MetricSeries {
  metric: MetricName;
  /** The query's label (or id): it may name the stream. */
  label: string;
  /** The stream it belongs to (set once every file is read). */
  stream?: string;
  /** The shard, for shard-level metrics. */
  shardId?: string;
  /** Point times, ms since the epoch, increasing. */
  timesMs: number[];
  values: number[];
  /** Seconds between points. */
  periodSeconds: number;
  /** The file and the path in it. */
  file: string;
  path: string;
  from: string;
}

/** Everything imported from every file. */
export interface ImportedSystem {
  streams: StreamFacts[];
  efo: EfoFacts[];
  mappings: MappingFacts[];
  firehoses: FirehoseFacts[];
  series: MetricSeries[];
  /** Remarks for the report and the scenario's head comment (assumptions, what was skipped). */
  notes: string[];
}

/** An empty system. */
export function emptySystem(): ImportedSystem {
  return { streams: [], efo: [], mappings: [], firehoses: [], series: [], notes: [] };
}

/** The stream of that name, created when first seen (later sources fill in what earlier ones lacked). */
export function streamNamed(system: ImportedSystem, name: string, from: string): StreamFacts {
  let stream = system.streams.find((s) => s.name === name);
  if (!stream) {
    stream = { name, from };
    system.streams.push(stream);
  }
  return stream;
}

/** The stream name in a stream ARN, or in an EFO consumer ARN (with the consumer's name). */
export function parseStreamArn(arn: string): { stream: string; consumer?: string } | undefined {
  const m = /^arn:aws[\w-]*:kinesis:[^:]*:[^:]*:stream\/([^/]+)(?:\/consumer\/([^:/]+)(?::\d+)?)?$/.exec(arn);
  if (!m) return undefined;
  return m[2] === undefined ? { stream: m[1]! } : { stream: m[1]!, consumer: m[2] };
}

/** The function name in a Lambda function ARN (or the name itself). */
export function functionNameOf(text: string): string {
  const m = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(text);
  return m ? m[1]! : text;
}

/** sqs or sns from a destination ARN. */
export function destinationKind(arn: string): "sqs" | "sns" | undefined {
  if (/^arn:aws[\w-]*:sqs:/.test(arn)) return "sqs";
  if (/^arn:aws[\w-]*:sns:/.test(arn)) return "sns";
  return undefined;
}
