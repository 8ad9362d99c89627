// `kinesim plan`: the smallest provisioned shard count that meets every SLO on every one of R
// seeds, found by simulation, with the closed-form answers beside it and the reason they differ;
// infeasible plans say why; `--current N` adds the UpdateShardCount calls that get there.

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "csv-stringify/sync";
import { stringify as toYaml } from "yaml";
import type { RunSummary } from "../metrics/summary.js";
import { evaluateSlo } from "../model/summarize.js";
import { billOf } from "../plan/bill.js";
import {
  closedForm,
  type Evaluation,
  hotKeyBound,
  offeredTraffic,
  searchShards,
  updateSchedule,
} from "../plan/plan.js";
import { replicationSeeds } from "../plan/sweep.js";
import { planChart } from "../report/plan-charts.js";
import { renderChart } from "../report/render.js";
import type { Override } from "../scenario/load.js";
import { unmeasurableSlos } from "../scenario/slo-scope.js";
import { formatDuration } from "../scenario/units.js";
import { UserInputError } from "./errors.js";
import { startCommand } from "./estimate.js";
import { shownPath } from "./files.js";
import { loadScenarioFile } from "./load.js";
import { type OverrideFlags, overridesOf } from "./overrides.js";
import { SimPool } from "./pool.js";
import { loadPrices } from "./prices.js";

/** Options of the plan command. */
export interface PlanOptions extends OverrideFlags {
  scenario: string;
  /** SLOs as `name<value` or `name<=value`, e.g. `putLatencyP99<2s`. */
  slo?: string[];
  seeds?: number;
  workers?: number;
  /** The stream's shard count today: prints the UpdateShardCount calls to the plan. */
  current?: number;
  /** The largest count to try (default: 8 × the peak closed form, at least 64). */
  max?: number;
  set?: string[];
  out?: string;
  prices?: string;
  quiet?: boolean;
  /** Run even when the plan is estimated to take over an hour. */
  force?: boolean;
}

/** `--slo putLatencyP99<2s` as the override `slo.putLatencyP99="< 2s"`. */
export function sloOverride(text: string): Override {
  const m = /^\s*([A-Za-z0-9]+)\s*(<=|<)\s*(.+?)\s*$/.exec(text);
  if (!m)
    throw new UserInputError(
      `--slo ${text}: expected name<value, e.g. putLatencyP99<2s or writeThrottledFraction<0.1%`,
    );
  return { path: `slo.${m[1]}`, value: JSON.stringify(`${m[2]} ${m[3]}`) };
}

/** Runs the plan; returns 0 when a shard count meets every SLO, 1 when none does. */
export async function planCommand(options: PlanOptions): Promise<number> {
  const seeds = options.seeds ?? 3;
  const base = [
    ...overridesOf(options),
    ...(options.slo ?? []).map(sloOverride),
    // The plan is for provisioned shards, fixed for the run: policies and timetables go.
    { path: "stream.mode", value: "provisioned" },
    { path: "scaling", value: "null" },
    { path: "events", value: "null" },
    { path: "variants", value: "null" },
  ];
  const { scenario } = loadScenarioFile(options.scenario, base);
  if (!scenario.streamDeclared)
    throw new UserInputError(`${options.scenario}: no Kinesis stream to plan shards for`);
  const slo = scenario.slo ?? {};
  if (Object.keys(slo).length === 0)
    throw new UserInputError(
      `${options.scenario}: no SLOs to plan for: add an slo: section, or --slo putLatencyP99<2s (and others)`,
    );
  // A plan is judged by its SLOs: one with nothing to measure would pass at any shard count.
  const unmeasured = Object.entries(unmeasurableSlos(scenario));
  if (unmeasured.length > 0)
    throw new UserInputError(
      unmeasured
        .map(
          ([name, reason]) =>
            `${options.scenario}: slo.${name} has nothing to measure (${reason}), so it cannot judge a plan: remove it (--set slo.${name}=null) or add what it measures`,
        )
        .join("\n"),
    );
  const prices = loadPrices(options.prices);
  const traffic = offeredTraffic(scenario);
  const forms = closedForm(traffic);
  const hotKey = hotKeyBound(scenario);
  const max = options.max ?? Math.max(64, 8 * forms.peak);
  const seedList = replicationSeeds(scenario.seed, seeds);
  const workers = Math.min(options.workers ?? availableParallelism(), seeds);
  // A bisection between the formula's count and the largest, a check above, and a few more.
  const expectedRuns = seeds * (Math.ceil(Math.log2(Math.max(2, max / Math.max(1, forms.aws)))) + 3);
  const progress = startCommand(`plan of ${scenario.name}`, scenario, expectedRuns, workers, options);
  let runsStarted = 0;
  const pool = new SimPool(workers);
  const summaries = new Map<number, RunSummary[]>();
  const evaluate = async (shards: number): Promise<Evaluation> => {
    const first = runsStarted;
    runsStarted += seeds;
    progress.setRuns(Math.max(expectedRuns, runsStarted));
    const results = await pool.run(
      seedList.map((seed) => ({
        scenario: options.scenario,
        overrides: [
          ...base,
          { path: "stream.shards", value: String(shards) },
          { path: "seed", value: JSON.stringify(seed) },
        ],
      })),
      (i, us) => progress.update(first + i, us),
    );
    summaries.set(
      shards,
      results.map((r) => r.summary),
    );
    const verdicts = results.map((r) => evaluateSlo(scenario, r.summary));
    const metrics = verdicts[0]!.map((v, i) => {
      // Every SLO is measurable here (checked before the search), so every value is a number.
      const values = verdicts.map((vs) => vs[i]!.actual ?? Number.NaN);
      return {
        name: v.name,
        mean: values.reduce((a, x) => a + x, 0) / values.length,
        worst: Math.max(...values),
        threshold: thresholdOf(scenario.slo!, v.name, v.unit),
        unit: v.unit,
        met: verdicts.filter((vs) => vs[i]!.verdict === "met").length,
      };
    });
    const cost =
      results.reduce((a, r) => a + billOf(r.usage, "provisioned", prices).monthlyTotal, 0) / results.length;
    return {
      shards,
      pass: verdicts.every((vs) => vs.every((v) => v.verdict === "met")),
      metrics,
      monthlyCost: cost,
    };
  };
  let result: Awaited<ReturnType<typeof searchShards>>;
  try {
    // A key over one shard's limit: try a generous count first; if even that fails, stop there.
    if (hotKey) {
      const probe = await evaluate(Math.min(max, Math.max(2 * forms.peak, forms.peak + 4)));
      result = probe.pass
        ? await searchShards(evaluate, Math.max(forms.aws, 1), max)
        : { evaluations: [probe], monotone: true, scanned: false };
    } else result = await searchShards(evaluate, Math.max(forms.aws, 1), max);
  } finally {
    progress.stop();
    await pool.destroy();
  }
  const out = resolve(options.out ?? `reports/${scenario.name}-plan`);
  mkdirSync(out, { recursive: true });
  const chosenRuns = result.chosen !== undefined ? summaries.get(result.chosen) : undefined;
  const why = explain(result.chosen, forms, traffic, chosenRuns, result.evaluations);
  const schedule =
    options.current !== undefined && result.chosen !== undefined
      ? updateSchedule(options.current, result.chosen, scenario.stream.updating.updateShardCount / 1e6)
      : [];
  writePlanFiles(out, result.evaluations, result.chosen, forms, seeds, schedule, why, hotKey);
  const points = result.evaluations.flatMap((e) =>
    e.metrics.map((m) => ({
      shards: e.shards,
      metric: m.name,
      unit: m.unit,
      mean: m.mean,
      worst: m.worst,
      threshold: m.threshold,
    })),
  );
  const spec = planChart(
    `Shards for ${scenario.name}: each SLO metric by shard count (${seeds} seeds)`,
    result.chosen,
    forms.aws,
    points,
  );
  const { svg, png } = await renderChart(spec);
  writeFileSync(join(out, "plan.vl.json"), `${JSON.stringify(spec, null, 2)}\n`);
  writeFileSync(join(out, "plan.svg"), svg);
  writeFileSync(join(out, "plan.png"), png);
  if (!options.quiet) {
    const lines = [
      `${scenario.name}: ${formatDuration(scenario.duration)} of traffic, ${seeds} seed${seeds === 1 ? "" : "s"} per shard count, SLOs: ${Object.keys(slo).join(", ")}`,
      `  offered: mean ${Math.round(traffic.meanRecordsPerSecond).toLocaleString("en-US")} records/s, peak ${Math.round(traffic.peakRecordsPerSecond).toLocaleString("en-US")} records/s, ${Math.round(traffic.meanRecordBytes).toLocaleString("en-US")} bytes per record, ${traffic.sharedReaders} shared-throughput reader${traffic.sharedReaders === 1 ? "" : "s"}`,
      `  closed form: AWS's sizing formula ${plural(forms.aws, "shard")} (mean traffic, records rounded up to 1 KB); per-second limits at the peak ${forms.peak}`,
      `  evaluated: ${result.evaluations.map((e) => `${e.shards}${e.pass ? "✓" : "✗"}`).join(" ")}${result.scanned ? " (not monotone: scanned)" : ""}`,
    ];
    if (result.chosen !== undefined) {
      const e = result.evaluations.find((x) => x.shards === result.chosen)!;
      lines.push(
        `plan: ${plural(result.chosen, "shard")}, about $${e.monthlyCost.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} a month provisioned`,
        ...e.metrics.map(
          (m) =>
            `  ${m.name}: mean ${show(m.mean, m.unit)}, worst ${show(m.worst, m.unit)} (threshold ${show(m.threshold, m.unit)})`,
        ),
        `  ${seeds === 1 ? "the seed" : `all ${seeds} seeds`} met every SLO at ${plural(result.chosen, "shard")}; ${confidence(seeds)}`,
        ...why.map((w) => `  ${w}`),
      );
      if (schedule.length > 0)
        lines.push(
          `  from ${options.current} shards: ${schedule.map((s) => `UpdateShardCount → ${s.targetShardCount} at +${formatDuration(s.atSeconds * 1e6)}`).join(", ")}`,
        );
    } else {
      lines.push(
        `no plan: no shard count up to ${Math.max(...result.evaluations.map((e) => e.shards))} met every SLO`,
        ...(hotKey ? [`  ${hotKey}`] : []),
      );
    }
    lines.push(
      `wrote ${shownPath(out)}/ (plan.csv, plan.json, plan.svg, plan.png${schedule.length > 0 ? ", schedule.yaml" : ""})`,
      "",
    );
    process.stdout.write(lines.join("\n"));
  }
  return result.chosen !== undefined ? 0 : 1;
}

function thresholdOf(
  slo: NonNullable<ReturnType<typeof loadScenarioFile>["scenario"]["slo"]>,
  name: string,
  unit: string,
) {
  const t = (slo as Record<string, { value: number } | undefined>)[name];
  return t ? (unit === "ms" ? t.value / 1000 : t.value) : Number.NaN;
}

function show(v: number, unit: string): string {
  return unit === "fraction" ? `${(100 * v).toFixed(3)}%` : `${Math.round(v).toLocaleString("en-US")} ms`;
}

/** What R passing seeds say: an exact binomial bound on the chance that a further seed fails. */
function confidence(seeds: number): string {
  const bound = 1 - 0.05 ** (1 / seeds);
  return `so the chance that another seed misses is below ${(100 * bound).toFixed(0)}% at 95% confidence (1 − 0.05^(1/${seeds})); more --seeds tighten it`;
}

/** Why the simulated answer differs from the closed forms, from the chosen runs. */
function explain(
  chosen: number | undefined,
  forms: ReturnType<typeof closedForm>,
  traffic: ReturnType<typeof offeredTraffic>,
  runs: RunSummary[] | undefined,
  evaluations: readonly Evaluation[],
): string[] {
  if (chosen === undefined || !runs) return [];
  const reasons: string[] = [];
  if (chosen === forms.aws) reasons.push("the same as AWS's formula");
  else if (chosen < forms.aws)
    reasons.push(
      `fewer than AWS's formula: it rounds every record up to 1 KB (here ${Math.round(traffic.meanRecordBytes)} bytes), and the SLOs tolerate what ${chosen} shards give`,
    );
  else {
    const below = evaluations.filter((e) => e.shards < chosen && !e.pass).at(-1);
    reasons.push(
      `more than AWS's formula (${forms.aws}); why ${below ? below.shards : chosen - 1} shard(s) were not enough:`,
    );
    if (traffic.peakRecordsPerSecond > 1.15 * traffic.meanRecordsPerSecond)
      reasons.push(
        `- bursts: the peak is ${(traffic.peakRecordsPerSecond / traffic.meanRecordsPerSecond).toFixed(2)}× the mean, and the limits are per second (${forms.peak} shard(s) at the peak)`,
      );
    const share = Math.max(...runs.map((r) => r.hottestShard.share));
    if (share > (1.15 * 1) / chosen)
      reasons.push(
        `- key skew: the hottest shard takes ${(100 * share).toFixed(1)}% of the records, not 1/${chosen} = ${(100 / chosen).toFixed(1)}%`,
      );
    if (traffic.sharedReaders > 2)
      reasons.push(`- consumers: ${traffic.sharedReaders} readers share each shard's 2 MiB/s and 5 reads/s`);
    if (reasons.length === 1)
      reasons.push(
        "- per-second randomness: Poisson arrivals and batching put more than the mean into some seconds",
      );
  }
  return reasons;
}

function writePlanFiles(
  out: string,
  evaluations: readonly Evaluation[],
  chosen: number | undefined,
  forms: ReturnType<typeof closedForm>,
  seeds: number,
  schedule: ReturnType<typeof updateSchedule>,
  why: string[],
  hotKey: string | undefined,
) {
  const names = evaluations[0]?.metrics.map((m) => m.name) ?? [];
  const rows = evaluations.map((e) => ({
    shards: e.shards,
    pass: e.pass,
    ...Object.fromEntries(
      e.metrics.flatMap((m) => [
        [`${m.name}.mean`, round(m.mean)],
        [`${m.name}.worst`, round(m.worst)],
        [`${m.name}.seedsMet`, m.met],
      ]),
    ),
    monthlyCost: Math.round(e.monthlyCost * 100) / 100,
  }));
  const columns = [
    "shards",
    "pass",
    ...names.flatMap((n) => [`${n}.mean`, `${n}.worst`, `${n}.seedsMet`]),
    "monthlyCost",
  ];
  writeFileSync(
    join(out, "plan.csv"),
    stringify(rows, { header: true, columns, cast: { boolean: (b) => String(b) } }),
  );
  writeFileSync(
    join(out, "plan.json"),
    `${JSON.stringify({ chosen: chosen ?? null, seeds, closedForm: forms, reasons: why, infeasible: chosen === undefined ? (hotKey ?? "no shard count tried met every SLO") : null, evaluations, schedule }, null, 2)}\n`,
  );
  if (schedule.length > 0)
    writeFileSync(
      join(out, "schedule.yaml"),
      toYaml({
        events: schedule.map((s) => ({
          at: formatDuration(s.atSeconds * 1e6),
          action: "UpdateShardCount",
          targetShardCount: s.targetShardCount,
        })),
      }),
    );
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** "1 shard", "4 shards". */
function plural(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}
