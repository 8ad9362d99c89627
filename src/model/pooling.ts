// Where cohort resolution's pooling of clients would mislead, checked when a scenario loads. A
// group of k clients acting in step sends one batch when its linger time is up, holding the
// records all k created meanwhile. When each client creates fewer than a couple of records per
// linger time, its real batches hold one or two records that each wait the whole linger time.
// Such producers have their clients' batches modelled one by one (see Producer); the few that
// cannot be (per-key ordering, key affinity, batches that fill) are pooled, and warned about.

import type { ResolvedProducer, Scenario } from "../scenario/schema.js";
import { formatDuration, formatNumber } from "../scenario/units.js";
import type { ScheduleProblem } from "./capacity.js";
import {
  AUTO_TICK_US,
  clientRequest,
  lumpiness,
  peakRate,
  pooledGroups,
  resolveTick,
  SPARSE_RECORDS_PER_LINGER,
  sparsePooling,
} from "./resolution.js";

/** Records per client per linger time under which pooled groups clearly bias a run. */
const WARN_RECORDS_PER_LINGER = 2;

/** Warnings for SDK producers whose sparse clients would be pooled at the scenario's tick. */
export function checkPooling(scenario: Scenario): ScheduleProblem[] {
  const tick = resolveTick(scenario);
  if (tick === undefined) return [];
  const problems: ScheduleProblem[] = [];
  scenario.producers.forEach((p, i) => {
    const coarse = tooCoarseForSparse(p, tick, scenario);
    if (coarse) {
      problems.push({
        path: ["producers", i, "instances"],
        severity: "warning",
        message: `each of the ${formatNumber(p.instances)} clients creates about ${coarse.perClient.toPrecision(2)} records per ${formatDuration(p.batch.linger)} linger time at the peak, so its batches hold one or two records that wait the whole linger time; ${formatDuration(tick)} resolution is too coarse to follow them one by one (that needs a tick of at most half the linger time) and pools them into ${coarse.groups} groups whose batches wait about half of it: put and end-to-end latency read low by up to half the linger time, and first-attempt throttling over the limit low (2,000 such clients at 1 s, in two generated cases: put p50 550 ms against 1,018 at record resolution under the limit, and 43% of first attempts throttled against 69% over it). Use resolution: 10ms`,
      });
      return;
    }
    const pooling = sparsePooling(p, tick, scenario.duration);
    if (!pooling || pooling.perClientBatches || pooling.perClient >= WARN_RECORDS_PER_LINGER) return;
    const why =
      p.ordering === "per-key"
        ? "per-key ordering"
        : p.keyAffinity
          ? "key affinity"
          : `batches of ${p.batch.maxRecords} records that may fill`;
    problems.push({
      path: ["producers", i, "instances"],
      severity: "warning",
      message: `each of the ${formatNumber(p.instances)} clients creates about ${pooling.perClient.toPrecision(2)} records per ${formatDuration(p.batch.linger)} linger time at the peak, so its batches hold one or two records that wait the whole linger time; with ${why}, ${formatDuration(tick)} resolution pools the clients into ${pooling.groups} groups whose batches gather many clients' records, which wait about half of it: put and end-to-end latency read low by up to half the linger time, and first-attempt throttling over the limit a few points low. Use resolution: record for this producer's batching as it is (slower), or read its latency as a lower bound`,
    });
  });
  return problems;
}

/**
 * A sparse SDK fleet (under SPARSE_RECORDS_PER_LINGER records a client per linger time) at a tick
 * of more than half its linger time: its clients' batches cannot be followed in stretches of the
 * linger time, so they are pooled. Undefined when that is not the case.
 */
function tooCoarseForSparse(
  p: ResolvedProducer,
  tick: number,
  scenario: Scenario,
): { perClient: number; groups: number } | undefined {
  const linger = p.batch.linger;
  if (p.client !== "sdk" || p.api !== "PutRecords" || linger <= 0 || linger >= 2 * tick) return undefined;
  const peak = peakRate(p, scenario.duration);
  if (peak === undefined) return undefined;
  const groups = pooledGroups(p, tick, scenario.stream?.shards ?? 1, scenario.duration);
  if (groups >= p.instances) return undefined;
  const perClient = (peak / p.instances) * (linger / 1e6);
  return perClient < SPARSE_RECORDS_PER_LINGER ? { perClient, groups } : undefined;
}

/**
 * Lumpiness (see `lumpiness`) over which loading warns. Ticks coarser than 10 ms add groups to
 * stay near 2 where that is affordable; what is left over this line reads clearly high near a
 * shard's limit. Measured on 5 shards at 97% of their byte limit (20 clients, requests of 24
 * records), before groups were added: one group at 1 s (lumpiness 91) throttled 69% of first
 * attempts, groups of 4 at 100 ms (14) 10.6%, 10 ms (no pooling) 1.7% and record resolution
 * 1.9%; and plan-20-shards at 100 ms in groups of 2 (10) planned 20 shards where 10 ms, and the
 * same 100 ms a client a group, plan 19.
 */
const WARN_LUMPINESS = 4;

/** Warnings for SDK producers whose clients are pooled into groups whose requests land as lumps. */
export function checkLumps(scenario: Scenario): ScheduleProblem[] {
  const tick = resolveTick(scenario);
  const stream = scenario.stream;
  if (tick === undefined || !stream) return [];
  const shards = stream.shards ?? 0;
  if (shards < 1) return [];
  const problems: ScheduleProblem[] = [];
  scenario.producers.forEach((p, i) => {
    if (p.target !== stream.name) return;
    if (sparsePooling(p, tick, scenario.duration)?.perClientBatches) return;
    const groups = pooledGroups(p, tick, shards, scenario.duration);
    const lumps = lumpiness(p, groups, shards, scenario.duration);
    const q = clientRequest(p, scenario.duration)?.records;
    if (lumps === undefined || q === undefined || lumps < WARN_LUMPINESS) return;
    const k = p.instances / groups;
    problems.push({
      path: ["producers", i, "instances"],
      severity: "warning",
      message: `${formatDuration(tick)} resolution pools the ${formatNumber(p.instances)} clients into ${groups} group${groups === 1 ? "" : "s"} of ${Number(k.toPrecision(3))}, and a group sends its clients' batches as one request: each shard gets ${Number(((k * q) / shards).toPrecision(3))} records at once where a client's own request brings ${Number((q / shards).toPrecision(2))}. A shard's per-second demand then varies about ${Math.round(lumps)} times more than Poisson noise, so near a shard's limit first-attempt throttling, retries and drops read high (5 shards at 97% of their limit, pooled into one group at 1 s: 69% of first attempts throttled, against 1.9% at record resolution). For throttling near the limit use ${tick > AUTO_TICK_US ? "a finer resolution (10ms) or " : ""}resolution: record`,
    });
  });
  return problems;
}
