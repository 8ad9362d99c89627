// A run with real client code in the loop: the scenario's components on one simulation, plus user
// functions driving the real `@aws-sdk/client-kinesis` against the simulated streams, all in
// virtual time. A producer function replaces a scenario producer and sends its traffic; a
// consumer function reads with GetRecords. The run is summarised like any other.
//
//   build the run on a fresh simulation (chosen producers become ClientProducers)
//   → a KinesisService over its streams → install the virtual clock → start the user functions
//   → VirtualTime.run(duration): engine events and client promise chains in one order
//   → stop signal, close the client ledgers → recorder.finish → summarize → restore the globals

import { KinesisClient, type KinesisClientConfig } from "@aws-sdk/client-kinesis";
import { compileDistribution } from "../engine/distributions.js";
import { RandomStreams } from "../engine/random.js";
import { Simulation } from "../engine/simulation.js";
import { US_PER_S } from "../engine/time.js";
import { NULL_SINK, type RunSink } from "../metrics/sink.js";
import type { RunSummary } from "../metrics/summary.js";
import { type BuiltRun, buildRun } from "../model/build.js";
import { LambdaConsumer } from "../model/consumers/lambda.js";
import { summarize } from "../model/summarize.js";
import {
  ACCOUNT_ID,
  arnOf,
  KinesisService,
  type PutEntry,
  REGION,
  type TrackedRecord,
} from "../protocol/kinesis-service.js";
import type { Scenario } from "../scenario/schema.js";
import { ClientProducer, type Traffic } from "./client-producer.js";
import { type CallCounts, type LatencyModel, SimulatedRequestHandler } from "./sdk-handler.js";
import { VirtualTime } from "./virtual-time.js";

/** What every client function receives. */
export interface ClientContext {
  /** A KinesisClient with the SDK's default configuration, wired to the simulated stream. */
  client: KinesisClient;
  /** Spread it into `new KinesisClient({ ...clientConfig, maxAttempts: 5 })` to make your own. */
  clientConfig: KinesisClientConfig;
  streamName: string;
  streamArn: string;
  /** Waits `ms` of virtual time (the global timers are virtual too while the run is on). */
  sleep(ms: number): Promise<void>;
  /** Aborted when the run ends: stop sending and return. */
  signal: AbortSignal;
}

/** A producer function's context: the client, and the traffic of the producer it replaces. */
export interface ProducerContext extends ClientContext {
  traffic: Traffic;
}

/** User code that sends a producer's traffic. */
export type ProducerFunction = (context: ProducerContext) => Promise<void> | void;
/** User code that reads the stream (a GetRecords loop, for example). */
export type ConsumerFunction = (context: ClientContext) => Promise<void> | void;

/** A record of a Kinesis event as Lambda hands it to a handler. */
export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: "1.0";
    partitionKey: string;
    sequenceNumber: string;
    /** Base64. */
    data: string;
    approximateArrivalTimestamp: number;
  };
  eventSource: "aws:kinesis";
  eventVersion: "1.0";
  eventID: string;
  eventName: "aws:kinesis:record";
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

/** The Lambda context a handler receives (the fields handlers use). */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  /** Virtual milliseconds left before the function's timeout. */
  getRemainingTimeInMillis(): number;
}

/** A Lambda handler for Kinesis events; with ReportBatchItemFailures it may return the failed items. */
export type LambdaHandler = (
  event: { Records: KinesisEventRecord[] },
  context: LambdaContext,
) => unknown | Promise<unknown>;

/** A client function and its place in the run. */
export type ClientSpec =
  | {
      role: "producer";
      run: ProducerFunction;
      /** The scenario producer whose traffic it sends (default: the first one). */
      producer?: string;
      /** Shown in reports (default: the function's or module's name). */
      label?: string;
    }
  | { role: "consumer"; run: ConsumerFunction; label?: string }
  | {
      role: "lambda";
      handler: LambdaHandler;
      /** The scenario's lambda consumer whose mapping invokes it (default: the first one). */
      consumer?: string;
      label?: string;
    };

/** Options of a client run. */
export interface ClientRunOptions {
  clients: ClientSpec[];
  /** Receives the time-series tables (default: discard). */
  sink?: RunSink;
  /** Keep record data for GetRecords (default: when a consumer function is in the run). */
  keepRecordData?: boolean;
  /** Called between slices of virtual time (progress bars); never affects results. */
  onProgress?: (simulatedUs: number, durationUs: number, events: number) => void;
  /** Virtual time between progress calls (default 1 minute). */
  progressSliceUs?: number;
  /** Asked between slices: a reason (a signal's name) ends the run there, marked interrupted. */
  stopped?: () => string | undefined;
}

/** How one client function fared. */
export interface ClientReport {
  label: string;
  role: ClientSpec["role"];
  /** The scenario producer it replaced. */
  producer?: string;
  /** Whether the function returned before the run ended. */
  returned: boolean;
  /** What it threw, if it did (a stack trace of user code). */
  error?: string;
  /** Calls answered, by operation, and error codes, over every client it was handed. */
  calls: CallCounts;
  /** Records it sent again after the stream had accepted them. */
  duplicates: number;
  /** A Lambda handler: invocations, and those that threw or reported failed items. */
  invocations?: number;
  failedInvocations?: number;
}

/** A client run's result. */
export interface ClientRunResult {
  scenario: Scenario;
  summary: RunSummary;
  run: BuiltRun;
  clients: ClientReport[];
}

/** A client spec that does not fit the scenario (names a producer or consumer it does not have). */
export class ClientSetupError extends Error {
  override name = "ClientSetupError";
}

/** Static credentials: the SDK signs requests, and nothing leaves the process. */
const CREDENTIALS = { accessKeyId: "AKIAKINESIM00000000", secretAccessKey: "kinesim-virtual" };

/** Runs a scenario with client functions in the loop. Client runs cannot overlap in one process. */
export async function simulateWithClients(
  scenario: Scenario,
  options: ClientRunOptions,
): Promise<ClientRunResult> {
  const sim = new Simulation();
  const random = new RandomStreams(scenario.seed);
  const time = new VirtualTime(sim, random.stream("clients/math-random"));
  const producerSpecs = options.clients.filter((c) => c.role === "producer");
  const lambdaNames = new Set<string>();
  for (const c of options.clients) {
    if (c.role !== "lambda") continue;
    const name = c.consumer ?? scenario.consumers.find((x) => x.type === "lambda")?.name;
    const spec = scenario.consumers.find((x) => x.name === name && x.type === "lambda");
    if (!spec)
      throw new ClientSetupError(
        `a Lambda handler names consumer "${name}", but the scenario's lambda consumers are: ${
          scenario.consumers
            .filter((x) => x.type === "lambda")
            .map((x) => x.name)
            .join(", ") || "none"
        }`,
      );
    if (lambdaNames.has(spec.name))
      throw new ClientSetupError(`two Lambda handlers for consumer "${spec.name}"`);
    lambdaNames.add(spec.name);
    (c as { consumer?: string }).consumer = spec.name;
  }
  const replaced = new Map<string, ClientSpec>();
  for (const c of producerSpecs) {
    const name = c.producer ?? scenario.producers[0]?.name;
    const spec = scenario.producers.find((p) => p.name === name);
    if (!spec)
      throw new ClientSetupError(
        `a producer client names producer "${name}", but the scenario's producers are: ${scenario.producers.map((p) => p.name).join(", ") || "none"}`,
      );
    if (replaced.has(spec.name))
      throw new ClientSetupError(`two producer clients replace producer "${spec.name}"`);
    replaced.set(spec.name, c);
  }
  const maxRecordSize = (target: string) =>
    [scenario.stream, ...scenario.streams].find((s) => s.name === target)?.maxRecordSize ??
    scenario.stream.maxRecordSize;
  const fleets = new Map<ClientSpec, ClientProducer>();
  const run = buildRun(scenario, {
    sink: options.sink ?? NULL_SINK,
    sim,
    producerFleet: (spec, index) => {
      const client = replaced.get(spec.name);
      if (!client) return undefined;
      const fleet = new ClientProducer(
        spec,
        index,
        time,
        random,
        scenario.duration,
        maxRecordSize(spec.target),
      );
      fleets.set(client, fleet);
      return fleet;
    },
  });
  const keepRecordData = options.keepRecordData ?? options.clients.some((c) => c.role !== "producer");
  const byIndex = [...fleets.values()];
  const service = new KinesisService(run.streams, {
    keepRecordData,
    capacity: run.capacity,
    observer: { track: (entry: PutEntry): TrackedRecord | undefined => trackIn(byIndex, entry) },
    keyOfEntry: (entry) => {
      for (const p of run.producers) {
        const key = p.partitionKeyOf(entry.keyId);
        if (key !== undefined) return key;
      }
      return "simulated";
    },
  });
  let requests = 0;
  const nextRequestId = () => `00000000-0000-4000-8000-${(requests++).toString(16).padStart(12, "0")}`;
  const readLatency = compileDistribution({ ...scenario.stream.getRecordsLatency, clampMin: 0 });
  await warmUpSdk();

  const controller = new AbortController();
  const reports: ClientReport[] = [];
  const end = scenario.duration;
  let reached = 0;
  let reason: string | undefined;
  time.install();
  try {
    options.clients.forEach((c, i) => {
      const fleet = fleets.get(c);
      const label = c.label ?? ((c.role === "lambda" ? c.handler.name : c.run.name) || `${c.role}-${i + 1}`);
      const writeSpec = fleet?.spec ?? scenario.producers[0];
      const latency: LatencyModel = {
        write: compileDistribution({
          ...(writeSpec?.latency ?? scenario.stream.getRecordsLatency),
          clampMin: 0,
        }),
        read: readLatency,
        rng: random.stream(`client/${label}/latency`),
      };
      const handler = new SimulatedRequestHandler(time, service, latency, nextRequestId);
      const clientConfig: KinesisClientConfig = {
        region: REGION,
        credentials: CREDENTIALS,
        requestHandler: handler,
      };
      const streamName = fleet?.spec.target ?? scenario.stream.name;
      const report: ClientReport = {
        label,
        role: c.role,
        ...(fleet ? { producer: fleet.name } : {}),
        returned: false,
        calls: handler.counts,
        duplicates: 0,
      };
      reports.push(report);
      const context: ClientContext = {
        client: new KinesisClient(clientConfig),
        clientConfig,
        streamName,
        streamArn: arnOf(streamName),
        sleep: (ms) => time.sleep(ms),
        signal: controller.signal,
      };
      if (c.role === "lambda") {
        attachHandler(c.handler, c.consumer!, run, service, time, report);
        return;
      }
      const started = (async () =>
        c.role === "producer" ? c.run({ ...context, traffic: fleet!.traffic() }) : c.run(context))();
      started.then(
        () => {
          report.returned = true;
          if (fleet) fleet.returned = true;
        },
        (error: unknown) => {
          report.returned = true;
          report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
        },
      );
    });
    const slice = options.progressSliceUs ?? 60 * US_PER_S;
    for (let t = Math.min(slice, end); ; t = Math.min(t + slice, end)) {
      await time.run(t);
      reached = t;
      options.onProgress?.(t, end, sim.eventsFired);
      if (t >= end) break;
      reason = options.stopped?.();
      if (reason !== undefined) break;
    }
    // The end: clients are told to stop, and get to react (their calls are not answered any more).
    controller.abort();
    await time.settle();
  } finally {
    time.uninstall();
  }
  for (const [c, fleet] of fleets) {
    fleet.finish();
    reports[options.clients.indexOf(c)]!.duplicates = fleet.duplicates;
  }
  run.recorder.finish(reached);
  const summary = summarize(scenario, run);
  if (reached < end) summary.interrupted = { atSeconds: reached / US_PER_S, reason: reason ?? "stopped" };
  return { scenario, summary, run, clients: reports };
}

/** Lets a scenario lambda consumer's mapping invoke real handler code with real Kinesis events. */
function attachHandler(
  handler: LambdaHandler,
  consumerName: string,
  run: BuiltRun,
  service: KinesisService,
  time: VirtualTime,
  report: ClientReport,
): void {
  const consumer = run.consumers.find((c) => c.name === consumerName);
  if (!(consumer instanceof LambdaConsumer))
    throw new Error(`consumer "${consumerName}" is not a lambda consumer`);
  const spec = consumer.spec;
  const streamArn = arnOf(spec.stream ?? run.stream.name);
  const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${spec.name}`;
  report.invocations = 0;
  report.failedInvocations = 0;
  let requests = 0;
  consumer.useFunction((shard, pieces, done) => {
    const startedUs = time.sim.nowUs;
    const records = service.recordsFor(shard, pieces);
    const event = {
      Records: records.map(
        (r): KinesisEventRecord => ({
          kinesis: {
            kinesisSchemaVersion: "1.0",
            partitionKey: r.PartitionKey,
            sequenceNumber: r.SequenceNumber,
            data: r.Data,
            approximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
          },
          eventSource: "aws:kinesis",
          eventVersion: "1.0",
          eventID: `${shard.id}:${r.SequenceNumber}`,
          eventName: "aws:kinesis:record",
          invokeIdentityArn: `arn:aws:iam::${ACCOUNT_ID}:role/${spec.name}-role`,
          awsRegion: REGION,
          eventSourceARN: streamArn,
        }),
      ),
    };
    const context: LambdaContext = {
      functionName: spec.name,
      functionVersion: "$LATEST",
      invokedFunctionArn: functionArn,
      memoryLimitInMB: "128",
      awsRequestId: `00000000-0000-4000-9000-${(requests++).toString(16).padStart(12, "0")}`,
      getRemainingTimeInMillis: () => Math.max(0, (startedUs + spec.timeout - time.sim.nowUs) / 1000),
    };
    report.invocations!++;
    const failed = (failedAt: number, error?: unknown) => {
      report.failedInvocations!++;
      if (error !== undefined && report.error === undefined)
        report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
      done({ elapsedUs: time.sim.nowUs - startedUs, failedAt });
    };
    // The handler starts in this engine event; its awaits settle before the next one.
    time.resume();
    Promise.resolve()
      .then(() => handler(event, context))
      .then(
        (result) => {
          const failedAt = firstFailedItem(result, records);
          if (failedAt >= 0) failed(failedAt);
          else done({ elapsedUs: time.sim.nowUs - startedUs, failedAt: -1 });
        },
        (error: unknown) => failed(0, error),
      );
  });
}

/** Index of the first item a handler reported failed (ReportBatchItemFailures), or −1. */
function firstFailedItem(result: unknown, records: readonly { SequenceNumber: string }[]): number {
  const failures = (result as { batchItemFailures?: { itemIdentifier?: string }[] } | undefined)
    ?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return -1;
  let first = records.length;
  for (const f of failures) {
    const i = records.findIndex((r) => r.SequenceNumber === f.itemIdentifier);
    // An identifier that names no record of the batch fails the whole batch, as Lambda does.
    if (i < 0) return 0;
    first = Math.min(first, i);
  }
  return first;
}

function trackIn(fleets: readonly ClientProducer[], entry: PutEntry): TrackedRecord | undefined {
  for (const fleet of fleets) {
    const tracked = fleet.track(entry);
    if (tracked) return tracked;
  }
  return undefined;
}

let warmedUp = false;

/**
 * Sends one call through a throwaway client in real time, before the virtual clock starts: the
 * SDK reads its shared config files (~/.aws/config) on its first call — real I/O that would not
 * settle between two virtual events — and caches them for every later client.
 */
async function warmUpSdk(): Promise<void> {
  if (warmedUp) return;
  const client = new KinesisClient({
    region: REGION,
    credentials: CREDENTIALS,
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: { "content-type": "application/x-amz-json-1.1" },
          body: Buffer.from('{"StreamNames":[],"HasMoreStreams":false}'),
        },
      }),
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
      destroy() {},
    } as unknown as KinesisClientConfig["requestHandler"],
  });
  const { ListStreamsCommand } = await import("@aws-sdk/client-kinesis");
  await client.send(new ListStreamsCommand({}));
  warmedUp = true;
}
