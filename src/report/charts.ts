// Vega-lite specs of a run's charts, built from plain rows. Each spec carries its data inline
// (no network at view time) and is written next to the CSVs as `<name>.vl.json`, so users can
// restyle it. Only charts that the run's components make sense for are built.

import type { TopLevelSpec } from "vega-lite";
import type { CapacitySummary, RunSummary } from "../metrics/summary.js";
import { formatNumber } from "../scenario/units.js";
import { type HeatCell, num, type Row, type ShardMinute } from "./collect.js";
import { plural } from "./html.js";
import { CHART_CONFIG, percentileScale, scaledTitle, type ValueScale, valueScaleEncoding } from "./scales.js";

/** A chart of the report. */
export interface Chart {
  /** File stem: `throughput` → throughput.vl.json, .svg, .png. */
  name: string;
  title: string;
  /** One or two sentences on how to read it. */
  caption: string;
  spec: TopLevelSpec;
}

export const WIDTH = 760;
const HEIGHT = 220;
export const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
/** Most points per series drawn; longer series are binned. */
const MAX_POINTS = 1000;

/** Colours that keep their meaning across charts. */
export const COLORS = {
  produced: "#9e9e9e",
  offered: "#5c6bc0",
  accepted: "#2e7d32",
  throttled: "#d32f2f",
  dropped: "#212121",
  firstAttempt: "#ef6c00",
  p50: "#1565c0",
  p90: "#6a1b9a",
  p99: "#c62828",
  max: "#9e9e9e",
  buffered: "#ef6c00",
  inFlight: "#5c6bc0",
  truth: "#d32f2f",
  cloudwatch: "#1565c0",
  limit: "#212121",
} as const;

/** How time is shown on the x axis, chosen from the run's length. */
export interface TimeAxis {
  divisor: number;
  title: string;
}

/** Seconds for runs up to 10 minutes, minutes up to 10 hours, then hours. */
export function timeAxis(durationSeconds: number): TimeAxis {
  if (durationSeconds <= 600) return { divisor: 1, title: "time (s)" };
  if (durationSeconds <= 36_000) return { divisor: 60, title: "time (min)" };
  return { divisor: 3600, title: "time (h)" };
}

export interface Point {
  t: number;
  series: string;
  value: number;
}

/** Groups consecutive rows into bins (of at least `minRows`) giving at most MAX_POINTS per series. */
export function binRows(rows: readonly Row[], minRows = 1): Row[][] {
  const size = Math.max(minRows, Math.ceil(rows.length / MAX_POINTS));
  const bins: Row[][] = [];
  for (let i = 0; i < rows.length; i += size) bins.push(rows.slice(i, i + size));
  return bins;
}

export const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Long-format points of per-second rates: each series is a per-row value summed over a bin. */
function ratePoints(
  rows: readonly Row[],
  intervalSeconds: number,
  axis: TimeAxis,
  series: [string, (row: Row) => number][],
): Point[] {
  const points: Point[] = [];
  for (const bin of binRows(rows)) {
    const t = num(bin[0]!, "Time") / axis.divisor;
    const seconds = bin.length * intervalSeconds;
    for (const [label, value] of series)
      points.push({
        t: round3(t),
        series: label,
        value: round3(bin.reduce((a, r) => a + value(r), 0) / seconds),
      });
  }
  return points;
}

const column = (name: string) => (row: Row) => num(row, name);

/**
 * A line per series over time. The value axis is linear unless `scale` says log, and then its
 * title says so: a reader must not take a log axis for a linear one.
 */
export function lineSpec(
  title: string,
  subtitle: string,
  values: Point[],
  axis: TimeAxis,
  yTitle: string,
  colors: Record<string, string>,
  options: { scale?: ValueScale } = {},
): TopLevelSpec {
  const domain = Object.keys(colors);
  const scale = options.scale ?? { type: "linear" };
  return {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: { text: title, subtitle, anchor: "start" },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
    encoding: {
      // From the run's start, like every chart of the run, even when a line starts later.
      x: { field: "t", type: "quantitative", title: axis.title, scale: { domainMin: 0, nice: true } },
      y: {
        field: "value",
        type: "quantitative",
        title: scaledTitle(yTitle, scale),
        ...valueScaleEncoding(scale),
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain, range: domain.map((d) => colors[d]!) },
        // No limit: a series name cut to "telemet…" names nothing.
        legend: { orient: "top", labelLimit: 0 },
      },
    },
  } as TopLevelSpec;
}

/** "4 shards", or "4 → 6 shards (at most 8)" when capacity changed during the run. */
function shardsLabel(rows: readonly Row[], summary: RunSummary): string {
  const first = rows.length > 0 ? num(rows[0]!, "OpenShards") : summary.stream.openShards;
  const last = summary.stream.openShards;
  if (first === last && summary.capacity.maxOpenShards === last) return plural(last, "shard");
  return `${first} → ${plural(last, "shard")} (at most ${summary.capacity.maxOpenShards})`;
}

/** The write path: offered, accepted, throttled and dropped records per second. */
export function throughputChart(rows: readonly Row[], summary: RunSummary, axis: TimeAxis): Chart {
  // With an aggregating client (the KPL), the stream counts Kinesis records, each carrying many of
  // the user records the producers created: both are drawn, each named in its unit.
  const incoming = summary.records.incomingRecords;
  const aggregated = incoming !== undefined && incoming !== summary.records.accepted;
  const kr = (what: string) => (aggregated ? `Kinesis records ${what}` : what);
  const accepted = aggregated ? "user records accepted" : "accepted";
  const series: [string, (r: Row) => number, string][] = [
    ["produced", column("ProducedRecords"), COLORS.produced],
    [
      kr("offered (all attempts)"),
      (r) => num(r, "IncomingRecords") + num(r, "WriteProvisionedThroughputExceeded"),
      COLORS.offered,
    ],
    [accepted, (r) => num(r, aggregated ? "AcceptedRecords" : "IncomingRecords"), COLORS.accepted],
    ...(aggregated
      ? ([[kr("accepted"), column("IncomingRecords"), COLORS.buffered]] as [
          string,
          (r: Row) => number,
          string,
        ][])
      : []),
    [kr("throttled"), column("WriteProvisionedThroughputExceeded"), COLORS.throttled],
    ["dropped", column("DroppedRecords"), COLORS.dropped],
  ];
  const values = ratePoints(
    rows,
    summary.metricsIntervalSeconds,
    axis,
    series.map(([name, f]) => [name, f]),
  );
  const colors = Object.fromEntries(series.map(([name, , color]) => [name, color]));
  return {
    name: "throughput",
    title: "Throughput",
    caption: `Records per second: created by the producers, offered to the stream (first attempts and retries), accepted, throttled (ProvisionedThroughputExceeded) and dropped after the last retry.${aggregated ? " A KPL producer aggregates user records into Kinesis records: the stream's limits and throttling count Kinesis records, the producers' ledger counts user records." : ""}`,
    spec: lineSpec(
      "Throughput",
      `${shardsLabel(rows, summary)}, ${summary.stream.limiter} limiter`,
      values,
      axis,
      "records/s",
      colors,
    ),
  };
}

/** Share of attempts throttled, all attempts and first attempts. */
export function throttleRateChart(rows: readonly Row[], axis: TimeAxis): Chart {
  const values: Point[] = [];
  for (const bin of binRows(rows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    const sum = (c: string) => bin.reduce((a, r) => a + num(r, c), 0);
    const attempts = sum("IncomingRecords") + sum("WriteProvisionedThroughputExceeded");
    const first = sum("FirstAttemptRecords");
    values.push({
      t,
      series: "all attempts",
      value: attempts > 0 ? round3((100 * sum("WriteProvisionedThroughputExceeded")) / attempts) : 0,
    });
    values.push({
      t,
      series: "first attempts",
      value: first > 0 ? round3((100 * sum("FirstAttemptThrottledRecords")) / first) : 0,
    });
  }
  return {
    name: "throttle-rate",
    title: "Throttle rate",
    caption:
      "Percentage of write attempts rejected with ProvisionedThroughputExceeded. First attempts show what the traffic itself meets; all attempts include retries competing with new records.",
    spec: lineSpec("Throttle rate", "share of write attempts throttled", values, axis, "% throttled", {
      "all attempts": COLORS.throttled,
      "first attempts": COLORS.firstAttempt,
    }),
  };
}

/** Creation-to-acceptance latency percentiles. */
export function latencyChart(rows: readonly Row[], axis: TimeAxis): Chart {
  const values: Point[] = [];
  const series: [string, string][] = [
    ["p50", "PutLatency.p50"],
    ["p90", "PutLatency.p90"],
    ["p99", "PutLatency.p99"],
    ["max", "PutLatency.Max"],
  ];
  for (const bin of binRows(rows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    // Within a bin, show the worst interval: a percentile of percentiles would hide spikes.
    for (const [label, column] of series) {
      const value = Math.max(...bin.map((r) => num(r, column)));
      // 0 is an interval that accepted nothing: no sample, not a latency of 0 ms.
      if (value > 0) values.push({ t, series: label, value });
    }
  }
  const scale = percentileScale(values);
  return {
    name: "latency",
    title: "Put latency",
    caption: `Time from a record's creation to its acceptance by a shard (batching wait, request time, backoff and retries), per interval; intervals that accepted no record have no point.${logNote(scale)}`,
    spec: lineSpec(
      "Put latency",
      "record creation → accepted by a shard",
      values,
      axis,
      "put latency, ms",
      { p50: COLORS.p50, p90: COLORS.p90, p99: COLORS.p99, max: COLORS.max },
      { scale },
    ),
  };
}

/** The caption's sentence on a log axis (none for a linear one). */
function logNote(scale: ValueScale): string {
  return scale.type === "log"
    ? " The value axis is logarithmic (equal steps are equal ratios), because the highest value is more than 20 times the typical value of the lowest line."
    : "";
}

/** Records waiting in clients and records on the wire or backing off. */
export function backlogChart(rows: readonly Row[], axis: TimeAxis): Chart {
  const values: Point[] = [];
  for (const bin of binRows(rows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    values.push({
      t,
      series: "buffered in clients",
      value: Math.max(...bin.map((r) => num(r, "BufferedRecords"))),
    });
    values.push({
      t,
      series: "in flight or backing off",
      value: Math.max(...bin.map((r) => num(r, "InFlightRecords"))),
    });
  }
  return {
    name: "producer-backlog",
    title: "Producer backlog",
    caption:
      "Records created but not yet accepted: waiting in the clients' batches and send queues, or sent and not yet answered (including backoff before a retry). A growing line means the producers cannot keep up.",
    spec: lineSpec(
      "Producer backlog",
      "records not yet accepted, at the end of each interval",
      values,
      axis,
      "records",
      { "buffered in clients": COLORS.buffered, "in flight or backing off": COLORS.inFlight },
    ),
  };
}

/** Shard × time utilisation: hot shards at a glance. */
export function heatmapChart(
  cells: readonly HeatCell[],
  shardOrder: readonly string[],
  binSeconds: number,
  totalShards: number,
  axis: TimeAxis,
): Chart {
  const values = cells.map((c) => ({
    t: round3(c.time / axis.divisor),
    t2: round3((c.time + binSeconds) / axis.divisor),
    shard: c.shard.replace("shardId-", ""),
    utilization: Math.round(c.utilization * 10) / 10,
    throttled: c.throttled,
  }));
  const order = shardOrder.map((s) => s.replace("shardId-", ""));
  const subtitle =
    totalShards > shardOrder.length
      ? `the ${shardOrder.length} busiest of ${totalShards} shards; busiest interval per ${binSeconds} s cell; outlined cells throttled`
      : `busiest interval per ${binSeconds} s cell; outlined cells throttled`;
  const spec = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: { text: "Shard utilisation", subtitle, anchor: "start" },
    width: WIDTH,
    height: Math.max(100, Math.min(480, 18 * order.length)),
    data: { values },
    encoding: {
      x: { field: "t", type: "quantitative", title: axis.title },
      x2: { field: "t2" },
      y: {
        field: "shard",
        type: "ordinal",
        title: "shard",
        sort: order,
        axis: order.length > 40 ? { labels: false } : {},
      },
    },
    layer: [
      {
        mark: { type: "rect" },
        encoding: {
          color: {
            field: "utilization",
            type: "quantitative",
            title: "% of limit",
            scale: { domain: [0, 100], scheme: "yelloworangered", clamp: true },
          },
        },
      },
      // Outlines only when some cell throttled: an empty layer makes vega warn about its extent.
      ...(values.some((v) => v.throttled > 0)
        ? [
            {
              transform: [{ filter: "datum.throttled > 0" }],
              mark: { type: "rect", fill: null, stroke: "#000000", strokeWidth: 1 },
            },
          ]
        : []),
    ],
  };
  return {
    name: "shard-heatmap",
    title: "Shard utilisation",
    caption:
      "Each row is a shard, each column a time bin; colour is the higher of record and byte utilisation of the shard's busiest interval in the bin. Outlined cells throttled. A hot shard is a dark row among light ones.",
    spec: spec as TopLevelSpec,
  };
}

/**
 * The hottest shard per second beside its one-minute average: what CloudWatch shows. Drawn as a
 * share of the shard's limit — the higher of records ÷ 1,000/s and bytes ÷ 1 MiB/s — so that a
 * shard that throttles on bytes is not drawn against the records line.
 */
export function cloudwatchChart(
  shardRows: readonly Row[],
  minutes: readonly ShardMinute[],
  shard: string,
  summary: RunSummary,
  axis: TimeAxis,
): Chart {
  const recordLimit = summary.stream.recordsPerSecondLimit;
  const byteLimit = summary.stream.bytesPerSecondLimit;
  const interval = summary.metricsIntervalSeconds;
  const share = (records: number, bytes: number) => 100 * Math.max(records / recordLimit, bytes / byteLimit);
  const DEMAND = "demand per second (accepted + throttled: the limit's view)";
  const ACCEPTED = "accepted per second";
  const MINUTE = "1-minute average demand (CloudWatch's view)";
  const values: Point[] = [];
  for (const bin of binRows(shardRows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    const demand = Math.max(
      ...bin.map((r) =>
        share(
          num(r, "IncomingRecords") + num(r, "WriteProvisionedThroughputExceeded"),
          num(r, "IncomingBytes") + num(r, "ThrottledBytes"),
        ),
      ),
    );
    const accepted = Math.max(...bin.map((r) => share(num(r, "IncomingRecords"), num(r, "IncomingBytes"))));
    values.push({ t, series: DEMAND, value: round3(demand / interval) });
    values.push({ t, series: ACCEPTED, value: round3(accepted / interval) });
  }
  let onBytes = 0;
  for (const m of minutes) {
    const seconds = Math.min(60, summary.durationSeconds - m.minute * 60);
    const average = share((m.records + m.throttled) / seconds, (m.bytes + m.throttledBytes) / seconds);
    if (m.binding === "bytes" && m.peakDemandUtilization > 0) onBytes++;
    for (const x of [m.minute * 60, m.minute * 60 + seconds])
      values.push({ t: round3(x / axis.divisor), series: MINUTE, value: round3(average) });
  }
  const binding =
    onBytes === 0
      ? `records: ${formatNumber(recordLimit)}/s`
      : onBytes === minutes.length
        ? `bytes: ${formatNumber(byteLimit / 1048576)} MiB/s`
        : "records or bytes, whichever is closer";
  const colors: Record<string, string> = {
    [DEMAND]: COLORS.truth,
    [ACCEPTED]: COLORS.accepted,
    [MINUTE]: COLORS.cloudwatch,
  };
  const domain = Object.keys(colors);
  const spec = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `${shard}: per second vs per minute`,
      subtitle: `the hottest shard, as a share of its limit (here ${binding}); the dashed line is the limit`,
      anchor: "start",
    },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values },
        mark: { type: "line", interpolate: "linear", strokeWidth: 1.2 },
        encoding: {
          x: { field: "t", type: "quantitative", title: axis.title },
          y: {
            field: "value",
            type: "quantitative",
            title: "% of the shard's limit",
            axis: { format: ",~f" },
          },
          color: {
            field: "series",
            type: "nominal",
            title: null,
            scale: { domain, range: domain.map((d) => colors[d]!) },
            legend: { orient: "top", labelLimit: 0, columns: 1 },
          },
        },
      },
      {
        data: { values: [{ limit: 100 }] },
        mark: { type: "rule", strokeDash: [6, 4], color: COLORS.limit },
        encoding: { y: { field: "limit", type: "quantitative" } },
      },
    ],
  };
  return {
    name: "cloudwatch-view",
    title: "The CloudWatch view",
    caption:
      "The hottest shard as a share of its limit — the higher of records ÷ 1,000/s and bytes ÷ 1 MiB/s, so the line is always the limit that binds: demand per second (accepted + throttled attempts), which is what the limit sees; what was accepted; and demand averaged per minute, which is what CloudWatch's one-minute IncomingRecords/IncomingBytes + WriteProvisionedThroughputExceeded let one compute. Where the demand line crosses 100% and the minute average stays under it, the shard throttled although the minute's data shows no reason to.",
    spec: spec as TopLevelSpec,
  };
}

/** One consumer's time series. */
export interface ConsumerSeries {
  name: string;
  kind: string;
  rows: readonly Row[];
}

/**
 * A line per consumer of one per-row value: the rate over each bin, or the worst value of the
 * bin's rows that `sampled` accepts (a bin with none of them gets no point).
 */
function perConsumerPoints(
  consumers: readonly ConsumerSeries[],
  axis: TimeAxis,
  value: (row: Row) => number,
  options: { rate?: boolean; intervalSeconds?: number; sampled?: (row: Row) => boolean } = {},
): Point[] {
  const points: Point[] = [];
  for (const c of consumers) {
    for (const bin of binRows(c.rows)) {
      const t = round3(num(bin[0]!, "Time") / axis.divisor);
      if (options.rate) {
        const seconds = bin.length * (options.intervalSeconds ?? 1);
        points.push({ t, series: c.name, value: round3(bin.reduce((a, r) => a + value(r), 0) / seconds) });
        continue;
      }
      const rows = options.sampled ? bin.filter(options.sampled) : bin;
      if (rows.length > 0) points.push({ t, series: c.name, value: round3(Math.max(...rows.map(value))) });
    }
  }
  return points;
}

/** A consumer's lag in seconds: iterator age or, for enhanced fan-out, millis behind latest. */
const lagSeconds = (r: Row) =>
  Math.max(num(r, "IteratorAgeMilliseconds"), num(r, "SubscribeToShardEvent.MillisBehindLatest")) / 1000;

/**
 * Whether a consumer row measured its lag: iterator age is taken when a batch with records
 * arrives (or a function is invoked with one), so a row that received no record and shows no lag
 * has no measurement — as CloudWatch publishes no IteratorAge for a period without reads. Drawn
 * as 0 it would saw the line to the floor between reads.
 */
const lagSampled = (r: Row) =>
  lagSeconds(r) > 0 || num(r, "DeliveredRecords") > 0 || num(r, "Invocations") > 0;

function consumerColors(consumers: readonly ConsumerSeries[]): Record<string, string> {
  const palette = [
    "#1565c0",
    "#2e7d32",
    "#ef6c00",
    "#6a1b9a",
    "#c62828",
    "#00838f",
    "#5d4037",
    "#ad1457",
    "#9e9d24",
    "#455a64",
  ];
  return Object.fromEntries(consumers.map((c, i) => [c.name, palette[i % palette.length]!]));
}

/**
 * How far behind each consumer reads: iterator age (GetRecords, Lambda) or MillisBehindLatest
 * (EFO). Undefined when no consumer read during the run: there is no lag to draw.
 */
export function consumerLagChart(
  consumers: readonly ConsumerSeries[],
  axis: TimeAxis,
  actions: CapacitySummary["actions"] = [],
): Chart | undefined {
  const values = perConsumerPoints(consumers, axis, lagSeconds, { sampled: lagSampled });
  if (values.length === 0) return undefined;
  return {
    name: "consumer-lag",
    title: "Consumer lag",
    caption: `How far behind each consumer reads, per interval: GetRecords.IteratorAgeMilliseconds for polling readers and KCL, IteratorAge for Lambda (arrival → invocation), SubscribeToShardEvent.MillisBehindLatest for enhanced fan-out. Intervals in which a consumer received no record have no point. A line that keeps rising is a consumer that cannot keep up; AWS advises alarming well before it reaches half the retention.${actions.length > 0 ? " Dashed lines mark capacity actions: after a reshard, consumers finish the parent shards before they read the children." : ""}`,
    spec: withActionRules(
      lineSpec(
        "Consumer lag",
        "iterator age / millis behind latest (worst per interval)",
        values,
        axis,
        // Linear on purpose: lag that grows steadily must look like a straight rise.
        "seconds behind latest",
        consumerColors(consumers),
      ),
      actions,
      axis,
    ),
  };
}

/** Records processed per second and the backlog of each consumer. */
export function consumerThroughputChart(
  consumers: readonly ConsumerSeries[],
  axis: TimeAxis,
  intervalSeconds: number,
): Chart {
  const values = perConsumerPoints(consumers, axis, (r) => num(r, "ProcessedRecords"), {
    rate: true,
    intervalSeconds,
  });
  return {
    name: "consumer-throughput",
    title: "Consumer throughput",
    caption:
      "Records each consumer processed per second (first time only; duplicates from KCL failovers are not counted).",
    spec: lineSpec(
      "Consumer throughput",
      "records processed per second",
      values,
      axis,
      "records/s",
      consumerColors(consumers),
    ),
  };
}

/** End-to-end latency (creation → processed), p99 per consumer; undefined when nothing was processed. */
export function consumerLatencyChart(
  consumers: readonly ConsumerSeries[],
  axis: TimeAxis,
): Chart | undefined {
  // A 0 is an interval that processed nothing: no sample.
  const values = perConsumerPoints(consumers, axis, (r) => num(r, "EndToEndLatency.p99"), {
    sampled: (r) => num(r, "EndToEndLatency.p99") > 0,
  });
  if (values.length === 0) return undefined;
  const scale = percentileScale(values);
  return {
    name: "consumer-latency",
    title: "End-to-end latency",
    caption: `99th percentile of the time from a record's creation at the producer to the end of its processing, per consumer and interval; intervals that processed nothing have no point.${logNote(scale)}`,
    spec: lineSpec(
      "End-to-end latency (p99)",
      "record creation → processed",
      values,
      axis,
      "end-to-end p99, ms",
      consumerColors(consumers),
      { scale },
    ),
  };
}

/** Shortest time a Lambda chart's rates are averaged over. */
const LAMBDA_BIN_SECONDS = 10;

/** A Lambda mapping's invocations, errors, throttles and concurrency. */
export function lambdaChart(consumer: ConsumerSeries, axis: TimeAxis, intervalSeconds: number): Chart {
  const values: Point[] = [];
  // Rates over at least 10 s: a function that runs 1.5 s gives 1, 0, 1, 1, 0 invocations per
  // second, a comb that hides the rate; a poison record's error a second still shows as 1/s.
  const rowsPerBin = Math.max(1, Math.round(LAMBDA_BIN_SECONDS / intervalSeconds));
  for (const bin of binRows(consumer.rows, rowsPerBin)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    const seconds = bin.length * intervalSeconds;
    const sum = (c: string) => bin.reduce((a, r) => a + num(r, c), 0);
    values.push({ t, series: "invocations/s", value: round3(sum("Invocations") / seconds) });
    values.push({ t, series: "errors/s", value: round3(sum("Errors") / seconds) });
    values.push({ t, series: "throttles/s", value: round3(sum("Throttles") / seconds) });
    values.push({
      t,
      series: "concurrent executions",
      value: Math.max(...bin.map((r) => num(r, "ConcurrentExecutions"))),
    });
  }
  return {
    name: `lambda-${consumer.name}`,
    title: `Lambda ${consumer.name}`,
    caption:
      "Invocations, function errors and concurrency throttles per second, averaged over 10 s or more, and the most concurrent executions in that time. Errors that repeat every second with no progress are a batch being retried — a poison record blocking its shard.",
    spec: lineSpec(
      `Lambda ${consumer.name}`,
      "event source mapping",
      values,
      axis,
      "per second / executions",
      {
        "invocations/s": COLORS.accepted,
        "errors/s": COLORS.throttled,
        "throttles/s": COLORS.firstAttempt,
        "concurrent executions": COLORS.offered,
      },
    ),
  };
}

/** Open shards over time beside the shards the produced traffic would need, with capacity actions. */
export function capacityChart(rows: readonly Row[], summary: RunSummary, axis: TimeAxis): Chart {
  const interval = summary.metricsIntervalSeconds;
  const meanRecordBytes =
    summary.records.produced > 0 ? summary.bytes.produced / summary.records.produced : 0;
  const needed = (r: Row) =>
    Math.max(
      num(r, "ProducedRecords") / interval / summary.stream.recordsPerSecondLimit,
      (num(r, "ProducedRecords") * meanRecordBytes) / interval / summary.stream.bytesPerSecondLimit,
    );
  const values: Point[] = [];
  for (const bin of binRows(rows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    values.push({ t, series: "open shards", value: num(bin[bin.length - 1]!, "OpenShards") });
    values.push({
      t,
      series: "shards needed if evenly spread",
      value: round3(Math.max(...bin.map(needed))),
    });
  }
  const colors = {
    "open shards": COLORS.accepted,
    "shards needed if evenly spread": COLORS.produced,
  };
  const base = lineSpec(
    "Capacity",
    `${summary.capacity.mode} at the end; ${plural(summary.capacity.actionsDone, "capacity action")} done, ${summary.capacity.actionsRefused} refused; ${summary.capacity.shardHours} shard-hours`,
    values,
    axis,
    "shards",
    colors,
  );
  return {
    name: "capacity",
    title: "Capacity",
    caption:
      "Open shards at the end of each interval beside the shards the produced records would need at the per-shard write limits if spread perfectly evenly (the busiest interval of each bin). Dashed lines mark capacity actions — scheduled, by a scaling policy or by on-demand — at the time they were requested; the shard count changes once they complete. A gap below the grey line means throttling; hot keys throttle even above it.",
    spec: withActionRules(base, summary.capacity.actions, axis),
  };
}

/** A line chart with a dashed rule at each capacity action (coloured by its result), if any. */
function withActionRules(
  spec: TopLevelSpec,
  actions: CapacitySummary["actions"],
  axis: TimeAxis,
): TopLevelSpec {
  if (actions.length === 0) return spec;
  const { data, mark, encoding, ...top } = spec as unknown as Record<string, unknown>;
  const rules = {
    data: {
      values: actions.map((a) => ({
        t: round3(a.at / axis.divisor),
        action: a.action,
        change: `${a.from} → ${a.to}`,
        result: a.result,
        reason: a.reason,
      })),
    },
    mark: { type: "rule", strokeDash: [4, 3], strokeWidth: 1 },
    encoding: {
      x: { field: "t", type: "quantitative" },
      color: {
        field: "result",
        type: "nominal",
        title: "capacity action",
        scale: { domain: ["done", "refused"], range: [COLORS.offered, COLORS.throttled] },
        legend: { orient: "top" },
      },
      tooltip: [{ field: "action" }, { field: "change" }, { field: "result" }, { field: "reason" }],
    },
  };
  return {
    ...top,
    layer: [{ data, mark, encoding }, rules],
    resolve: { scale: { color: "independent" } },
  } as unknown as TopLevelSpec;
}
