// Wires a Scenario into components on one Simulation: the stream, the producer fleets and the
// recorder. The only file that knows the whole topology of a run.

import { READS } from "../data/consumer-limits.js";
import { FIREHOSE_KDS_SOURCE, FIREHOSE_PUT, FIREHOSE_TRANSFORM } from "../data/firehose-limits.js";
import { KINESIS } from "../data/kinesis-limits.js";
import { compileDistribution } from "../engine/distributions.js";
import { RandomStreams } from "../engine/random.js";
import { Simulation } from "../engine/simulation.js";
import { US_PER_MS, US_PER_S } from "../engine/time.js";
import type { RunSink } from "../metrics/sink.js";
import type { AnalyticsSpec } from "../scenario/analytics.js";
import type { ConsumerSpec, PollingSpec } from "../scenario/consumers.js";
import { producerSchema, type ResolvedProducer, type Scenario } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import { AnalyticsApp } from "./analytics.js";
import { Autoscaler } from "./autoscaler.js";
import { CapacityManager } from "./capacity.js";
import type { Consumer } from "./consumers/consumer.js";
import type { ConsumerContext } from "./consumers/context.js";
import { KclConsumer } from "./consumers/kcl.js";
import { LambdaConsumer } from "./consumers/lambda.js";
import { SimpleConsumer } from "./consumers/simple.js";
import { DeliveryStream, OBJECT_COLUMNS } from "./firehose/delivery-stream.js";
import { DirectPut } from "./firehose/direct-put.js";
import { KplProducer } from "./kpl/kpl-producer.js";
import { MinuteMetrics } from "./minute-metrics.js";
import { OnDemandScaler } from "./on-demand.js";
import { Producer } from "./producer.js";
import type { ProducerFleet } from "./producer-fleet.js";
import type { DrawPlan, DrawSource } from "./record-draws.js";
import { expectedRecords, resolveTick } from "./resolution.js";
import { RunRecorder } from "./run-recorder.js";
import { sloWindowLengths } from "./slo-windows.js";
import { FifoQueue } from "./sqs/fifo-queue.js";
import { Stream } from "./stream.js";
import { rateFunction } from "./traffic.js";
import type { WriteTarget } from "./write-target.js";

/** Options that change how a run is wired, not what it models. */
export interface BuildOptions {
  sink: RunSink;
  /** Test hook: lose one landing's records at or after this time (the ledger must catch it). */
  leakAtUs?: number;
  /** Test hook: every record an object of its own at record resolution (see Producer.columns). */
  recordsAsObjects?: boolean;
  /** The simulation to build on (default a fresh one): real client code drives its own. */
  sim?: Simulation;
  /**
   * Builds the fleet of a scenario producer instead of the model (real client code sending its
   * traffic), or returns undefined to keep the model's.
   */
  producerFleet?: (spec: ResolvedProducer, index: number) => ProducerFleet | undefined;
  /** Where producers at record resolution take their records' draws from (see SimulateOptions). */
  drawSource?: (plan: DrawPlan) => DrawSource | undefined;
}

/** A wired run, ready to step. */
export interface BuiltRun {
  sim: Simulation;
  /** The scenario's stream (a 1-shard placeholder nothing uses when the scenario declares none). */
  stream: Stream;
  /** Every stream: the scenario's first, then the extra ones. */
  streams: Stream[];
  /** The scenario's producers, then the applications' sinks. */
  producers: ProducerFleet[];
  /** The scenario's consumers, then delivery streams reading a stream, then applications. */
  consumers: Consumer[];
  deliveryStreams: DeliveryStream[];
  apps: AnalyticsApp[];
  queues: FifoQueue[];
  capacity: CapacityManager;
  onDemand: OnDemandScaler;
  /** The scenario stream's one-minute CloudWatch view. */
  minutes: MinuteMetrics;
  recorder: RunRecorder;
  /** Cohort tick in µs, or undefined at record resolution. */
  tickUs: number | undefined;
  /** `record` or the tick as written (e.g. `10ms`). */
  resolutionLabel: string;
}

/**
 * A rough count of the events a run needs, for the resource guard: at record resolution about one
 * per record and a share per consumer read; at cohort resolution one per group and tick, plus the
 * requests the clients send (a KPL-style client sends about 10 batches a second).
 */
export function estimatedEvents(scenario: Scenario): number {
  const tick = resolveTick(scenario);
  const seconds = scenario.duration / US_PER_S;
  const readers = scenario.consumers.length + scenario.firehose.length + scenario.analytics.length;
  if (tick === undefined) return expectedRecords(scenario) * (1.5 + 0.5 * readers);
  const ticks = scenario.duration / tick;
  let events = 0;
  for (const p of scenario.producers) {
    const groups = Math.max(1, Math.min(p.instances, Math.floor(640_000 / tick)));
    events += ticks * groups + seconds * p.instances * 10;
  }
  return events * (1 + 0.2 * readers);
}

/** Builds the components of a scenario on a fresh simulation. */
export function buildRun(scenario: Scenario, options: BuildOptions): BuiltRun {
  const sim = options.sim ?? new Simulation();
  const random = new RandomStreams(scenario.seed);
  const stream = new Stream(scenario.stream);
  const streams = [stream, ...scenario.streams.map((spec) => new Stream(spec))];
  const streamNamed = (name: string) => streams.find((x) => x.name === name)!;
  const tickUs = resolveTick(scenario);
  if (tickUs !== undefined) for (const x of streams) x.joinCohortsWithin(tickUs);
  // Admission aggregated per shard within each second, where metrics rows fall on whole seconds.
  if (tickUs !== undefined && scenario.metricsInterval % US_PER_S === 0)
    for (const x of streams) x.deferAdmission(sim);
  const objectTables = options.sink;
  const deliveryStreams = scenario.firehose.map((spec) => {
    const source = spec.source.kind === "stream" ? streamNamed(spec.source.stream) : undefined;
    // AWS allows 5 transform invocations in flight per shard of a source stream.
    const concurrency = FIREHOSE_TRANSFORM.outstandingInvocations.value * (source?.openCount ?? 1);
    return new DeliveryStream(
      spec,
      sim,
      random,
      concurrency,
      objectTables.open(`firehose-${spec.name}-objects`, OBJECT_COLUMNS),
    );
  });
  const queues = scenario.queues.map((spec) => new FifoQueue(spec, sim, random.stream(`queue/${spec.name}`)));
  const targets = new Map<string, WriteTarget>(streams.map((x) => [x.name, x]));
  for (const q of queues) targets.set(q.name, q);
  deliveryStreams.forEach((d) => {
    if (d.spec.source.kind === "direct-put") targets.set(d.name, new DirectPut(d));
  });
  const producerContext = (target: string, index: number) => ({
    sim,
    target: targets.get(target)!,
    random,
    runEndUs: scenario.duration,
    tickUs,
    index,
  });
  const producers: ProducerFleet[] = scenario.producers.map((spec, i) => {
    const replaced = options.producerFleet?.(spec, i);
    if (replaced) return replaced;
    const context = {
      ...producerContext(spec.target, i),
      ...(i === 0 && options.leakAtUs !== undefined ? { leakAtUs: options.leakAtUs } : {}),
      ...(options.recordsAsObjects ? { recordsAsObjects: true } : {}),
      ...(options.drawSource ? { drawSource: options.drawSource } : {}),
    };
    return spec.client === "kpl" ? new KplProducer(spec, context) : new Producer(spec, context);
  });
  const contexts = new Map<Stream, ConsumerContext>();
  const contextOf = (name: string): ConsumerContext => {
    const x = streamNamed(name);
    let context = contexts.get(x);
    if (!context) {
      context = {
        sim,
        stream: x,
        random,
        runEndUs: scenario.duration,
        getRecordsLatency: compileDistribution({ ...scenario.stream.getRecordsLatency, clampMin: 0 }),
        pushLatency: compileDistribution({ ...scenario.stream.pushLatency, clampMin: 0 }),
        // User records: what consumers account for (an aggregated Kinesis record holds several).
        acceptedRecords: () => x.shards.reduce((a, s) => a + s.log.nextSeq, 0),
        keyMass: keyMassOf(
          producers.filter((p) => p.spec.target === x.name),
          scenario,
        ),
      };
      contexts.set(x, context);
    }
    return context;
  };
  const consumers: Consumer[] = scenario.consumers.map((spec) =>
    createConsumer(spec, contextOf(spec.stream)),
  );
  for (const [i, spec] of scenario.firehose.entries()) {
    const d = deliveryStreams[i]!;
    const source = spec.source;
    if (source.kind !== "stream") continue;
    consumers.push(
      new SimpleConsumer(firehoseReader(d.name, source.startingPosition), contextOf(source.stream), {
        kind: "firehose",
        sink: (pieces) => {
          for (const p of pieces) d.ingest(p.count, p.bytes, p.originUs, p.spread);
        },
      }),
    );
  }
  const apps = scenario.analytics.map((spec, i) => {
    const target = spec.sink.stream ?? spec.sink.firehose!;
    const sink = new Producer(
      sinkProducer(
        spec,
        target,
        deliveryStreams.some((d) => d.name === target),
      ),
      {
        ...producerContext(target, scenario.producers.length + i),
        external: true,
      },
    );
    producers.push(sink);
    return new AnalyticsApp(spec, contextOf(spec.source.stream), sink);
  });
  consumers.push(...apps);
  const capacity = new CapacityManager(sim, stream, scenario);
  const minutes = new MinuteMetrics(sim, stream, () =>
    Math.max(0, ...consumers.map((c) => c.metrics.interval.iteratorAgeMaxMs)),
  );
  const onDemand = new OnDemandScaler(sim, stream, capacity, scenario.stream.onDemand, minutes);
  if (scenario.scaling) new Autoscaler(sim, stream, capacity, scenario.scaling, minutes);
  const recorder = new RunRecorder(
    sim,
    { streams, producers, consumers, deliveryStreams, apps, queues, capacity },
    options.sink,
    scenario.metricsInterval,
    sloWindowLengths(scenario.slo, scenario.duration),
  );
  // What consumers have read leaves the logs every second (retention is applied at each metrics row).
  if (consumers.length > 0)
    sim.every(US_PER_S, () => {
      for (const s of streams) s.dropReadEntries();
    });
  capacity.start();
  for (const c of consumers) c.start();
  for (const q of queues) q.start();
  for (const p of producers) p.start();
  return {
    sim,
    stream,
    streams,
    producers,
    consumers,
    deliveryStreams,
    apps,
    queues,
    capacity,
    onDemand,
    minutes,
    recorder,
    tickUs,
    resolutionLabel: tickUs === undefined ? "record" : formatDuration(tickUs),
  };
}

/** The GetRecords reader of a delivery stream whose source is a stream: once per second per shard. */
function firehoseReader(name: string, startingPosition: "LATEST" | "TRIM_HORIZON"): PollingSpec {
  return {
    name,
    type: "polling",
    pollInterval: FIREHOSE_KDS_SOURCE.getRecordsIntervalMs.value * US_PER_MS,
    maxRecords: READS.maxRecordsPerCall.value,
    throttleBackoff: FIREHOSE_KDS_SOURCE.getRecordsIntervalMs.value * US_PER_MS,
    processing: { baseUs: 0, perRecordUs: 0, perKiBUs: 0, p99Ratio: 1 },
    // Firehose de-aggregates KPL records from a stream source (it counts user records).
    deaggregate: true,
    startingPosition,
    start: 0,
    parentsFirst: true,
    stream: name,
  };
}

/**
 * The producer an application writes its output with: the Kinesis sink's batch size, buffer time
 * and in-flight limit per subtask; failed entries are requeued and retried without limit (the
 * connector's failOnError is false), with a short full-jitter backoff (a modelling choice).
 */
function sinkProducer(spec: AnalyticsSpec, target: string, toFirehose: boolean): ResolvedProducer {
  const s = spec.sink;
  const parsed = producerSchema.parse({
    name: `${spec.name}.sink`,
    instances: spec.parallelism,
    rate: 0,
    target,
    api: toFirehose ? "PutRecordBatch" : "PutRecords",
    batch: {
      maxRecords: s.maxBatchSize,
      maxBytes: toFirehose ? FIREHOSE_PUT.batchMaxBytes.value : KINESIS.putRecordsMaxRequestBytes.value,
      linger: formatDuration(s.maxTimeInBuffer),
    },
    maxInFlight: s.maxInFlightRequests,
    retry: { base: "100ms", cap: "5s", jitter: "full", maxAttempts: "unlimited" },
    start: formatDuration(spec.start),
  });
  return { ...parsed, target, api: parsed.api!, rate: parsed.rate };
}

/** Creates the component for a consumer kind. */
/** The traffic-weighted key mass of the producers writing to one stream (even without producers). */
function keyMassOf(
  writers: readonly ProducerFleet[],
  scenario: Scenario,
): (lo: number, hi: number) => number {
  const weights = writers.map((p) =>
    rateFunction(
      p.spec.rate,
      p.spec.start,
      Math.min(p.spec.stop ?? scenario.duration, scenario.duration),
      scenario.duration,
    ).integral(0, scenario.duration),
  );
  const total = weights.reduce((a, w) => a + w, 0);
  if (total <= 0) return (lo, hi) => hi - lo;
  return (lo, hi) => writers.reduce((a, p, i) => a + (weights[i]! / total) * p.keyMassBetween(lo, hi), 0);
}

function createConsumer(spec: ConsumerSpec, context: ConsumerContext): Consumer {
  switch (spec.type) {
    case "polling":
    case "efo":
      return new SimpleConsumer(spec, context);
    case "kcl":
      return new KclConsumer(spec, context);
    case "lambda":
      return new LambdaConsumer(spec, context);
    default: {
      const never: never = spec;
      throw new Error(`unknown consumer kind ${JSON.stringify(never)}`);
    }
  }
}
