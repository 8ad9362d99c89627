// Sweeps: a grid of parameter values × seeds, numbered so that any slice of it (a partition on
// another machine) and any number of workers give the same rows, and slices merge into the bytes
// one run would have written.

import type { PriceTable } from "../data/prices.js";
import type { RunSummary } from "../metrics/summary.js";
import { billOf, type Usage } from "./bill.js";

/** A parameter and the values it takes. */
export interface SweepParam {
  path: string;
  values: string[];
}

/** One run of a sweep. */
export interface SweepRun {
  /** Position in the whole grid (0-based): runs are numbered before they are partitioned. */
  index: number;
  params: Record<string, string>;
  seed: string;
}

/** Parses `path=v1,v2,v3` (values may be YAML flow values without commas). */
export function parseParam(text: string): SweepParam {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) throw new Error(`--param ${text}: expected path=value1,value2,…`);
  return {
    path: text.slice(0, eq),
    values: text
      .slice(eq + 1)
      .split(",")
      .map((v) => v.trim()),
  };
}

/** The seeds of `count` replications of a scenario seed: the seed itself when there is one. */
export function replicationSeeds(seed: string, count: number): string[] {
  return count <= 1 ? [seed] : Array.from({ length: count }, (_, k) => `${seed}-${k + 1}`);
}

/** Every run of the grid: parameters in the order given (the last varies fastest), then seeds. */
export function sweepRuns(params: readonly SweepParam[], seeds: readonly string[]): SweepRun[] {
  let combos: Record<string, string>[] = [{}];
  for (const p of params) combos = combos.flatMap((c) => p.values.map((v) => ({ ...c, [p.path]: v })));
  return combos.flatMap((params, i) =>
    seeds.map((seed, s) => ({ index: i * seeds.length + s, params, seed })),
  );
}

/** The runs of partition `i` of `n` (0-based): every n-th run, so slices take equal work. */
export function partitionOf<T extends { index: number }>(runs: readonly T[], i: number, n: number): T[] {
  return runs.filter((r) => r.index % n === i);
}

/**
 * The partition this process runs: `--partition i/n` (1-based i, as people count), or a
 * Kubernetes Indexed Job (JOB_COMPLETION_INDEX of JOB_COMPLETIONS), or an AWS Batch array job
 * (AWS_BATCH_JOB_ARRAY_INDEX; its size in AWS_BATCH_JOB_ARRAY_SIZE or KINESIM_PARTITIONS, which Batch
 * does not set by itself). Returns 0-based { index, count }.
 */
export function partitionFrom(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): { index: number; count: number } | undefined {
  // The flag counts from 1 (as people number slices); the job schedulers' indices count from 0.
  const whole = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : Number.NaN);
  const parse = (index: number, count: number, from: string, range: string) => {
    if (!Number.isSafeInteger(count) || count < 1)
      throw new Error(`${from}: expected a partition count of at least 1`);
    if (!Number.isSafeInteger(index) || index < 0 || index >= count)
      throw new Error(`${from}: expected a partition index ${range}`);
    return { index, count };
  };
  if (flag !== undefined) {
    const m = /^\s*(\S+?)\s*\/\s*(\S+)\s*$/.exec(flag);
    const count = m ? whole(m[2]!) : Number.NaN;
    const countOk = Number.isSafeInteger(count) && count >= 1;
    const hint = `expected i/n, 1-based: i from 1 to ${countOk ? count : "n"} (e.g. --partition 1/3, 2/3 and 3/3 split a sweep in three)`;
    const from = `--partition ${flag}`;
    if (!m) throw new Error(`${from}: ${hint}`);
    if (!countOk) throw new Error(`${from}: n must be a whole number of at least 1; ${hint}`);
    const i = whole(m[1]!);
    if (!Number.isSafeInteger(i) || i < 1 || i > count) throw new Error(`${from}: ${hint}`);
    return { index: i - 1, count };
  }
  if (env["JOB_COMPLETION_INDEX"] !== undefined && env["JOB_COMPLETIONS"] !== undefined) {
    const count = whole(env["JOB_COMPLETIONS"]);
    return parse(
      whole(env["JOB_COMPLETION_INDEX"]),
      count,
      `JOB_COMPLETION_INDEX=${env["JOB_COMPLETION_INDEX"]} with JOB_COMPLETIONS=${env["JOB_COMPLETIONS"]}`,
      `from 0 to ${Number.isSafeInteger(count) ? count - 1 : "JOB_COMPLETIONS − 1"} (0-based, as Kubernetes sets it)`,
    );
  }
  if (env["AWS_BATCH_JOB_ARRAY_INDEX"] !== undefined) {
    const size = env["AWS_BATCH_JOB_ARRAY_SIZE"] ?? env["KINESIM_PARTITIONS"];
    if (size === undefined)
      throw new Error("AWS_BATCH_JOB_ARRAY_INDEX is set: give the array size in KINESIM_PARTITIONS");
    const count = whole(size);
    return parse(
      whole(env["AWS_BATCH_JOB_ARRAY_INDEX"]),
      count,
      `AWS_BATCH_JOB_ARRAY_INDEX=${env["AWS_BATCH_JOB_ARRAY_INDEX"]} with an array size of ${size}`,
      `from 0 to ${Number.isSafeInteger(count) ? count - 1 : "the array size − 1"} (0-based, as AWS Batch sets it)`,
    );
  }
  return undefined;
}

/** The metric columns of a sweep row, after `run`, `of`, the parameters and `seed`. */
export const SWEEP_METRICS = [
  "produced",
  "accepted",
  "dropped",
  "firstAttemptThrottled",
  "attemptThrottled",
  "droppedFraction",
  "putLatencyP50Ms",
  "putLatencyP99Ms",
  "maxConsumerLagSeconds",
  "consumerEndToEndP99Ms",
  "maxDataFreshnessSeconds",
  "shardHours",
  "maxOpenShards",
  "monthlyCost",
] as const;

/** The metrics of one run. */
export function sweepMetrics(
  s: RunSummary,
  usage: Usage,
  prices: PriceTable,
): Record<(typeof SWEEP_METRICS)[number], number> {
  const mode = s.capacity.mode === "on-demand" ? "on-demand" : "provisioned";
  return {
    produced: s.ledger.produced,
    accepted: s.ledger.accepted,
    dropped: s.ledger.dropped,
    firstAttemptThrottled: s.throttle.firstAttemptFraction,
    attemptThrottled: s.throttle.attemptFraction,
    droppedFraction: s.loss.droppedFraction,
    putLatencyP50Ms: s.putLatencyMs.p50,
    putLatencyP99Ms: s.putLatencyMs.p99,
    maxConsumerLagSeconds: Math.max(
      0,
      ...s.consumers.map((c) => Math.max(c.iteratorAgeMaxMs, c.millisBehindLatestMaxMs) / 1000),
    ),
    consumerEndToEndP99Ms: Math.max(0, ...s.consumers.map((c) => c.endToEndLatencyMs.p99)),
    maxDataFreshnessSeconds: Math.max(0, ...s.firehose.map((f) => f.maxDataFreshnessSeconds)),
    shardHours: s.capacity.shardHours,
    maxOpenShards: s.capacity.maxOpenShards,
    monthlyCost: Math.round(billOf(usage, mode, prices).monthlyTotal * 100) / 100,
  };
}
