// Where cohort resolution's pooling of clients would mislead, checked when a scenario loads. A
// group of k clients acting in step sends one batch when its linger time is up, holding the
// records all k created meanwhile. When each client creates fewer than a couple of records per
// linger time, its real batches hold one or two records that each wait the whole linger time.
// Such producers have their clients' batches modelled one by one (see Producer); the few that
// cannot be (per-key ordering, key affinity, batches that fill) are pooled, and warned about.

import type { Scenario } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import type { ScheduleProblem } from "./capacity.js";
import { GROUP_BUDGET_US, groupsFor, resolveTick, sparsePooling } from "./resolution.js";
import { rateFunction } from "./traffic.js";

/** Records per client per linger time under which pooled groups clearly bias a run. */
const WARN_RECORDS_PER_LINGER = 2;

/** Warnings for SDK producers whose sparse clients would be pooled at the scenario's tick. */
export function checkPooling(scenario: Scenario): ScheduleProblem[] {
  const tick = resolveTick(scenario);
  if (tick === undefined) return [];
  const problems: ScheduleProblem[] = [];
  scenario.producers.forEach((p, i) => {
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
      message: `each of the ${p.instances.toLocaleString("en-US")} clients creates about ${pooling.perClient.toPrecision(2)} records per ${formatDuration(p.batch.linger)} linger time at the peak, so its batches hold one or two records that wait the whole linger time; with ${why}, ${formatDuration(tick)} resolution pools the clients into ${pooling.groups} groups whose batches gather many clients' records, which wait about half of it: put and end-to-end latency read low by up to half the linger time, and first-attempt throttling over the limit a few points low. Use resolution: record for this producer's batching as it is (slower), or read its latency as a lower bound`,
    });
  });
  return problems;
}

/**
 * How much lumpier than its clients' own a pooled group's per-second demand on a shard is, as a
 * multiple of Poisson noise, over which near-limit throttling reads clearly high. A group of k
 * clients sends their k batches as one request, landing at one moment: each shard gets k times a
 * client's share at once. The extra per-second variance on a shard is about (k − 1) × q × λ / n²
 * for clients' requests of q records, λ records/s in all and n shards — (k − 1) × q / n times the
 * Poisson variance λ / n. On 5 shards at 97% of their byte limit (20 clients, requests of 24
 * records): 1 s resolution (one group, 91) throttled 69% of first attempts, 250 ms 35%, 100 ms
 * (groups of 4, 14) 10.6%, 10 ms (no pooling) 1.7% and record resolution 1.9%; while
 * plan-20-shards at 100 ms (groups of 2, 10) reads as 10 ms does at 19 and 20 shards (its shards'
 * per-second variance 13% above 10 ms's). How much a lump costs grows with how near the limit a
 * shard runs, which a load-time check cannot know: the line is drawn between those two.
 */
const WARN_LUMPINESS = 12;

/** Warnings for SDK producers whose clients are pooled into groups whose requests land as lumps. */
export function checkLumps(scenario: Scenario): ScheduleProblem[] {
  const tick = resolveTick(scenario);
  const stream = scenario.stream;
  if (tick === undefined || !stream) return [];
  const shards = stream.shards ?? 0;
  if (shards < 1) return [];
  const problems: ScheduleProblem[] = [];
  scenario.producers.forEach((p, i) => {
    if (p.client !== "sdk" || p.api !== "PutRecords" || p.target !== stream.name) return;
    if (sparsePooling(p, tick, scenario.duration)?.perClientBatches) return;
    const groups = groupsFor(p.instances, Math.max(1, Math.floor(GROUP_BUDGET_US / tick)));
    const k = p.instances / groups;
    if (k < 2) return;
    const stop = Math.min(p.stop ?? scenario.duration, scenario.duration);
    if (stop <= p.start) return;
    const peak = rateFunction(p.rate, p.start, stop, scenario.duration).max(p.start, stop);
    const perClient = peak / p.instances;
    const q = Math.max(1, Math.min(p.batch.maxRecords, (perClient * p.batch.linger) / 1e6));
    const lumpiness = ((k - 1) * q) / shards;
    if (lumpiness < WARN_LUMPINESS) return;
    problems.push({
      path: ["producers", i, "instances"],
      severity: "warning",
      message: `${formatDuration(tick)} resolution pools the ${p.instances.toLocaleString("en-US")} clients into ${groups} group${groups === 1 ? "" : "s"} of ${Number(k.toPrecision(3))}, and a group sends its clients' batches as one request: each shard gets ${Number(((k * q) / shards).toPrecision(3))} records at once where a client's own request brings ${Number((q / shards).toPrecision(2))}. A shard's per-second demand then varies about ${Math.round(lumpiness)} times more than Poisson noise, so near a shard's limit first-attempt throttling, retries and drops read high (5 shards at 97% of their limit: 69% of first attempts throttled at 1 s, 1.7% at 10 ms, 1.9% at record resolution). For throttling near the limit use resolution: 10ms, or a resolution that keeps each client a group of its own`,
    });
  });
  return problems;
}
