// Readers of saved AWS CLI output (kinesim never calls AWS): kinesis describe-stream,
// describe-stream-summary, list-shards, list-stream-consumers; lambda list-event-source-mappings
// (and get-event-source-mapping); firehose describe-delivery-stream. Field names are AWS's.

import type { ShardEntry } from "../scenario/schema.js";
import type { Path, SourceFile } from "./source.js";
import {
  destinationKind,
  type FirehoseFacts,
  functionNameOf,
  type ImportedSystem,
  type MappingFacts,
  type MappingSettings,
  parseStreamArn,
  type StreamFacts,
  streamNamed,
} from "./system.js";

const SHARD_ID = /^shardId-\d{12}$/;
const HASH_KEY = /^\d{1,39}$/;

/** Stream mode as the API spells it → the scenario's. */
function modeOf(src: SourceFile, path: Path): "provisioned" | "on-demand" | undefined {
  const mode = src.string(path);
  if (mode === undefined) return undefined;
  if (mode === "PROVISIONED") return "provisioned";
  if (mode === "ON_DEMAND") return "on-demand";
  src.problem(path, `expected PROVISIONED or ON_DEMAND, got ${JSON.stringify(mode)}`);
  return undefined;
}

/** Shards in DescribeStream / ListShards shape; a shard with an EndingSequenceNumber is closed. */
export function readShards(src: SourceFile, path: Path): ShardEntry[] {
  const list = src.list(path, true) ?? [];
  const shards: ShardEntry[] = [];
  list.forEach((_, i) => {
    const at = [...path, i];
    if (!src.object(at, true)) return;
    const id = src.string([...at, "ShardId"], true);
    const start = src.string([...at, "HashKeyRange", "StartingHashKey"], true);
    const end = src.string([...at, "HashKeyRange", "EndingHashKey"], true);
    const parent = src.string([...at, "ParentShardId"]);
    const adjacent = src.string([...at, "AdjacentParentShardId"]);
    const ending = src.string([...at, "SequenceNumberRange", "EndingSequenceNumber"]);
    let ok = id !== undefined && start !== undefined && end !== undefined;
    for (const [value, field] of [
      [id, ["ShardId"]],
      [parent, ["ParentShardId"]],
      [adjacent, ["AdjacentParentShardId"]],
    ] as const) {
      if (value !== undefined && !SHARD_ID.test(value)) {
        src.problem(
          [...at, ...field],
          `expected a shard id such as shardId-000000000003, got ${JSON.stringify(value)}`,
        );
        ok = false;
      }
    }
    for (const [value, field] of [
      [start, "StartingHashKey"],
      [end, "EndingHashKey"],
    ] as const) {
      if (value !== undefined && (!HASH_KEY.test(value) || BigInt(value) >= 1n << 128n)) {
        src.problem(
          [...at, "HashKeyRange", field],
          `expected a decimal hash key from 0 to 2^128−1, got ${JSON.stringify(value)}`,
        );
        ok = false;
      }
    }
    if (!ok) return;
    shards.push({
      shardId: id!,
      ...(parent !== undefined ? { parentShardId: parent } : {}),
      ...(adjacent !== undefined ? { adjacentParentShardId: adjacent } : {}),
      startingHashKey: start!,
      endingHashKey: end!,
      closed: ending !== undefined,
    });
  });
  return shards;
}

/** Where a source keeps a stream's settings (AWS CLI, CloudFormation and Terraform spell them apart). */
export interface StreamPaths {
  mode: Path;
  retention: Path;
  encryption: Path;
  shardCount?: Path;
  /** Whether a provisioned stream must state its shard count here (templates must). */
  countRequired?: boolean;
}

/** Reads a stream's mode, shard count, retention and encryption, each with its source. */
export function readStreamSettings(src: SourceFile, stream: StreamFacts, paths: StreamPaths): void {
  const mode = modeOf(src, paths.mode);
  if (mode) stream.mode = { value: mode, from: src.where(paths.mode) };
  if (paths.shardCount) {
    // Terraform keeps shard_count 0 (or null) for an on-demand stream.
    const count = src.number(paths.shardCount, { integer: true, min: 0 });
    if (count !== undefined && count > 0)
      stream.shardCount = { value: count, from: src.where(paths.shardCount) };
    else if (paths.countRequired && mode !== "on-demand" && (count === 0 || src.at(paths.shardCount) == null))
      src.problem(paths.shardCount, `missing: a provisioned stream states its ${paths.shardCount.at(-1)}`);
  }
  const retention = src.number(paths.retention, { integer: true, min: 1 });
  if (retention !== undefined) stream.retentionHours = { value: retention, from: src.where(paths.retention) };
  const encryption = src.string(paths.encryption);
  if (encryption !== undefined) stream.encryption = { value: encryption, from: src.where(paths.encryption) };
}

/** `aws kinesis describe-stream` (StreamDescription) or `describe-stream-summary`. */
export function readDescribeStream(src: SourceFile, system: ImportedSystem, key: string): void {
  const root = [key];
  const name = src.string([...root, "StreamName"], true);
  if (name === undefined) return;
  const stream = streamNamed(system, name, src.where([...root, "StreamName"]));
  readStreamSettings(src, stream, {
    mode: [...root, "StreamModeDetails", "StreamMode"],
    retention: [...root, "RetentionPeriodHours"],
    encryption: [...root, "EncryptionType"],
    ...(key === "StreamDescription" ? {} : { shardCount: [...root, "OpenShardCount"] }),
  });
  if (key === "StreamDescription") {
    if (src.boolean([...root, "HasMoreShards"]) === true)
      src.problem(
        [...root, "HasMoreShards"],
        "the listing is incomplete (HasMoreShards is true): save the whole stream with `aws kinesis list-shards`, which pages through every shard",
      );
    stream.shards = { value: readShards(src, [...root, "Shards"]), from: src.where([...root, "Shards"]) };
  }
}

/** `aws kinesis list-shards`: the shards of the one stream the other files name. */
export function readListShards(
  src: SourceFile,
  system: ImportedSystem,
  streamHint: string | undefined,
): void {
  const shards = readShards(src, ["Shards"]);
  const name = streamHint ?? (system.streams.length === 1 ? system.streams[0]!.name : undefined);
  if (name === undefined) {
    src.problem(
      ["Shards"],
      system.streams.length === 0
        ? "list-shards output does not name its stream: import it together with describe-stream-summary output (or a template) of that stream, or give --stream NAME"
        : `list-shards output does not name its stream and ${system.streams.length} streams are imported: give --stream NAME`,
    );
    return;
  }
  const stream = streamNamed(system, name, src.where([]));
  stream.shards = { value: shards, from: src.where(["Shards"]) };
}

/** `aws kinesis list-stream-consumers`: enhanced fan-out consumers, by their ARNs' stream. */
export function readListConsumers(src: SourceFile, system: ImportedSystem): void {
  const list = src.list(["Consumers"], true) ?? [];
  list.forEach((_, i) => {
    const name = src.string(["Consumers", i, "ConsumerName"], true);
    const arn = src.string(["Consumers", i, "ConsumerARN"], true);
    if (name === undefined || arn === undefined) return;
    const parsed = parseStreamArn(arn);
    if (!parsed?.consumer) {
      src.problem(
        ["Consumers", i, "ConsumerARN"],
        `expected a stream consumer ARN (arn:aws:kinesis:…:stream/NAME/consumer/NAME:…), got ${JSON.stringify(arn)}`,
      );
      return;
    }
    streamNamed(system, parsed.stream, src.where(["Consumers", i, "ConsumerARN"]));
    system.efo.push({ name, stream: parsed.stream, from: src.where(["Consumers", i]) });
  });
}

/** Event-source-mapping settings under `at`, with the given spelling of each field. */
export function readMappingSettings(
  src: SourceFile,
  at: Path,
  names: Record<keyof Omit<MappingSettings, "onFailure">, string> & { onFailure: Path },
  resolveDestination: (value: unknown, path: Path) => "sqs" | "sns" | undefined = (v) =>
    typeof v === "string" ? destinationKind(v) : undefined,
): MappingSettings {
  const settings: MappingSettings = {};
  const num = (
    field:
      | "batchSize"
      | "maximumBatchingWindowInSeconds"
      | "parallelizationFactor"
      | "maximumRetryAttempts"
      | "maximumRecordAgeInSeconds"
      | "tumblingWindowInSeconds",
  ) => {
    const path = [...at, names[field]];
    const value = src.number(path, { integer: true });
    if (value !== undefined) settings[field] = { value, from: src.where(path) };
  };
  num("batchSize");
  num("maximumBatchingWindowInSeconds");
  num("parallelizationFactor");
  num("maximumRetryAttempts");
  num("maximumRecordAgeInSeconds");
  num("tumblingWindowInSeconds");
  const bisectPath = [...at, names.bisectBatchOnFunctionError];
  const bisect = src.boolean(bisectPath);
  if (bisect !== undefined)
    settings.bisectBatchOnFunctionError = { value: bisect, from: src.where(bisectPath) };
  const startPath = [...at, names.startingPosition];
  const start = src.string(startPath);
  if (start !== undefined) settings.startingPosition = { value: start, from: src.where(startPath) };
  const typesPath = [...at, names.functionResponseTypes];
  const types = src.list(typesPath);
  if (types)
    settings.functionResponseTypes = {
      value: types.filter((t): t is string => typeof t === "string"),
      from: src.where(typesPath),
    };
  const filterPath = [...at, names.filterCriteria];
  const filter = src.at(filterPath);
  if (filter !== undefined && filter !== null && !(Array.isArray(filter) && filter.length === 0))
    settings.filterCriteria = { value: true, from: src.where(filterPath) };
  const destinationPath = [...at, ...names.onFailure];
  const destination = src.at(destinationPath);
  if (destination !== undefined && destination !== null) {
    const kind = resolveDestination(destination, destinationPath);
    if (kind) settings.onFailure = { value: kind, from: src.where(destinationPath) };
    else src.problem(destinationPath, "expected the ARN of an SQS queue or SNS topic");
  }
  return settings;
}

/** The API's own spelling of the mapping fields (list-event-source-mappings, CloudFormation). */
export const API_MAPPING_NAMES = {
  batchSize: "BatchSize",
  maximumBatchingWindowInSeconds: "MaximumBatchingWindowInSeconds",
  parallelizationFactor: "ParallelizationFactor",
  maximumRetryAttempts: "MaximumRetryAttempts",
  maximumRecordAgeInSeconds: "MaximumRecordAgeInSeconds",
  bisectBatchOnFunctionError: "BisectBatchOnFunctionError",
  startingPosition: "StartingPosition",
  functionResponseTypes: "FunctionResponseTypes",
  tumblingWindowInSeconds: "TumblingWindowInSeconds",
  filterCriteria: "FilterCriteria",
  onFailure: ["DestinationConfig", "OnFailure", "Destination"],
} as const;

/** `aws lambda list-event-source-mappings` (or one mapping, from get-event-source-mapping). */
export function readEventSourceMappings(src: SourceFile, system: ImportedSystem, single: boolean): void {
  const paths: Path[] = single
    ? [[]]
    : (src.list(["EventSourceMappings"], true) ?? []).map((_, i) => ["EventSourceMappings", i]);
  for (const at of paths) {
    const arn = src.string([...at, "EventSourceArn"], true);
    const fn = src.string([...at, "FunctionArn"], true);
    // Read (and check) the settings even when the mapping is incomplete: every problem at once.
    const settings = readMappingSettings(src, at, API_MAPPING_NAMES);
    if (arn === undefined || fn === undefined) continue;
    const source = parseStreamArn(arn);
    // Mappings of other sources (SQS, DynamoDB, Kafka) are not Kinesis readers: skipped, said so.
    if (!source) {
      system.notes.push(
        `${src.where([...at, "EventSourceArn"])}: not a Kinesis stream (${arn}); mapping skipped`,
      );
      continue;
    }
    const state = src.string([...at, "State"]);
    if (state === "Disabled" || state === "Disabling") {
      system.notes.push(
        `${src.where([...at, "State"])}: mapping of ${functionNameOf(fn)} is ${state}; skipped`,
      );
      continue;
    }
    streamNamed(system, source.stream, src.where([...at, "EventSourceArn"]));
    const mapping: MappingFacts = {
      functionName: functionNameOf(fn),
      stream: source.stream,
      from: src.where(at),
      settings,
    };
    if (source.consumer) mapping.efoConsumer = source.consumer;
    system.mappings.push(mapping);
  }
}

/** Destination description keys of DescribeDeliveryStream → destination kinds. */
const DESTINATION_KEYS: Record<string, NonNullable<FirehoseFacts["destination"]>["value"]> = {
  ExtendedS3DestinationDescription: "s3",
  S3DestinationDescription: "s3",
  RedshiftDestinationDescription: "redshift",
  AmazonopensearchserviceDestinationDescription: "opensearch",
  ElasticsearchDestinationDescription: "opensearch",
  AmazonOpenSearchServerlessDestinationDescription: "opensearch",
  HttpEndpointDestinationDescription: "http",
  SplunkDestinationDescription: "splunk",
};

/** `aws firehose describe-delivery-stream`. */
export function readDeliveryStream(src: SourceFile, system: ImportedSystem): void {
  const root = ["DeliveryStreamDescription"];
  const name = src.string([...root, "DeliveryStreamName"], true);
  if (name === undefined) return;
  const facts: FirehoseFacts = { name, from: src.where(root) };
  const type = src.string([...root, "DeliveryStreamType"]);
  if (type === "KinesisStreamAsSource") {
    const path = [...root, "Source", "KinesisStreamSourceDescription", "KinesisStreamARN"];
    const arn = src.string(path, true);
    const parsed = arn === undefined ? undefined : parseStreamArn(arn);
    if (arn !== undefined && !parsed)
      src.problem(path, `expected a Kinesis stream ARN, got ${JSON.stringify(arn)}`);
    if (parsed) {
      streamNamed(system, parsed.stream, src.where(path));
      facts.sourceStream = { value: parsed.stream, from: src.where(path) };
    }
  } else if (type !== undefined && type !== "DirectPut") {
    src.problem(
      [...root, "DeliveryStreamType"],
      `expected DirectPut or KinesisStreamAsSource (kinesim models these), got ${JSON.stringify(type)}`,
    );
  }
  const destinations = src.list([...root, "Destinations"], true) ?? [];
  const first = destinations.length > 0 ? src.object([...root, "Destinations", 0]) : undefined;
  if (first) {
    // ExtendedS3 is listed beside the S3 description AWS repeats for it: prefer the richer one.
    const keys = Object.keys(DESTINATION_KEYS).filter((k) => k in first);
    const key = keys[0];
    if (!key) {
      src.problem(
        [...root, "Destinations", 0],
        `no destination kinesim models (expected one of ${Object.keys(DESTINATION_KEYS).join(", ")})`,
      );
    } else {
      readDestination(src, [...root, "Destinations", 0, key], DESTINATION_KEYS[key]!, facts, DESCRIBE_NAMES);
    }
  }
  system.firehoses.push(facts);
}

/** How a destination's settings are spelled (the API's and CloudFormation's are the same words). */
export interface DestinationNames {
  bufferingHints: Path;
  size: string;
  interval: string;
  processing: Path;
  processors: string;
  parameters: string;
  parameterName: string;
  parameterValue: string;
  type: string;
  enabled: string;
  dynamicPartitioning: Path;
  formatConversion: Path;
  backupMode: string;
}

/** DescribeDeliveryStream's and CloudFormation's spelling. */
export const DESCRIBE_NAMES: DestinationNames = {
  bufferingHints: ["BufferingHints"],
  size: "SizeInMBs",
  interval: "IntervalInSeconds",
  processing: ["ProcessingConfiguration"],
  processors: "Processors",
  parameters: "Parameters",
  parameterName: "ParameterName",
  parameterValue: "ParameterValue",
  type: "Type",
  enabled: "Enabled",
  dynamicPartitioning: ["DynamicPartitioningConfiguration"],
  formatConversion: ["DataFormatConversionConfiguration"],
  backupMode: "S3BackupMode",
};

/** Buffering hints, Lambda processing, dynamic partitioning, format conversion and backup mode. */
export function readDestination(
  src: SourceFile,
  at: Path,
  kind: NonNullable<FirehoseFacts["destination"]>["value"],
  facts: FirehoseFacts,
  n: DestinationNames,
): void {
  facts.destination = { value: kind, from: src.where(at) };
  const hints = [...at, ...n.bufferingHints];
  const size = src.number([...hints, n.size], { min: 1 });
  if (size !== undefined) facts.bufferSizeMiB = { value: size, from: src.where([...hints, n.size]) };
  const interval = src.number([...hints, n.interval], { min: 0 });
  if (interval !== undefined)
    facts.bufferIntervalSeconds = { value: interval, from: src.where([...hints, n.interval]) };
  const processing = [...at, ...n.processing];
  if (src.boolean([...processing, n.enabled]) === true) {
    const processors = src.list([...processing, n.processors]) ?? [];
    const lambda = processors.findIndex(
      (_, i) => src.string([...processing, n.processors, i, n.type]) === "Lambda",
    );
    if (lambda >= 0) {
      const params = [...processing, n.processors, lambda, n.parameters];
      const value = (name: string) => {
        const i = (src.list(params) ?? []).findIndex(
          (_, j) => src.string([...params, j, n.parameterName]) === name,
        );
        return i < 0 ? undefined : src.number([...params, i, n.parameterValue]);
      };
      const transform: { bufferSizeMiB?: number; bufferIntervalSeconds?: number } = {};
      const tSize = value("BufferSizeInMBs");
      const tInterval = value("BufferIntervalInSeconds");
      if (tSize !== undefined) transform.bufferSizeMiB = tSize;
      if (tInterval !== undefined) transform.bufferIntervalSeconds = tInterval;
      facts.transform = { value: transform, from: src.where([...processing, n.processors, lambda]) };
    }
  }
  const partitioning = [...at, ...n.dynamicPartitioning, n.enabled];
  if (src.boolean(partitioning) === true)
    facts.dynamicPartitioning = { value: true, from: src.where(partitioning) };
  const conversion = [...at, ...n.formatConversion];
  if (src.boolean([...conversion, n.enabled]) === true) {
    const text = JSON.stringify(src.at(conversion) ?? {});
    facts.formatConversion = { value: /Orc/i.test(text) ? "orc" : "parquet", from: src.where(conversion) };
  }
  const backup = src.string([...at, n.backupMode]);
  if (backup !== undefined)
    facts.backupAll = {
      value:
        backup === "Enabled" || backup === "AllData" || backup === "AllDocuments" || backup === "AllEvents",
      from: src.where([...at, n.backupMode]),
    };
}
