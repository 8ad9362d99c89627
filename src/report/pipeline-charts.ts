// Charts of delivery streams and analytics applications: what the buffers do (freshness and
// buffer age against the interval hint), the objects written (size against the size hint, by what
// flushed them and what became of them), an application's throughput and lag, and the latency
// path from the first producer to the destination, stage by stage.

import type { TopLevelSpec } from "vega-lite";
import type { AnalyticsSummary, FirehoseSummary } from "../metrics/summary.js";
import { formatNumber } from "../scenario/units.js";
import {
  binRows,
  type Chart,
  COLORS,
  lineSpec,
  type Point,
  round3,
  SCHEMA,
  type TimeAxis,
  WIDTH,
} from "./charts.js";
import { num, type Row } from "./collect.js";
import { CHART_CONFIG } from "./scales.js";

/** A delivery stream's tables. */
export interface FirehoseSeries {
  summary: FirehoseSummary;
  rows: readonly Row[];
  /** Its objects' rows: all of them, or every `objectsStep`-th if given (read from a file). */
  objects: readonly Row[];
  objectsStep?: number;
}

/** Objects the objects chart draws at most. */
const OBJECTS_DRAWN = 2000;

/** 2 → "2nd", 13 → "13th", 1,001 → "1,001st". */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${formatNumber(n)}${suffix}`;
}

/** Every how many objects the objects chart draws one, for a delivery stream of `count` objects. */
export function objectsStep(count: number): number {
  return Math.max(1, Math.ceil(count / OBJECTS_DRAWN));
}

/** An application's table. */
export interface AnalyticsSeries {
  summary: AnalyticsSummary;
  rows: readonly Row[];
}

const MiB = 1024 * 1024;

/** Seconds with thousands separators and at most three decimals: "1,234.567". */
const seconds = (x: number) => formatNumber(x, 3);

/** DataFreshness and buffer age over time, against the buffer interval. */
export function freshnessChart(f: FirehoseSeries, axis: TimeAxis): Chart {
  const prefix = f.summary.metricPrefix;
  const values: Point[] = [];
  for (const bin of binRows(f.rows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    values.push({
      t,
      series: "DataFreshness",
      value: Math.max(...bin.map((r) => num(r, `${prefix}.DataFreshness`))),
    });
    values.push({ t, series: "buffer age", value: Math.max(...bin.map((r) => num(r, "BufferAgeSeconds"))) });
    values.push({ t, series: "buffer interval", value: f.summary.bufferIntervalSeconds });
  }
  return {
    name: `firehose-${f.summary.name}-freshness`,
    title: `Delivery stream ${f.summary.name}: freshness`,
    caption: `${prefix}.DataFreshness is the age of the oldest record not yet delivered; buffer age that of the oldest record waiting in a buffer. With a healthy destination freshness stays under the buffer interval plus the write time; while the destination fails it climbs until the data is delivered, backed up or lost.`,
    spec: lineSpec(
      `Delivery stream ${f.summary.name}: freshness`,
      `${f.summary.source} → ${f.summary.destination}`,
      values,
      axis,
      "seconds",
      {
        DataFreshness: COLORS.p99,
        "buffer age": COLORS.buffered,
        "buffer interval": COLORS.limit,
      },
    ),
  };
}

/** Every object written: its size over time, by trigger and result, against the size hint. */
export function objectsChart(f: FirehoseSeries, axis: TimeAxis): Chart {
  const step = f.objectsStep ?? objectsStep(f.objects.length);
  const drawn = f.objectsStep === undefined ? f.objects.filter((_, i) => i % step === 0) : f.objects;
  const values = drawn.map((o) => ({
    t: round3(num(o, "Created") / axis.divisor),
    mib: round3(num(o, "Bytes") / MiB),
    records: num(o, "Records"),
    trigger: String(o["Trigger"]),
    result: String(o["Result"]),
  }));
  const hint = round3(f.summary.bufferSizeBytes / MiB);
  const spec = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `Delivery stream ${f.summary.name}: objects`,
      subtitle: `${formatNumber(f.summary.objects)} objects${step > 1 ? ` (every ${ordinal(step)} drawn)` : ""}; buffer hints ${hint} MiB / ${seconds(f.summary.bufferIntervalSeconds)} s`,
      anchor: "start",
    },
    width: WIDTH,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: "point", filled: true, size: 30 },
        encoding: {
          x: { field: "t", type: "quantitative", title: axis.title },
          y: { field: "mib", type: "quantitative", title: "object size (MiB)" },
          color: {
            field: "trigger",
            type: "nominal",
            title: "flushed by",
            scale: { domain: ["size", "interval"], range: [COLORS.offered, COLORS.buffered] },
            legend: { orient: "top" },
          },
          shape: {
            field: "result",
            type: "nominal",
            title: "result",
            scale: { domain: ["delivered", "backup", "lost"], range: ["circle", "triangle-up", "cross"] },
            legend: { orient: "top" },
          },
          tooltip: [
            { field: "t", type: "quantitative", title: axis.title, format: ",.3~f" },
            { field: "mib", type: "quantitative", title: "size (MiB)", format: ",.2f" },
            { field: "records", type: "quantitative", title: "records", format: "," },
            { field: "trigger", title: "flushed by" },
            { field: "result", title: "result" },
          ],
        },
      },
      {
        data: { values: [{ hint }] },
        mark: { type: "rule", strokeDash: [4, 3], color: COLORS.limit },
        encoding: { y: { field: "hint", type: "quantitative" } },
      },
    ],
  };
  return {
    name: `firehose-${f.summary.name}-objects`,
    title: `Delivery stream ${f.summary.name}: objects`,
    caption:
      "Each point is an object (or batch) written to the destination: its size when it was flushed, coloured by what flushed it — the size hint (dashed line) or the interval — and shaped by what became of it. Low traffic gives small objects on the interval; more partitions give more, smaller objects.",
    spec: spec as TopLevelSpec,
  };
}

/** Records in, delivered and throttled per second. */
export function firehoseThroughputChart(f: FirehoseSeries, axis: TimeAxis, intervalSeconds: number): Chart {
  const prefix = f.summary.metricPrefix;
  const values: Point[] = [];
  for (const bin of binRows(f.rows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    const seconds = bin.length * intervalSeconds;
    const sum = (c: string) => bin.reduce((a, r) => a + num(r, c), 0);
    values.push({ t, series: "incoming", value: round3(sum("IncomingRecords") / seconds) });
    values.push({ t, series: "delivered", value: round3(sum(`${prefix}.Records`) / seconds) });
    values.push({ t, series: "throttled", value: round3(sum("ThrottledRecords") / seconds) });
    values.push({
      t,
      series: "backed up or lost",
      value: round3((sum("BackupToS3.Records") + sum("LostRecords")) / seconds),
    });
  }
  return {
    name: `firehose-${f.summary.name}-throughput`,
    title: `Delivery stream ${f.summary.name}: throughput`,
    caption:
      "Records per second taken in, delivered (in bursts: one object at a time), throttled by the direct-PUT quotas, and sent to the backup bucket or lost after their retries.",
    spec: lineSpec(
      `Delivery stream ${f.summary.name}: throughput`,
      "records per second",
      values,
      axis,
      "records/s",
      {
        incoming: COLORS.offered,
        delivered: COLORS.accepted,
        throttled: COLORS.throttled,
        "backed up or lost": COLORS.dropped,
      },
    ),
  };
}

/** One panel of a stacked chart: a line per series over time, on its own linear value axis. */
export function panel(
  values: Point[],
  axis: TimeAxis,
  yTitle: string,
  colors: Record<string, string>,
  options: { height?: number; showTime?: boolean; domain?: [number, number] } = {},
): Record<string, unknown> {
  const domain = Object.keys(colors);
  return {
    width: WIDTH,
    height: options.height ?? 90,
    data: { values },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
    encoding: {
      x: {
        field: "t",
        type: "quantitative",
        title: options.showTime ? axis.title : null,
        axis: options.showTime ? {} : { labels: false },
      },
      y: {
        field: "value",
        type: "quantitative",
        title: yTitle,
        ...(options.domain ? { scale: { domain: options.domain } } : {}),
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain, range: domain.map((d) => colors[d]!) },
        legend: { orient: "top", labelLimit: 0 },
      },
    },
  };
}

/**
 * An application's records in and out per second, how far behind it reads, and how busy its
 * subtasks are: three panels over one time axis, each linear in its own unit (one shared axis
 * for records/s, ms and % needed a log scale that hid the lag's growth).
 */
export function analyticsChart(a: AnalyticsSeries, axis: TimeAxis, intervalSeconds: number): Chart {
  const flow: Point[] = [];
  const lag: Point[] = [];
  const busy: Point[] = [];
  for (const bin of binRows(a.rows)) {
    const t = round3(num(bin[0]!, "Time") / axis.divisor);
    const seconds = bin.length * intervalSeconds;
    const sum = (c: string) => bin.reduce((x, r) => x + num(r, c), 0);
    flow.push({ t, series: "records in/s", value: round3(sum("RecordsIn") / seconds) });
    flow.push({ t, series: "records out/s", value: round3(sum("RecordsOut") / seconds) });
    lag.push({
      t,
      series: "MillisBehindLatest",
      value: round3(Math.max(...bin.map((r) => num(r, "MillisBehindLatest"))) / 1000),
    });
    busy.push({
      t,
      series: "subtask utilisation",
      value: Math.max(...bin.map((r) => num(r, "SubtaskUtilization"))),
    });
  }
  const spec = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `Application ${a.summary.name}`,
      subtitle: `${a.summary.runtime}, ${a.summary.kpus} KPU${a.summary.kpus === 1 ? "" : "s"}, parallelism ${a.summary.parallelism}: ${a.summary.source} → ${a.summary.sink}`,
      anchor: "start",
    },
    vconcat: [
      panel(flow, axis, "records/s", { "records in/s": COLORS.offered, "records out/s": COLORS.accepted }),
      panel(lag, axis, "lag, s", { MillisBehindLatest: COLORS.p99 }),
      panel(
        busy,
        axis,
        "busy, %",
        { "subtask utilisation": COLORS.buffered },
        {
          showTime: true,
          domain: [0, 100],
        },
      ),
    ],
    resolve: { scale: { color: "independent", x: "shared" } },
  };
  return {
    name: `analytics-${a.summary.name}`,
    title: `Application ${a.summary.name}`,
    caption:
      "Records the application processed and emitted per second (window results come in bursts when a window closes), how far behind it reads the source (MillisBehindLatest, in seconds), and how busy its subtasks are. Utilisation near 100% with a rising lag means it needs more parallelism.",
    spec: spec as unknown as TopLevelSpec,
  };
}

/** The latency path to a destination: one bar per stage, its mean, with the p99 beside. */
export function latencyPathChart(f: FirehoseSummary): Chart {
  const values = f.stages.map((s) => ({
    stage: s.stage,
    mean: round3(s.meanMs / 1000),
    p99: round3(s.p99Ms / 1000),
  }));
  const spec = {
    $schema: SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `Latency path to ${f.destination} through ${f.name}`,
      subtitle: `stage means add up to ${seconds(f.pathMeanMs / 1000)} s`,
      anchor: "start",
    },
    width: WIDTH,
    height: Math.max(80, 26 * values.length),
    data: { values },
    encoding: {
      y: {
        field: "stage",
        type: "nominal",
        // An explicit order: a field sort would differ between the layers' domains.
        sort: values.map((v) => v.stage),
        title: null,
        // No limit: a stage named "put: devices → telemet…" hides which stream it is.
        axis: { labelLimit: 0 },
      },
    },
    layer: [
      {
        mark: { type: "bar", color: COLORS.offered },
        encoding: { x: { field: "mean", type: "quantitative", title: "seconds (bar: mean; tick: p99)" } },
      },
      {
        mark: { type: "tick", color: COLORS.p99, thickness: 2 },
        encoding: { x: { field: "p99", type: "quantitative" } },
      },
    ],
  };
  return {
    name: `latency-path-${f.name}`,
    title: `Latency path through ${f.name}`,
    caption:
      "Where the time goes from the moment a producer creates a record to its delivery: put into each stream, read by the next component, processing and window wait in an application, and the delivery stream's buffer and write. Bars are means (they add up), ticks the 99th percentiles (they do not).",
    spec: spec as TopLevelSpec,
  };
}
