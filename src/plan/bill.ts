// The bill of a run: what AWS would charge for the traffic a run carried, line by line, in a
// capacity mode, from a price table. Usage comes from the run's summary and the scenario; the
// per-record rounding AWS bills by (25 KB PUT payload units, 1 KB on-demand ingest, 5 KB Firehose
// ingest) comes from each writer's record-size distribution, so it is the same at every resolution.

import { HOURS_PER_MONTH, type Price, type PriceTable } from "../data/prices.js";
import { compileDistribution, type DistributionSpec } from "../engine/distributions.js";
import { US_PER_H } from "../engine/time.js";
import type { RunSummary } from "../metrics/summary.js";
import { usesEfo } from "../scenario/consumers.js";
import type { Scenario } from "../scenario/schema.js";

/** How a stream is billed. */
export type BillingMode = "provisioned" | "on-demand" | "on-demand-advantage";

export const BILLING_MODES: readonly BillingMode[] = ["provisioned", "on-demand", "on-demand-advantage"];

/** One line of a bill. */
export interface BillLine {
  /** The component billed: a stream, delivery stream, function or application. */
  component: string;
  item: string;
  quantity: number;
  unit: string;
  /** Dollars per unit. */
  rate: number;
  /** Dollars for the run. */
  cost: number;
  /** Dollars scaled to a month of the same traffic. */
  monthly: number;
}

/** A bill for a run. */
export interface Bill {
  mode: BillingMode;
  region: string;
  hours: number;
  lines: BillLine[];
  total: number;
  monthlyTotal: number;
}

const GB = 1024 ** 3;
const KB = 1024;
/** PUT payload unit: a 25 KB chunk of a record. */
const PUT_UNIT_BYTES = 25 * KB;
/** Firehose bills each record rounded up to 5 KB. */
const FIREHOSE_ROUNDING_BYTES = 5 * KB;

/** Points of the record-size distribution the rounding expectations average over. */
const ROUNDING_POINTS = 4096;

/**
 * Per record, on average: the bytes, the PUT payload units (25 KB chunks) and the bytes rounded up
 * to `KB` and to 5 KB — the expectation over the record-size distribution's quantiles (exact for
 * constant sizes; within 1/4096 of the distribution's mass otherwise).
 */
export function roundingOf(spec: DistributionSpec): {
  bytes: number;
  putUnits: number;
  bytes1k: number;
  bytes5k: number;
} {
  const sampler = compileDistribution(spec);
  let bytes = 0;
  let putUnits = 0;
  let bytes1k = 0;
  let bytes5k = 0;
  for (let i = 0; i < ROUNDING_POINTS; i++) {
    const size = Math.max(1, Math.round(sampler.quantile((i + 0.5) / ROUNDING_POINTS)));
    bytes += size;
    putUnits += Math.ceil(size / PUT_UNIT_BYTES);
    bytes1k += Math.ceil(size / KB) * KB;
    bytes5k += Math.ceil(size / FIREHOSE_ROUNDING_BYTES) * FIREHOSE_ROUNDING_BYTES;
  }
  return {
    bytes: bytes / ROUNDING_POINTS,
    putUnits: putUnits / ROUNDING_POINTS,
    bytes1k: bytes1k / ROUNDING_POINTS,
    bytes5k: bytes5k / ROUNDING_POINTS,
  };
}

/** What a run used, in the units AWS bills. */
export interface Usage {
  hours: number;
  streams: {
    name: string;
    /** Shard-hours (the primary stream's from its capacity history; extra streams are fixed). */
    shardHours: number;
    records: number;
    putUnits: number;
    /** Ingest with each record rounded up to 1 KB. */
    bytes1k: number;
    /** Bytes read by shared-throughput (polling) consumers. */
    pollingReadBytes: number;
    efoConsumers: number;
    efoReadBytes: number;
    /** Retention beyond 24 hours, hours (0 at the default). */
    extendedRetentionHours: number;
    /** Mean bytes a record carries (for stored volume). */
    ingestBytes: number;
  }[];
  firehose: { name: string; billedBytes: number; formatConversion: boolean }[];
  lambda: { name: string; invocations: number; gbSeconds: number }[];
  analytics: { name: string; kpuHours: number; storageGbHours: number }[];
}

/** Reads a run's usage from its scenario and summary. */
export function usageOf(scenario: Scenario, summary: RunSummary): Usage {
  const hours = scenario.duration / US_PER_H;
  const main = scenario.stream.name;
  const names = [...(summary.stream.declared ? [main] : []), ...scenario.streams.map((s) => s.name)];
  const streams = names.map((name) => {
    const isMain = name === main;
    // Writers: the scenario's producers, and applications that sink into this stream.
    let records = 0;
    let putUnits = 0;
    let bytes1k = 0;
    let ingestBytes = 0;
    let producerRecords = 0;
    // User records written: what readers count (a de-aggregating reader counts user records).
    let userRecords = 0;
    scenario.producers.forEach((p, i) => {
      if (p.target !== name) return;
      const produced = summary.producers[i];
      const accepted = produced?.accepted ?? 0;
      userRecords += accepted;
      const kpl = produced?.kpl;
      if (kpl) {
        // The KPL's aggregated records are what the stream bills: one PUT payload unit per 25 KB
        // of each Kinesis record, however many user records it carries.
        producerRecords += kpl.kinesisRecordsPut;
        records += kpl.kinesisRecordsPut;
        putUnits += kpl.putPayloadUnits;
        bytes1k += kpl.billedBytes1k;
        ingestBytes += kpl.kinesisBytesPut;
        return;
      }
      const r = roundingOf(p.recordSize);
      producerRecords += accepted;
      records += accepted;
      putUnits += accepted * r.putUnits;
      bytes1k += accepted * r.bytes1k;
      ingestBytes += accepted * r.bytes;
    });
    const extra = summary.streams.find((s) => s.name === name);
    const appRecords = Math.max(0, (extra?.incomingRecords ?? 0) - producerRecords);
    const app = scenario.analytics.find((a) => a.sink.stream === name);
    if (app && appRecords > 0) {
      const r = roundingOf(app.output.recordSize);
      records += appRecords;
      userRecords += appRecords;
      putUnits += appRecords * r.putUnits;
      bytes1k += appRecords * r.bytes1k;
      ingestBytes += appRecords * r.bytes;
    }
    // Bytes read per record a reader counts (its user records: aggregation overhead included).
    const meanBytes = userRecords > 0 ? ingestBytes / userRecords : 0;
    // Readers of this stream: consumers (EFO or polling), delivery streams and applications poll.
    let pollingReadBytes = 0;
    let efoReadBytes = 0;
    let efoConsumers = 0;
    scenario.consumers.forEach((c) => {
      if ((c.stream ?? main) !== name) return;
      const delivered = summary.consumers.find((x) => x.name === c.name)?.delivered ?? 0;
      if (usesEfo(c)) {
        efoConsumers++;
        efoReadBytes += delivered * meanBytes;
      } else pollingReadBytes += delivered * meanBytes;
    });
    const readers = [
      ...scenario.firehose.filter((f) => f.source.kind === "stream" && (f.source.stream ?? main) === name),
      ...scenario.analytics.filter((a) => (a.source.stream ?? main) === name),
    ];
    for (const reader of readers) {
      const delivered = summary.consumers.find((x) => x.name === reader.name)?.delivered ?? 0;
      pollingReadBytes += delivered * meanBytes;
    }
    const shardHours = isMain ? summary.capacity.shardHours : (extra?.openShards ?? 0) * hours;
    const retention = isMain ? scenario.stream.retention : 24 * US_PER_H;
    return {
      name,
      shardHours,
      records,
      putUnits,
      bytes1k,
      pollingReadBytes,
      efoConsumers,
      efoReadBytes,
      extendedRetentionHours: Math.max(0, retention / US_PER_H - 24),
      ingestBytes,
    };
  });
  const firehose = summary.firehose.map((f) => ({
    name: f.name,
    billedBytes: f.billedBytes,
    formatConversion: scenario.firehose.find((x) => x.name === f.name)?.formatConversion !== undefined,
  }));
  const lambda = scenario.consumers.flatMap((c) => {
    if (c.type !== "lambda") return [];
    const s = summary.consumers.find((x) => x.name === c.name)?.lambda;
    if (!s) return [];
    return [
      {
        name: c.name,
        invocations: s.invocations,
        gbSeconds: (s.invocations * s.durationMs.mean * c.memorySize) / 1024 / 1000,
      },
    ];
  });
  const analytics = scenario.analytics.map((a) => {
    const running = Math.max(0, scenario.duration - a.start) / US_PER_H;
    const kpus = a.kpus + (a.runtime === "flink" ? 1 : 0);
    return { name: a.name, kpuHours: kpus * running, storageGbHours: a.kpus * running };
  });
  return { hours, streams, firehose, lambda, analytics };
}

/** Ingest a month in TB and the tiered cost of it, dollars. */
function tiered(monthlyGb: number, tiers: PriceTable["firehose"]["ingestTiers"]): number {
  let left = monthlyGb;
  let below = 0;
  let cost = 0;
  for (const tier of tiers) {
    const capGb = (tier.upToTb - below) * 1024;
    const take = Math.min(left, capGb);
    cost += take * tier.perGb.value;
    left -= take;
    below = tier.upToTb;
    if (left <= 0) break;
  }
  return cost;
}

/** The bill of a run's usage in a billing mode. */
export function billOf(usage: Usage, mode: BillingMode, prices: PriceTable): Bill {
  const lines: BillLine[] = [];
  const scale = usage.hours > 0 ? HOURS_PER_MONTH / usage.hours : 0;
  const line = (component: string, item: string, quantity: number, unit: string, price: Price | number) => {
    const rate = typeof price === "number" ? price : price.value;
    const cost = quantity * rate;
    if (quantity > 0) lines.push({ component, item, quantity, unit, rate, cost, monthly: cost * scale });
  };
  const P = prices.provisioned;
  const OD = prices.onDemand;
  const ADV = prices.onDemandAdvantage;
  for (const s of usage.streams) {
    const c = `stream ${s.name}`;
    // Stored volume beyond 24 hours, GB-months, in the steady state of this ingest rate.
    const ingestGbPerHour = s.ingestBytes / GB / Math.max(usage.hours, 1e-9);
    const storedGbMonths = (ingestGbPerHour * s.extendedRetentionHours * usage.hours) / HOURS_PER_MONTH;
    if (mode === "provisioned") {
      line(c, "shard-hours", s.shardHours, "shard-hour", P.shardHour);
      line(c, "PUT payload units", s.putUnits / 1e6, "million units", P.putPayloadUnitPerMillion);
      if (s.extendedRetentionHours > 0)
        line(c, "extended retention", s.shardHours, "shard-hour", P.extendedRetentionShardHour);
      line(
        c,
        "enhanced fan-out consumer-shard-hours",
        s.efoConsumers * s.shardHours,
        "consumer-shard-hour",
        P.efoConsumerShardHour,
      );
      line(c, "enhanced fan-out data", s.efoReadBytes / GB, "GB", P.efoRetrievalGb);
    } else if (mode === "on-demand") {
      line(c, "stream-hours", usage.hours, "stream-hour", OD.streamHour);
      line(c, "data in (1 KB rounding)", s.bytes1k / GB, "GB", OD.ingestGb);
      line(c, "data out (shared throughput)", s.pollingReadBytes / GB, "GB", OD.retrievalGb);
      line(c, "enhanced fan-out data", s.efoReadBytes / GB, "GB", OD.efoRetrievalGb);
      line(c, "extended retention", storedGbMonths, "GB-month", OD.extendedRetentionGbMonth);
    } else {
      // Advantage: the account's commitment is billed at least (as if this stream were the account's).
      const seconds = usage.hours * 3600;
      const minIn = (ADV.minimumIngestBytesPerSecond.value * seconds) / GB;
      const minOut = (ADV.minimumRetrievalBytesPerSecond.value * seconds) / GB;
      const inGb = s.bytes1k / GB;
      const outGb = (s.pollingReadBytes + s.efoReadBytes) / GB;
      line(c, "data in (1 KB rounding)", inGb, "GB", ADV.ingestGb);
      line(c, "data in below the commitment", Math.max(0, minIn - inGb), "GB", ADV.ingestGb);
      line(c, "data out (shared throughput)", s.pollingReadBytes / GB, "GB", ADV.retrievalGb);
      line(c, "enhanced fan-out data", s.efoReadBytes / GB, "GB", ADV.efoRetrievalGb);
      line(c, "data out below the commitment", Math.max(0, minOut - outGb), "GB", ADV.retrievalGb);
      line(c, "extended retention", storedGbMonths, "GB-month", ADV.extendedRetentionGbMonth);
    }
  }
  for (const f of usage.firehose) {
    const gb = f.billedBytes / GB;
    const monthlyGb = gb * scale;
    const monthly = tiered(monthlyGb, prices.firehose.ingestTiers);
    const rate = monthlyGb > 0 ? monthly / monthlyGb : prices.firehose.ingestTiers[0]!.perGb.value;
    line(`delivery stream ${f.name}`, "ingest (5 KB rounding)", gb, "GB", rate);
    if (f.formatConversion)
      line(`delivery stream ${f.name}`, "format conversion", gb, "GB", prices.firehose.formatConversionGb);
  }
  for (const l of usage.lambda) {
    line(
      `function ${l.name}`,
      "requests",
      l.invocations / 1e6,
      "million requests",
      prices.lambda.requestsPerMillion,
    );
    line(`function ${l.name}`, "duration", l.gbSeconds, "GB-second", prices.lambda.gbSecondX86);
  }
  for (const a of usage.analytics) {
    line(`application ${a.name}`, "KPU-hours", a.kpuHours, "KPU-hour", prices.analytics.kpuHour);
    const storageGbMonths = (a.storageGbHours * prices.analytics.storageGbPerKpu.value) / HOURS_PER_MONTH;
    line(
      `application ${a.name}`,
      "running storage",
      storageGbMonths,
      "GB-month",
      prices.analytics.runningStorageGbMonth,
    );
  }
  if (prices.kms) {
    line("KMS", "customer managed key", usage.hours / HOURS_PER_MONTH, "key-month", prices.kms.keyMonth);
  }
  const total = lines.reduce((a, l) => a + l.cost, 0);
  return { mode, region: prices.region, hours: usage.hours, lines, total, monthlyTotal: total * scale };
}

/**
 * The break-even utilisation for this record-size mix: the share of a provisioned shard's write
 * capacity (the smaller of its record and byte limits) at which a month of provisioned shards and a
 * month of on-demand cost the same, per shard of traffic. Below it on-demand is cheaper.
 * `readers` is the number of shared-throughput reads of each record on demand (billed per GB).
 */
export function breakEven(
  rounding: ReturnType<typeof roundingOf>,
  prices: PriceTable,
  readers: number,
  limits: { recordsPerSecond: number; bytesPerSecond: number },
): { utilization: number; recordsPerSecondPerShard: number } {
  const capacity = Math.min(limits.recordsPerSecond, limits.bytesPerSecond / Math.max(rounding.bytes, 1));
  const perRecordProvisioned = (rounding.putUnits * prices.provisioned.putPayloadUnitPerMillion.value) / 1e6;
  const perRecordOnDemand =
    (rounding.bytes1k / GB) * prices.onDemand.ingestGb.value +
    ((readers * rounding.bytes) / GB) * prices.onDemand.retrievalGb.value;
  // Per shard-hour at utilisation u: provisioned = shardHour + u·C·3600·perRecordProvisioned;
  // on demand = u·C·3600·perRecordOnDemand (the stream-hour is per stream, not per shard).
  const slope = capacity * 3600 * (perRecordOnDemand - perRecordProvisioned);
  const utilization = slope > 0 ? prices.provisioned.shardHour.value / slope : Number.POSITIVE_INFINITY;
  return { utilization, recordsPerSecondPerShard: capacity };
}
