// Terraform's JSON plan (`terraform show -json PLAN`) or state (`terraform show -json`):
// aws_kinesis_stream, aws_kinesis_stream_consumer, aws_lambda_event_source_mapping (with the
// function's memory and timeout) and aws_kinesis_firehose_delivery_stream. Values a plan does not
// know yet (ARNs of resources still to be created) are followed through the configuration's
// references to the resources they name.

import { readDestination, readMappingSettings, readStreamSettings } from "./aws-cli.js";
import type { Path, SourceFile } from "./source.js";
import {
  destinationKind,
  type FirehoseFacts,
  functionNameOf,
  type ImportedSystem,
  type MappingFacts,
  parseStreamArn,
  streamNamed,
} from "./system.js";

/** Resource types kinesim imports. */
const SUPPORTED = [
  "aws_kinesis_stream",
  "aws_kinesis_stream_consumer",
  "aws_lambda_event_source_mapping",
  "aws_kinesis_firehose_delivery_stream",
];
/** Kinesis resource types kinesim does not model. */
const UNSUPPORTED = /^aws_kinesis(_analytics|analyticsv2|_video)/;

/** `destination` of aws_kinesis_firehose_delivery_stream → kind and configuration block. */
const DESTINATIONS: Record<string, [NonNullable<FirehoseFacts["destination"]>["value"], string]> = {
  extended_s3: ["s3", "extended_s3_configuration"],
  s3: ["s3", "s3_configuration"],
  redshift: ["redshift", "redshift_configuration"],
  opensearch: ["opensearch", "opensearch_configuration"],
  elasticsearch: ["opensearch", "elasticsearch_configuration"],
  opensearchserverless: ["opensearch", "opensearchserverless_configuration"],
  http_endpoint: ["http", "http_endpoint_configuration"],
  splunk: ["splunk", "splunk_configuration"],
};

/** A resource in planned_values (or values), with its path in the file. */
interface Resource {
  address: string;
  type: string;
  name: string;
  path: Path;
  /** Its configuration block's path (expressions), when found. */
  config?: Path;
}

/** Reads a Terraform plan or state JSON into `system`. */
export function readTerraform(src: SourceFile, system: ImportedSystem, skipUnsupported: boolean): void {
  const version = src.string(["format_version"], true);
  if (version !== undefined && !version.startsWith("1.")) {
    src.problem(
      ["format_version"],
      `format version ${version} is not supported: kinesim reads Terraform's JSON format 1.x`,
    );
    return;
  }
  const rootKey = src.at(["planned_values"]) !== undefined ? "planned_values" : "values";
  if (src.object([rootKey, "root_module"], true) === undefined) return;
  const resources: Resource[] = [];
  collect(src, [rootKey, "root_module"], resources);
  const configs = new Map<string, Path>();
  collectConfig(src, ["configuration", "root_module"], "", configs);
  for (const r of resources) {
    const config = configs.get(r.address.replace(/\[[^\]]*\]$/, ""));
    if (config) r.config = config;
  }
  const byAddress = new Map(resources.map((r) => [r.address.replace(/\[[^\]]*\]$/, ""), r]));
  const refs = new References(src, byAddress);
  let any = false;
  for (const r of resources) {
    if (!SUPPORTED.includes(r.type)) {
      if (UNSUPPORTED.test(r.type)) {
        const message = `${r.type} is not imported: kinesim models ${SUPPORTED.join(", ")}`;
        if (skipUnsupported)
          system.notes.push(`${src.where(r.path)}: ${message}; skipped (--skip-unsupported)`);
        else src.problem([...r.path, "type"], `${message}; pass --skip-unsupported to import the rest`);
      }
      continue;
    }
    any = true;
    const v = [...r.path, "values"];
    switch (r.type) {
      case "aws_kinesis_stream":
        readStream(src, system, r, v);
        break;
      case "aws_kinesis_stream_consumer": {
        const name = src.string([...v, "name"], true);
        const stream = refs.stream(r, ["stream_arn"]);
        if (name !== undefined && stream !== undefined)
          system.efo.push({ name, stream, from: src.where(r.path) });
        break;
      }
      case "aws_lambda_event_source_mapping":
        readMapping(src, system, r, v, refs);
        break;
      case "aws_kinesis_firehose_delivery_stream":
        readFirehose(src, system, r, v, refs);
        break;
      default:
        break;
    }
  }
  if (!any)
    src.problem(
      [rootKey, "root_module"],
      `no resource kinesim imports: expected one of ${SUPPORTED.join(", ")}`,
    );
}

function collect(src: SourceFile, at: Path, out: Resource[]): void {
  (src.list([...at, "resources"]) ?? []).forEach((_, i) => {
    const path = [...at, "resources", i];
    if (src.string([...path, "mode"]) === "data") return;
    const address = src.string([...path, "address"], true);
    const type = src.string([...path, "type"], true);
    const name = src.string([...path, "name"], true);
    if (address !== undefined && type !== undefined && name !== undefined)
      out.push({ address, type, name, path });
  });
  (src.list([...at, "child_modules"]) ?? []).forEach((_, i) => {
    collect(src, [...at, "child_modules", i], out);
  });
}

function collectConfig(src: SourceFile, at: Path, prefix: string, out: Map<string, Path>): void {
  (src.list([...at, "resources"]) ?? []).forEach((_, i) => {
    const address = src.string([...at, "resources", i, "address"]);
    if (address !== undefined) out.set(`${prefix}${address}`, [...at, "resources", i, "expressions"]);
  });
  for (const call of Object.keys(src.object([...at, "module_calls"]) ?? {}))
    collectConfig(src, [...at, "module_calls", call, "module"], `${prefix}module.${call}.`, out);
}

/** Follows references of configuration expressions to the resources they name. */
class References {
  constructor(
    private readonly src: SourceFile,
    private readonly byAddress: Map<string, Resource>,
  ) {}

  /** The resource an attribute refers to (`aws_kinesis_stream.orders.arn` → that stream). */
  target(r: Resource, attr: Path): Resource | undefined {
    if (!r.config) return undefined;
    const refs = this.src.at([...r.config, ...attr, "references"]);
    if (!Array.isArray(refs)) return undefined;
    const prefix = r.address.includes("module.") ? r.address.slice(0, r.address.lastIndexOf(r.type)) : "";
    for (const ref of refs) {
      if (typeof ref !== "string") continue;
      const parts = ref.split(".");
      // The resource's own address is the reference without its attribute.
      for (const n of [2, 3]) {
        const found = this.byAddress.get(`${prefix}${parts.slice(0, n).join(".")}`);
        if (found) return found;
      }
    }
    return undefined;
  }

  private name(r: Resource, attr: string): string | undefined {
    return this.src.string([...r.path, "values", attr]);
  }

  /** The stream a stream-ARN attribute names: a literal ARN, or a reference to the stream. */
  stream(r: Resource, attr: Path): string | undefined {
    return this.streamOrConsumer(r, attr)?.stream;
  }

  /** The stream (and EFO consumer) an event-source ARN names. */
  streamOrConsumer(r: Resource, attr: Path): { stream: string; consumer?: string } | undefined {
    const valuePath = [...r.path, "values", ...attr];
    const literal = this.src.at(valuePath);
    if (typeof literal === "string") {
      const parsed = parseStreamArn(literal);
      if (!parsed)
        this.src.problem(valuePath, `expected a Kinesis stream ARN, got ${JSON.stringify(literal)}`);
      return parsed;
    }
    const target = this.target(r, attr);
    if (target?.type === "aws_kinesis_stream") {
      const name = this.name(target, "name");
      return name === undefined ? undefined : { stream: name };
    }
    if (target?.type === "aws_kinesis_stream_consumer") {
      const consumer = this.name(target, "name");
      const stream = this.stream(target, ["stream_arn"]);
      return consumer !== undefined && stream !== undefined ? { stream, consumer } : undefined;
    }
    this.src.problem(
      valuePath,
      target
        ? `refers to ${target.address}, not a Kinesis stream`
        : "unknown until apply and not a reference kinesim can follow: expected a literal ARN or a reference to an aws_kinesis_stream in the configuration",
    );
    return undefined;
  }

  /** sqs or sns for a destination ARN or a reference to a queue or topic. */
  destination(r: Resource, attr: Path): "sqs" | "sns" | undefined {
    const literal = this.src.at([...r.path, "values", ...attr]);
    if (typeof literal === "string") return destinationKind(literal);
    const target = this.target(r, attr);
    if (target?.type === "aws_sqs_queue") return "sqs";
    if (target?.type === "aws_sns_topic") return "sns";
    return undefined;
  }
}

function readStream(src: SourceFile, system: ImportedSystem, r: Resource, v: Path): void {
  const name = src.string([...v, "name"], true);
  if (name === undefined) return;
  const stream = streamNamed(system, name, src.where(r.path));
  readStreamSettings(src, stream, {
    mode: [...v, "stream_mode_details", 0, "stream_mode"],
    shardCount: [...v, "shard_count"],
    countRequired: true,
    retention: [...v, "retention_period"],
    encryption: [...v, "encryption_type"],
  });
}

function readMapping(src: SourceFile, system: ImportedSystem, r: Resource, v: Path, refs: References): void {
  const source = refs.streamOrConsumer(r, ["event_source_arn"]);
  if (!source) return;
  if (src.boolean([...v, "enabled"]) === false) {
    system.notes.push(`${src.where([...v, "enabled"])}: mapping is disabled; skipped`);
    return;
  }
  // function_name: a literal name or ARN, or a reference to an aws_lambda_function.
  const fnTarget = refs.target(r, ["function_name"]);
  const literal = src.string([...v, "function_name"]);
  const fnName =
    fnTarget?.type === "aws_lambda_function"
      ? src.string([...fnTarget.path, "values", "function_name"])
      : literal !== undefined
        ? functionNameOf(literal)
        : undefined;
  if (fnName === undefined) {
    src.problem(
      [...v, "function_name"],
      "missing: expected the function's name or a reference to an aws_lambda_function",
    );
    return;
  }
  streamNamed(system, source.stream, src.where([...v, "event_source_arn"]));
  const mapping: MappingFacts = {
    functionName: fnName,
    stream: source.stream,
    from: src.where(r.path),
    settings: readMappingSettings(
      src,
      v,
      {
        batchSize: "batch_size",
        maximumBatchingWindowInSeconds: "maximum_batching_window_in_seconds",
        parallelizationFactor: "parallelization_factor",
        maximumRetryAttempts: "maximum_retry_attempts",
        maximumRecordAgeInSeconds: "maximum_record_age_in_seconds",
        bisectBatchOnFunctionError: "bisect_batch_on_function_error",
        startingPosition: "starting_position",
        functionResponseTypes: "function_response_types",
        tumblingWindowInSeconds: "tumbling_window_in_seconds",
        filterCriteria: "filter_criteria",
        onFailure: ["destination_config", 0, "on_failure", 0, "destination_arn"],
      },
      (value) => (typeof value === "string" ? destinationKind(value) : undefined),
    ),
  };
  // A destination ARN unknown until apply: follow its reference to the queue or topic.
  if (!mapping.settings.onFailure) {
    const kind = refs.destination(r, ["destination_config", 0, "on_failure", 0, "destination_arn"]);
    if (kind) mapping.settings.onFailure = { value: kind, from: src.where([...v, "destination_config"]) };
  }
  if (source.consumer) mapping.efoConsumer = source.consumer;
  if (fnTarget?.type === "aws_lambda_function") {
    for (const [field, key] of [
      ["memorySize", "memory_size"],
      ["timeoutSeconds", "timeout"],
    ] as const) {
      const path = [...fnTarget.path, "values", key];
      const value = src.number(path, { min: 1 });
      if (value !== undefined) mapping[field] = { value, from: src.where(path) };
    }
  }
  system.mappings.push(mapping);
}

function readFirehose(src: SourceFile, system: ImportedSystem, r: Resource, v: Path, refs: References): void {
  const name = src.string([...v, "name"], true);
  if (name === undefined) return;
  const facts: FirehoseFacts = { name, from: src.where(r.path) };
  if ((src.list([...v, "kinesis_source_configuration"]) ?? []).length > 0) {
    const stream = refs.stream(r, ["kinesis_source_configuration", 0, "kinesis_stream_arn"]);
    if (stream !== undefined) {
      streamNamed(system, stream, src.where([...v, "kinesis_source_configuration"]));
      facts.sourceStream = {
        value: stream,
        from: src.where([...v, "kinesis_source_configuration", 0, "kinesis_stream_arn"]),
      };
    }
  }
  const destination = src.string([...v, "destination"], true);
  const known = destination === undefined ? undefined : DESTINATIONS[destination];
  if (destination !== undefined && !known)
    src.problem(
      [...v, "destination"],
      `expected one of ${Object.keys(DESTINATIONS).join(", ")}, got ${JSON.stringify(destination)}`,
    );
  if (known) {
    const block = [...v, known[1], 0];
    // Provider 5 renamed buffer_size / buffer_interval to buffering_size / buffering_interval.
    const renamed =
      src.at([...block, "buffering_size"]) !== undefined ||
      src.at([...block, "buffering_interval"]) !== undefined;
    readDestination(src, block, known[0], facts, {
      bufferingHints: [],
      size: renamed ? "buffering_size" : "buffer_size",
      interval: renamed ? "buffering_interval" : "buffer_interval",
      processing: ["processing_configuration", 0],
      processors: "processors",
      parameters: "parameters",
      parameterName: "parameter_name",
      parameterValue: "parameter_value",
      type: "type",
      enabled: "enabled",
      dynamicPartitioning: ["dynamic_partitioning_configuration", 0],
      formatConversion: ["data_format_conversion_configuration", 0],
      backupMode: "s3_backup_mode",
    });
  }
  system.firehoses.push(facts);
}
