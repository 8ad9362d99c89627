// `kinesim import` as a function: recognises each file's kind from its content, reads them into
// one imported system (streams first, so that list-shards output and metrics can find theirs),
// and writes the scenario. No file system here: the command line reads and writes.

import {
  readDeliveryStream,
  readDescribeStream,
  readEventSourceMappings,
  readListConsumers,
  readListShards,
} from "./aws-cli.js";
import { readTemplate } from "./cloudformation.js";
import { assignStreams, readMetricCsv, readMetricData } from "./cloudwatch.js";
import { Problems, SourceFile } from "./source.js";
import { emptySystem, type ImportedSystem } from "./system.js";
import { readTerraform } from "./terraform.js";
import { type WriteOptions, type Written, writeScenario } from "./write.js";

/** One input file. */
export interface ImportInput {
  file: string;
  text: string;
}

/** Options of an import. */
export interface ImportOptions extends WriteOptions {
  /** CloudFormation parameter values (over the template's defaults). */
  parameters: Record<string, string>;
  /** Import the supported resources of a template and only note the unsupported Kinesis ones. */
  skipUnsupported: boolean;
  /** The stream that list-shards output and unlabelled metrics belong to. */
  stream?: string;
}

/** The kinds of file recognised, in the order they are read. */
const KINDS = [
  "describe-stream",
  "describe-stream-summary",
  "cloudformation",
  "terraform",
  "list-shards",
  "list-stream-consumers",
  "list-event-source-mappings",
  "get-event-source-mapping",
  "describe-delivery-stream",
  "get-metric-data",
  "metrics-csv",
] as const;
/** One of KINDS. */
export type InputKind = (typeof KINDS)[number];

/** The kind of a parsed file, from its top-level keys; undefined when none fits. */
function kindOf(data: unknown): InputKind | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const d = data as Record<string, unknown>;
  if ("StreamDescription" in d) return "describe-stream";
  if ("StreamDescriptionSummary" in d) return "describe-stream-summary";
  if ("Resources" in d) return "cloudformation";
  if ("format_version" in d && ("planned_values" in d || "values" in d)) return "terraform";
  if ("Shards" in d) return "list-shards";
  if ("Consumers" in d) return "list-stream-consumers";
  if ("EventSourceMappings" in d) return "list-event-source-mappings";
  if ("EventSourceArn" in d && "FunctionArn" in d) return "get-event-source-mapping";
  if ("DeliveryStreamDescription" in d) return "describe-delivery-stream";
  if ("MetricDataResults" in d) return "get-metric-data";
  return undefined;
}

/** Whether a file is CloudWatch CSV: by its name, or a header starting with a time column. */
function isCsv(input: ImportInput): boolean {
  if (input.file.toLowerCase().endsWith(".csv")) return true;
  return /^\uFEFF?"?(timestamp|time|date)"?\s*,/i.test(input.text);
}

/** Reads every file and writes the scenario; throws ScenarioError listing every problem. */
export function importFiles(
  inputs: readonly ImportInput[],
  options: ImportOptions,
): Written & { system: ImportedSystem } {
  const problems = new Problems();
  const system = emptySystem();
  const parsed: { input: ImportInput; kind: InputKind; src?: SourceFile }[] = [];
  for (const input of inputs) {
    if (isCsv(input)) {
      parsed.push({ input, kind: "metrics-csv" });
      continue;
    }
    const src = new SourceFile(input.file, input.text, problems);
    if (src.data === undefined) {
      if (problems.issues.every((i) => i.file !== input.file))
        problems.add({ file: input.file, path: "", message: "the file is empty" });
      continue;
    }
    const kind = kindOf(src.data);
    if (!kind) {
      const keys =
        src.data && typeof src.data === "object" ? Object.keys(src.data).slice(0, 6).join(", ") : "";
      problems.add({
        file: input.file,
        path: "",
        ...src.place([]),
        message: `not a file kinesim import recognises${keys ? ` (top-level keys: ${keys})` : ""}: expected AWS CLI JSON output (kinesis describe-stream, describe-stream-summary, list-shards, list-stream-consumers; lambda list-event-source-mappings; firehose describe-delivery-stream; cloudwatch get-metric-data), CloudWatch metrics as CSV, a CloudFormation or SAM template, or Terraform's plan JSON (terraform show -json)`,
      });
      continue;
    }
    parsed.push({ input, kind, src });
  }
  parsed.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  for (const { input, kind, src } of parsed) {
    switch (kind) {
      case "describe-stream":
        readDescribeStream(src!, system, "StreamDescription");
        break;
      case "describe-stream-summary":
        readDescribeStream(src!, system, "StreamDescriptionSummary");
        break;
      case "cloudformation":
        readTemplate(src!, system, options);
        break;
      case "terraform":
        readTerraform(src!, system, options.skipUnsupported);
        break;
      case "list-shards":
        readListShards(src!, system, options.stream);
        break;
      case "list-stream-consumers":
        readListConsumers(src!, system);
        break;
      case "list-event-source-mappings":
        readEventSourceMappings(src!, system, false);
        break;
      case "get-event-source-mapping":
        readEventSourceMappings(src!, system, true);
        break;
      case "describe-delivery-stream":
        readDeliveryStream(src!, system);
        break;
      case "get-metric-data":
        readMetricData(src!, system);
        break;
      case "metrics-csv":
        readMetricCsv(input.file, input.text, system, problems);
        break;
      default: {
        const never: never = kind;
        throw new Error(`unknown input kind ${String(never)}`);
      }
    }
  }
  if (options.stream !== undefined) for (const s of system.series) s.stream ??= options.stream;
  assignStreams(system, problems);
  if (problems.issues.length === 0 && system.streams.length === 0 && system.firehoses.length === 0)
    problems.add({
      file: inputs.map((i) => i.file).join(", "),
      path: "",
      message:
        "no stream or delivery stream in these files: add the stream's describe-stream output or its template",
    });
  problems.throwIfAny();
  return { ...writeScenario(system, options), system };
}
