// CloudFormation and SAM templates (YAML or JSON): Kinesis streams, stream consumers, Lambda event
// source mappings and SAM's Kinesis event, Firehose delivery streams. Intrinsic functions are
// resolved where the template alone decides them (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select,
// Fn::FindInMap, parameter defaults, pseudo parameters); what stays open is reported.

import {
  API_MAPPING_NAMES,
  DESCRIBE_NAMES,
  readDestination,
  readMappingSettings,
  readStreamSettings,
} from "./aws-cli.js";
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

/** Values of pseudo parameters (none of them changes the simulation; each use is noted). */
const PSEUDO: Record<string, string> = {
  "AWS::Region": "us-east-1",
  "AWS::AccountId": "123456789012",
  "AWS::StackName": "stack",
  "AWS::Partition": "aws",
  "AWS::URLSuffix": "amazonaws.com",
};

/** Resource types kinesim imports. */
const SUPPORTED = [
  "AWS::Kinesis::Stream",
  "AWS::Kinesis::StreamConsumer",
  "AWS::Lambda::EventSourceMapping",
  "AWS::KinesisFirehose::DeliveryStream",
  "AWS::Lambda::Function",
  "AWS::Serverless::Function",
];

/** Kinesis resource types kinesim does not model: importing them would leave part of the system out. */
const UNSUPPORTED = /^AWS::(Kinesis|KinesisAnalytics|KinesisAnalyticsV2|KinesisVideo)::/;

/** Destination configuration keys of AWS::KinesisFirehose::DeliveryStream → kinds. */
const DESTINATION_KEYS: Record<string, NonNullable<FirehoseFacts["destination"]>["value"]> = {
  ExtendedS3DestinationConfiguration: "s3",
  S3DestinationConfiguration: "s3",
  RedshiftDestinationConfiguration: "redshift",
  AmazonopensearchserviceDestinationConfiguration: "opensearch",
  ElasticsearchDestinationConfiguration: "opensearch",
  AmazonOpenSearchServerlessDestinationConfiguration: "opensearch",
  HttpEndpointDestinationConfiguration: "http",
  SplunkDestinationConfiguration: "splunk",
};

/** Options of the template reader. */
export interface TemplateOptions {
  /** Parameter values given on the command line (over the template's defaults). */
  parameters: Record<string, string>;
  /** Import the supported resources and only note the unsupported Kinesis ones. */
  skipUnsupported: boolean;
}

/** Reads a CloudFormation or SAM template into `system`. */
export function readTemplate(src: SourceFile, system: ImportedSystem, options: TemplateOptions): void {
  const resources = src.object(["Resources"], true);
  if (!resources) return;
  const template = src.data as Record<string, unknown>;
  const types = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    const type = (r as { Type?: unknown } | null)?.Type;
    if (typeof type !== "string") {
      src.problem(["Resources", id, "Type"], "missing: every resource states its Type");
      continue;
    }
    types.set(id, type);
  }
  const resolver = new Resolver(src, template, types, options.parameters, system);
  src.data = { ...template, Resources: resolver.resolve(resources, ["Resources"]) };
  const nameOf = (id: string, property: string) => {
    const name = src.string(["Resources", id, "Properties", property]);
    return name ?? id;
  };
  const globals = ["Globals", "Function"];
  let any = false;
  for (const [id, type] of types) {
    const at = ["Resources", id, "Properties"];
    if (!SUPPORTED.includes(type)) {
      if (UNSUPPORTED.test(type)) {
        const message = `${type} is not imported: kinesim models ${SUPPORTED.slice(0, 4).join(", ")} (and SAM's Kinesis event)`;
        if (options.skipUnsupported)
          system.notes.push(`${src.where(["Resources", id])}: ${message}; skipped (--skip-unsupported)`);
        else src.problem(["Resources", id, "Type"], `${message}; pass --skip-unsupported to import the rest`);
      }
      continue;
    }
    any = true;
    switch (type) {
      case "AWS::Kinesis::Stream":
        readStream(src, system, id, at);
        break;
      case "AWS::Kinesis::StreamConsumer": {
        const name = src.string([...at, "ConsumerName"], true);
        const stream = streamOf(src, [...at, "StreamARN"]);
        if (name !== undefined && stream !== undefined)
          system.efo.push({ name, stream, from: src.where(["Resources", id]) });
        break;
      }
      case "AWS::Lambda::EventSourceMapping": {
        const fn = src.string([...at, "FunctionName"], true);
        const mapping = mappingOf(src, system, at, [...at, "EventSourceArn"], fn);
        if (mapping) {
          const fnId = resolver.functionIds.get(functionNameOf(fn!));
          if (fnId) functionSettings(src, mapping, ["Resources", fnId, "Properties"], globals);
          system.mappings.push(mapping);
        }
        break;
      }
      case "AWS::Serverless::Function": {
        const events = src.object([...at, "Events"]) ?? {};
        for (const [event, body] of Object.entries(events)) {
          if ((body as { Type?: unknown } | null)?.Type !== "Kinesis") continue;
          const props = [...at, "Events", event, "Properties"];
          const mapping = mappingOf(src, system, props, [...props, "Stream"], nameOf(id, "FunctionName"));
          if (mapping) {
            functionSettings(src, mapping, at, globals);
            system.mappings.push(mapping);
          }
        }
        break;
      }
      case "AWS::KinesisFirehose::DeliveryStream":
        readFirehose(src, system, id, at);
        break;
      default:
        break;
    }
  }
  if (!any)
    src.problem(["Resources"], `no resource kinesim imports: expected one of ${SUPPORTED.join(", ")}`);
}

function readStream(src: SourceFile, system: ImportedSystem, id: string, at: Path): void {
  const given = src.string([...at, "Name"]);
  const name = given ?? id;
  const stream = streamNamed(system, name, src.where(["Resources", id]));
  if (given === undefined)
    system.notes.push(
      `${src.where(["Resources", id])}: no Name, so CloudFormation generates one; the stream is called ${id} here`,
    );
  readStreamSettings(src, stream, {
    mode: [...at, "StreamModeDetails", "StreamMode"],
    shardCount: [...at, "ShardCount"],
    countRequired: true,
    retention: [...at, "RetentionPeriodHours"],
    encryption: [...at, "StreamEncryption", "EncryptionType"],
  });
}

/** The stream a (resolved) stream ARN names; a problem when it names none. */
function streamOf(src: SourceFile, path: Path): string | undefined {
  const arn = src.string(path, true);
  if (arn === undefined) return undefined;
  const parsed = parseStreamArn(arn);
  if (!parsed) {
    src.problem(
      path,
      `expected a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME), got ${JSON.stringify(arn)}`,
    );
    return undefined;
  }
  return parsed.stream;
}

function mappingOf(
  src: SourceFile,
  system: ImportedSystem,
  props: Path,
  sourcePath: Path,
  fn: string | undefined,
): MappingFacts | undefined {
  const arn = src.string(sourcePath, true);
  if (arn === undefined || fn === undefined) return undefined;
  const parsed = parseStreamArn(arn);
  if (!parsed) {
    // A mapping of SQS, DynamoDB or Kafka is no Kinesis reader.
    system.notes.push(`${src.where(sourcePath)}: not a Kinesis stream (${arn}); mapping skipped`);
    return undefined;
  }
  if (src.boolean([...props, "Enabled"]) === false) {
    system.notes.push(
      `${src.where([...props, "Enabled"])}: mapping of ${functionNameOf(fn)} is disabled; skipped`,
    );
    return undefined;
  }
  streamNamed(system, parsed.stream, src.where(sourcePath));
  const mapping: MappingFacts = {
    functionName: functionNameOf(fn),
    stream: parsed.stream,
    from: src.where(props),
    settings: readMappingSettings(src, props, API_MAPPING_NAMES, (v) =>
      typeof v === "string" ? destinationKind(v) : undefined,
    ),
  };
  if (parsed.consumer) mapping.efoConsumer = parsed.consumer;
  return mapping;
}

/** Memory and timeout of the function, from its properties or SAM's Globals. */
function functionSettings(src: SourceFile, mapping: MappingFacts, props: Path, globals: Path): void {
  for (const [field, key] of [
    ["memorySize", "MemorySize"],
    ["timeoutSeconds", "Timeout"],
  ] as const) {
    const own = [...props, key];
    const global = [...globals, key];
    const path = src.at(own) !== undefined ? own : global;
    const value = src.number(path, { min: 1 });
    if (value !== undefined) mapping[field] = { value, from: src.where(path) };
  }
}

function readFirehose(src: SourceFile, system: ImportedSystem, id: string, at: Path): void {
  const name = src.string([...at, "DeliveryStreamName"]) ?? id;
  const facts: FirehoseFacts = { name, from: src.where(["Resources", id]) };
  const type = src.string([...at, "DeliveryStreamType"]);
  if (type === "KinesisStreamAsSource") {
    const path = [...at, "KinesisStreamSourceConfiguration", "KinesisStreamARN"];
    const stream = streamOf(src, path);
    if (stream !== undefined) {
      streamNamed(system, stream, src.where(path));
      facts.sourceStream = { value: stream, from: src.where(path) };
    }
  } else if (type !== undefined && type !== "DirectPut") {
    src.problem(
      [...at, "DeliveryStreamType"],
      `expected DirectPut or KinesisStreamAsSource (kinesim models these), got ${JSON.stringify(type)}`,
    );
  }
  const props = src.object(at) ?? {};
  const key = Object.keys(DESTINATION_KEYS).find((k) => k in props);
  if (key) readDestination(src, [...at, key], DESTINATION_KEYS[key]!, facts, DESCRIBE_NAMES);
  else
    src.problem(
      at,
      `no destination kinesim models: expected one of ${Object.keys(DESTINATION_KEYS).join(", ")}`,
    );
  system.firehoses.push(facts);
}

/** Resolves intrinsic functions over the template's resources, noting each assumption once. */
class Resolver {
  /** Logical ids of functions by their names (for a mapping's FunctionName). */
  readonly functionIds = new Map<string, string>();
  private readonly noted = new Set<string>();

  constructor(
    private readonly src: SourceFile,
    private readonly template: Record<string, unknown>,
    private readonly types: Map<string, string>,
    private readonly parameters: Record<string, string>,
    private readonly system: ImportedSystem,
  ) {
    for (const [id, type] of types)
      if (type === "AWS::Lambda::Function" || type === "AWS::Serverless::Function")
        this.functionIds.set(this.nameOf(id, "FunctionName") ?? id, id);
  }

  private note(key: string, text: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.system.notes.push(text);
  }

  /** The resolved literal name property of a resource, if it has one. */
  private nameOf(id: string, property: string): string | undefined {
    const raw = (this.template.Resources as Record<string, { Properties?: Record<string, unknown> }>)[id]
      ?.Properties?.[property];
    if (raw === undefined) return undefined;
    const v = this.resolve(raw, ["Resources", id, "Properties", property]);
    return typeof v === "string" ? v : undefined;
  }

  /** What `Ref` to a resource returns, for the resource types that matter here. */
  private ref(id: string): unknown {
    const type = this.types.get(id);
    switch (type) {
      case "AWS::Kinesis::Stream":
        return this.nameOf(id, "Name") ?? id;
      case "AWS::Lambda::Function":
      case "AWS::Serverless::Function":
        return this.nameOf(id, "FunctionName") ?? id;
      case "AWS::KinesisFirehose::DeliveryStream":
        return this.nameOf(id, "DeliveryStreamName") ?? id;
      case "AWS::Kinesis::StreamConsumer":
      case "AWS::SNS::Topic":
        return this.arn(id);
      default:
        return id;
    }
  }

  /** The ARN of a resource (an example account and Region: only the names matter here). */
  private arn(id: string): string {
    const head = `arn:aws:%s:${PSEUDO["AWS::Region"]}:${PSEUDO["AWS::AccountId"]}:`;
    const of = (service: string) => head.replace("%s", service);
    switch (this.types.get(id)) {
      case "AWS::Kinesis::Stream":
        return `${of("kinesis")}stream/${this.ref(id)}`;
      case "AWS::Kinesis::StreamConsumer": {
        const props =
          (this.template.Resources as Record<string, { Properties?: Record<string, unknown> }>)[id]
            ?.Properties ?? {};
        const stream = this.resolve(props.StreamARN, ["Resources", id, "Properties", "StreamARN"]);
        const name = this.resolve(props.ConsumerName, ["Resources", id, "Properties", "ConsumerName"]);
        const parsed = typeof stream === "string" ? parseStreamArn(stream) : undefined;
        return `${of("kinesis")}stream/${parsed?.stream ?? "unknown"}/consumer/${String(name)}:0`;
      }
      case "AWS::Lambda::Function":
      case "AWS::Serverless::Function":
        return `${of("lambda")}function:${this.ref(id)}`;
      case "AWS::SQS::Queue":
        return `${of("sqs")}${id}`;
      case "AWS::SNS::Topic":
        return `${of("sns")}${id}`;
      default:
        return `${of("unknown")}${id}`;
    }
  }

  private parameter(name: string, path: Path): unknown {
    if (name in PSEUDO) {
      this.note(
        name,
        `${this.src.where(path)}: ${name} taken as ${JSON.stringify(PSEUDO[name])} (it names things only)`,
      );
      return PSEUDO[name];
    }
    if (name in this.parameters) return this.parameters[name];
    const declared = (this.template.Parameters as Record<string, { Default?: unknown }> | undefined)?.[name];
    if (declared) {
      if (declared.Default === undefined) return undefined;
      this.note(
        `param:${name}`,
        `${this.src.where(["Parameters", name, "Default"])}: parameter ${name} taken at its Default ${JSON.stringify(declared.Default)} (override with --parameter ${name}=VALUE)`,
      );
      return declared.Default;
    }
    if (this.types.has(name)) return this.ref(name);
    return undefined;
  }

  /** The value with every intrinsic function it can resolve resolved; others are left as written. */
  resolve(value: unknown, path: Path): unknown {
    if (Array.isArray(value)) return value.map((v, i) => this.resolve(v, [...path, i]));
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      const resolved = this.intrinsic(key, arg, path);
      if (resolved !== NOT_INTRINSIC) return resolved;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = this.resolve(v, [...path, k]);
      // AWS::NoValue removes the property.
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private intrinsic(key: string, arg: unknown, path: Path): unknown {
    const unresolved = { [key]: arg };
    switch (key) {
      case "Ref": {
        if (arg === "AWS::NoValue") return NO_VALUE;
        const v = typeof arg === "string" ? this.parameter(arg, path) : undefined;
        return v ?? unresolved;
      }
      case "Fn::GetAtt": {
        // The long form takes [Resource, Attribute]; "Resource.Attribute" is accepted as well.
        const [id, attribute] = Array.isArray(arg)
          ? arg
          : typeof arg === "string" && arg.includes(".")
            ? [arg.slice(0, arg.indexOf(".")), arg.slice(arg.indexOf(".") + 1)]
            : [];
        if (typeof id !== "string" || !this.types.has(id)) return unresolved;
        if (attribute === "Arn" || attribute === "ConsumerARN") return this.arn(id);
        if (attribute === "ConsumerName") return this.arn(id).split("/consumer/")[1]?.split(":")[0];
        return unresolved;
      }
      case "Fn::Sub": {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        if (typeof text !== "string") return unresolved;
        let ok = true;
        const out = text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          const local = (vars as Record<string, unknown>)?.[name];
          let v: unknown;
          if (local !== undefined) v = this.resolve(local, path);
          else if (name.includes(".") && !name.startsWith("AWS::")) {
            const [id, attribute] = [name.slice(0, name.indexOf(".")), name.slice(name.indexOf(".") + 1)];
            v = this.intrinsic("Fn::GetAtt", [id, attribute], path);
          } else v = this.parameter(name, path);
          if (typeof v !== "string" && typeof v !== "number") {
            ok = false;
            return "";
          }
          return String(v);
        });
        return ok ? out : unresolved;
      }
      case "Fn::Join": {
        const [sep, list] = Array.isArray(arg) ? arg : [];
        const parts = this.resolve(list, path);
        if (
          typeof sep !== "string" ||
          !Array.isArray(parts) ||
          parts.some((p) => typeof p !== "string" && typeof p !== "number")
        )
          return unresolved;
        return parts.join(sep);
      }
      case "Fn::Select": {
        const [index, list] = Array.isArray(arg) ? arg : [];
        const items = this.resolve(list, path);
        const i = Number(this.resolve(index, path));
        return Array.isArray(items) && Number.isInteger(i) && i >= 0 && i < items.length
          ? items[i]
          : unresolved;
      }
      case "Fn::FindInMap": {
        const keys = Array.isArray(arg) ? arg.map((a) => this.resolve(a, path)) : [];
        let v: unknown = this.template.Mappings;
        for (const k of keys)
          v =
            typeof k === "string" && v && typeof v === "object"
              ? (v as Record<string, unknown>)[k]
              : undefined;
        return v ?? unresolved;
      }
      default:
        if (key.startsWith("Fn::") || key === "Condition") {
          this.note(`${key}@${path.join(".")}`, `${this.src.where(path)}: ${key} is not resolved by kinesim`);
          return unresolved;
        }
        return NOT_INTRINSIC;
    }
  }
}

const NOT_INTRINSIC = Symbol("not an intrinsic function");
const NO_VALUE = Symbol("AWS::NoValue");
