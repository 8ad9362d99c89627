// Where cohort resolution's pooling of clients would mislead, checked when a scenario loads. A
// group of k clients acting in step sends one batch when its linger time is up, holding the
// records all k created meanwhile. When each client creates fewer than a couple of records per
// linger time, its real batches hold one or two records that each wait the whole linger time.
// Such producers have their clients' batches modelled one by one (see Producer); the few that
// cannot be (per-key ordering, key affinity, batches that fill) are pooled, and warned about.

import type { Scenario } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import type { ScheduleProblem } from "./capacity.js";
import { resolveTick, sparsePooling } from "./resolution.js";

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
