// Where cohort resolution's pooling of clients misleads, checked when a scenario loads. A group of
// k clients acting in step sends one batch when its linger time is up, holding the records all k
// created meanwhile. When each client creates fewer than a couple of records per linger time, its
// real batches hold one or two records that each wait the whole linger time (the first record
// opens the batch); pooled, records wait about half of it, and requests come in fewer, larger lumps.

import type { Scenario } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import type { ScheduleProblem } from "./capacity.js";
import { GROUP_BUDGET_US, groupsFor, resolveTick } from "./resolution.js";
import { rateFunction } from "./traffic.js";

/** Records per client per linger time under which pooled groups bias what a run reports. */
export const SPARSE_RECORDS_PER_LINGER = 2;

/** Warnings for SDK producers whose clients are too sparse to be pooled at the scenario's tick. */
export function checkPooling(scenario: Scenario): ScheduleProblem[] {
  const tick = resolveTick(scenario);
  if (tick === undefined) return [];
  const problems: ScheduleProblem[] = [];
  scenario.producers.forEach((p, i) => {
    if (p.client !== "sdk" || p.api !== "PutRecords") return;
    const linger = p.batch.linger;
    const groups = groupsFor(p.instances, Math.max(1, Math.floor(GROUP_BUDGET_US / tick)));
    if (groups === p.instances || linger < 2 * tick) return;
    const stop = Math.min(p.stop ?? scenario.duration, scenario.duration);
    if (stop <= p.start) return;
    const meanRate =
      rateFunction(p.rate, p.start, stop, scenario.duration).integral(p.start, stop) /
      ((stop - p.start) / 1e6);
    const perClient = (meanRate / p.instances) * (linger / 1e6);
    if (perClient >= SPARSE_RECORDS_PER_LINGER) return;
    problems.push({
      path: ["producers", i, "instances"],
      severity: "warning",
      message: `each of the ${p.instances.toLocaleString("en-US")} clients creates about ${perClient.toPrecision(2)} records per ${formatDuration(linger)} linger time, so its batches hold one or two records that wait the whole linger time; at ${formatDuration(tick)} resolution the clients are pooled into ${groups} groups whose batches gather many clients' records, which wait about half of it: put and end-to-end latency read low by up to half the linger time, and first-attempt throttling over the limit reads a few points low (test/model/pooling.test.ts measures both). Use resolution: record for this producer's batching as it is (slower), or read its latency as a lower bound`,
    });
  });
  return problems;
}
