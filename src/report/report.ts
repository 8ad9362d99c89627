// A run's report from its tables: charts (vega-lite specs, SVG, PNG), the one-minute CloudWatch
// view with the throttling it hides, and index.html. Works on plain data; the caller reads and
// writes the files.
//
//   rows ──collect──► time series, shard grid, shard minutes
//        ──charts───► vega-lite specs ──render──► SVG, PNG (warnings collected)
//        ──html─────► index.html (inline SVG, links to CSVs and specs; tables only with charts off)

import { stringify } from "csv-stringify/sync";
import { capacityChanged, type RunSummary } from "../metrics/summary.js";
import { formatNumber } from "../scenario/units.js";
import {
  backlogChart,
  type Chart,
  type ConsumerSeries,
  capacityChart,
  cloudwatchChart,
  consumerLagChart,
  consumerLatencyChart,
  consumerThroughputChart,
  heatmapChart,
  lambdaChart,
  latencyChart,
  throttleRateChart,
  throughputChart,
  timeAxis,
} from "./charts.js";
import {
  findHiddenThrottling,
  type HiddenThrottling,
  num,
  openShardsOf,
  type Row,
  ShardCollector,
  type ShardMinute,
} from "./collect.js";
import { reportHtml } from "./html.js";
import { type KplSeries, kplChart } from "./kpl-charts.js";
import {
  type AnalyticsSeries,
  analyticsChart,
  type FirehoseSeries,
  firehoseThroughputChart,
  freshnessChart,
  latencyPathChart,
  objectsChart,
} from "./pipeline-charts.js";
import { type CompileLog, chartSvg, drawPng } from "./render.js";

/** Most shards the heatmap shows (the busiest ones). */
const HEATMAP_SHARDS = 64;

/** What a report is made from. */
export interface ReportData {
  summary: RunSummary;
  scenarioYaml: string;
  description?: string;
  timeseries: Row[];
  shards: ShardCollector;
  /** Rows of shards.csv for the hottest shard. */
  hottestShardRows: Row[];
  /** Each consumer's time series (consumer-<name>.csv). */
  consumers: ConsumerSeries[];
  /** Each delivery stream's tables (firehose-<name>.csv, firehose-<name>-objects.csv). */
  firehose: FirehoseSeries[];
  /** Each application's time series (analytics-<name>.csv). */
  analytics: AnalyticsSeries[];
  /** Each KPL producer's own metrics (kpl-<name>.csv); absent in reports of older runs. */
  kpl?: KplSeries[];
  /** Files already in the run folder (for links). */
  files: string[];
}

/** A built report: files to write, and what was found. */
export interface Report {
  files: [string, string | Uint8Array][];
  charts: Chart[];
  hidden: HiddenThrottling;
  statement: string;
  /** What vega-lite and vega logged, per chart. */
  logs: Map<string, CompileLog>;
}

/** The charts a run's components call for. */
export function chartsOf(data: ReportData): Chart[] {
  const s = data.summary;
  const axis = timeAxis(s.durationSeconds);
  const shardOrder = data.shards.shardsByHeat().slice(0, HEATMAP_SHARDS);
  const sortedOrder = [...shardOrder].sort();
  const hottest = s.hottestShard.shardId;
  const hottestMinutes = data.shards.minutesOf(hottest);
  const charts: Chart[] = [];
  if (s.stream.declared !== false) {
    charts.push(
      throughputChart(data.timeseries, s, axis),
      throttleRateChart(data.timeseries, axis),
      latencyChart(data.timeseries, axis),
      heatmapChart(
        data.shards.heatCells(shardOrder),
        sortedOrder,
        data.shards.binSeconds,
        data.shards.totals.size,
        axis,
      ),
      cloudwatchChart(data.hottestShardRows, hottestMinutes, hottest, s, axis),
    );
    if (capacityChanged(s.capacity)) charts.splice(1, 0, capacityChart(data.timeseries, s, axis));
    const hasBacklog = data.timeseries.some(
      (r) => num(r, "BufferedRecords") > 0 || num(r, "InFlightRecords") > 0,
    );
    if (hasBacklog) charts.push(backlogChart(data.timeseries, axis));
  }
  for (const k of data.kpl ?? []) charts.push(kplChart(k, axis));
  if (data.consumers.length > 0) {
    const lag = consumerLagChart(data.consumers, axis, s.capacity.actions);
    if (lag) charts.push(lag);
    charts.push(consumerThroughputChart(data.consumers, axis, s.metricsIntervalSeconds));
    const latency = consumerLatencyChart(data.consumers, axis);
    if (latency) charts.push(latency);
    for (const c of data.consumers)
      if (c.kind === "lambda") charts.push(lambdaChart(c, axis, s.metricsIntervalSeconds));
  }
  for (const a of data.analytics) charts.push(analyticsChart(a, axis, s.metricsIntervalSeconds));
  for (const f of data.firehose) {
    charts.push(
      firehoseThroughputChart(f, axis, s.metricsIntervalSeconds),
      freshnessChart(f, axis),
      objectsChart(f, axis),
    );
    if (f.summary.stages.length > 1) charts.push(latencyPathChart(f.summary));
  }
  return charts;
}

/** The plain-words statement about throttling the one-minute view hides. */
export function hiddenThrottlingStatement(hidden: HiddenThrottling, summary: RunSummary): string {
  if (hidden.throttledMinutes === 0) {
    return "No shard throttled: per second and per minute, every shard stayed within its limits.";
  }
  if (hidden.hidden.length === 0) {
    return `Every minute in which a shard throttled (${hidden.throttledMinutes} shard-minutes) also averaged at or above the shard's limit: CloudWatch's one-minute data shows this throttling.`;
  }
  const lowest = Math.min(...hidden.hidden.map((h) => h.averageUtilization));
  const highest = Math.max(...hidden.hidden.map((h) => h.peakUtilization));
  const shards = new Set(hidden.hidden.map((h) => h.shard));
  const records = formatNumber(hidden.hiddenRecords);
  const onBytes = hidden.hidden.filter((h) => h.binding === "bytes").length;
  const recordsLimit = `${formatNumber(summary.stream.recordsPerSecondLimit)} records/s`;
  const bytesLimit = `${formatNumber(summary.stream.bytesPerSecondLimit / 1048576)} MiB/s`;
  const limit =
    onBytes === hidden.hidden.length
      ? `the limit of ${bytesLimit} per shard applies to each second (these seconds were over on bytes, not records)`
      : onBytes === 0
        ? `the limit of ${recordsLimit} per shard applies to each second`
        : `the limits of ${recordsLimit} and ${bytesLimit} per shard apply to each second (${onBytes} of these minutes went over on bytes, the others on records)`;
  return (
    `Hidden throttling: in ${hidden.hidden.length} of the ${hidden.throttledMinutes} shard-minutes that throttled, ` +
    `the shard's one-minute average demand stayed below its limit — as low as ${lowest.toFixed(0)}% — while its busiest second asked for ${highest.toFixed(0)}%. ` +
    `${records} records were throttled in those minutes on ${shards.size} shard${shards.size === 1 ? "" : "s"}. ` +
    `CloudWatch's one-minute metrics, and alarms on them, would not show why: ${limit}.`
  );
}

/**
 * cloudwatch.csv: per minute, the stream and every shard. IncomingRecords and IncomingBytes are
 * what CloudWatch publishes (accepted records and bytes): their Sum, the per-second average people
 * compute from it (Sum ÷ 60) and the busiest second — the same meaning on stream and shard rows.
 * Demand.* is what was asked of the limits: accepted plus throttled attempts, busiest second.
 * BindingLimit says which limit that busiest second of demand bound on (records or bytes), and
 * PeakDemandUtilization how close to (or over) it it came, in percent.
 */
export function cloudwatchCsv(data: ReportData, hidden: HiddenThrottling): string {
  const chunks: string[] = [];
  writeCloudwatchCsv(data, hidden, (chunk) => chunks.push(chunk));
  return chunks.join("");
}

/** cloudwatch.csv (see cloudwatchCsv), handed to `write` a few hundred rows at a time. */
export function writeCloudwatchCsv(
  data: ReportData,
  hidden: HiddenThrottling,
  write: (chunk: string) => void,
): void {
  const s = data.summary;
  const header = [
    "Minute",
    "Scope",
    "IncomingRecords.Sum",
    "IncomingRecords.PerSecondAverage",
    "IncomingRecords.PerSecondMaximum",
    "IncomingBytes.Sum",
    "IncomingBytes.PerSecondAverage",
    "IncomingBytes.PerSecondMaximum",
    "WriteProvisionedThroughputExceeded.Sum",
    "DemandRecords.PerSecondMaximum",
    "DemandBytes.PerSecondMaximum",
    "BindingLimit",
    "PeakDemandUtilization",
    "HiddenThrottling",
  ];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  // Encoded a few hundred rows at a time, as they are made: a day of 500 shards has 720,000
  // shard-minutes. Made all at once, and even encoded 5,000 at a time, the rows lived long enough
  // to reach the old heap, and the report peaked at 1.7 GB (1.05 GB encoded as they came; the
  // command line now also writes each chunk to the file at once, 80 MB for that day).
  let rows: (string | number)[][] = [header];
  const push = (cells: (string | number)[]) => {
    rows.push(cells);
    if (rows.length < CSV_ROWS_PER_CHUNK) return;
    write(stringify(rows));
    rows = [];
  };
  const hiddenKeys = new Set(hidden.hidden.map((h) => `${h.shard}\u0000${h.minute}`));
  const shardMinutes = data.shards.shardMinutes();
  let pending = shardMinutes.next();
  const row = (m: ShardMinute, scope: string, hiddenCell: string | number) => {
    const seconds = Math.min(60, s.durationSeconds - m.minute * 60);
    return [
      m.minute,
      scope,
      m.records,
      round(m.records / seconds),
      round(m.maxRecordsPerSecond),
      m.bytes,
      round(m.bytes / seconds),
      round(m.maxBytesPerSecond),
      m.throttled,
      round(m.maxDemandRecordsPerSecond),
      round(m.maxDemandBytesPerSecond),
      m.binding,
      round(m.peakDemandUtilization),
      hiddenCell,
    ];
  };
  for (const m of data.shards.streamMinuteList()) {
    push(row(m, "stream", ""));
    while (!pending.done && pending.value.minute === m.minute) {
      const sm = pending.value;
      push(row(sm, sm.shard, hiddenKeys.has(`${sm.shard}\u0000${sm.minute}`) ? 1 : 0));
      pending = shardMinutes.next();
    }
  }
  if (rows.length > 0) write(stringify(rows));
}

/** Rows of cloudwatch.csv encoded at a time (short-lived: they die young). */
const CSV_ROWS_PER_CHUNK = 500;

/** What to draw: charts (default true; without them nothing loads vega or resvg) and PNGs. */
export interface ReportOptions {
  charts?: boolean;
  png?: boolean;
  /** Where cloudwatch.csv goes chunk by chunk (a file): it is then not among the report's files. */
  writeCloudwatch?: (chunk: string) => void;
}

/** Builds every report file from a run's data. */
export async function buildReport(data: ReportData, options: ReportOptions = {}): Promise<Report> {
  const s = data.summary;
  const hidden = findHiddenThrottling(data.shards.shardMinutes(), {
    durationSeconds: s.durationSeconds,
    intervalSeconds: s.metricsIntervalSeconds,
    recordsPerSecondLimit: s.stream.recordsPerSecondLimit,
    bytesPerSecondLimit: s.stream.bytesPerSecondLimit,
  });
  const statement = hiddenThrottlingStatement(hidden, s);
  const drawn = options.charts !== false;
  const charts = drawn ? chartsOf(data) : [];
  const files: [string, string | Uint8Array][] = [];
  const logs = new Map<string, CompileLog>();
  const rendered = [];
  const images: Promise<Uint8Array>[] = [];
  for (const chart of charts) {
    // The chart stack (vega, vega-lite, resvg) loads on the first chart drawn, never without one.
    const out = await chartSvg(chart.spec);
    logs.set(chart.name, out.log);
    rendered.push({ chart, svg: out.svg });
    if (options.png === false) continue;
    // One PNG is drawn on another thread while the next chart's SVG is made; never more than one,
    // as a long run's charts hold large drawings (the first 6 h of the day of 500 shards peaked at
    // 377 MB with every chart's drawing in flight at once, 306 MB with one).
    await images.at(-1);
    const image = drawPng(out.svg);
    // A failed drawing is reported where it is awaited; meanwhile it is not an unhandled rejection.
    image.catch(() => {});
    images.push(image);
  }
  // cloudwatch.csv and index.html are made while the last PNG is drawn.
  let cloudwatch: string | undefined;
  if (options.writeCloudwatch) writeCloudwatchCsv(data, hidden, options.writeCloudwatch);
  else cloudwatch = cloudwatchCsv(data, hidden);
  const listed = [...new Set([...data.files, "cloudwatch.csv"])].sort();
  const html = reportHtml({
    summary: s,
    ...(data.description !== undefined ? { description: data.description } : {}),
    scenarioYaml: data.scenarioYaml,
    charts: drawn ? rendered : undefined,
    hidden,
    hiddenStatement: statement,
    files: listed,
  });
  const pngs = await Promise.all(images);
  rendered.forEach(({ chart, svg }, i) => {
    files.push([`${chart.name}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`]);
    files.push([`${chart.name}.svg`, svg]);
    if (options.png !== false) files.push([`${chart.name}.png`, pngs[i]!]);
  });
  if (cloudwatch !== undefined) files.push(["cloudwatch.csv", cloudwatch]);
  files.push(["index.html", html]);
  return { files, charts, hidden, statement, logs };
}

/** Report data from tables held in memory (the library API and tests; the CLI streams files). */
export function reportDataFromRows(
  summary: RunSummary,
  scenarioYaml: string,
  timeseries: readonly Row[],
  shardRows: readonly Row[],
  tableRows: (name: string) => readonly Row[] = () => [],
  files: string[] = ["timeseries.csv", "shards.csv", "summary.json", "summary.csv", "scenario.yaml"],
): ReportData {
  const shards = new ShardCollector({
    durationSeconds: summary.durationSeconds,
    intervalSeconds: summary.metricsIntervalSeconds,
    recordsPerSecondLimit: summary.stream.recordsPerSecondLimit,
    bytesPerSecondLimit: summary.stream.bytesPerSecondLimit,
    openShards: openShardsOf(timeseries),
  });
  const hottestShardRows: Row[] = [];
  for (const row of shardRows) {
    shards.add(row);
    if (row["ShardId"] === summary.hottestShard.shardId) hottestShardRows.push(row);
  }
  const consumers = summary.consumers.map((c) => ({
    name: c.name,
    kind: c.kind,
    rows: tableRows(`consumer-${c.name}`),
  }));
  const firehose = (summary.firehose ?? []).map((f) => ({
    summary: f,
    rows: tableRows(`firehose-${f.name}`),
    objects: tableRows(`firehose-${f.name}-objects`),
  }));
  const analytics = (summary.analytics ?? []).map((a) => ({
    summary: a,
    rows: tableRows(`analytics-${a.name}`),
  }));
  return {
    summary,
    scenarioYaml,
    timeseries: [...timeseries],
    shards,
    hottestShardRows,
    consumers,
    firehose,
    analytics,
    files,
  };
}
