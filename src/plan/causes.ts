// Why a shard count was not enough, from that count's own runs: each cause is printed only when its
// own measurement says it is there. A shard's demand per second (records sent for the first time)
// varies for separate reasons whose variances add up:
//   per-shard noise = (1/n)² × stream noise  +  the split of keys over shards
//   stream noise    = what the arrival process gives (Poisson: its mean; even: 0) + batching
// (noise is the second-to-second variance, which leaves out a rate profile's slow trend). Beside
// them: the mean itself over the limit, long-run key skew, the rate profile's bursts, retries,
// readers sharing the read limits, consumers that fall behind, and which limit binds.

import { READS } from "../data/consumer-limits.js";
import { KINESIS } from "../data/kinesis-limits.js";
import type { RunSummary } from "../metrics/summary.js";
import type { Scenario } from "../scenario/schema.js";
import { formatNumber } from "../scenario/units.js";
import { rateProfile, readersOf } from "./plan.js";

/** Kinds of cause. */
export const CAUSE_KINDS = [
  "mean",
  "bytes",
  "keySkew",
  "keySpread",
  "arrivals",
  "batching",
  "bursts",
  "retries",
  "readers",
  "consumers",
  "rejected",
] as const;
/** One of CAUSE_KINDS. */
export type CauseKind = (typeof CAUSE_KINDS)[number];

/** A cause, with the numbers it rests on. */
export interface Cause {
  kind: CauseKind;
  text: string;
}

/** A noise source matters when it carries at least this share of a shard's per-second variance. */
const NOISE_SHARE = 0.25;
/** Key skew: the hottest shard sent this much more than an even share. */
const SKEW = 1.05;
/** Bursts: the rate profile's busiest second this much above its mean. */
const BURST = 1.1;
/** Retries: attempts beyond the first per record. */
const RETRIES = 0.05;
/** A consumer this many seconds behind at the failing count is falling behind. */
const LAG_SECONDS = 10;

const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
const n0 = (x: number, digits = 0) => formatNumber(x, digits);
const pct = (x: number) => `${n0(100 * x, x < 0.01 ? 3 : 1)}%`;

/** The causes that `summaries` (the runs of one count, one per seed) measure. */
export function causesAt(scenario: Scenario, shards: number, summaries: readonly RunSummary[]): Cause[] {
  const causes: Cause[] = [];
  const avg = (f: (s: RunSummary) => number) => mean(summaries.map(f));
  const throttled = avg((s) => s.throttle.firstAttemptFraction);
  const bytesPerRecord = avg((s) => s.bytes.produced / Math.max(1, s.records.produced));
  const recordLimit = KINESIS.shardWriteRecordsPerSecond.value;
  const byteLimit = KINESIS.shardWriteBytesPerSecond.value;
  // A shard's limit in records of the mean size: whichever limit comes first.
  const limit = Math.min(recordLimit, byteLimit / Math.max(1, bytesPerRecord));
  const bytesBind = byteLimit / Math.max(1, bytesPerRecord) < recordLimit;
  const m = avg((s) => s.demand.shardMeanPerSecond);
  const shardNoise = avg((s) => s.demand.shardNoiseVariance);
  const streamNoise = avg((s) => s.demand.streamNoiseVariance);
  const busiest = Math.max(
    ...summaries.map((s) =>
      bytesBind ? s.demand.shardMaxBytesPerSecond / bytesPerRecord : s.demand.shardMaxPerSecond,
    ),
  );

  const rejected = avg((s) => s.ledger.rejected);
  if (rejected > 0)
    causes.push({
      kind: "rejected",
      text: `records over the maximum record size: about ${n0(rejected)} a run are rejected whatever the shard count (raise stream.maxRecordSize or send smaller records)`,
    });

  if (throttled > 0) {
    if (bytesBind)
      causes.push({
        kind: "bytes",
        text: `bytes bind, not records: records average ${n0(bytesPerRecord)} bytes with their keys, so a shard's 1 MiB/s holds ${n0(limit, 1)} of them a second (its 1,000 records/s never comes into play)`,
      });
    const hottest = Math.max(...summaries.map((s) => s.hottestShard.share));
    const hotMean = hottest * avg((s) => s.demand.streamMeanPerSecond);
    if (hotMean >= limit)
      causes.push({
        kind: "mean",
        text: `the mean alone is over the limit: at ${shards} shards the busiest shard is sent ${n0(hotMean, 1)} records/s on average, and takes ${n0(limit, 1)}`,
      });
    else {
      // Where the per-second noise comes from (variances add up; see the header).
      const p = 1 / shards;
      const writers = scenario.producers.filter((x) => x.target === scenario.stream.name);
      const poissonRate = writers
        .filter((w) => w.arrivals === "poisson")
        .reduce(
          (a, w) =>
            a + avg((s) => (s.producers.find((x) => x.name === w.name)?.produced ?? 0) / s.durationSeconds),
          0,
        );
      const arrivals = p * p * Math.min(streamNoise, poissonRate);
      const batching = p * p * Math.max(0, streamNoise - poissonRate);
      const split = Math.max(0, shardNoise - p * p * streamNoise);
      const total = Math.max(shardNoise, 1e-9);
      const sigma = (v: number) => n0(Math.sqrt(v), 1);
      const headroom = `a shard takes ${n0(limit, 1)} a second and is sent ${n0(m, 1)} on average; its busiest second had ${n0(busiest)}`;
      if (split / total >= NOISE_SHARE)
        causes.push({
          kind: "keySpread",
          text: `the per-second spread of keys over shards: how a second's records fall on the shards varies (a binomial split), by ±${sigma(split)} records a second around the mean — ${headroom}`,
        });
      if (arrivals / total >= NOISE_SHARE)
        causes.push({
          kind: "arrivals",
          text: `Poisson arrivals: the records created in a second vary by ±${n0(Math.sqrt(poissonRate), 1)} around ${n0(poissonRate)}, ±${sigma(arrivals)} on a shard — ${headroom}`,
        });
      if (batching / total >= NOISE_SHARE)
        causes.push({
          kind: "batching",
          text: `batching: records reach the stream in requests, so some seconds get more than were created in them (±${sigma(batching)} records a second on a shard) — ${headroom}`,
        });
    }
    if (hottest > SKEW / shards)
      causes.push({
        kind: "keySkew",
        text: `key skew: the hottest shard is sent ${pct(hottest)} of the records, not 1/${shards} = ${pct(1 / shards)}`,
      });
    const profile = rateProfile(scenario);
    if (profile.peakPerSecond > BURST * profile.meanPerSecond)
      causes.push({
        kind: "bursts",
        text: `bursts in the rate: the busiest second offers ${n0(profile.peakPerSecond)} records, ${n0(profile.peakPerSecond / profile.meanPerSecond, 2)}× the mean of ${n0(profile.meanPerSecond)}`,
      });
    const retried = avg((s) => s.demand.retriedAttemptsPerRecord);
    if (retried >= RETRIES)
      causes.push({
        kind: "retries",
        text: `retries: throttled records come back, ${n0(retried, 2)} extra attempts per record, into the seconds after a throttle`,
      });
  }

  const readThrottled = avg((s) => s.consumers.reduce((a, c) => a + c.readThrottledCalls, 0));
  if (readThrottled > 0) {
    const shared = readersOf(scenario).shared;
    causes.push({
      kind: "readers",
      text: `readers: ${shared} reader${shared === 1 ? "" : "s"} share each shard's ${READS.callsPerSecondPerShard.value} GetRecords calls/s and 2 MiB/s; ${n0(readThrottled)} calls a run were throttled`,
    });
  }
  for (const c of summaries[0]?.consumers ?? []) {
    const behind =
      avg((s) =>
        Math.max(
          ...s.consumers
            .filter((x) => x.name === c.name)
            .map((x) => Math.max(x.iteratorAgeMaxMs, x.millisBehindLatestMaxMs)),
        ),
      ) / 1000;
    if (behind < LAG_SECONDS) continue;
    const processed = avg(
      (s) => (s.consumers.find((x) => x.name === c.name)?.processed ?? 0) / s.durationSeconds / shards,
    );
    causes.push({
      kind: "consumers",
      text: `consumer ${c.name} (${c.kind}) processed ${n0(processed, 1)} records/s per shard while each shard was sent ${n0(m, 1)}: it fell up to ${n0(behind)} s behind; more shards give it more parallelism${c.kind === "lambda" ? " (so does a larger parallelizationFactor, up to 10, without more shards)" : ""}`,
    });
  }
  return causes;
}
