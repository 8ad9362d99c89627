// Wires a Scenario into components on one Simulation: the stream, the producer fleets and the
// recorder. The only file that knows the whole topology of a run.

import { compileDistribution } from "../engine/distributions.js";
import { RandomStreams } from "../engine/random.js";
import { Simulation } from "../engine/simulation.js";
import { US_PER_MS } from "../engine/time.js";
import type { RunSink } from "../metrics/sink.js";
import type { ConsumerSpec } from "../scenario/consumers.js";
import type { Scenario } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import { Autoscaler } from "./autoscaler.js";
import { CapacityManager } from "./capacity.js";
import type { Consumer } from "./consumers/consumer.js";
import type { ConsumerContext } from "./consumers/context.js";
import { KclConsumer } from "./consumers/kcl.js";
import { LambdaConsumer } from "./consumers/lambda.js";
import { SimpleConsumer } from "./consumers/simple.js";
import { MinuteMetrics } from "./minute-metrics.js";
import { OnDemandScaler } from "./on-demand.js";
import { Producer } from "./producer.js";
import { RunRecorder } from "./run-recorder.js";
import { Stream } from "./stream.js";
import { rateFunction } from "./traffic.js";

/** Records a run may expect before `resolution: auto` switches from records to cohorts. */
export const AUTO_RECORD_LIMIT = 2_000_000;
/** Cohort tick `auto` picks for large runs. */
export const AUTO_TICK_US = 10 * US_PER_MS;

/** Options that change how a run is wired, not what it models. */
export interface BuildOptions {
  sink: RunSink;
  /** Test hook: lose one landing's records at or after this time (the ledger must catch it). */
  leakAtUs?: number;
}

/** A wired run, ready to step. */
export interface BuiltRun {
  sim: Simulation;
  stream: Stream;
  producers: Producer[];
  consumers: Consumer[];
  capacity: CapacityManager;
  onDemand: OnDemandScaler;
  recorder: RunRecorder;
  /** Cohort tick in µs, or undefined at record resolution. */
  tickUs: number | undefined;
  /** `record` or the tick as written (e.g. `10ms`). */
  resolutionLabel: string;
}

/** Expected number of records the scenario's producers create. */
export function expectedRecords(scenario: Scenario): number {
  let total = 0;
  for (const p of scenario.producers) {
    const stop = Math.min(p.stop ?? scenario.duration, scenario.duration);
    total += rateFunction(p.rate, p.start, stop, scenario.duration).integral(0, scenario.duration);
  }
  return total;
}

/** The cohort tick a scenario runs at (undefined: record resolution). */
export function resolveTick(scenario: Scenario): number | undefined {
  const r = scenario.resolution;
  if (r === "record") return undefined;
  if (r === "auto") {
    if (expectedRecords(scenario) <= AUTO_RECORD_LIMIT) return undefined;
    return scenario.metricsInterval % AUTO_TICK_US === 0
      ? AUTO_TICK_US
      : gcd(scenario.metricsInterval, AUTO_TICK_US);
  }
  return r;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Builds the components of a scenario on a fresh simulation. */
export function buildRun(scenario: Scenario, options: BuildOptions): BuiltRun {
  const sim = new Simulation();
  const random = new RandomStreams(scenario.seed);
  const stream = new Stream(scenario.stream);
  const tickUs = resolveTick(scenario);
  const producers = scenario.producers.map(
    (spec, i) =>
      new Producer(spec, {
        sim,
        target: stream,
        random,
        runEndUs: scenario.duration,
        tickUs,
        index: i,
        ...(i === 0 && options.leakAtUs !== undefined ? { leakAtUs: options.leakAtUs } : {}),
      }),
  );
  const consumerContext: ConsumerContext = {
    sim,
    stream,
    random,
    runEndUs: scenario.duration,
    getRecordsLatency: compileDistribution({ ...scenario.stream.getRecordsLatency, clampMin: 0 }),
    pushLatency: compileDistribution({ ...scenario.stream.pushLatency, clampMin: 0 }),
    acceptedRecords: () => stream.shards.reduce((a, s) => a + s.totalRecords, 0),
  };
  const consumers = scenario.consumers.map((spec) => createConsumer(spec, consumerContext));
  const capacity = new CapacityManager(sim, stream, scenario);
  const minutes = new MinuteMetrics(sim, stream, () =>
    Math.max(0, ...consumers.map((c) => c.metrics.interval.iteratorAgeMaxMs)),
  );
  const onDemand = new OnDemandScaler(sim, stream, capacity, scenario.stream.onDemand, minutes);
  if (scenario.scaling) new Autoscaler(sim, stream, capacity, scenario.scaling, minutes);
  const recorder = new RunRecorder(
    sim,
    stream,
    producers,
    consumers,
    capacity,
    options.sink,
    scenario.metricsInterval,
  );
  capacity.start();
  for (const c of consumers) c.start();
  for (const p of producers) p.start();
  return {
    sim,
    stream,
    producers,
    consumers,
    capacity,
    onDemand,
    recorder,
    tickUs,
    resolutionLabel: tickUs === undefined ? "record" : formatDuration(tickUs),
  };
}

/** Creates the component for a consumer kind. */
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
