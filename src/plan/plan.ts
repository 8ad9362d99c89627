// Shard planning: the closed-form answers (AWS's sizing formula; per-second limits at the peak),
// the bound a hot key sets, the search for the smallest shard count that meets every SLO (bracket,
// then bisect, checking that what was seen is monotone and scanning where it is not), and an
// UpdateShardCount schedule that gets a stream there within AWS's rules.

import { READS } from "../data/consumer-limits.js";
import { CAPACITY, KINESIS, SIZING_FORMULA } from "../data/kinesis-limits.js";
import { compileDistribution } from "../engine/distributions.js";
import { US_PER_S } from "../engine/time.js";
import { KeySpace, meanKeyBytesOf } from "../model/keys.js";
import { ExpectedAggregate } from "../model/kpl/aggregation.js";
import { type RateFunction, rateFunction } from "../model/traffic.js";
import { usesEfo } from "../scenario/consumers.js";
import type { Scenario } from "../scenario/schema.js";
import { formatNumber } from "../scenario/units.js";

const KiB = 1024;

/** What AWS's sizing formula was given, in its own terms. */
export interface SizingInputs {
  /** Mean data record size in bytes (the data blob, without the partition key). */
  averageDataSizeBytes: number;
  /** The same rounded up to a whole KiB, as the formula asks. */
  averageDataSizeKiB: number;
  /** Mean records written per second over the run (Kinesis records: aggregated ones for the KPL). */
  recordsPerSecond: number;
  /** User records per Kinesis record: 1 unless a KPL producer aggregates. */
  userRecordsPerKinesisRecord: number;
  /** Applications reading the stream concurrently and independently (every consumer kind). */
  numberOfConsumers: number;
  incomingWriteKiB: number;
  outgoingReadKiB: number;
}

/** AWS's sizing formula and the inputs it used (see SIZING_FORMULA for the page it comes from). */
export interface AwsSizing {
  shards: number;
  inputs: SizingInputs;
}

/** kinesim's own per-second reading of the offered traffic at its busiest second. */
export interface PeakSecond {
  /** Seconds into the run. */
  atSeconds: number;
  records: number;
  /** Bytes counted against the write limit (data and partition key), from each producer's sizes. */
  bytes: number;
  /** Readers sharing each shard's 2 MiB/s (polling consumers, delivery streams, applications). */
  sharedReaders: number;
  byRecords: number;
  byBytes: number;
  byReads: number;
  /** Shards the busiest second needs with a perfectly even spread. */
  shards: number;
  /** The limit that sets it. */
  binding: "records" | "bytes" | "reads";
}

/** Both closed forms. */
export interface ClosedForm {
  aws: AwsSizing;
  peak: PeakSecond;
}

/** A writer as the closed forms see it, per user record created. */
interface Writer {
  rate: RateFunction;
  /** Kinesis records per user record (1, or 1 / the user records a full aggregated record holds). */
  kinesisPerUser: number;
  /** Data bytes of the Kinesis records, per user record (aggregation's framing included). */
  dataBytes: number;
  /** Partition-key bytes of the Kinesis records, per user record. */
  keyBytes: number;
}

function writersOf(scenario: Scenario): Writer[] {
  const end = scenario.duration;
  return scenario.producers
    .filter((p) => p.target === scenario.stream.name)
    .map((p) => {
      const rate = rateFunction(p.rate, p.start, p.stop ?? end, end);
      const data = compileDistribution({ ...p.recordSize, clampMin: 0 }).mean;
      const keyBytes = meanKeyBytesOf(p.partitionKey);
      if (p.client !== "kpl" || !p.kpl) return { rate, kinesisPerUser: 1, dataBytes: data, keyBytes };
      const compressed = data * p.kpl.compressionRatio;
      if (!p.kpl.aggregationEnabled) return { rate, kinesisPerUser: 1, dataBytes: compressed, keyBytes };
      // Full aggregated records, every key new to its record: the fewest Kinesis records, and an
      // upper bound on the key tables' bytes. Slow traffic gives smaller ones (RecordMaxBufferedTime
      // flushes them first), which the runs see and this closed form does not.
      const aggregate = new ExpectedAggregate(
        { probabilities: [], keyBytes: [], hashKeyBytes: [], randomShare: 1, randomKeyBytes: keyBytes },
        compressed,
      );
      const { keep } = aggregate.fill(p.kpl.aggregationMaxSize, p.kpl.aggregationMaxCount);
      return {
        rate,
        kinesisPerUser: 1 / keep,
        dataBytes: aggregate.accurate(keep) / keep,
        keyBytes: keyBytes / keep,
      };
    });
}

/** Readers of the scenario's stream: those that share each shard's read limits, and every one. */
export function readersOf(scenario: Scenario): { shared: number; all: number } {
  const main = scenario.stream.name;
  const readsMain = (stream: string | undefined) => (stream ?? main) === main;
  const consumers = scenario.consumers.filter((c) => readsMain(c.stream));
  const others =
    scenario.firehose.filter((f) => f.source.kind === "stream" && readsMain(f.source.stream)).length +
    scenario.analytics.filter((a) => readsMain(a.source.stream)).length;
  return { shared: consumers.filter((c) => !usesEfo(c)).length + others, all: consumers.length + others };
}

/** AWS's formula, exactly as the developer guide writes it, on the run's mean traffic. */
export function awsSizing(scenario: Scenario): AwsSizing {
  const seconds = scenario.duration / US_PER_S;
  let records = 0;
  let users = 0;
  let dataBytes = 0;
  for (const w of writersOf(scenario)) {
    const n = w.rate.integral(0, scenario.duration);
    users += n;
    records += n * w.kinesisPerUser;
    dataBytes += n * w.dataBytes;
  }
  const averageDataSizeBytes = records > 0 ? dataBytes / records : 0;
  const kib = SIZING_FORMULA.recordSizeRoundingBytes.value;
  const averageDataSizeKiB = Math.max(1, Math.ceil(averageDataSizeBytes / kib - 1e-9));
  const recordsPerSecond = records / seconds;
  const numberOfConsumers = readersOf(scenario).all;
  const incomingWriteKiB = averageDataSizeKiB * recordsPerSecond;
  const outgoingReadKiB = incomingWriteKiB * numberOfConsumers;
  const shards = Math.max(
    1,
    Math.ceil(
      Math.max(
        incomingWriteKiB / SIZING_FORMULA.writeKiBPerShard.value,
        outgoingReadKiB / SIZING_FORMULA.readKiBPerShard.value,
      ) - 1e-9,
    ),
  );
  return {
    shards,
    inputs: {
      averageDataSizeBytes,
      averageDataSizeKiB,
      recordsPerSecond,
      userRecordsPerKinesisRecord: records > 0 ? users / records : 1,
      numberOfConsumers,
      incomingWriteKiB,
      outgoingReadKiB,
    },
  };
}

/** The busiest second of the offered traffic, records and bytes from each producer's own sizes. */
export function peakSecond(scenario: Scenario): PeakSecond {
  const writers = writersOf(scenario);
  const shared = readersOf(scenario).shared;
  let best: PeakSecond | undefined;
  for (let t = 0; t < scenario.duration; t += US_PER_S) {
    const next = Math.min(t + US_PER_S, scenario.duration);
    let records = 0;
    let bytes = 0;
    for (const w of writers) {
      const n = w.rate.integral(t, next) * (US_PER_S / (next - t));
      records += n * w.kinesisPerUser;
      bytes += n * (w.dataBytes + w.keyBytes);
    }
    const byRecords = Math.ceil(records / KINESIS.shardWriteRecordsPerSecond.value - 1e-9);
    const byBytes = Math.ceil(bytes / KINESIS.shardWriteBytesPerSecond.value - 1e-9);
    const byReads = Math.ceil((bytes * shared) / READS.bytesPerSecondPerShard.value - 1e-9);
    const shards = Math.max(1, byRecords, byBytes, byReads);
    const binding =
      byRecords >= byBytes && byRecords >= byReads ? "records" : byBytes >= byReads ? "bytes" : "reads";
    const load = Math.max(
      records / KINESIS.shardWriteRecordsPerSecond.value,
      bytes / KINESIS.shardWriteBytesPerSecond.value,
    );
    const bestLoad = best
      ? Math.max(
          best.records / KINESIS.shardWriteRecordsPerSecond.value,
          best.bytes / KINESIS.shardWriteBytesPerSecond.value,
        )
      : -1;
    if (load > bestLoad)
      best = {
        atSeconds: t / US_PER_S,
        records,
        bytes,
        sharedReaders: shared,
        byRecords,
        byBytes,
        byReads,
        shards,
        binding,
      };
  }
  return (
    best ?? {
      atSeconds: 0,
      records: 0,
      bytes: 0,
      sharedReaders: shared,
      byRecords: 0,
      byBytes: 0,
      byReads: 0,
      shards: 1,
      binding: "records",
    }
  );
}

/** Both closed forms of a scenario. */
export function closedForm(scenario: Scenario): ClosedForm {
  return { aws: awsSizing(scenario), peak: peakSecond(scenario) };
}

/** The mean and busiest-second record rates of the offered traffic (for bursts). */
export function rateProfile(scenario: Scenario): { meanPerSecond: number; peakPerSecond: number } {
  const writers = writersOf(scenario);
  let total = 0;
  let peak = 0;
  for (let t = 0; t < scenario.duration; t += US_PER_S) {
    const next = Math.min(t + US_PER_S, scenario.duration);
    let n = 0;
    for (const w of writers) n += w.rate.integral(t, next);
    total += n;
    peak = Math.max(peak, n * (US_PER_S / (next - t)));
  }
  return { meanPerSecond: total / (scenario.duration / US_PER_S), peakPerSecond: peak };
}

/** The largest rate over the run, second by second (profiles are piecewise linear or stepped). */
export function peakRate(rate: RateFunction, end: number): number {
  let peak = 0;
  for (let t = 0; t < end; t += US_PER_S)
    peak = Math.max(peak, rate.integral(t, Math.min(t + US_PER_S, end)));
  return peak;
}

/**
 * Why no shard count can help, if so: a partition key whose records alone exceed one shard's
 * write limit at the peak (all of a key's records go to one shard).
 */
export function hotKeyBound(scenario: Scenario): string | undefined {
  const main = scenario.stream.name;
  const recordLimit = KINESIS.shardWriteRecordsPerSecond.value;
  const byteLimit = KINESIS.shardWriteBytesPerSecond.value;
  const fleets = scenario.producers
    .filter((x) => x.target === main)
    .map((p) => ({
      keys: KeySpace.of(p.partitionKey),
      peak: peakRate(
        rateFunction(p.rate, p.start, p.stop ?? scenario.duration, scenario.duration),
        scenario.duration,
      ),
      size: compileDistribution(p.recordSize).mean,
    }));
  // A key over a limit in all is over 1/n of it in one of the n producers that write it. A
  // generated key (one of a million, say) appears once in its producer, apart from a hot key of
  // the same name: only those over 1/n (with a margin for rounding) are added up by name, with
  // every hot and listed key.
  const share = (1 - 1e-9) / Math.max(1, fleets.length);
  /** Where a name first appears among all producers' keys: keys of equal load go in that order. */
  const firstAppearance = (name: string): number => {
    for (let q = 0; q < fleets.length; q++) {
      const i = fleets[q]!.keys.indicesOf(name)[0];
      if (i !== undefined) return q * 2 ** 32 + i;
    }
    return Number.POSITIVE_INFINITY;
  };
  const candidates = new Map<string, number>();
  for (const f of fleets) {
    const firstGenerated = f.keys.firstGenerated;
    for (let i = 0; i < f.keys.namedCount; i++) {
      const records = f.peak * f.keys.probabilities[i]!;
      const bytes = records * (f.size + f.keys.keyBytes[i]!);
      if (i >= firstGenerated && records < recordLimit * share && bytes < byteLimit * share) continue;
      const name = f.keys.nameOf(i)!;
      if (!candidates.has(name)) candidates.set(name, firstAppearance(name));
    }
  }
  let worst: { name: string; records: number; bytes: number } | undefined;
  for (const [name] of [...candidates].sort((a, b) => a[1] - b[1])) {
    const k = { records: 0, bytes: 0 };
    for (const f of fleets) {
      for (const i of f.keys.indicesOf(name)) {
        const records = f.peak * f.keys.probabilities[i]!;
        k.records += records;
        k.bytes += records * (f.size + f.keys.keyBytes[i]!);
      }
    }
    const load = Math.max(k.records / recordLimit, k.bytes / byteLimit);
    if (load > 1 && (!worst || load > Math.max(worst.records / recordLimit, worst.bytes / byteLimit)))
      worst = { name, ...k };
  }
  if (!worst) return undefined;
  return `partition key "${worst.name}" alone writes ${formatNumber(Math.round(worst.records))} records/s (${formatNumber(Math.round(worst.bytes / KiB))} KiB/s) at the peak, and every record of a key goes to one shard, whose limit is ${formatNumber(recordLimit)} records/s and 1 MiB/s: more shards cannot help. Spread the key (salt it with a suffix, or use explicit hash keys) or aggregate its records.`;
}

/** One SLO at one shard count, over the seeds. */
export interface EvaluationMetric {
  name: string;
  /** The window it holds over ("1m", "run", …). */
  over: string;
  /** Mean and worst over the seeds of the value the verdict uses (the worst window's). */
  mean: number;
  worst: number;
  /** The worst over the seeds of the whole run's value. */
  wholeRunWorst: number;
  threshold: string;
  /** The threshold's value in the metric's unit (a fraction, or ms). */
  limit: number;
  unit: string;
  /** Seeds on which it was met. */
  met: number;
}

/** What one shard count gave over the replications. */
export interface Evaluation {
  shards: number;
  /** Seeds run: a plan stops evaluating a count at its first failing seed (in seed order). */
  seeds: number;
  /** Every SLO met on every seed, nothing lost (unless allowed) and the producers keeping up. */
  pass: boolean;
  /** What failed: SLO names, "no loss", "keeps up". */
  failing: string[];
  metrics: EvaluationMetric[];
  /** The worst seed's records lost (dropped, rejected, expired) per record produced. */
  lostFraction: number;
  /** The worst seed's producer backlog at the end, in seconds of the mean rate. */
  backlogSeconds: number;
  /** The worst seed's first-attempt throttle fraction and put p99 over the whole run. */
  firstAttemptThrottled: number;
  putLatencyP99Ms: number;
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

/** How `searchShards` goes about it. */
export interface SearchOptions {
  /** Start next to a count a coarse pass found: step 1, 2, 4… away from it instead of halving
   *  or doubling. */
  near?: boolean;
  /**
   * Counts evaluated together in each round (default 1). Their runs share the worker pool, so a
   * pool that one count's seeds leave partly idle (5 seeds on 2 cores: three rounds, the last
   * half empty) is kept busy. The counts a search evaluates depend on this and on the verdicts
   * only — never on the number of workers — so a plan is the same on any machine.
   */
  width?: number;
  /**
   * Counts to evaluate beside the start in the first round, instead of halving (or, near, stepping
   * down) from it: a caller's own estimate below the start, such as the busiest second's count.
   */
  alongside?: readonly number[];
  /** Check that the count above the answer passes too (default true); a single seed's search,
   *  which the search on every seed follows, leaves it to that one. */
  verify?: boolean;
  /**
   * A count likely at or below the answer (the busiest second's). Near a start that passes, with
   * the count below it passing too, the search goes there next (and halfway back up) instead of
   * stepping 2, 4, 8… down: a start well above the answer is left in one round.
   */
  floor?: number;
  /** Evaluations already made on the same terms: the search starts knowing them. */
  known?: readonly Evaluation[];
  /** Scan every count up to the largest seen when what was seen is not monotone (default true); a
   *  search that only guides another does not: one seed's curve is rougher than every seed's, and
   *  the search it guides checks its own. */
  scan?: boolean;
}

/**
 * The smallest shard count in [1, max] that passes: bracket from `start` (halving down or doubling
 * up — or, `near` a count a coarse pass found, stepping 1, 2, 4… away from it), narrow the bracket
 * (bisection; with `width` counts a round, splitting it into width + 1 parts), then check the
 * evaluated counts for monotonicity — under common random numbers the throttle curve usually is,
 * but retries and bursts can break it — and scan the bracket when not.
 */
export async function searchShards(
  evaluate: (shards: number) => Promise<Evaluation>,
  start: number,
  max: number,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const near = options.near ?? false;
  const width = Math.max(1, Math.floor(options.width ?? 1));
  const seen = new Map<number, Evaluation>();
  for (const e of options.known ?? []) seen.set(e.shards, e);
  /** Evaluates the counts not seen yet, together. */
  const round = async (counts: readonly number[]) => {
    const fresh = [...new Set(counts)].filter((n) => n >= 1 && n <= max && !seen.has(n));
    const results = await Promise.all(fresh.map((n) => evaluate(n)));
    for (const [i, n] of fresh.entries()) seen.set(n, results[i]!);
  };
  /** The smallest count known to pass, and the largest known to fail below it (0: none). */
  const bracket = (): { lo: number; hi?: number } => {
    const evals = sorted(seen);
    const hi = evals.find((e) => e.pass)?.shards;
    const fails = evals.filter((e) => !e.pass && (hi === undefined || e.shards < hi));
    return { lo: fails.at(-1)?.shards ?? 0, ...(hi !== undefined ? { hi } : {}) };
  };
  const first = Math.min(Math.max(1, start), max);
  // The first round: the start and, with room, the next counts down from it (a guess is as often
  // just above the answer as anywhere).
  const opening = [first];
  for (let i = 1; i < width; i++)
    opening.push(options.alongside?.[i - 1] ?? (near ? first - i : Math.floor(first / 2 ** i)));
  await round(opening);
  for (let step = 1; ; step *= 2) {
    const { lo, hi } = bracket();
    const next: number[] = [];
    if (hi === undefined) {
      // Nothing passes yet: go up from the largest failure.
      if (lo >= max) break;
      for (let i = 1, m = lo; i <= width && m < max; i++) {
        m = near ? Math.min(max, lo + step * i) : Math.min(max, m * 2);
        next.push(m);
      }
    } else if (lo === 0 && hi > 1) {
      // Nothing fails below the smallest pass yet: go down.
      const floor = options.floor;
      if (
        near &&
        floor !== undefined &&
        floor >= 1 &&
        floor < hi - 2 &&
        first - hi >= 1 &&
        !seen.has(floor)
      ) {
        // The start and the count below it pass: jump to the floor, and halfway back.
        next.push(floor);
        if (width > 1) next.push(floor + Math.floor((hi - floor) / 2));
      }
      for (let i = 1, m = hi; next.length < width && m > 1; i++) {
        m = near ? Math.max(1, hi - step * i) : Math.max(1, Math.floor(m / 2));
        next.push(m);
      }
    } else if (hi - lo > 1) {
      // Narrow the bracket: width counts splitting (lo, hi) evenly.
      for (let i = 1; i <= width; i++) next.push(lo + Math.floor((i * (hi - lo)) / (width + 1)));
    }
    // Verify: the count above the answer passes too (in the same round when there is room).
    const verify =
      options.verify !== false && hi !== undefined && hi < max && !seen.has(hi + 1) ? [hi + 1] : [];
    const fresh = next.filter((n) => n > lo && (hi === undefined || n < hi) && !seen.has(n));
    if (fresh.length === 0) {
      if (verify.length === 0) break;
      await round(verify);
      continue;
    }
    await round(
      hi !== undefined && hi - lo <= 2 * width + 1 && fresh.length < width ? [...fresh, ...verify] : fresh,
    );
  }
  let scanned = false;
  if (options.scan !== false && !isMonotone(seen)) {
    scanned = true;
    const top = Math.max(...[...seen.keys()]);
    await round(Array.from({ length: top }, (_, i) => i + 1));
  }
  const chosen = sorted(seen).find((e) => e.pass)?.shards;
  return {
    ...(chosen !== undefined ? { chosen } : {}),
    evaluations: sorted(seen),
    monotone: isMonotone(seen),
    scanned,
  };
}

/** The evaluations a guided search may use, cheapest first. */
export interface Evaluators {
  /** A rough one (one seed, 1 s cohorts), when it suits the scenario. */
  coarse?: (shards: number) => Promise<Evaluation>;
  /**
   * One seed alone at the scenario's resolution (seed 0 to `seeds` − 1), when there are several.
   * Where the first seed fails, it must be what `everySeed` gives: every seed's evaluation runs
   * the first seed first and stops at its failure.
   */
  oneSeed?: { seeds: number; evaluate: (seed: number, shards: number) => Promise<Evaluation> };
  /** Every seed at the scenario's resolution: the only evaluations that decide. */
  everySeed: (shards: number) => Promise<Evaluation>;
}

/** A guided search's answer, and the searches that guided it. */
export interface GuidedResult extends SearchResult {
  coarse?: SearchResult;
  /** The searches of one seed alone, in the order made: the first seed's, then each seed's that
   *  failed at the count before (counts it knew to fail not run). */
  seeds?: { seed: number; search: SearchResult }[];
}

/**
 * The smallest passing count on every seed, found from where cheaper searches point: a coarse pass
 * finds about where the answer lies; the first seed alone then finds its answer at the scenario's
 * resolution from there (a count it passes costs one run, not one per seed — a coarse pass well
 * above the answer otherwise walked down through counts that each ran every seed). Every seed is
 * tried at that count; where one fails, that seed alone finds its own answer upward from there,
 * and every seed is tried at that. The search on every seed then starts next to the last count,
 * takes the counts the first seed failed as failed and evaluates no count twice. Only the
 * evaluations on every seed decide, as a search on them alone would.
 */
export async function guidedSearch(
  evaluators: Evaluators,
  start: number,
  max: number,
  options: { width?: number; alongside?: readonly number[]; floor?: number } = {},
): Promise<GuidedResult> {
  const width = options.width ?? 1;
  let from: number | undefined;
  let coarse: SearchResult | undefined;
  if (evaluators.coarse) {
    coarse = await searchShards(evaluators.coarse, start, max, {
      width,
      scan: false,
      ...(options.alongside ? { alongside: options.alongside } : {}),
    });
    from = coarse.chosen;
  }
  const failedFirst = new Map<number, Evaluation>();
  const everySeen = new Map<number, Promise<Evaluation>>();
  /** Every seed's evaluation of a count, once (a count the first seed failed is failed so). */
  const every = (shards: number): Promise<Evaluation> => {
    let e = everySeen.get(shards);
    if (!e) {
      const failed = failedFirst.get(shards);
      e = failed ? Promise.resolve(failed) : evaluators.everySeed(shards);
      everySeen.set(shards, e);
    }
    return e;
  };
  const seeds: { seed: number; search: SearchResult }[] = [];
  const one = evaluators.oneSeed;
  /** Seed `seed`'s own search from `at`, running no count below `lowest` (they fail on it). */
  const searchSeed = async (seed: number, at: number, near: boolean, lowest: number) => {
    const search = await searchShards(
      async (shards) => {
        if (shards < lowest) return notRun(shards);
        const e = await one!.evaluate(seed, shards);
        if (seed === 0 && !e.pass) failedFirst.set(shards, e);
        return e;
      },
      at,
      max,
      {
        near,
        width,
        verify: false,
        scan: false,
        ...(seed === 0 && options.floor !== undefined ? { floor: options.floor } : {}),
      },
    );
    seeds.push({ seed, search });
    return search.chosen;
  };
  if (one) {
    const first = await searchSeed(0, from ?? start, from !== undefined, 0);
    from = first ?? from;
    // Every seed at that count (the seeds but the first side by side); where a seed fails, that
    // seed alone finds its own answer from there, and every seed is tried again at it. (Where the
    // first seed passes nowhere, neither does every seed.)
    for (let round = 0; first !== undefined && from !== undefined && round < one.seeds; round++) {
      const e = await every(from);
      if (e.pass) break;
      // Seeds run in order and stop at the first that fails: the last one run failed.
      const next = await searchSeed(e.seeds - 1, from + 1, true, from + 1);
      if (next === undefined) break;
      from = next;
    }
  }
  // What every seed was tried at on the way is part of the search's own evidence.
  const known = await Promise.all(everySeen.values());
  const result =
    from === undefined
      ? await searchShards(every, start, max, { width, known })
      : await searchShards(every, from, max, { near: true, width, known });
  return { ...result, ...(coarse ? { coarse } : {}), ...(seeds.length > 0 ? { seeds } : {}) };
}

/** A count a guiding search knows fails without running it (no seeds run). */
function notRun(shards: number): Evaluation {
  return {
    shards,
    seeds: 0,
    pass: false,
    failing: [],
    metrics: [],
    lostFraction: 0,
    backlogSeconds: 0,
    firstAttemptThrottled: 0,
    putLatencyP99Ms: 0,
    monthlyCost: 0,
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
  // Doubling from zero never gets anywhere: a stream has at least one shard.
  if (!(Number.isInteger(current) && current >= 1 && Number.isInteger(target) && target >= 1))
    throw new RangeError(`shard counts must be whole numbers from 1 (from ${current} to ${target})`);
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
