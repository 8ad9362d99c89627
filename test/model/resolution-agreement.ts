// Record resolution follows every record; cohort resolution moves groups of records. On every
// example scenario that has a cohort form (not those with SQS queues or per-key ordering, which
// follow single records) the two must agree: first-attempt throttle fractions within 1 percentage
// point, p50 and p99 put latency within 10% (for a scenario without a Kinesis stream, the same of
// its delivery stream: throttled attempts, and creation → delivery). Each side is the mean over seeds (two, three in test:deep), because a
// single run's p99 rests on a few thousand retried records and moves by several percent from
// seed to seed on its own.
//
// `npm test` cuts the longest scenarios to the part that matters (a 40-minute on-demand run at
// 10,000 records/s is 24 million records per seed at record resolution); `npm run test:deep` runs
// them whole.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/simulate.js";
import { scenarioOf } from "../laws.js";

/** Scenarios with SQS queues or per-key ordering follow single records: they have no cohort form. */
function recordOnly(file: string): boolean {
  const s = scenarioOf(readFileSync(`scenarios/${file}`, "utf8"));
  return s.queues.length > 0 || s.producers.some((p) => p.ordering === "per-key");
}

const SCENARIOS = readdirSync("scenarios")
  .filter((f) => f.endsWith(".yaml") && !recordOnly(f))
  .sort();
// Three seeds in test:deep; two in npm test, where the differential law (differential.prop.test.ts)
// covers resolution agreement over generated scenarios as well.
const SEEDS = process.env["KINESIM_DEEP"] ? [1, 2, 3] : [1, 2];

/** Overrides for `npm test`: the jump, the splits and the scaling, without the long tails. */
const FAST: Record<string, Record<string, string>> = {
  // The jump at 10m; the splits it calls for, requested at 11m, land a minute later instead of 15.
  // Measured over seeds 1-2: first-attempt throttling 33.73% (record) and 33.75% (10 ms), p50 3.3%
  // apart, p99 0.03%.
  "on-demand-spike.yaml": { duration: "13m", "stream.onDemand.scaleUpDelay": "1m" },
  // The write path is what is compared: the consumers and pipelines downstream of it only cost time.
  // Measured at 3 minutes: p50 1.9% and 1.7% apart, p99 1.0% and 0.5%.
  "firehose-from-stream.yaml": { duration: "3m" },
  "analytics-chain.yaml": { duration: "3m" },
  // Three of the pulses: throttling 0.24 points apart, p50 2.0%, p99 2.9%.
  "payments-sizing.yaml": { duration: "3m" },
  // The split at 3m and the merge at 6m.
  "reshard-schedule.yaml": { duration: "7m" },
  // The first log-rotation burst and the minutes after it.
  "agent-logs.yaml": { duration: "3m" },
  // The ramp with a target-tracking policy scaling the stream up.
  "autoscale-policies.yaml": {
    duration: "15m",
    scaling: "{ policy: target-tracking, minShards: 2, maxShards: 32, target: 60% }",
  },
  // The daily curve's peak at 5m and a minute past it: throttling 0.22 points apart, p50 4.1%,
  // p99 1.6%.
  "quickstart.yaml": { duration: "6m" },
  // The consumers start at 4m and read from the start; the writers' throttling and latency are
  // compared, and a minute of both together is enough: throttling 0.13 points apart, p50 and p99
  // within 0.3% (over the whole 8 minutes, 1.09 points and 7%).
  "fan-out.yaml": { duration: "5m" },
};

/**
 * Wider first-attempt tolerances where two seeds cannot settle one percentage point, with what was
 * measured. The Kinesis Agent's whole batches of 300–500 lines landing at once throttle by chance
 * coincidences of bursts: over seeds 1–4 (3 minutes) record resolution gives 15.8–20.4% and 10 ms
 * 16.0–18.2%, means 17.8% and 17.0% — the resolutions agree within the seeds' spread, which is
 * several points; a mean of two seeds moves by up to 3 pp from one pair of seeds to another.
 * fan-out.yaml, since the SDK preset waits from a 1 s base: over seeds 1–4 record resolution gives
 * 7.19–9.69% (mean 8.65%) and 10 ms 7.93–9.54% (mean 9.10%); seeds 1–2 alone differ by 1.09 pp.
 */
const THROTTLED_TOLERANCE: Record<string, number> = { "agent-logs.yaml": 0.05, "fan-out.yaml": 0.02 };

function measure(file: string, resolution: string) {
  const text = readFileSync(`scenarios/${file}`, "utf8");
  const cut = process.env["KINESIM_DEEP"] ? {} : (FAST[file] ?? {});
  // Variants are compare's business; some need record resolution.
  const runs = SEEDS.map(
    (seed) => simulate(scenarioOf(text, { ...cut, resolution, seed, variants: "null" })).summary,
  );
  const mean = (f: (s: (typeof runs)[number]) => number) => runs.reduce((a, s) => a + f(s), 0) / runs.length;
  if (runs[0]!.stream.declared)
    return {
      throttled: mean((s) => s.throttle.firstAttemptFraction),
      p50: mean((s) => s.putLatencyMs.p50),
      p99: mean((s) => s.putLatencyMs.p99),
    };
  // Producers that write only to delivery streams: the share of attempts the delivery stream
  // throttled, and the latency from creation to delivery (the put and the buffer).
  const firehose = (s: (typeof runs)[number]) => s.firehose[0]!;
  return {
    throttled: mean(
      (s) => firehose(s).throttledRecords / (firehose(s).incomingRecords + firehose(s).throttledRecords),
    ),
    p50: mean((s) => firehose(s).endToEndLatencyMs.p50),
    p99: mean((s) => firehose(s).endToEndLatencyMs.p99),
  };
}

/**
 * The agreement tests for one share of the scenarios: the tests are split over files so that
 * vitest runs them on several cores (it runs the tests of one file one after another).
 */
export function agreementTests(part: number, parts: number): void {
  const mine = SCENARIOS.filter((_, i) => i % parts === part);
  describe(`record and cohort resolution agree on the example scenarios (part ${part + 1} of ${parts})`, () => {
    it.each(mine)("%s", (file) => {
      const record = measure(file, "record");
      const cohort = measure(file, "10ms");
      expect(
        Math.abs(cohort.throttled - record.throttled),
        "first-attempt throttle fraction",
      ).toBeLessThanOrEqual(THROTTLED_TOLERANCE[file] ?? 0.01);
      expect(Math.abs(cohort.p50 / record.p50 - 1), `p50 ${record.p50} vs ${cohort.p50}`).toBeLessThanOrEqual(
        0.1,
      );
      expect(Math.abs(cohort.p99 / record.p99 - 1), `p99 ${record.p99} vs ${cohort.p99}`).toBeLessThanOrEqual(
        0.1,
      );
    });
  });
}
