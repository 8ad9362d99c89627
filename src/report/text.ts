// The short human summary a run prints on stdout. Plain data in, text out.

import { capacityChanged, type KplSummary, type RunSummary, type SloVerdict } from "../metrics/summary.js";
import { formatNumber } from "../scenario/units.js";

const n = formatNumber;
const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;

/** Milliseconds as people read them: whole from 100 ms on, with separators ("1,145 ms"), else three digits ("4.27 ms"). */
export const ms = (x: number) => `${x >= 100 ? n(Math.round(x)) : Number(x.toPrecision(3))} ms`;

/** Seconds with separators and `digits` decimals: "241.3 s", "12,345.6 s". */
export const seconds = (x: number, digits = 1) => `${formatNumber(x, digits, digits)} s`;

/** Seconds into the run as a clock: "5m00s", "1h02m03s", "45s". */
export function clock(seconds: number): string {
  const t = Math.round(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const two = (x: number) => String(x).padStart(2, "0");
  return h > 0 ? `${h}h${two(m)}m${two(s)}s` : m > 0 ? `${m}m${two(s)}s` : `${s}s`;
}

/** Bytes with an IEC unit, three significant digits. */
export function bytes(b: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = b;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${formatNumber(Number(value.toPrecision(3)))} ${units[i]}`;
}

/** A verdict in words: "met", "not met", or "not measured (no consumers)". */
export function sloVerdictText(v: SloVerdict): string {
  switch (v.verdict) {
    case "met":
      return "met";
    case "notMet":
      return "not met";
    case "notMeasured":
      return `not measured (${v.reason ?? "nothing to measure"})`;
    default: {
      const never: never = v.verdict;
      throw new Error(`unknown SLO verdict ${String(never)}`);
    }
  }
}

/** Lines describing a run, for the terminal. */
export function summaryLines(s: RunSummary): string[] {
  const lines = s.stream.declared
    ? streamLines(s)
    : [
        `${s.scenario}: ${s.durationSeconds} s simulated at ${s.resolution} resolution, seed ${s.seed}; no Kinesis data stream`,
      ];
  lines.push(
    `  ledger    produced ${n(s.ledger.produced)} = accepted ${n(s.ledger.accepted)} + in flight ${n(s.ledger.inFlight)} + dropped ${n(s.ledger.dropped)}${s.ledger.rejected > 0 ? ` + rejected ${n(s.ledger.rejected)}` : ""} ${s.ledger.balanced ? "(balanced)" : "(NOT BALANCED)"}`,
  );
  for (const x of s.streams)
    lines.push(
      `  stream    ${x.name}: ${n(x.incomingRecords)} records accepted, ${n(x.throttledRecords)} throttled, ${n(x.openShards)} shards`,
    );
  if (capacityChanged(s.capacity)) {
    const c = s.capacity;
    lines.push(
      `  capacity  ${c.mode} at the end, ${n(c.openShardsAtEnd)} open shards (max ${n(c.maxOpenShards)}), ${n(c.shardHours)} shard-hours; ${n(c.actionsDone)} actions done, ${n(c.actionsRefused)} refused`,
    );
  }
  for (const c of s.consumers) lines.push(consumerLine(c));
  for (const a of s.analytics) {
    lines.push(
      `  analytics ${a.name} (${a.runtime}, ${n(a.kpus)} KPU${a.kpus === 1 ? "" : "s"}): ${n(a.recordsIn)} records in, ${n(a.recordsOut)} out in ${n(a.windowsEmitted)} window emits; busy ${pct(a.utilization)}; creation to emit p50 ${ms(a.emitLatencyMs.p50)}, p99 ${ms(a.emitLatencyMs.p99)}`,
    );
  }
  for (const f of s.firehose) {
    const losses = [
      f.throttledRecords > 0 ? `${n(f.throttledRecords)} throttled` : "",
      f.processingFailedRecords + f.partitionExceededRecords > 0
        ? `${n(f.processingFailedRecords + f.partitionExceededRecords)} failed`
        : "",
      f.backupRecords > 0 ? `${n(f.backupRecords)} to backup` : "",
      f.lostRecords > 0 ? `${n(f.lostRecords)} lost` : "",
    ].filter((x) => x !== "");
    lines.push(
      `  firehose  ${f.name} (${f.source} → ${f.destination}): ${n(f.incomingRecords)} in, ${n(f.deliveredRecords)} delivered in ${n(f.objects)} objects of ${bytes(f.objectBytesMean)} on average${losses.length > 0 ? `, ${losses.join(", ")}` : ""}; ingest to delivery p50 ${ms(f.deliveryLatencyMs.p50)}, max freshness ${Number(f.maxDataFreshnessSeconds.toPrecision(3))} s`,
    );
  }
  for (const q of s.queues ?? []) lines.push(...queueLines(q, s));
  for (const v of s.slo) {
    // The terminal shouts a failed SLO; one with nothing to measure shows no value at all.
    const verdict = v.verdict === "notMet" ? "NOT MET" : sloVerdictText(v);
    const show = (x: number) => (v.unit === "fraction" ? pct(x) : ms(x));
    const windowed = v.over !== undefined && v.over !== "run" && v.actual !== null;
    const actual =
      v.actual === null
        ? ""
        : windowed
          ? `worst ${v.over} ${show(v.actual)}${v.worstAtSeconds !== undefined ? ` (from ${clock(v.worstAtSeconds)})` : ""}, whole run ${show(v.wholeRun ?? 0)} — `
          : `${show(v.actual)} — `;
    lines.push(
      `  SLO       ${v.name} ${v.threshold}${windowed && !v.threshold.includes(" over ") ? ` in every ${v.over}` : ""}: ${actual}${verdict}`,
    );
  }
  return lines;
}

/** The stream's write path. */
function streamLines(s: RunSummary): string[] {
  const r = s.records;
  return [
    `${s.scenario}: ${s.durationSeconds} s simulated at ${s.resolution} resolution, seed ${s.seed}, ${s.stream.openShards} shard${s.stream.openShards === 1 ? "" : "s"} (${s.stream.limiter} limiter)`,
    `  produced  ${n(r.produced)} records (${bytes(s.bytes.produced)})`,
    `  accepted  ${n(r.accepted)} records${r.incomingRecords !== r.accepted ? ` in ${n(r.incomingRecords)} Kinesis records (${bytes(s.bytes.incoming)})` : ""}; throttled on first attempt ${pct(s.throttle.firstAttemptFraction)} (${n(r.firstAttemptsThrottled)}), ${n(r.retried)} retries`,
    `  dropped   ${n(r.dropped)} records after their last retry (${pct(s.loss.droppedFraction)}); ${n(r.inFlightAtEnd)} still in flight at the end`,
    ...(r.rejected > 0
      ? [
          `  rejected  ${n(r.rejected)} records over the maximum record size (${pct(s.loss.rejectedFraction)}): refused with a validation error, not retried`,
        ]
      : []),
    ...s.producers.flatMap((p) => (p.kpl ? [kplLine(p.name, p.kpl)] : [])),
    `  hottest   ${s.hottestShard.shardId}: ${pct(s.hottestShard.share)} of the records sent${s.hottestShard.retriedAttempts > 0 ? ` (and ${n(s.hottestShard.retriedAttempts)} retried attempts)` : ""}, peak ${n(s.hottestShard.peakRecordsPerSecond)} records/s (${s.hottestShard.peakRecordsUtilization}% of its limit) and ${bytes(s.hottestShard.peakBytesPerSecond)}/s (${s.hottestShard.peakBytesUtilization}%)`,
    `  latency   creation to acceptance p50 ${ms(s.putLatencyMs.p50)}, p90 ${ms(s.putLatencyMs.p90)}, p99 ${ms(s.putLatencyMs.p99)}, max ${ms(s.putLatencyMs.max)}`,
  ];
}

/** What one KPL producer did with its user records. */
function kplLine(name: string, k: KplSummary): string {
  const errors = [
    k.errorsThrottled > 0 ? `${n(k.errorsThrottled)} Kinesis records throttled` : "",
    k.errorsExpired > 0 ? `${n(k.errorsExpired)} expired in the rate limiter` : "",
    k.requestTimeouts > 0 ? `${n(k.requestTimeouts)} requests timed out` : "",
    k.wrongShard > 0 ? `${n(k.wrongShard)} user records on a shard the map did not predict` : "",
    k.userRecordsExpired > 0 ? `${n(k.userRecordsExpired)} user records past their RecordTtl` : "",
  ].filter((x) => x !== "");
  return `  kpl       ${name}: ${Number(k.userRecordsPerKinesisRecord.toPrecision(3))} user records per Kinesis record, ${Number(k.kinesisRecordsPerRequest.toPrecision(3))} Kinesis records per request (${n(k.putRecordsRequests)} requests, ${n(k.putPayloadUnits)} PUT payload units); buffered ${ms(k.bufferingTimeMsMean)} on average; rate limiter held up to ${n(k.rateLimiterHeldMax)} user records${errors.length > 0 ? `; ${errors.join(", ")}` : ""}`;
}

/** One consumer's line. */
function consumerLine(c: RunSummary["consumers"][number]): string {
  const lag = Math.max(c.iteratorAgeMaxMs, c.millisBehindLatestMaxMs) / 1000;
  const losses = [
    c.expired > 0 ? `${n(c.expired)} expired` : "",
    c.discarded > 0 ? `${n(c.discarded)} discarded` : "",
    c.toDestination > 0 ? `${n(c.toDestination)} to the on-failure destination` : "",
    c.duplicates > 0 ? `${n(c.duplicates)} duplicates` : "",
    c.order.outOfOrder > 0
      ? `${n(c.order.outOfOrder)} out of per-key order (${n(c.order.keysAffected)} keys, up to ${ms(c.order.maxDisplacementMs)} behind)`
      : "",
  ].filter((x) => x !== "");
  const lambda = c.lambda
    ? `; ${n(c.lambda.invocations)} invocations, ${n(c.lambda.errors)} errors, ${n(c.lambda.throttles)} throttles`
    : "";
  return `  consumer  ${c.name} (${c.kind}): ${n(c.processed)} processed, ${n(c.unreadAtEnd)} unread${losses.length > 0 ? `, ${losses.join(", ")}` : ""}; end-to-end p50 ${ms(c.endToEndLatencyMs.p50)}, p99 ${ms(c.endToEndLatencyMs.p99)}; max lag ${Number(lag.toPrecision(3))} s${lambda}`;
}

/** A FIFO queue, with the ceilings and order guarantees of it and of the stream beside it. */
function queueLines(q: RunSummary["queues"][number], s: RunSummary): string[] {
  const lines = [
    `  queue     ${q.name} (SQS FIFO${q.highThroughput ? ", high throughput" : ""}, ${n(q.workers)} workers): ${n(q.sent)} sent, ${n(q.sendThrottled)} send attempts throttled, ${n(q.processed)} processed${q.redelivered > 0 ? `, ${n(q.redelivered)} redelivered` : ""}${q.duplicates > 0 ? `, ${n(q.duplicates)} processed twice` : ""}; creation to delete p50 ${ms(q.latencyMs.p50)}, p99 ${ms(q.latencyMs.p99)}`,
    `            ceiling ${n(q.transactionsPerSecond)} calls/s per action (${n(q.messagesPerSecondCeiling)} messages/s in batches of 10); ${n(q.groups)} message groups, at most ${n(q.maxInFlightGroups)} in flight and ${n(q.maxBusyWorkers)} workers busy at once; ${q.order.outOfOrder === 0 ? `every group in order (${n(q.order.checked)} checked)` : `${n(q.order.outOfOrder)} out of group order`}`,
  ];
  if (s.stream.declared) {
    const ceiling = s.capacity.maxOpenShards * s.stream.recordsPerSecondLimit;
    const order = s.consumers.map((c) => c.order).filter((o) => o.checked > 0);
    const out = order.reduce((a, o) => a + o.outOfOrder, 0);
    lines.push(
      `  compare   stream ${s.stream.name}: ceiling ${n(ceiling)} records/s (${n(s.capacity.maxOpenShards)} shards × ${n(s.stream.recordsPerSecondLimit)}), as parallel as its shards; ${order.length === 0 ? "per-key order not checked" : out === 0 ? "every key in order" : `${n(out)} out of key order`}`,
    );
  }
  return lines;
}
