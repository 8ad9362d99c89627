// `kinesim compare`: the scenario as written and each of its `variants` — e.g. a fixed stream and
// two scaling policies — run on the same seeded traffic, each with its own report, and one page
// comparing them: throttling, loss, latency, consumer lag, shards and shard-hours.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { RunSummary } from "../metrics/summary.js";
import { timeAxis } from "../report/charts.js";
import type { Row } from "../report/collect.js";
import { compareOverTime } from "../report/compare.js";
import { escapeHtml } from "../report/html.js";
import { renderChart } from "../report/render.js";
import { bytes, ms, seconds } from "../report/text.js";
import { ScenarioError } from "../scenario/load.js";
import { formatNumber } from "../scenario/units.js";
import { startCommand } from "./estimate.js";
import { shownPath } from "./files.js";
import { textTable } from "./human.js";
import { loadScenarioFile } from "./load.js";
import { type OverrideFlags, overridesOf } from "./overrides.js";
import { runCommand } from "./run.js";

/** Options of the compare command. */
export interface CompareOptions extends OverrideFlags {
  scenario: string;
  out?: string;
  set: string[];
  quiet: boolean;
  /** Run even when the comparison is estimated to take over an hour. */
  force?: boolean;
}

/**
 * What a compared number counts, which fixes its unit, how compare.csv / compare.json round it
 * (enough to tell runs apart, no float noise such as 1.5016289999999999) and how a person sees it.
 */
export const METRIC_KINDS = {
  /** A share from 0 to 1; six decimals resolve one record in a million. Shown as a percentage. */
  fraction: { decimals: 6, show: (v: number) => `${Number((100 * v).toPrecision(3))}%` },
  /** Whole records, objects, shards or actions. */
  count: { decimals: 0, show: (v: number) => formatNumber(v) },
  /** Milliseconds; three decimals are the engine's microsecond. */
  ms: { decimals: 3, show: ms },
  /** Seconds; three decimals are a millisecond. */
  seconds: { decimals: 3, show: (v: number) => seconds(v) },
  /** Hours (shard-hours); six decimals keep a shard-second (0.000278 h). */
  hours: { decimals: 6, show: (v: number) => formatNumber(v, 2) },
  /** Bytes, whole. Shown with an IEC unit. */
  bytes: { decimals: 0, show: bytes },
} as const;

/** A kind of compared number. */
export type MetricKind = keyof typeof METRIC_KINDS;

/** Rounds a compared value as its kind says (and turns -0 into 0). */
export function roundMetric(kind: MetricKind, value: number): number {
  const f = 10 ** METRIC_KINDS[kind].decimals;
  return Math.round(value * f) / f + 0;
}

/** A headline number of a run, shown for every run compared. */
interface Metric {
  /** Column of compare.csv and key of compare.json: camelCase, ending in its unit. */
  key: string;
  /** Column of the comparison page and the terminal. */
  header: string;
  kind: MetricKind;
  value: (s: RunSummary) => number;
}

const firehoseOf = (s: RunSummary) => s.firehose ?? [];

/** The metrics worth comparing for runs like these: stream, consumers, capacity, delivery streams. */
function metricsFor(summaries: readonly RunSummary[]): Metric[] {
  const any = (f: (s: RunSummary) => boolean) => summaries.some(f);
  const metrics: Metric[] = [];
  if (any((s) => s.stream.declared !== false)) {
    metrics.push(
      {
        key: "firstAttemptThrottledFraction",
        header: "throttled (first attempt)",
        kind: "fraction",
        value: (s) => s.throttle.firstAttemptFraction,
      },
      { key: "putLatencyP99Ms", header: "put p99", kind: "ms", value: (s) => s.putLatencyMs.p99 },
    );
  }
  metrics.push({ key: "droppedRecords", header: "dropped", kind: "count", value: (s) => s.ledger.dropped });
  if (any((s) => s.consumers.some((c) => (c.order?.checked ?? 0) > 0))) {
    metrics.push({
      key: "outOfKeyOrderRecords",
      header: "out of key order",
      kind: "count",
      value: (s) => s.consumers.reduce((a, c) => a + (c.order?.outOfOrder ?? 0), 0),
    });
  }
  if (any((s) => s.consumers.length > 0)) {
    metrics.push({
      key: "maxConsumerLagSeconds",
      header: "max consumer lag",
      kind: "seconds",
      value: (s) =>
        Math.max(
          0,
          ...s.consumers.map((c) => Math.max(c.iteratorAgeMaxMs, c.millisBehindLatestMaxMs) / 1000),
        ),
    });
  }
  if (any((s) => s.stream.declared !== false)) {
    metrics.push(
      { key: "shardHours", header: "shard-hours", kind: "hours", value: (s) => s.capacity.shardHours },
      {
        key: "maxOpenShards",
        header: "max shards",
        kind: "count",
        value: (s) => s.capacity.maxOpenShards,
      },
      {
        key: "capacityActionsDone",
        header: "capacity actions",
        kind: "count",
        value: (s) => s.capacity.actionsDone,
      },
      {
        key: "capacityActionsRefused",
        header: "refused actions",
        kind: "count",
        value: (s) => s.capacity.actionsRefused,
      },
    );
  }
  if (any((s) => firehoseOf(s).length > 0)) {
    const sum = (s: RunSummary, f: (x: ReturnType<typeof firehoseOf>[number]) => number) =>
      firehoseOf(s).reduce((a, x) => a + f(x), 0);
    metrics.push(
      {
        key: "firehoseThrottledRecords",
        header: "Firehose throttled",
        kind: "count",
        value: (s) => sum(s, (f) => f.throttledRecords),
      },
      { key: "objectCount", header: "objects", kind: "count", value: (s) => sum(s, (f) => f.objects) },
      {
        key: "objectMeanBytes",
        header: "mean object",
        kind: "bytes",
        value: (s) => {
          const objects = sum(s, (f) => f.objects);
          return objects > 0 ? sum(s, (f) => f.objectBytesMean * f.objects) / objects : 0;
        },
      },
      {
        key: "deliveryP99Ms",
        header: "ingest to delivery p99",
        kind: "ms",
        value: (s) => Math.max(0, ...firehoseOf(s).map((f) => f.deliveryLatencyMs.p99)),
      },
      {
        key: "maxDataFreshnessSeconds",
        header: "max DataFreshness",
        kind: "seconds",
        value: (s) => Math.max(0, ...firehoseOf(s).map((f) => f.maxDataFreshnessSeconds)),
      },
      {
        key: "backedUpOrLostRecords",
        header: "backed up or lost",
        kind: "count",
        value: (s) => sum(s, (f) => f.backupRecords + f.lostRecords),
      },
    );
  }
  return metrics;
}

/** One compared run's headline numbers. */
type Line = { variant: string } & Record<string, number | string>;

/**
 * The comparison table: a line per run with each metric rounded by its kind. Plain numbers, no
 * separators: compare.csv and compare.json are read by programs; people get `show`.
 */
export function compareLines(
  variants: readonly string[],
  summaries: readonly RunSummary[],
): { metrics: Metric[]; lines: Line[] } {
  const metrics = metricsFor(summaries);
  const lines = summaries.map((summary, i) => ({
    variant: variants[i]!,
    ...Object.fromEntries(metrics.map((m) => [m.key, roundMetric(m.kind, m.value(summary))])),
  }));
  return { metrics, lines };
}

/** A metric's value as a person reads it. */
const shown = (m: Metric, line: Line) => METRIC_KINDS[m.kind].show(Number(line[m.key]));

/** Runs every variant; returns the exit code (1 when any run misses an SLO). */
export async function compareCommand(options: CompareOptions): Promise<number> {
  const { scenario } = loadScenarioFile(options.scenario, overridesOf(options));
  if (scenario.variants.length === 0) {
    throw new ScenarioError([
      {
        file: options.scenario,
        path: "variants",
        message:
          "the scenario lists no variants to compare; add `variants: [{ name, set: { path: value } }]`",
      },
    ]);
  }
  const out = resolve(options.out ?? `reports/${scenario.name}-compare`);
  mkdirSync(out, { recursive: true });
  const runs = [
    { name: "as-written", set: [] as string[] },
    ...scenario.variants.map((v) => ({
      name: v.name,
      set: Object.entries(v.set).map(([path, value]) => `${path}=${JSON.stringify(value)}`),
    })),
  ];
  let code = 0;
  const summaries: RunSummary[] = [];
  const series: { label: string; rows: Row[] }[] = [];
  const firehoseSeries = new Map<string, { label: string; rows: Row[] }[]>();
  const prefixes = new Map<string, string>();
  // The runs go one after the other (each writes a report); the estimate is for all of them.
  const progress = startCommand(`compare of ${scenario.name}`, scenario, runs.length, 1, options);
  for (const [index, run] of runs.entries()) {
    const dir = join(out, run.name);
    let exit: number;
    try {
      exit = await runCommand({
        scenario: options.scenario,
        out: dir,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.duration !== undefined ? { duration: options.duration } : {}),
        ...(options.resolution !== undefined ? { resolution: options.resolution } : {}),
        set: [...options.set, ...run.set],
        quiet: true,
        force: true,
        progress: { progress, run: index },
      });
    } catch (error) {
      progress.stop();
      throw error;
    }
    if (exit !== 0) code = exit;
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as RunSummary;
    const rows = parse(readFileSync(join(dir, "timeseries.csv"), "utf8"), {
      columns: true,
      cast: true,
    }) as Row[];
    series.push({ label: run.name, rows });
    summaries.push(summary);
    for (const f of summary.firehose ?? []) {
      const file = join(dir, `firehose-${f.name}.csv`);
      const list = firehoseSeries.get(f.name) ?? [];
      list.push({
        label: run.name,
        rows: parse(readFileSync(file, "utf8"), { columns: true, cast: true }) as Row[],
      });
      firehoseSeries.set(f.name, list);
      prefixes.set(f.name, f.metricPrefix);
    }
  }
  progress.stop();
  const { metrics, lines } = compareLines(
    runs.map((r) => r.name),
    summaries,
  );
  writeFileSync(
    join(out, "compare.json"),
    `${JSON.stringify({ scenario: scenario.name, seed: scenario.seed, runs: lines }, null, 2)}\n`,
  );
  writeFileSync(join(out, "compare.csv"), stringify(lines, { header: true }));
  const axis = timeAxis(scenario.duration / 1e6);
  const interval = scenario.metricsInterval / 1e6;
  const charts = [];
  if (summaries.some((x) => x.stream.declared !== false)) {
    charts.push(
      compareOverTime(
        "compare-shards",
        "Open shards",
        "Open shards over time in each run.",
        series,
        (r) => Number(r["OpenShards"]),
        "shards",
        axis.divisor,
        axis.title,
      ),
      compareOverTime(
        "compare-throttled",
        "Throttled records per second",
        "WriteProvisionedThroughputExceeded per second in each run.",
        series,
        (r) => Number(r["WriteProvisionedThroughputExceeded"]) / interval,
        "records/s",
        axis.divisor,
        axis.title,
      ),
    );
  }
  for (const [name, runsOf] of firehoseSeries) {
    const prefix = prefixes.get(name)!;
    charts.push(
      compareOverTime(
        `compare-${name}-freshness`,
        `DataFreshness of ${name}`,
        `${prefix}.DataFreshness (age of the oldest record not yet delivered) in each run.`,
        runsOf,
        (r) => Number(r[`${prefix}.DataFreshness`]),
        "seconds",
        axis.divisor,
        axis.title,
      ),
      compareOverTime(
        `compare-${name}-objects`,
        `Objects written by ${name}`,
        "Objects (or batches) written to the destination per second in each run.",
        runsOf,
        (r) => Number(r[`${prefix}.ObjectCount`]) / interval,
        "objects/s",
        axis.divisor,
        axis.title,
      ),
    );
  }
  const rendered = [];
  for (const chart of charts) {
    const { svg } = await renderChart(chart.spec, { png: false });
    writeFileSync(join(out, `${chart.name}.vl.json`), `${JSON.stringify(chart.spec, null, 2)}\n`);
    writeFileSync(join(out, `${chart.name}.svg`), svg);
    rendered.push({ chart, svg });
  }
  writeFileSync(join(out, "index.html"), comparisonHtml(scenario.name, lines, metrics, rendered));
  if (!options.quiet) {
    process.stdout.write(
      `${scenario.name}: ${lines.length} runs on the same traffic (seed ${scenario.seed})\n`,
    );
    process.stdout.write(
      textTable(
        ["run", ...metrics.map((m) => m.header)],
        lines.map((l) => [String(l["variant"]), ...metrics.map((m) => shown(m, l))]),
        "  ",
      ),
    );
    process.stdout.write(
      `wrote ${shownPath(out)}/index.html (and compare.csv, compare.json, one report per run)\n`,
    );
  }
  return code;
}

function comparisonHtml(
  name: string,
  lines: Line[],
  metrics: Metric[],
  charts: { chart: { name: string; title: string; caption: string }; svg: string }[],
): string {
  const header = `<tr><th>run</th>${metrics.map((m) => `<th>${escapeHtml(m.header)}</th>`).join("")}</tr>`;
  const rows = lines
    .map(
      (l) =>
        `<tr><td><a href="${encodeURI(l.variant)}/index.html">${escapeHtml(l.variant)}</a></td>${metrics.map((m) => `<td>${escapeHtml(shown(m, l))}</td>`).join("")}</tr>`,
    )
    .join("");
  const figures = charts
    .map(
      ({ chart, svg }) =>
        `<figure>${svg}<figcaption><strong>${escapeHtml(chart.title)}.</strong> ${escapeHtml(chart.caption)}</figcaption></figure>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kinesim · ${escapeHtml(name)} compared</title>
<style>body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}th,td{border:1px solid #e0e0e0;padding:.25rem .6rem;text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f5f5f5}figure svg{max-width:100%;height:auto}</style>
</head><body>
<h1>${escapeHtml(name)}: runs compared</h1>
<p>Every run uses the same seed, so the producers offer exactly the same traffic; only the settings of each variant differ.</p>
<table>${header}${rows}</table>
${figures}
</body></html>
`;
}
