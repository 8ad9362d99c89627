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
import { ScenarioError } from "../scenario/load.js";
import { startCommand } from "./estimate.js";
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

/** A headline number of a run, shown for every run compared. */
interface Metric {
  key: string;
  header: string;
  value: (s: RunSummary) => number;
  show: (v: number) => string;
}

const num = (v: number) => v.toLocaleString("en-US");
const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
const millis = (v: number) => `${Math.round(v).toLocaleString("en-US")} ms`;
const seconds = (v: number) => `${v.toFixed(1)} s`;
const mib = (v: number) => `${(v / 1024 / 1024).toFixed(2)} MiB`;
const firehoseOf = (s: RunSummary) => s.firehose ?? [];

/** The metrics worth comparing for runs like these: stream, consumers, capacity, delivery streams. */
function metricsFor(summaries: readonly RunSummary[]): Metric[] {
  const any = (f: (s: RunSummary) => boolean) => summaries.some(f);
  const metrics: Metric[] = [];
  if (any((s) => s.stream.declared !== false)) {
    metrics.push(
      {
        key: "firstAttemptThrottled",
        header: "throttled (first attempt)",
        value: (s) => s.throttle.firstAttemptFraction,
        show: percent,
      },
      { key: "putLatencyP99Ms", header: "put p99", value: (s) => s.putLatencyMs.p99, show: millis },
    );
  }
  metrics.push({ key: "dropped", header: "dropped", value: (s) => s.ledger.dropped, show: num });
  if (any((s) => s.consumers.some((c) => (c.order?.checked ?? 0) > 0))) {
    metrics.push({
      key: "outOfKeyOrder",
      header: "out of key order",
      value: (s) => s.consumers.reduce((a, c) => a + (c.order?.outOfOrder ?? 0), 0),
      show: num,
    });
  }
  if (any((s) => s.consumers.length > 0)) {
    metrics.push({
      key: "maxConsumerLagSeconds",
      header: "max consumer lag",
      value: (s) =>
        Math.max(
          0,
          ...s.consumers.map((c) => Math.max(c.iteratorAgeMaxMs, c.millisBehindLatestMaxMs) / 1000),
        ),
      show: seconds,
    });
  }
  if (any((s) => s.stream.declared !== false)) {
    metrics.push(
      {
        key: "shardHours",
        header: "shard-hours",
        value: (s) => s.capacity.shardHours,
        show: (v) => v.toFixed(2),
      },
      { key: "maxOpenShards", header: "max shards", value: (s) => s.capacity.maxOpenShards, show: num },
      { key: "capacityActions", header: "capacity actions", value: (s) => s.capacity.actionsDone, show: num },
      {
        key: "refusedActions",
        header: "refused actions",
        value: (s) => s.capacity.actionsRefused,
        show: num,
      },
    );
  }
  if (any((s) => firehoseOf(s).length > 0)) {
    const sum = (s: RunSummary, f: (x: ReturnType<typeof firehoseOf>[number]) => number) =>
      firehoseOf(s).reduce((a, x) => a + f(x), 0);
    metrics.push(
      {
        key: "firehoseThrottled",
        header: "Firehose throttled",
        value: (s) => sum(s, (f) => f.throttledRecords),
        show: num,
      },
      { key: "objects", header: "objects", value: (s) => sum(s, (f) => f.objects), show: num },
      {
        key: "objectBytesMean",
        header: "mean object",
        value: (s) => {
          const objects = sum(s, (f) => f.objects);
          return objects > 0 ? sum(s, (f) => f.objectBytesMean * f.objects) / objects : 0;
        },
        show: mib,
      },
      {
        key: "deliveryP99Ms",
        header: "ingest to delivery p99",
        value: (s) => Math.max(0, ...firehoseOf(s).map((f) => f.deliveryLatencyMs.p99)),
        show: millis,
      },
      {
        key: "maxFreshnessSeconds",
        header: "max DataFreshness",
        value: (s) => Math.max(0, ...firehoseOf(s).map((f) => f.maxDataFreshnessSeconds)),
        show: seconds,
      },
      {
        key: "backedUpOrLost",
        header: "backed up or lost",
        value: (s) => sum(s, (f) => f.backupRecords + f.lostRecords),
        show: num,
      },
    );
  }
  return metrics;
}

/** One compared run's headline numbers. */
type Line = { variant: string } & Record<string, number | string>;

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
  const metrics = metricsFor(summaries);
  const lines: Line[] = summaries.map((summary, i) => ({
    variant: runs[i]!.name,
    ...Object.fromEntries(metrics.map((m) => [m.key, m.value(summary)])),
  }));
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
        lines.map((l) => [l.variant, ...metrics.map((m) => m.show(Number(l[m.key])))]),
        "  ",
      ),
    );
    process.stdout.write(`wrote ${out}/index.html (and compare.csv, compare.json, one report per run)\n`);
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
        `<tr><td><a href="${encodeURI(l.variant)}/index.html">${escapeHtml(l.variant)}</a></td>${metrics.map((m) => `<td>${escapeHtml(m.show(Number(l[m.key])))}</td>`).join("")}</tr>`,
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
