// Readers of exported CloudWatch metrics: `aws cloudwatch get-metric-data` JSON
// (MetricDataResults with Id, Label, Timestamps, Values) and CSV with a time column and one column
// per series. A series is recognised by the metric name in its label (or id), a shard by a shard
// id there (`IncomingRecords shardId-000000000001`).

import { parse as parseCsv } from "csv-parse/sync";
import { formatPath, type Problems, type SourceFile } from "./source.js";
import { type ImportedSystem, METRICS, type MetricName } from "./system.js";

/** Metric names, longest first, with punctuation dropped (ids cannot hold dots). */
const MATCHERS = [...METRICS]
  .map((metric) => ({ metric, key: squash(metric) }))
  .sort((a, b) => b.key.length - a.key.length);

function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** The metric a label or id names, if any. */
export function metricOf(label: string): MetricName | undefined {
  const key = squash(label);
  return MATCHERS.find((m) => key.includes(m.key))?.metric;
}

/** The shard a label or id names (`shardId-000000000001`, or `shard_000000000001` in an id). */
export function shardOf(label: string): string | undefined {
  const m = /shard(?:id)?[-_]?(\d{12})/i.exec(label);
  return m ? `shardId-${m[1]}` : undefined;
}

/** A time as CloudWatch writes it (ISO 8601) or epoch seconds; ms since the epoch. */
function timeOf(value: unknown): number | undefined {
  if (typeof value === "number") return value * 1000;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Points sorted oldest first, on a regular grid: CloudWatch leaves out periods without data, and
 * for sums (records, bytes, throttles) a missing period is a zero.
 */
function regular(points: { t: number; v: number }[]): {
  timesMs: number[];
  values: number[];
  periodSeconds: number;
} {
  points.sort((a, b) => a.t - b.t);
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < points.length; i++) step = Math.min(step, points[i]!.t - points[i - 1]!.t);
  if (!Number.isFinite(step) || step <= 0) step = 60_000;
  const timesMs: number[] = [];
  const values: number[] = [];
  const first = points[0]?.t ?? 0;
  for (const p of points) {
    const index = Math.round((p.t - first) / step);
    while (timesMs.length < index) {
      timesMs.push(first + timesMs.length * step);
      values.push(0);
    }
    if (timesMs.length === index) {
      timesMs.push(p.t);
      values.push(p.v);
    }
  }
  return { timesMs, values, periodSeconds: step / 1000 };
}

/** `aws cloudwatch get-metric-data` output. */
export function readMetricData(src: SourceFile, system: ImportedSystem): void {
  const results = src.list(["MetricDataResults"], true) ?? [];
  results.forEach((_, i) => {
    const at = ["MetricDataResults", i];
    const label = src.string([...at, "Label"]) ?? src.string([...at, "Id"]) ?? "";
    const id = src.string([...at, "Id"]) ?? "";
    const metric = metricOf(label) ?? metricOf(id);
    if (!metric) {
      src.problem(
        [...at, "Label"],
        `no metric kinesim reads in label ${JSON.stringify(label)} or id ${JSON.stringify(id)}: expected one of ${METRICS.join(", ")} in the query's Label`,
      );
      return;
    }
    const times = src.list([...at, "Timestamps"], true);
    const values = src.list([...at, "Values"], true);
    if (!times || !values) return;
    if (times.length !== values.length) {
      src.problem(
        [...at, "Values"],
        `${values.length} values for ${times.length} timestamps: each Values[x] belongs to Timestamps[x]`,
      );
      return;
    }
    const points: { t: number; v: number }[] = [];
    times.forEach((t, j) => {
      const ms = timeOf(t);
      const v = src.number([...at, "Values", j], { min: 0 });
      if (ms === undefined)
        src.problem([...at, "Timestamps", j], `expected an ISO 8601 time, got ${JSON.stringify(t)}`);
      else if (v !== undefined) points.push({ t: ms, v });
    });
    if (src.string([...at, "StatusCode"]) === "PartialData")
      system.notes.push(
        `${src.where([...at, "StatusCode"])}: PartialData — the export stopped before the end of its range (fetch the rest with NextToken)`,
      );
    if (points.length === 0) return;
    const shardId = shardOf(label) ?? shardOf(id);
    system.series.push({
      metric,
      label: `${label} ${id}`,
      ...(shardId ? { shardId } : {}),
      ...regular(points),
      file: src.file,
      path: formatPath(at),
      from: src.where(at),
    });
  });
}

/** CloudWatch metrics as CSV: a time column first, then one column per series (named by its label). */
export function readMetricCsv(file: string, text: string, system: ImportedSystem, problems: Problems): void {
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: false, skip_empty_lines: true, trim: true }) as string[][];
  } catch (error) {
    problems.add({ file, path: "", message: `not valid CSV: ${(error as Error).message.split("\n")[0]}` });
    return;
  }
  const header = rows[0];
  if (!header || header.length < 2 || rows.length < 2) {
    problems.add({
      file,
      path: "",
      message: "expected a header row (a time column, then metric columns) and data rows",
    });
    return;
  }
  header.slice(1).forEach((label, c) => {
    const column = c + 1;
    const metric = metricOf(label);
    if (!metric) {
      problems.add({
        file,
        path: `column ${JSON.stringify(label)}`,
        line: 1,
        column: column + 1,
        message: `no metric kinesim reads in this header: expected one of ${METRICS.join(", ")}`,
      });
      return;
    }
    const points: { t: number; v: number }[] = [];
    for (let r = 1; r < rows.length; r++) {
      const cell = rows[r]![column] ?? "";
      const t = timeOf(rows[r]![0]);
      if (t === undefined) {
        problems.add({
          file,
          path: `row ${r + 1}`,
          line: r + 1,
          column: 1,
          message: `expected a time (ISO 8601 or epoch seconds), got ${JSON.stringify(rows[r]![0])}`,
        });
        return;
      }
      if (cell === "") continue;
      const v = Number(cell);
      if (!Number.isFinite(v) || v < 0) {
        problems.add({
          file,
          path: `row ${r + 1}, column ${JSON.stringify(label)}`,
          line: r + 1,
          column: column + 1,
          message: `expected a number ≥ 0, got ${JSON.stringify(cell)}`,
        });
        return;
      }
      points.push({ t, v });
    }
    if (points.length === 0) return;
    const shardId = shardOf(label);
    system.series.push({
      metric,
      label,
      ...(shardId ? { shardId } : {}),
      ...regular(points),
      file,
      path: `column ${JSON.stringify(label)}`,
      from: `${file}: column ${JSON.stringify(label)}`,
    });
  });
}

/** Assigns each series to a stream: the one its label names, or the only one imported. */
export function assignStreams(system: ImportedSystem, problems: Problems): void {
  const names = system.streams.map((s) => s.name).sort((a, b) => b.length - a.length);
  for (const series of system.series) {
    if (series.stream !== undefined) continue;
    const named = names.find((n) => series.label.split(/[\s,;|/]+/).includes(n));
    if (named) series.stream = named;
    else if (system.streams.length === 1) series.stream = system.streams[0]!.name;
    else if (system.streams.length === 0) {
      problems.add({
        file: series.file,
        path: series.path,
        message:
          "metrics without a stream: import them together with the stream's describe-stream(-summary) output or its template",
      });
    } else {
      problems.add({
        file: series.file,
        path: series.path,
        message: `the label does not name one of the streams (${names.join(", ")}): put the stream name in the query's Label`,
      });
    }
  }
}
