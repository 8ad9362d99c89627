// Shard planning: the closed-form answers (AWS's sizing formula; per-second limits at the peak),
// the bound a hot key sets, the search for the smallest shard count that meets every SLO (bracket,
// then bisect, checking that what was seen is monotone and scanning where it is not), and an
// UpdateShardCount schedule that gets a stream there within AWS's rules.

import { CAPACITY, KINESIS } from "../data/kinesis-limits.js";
import { compileDistribution } from "../engine/distributions.js";
import { US_PER_S } from "../engine/time.js";
import { KeySpace } from "../model/keys.js";
import { rateFunction } from "../model/traffic.js";
import { usesEfo } from "../scenario/consumers.js";
import type { Scenario } from "../scenario/schema.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** The traffic of the producers that write to the scenario's stream, as formulas see it. */
export interface OfferedTraffic {
  meanRecordsPerSecond: number;
  peakRecordsPerSecond: number;
  /** Mean bytes a record counts against the limits (data and partition key). */
  meanRecordBytes: number;
  /** Readers that share each shard's 2 MiB/s (polling consumers, delivery streams, applications). */
  sharedReaders: number;
  efoReaders: number;
}

/** The offered traffic, from the producers' rate profiles and size distributions. */
export function offeredTraffic(scenario: Scenario): OfferedTraffic {
  const main = scenario.stream.name;
  const end = scenario.duration;
  let mean = 0;
  let peak = 0;
  let bytes = 0;
  for (const p of scenario.producers.filter((x) => x.target === main)) {
    const rate = rateFunction(p.rate, p.start, p.stop ?? end, end);
    const records = rate.integral(0, end);
    mean += records / (end / US_PER_S);
    peak += peakRate(rate, end);
    bytes += records * (compileDistribution(p.recordSize).mean + new KeySpace(p.partitionKey).meanKeyBytes);
  }
  const totalRecords = mean * (end / US_PER_S);
  const readsMain = (stream: string | undefined) => (stream ?? main) === main;
  const consumers = scenario.consumers.filter((c) => readsMain(c.stream));
  const shared =
    consumers.filter((c) => !usesEfo(c)).length +
    scenario.firehose.filter((f) => f.source.kind === "stream" && readsMain(f.source.stream)).length +
    scenario.analytics.filter((a) => readsMain(a.source.stream)).length;
  return {
    meanRecordsPerSecond: mean,
    peakRecordsPerSecond: peak,
    meanRecordBytes: totalRecords > 0 ? bytes / totalRecords : 0,
    sharedReaders: shared,
    efoReaders: consumers.filter(usesEfo).length,
  };
}

/** The largest rate over the run, second by second (profiles are piecewise linear or stepped). */
function peakRate(rate: ReturnType<typeof rateFunction>, end: number): number {
  let peak = 0;
  for (let t = 0; t < end; t += US_PER_S)
    peak = Math.max(peak, rate.integral(t, Math.min(t + US_PER_S, end)));
  return peak;
}

/** Closed-form shard counts, with what each assumes. */
export interface ClosedForm {
  /** AWS's sizing formula: max(write KiB/s ÷ 1024, read KiB/s ÷ 2048), records rounded up to 1 KB, mean traffic. */
  aws: number;
  /** Per-second limits at the peak: records ÷ 1,000, bytes ÷ 1 MiB, shared reads ÷ 2 MiB, perfect spread. */
  peak: number;
}

export function closedForm(t: OfferedTraffic): ClosedForm {
  const kb = Math.max(1, Math.ceil(t.meanRecordBytes / KiB));
  const writeKiB = t.meanRecordsPerSecond * kb;
  const readKiB = writeKiB * t.sharedReaders;
  const aws = Math.max(1, Math.ceil(writeKiB / 1024), Math.ceil(readKiB / 2048));
  const peakBytes = t.peakRecordsPerSecond * t.meanRecordBytes;
  const peak = Math.max(
    1,
    Math.ceil(t.peakRecordsPerSecond / KINESIS.shardWriteRecordsPerSecond.value),
    Math.ceil(peakBytes / KINESIS.shardWriteBytesPerSecond.value),
    Math.ceil((peakBytes * t.sharedReaders) / (2 * MiB)),
  );
  return { aws, peak };
}

/**
 * Why no shard count can help, if so: a partition key whose records alone exceed one shard's
 * write limit at the peak (all of a key's records go to one shard).
 */
export function hotKeyBound(scenario: Scenario): string | undefined {
  const main = scenario.stream.name;
  const byKey = new Map<string, { records: number; bytes: number }>();
  for (const p of scenario.producers.filter((x) => x.target === main)) {
    const keys = new KeySpace(p.partitionKey);
    const peak = peakRate(
      rateFunction(p.rate, p.start, p.stop ?? scenario.duration, scenario.duration),
      scenario.duration,
    );
    const size = compileDistribution(p.recordSize).mean;
    keys.names.forEach((name, i) => {
      const records = peak * keys.probabilities[i]!;
      const k = byKey.get(name) ?? { records: 0, bytes: 0 };
      k.records += records;
      k.bytes += records * (size + keys.keyBytes[i]!);
      byKey.set(name, k);
    });
  }
  const recordLimit = KINESIS.shardWriteRecordsPerSecond.value;
  const byteLimit = KINESIS.shardWriteBytesPerSecond.value;
  let worst: { name: string; records: number; bytes: number } | undefined;
  for (const [name, k] of byKey) {
    const load = Math.max(k.records / recordLimit, k.bytes / byteLimit);
    if (load > 1 && (!worst || load > Math.max(worst.records / recordLimit, worst.bytes / byteLimit)))
      worst = { name, ...k };
  }
  if (!worst) return undefined;
  return `partition key "${worst.name}" alone writes ${Math.round(worst.records).toLocaleString("en-US")} records/s (${(worst.bytes / KiB).toFixed(0)} KiB/s) at the peak, and every record of a key goes to one shard, whose limit is ${recordLimit.toLocaleString("en-US")} records/s and 1 MiB/s: more shards cannot help. Spread the key (salt it with a suffix, or use explicit hash keys) or aggregate its records.`;
}

/** What one shard count gave over the replications. */
export interface Evaluation {
  shards: number;
  /** Every SLO met on every seed. */
  pass: boolean;
  metrics: { name: string; mean: number; worst: number; threshold: number; unit: string; met: number }[];
  monthlyCost: number;
}

/** The outcome of a search. */
export interface SearchResult {
  chosen?: number;
  evaluations: Evaluation[];
  /** The evaluated counts pass and fail as a monotone curve would (all fails below all passes). */
  monotone: boolean;
  /** A scan replaced the bisection because the evaluations were not monotone. */
  scanned: boolean;
}

/**
 * The smallest shard count in [1, max] that passes: bracket from `start` (halving down or doubling
 * up), bisect, then check the evaluated counts for monotonicity — under common random numbers the
 * throttle curve usually is, but retries and bursts can break it — and scan the bracket when not.
 */
export async function searchShards(
  evaluate: (shards: number) => Promise<Evaluation>,
  start: number,
  max: number,
): Promise<SearchResult> {
  const seen = new Map<number, Evaluation>();
  const at = async (n: number) => {
    const known = seen.get(n);
    if (known) return known;
    const e = await evaluate(n);
    seen.set(n, e);
    return e;
  };
  let lo = 0; // the largest count known to fail (0: none)
  let hi: number | undefined; // the smallest count known to pass
  let n = Math.min(Math.max(1, start), max);
  if ((await at(n)).pass) {
    hi = n;
    for (let m = Math.floor(n / 2); m >= 1; m = Math.floor(m / 2)) {
      if ((await at(m)).pass) hi = m;
      else {
        lo = m;
        break;
      }
    }
  } else {
    lo = n;
    while (n < max) {
      n = Math.min(max, n * 2);
      if ((await at(n)).pass) {
        hi = n;
        break;
      }
      lo = n;
    }
  }
  if (hi === undefined) return { evaluations: sorted(seen), monotone: isMonotone(seen), scanned: false };
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await at(mid)).pass) hi = mid;
    else lo = mid;
  }
  // Verify: the next count up passes too.
  if (hi < max) await at(hi + 1);
  let scanned = false;
  if (!isMonotone(seen)) {
    scanned = true;
    const top = Math.max(...[...seen.keys()]);
    for (let m = 1; m <= top; m++) await at(m);
  }
  const chosen = sorted(seen).find((e) => e.pass)?.shards;
  return {
    ...(chosen !== undefined ? { chosen } : {}),
    evaluations: sorted(seen),
    monotone: isMonotone(seen),
    scanned,
  };
}

function sorted(seen: Map<number, Evaluation>): Evaluation[] {
  return [...seen.values()].sort((a, b) => a.shards - b.shards);
}

function isMonotone(seen: Map<number, Evaluation>): boolean {
  const evals = sorted(seen);
  const firstPass = evals.findIndex((e) => e.pass);
  return firstPass < 0 || evals.slice(firstPass).every((e) => e.pass);
}

/** One UpdateShardCount call of a schedule. */
export interface ScheduleStep {
  /** Seconds after the first call. */
  atSeconds: number;
  targetShardCount: number;
}

/**
 * UpdateShardCount calls from `current` to `target`: each at most doubles or halves the open
 * shards, spaced by the time an update takes, and at most 10 in any rolling 24 hours (the 11th
 * waits for the first to leave the window).
 */
export function updateSchedule(current: number, target: number, updateSeconds: number): ScheduleStep[] {
  const steps: ScheduleStep[] = [];
  const perDay = CAPACITY.updateShardCountCallsPer24h.value;
  let n = current;
  let t = 0;
  while (n !== target) {
    n = target > n ? Math.min(target, n * 2) : Math.max(target, Math.ceil(n / 2));
    if (steps.length >= perDay) t = Math.max(t, steps[steps.length - perDay]!.atSeconds + 24 * 3600);
    steps.push({ atSeconds: t, targetShardCount: n });
    t += updateSeconds;
  }
  return steps;
}
