// The end of a run: close the books (the conservation ledger, which must balance), and compute
// the summary and the SLO verdicts from the components' totals.

import { SQS_FIFO } from "../data/sqs-limits.js";
import { US_PER_MS, US_PER_S } from "../engine/time.js";
import { LatencyHistogram } from "../metrics/latency-histogram.js";
import type {
  AnalyticsSummary,
  ConsumerSummary,
  DemandSummary,
  FirehoseSummary,
  LatencyStage,
  LatencySummary,
  QueueSummary,
  RunSummary,
  SloVerdict,
  WriteLedger,
} from "../metrics/summary.js";
import { WriteCounters } from "../metrics/write-counters.js";
import type { Scenario } from "../scenario/schema.js";
import { type SloName, unmeasurableSlos } from "../scenario/slo-scope.js";
import { formatDuration, formatPercent } from "../scenario/units.js";
import { type AnalyticsApp, AnalyticsCounters } from "./analytics.js";
import type { BuiltRun } from "./build.js";
import { type Consumer, totalsNow } from "./consumers/consumer.js";
import { type DeliveryStream, FirehoseCounters } from "./firehose/delivery-stream.js";
import type { ProducerFleet } from "./producer-fleet.js";
import { round } from "./run-recorder.js";
import { DEFAULT_SLO_WINDOW_US, WINDOWED_SLOS } from "./slo-windows.js";
import { type FifoQueue, QueueCounters } from "./sqs/fifo-queue.js";

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
export function checkLedger(producer: ProducerFleet, nowUs: number): WriteLedger {
  const t = producer.totalsNow();
  const ledger: WriteLedger = {
    produced: t.produced,
    accepted: t.accepted,
    inFlight: producer.inFlightRecords(),
    dropped: t.dropped,
    rejected: t.rejected,
    balanced: false,
  };
  const missing = ledger.produced - ledger.accepted - ledger.inFlight - ledger.dropped - ledger.rejected;
  ledger.balanced = missing === 0;
  if (!ledger.balanced) {
    throw new ConservationError(
      `conservation broken at t=${formatDuration(nowUs)} in producer "${producer.name}": produced ${ledger.produced} ≠ accepted ${ledger.accepted} + in flight ${ledger.inFlight} + dropped ${ledger.dropped} + rejected ${ledger.rejected} (${missing > 0 ? `${missing} records unaccounted for` : `${-missing} records counted twice`})`,
      ledger,
    );
  }
  return ledger;
}

/** The stream's per-second demand: mean and noise for the stream and per shard. */
function demandSummary(run: BuiltRun): DemandSummary {
  const stream = run.stream.firstAttemptSeconds;
  let seconds = 0;
  let sum = 0;
  let diffs = 0;
  let pairs = 0;
  let max = 0;
  let maxBytes = 0;
  let attempts = 0;
  let first = 0;
  for (const shard of run.stream.shards) {
    const x = shard.firstAttemptSeconds;
    seconds += x.seconds;
    sum += x.sum;
    diffs += x.sumDiffSquares;
    pairs += Math.max(0, x.seconds - 1);
    max = Math.max(max, x.max);
    maxBytes = Math.max(maxBytes, shard.firstAttemptByteSeconds.max);
    attempts += shard.totalRecords + shard.totalThrottled;
    first += shard.totalFirstAttempts;
  }
  return {
    seconds: stream.seconds,
    streamMeanPerSecond: round(stream.mean, 6),
    streamNoiseVariance: round(stream.noiseVariance, 6),
    shardMeanPerSecond: round(seconds > 0 ? sum / seconds : 0, 6),
    shardNoiseVariance: round(pairs > 0 ? diffs / (2 * pairs) : 0, 6),
    shardMaxPerSecond: max,
    shardMaxBytesPerSecond: maxBytes,
    retriedAttemptsPerRecord: ratio(attempts - first, first),
  };
}

/** Closes the run and computes its summary. The ledger is checked before anything is reported. */
export function summarize(scenario: Scenario, run: BuiltRun): RunSummary {
  const now = run.sim.nowUs;
  const ledgers = run.producers.map((p) => checkLedger(p, now));
  const all = new WriteCounters();
  const producerTotals = run.producers.map((p) => p.totalsNow());
  for (const t of producerTotals) t.addTo(all);
  const inFlight = ledgers.reduce((a, l) => a + l.inFlight, 0);
  // The stream's write path: the producers that write to the scenario's stream.
  const writers = run.producers.filter((p) => p.spec.target === run.stream.name);
  const totals = new WriteCounters();
  for (const p of writers) producerTotals[run.producers.indexOf(p)]!.addTo(totals);
  const writerInFlight = run.producers.reduce(
    (a, p, i) => a + (p.spec.target === run.stream.name ? ledgers[i]!.inFlight : 0),
    0,
  );
  const merged = writers.length === 1 ? writers[0]!.latency.total : mergeLatency(writers);
  const firehose = run.deliveryStreams.map((d, i) => firehoseSummary(d, scenario.firehose[i]!, now, run));

  for (const shard of run.stream.shards) shard.finishSeconds();
  run.stream.firstAttemptSeconds.finish();
  // Hot means sent the most records: first attempts, so that a shard's own retries do not count.
  const hottest = run.stream.shards.reduce((best, s) =>
    s.totalFirstAttempts > best.totalFirstAttempts ? s : best,
  );
  const limits = run.stream;
  const firstAttempts = run.stream.shards.reduce((a, s) => a + s.totalFirstAttempts, 0);
  const firstAttemptBytes = run.stream.shards.reduce((a, s) => a + s.totalFirstAttemptBytes, 0);

  const summary: RunSummary = {
    scenario: scenario.name,
    seed: scenario.seed,
    resolution: run.resolutionLabel,
    durationSeconds: scenario.duration / US_PER_S,
    events: run.sim.eventsFired,
    metricsIntervalSeconds: scenario.metricsInterval / US_PER_S,
    stream: {
      name: run.stream.name,
      declared: scenario.streamDeclared,
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
      rejected: totals.rejected,
      inFlightAtEnd: writerInFlight,
      retried: totals.retried,
      throttledAttempts: totals.throttled,
      firstAttempts: totals.firstAttempts,
      firstAttemptsThrottled: totals.firstAttemptsThrottled,
      incomingRecords: totals.incomingRecords,
    },
    bytes: {
      produced: totals.producedBytes,
      accepted: totals.acceptedBytes,
      dropped: totals.droppedBytes,
      incoming: totals.incomingBytes,
    },
    throttle: {
      firstAttemptFraction: ratio(totals.firstAttemptsThrottled, totals.firstAttempts),
      attemptFraction: ratio(totals.throttled, totals.incomingRecords + totals.throttled),
      shardsThrottling: run.stream.shards.filter((s) => s.totalThrottled > 0).length,
    },
    loss: {
      droppedFraction: ratio(totals.dropped, totals.produced),
      rejectedFraction: ratio(totals.rejected, totals.produced),
      lostFraction: ratio(totals.dropped + totals.rejected, totals.produced),
    },
    putLatencyMs: latencySummary(merged),
    hottestShard: {
      shardId: hottest.id,
      share: ratio(hottest.totalFirstAttempts, firstAttempts),
      bytesShare: ratio(hottest.totalFirstAttemptBytes, firstAttemptBytes),
      retriedAttempts: hottest.totalRecords + hottest.totalThrottled - hottest.totalFirstAttempts,
      peakRecordsPerSecond: hottest.peakRecordsPerSecond,
      peakRecordsUtilization: round((100 * hottest.peakRecordsPerSecond) / limits.recordsPerSecondLimit, 2),
      peakBytesPerSecond: hottest.peakBytesPerSecond,
      peakBytesUtilization: round((100 * hottest.peakBytesPerSecond) / limits.bytesPerSecondLimit, 2),
      peakSecond: hottest.peakSecond,
    },
    demand: demandSummary(run),
    producers: run.producers.map((p, i) => ({
      name: p.name,
      target: p.spec.target,
      produced: producerTotals[i]!.produced,
      accepted: producerTotals[i]!.accepted,
      dropped: producerTotals[i]!.dropped,
      rejected: producerTotals[i]!.rejected,
      inFlightAtEnd: ledgers[i]!.inFlight,
      retried: producerTotals[i]!.retried,
      firstAttemptThrottledFraction: ratio(
        producerTotals[i]!.firstAttemptsThrottled,
        producerTotals[i]!.firstAttempts,
      ),
      putLatencyMs: latencySummary(p.latency.total),
      client: p.spec.client,
      ...(p.clientSummary ? { kpl: p.clientSummary() } : {}),
    })),
    consumers: run.consumers.map((c) => consumerSummary(c, now)),
    streams: run.streams.slice(1).map((x) => ({
      name: x.name,
      openShards: x.openCount,
      incomingRecords: x.shards.reduce((a, sh) => a + sh.totalRecords, 0),
      throttledRecords: x.shards.reduce((a, sh) => a + sh.totalThrottled, 0),
    })),
    firehose,
    analytics: run.apps.map((a) => analyticsSummary(a)),
    queues: run.queues.map((q) => queueSummary(q, now)),
    capacity: {
      mode: run.capacity.mode,
      openShardsAtEnd: run.stream.openCount,
      shardHours: round(run.capacity.shardHours(), 6),
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
      produced: all.produced,
      accepted: all.accepted,
      inFlight,
      dropped: all.dropped,
      rejected: all.rejected,
      balanced: ledgers.every((l) => l.balanced),
    },
    sloWindows: (run.recorder.sloWindows?.results() ?? []).map((w) => ({
      overSeconds: w.lengthUs / US_PER_S,
      windows: w.windows,
      worst: Object.fromEntries(
        Object.entries(w.worst).map(([name, x]) => [
          name,
          {
            value: round(name.includes("Latency") ? x.value / US_PER_MS : x.value, 6),
            atSeconds: round(x.atUs / US_PER_S, 6),
          },
        ]),
      ),
    })),
    slo: [],
    sloMet: true,
  };
  summary.slo = evaluateSlo(scenario, summary);
  summary.sloMet = summary.slo.every((v) => v.verdict !== "notMet");
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
        rejected: 0,
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
    deliveredKinesisRecords: t.deliveredKinesis,
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
    order: {
      checked: m.order.checked,
      outOfOrder: m.order.outOfOrder,
      keysAffected: m.order.keysAffected,
      maxDisplacementMs: round(m.order.maxDisplacementUs / US_PER_MS),
    },
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

/** A queue's summary; its ledger must balance. */
function queueSummary(q: FifoQueue, nowUs: number): QueueSummary {
  const t = new QueueCounters();
  q.totals.addTo(t);
  q.interval.addTo(t);
  const ledger = {
    sent: t.sent,
    processed: t.processed,
    queued: q.queued,
    inFlight: q.inFlight,
    balanced: t.sent === t.processed + q.queued + q.inFlight,
  };
  if (!ledger.balanced)
    throw new ConservationError(
      `conservation broken at t=${formatDuration(nowUs)} in queue "${q.name}": sent ${t.sent} ≠ processed ${t.processed} + queued ${q.queued} + in flight ${q.inFlight}`,
      {
        produced: t.sent,
        accepted: t.processed,
        inFlight: q.queued + q.inFlight,
        dropped: 0,
        rejected: 0,
        balanced: false,
      },
    );
  return {
    name: q.name,
    highThroughput: q.spec.highThroughput,
    transactionsPerSecond: q.spec.transactionsPerSecond,
    messagesPerSecondCeiling: q.spec.transactionsPerSecond * SQS_FIFO.batchMaxMessages.value,
    workers: q.spec.consumers.workers,
    groups: q.groupCount,
    sent: t.sent,
    sendThrottled: t.sendThrottled,
    processed: t.processed,
    redelivered: t.redelivered,
    duplicates: t.duplicates,
    maxInFlightGroups: t.inFlightGroupsMax,
    maxBusyWorkers: t.busyWorkersMax,
    throttledCalls: t.callsThrottled,
    latencyMs: latencySummary(q.latency.total),
    order: {
      checked: q.order.checked,
      outOfOrder: q.order.outOfOrder,
      keysAffected: q.order.keysAffected,
      maxDisplacementMs: round(q.order.maxDisplacementUs / US_PER_MS),
    },
    ledger,
  };
}

/** A delivery stream's summary; its ledger must balance. */
function firehoseSummary(
  d: DeliveryStream,
  spec: Scenario["firehose"][number],
  nowUs: number,
  run: BuiltRun,
): FirehoseSummary {
  const ledger = d.ledger();
  if (!ledger.balanced) {
    const accounted =
      ledger.delivered + ledger.buffered + ledger.inDelivery + ledger.failed + ledger.backedUp + ledger.lost;
    throw new ConservationError(
      `conservation broken at t=${formatDuration(nowUs)} in delivery stream "${d.name}": ingested ${ledger.ingested} ≠ delivered ${ledger.delivered} + buffered ${ledger.buffered} + in delivery ${ledger.inDelivery} + failed ${ledger.failed} + backed up ${ledger.backedUp} + lost ${ledger.lost} (${ledger.ingested - accounted} records unaccounted for)`,
      {
        produced: ledger.ingested,
        accepted: ledger.delivered,
        inFlight: ledger.buffered + ledger.inDelivery,
        dropped: ledger.lost,
        rejected: 0,
        balanced: false,
      },
    );
  }
  const t = new FirehoseCounters();
  d.totals.addTo(t);
  d.interval.addTo(t);
  return {
    name: d.name,
    source: spec.source.kind === "stream" ? spec.source.stream : "direct-put",
    destination: spec.destination.type,
    metricPrefix: d.metricPrefix,
    bufferSizeBytes: spec.buffering.size,
    bufferIntervalSeconds: spec.buffering.interval / US_PER_S,
    incomingRecords: t.incomingRecords,
    incomingBytes: t.incomingBytes,
    throttledRecords: t.throttledRecords,
    throttledRequests: t.throttledRequests,
    billedBytes: t.billedBytes,
    objects: t.objects,
    objectBytesMean: t.objects > 0 ? Math.round(t.objectBytes / t.objects) : 0,
    deliveredRecords: t.deliveredRecords,
    deliveredBytes: t.deliveredBytes,
    deliveryAttempts: t.deliveryAttempts,
    deliveryFailures: t.deliveryFailures,
    maxActivePartitions: t.maxActivePartitions,
    partitionExceededRecords: t.partitionExceededRecords,
    transformInvocations: t.transformInvocations,
    transformErrors: t.transformErrors,
    processingFailedRecords: t.processingFailedRecords,
    backupRecords: t.backupRecords,
    backupAllRecords: t.backupAllRecords,
    lostRecords: t.lostRecords,
    maxDataFreshnessSeconds: round(Math.max(d.maxFreshnessUs, d.freshnessUs(nowUs)) / US_PER_S),
    deliveryLatencyMs: latencySummary(d.deliveryLatency.total),
    endToEndLatencyMs: latencySummary(d.endToEnd.total),
    ...pathTo(d, spec, run),
    ledger,
  };
}

/** The stages from the first producer to a delivery stream's destination. */
function pathTo(
  d: DeliveryStream,
  spec: Scenario["firehose"][number],
  run: BuiltRun,
): { stages: LatencyStage[]; pathMeanMs: number } {
  const stage = (name: string, h: LatencyHistogram): LatencyStage => ({
    stage: name,
    meanMs: round(h.mean / US_PER_MS),
    p99Ms: round(h.percentile(99) / US_PER_MS),
  });
  /** Stages that bring records into `target` (a stream or a direct-PUT delivery stream). */
  const into = (target: string, seen: Set<string>): LatencyStage[] => {
    if (seen.has(target)) return [];
    seen.add(target);
    const writers = run.producers.filter((p) => p.spec.target === target);
    const app = run.apps.find((a) => writers.some((w) => w.name === `${a.name}.sink`));
    if (app) {
      const sink = writers.find((w) => w.name === `${app.name}.sink`)!;
      const source = app.spec.source.stream ?? run.stream.name;
      return [
        ...into(source, seen),
        stage(`read: ${source} → ${app.name}`, app.metrics.readDelay.total),
        stage(
          `${app.spec.window.type === "none" ? "process" : "process and window"}: ${app.name}`,
          app.appLatency.total,
        ),
        stage(`put: ${app.name} → ${target}`, sink.latency.total),
      ];
    }
    if (writers.length === 0) return [];
    const names = writers.map((w) => w.name).join(", ");
    return [
      stage(
        `put: ${names} → ${target}`,
        writers.length === 1 ? writers[0]!.latency.total : mergeLatency(writers),
      ),
    ];
  };
  const stages: LatencyStage[] = [];
  if (spec.source.kind === "stream") {
    const reader = run.consumers.find((c) => c.kind === "firehose" && c.name === d.name)!;
    stages.push(...into(spec.source.stream, new Set()));
    stages.push(stage(`read: ${spec.source.stream} → ${d.name}`, reader.metrics.readDelay.total));
  } else {
    stages.push(...into(d.name, new Set()));
  }
  stages.push(stage(`buffer and deliver: ${d.name} → ${spec.destination.type}`, d.deliveryLatency.total));
  return { stages, pathMeanMs: round(stages.reduce((a, x) => a + x.meanMs, 0)) };
}

/** An analytics application's summary. */
function analyticsSummary(a: AnalyticsApp): AnalyticsSummary {
  const t = new AnalyticsCounters();
  a.totals.addTo(t);
  a.interval.addTo(t);
  const c = totalsNow(a.metrics);
  const elapsed = Math.max(1, a.runningUs());
  return {
    name: a.name,
    runtime: a.spec.runtime,
    source: a.spec.source.stream ?? "",
    sink: a.spec.sink.stream ?? a.spec.sink.firehose ?? "",
    parallelism: a.spec.parallelism,
    kpus: a.spec.kpus,
    recordsIn: t.recordsIn,
    recordsOut: t.recordsOut,
    windowsEmitted: t.windowsEmitted,
    utilization: round(t.busyUs / (elapsed * a.spec.parallelism), 4),
    maxLagMs: round(c.iteratorAgeMaxMs),
    restarts: t.restarts,
    duplicates: c.duplicates,
    emitLatencyMs: latencySummary(a.emitLatency.total),
    windowWaitMs: latencySummary(a.windowWait.total),
  };
}

function mergeLatency(producers: readonly ProducerFleet[]): LatencyHistogram {
  const merged = new LatencyHistogram();
  for (const p of producers) merged.add(p.latency.total);
  return merged;
}

/**
 * Evaluates the scenario's SLOs against a summary. An SLO whose metric the scenario gives nothing
 * to measure (no consumers, no delivery streams, no producer writing to the stream) is
 * "notMeasured" with its reason, never "met" at a value of 0.
 */
export function evaluateSlo(scenario: Scenario, summary: RunSummary): SloVerdict[] {
  const slo = scenario.slo;
  if (!slo) return [];
  const unmeasurable = unmeasurableSlos(scenario);
  const verdicts: SloVerdict[] = [];
  const check = (
    name: SloName,
    threshold: { op: "<" | "<="; value: number; over?: "run" | number } | undefined,
    actual: () => number,
    unit: "fraction" | "ms",
  ) => {
    if (!threshold) return;
    const shown =
      unit === "fraction" ? formatPercent(threshold.value) : formatDuration(Math.round(threshold.value));
    const windowed = (WINDOWED_SLOS as readonly string[]).includes(name);
    const lengthUs =
      windowed && threshold.over !== "run"
        ? Math.min(threshold.over ?? DEFAULT_SLO_WINDOW_US, scenario.duration)
        : undefined;
    const over = lengthUs === undefined ? "run" : formatDuration(lengthUs);
    const shownThreshold = `${threshold.op} ${shown}${threshold.over !== undefined ? ` over ${over}` : ""}`;
    const reason = unmeasurable[name];
    if (reason !== undefined) {
      verdicts.push({
        name,
        threshold: shownThreshold,
        actual: null,
        unit,
        verdict: "notMeasured",
        reason,
        over,
      });
      return;
    }
    // Latency thresholds are in µs; verdicts report milliseconds.
    const whole = unit === "ms" ? actual() / US_PER_MS : actual();
    let value = whole;
    let worstAtSeconds: number | undefined;
    if (lengthUs !== undefined) {
      const worst = summary.sloWindows.find((w) => w.overSeconds * US_PER_S === lengthUs)?.worst[name];
      value = worst?.value ?? 0;
      worstAtSeconds = worst?.atSeconds;
    }
    const limit = unit === "ms" ? threshold.value / US_PER_MS : threshold.value;
    const met = threshold.op === "<" ? value < limit : value <= limit;
    verdicts.push({
      name,
      threshold: shownThreshold,
      actual: value,
      unit,
      verdict: met ? "met" : "notMet",
      over,
      wholeRun: whole,
      ...(worstAtSeconds !== undefined ? { worstAtSeconds } : {}),
    });
  };
  check(
    "writeThrottledFraction",
    slo.writeThrottledFraction,
    () => summary.throttle.firstAttemptFraction,
    "fraction",
  );
  check("recordsLostFraction", slo.recordsLostFraction, () => summary.loss.lostFraction, "fraction");
  const msToUs = (ms: number) => ms * US_PER_MS;
  check("putLatencyP50", slo.putLatencyP50, () => msToUs(summary.putLatencyMs.p50), "ms");
  check("putLatencyP99", slo.putLatencyP99, () => msToUs(summary.putLatencyMs.p99), "ms");
  const worst = (values: number[]) => Math.max(0, ...values);
  check(
    "endToEndLatencyP99",
    slo.endToEndLatencyP99,
    () => msToUs(worst(summary.consumers.map((c) => c.endToEndLatencyMs.p99))),
    "ms",
  );
  check(
    "iteratorAgeMax",
    slo.iteratorAgeMax,
    () =>
      msToUs(worst(summary.consumers.map((c) => Math.max(c.iteratorAgeMaxMs, c.millisBehindLatestMaxMs)))),
    "ms",
  );
  check(
    "dataFreshnessMax",
    slo.dataFreshnessMax,
    () => msToUs(worst(summary.firehose.map((f) => f.maxDataFreshnessSeconds * 1000))),
    "ms",
  );
  return verdicts;
}
