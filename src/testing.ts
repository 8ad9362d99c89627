// `kinesim/testing`: property-test your own capacity assumptions, and your own client code.
// Arbitraries generate traffic (rates, hot-key shares, record sizes, key counts), `runTraffic`
// simulates it on a stream you describe, and fast-check finds — and shrinks — the traffic that
// breaks a claim such as "12 shards keep throttling under 0.1% for anything between 2,000 and
// 8,000 records/s". `runWithClients` puts your producer loop, GetRecords loop or Lambda handler in
// the run, with the real AWS SDK, in virtual time.

import fc from "fast-check";
import { type ClientRunOptions, type ClientRunResult, simulateWithClients } from "./clients/run-clients.js";
import type { RunSummary } from "./metrics/summary.js";
import { checkSchedule } from "./model/capacity.js";
import { loadScenario } from "./scenario/load.js";
import { simulate } from "./simulate.js";

/** Traffic for one run: what a producer fleet offers. */
export interface Traffic {
  /** Records per second, in all. */
  rate: number;
  /** Share of the records that carry one hot key (0: none). */
  hotKeyShare: number;
  /** Bytes per record (data blob). */
  recordBytes: number;
  /** Distinct keys the other records spread over (uniformly). */
  keys: number;
  /** Seed of the run's random streams. */
  seed: number;
}

/** Bounds of generated traffic. */
export interface TrafficBounds {
  minRate: number;
  maxRate: number;
  /** Largest hot-key share (default 0: no hot key). */
  maxHotKeyShare?: number;
  /** Record sizes in bytes (default 1,024 exactly). */
  minRecordBytes?: number;
  maxRecordBytes?: number;
  /** Key counts (default 1,000 to 100,000). */
  minKeys?: number;
  maxKeys?: number;
}

/** fast-check arbitrary of traffic within bounds; it shrinks toward the smallest rate, share and size. */
export function trafficArbitrary(b: TrafficBounds): fc.Arbitrary<Traffic> {
  const share = b.maxHotKeyShare ?? 0;
  return fc.record({
    rate: fc.integer({ min: Math.ceil(b.minRate), max: Math.floor(b.maxRate) }),
    // Whole hundredths of a percent, so a shrunk counterexample reads cleanly.
    hotKeyShare:
      share > 0
        ? fc.integer({ min: 0, max: Math.floor(share * 10_000) }).map((x) => x / 10_000)
        : fc.constant(0),
    recordBytes: fc.integer({
      min: b.minRecordBytes ?? 1024,
      max: b.maxRecordBytes ?? b.minRecordBytes ?? 1024,
    }),
    keys: fc.integer({ min: b.minKeys ?? 1000, max: b.maxKeys ?? 100_000 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  });
}

/** The stream and run a traffic sample is simulated on. */
export interface StreamUnderTest {
  shards: number;
  /** Simulated time (default "1m"). */
  duration?: string;
  /** Resolution (default "auto"). */
  resolution?: string;
  /** Producer clients (default 16). */
  instances?: number;
  /** Extra YAML appended to the scenario (consumers, SLOs, …). */
  extra?: string;
}

/** The scenario YAML for a traffic sample on a stream. */
export function scenarioYaml(t: Traffic, s: StreamUnderTest): string {
  const hot = t.hotKeyShare > 0 ? `, hotKeys: [{ key: hot, share: ${t.hotKeyShare} }]` : "";
  return `name: property
seed: ${t.seed}
duration: ${s.duration ?? "1m"}
resolution: ${s.resolution ?? "auto"}
stream: { name: under-test, shards: ${s.shards} }
producers:
  - name: traffic
    instances: ${s.instances ?? 16}
    rate: ${t.rate}/s
    recordSize: ${t.recordBytes}B
    partitionKey: { dist: uniform, keys: ${t.keys}${hot} }
${s.extra ?? ""}`;
}

/** Simulates a traffic sample on a stream and returns the run's summary. */
export function runTraffic(t: Traffic, s: StreamUnderTest): RunSummary {
  const { scenario } = loadScenario(scenarioYaml(t, s), { file: "property.yaml", check: checkSchedule });
  return simulate(scenario).summary;
}

/** Share of first attempts throttled: the usual thing to bound. */
export function throttledFraction(summary: RunSummary): number {
  return summary.throttle.firstAttemptFraction;
}

/** Runs a scenario (YAML text) with client functions in the loop; see simulateWithClients. */
export async function runWithClients(yaml: string, options: ClientRunOptions): Promise<ClientRunResult> {
  const { scenario } = loadScenario(yaml, { file: "scenario.yaml", check: checkSchedule });
  return simulateWithClients(scenario, options);
}

export type { Traffic as ClientTraffic, TrafficRecord } from "./clients/client-producer.js";
export {
  type ClientContext,
  type ClientReport,
  type ClientRunOptions,
  type ClientRunResult,
  type ClientSpec,
  type ConsumerFunction,
  type KinesisEventRecord,
  type LambdaContext,
  type LambdaHandler,
  type ProducerContext,
  type ProducerFunction,
  simulateWithClients,
} from "./clients/run-clients.js";
export { fc };
