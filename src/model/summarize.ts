// The end of a run: close the books (the conservation ledger, which must balance), and compute
// the summary and the SLO verdicts from the components' totals.

import { US_PER_MS, US_PER_S } from "../engine/time.js";
import { LatencyHistogram } from "../metrics/latency-histogram.js";
import type {
  ConsumerSummary,
  LatencySummary,
  RunSummary,
  SloVerdict,
  WriteLedger,
} from "../metrics/summary.js";
import { WriteCounters } from "../metrics/write-counters.js";
import type { Scenario } from "../scenario/schema.js";
import { formatDuration, formatPercent } from "../scenario/units.js";
import type { BuiltRun } from "./build.js";
import { type Consumer, totalsNow } from "./consumers/consumer.js";
import type { Producer } from "./producer.js";
import { round } from "./run-recorder.js";

/** A broken conservation law: records appeared or vanished without being counted. */
export class ConservationError extends Error {
  constructor(
    message: string,
    readonly ledger: WriteLedger,
  ) {
    super(message);
    this.name = "ConservationError";
  }
}

function latencySummary(h: LatencyHistogram): LatencySummary {
  const ms = (us: number) => round(us / US_PER_MS);
  return {
    p50: ms(h.percentile(50)),
    p90: ms(h.percentile(90)),
    p99: ms(h.percentile(99)),
    max: ms(h.max),
    mean: ms(h.mean),
  };
}

function ratio(a: number, b: number): number {
  return b > 0 ? round(a / b, 6) : 0;
}

/** Checks produced = accepted + in flight + dropped for one producer; throws when it fails. */
export function checkLedger(producer: Producer, nowUs: number): WriteLedger {
  const t = producer.totals;
  const ledger: WriteLedger = {
    produced: t.produced,
    accepted: t.accepted,
    inFlight: producer.inFlightRecords(),
    dropped: t.dropped,
    balanced: false,
  };
  ledger.balanced = ledger.produced === ledger.accepted + ledger.inFlight + ledger.dropped;
  if (!ledger.balanced) {
    const missing = ledger.produced - ledger.accepted - ledger.inFlight - ledger.dropped;
    throw new ConservationError(
      `conservation broken at t=${formatDuration(nowUs)} in producer "${producer.name}": produced ${ledger.produced} ≠ accepted ${ledger.accepted} + in flight ${ledger.inFlight} + dropped ${ledger.dropped} (${missing > 0 ? `${missing} records unaccounted for` : `${-missing} records counted twice`})`,
      ledger,
    );
  }
  return ledger;
}

/** Closes the run and computes its summary. The ledger is checked before anything is reported. */
export function summarize(scenario: Scenario, run: BuiltRun): RunSummary {
  const now = run.sim.nowUs;
  const totals = new WriteCounters();
  const ledgers = run.producers.map((p) => checkLedger(p, now));
  for (const p of run.producers) p.totals.addTo(totals);
  const merged = run.producers.length === 1 ? run.producers[0]!.latency.total : mergeLatency(run.producers);
  const inFlight = ledgers.reduce((a, l) => a + l.inFlight, 0);

  for (const shard of run.stream.shards) shard.closeSecond();
  const hottest = run.stream.shards.reduce((best, s) =>
    s.totalRecords + s.totalThrottled > best.totalRecords + best.totalThrottled ? s : best,
  );
  const limits = run.stream;
  const totalOffered = run.stream.shards.reduce((a, s) => a + s.totalRecords + s.totalThrottled, 0);

  const summary: RunSummary = {
    scenario: scenario.name,
    seed: scenario.seed,
    resolution: run.resolutionLabel,
    durationSeconds: scenario.duration / US_PER_S,
    events: run.sim.eventsFired,
    metricsIntervalSeconds: scenario.metricsInterval / US_PER_S,
    stream: {
      name: run.stream.name,
      mode: scenario.stream.mode,
      openShards: run.stream.openCount,
      limiter:
        scenario.stream.limiter.policy === "window"
          ? "window"
          : `token-bucket (burst ${formatDuration(scenario.stream.limiter.burst)})`,
      recordsPerSecondLimit: run.stream.recordsPerSecondLimit,
      bytesPerSecondLimit: run.stream.bytesPerSecondLimit,
    },
    records: {
      produced: totals.produced,
      accepted: totals.accepted,
      dropped: totals.dropped,
      inFlightAtEnd: inFlight,
      retried: totals.retried,
      throttledAttempts: totals.throttled,
      firstAttempts: totals.firstAttempts,
      firstAttemptsThrottled: totals.firstAttemptsThrottled,
    },
    bytes: { produced: totals.producedBytes, accepted: totals.acceptedBytes, dropped: totals.droppedBytes },
    throttle: {
      firstAttemptFraction: ratio(totals.firstAttemptsThrottled, totals.firstAttempts),
      attemptFraction: ratio(totals.throttled, totals.accepted + totals.throttled),
      shardsThrottling: run.stream.shards.filter((s) => s.totalThrottled > 0).length,
    },
    loss: { droppedFraction: ratio(totals.dropped, totals.produced) },
    putLatencyMs: latencySummary(merged),
    hottestShard: {
      shardId: hottest.id,
      share: ratio(hottest.totalRecords + hottest.totalThrottled, totalOffered),
      peakRecordsPerSecond: hottest.peakRecordsPerSecond,
      peakRecordsUtilization: round((100 * hottest.peakRecordsPerSecond) / limits.recordsPerSecondLimit, 2),
      peakBytesPerSecond: hottest.peakBytesPerSecond,
      peakBytesUtilization: round((100 * hottest.peakBytesPerSecond) / limits.bytesPerSecondLimit, 2),
      peakSecond: hottest.peakSecond,
    },
    producers: run.producers.map((p, i) => ({
      name: p.name,
      produced: p.totals.produced,
      accepted: p.totals.accepted,
      dropped: p.totals.dropped,
      inFlightAtEnd: ledgers[i]!.inFlight,
      retried: p.totals.retried,
      firstAttemptThrottledFraction: ratio(p.totals.firstAttemptsThrottled, p.totals.firstAttempts),
      putLatencyMs: latencySummary(p.latency.total),
    })),
    consumers: run.consumers.map((c) => consumerSummary(c, now)),
    capacity: {
      mode: run.capacity.mode,
      openShardsAtEnd: run.stream.openCount,
      shardHours: round(run.capacity.shardHours(), 3),
      maxOpenShards: Math.max(run.capacity.maxOpen, run.stream.openCount),
      shardsCreated: run.stream.shards.length,
      actionsDone: run.capacity.actions.filter((a) => a.result === "done").length,
      actionsRefused: run.capacity.actions.filter((a) => a.result === "refused").length,
      actions: run.capacity.actions.slice(0, 100).map((a) => ({
        at: round(a.atUs / US_PER_S, 6),
        action: a.action,
        from: a.from,
        to: a.to,
        reason: a.reason,
        result: a.result,
        detail: a.message,
      })),
    },
    ledger: {
      produced: totals.produced,
      accepted: totals.accepted,
      inFlight,
      dropped: totals.dropped,
      balanced: ledgers.every((l) => l.balanced),
    },
    slo: [],
    sloMet: true,
  };
  summary.slo = evaluateSlo(scenario, summary);
  summary.sloMet = summary.slo.every((v) => v.met);
  return summary;
}

/** A consumer's summary; its ledger must balance. */
function consumerSummary(consumer: Consumer, nowUs: number): ConsumerSummary {
  const ledger = consumer.ledger();
  if (!ledger.balanced) {
    const missing =
      ledger.accepted -
      ledger.processed -
      ledger.unread -
      ledger.expired -
      ledger.discarded -
      ledger.toDestination -
      ledger.skipped;
    throw new ConservationError(
      `conservation broken at t=${formatDuration(nowUs)} in consumer "${consumer.name}": accepted ${ledger.accepted} ≠ processed ${ledger.processed} + unread ${ledger.unread} + expired ${ledger.expired} + discarded ${ledger.discarded} + to destination ${ledger.toDestination} + skipped ${ledger.skipped} (${missing > 0 ? `${missing} records unaccounted for` : `${-missing} records counted twice`})`,
      {
        produced: ledger.accepted,
        accepted: ledger.processed,
        inFlight: ledger.unread,
        dropped: ledger.expired + ledger.discarded,
        balanced: false,
      },
    );
  }
  const m = consumer.metrics;
  const t = totalsNow(m);
  const summary: ConsumerSummary = {
    name: consumer.name,
    kind: consumer.kind,
    delivered: t.delivered,
    processed: t.processed,
    duplicates: t.duplicates,
    expired: t.expired,
    discarded: t.discarded,
    toDestination: t.toDestination,
    unreadAtEnd: ledger.unread,
    getRecordsCalls: t.calls,
    readThrottledCalls: t.throttledCalls,
    iteratorAgeMaxMs: round(t.iteratorAgeMaxMs),
    millisBehindLatestMaxMs: round(t.millisBehindLatestMaxMs),
    readDelayMs: latencySummary(m.readDelay.total),
    endToEndLatencyMs: latencySummary(m.endToEnd.total),
    ledger: {
      accepted: ledger.accepted,
      processed: ledger.processed,
      unread: ledger.unread,
      expired: ledger.expired,
      discarded: ledger.discarded,
      toDestination: ledger.toDestination,
      skipped: ledger.skipped,
      balanced: ledger.balanced,
    },
  };
  if (consumer.kind === "lambda") {
    summary.lambda = {
      invocations: t.invocations,
      errors: t.errors,
      throttles: t.throttles,
      durationMs: latencySummary(m.duration.total),
      concurrencyMax: t.concurrencyMax,
    };
  }
  return summary;
}

function mergeLatency(producers: readonly Producer[]): LatencyHistogram {
  const merged = new LatencyHistogram();
  for (const p of producers) merged.add(p.latency.total);
  return merged;
}

/** Evaluates the scenario's SLOs against a summary. */
export function evaluateSlo(scenario: Scenario, summary: RunSummary): SloVerdict[] {
  const slo = scenario.slo;
  if (!slo) return [];
  const verdicts: SloVerdict[] = [];
  const check = (
    name: string,
    threshold: { op: "<" | "<="; value: number } | undefined,
    actual: number,
    unit: "fraction" | "ms",
  ) => {
    if (!threshold) return;
    const met = threshold.op === "<" ? actual < threshold.value : actual <= threshold.value;
    const shown =
      unit === "fraction" ? formatPercent(threshold.value) : formatDuration(Math.round(threshold.value));
    verdicts.push({ name, threshold: `${threshold.op} ${shown}`, actual, unit, met });
  };
  check(
    "writeThrottledFraction",
    slo.writeThrottledFraction,
    summary.throttle.firstAttemptFraction,
    "fraction",
  );
  check("recordsLostFraction", slo.recordsLostFraction, summary.loss.droppedFraction, "fraction");
  const msToUs = (ms: number) => ms * US_PER_MS;
  if (slo.putLatencyP50) check("putLatencyP50", slo.putLatencyP50, msToUs(summary.putLatencyMs.p50), "ms");
  if (slo.putLatencyP99) check("putLatencyP99", slo.putLatencyP99, msToUs(summary.putLatencyMs.p99), "ms");
  return verdicts.map((v) => (v.unit === "ms" ? { ...v, actual: v.actual / US_PER_MS } : v));
}
