// Does the imported scenario reproduce the past? Runs it and sets its CloudWatch view (per-period
// IncomingRecords, per-shard shares, throttles, iterator age) beside the exported metrics of the
// same window, so a user sees the fit before trusting what the scenario says about the future.

import { US_PER_MIN } from "../engine/time.js";
import { NULL_SINK } from "../metrics/sink.js";
import { buildRun } from "../model/build.js";
import type { Scenario } from "../scenario/schema.js";
import { formatNumber } from "../scenario/units.js";
import type { Observed } from "./write.js";

/** Observed and simulated values side by side. */
export interface Replay {
  /** IncomingRecords per period. */
  periods: { observed: number; simulated: number }[];
  /** Largest |simulated − observed| / observed over the periods with records. */
  maxRelativeError: number;
  /** Mean of |simulated − observed| / observed over those periods. */
  meanRelativeError: number;
  /** Share of the records of each open shard (observed where shard-level metrics were exported). */
  shards: { shardId: string; observed?: number; simulated: number }[];
  /** Largest |simulated − observed| share over the shards with observed shares (share points). */
  maxShareError?: number;
  throttled: { observed?: number; simulated: number };
  iteratorAgeMaxMs: { observed?: number; simulated: number };
}

/** Runs `scenario` (its traffic from the observed window) and compares it with `observed`. */
export function replay(scenario: Scenario, observed: Observed): Replay {
  const run = buildRun(scenario, { sink: NULL_SINK });
  const minutesPerPeriod = Math.max(1, Math.round(observed.periodSeconds / 60));
  const records: number[] = [];
  let throttled = 0;
  let ageMax = 0;
  run.minutes.onMinute((minute) => {
    const i = Math.floor(minute.startUs / (minutesPerPeriod * US_PER_MIN));
    records[i] = (records[i] ?? 0) + minute.incomingRecords;
    throttled += minute.throttledRecords;
    ageMax = Math.max(ageMax, minute.iteratorAgeMaxMs);
  });
  run.sim.run(scenario.duration);
  for (const x of run.streams) x.settleDeferred(scenario.duration);
  const seen = observed.series.IncomingRecords ?? [];
  const periods = seen.map((o, i) => ({ observed: o, simulated: records[i] ?? 0 }));
  const errors = periods
    .filter((p) => p.observed > 0)
    .map((p) => Math.abs(p.simulated - p.observed) / p.observed);
  const open = run.stream.open;
  const total = open.reduce((a, s) => a + s.totalRecords, 0);
  const observedTotal = Object.values(observed.shardRecords).reduce((a, v) => a + v, 0);
  const shards = open.map((s) => {
    const o = observed.shardRecords[s.id];
    return {
      shardId: s.id,
      ...(o !== undefined && observedTotal > 0 ? { observed: o / observedTotal } : {}),
      simulated: total > 0 ? s.totalRecords / total : 0,
    };
  });
  const shareErrors = shards
    .filter((s) => s.observed !== undefined)
    .map((s) => Math.abs(s.simulated - s.observed!));
  const sum = (xs: number[] | undefined) => (xs ? xs.reduce((a, v) => a + v, 0) : undefined);
  const max = (xs: number[] | undefined) => (xs && xs.length > 0 ? Math.max(...xs) : undefined);
  const observedThrottled =
    sum(observed.series.WriteProvisionedThroughputExceeded) ??
    sum(observed.series["PutRecords.ThrottledRecords"]);
  const observedAge =
    max(observed.series["GetRecords.IteratorAgeMilliseconds"]) ?? max(observed.series.IteratorAge);
  return {
    periods,
    maxRelativeError: errors.length > 0 ? Math.max(...errors) : 0,
    meanRelativeError: errors.length > 0 ? errors.reduce((a, e) => a + e, 0) / errors.length : 0,
    shards,
    ...(shareErrors.length > 0 ? { maxShareError: Math.max(...shareErrors) } : {}),
    throttled: {
      ...(observedThrottled !== undefined ? { observed: observedThrottled } : {}),
      simulated: throttled,
    },
    iteratorAgeMaxMs: { ...(observedAge !== undefined ? { observed: observedAge } : {}), simulated: ageMax },
  };
}

/** The comparison as lines for the terminal. */
export function replayLines(r: Replay, periodSeconds: number): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const lines = [
    `IncomingRecords per ${periodSeconds / 60} min: simulated vs exported over ${r.periods.length} periods — mean error ${pct(r.meanRelativeError)}, largest ${pct(r.maxRelativeError)}`,
  ];
  if (r.maxShareError !== undefined)
    lines.push(
      `per-shard shares: largest difference ${(100 * r.maxShareError).toFixed(2)} points (${r.shards
        .map(
          (s) =>
            `${s.shardId.slice(-4)} ${s.observed !== undefined ? pct(s.observed) : "–"}→${pct(s.simulated)}`,
        )
        .join(", ")})`,
    );
  const fmt = (o: number | undefined, s: number, unit: string) =>
    `${o === undefined ? "not exported" : `${formatNumber(Math.round(o))}${unit}`} exported, ${formatNumber(Math.round(s))}${unit} simulated`;
  lines.push(
    `WriteProvisionedThroughputExceeded: ${fmt(r.throttled.observed, r.throttled.simulated, " records")}`,
  );
  lines.push(
    `iterator age, largest: ${fmt(r.iteratorAgeMaxMs.observed, r.iteratorAgeMaxMs.simulated, " ms")}`,
  );
  lines.push(
    `(the traffic inside each ${periodSeconds / 60}-minute period is modelled, not observed: per-second peaks, and the throttling they cause, may differ)`,
  );
  return lines;
}
