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
import { loadScenarioFile } from "./load.js";
import { overridesOf, runCommand } from "./run.js";

/** Options of the compare command. */
export interface CompareOptions {
  scenario: string;
  out?: string;
  set: string[];
  quiet: boolean;
}

/** One compared run's headline numbers. */
interface Line {
  variant: string;
  firstAttemptThrottled: number;
  dropped: number;
  putLatencyP99Ms: number;
  maxConsumerLagSeconds: number;
  shardHours: number;
  maxOpenShards: number;
  openShardsAtEnd: number;
  capacityActions: number;
  refusedActions: number;
}

/** Runs every variant; returns the exit code (1 when any run misses an SLO). */
export async function compareCommand(options: CompareOptions): Promise<number> {
  const { scenario } = loadScenarioFile(
    options.scenario,
    overridesOf({ scenario: options.scenario, set: options.set }),
  );
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
  const lines: Line[] = [];
  const series: { label: string; rows: Row[] }[] = [];
  for (const run of runs) {
    const dir = join(out, run.name);
    const exit = await runCommand({
      scenario: options.scenario,
      out: dir,
      set: [...options.set, ...run.set],
      quiet: true,
    });
    if (exit !== 0) code = exit;
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as RunSummary;
    const rows = parse(readFileSync(join(dir, "timeseries.csv"), "utf8"), {
      columns: true,
      cast: true,
    }) as Row[];
    series.push({ label: run.name, rows });
    lines.push({
      variant: run.name,
      firstAttemptThrottled: summary.throttle.firstAttemptFraction,
      dropped: summary.records.dropped,
      putLatencyP99Ms: summary.putLatencyMs.p99,
      maxConsumerLagSeconds: Math.max(
        0,
        ...summary.consumers.map((c) => Math.max(c.iteratorAgeMaxMs, c.millisBehindLatestMaxMs) / 1000),
      ),
      shardHours: summary.capacity.shardHours,
      maxOpenShards: summary.capacity.maxOpenShards,
      openShardsAtEnd: summary.capacity.openShardsAtEnd,
      capacityActions: summary.capacity.actionsDone,
      refusedActions: summary.capacity.actionsRefused,
    });
  }
  writeFileSync(
    join(out, "compare.json"),
    `${JSON.stringify({ scenario: scenario.name, seed: scenario.seed, runs: lines }, null, 2)}\n`,
  );
  writeFileSync(join(out, "compare.csv"), stringify(lines, { header: true }));
  const axis = timeAxis(scenario.duration / 1e6);
  const interval = scenario.metricsInterval / 1e6;
  const charts = [
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
  ];
  const rendered = [];
  for (const chart of charts) {
    const { svg } = await renderChart(chart.spec, { png: false });
    writeFileSync(join(out, `${chart.name}.vl.json`), `${JSON.stringify(chart.spec, null, 2)}\n`);
    writeFileSync(join(out, `${chart.name}.svg`), svg);
    rendered.push({ chart, svg });
  }
  writeFileSync(join(out, "index.html"), comparisonHtml(scenario.name, lines, rendered));
  if (!options.quiet) {
    process.stdout.write(
      `${scenario.name}: ${lines.length} runs on the same traffic (seed ${scenario.seed})\n`,
    );
    for (const l of lines) {
      process.stdout.write(
        `  ${l.variant.padEnd(18)} throttled ${(100 * l.firstAttemptThrottled).toFixed(2).padStart(6)}%  dropped ${String(l.dropped).padStart(8)}  p99 ${Math.round(l.putLatencyP99Ms).toString().padStart(6)} ms  lag ${l.maxConsumerLagSeconds.toFixed(1).padStart(7)} s  shard-hours ${l.shardHours.toFixed(2).padStart(8)}  shards ≤ ${l.maxOpenShards}\n`,
      );
    }
    process.stdout.write(`wrote ${out}/index.html (and compare.csv, compare.json, one report per run)\n`);
  }
  return code;
}

function comparisonHtml(
  name: string,
  lines: Line[],
  charts: { chart: { name: string; title: string; caption: string }; svg: string }[],
): string {
  const rows = lines
    .map(
      (l) =>
        `<tr><td><a href="${encodeURI(l.variant)}/index.html">${escapeHtml(l.variant)}</a></td><td>${(100 * l.firstAttemptThrottled).toFixed(2)}%</td><td>${l.dropped.toLocaleString("en-US")}</td><td>${Math.round(l.putLatencyP99Ms).toLocaleString("en-US")} ms</td><td>${l.maxConsumerLagSeconds.toFixed(1)} s</td><td>${l.shardHours.toFixed(2)}</td><td>${l.maxOpenShards}</td><td>${l.capacityActions}${l.refusedActions > 0 ? ` (${l.refusedActions} refused)` : ""}</td></tr>`,
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
<table><tr><th>run</th><th>throttled (first attempt)</th><th>dropped</th><th>put p99</th><th>max consumer lag</th><th>shard-hours</th><th>max shards</th><th>capacity actions</th></tr>${rows}</table>
${figures}
</body></html>
`;
}
