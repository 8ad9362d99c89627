// `kinesim plan`: the smallest provisioned shard count that meets every SLO on every one of R
// seeds, found by simulation, with the closed-form answers beside it and the reason they differ;
// infeasible plans say why; `--current N` adds the UpdateShardCount calls that get there.

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "csv-stringify/sync";
import { stringify as toYaml } from "yaml";
import { US_PER_S } from "../engine/time.js";
import type { RunSummary } from "../metrics/summary.js";
import { resolveTick } from "../model/resolution.js";
import { DEFAULT_SLO_WINDOW_US, WINDOWED_SLOS } from "../model/slo-windows.js";
import { billOf } from "../plan/bill.js";
import { causesAt } from "../plan/causes.js";
import { evaluateCount, lossAllowed } from "../plan/evaluation.js";
import {
  type ClosedForm,
  closedForm,
  type Evaluation,
  type Evaluators,
  type GuidedResult,
  guidedSearch,
  hotKeyBound,
  type SearchResult,
  updateSchedule,
} from "../plan/plan.js";
import { replicationSeeds } from "../plan/sweep.js";
import { planChart } from "../report/plan-charts.js";
import { renderChart } from "../report/render.js";
import { bytes } from "../report/text.js";
import type { Override } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { unmeasurableSlos } from "../scenario/slo-scope.js";
import type { Threshold } from "../scenario/units.js";
import { formatDuration, formatNumber } from "../scenario/units.js";
import { UserInputError } from "./errors.js";
import { startCommand } from "./estimate.js";
import { shownPath } from "./files.js";
import { count, percent, textTable } from "./human.js";
import { loadScenarioFile } from "./load.js";
import { type OverrideFlags, overridesOf } from "./overrides.js";
import { SimPool } from "./pool.js";
import { loadPrices } from "./prices.js";
import type { SimResult } from "./sim-worker.js";

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
  const forms = closedForm(scenario);
  const hotKey = hotKeyBound(scenario);
  const max = options.max ?? Math.max(64, 8 * forms.peak.shards);
  const seedList = replicationSeeds(scenario.seed, seeds);
  const workers = Math.min(options.workers ?? availableParallelism(), seeds * SEARCH_WIDTH);
  // A bisection between the formula's count and the largest, a check above, and a few more; with a
  // coarse pass (its runs are short, two at a time), about two rounds of two counts. With several
  // seeds, the first seed's search runs those counts once each, and every seed runs on about three.
  const bisection = Math.ceil(Math.log2(Math.max(2, max / forms.aws.shards))) + 3;
  const guide = coarsePassFits(scenario) ? 8 + 4 : bisection;
  const expectedRuns = seeds > 1 ? guide + 2 + seeds * 3 : guide;
  const progress = startCommand(
    `plan of ${scenario.name}`,
    scenario,
    { expected: expectedRuns, most: mostPlanRuns(expectedRuns, bisection, seeds) },
    workers,
    options,
  );
  let runsStarted = 0;
  const pool = new SimPool(workers);
  const summaries = new Map<number, RunSummary[]>();
  /** Runs at the scenario's resolution, by count and seed: a run is the same whoever asks for it,
   *  so no search runs one twice. */
  const runs = new Map<string, SimResult>();
  const runKey = (shards: number, seed: number) => `${shards}/${seed}`;
  const passes = (shards: number, r: SimResult) =>
    evaluateCount(scenario, shards, [{ summary: r.summary, monthlyCost: 0 }]).pass;
  /** Runs a count on the given seeds in order, at the scenario's resolution (or as `extra` sets),
   *  stopping at the first that fails; on the pool, two at a time. */
  const runSeeds = async (shards: number, which: readonly unknown[], extra: Override[]) => {
    const started = runsStarted;
    runsStarted += which.length;
    progress.setRuns(Math.max(expectedRuns, runsStarted));
    // A count fails if any seed fails: its seeds run in order, and stop at the first that fails.
    return pool.runUntil(
      which.map((seed) => ({
        scenario: options.scenario,
        overrides: [
          ...base,
          ...extra,
          { path: "stream.shards", value: String(shards) },
          { path: "seed", value: JSON.stringify(seed) },
        ],
      })),
      (r) => !passes(shards, r),
      (i, us) => progress.update(started + i, us),
    );
  };
  const evaluation = (shards: number, results: readonly SimResult[]) =>
    evaluateCount(
      scenario,
      shards,
      results.map((r) => ({
        summary: r.summary,
        monthlyCost: billOf(r.usage, "provisioned", prices).monthlyTotal,
      })),
    );
  /** Every seed of a count, from the runs already made where there are some. */
  const everySeed = async (shards: number): Promise<Evaluation> => {
    const results: SimResult[] = [];
    for (let k = 0; k < seeds; ) {
      const made = runs.get(runKey(shards, k));
      if (made) {
        results.push(made);
        if (!passes(shards, made)) break;
        k++;
        continue;
      }
      let to = k;
      while (to < seeds && !runs.has(runKey(shards, to))) to++;
      const ran = await runSeeds(shards, seedList.slice(k, to), []);
      for (const [i, r] of ran.entries()) runs.set(runKey(shards, k + i), r);
      results.push(...ran);
      if (!passes(shards, ran.at(-1)!)) break;
      k = to;
    }
    summaries.set(
      shards,
      results.map((r) => r.summary),
    );
    return evaluation(shards, results);
  };
  /** One seed of a count alone. */
  const oneSeed = async (seed: number, shards: number): Promise<Evaluation> => {
    let made = runs.get(runKey(shards, seed));
    if (!made) {
      made = (await runSeeds(shards, [seedList[seed]], []))[0]!;
      runs.set(runKey(shards, seed), made);
    }
    return evaluation(shards, [made]);
  };
  const evaluators: Evaluators = {
    // One seed at 1 s cohorts: about where the answer lies (see guidedSearch).
    ...(coarsePassFits(scenario)
      ? {
          coarse: async (shards: number) =>
            evaluation(
              shards,
              await runSeeds(shards, seedList.slice(0, 1), [{ path: "resolution", value: "1s" }]),
            ),
        }
      : {}),
    ...(seeds > 1 ? { oneSeed: { seeds, evaluate: oneSeed } } : {}),
    everySeed,
  };
  const evaluate = evaluators.everySeed;
  let guided: GuidedResult | undefined;
  const search = async (start: number): Promise<SearchResult> => {
    // Beside the formula's count, the busiest second's (its keys spread evenly): usually just
    // below the answer, so the coarse bracket starts tighter than half the formula's count.
    const below = forms.peak.shards < start ? [forms.peak.shards] : [];
    guided = await guidedSearch(evaluators, start, max, {
      width: SEARCH_WIDTH,
      alongside: below,
      floor: forms.peak.shards,
    });
    // A count the first seed failed was not evaluated again: its run is the first seed's.
    for (const e of guided.evaluations) {
      const run = runs.get(runKey(e.shards, 0));
      if (!summaries.has(e.shards) && run) summaries.set(e.shards, [run.summary]);
    }
    return guided;
  };
  let result: SearchResult;
  try {
    // A key over one shard's limit: try a generous count first; if even that fails, stop there.
    if (hotKey) {
      const probe = await evaluate(Math.min(max, Math.max(2 * forms.peak.shards, forms.peak.shards + 4)));
      result = probe.pass
        ? await search(forms.aws.shards)
        : { evaluations: [probe], monotone: true, scanned: false };
    } else result = await search(forms.aws.shards);
  } finally {
    progress.stop();
    await pool.destroy();
  }
  const out = resolve(options.out ?? `reports/${scenario.name}-plan`);
  mkdirSync(out, { recursive: true });
  const why = explain(scenario, result.chosen, forms, result.evaluations, summaries);
  const infeasible =
    result.chosen === undefined ? infeasibility(scenario, result.evaluations, summaries, hotKey) : [];
  const schedule =
    options.current !== undefined && result.chosen !== undefined
      ? updateSchedule(options.current, result.chosen, scenario.stream.updating.updateShardCount / 1e6)
      : [];
  writePlanFiles(out, result.evaluations, result.chosen, forms, seeds, schedule, why, infeasible);
  const points = result.evaluations.flatMap((e) =>
    e.metrics.map((m) => ({
      shards: e.shards,
      metric: m.name,
      unit: m.unit,
      mean: m.mean,
      worst: m.worst,
      threshold: m.limit,
    })),
  );
  const spec = planChart(
    `Shards for ${scenario.name}: each SLO metric by shard count (${seeds} seeds)`,
    result.chosen,
    forms.aws.shards,
    points,
  );
  const { svg, png } = await renderChart(spec);
  writeFileSync(join(out, "plan.vl.json"), `${JSON.stringify(spec, null, 2)}\n`);
  writeFileSync(join(out, "plan.svg"), svg);
  writeFileSync(join(out, "plan.png"), png);
  if (!options.quiet) {
    const i = forms.aws.inputs;
    const pk = forms.peak;
    const lines = [
      `${scenario.name}: ${formatDuration(scenario.duration)} of traffic, ${seeds === 1 ? "1 seed" : `${seeds} seeds`} per shard count; SLOs: ${Object.entries(
        slo,
      )
        .filter(([, t]) => t !== undefined)
        .map(([name, t]) => `${name} ${formatThreshold(name, t as Threshold, scenario.duration)}`)
        .join(", ")}${lossAllowed(scenario) ? "" : "; and no record lost"}`,
      `  AWS's sizing formula: ${plural(forms.aws.shards, "shard")} — records of ${count(i.averageDataSizeBytes)} bytes of data (${i.averageDataSizeKiB} KiB rounded up) × ${count(i.recordsPerSecond)} records/s on average${i.userRecordsPerKinesisRecord > 1.0001 ? ` (the KPL's aggregated records of ${count(i.userRecordsPerKinesisRecord)} user records each, if full)` : ""} = ${count(i.incomingWriteKiB)} KiB/s in ÷ 1,024${i.numberOfConsumers > 0 ? `; × ${i.numberOfConsumers} consumer${i.numberOfConsumers === 1 ? "" : "s"} = ${count(i.outgoingReadKiB)} KiB/s out ÷ 2,048` : ""}`,
      `  busiest second (kinesim): ${plural(pk.shards, "shard")} — ${pk.records > 1.001 * i.recordsPerSecond ? `at ${formatDuration(pk.atSeconds * 1e6)}, ` : ""}${count(pk.records)} records and ${bytes(pk.bytes)}/s with keys: ${pk.byRecords} for records, ${pk.byBytes} for bytes${pk.sharedReaders > 0 ? `, ${pk.byReads} for ${pk.sharedReaders} shared reader${pk.sharedReaders === 1 ? "" : "s"}` : ""}, if the keys spread evenly`,
      "",
      ...(guided?.coarse
        ? [
            `  coarse pass (1 s cohorts, 1 seed): ${guideLine(guided.coarse)}${guided.seeds ? "" : "; then every seed at the scenario's resolution:"}`,
          ]
        : []),
      ...(guided?.seeds ?? []).map(
        ({ seed, search }, i) =>
          `  ${i === 0 ? "the first seed at the scenario's resolution" : `every seed there; seed ${seed + 1} failed, alone from there`}: ${guideLine(search)}${i === guided!.seeds!.length - 1 ? "; then every seed, from these runs:" : ""}`,
      ),
      ...(guided?.coarse || guided?.seeds ? [""] : []),
      ...evaluationTable(result.evaluations, result.chosen, seeds),
      ...(result.scanned
        ? ["  (what was seen was not monotone in the shard count: every count up to the largest was run)"]
        : []),
      "",
    ];
    if (result.chosen !== undefined) {
      const e = result.evaluations.find((x) => x.shards === result.chosen)!;
      lines.push(
        `plan: ${plural(result.chosen, "shard")}, about $${formatNumber(e.monthlyCost, 2, 2)} a month provisioned`,
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
        ...infeasible.map((w) => `  ${w}`),
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

/**
 * Counts evaluated together in each round of a search. Two keep two cores busy where one count's
 * seeds would leave one idle (5 seeds: three rounds of runs, the last half empty), and a coarse
 * pass's single runs go two at a time. A constant, not the number of cores: the counts a plan
 * evaluates, and so its output, must not depend on the machine.
 */
const SEARCH_WIDTH = 2;

/** A guiding search's counts and verdicts, and where it points. */
function guideLine(search: SearchResult): string {
  // Counts it knew to fail without a run are left out.
  const seen = search.evaluations
    .filter((e) => e.seeds > 0)
    .map((e) => `${e.shards} ${e.pass ? "✓" : "✗"}`)
    .join(", ");
  return search.chosen !== undefined ? `${seen} → about ${plural(search.chosen, "shard")}` : seen;
}

/**
 * The most runs a plan is likely to need, for the high end of its time estimate: the searches
 * that guide decide as they go, and where the coarse pass lands far from the answer, the first
 * seed's search walks a bisection's worth of counts more than expected; with several seeds, a
 * seed that fails at the first seed's answer searches alone from there (another one). The plan
 * for 200 shards of the bench expected 23 runs and made 32.
 */
export function mostPlanRuns(expected: number, bisection: number, seeds: number): number {
  return expected + bisection * (seeds > 1 ? 2 : 1);
}

/** A coarse pass at 1 s cohorts saves runs: the scenario is finer and allows cohorts at 1 s. */
function coarsePassFits(scenario: Scenario): boolean {
  const tick = resolveTick(scenario);
  return (
    (tick === undefined || tick < US_PER_S) &&
    scenario.metricsInterval % US_PER_S === 0 &&
    scenario.queues.length === 0 &&
    !scenario.producers.some((p) => p.ordering === "per-key")
  );
}

/** An SLO's threshold as the plan reads it: "< 0.1% in every 1m", "< 2s over the run". */
function formatThreshold(name: string, t: Threshold, durationUs: number): string {
  const value = name.endsWith("Fraction")
    ? `${Number((100 * t.value).toPrecision(6))}%`
    : formatDuration(t.value);
  const windowed = (WINDOWED_SLOS as readonly string[]).includes(name);
  const over =
    !windowed || t.over === "run"
      ? "over the run"
      : `in every ${formatDuration(Math.min(t.over ?? DEFAULT_SLO_WINDOW_US, durationUs))}`;
  return `${t.op} ${value} ${over}`;
}

/** One line per evaluated count: what it lost, throttled and took, and each SLO's value. */
function evaluationTable(
  evaluations: readonly Evaluation[],
  chosen: number | undefined,
  seeds: number,
): string[] {
  const metrics = evaluations[0]?.metrics ?? [];
  const header = [
    "shards",
    "",
    "lost",
    "throttled (1st)",
    "put p99",
    ...metrics.map((m) => `${m.name}${m.over === "run" ? "" : ` (worst ${m.over})`}`),
    "per month",
  ];
  const rows = evaluations.map((e) => [
    String(e.shards),
    e.pass
      ? e.shards === chosen
        ? "✓ plan"
        : "✓"
      : `✗ ${e.failing.join(", ")}${e.seeds < seeds ? ` (failed at seed ${e.seeds} of ${seeds}; later seeds not run)` : ""}`,
    percent(e.lostFraction),
    percent(e.firstAttemptThrottled),
    `${count(e.putLatencyP99Ms)} ms`,
    ...e.metrics.map((m) => (m.unit === "fraction" ? percent(m.worst) : `${count(m.worst)} ms`)),
    `$${count(e.monthlyCost)}`,
  ]);
  return ["  every count evaluated (worst seed):", ...textTable(header, rows, "    ").trimEnd().split("\n")];
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** What R passing seeds say: an exact binomial bound on the chance that a further seed fails. */
function confidence(seeds: number): string {
  const bound = 1 - 0.05 ** (1 / seeds);
  return `so the chance that another seed misses is below ${(100 * bound).toFixed(0)}% at 95% confidence (1 − 0.05^(1/${seeds})); more --seeds tighten it`;
}

/** Why the answer is what it is, measured at the largest count below it that failed. */
function explain(
  scenario: Scenario,
  chosen: number | undefined,
  forms: ClosedForm,
  evaluations: readonly Evaluation[],
  summaries: ReadonlyMap<number, RunSummary[]>,
): string[] {
  if (chosen === undefined) return [];
  const aws = forms.aws.shards;
  const below = evaluations.filter((e) => e.shards < chosen && !e.pass).at(-1);
  const head =
    chosen === aws
      ? "the same as AWS's formula"
      : chosen < aws
        ? `fewer than AWS's formula (${aws}), which rounds each record up to a whole KiB (${count(forms.aws.inputs.averageDataSizeBytes)} bytes here) and counts every consumer as reading the whole stream`
        : `more than AWS's formula (${aws})`;
  if (!below) return [`${head}.`];
  const causes = causesAt(scenario, below.shards, summaries.get(below.shards) ?? []);
  const lines = [
    `${head}; ${plural(below.shards, "shard")} failed ${below.failing.join(", ")} (throttled ${percent(below.firstAttemptThrottled)}, lost ${percent(below.lostFraction)}), because of:`,
    ...causes.map((c) => `- ${c.text}`),
  ];
  if (causes.length === 0) lines.push("- nothing this plan can name beyond the SLOs' own values above");
  return lines;
}

/** Why no count worked. */
function infeasibility(
  scenario: Scenario,
  evaluations: readonly Evaluation[],
  summaries: ReadonlyMap<number, RunSummary[]>,
  hotKey: string | undefined,
): string[] {
  const largest = evaluations.at(-1);
  const lines: string[] = hotKey ? [hotKey] : [];
  if (largest)
    lines.push(
      `at ${plural(largest.shards, "shard")}: ${largest.failing.join(", ")} failed, because of:`,
      ...causesAt(scenario, largest.shards, summaries.get(largest.shards) ?? []).map((c) => `- ${c.text}`),
    );
  return lines;
}

function writePlanFiles(
  out: string,
  evaluations: readonly Evaluation[],
  chosen: number | undefined,
  forms: ClosedForm,
  seeds: number,
  schedule: ReturnType<typeof updateSchedule>,
  why: string[],
  infeasible: string[],
) {
  const names = evaluations[0]?.metrics.map((m) => m.name) ?? [];
  const rows = evaluations.map((e) => ({
    shards: e.shards,
    pass: e.pass,
    failing: e.failing.join(";"),
    lostFraction: round6(e.lostFraction),
    firstAttemptThrottledFraction: round6(e.firstAttemptThrottled),
    putLatencyP99Ms: round6(e.putLatencyP99Ms),
    backlogSeconds: round6(e.backlogSeconds),
    ...Object.fromEntries(
      e.metrics.flatMap((m) => [
        [`${m.name}.mean`, round6(m.mean)],
        [`${m.name}.worst`, round6(m.worst)],
        [`${m.name}.wholeRunWorst`, round6(m.wholeRunWorst)],
        [`${m.name}.seedsMet`, m.met],
      ]),
    ),
    monthlyCost: Math.round(e.monthlyCost * 100) / 100,
    seedsRun: e.seeds,
  }));
  const columns = [
    "shards",
    "pass",
    "failing",
    "lostFraction",
    "firstAttemptThrottledFraction",
    "putLatencyP99Ms",
    "backlogSeconds",
    ...names.flatMap((n) => [`${n}.mean`, `${n}.worst`, `${n}.wholeRunWorst`, `${n}.seedsMet`]),
    "monthlyCost",
    "seedsRun",
  ];
  writeFileSync(
    join(out, "plan.csv"),
    stringify(rows, { header: true, columns, cast: { boolean: (b) => String(b) } }),
  );
  writeFileSync(
    join(out, "plan.json"),
    `${JSON.stringify({ chosen: chosen ?? null, seeds, closedForm: forms, reasons: why, infeasible: chosen === undefined ? infeasible : null, evaluations, schedule }, null, 2)}\n`,
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

/** "1 shard", "4 shards". */
function plural(n: number, noun: string): string {
  return `${formatNumber(n)} ${noun}${n === 1 ? "" : "s"}`;
}
