// What one shard count gave over the seeds: every SLO (worst window and whole run), and what a plan
// must never trade away without being told to — lost records and producers falling behind. A count
// that loses records is not an answer unless the user allows loss with an SLO on it.

import type { RunSummary } from "../metrics/summary.js";
import { evaluateSlo } from "../model/summarize.js";
import type { Scenario } from "../scenario/schema.js";
import type { Evaluation, EvaluationMetric } from "./plan.js";

/** A producer backlog beyond this many seconds of the mean rate at the end of a run: falling behind. */
export const BACKLOG_SECONDS = 30;

/** Records lost in a run: dropped after retries, rejected as too large, expired unread by a consumer. */
export function lostRecords(s: RunSummary): number {
  return s.ledger.dropped + s.ledger.rejected + s.consumers.reduce((a, c) => a + c.expired, 0);
}

/** Whether the user allows some loss (an SLO on it of their own): then their SLO judges loss. */
export function lossAllowed(scenario: Scenario): boolean {
  return scenario.slo?.recordsLostFraction !== undefined;
}

/** The plan's verdict on one shard count, from its runs (one per seed) and their monthly cost. */
export function evaluateCount(
  scenario: Scenario,
  shards: number,
  runs: readonly { summary: RunSummary; monthlyCost: number }[],
): Evaluation {
  const summaries = runs.map((r) => r.summary);
  const verdicts = summaries.map((s) => evaluateSlo(scenario, s));
  const metrics: EvaluationMetric[] = verdicts[0]!.map((v, i) => {
    const values = verdicts.map((vs) => vs[i]!.actual ?? Number.NaN);
    const whole = verdicts.map((vs) => vs[i]!.wholeRun ?? vs[i]!.actual ?? Number.NaN);
    return {
      name: v.name,
      over: v.over ?? "run",
      mean: values.reduce((a, x) => a + x, 0) / values.length,
      worst: Math.max(...values),
      wholeRunWorst: Math.max(...whole),
      threshold: v.threshold,
      limit: limitOf(scenario, v.name, v.unit),
      unit: v.unit,
      met: verdicts.filter((vs) => vs[i]!.verdict === "met").length,
    };
  });
  const failing = metrics.filter((m) => m.met < runs.length).map((m) => m.name);
  const lost = Math.max(...summaries.map((s) => lostRecords(s) / Math.max(1, s.ledger.produced)));
  if (!lossAllowed(scenario) && summaries.some((s) => lostRecords(s) > 0)) failing.push("no loss");
  const backlog = Math.max(
    ...summaries.map((s) => s.ledger.inFlight / Math.max(1, s.ledger.produced / s.durationSeconds)),
  );
  if (backlog > BACKLOG_SECONDS) failing.push("keeps up");
  return {
    shards,
    seeds: runs.length,
    pass: failing.length === 0,
    failing,
    metrics,
    lostFraction: lost,
    backlogSeconds: backlog,
    firstAttemptThrottled: Math.max(...summaries.map((s) => s.throttle.firstAttemptFraction)),
    putLatencyP99Ms: Math.max(...summaries.map((s) => s.putLatencyMs.p99)),
    monthlyCost: runs.reduce((a, r) => a + r.monthlyCost, 0) / runs.length,
  };
}

/** An SLO's threshold value in its verdict's unit (latencies in ms). */
function limitOf(scenario: Scenario, name: string, unit: string): number {
  const t = (scenario.slo as Record<string, { value: number } | undefined> | undefined)?.[name];
  return t ? (unit === "ms" ? t.value / 1000 : t.value) : Number.NaN;
}
