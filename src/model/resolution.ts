// How finely a scenario is simulated: record resolution or a cohort tick (what `resolution: auto`
// picks), and how many groups a fleet of clients is pooled into at a tick. Kept apart from the
// builder so that loading a scenario can reason about it without loading the model.

import { KINESIS } from "../data/kinesis-limits.js";
import { US_PER_MS } from "../engine/time.js";
import type { ResolvedProducer, Scenario } from "../scenario/schema.js";
import { rateFunction } from "./traffic.js";

/** Records a run may expect before `resolution: auto` switches from records to cohorts. */
export const AUTO_RECORD_LIMIT = 2_000_000;

/** Cohort tick `auto` picks for large runs. */
export const AUTO_TICK_US = 10 * US_PER_MS;

/** Groups simulated at cohort resolution: this budget divided by the tick (64 at 10 ms). */
export const GROUP_BUDGET_US = 640_000;

/**
 * Simulated groups for a fleet of `instances` clients with room for `budget` groups: as near a
 * whole number of instances each as the budget allows (100 instances: 50 groups of 2, not 64 of 1.56).
 */
export function groupsFor(instances: number, budget: number): number {
  return Math.max(1, Math.ceil(instances / Math.ceil(instances / budget)));
}

/** Expected number of records the scenario's producers create (by `untilUs`, default the end). */
export function expectedRecords(scenario: Scenario, untilUs = scenario.duration): number {
  let total = 0;
  for (const p of scenario.producers) {
    const stop = Math.min(p.stop ?? scenario.duration, scenario.duration);
    total += rateFunction(p.rate, p.start, stop, scenario.duration).integral(0, untilUs);
  }
  return total;
}

/** The cohort tick a scenario runs at (undefined: record resolution). */
export function resolveTick(scenario: Scenario): number | undefined {
  const r = scenario.resolution;
  if (r === "record") return undefined;
  if (r === "auto") {
    // Per-key ordering and queues follow single records.
    if (scenario.producers.some((p) => p.ordering === "per-key") || scenario.queues.length > 0)
      return undefined;
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

/** Records per client per linger time under which pooling clients into groups misleads. */
export const SPARSE_RECORDS_PER_LINGER = 4;

/** How a producer's clients fare at a cohort tick when they are pooled. */
export interface Pooling {
  /** Groups the fleet would be pooled into. */
  groups: number;
  /** Records a client creates per linger time at the producer's peak rate. */
  perClient: number;
  /** Batches of single clients are modelled (see Producer's sparse clients), not pooled ones. */
  perClientBatches: boolean;
}

/**
 * Whether an SDK producer's clients at cohort tick `tickUs` are pooled into groups while each is
 * too sparse to fill its batches (undefined: not pooled, or dense enough that pooling is exact
 * enough), and whether its clients' batches are then modelled one by one in aggregate.
 */
export function sparsePooling(p: ResolvedProducer, tickUs: number, runEndUs: number): Pooling | undefined {
  if (p.client !== "sdk" || p.api !== "PutRecords") return undefined;
  const groups = groupsFor(p.instances, Math.max(1, Math.floor(GROUP_BUDGET_US / tickUs)));
  const linger = p.batch.linger;
  if (groups === p.instances || linger < 2 * tickUs) return undefined;
  const peak = peakRate(p, runEndUs);
  if (peak === undefined) return undefined;
  const perClient = (peak / p.instances) * (linger / 1e6);
  if (perClient >= SPARSE_RECORDS_PER_LINGER) return undefined;
  // Batches close on their linger time, not on size, and no record waits for another of its key.
  const perClientBatches =
    p.ordering !== "per-key" && !p.keyAffinity && p.batch.maxRecords >= 4 * perClient + 16;
  return { groups, perClient, perClientBatches };
}

/**
 * How much lumpier than its clients' own a pooled group's demand on a shard is, as a multiple of
 * Poisson noise: a group of k clients sends their k batches as one request, landing at one
 * moment, so a shard gets k clients' share at once. The extra per-second variance on a shard is
 * about (k − 1) × q × λ / n² for clients' requests of q records, λ records/s and n shards — that
 * is (k − 1) × q / n times the Poisson variance λ / n. Near a shard's limit it reads as throttling
 * the clients would not see (see pooling.ts for what it cost). Undefined: not a pooled SDK fleet.
 */
export function lumpiness(
  p: ResolvedProducer,
  groups: number,
  shards: number,
  runEndUs: number,
): number | undefined {
  const q = clientRequest(p, runEndUs);
  if (q === undefined || shards < 1) return undefined;
  return ((p.instances / groups - 1) * q.records) / shards;
}

/** A producer's largest rate over the run, records/s (undefined: it never runs). */
export function peakRate(p: ResolvedProducer, runEndUs: number): number | undefined {
  const stop = Math.min(p.stop ?? runEndUs, runEndUs);
  if (stop <= p.start) return undefined;
  return rateFunction(p.rate, p.start, stop, runEndUs).max(p.start, stop);
}

/** An SDK client's PutRecords request at the producer's peak: records in it and requests a second. */
export function clientRequest(
  p: ResolvedProducer,
  runEndUs: number,
): { records: number; perSecond: number } | undefined {
  if (p.client !== "sdk" || p.api !== "PutRecords") return undefined;
  const peak = peakRate(p, runEndUs);
  if (peak === undefined) return undefined;
  const perClient = peak / p.instances;
  if (!(perClient > 0)) return undefined;
  const records = Math.max(1, Math.min(p.batch.maxRecords, (perClient * p.batch.linger) / 1e6));
  return { records, perSecond: perClient / records };
}

/** Lumpiness that pooled groups are kept under, when they can afford to. */
export const LUMPINESS_TARGET = 2;

/** Shard offers a second that groups added against lumps may cost at most. */
export const LUMP_OFFER_BUDGET = 20_000;

/**
 * Groups a pooled SDK fleet is simulated as at cohort tick `tickUs`: the budget's (64 at 10 ms,
 * fewer at coarser ticks) — but where those groups would hold many clients each (at 10 ms, a fleet
 * of thousands), as many more as keep a group's request within LUMPINESS_TARGET of its clients'
 * own (so near a shard's limit the throttling is the clients'), if that costs at most
 * LUMP_OFFER_BUDGET shard offers a second. A fleet that would cost more keeps the budget's groups,
 * and loading warns about it. (At 10 ms this once held only for coarser ticks: 2,000 clients at
 * 1.8 times the limit in 63 groups read 64.5% of first attempts throttled against 74.8% at record
 * resolution; a group a client, 72.8%.)
 */
export function pooledGroups(p: ResolvedProducer, tickUs: number, shards: number, runEndUs: number): number {
  const budget = groupsFor(p.instances, Math.max(1, Math.floor(GROUP_BUDGET_US / tickUs)));
  if (shards < 1) return budget;
  const q = clientRequest(p, runEndUs);
  if (!q) return budget;
  const perGroup = Math.max(1, Math.floor(1 + (LUMPINESS_TARGET * shards) / q.records));
  const groups = Math.max(budget, Math.ceil(p.instances / perGroup));
  if (groups === budget) return budget;
  const k = p.instances / groups;
  const offers = groups * q.perSecond * Math.min(shards, k * q.records);
  return offers <= LUMP_OFFER_BUDGET ? groups : budget;
}

/**
 * Stretches per linger time in which sparse clients' new batches are gathered (see SparseClients):
 * at most MAX_STRETCHES (40 ms stretches at a 1 s linger, as near a shard's limit), at least
 * MIN_STRETCHES, so that the batches of a stretch, taken as opened at its middle, close near their
 * own linger time.
 */
const MAX_STRETCHES = 25;
const MIN_STRETCHES = 10;
/**
 * A stretch's batches land together, as one lump. Near a shard's limit, lumps read as throttling
 * that clients one by one would not see (a 40 ms stretch at a 1 s linger: 0.3% of first attempts
 * against 0.15%; 100 ms: 0.8%). A lump on the busiest shard at the fleet's peak is kept to at most
 * what a 40 ms stretch sends to a shard at its limit: 1/25 of the shard's per-second limits.
 */
const LUMP_SHARE_OF_LIMIT = 1 / 25;

/**
 * Length of a sparse fleet's stretches, a whole number of ticks (see SparseClients in producer.ts).
 * The batches opened within one close together and land as one lump: 1/25 of the linger time
 * keeps lumps small enough near a shard's limit (see LUMP_SHARE_OF_LIMIT). A fleet whose lumps
 * stay that small on the busiest shard at its peak rate (`busiestRecordsPerSecond` of
 * `recordBytes` each, keys included), by records and by bytes, takes longer stretches, up to 1/10
 * of the linger time: fewer, larger requests and log entries for the same traffic. (The user's
 * day's 5,000 devices, at a third of 7 shards' record limit: 100 ms stretches ran in half the time
 * of 40 ms ones, end-to-end p50, p90 and p99 within 0.4%.) Producers choose again whenever the
 * open shards change (an on-demand stream scaling, a reshard).
 */
export function sparseStretchUs(
  tickUs: number,
  lingerUs: number,
  busiestRecordsPerSecond: number,
  recordBytes: number,
): number {
  const ticks = (us: number) => Math.max(tickUs, Math.floor(us / tickUs) * tickUs);
  const shortest = ticks(lingerUs / MAX_STRETCHES);
  if (!(busiestRecordsPerSecond > 0)) return shortest;
  const lumpSeconds = Math.min(
    (LUMP_SHARE_OF_LIMIT * KINESIS.shardWriteRecordsPerSecond.value) / busiestRecordsPerSecond,
    (LUMP_SHARE_OF_LIMIT * KINESIS.shardWriteBytesPerSecond.value) / (busiestRecordsPerSecond * recordBytes),
  );
  return Math.max(shortest, Math.min(ticks(lingerUs / MIN_STRETCHES), ticks(lumpSeconds * 1e6)));
}
