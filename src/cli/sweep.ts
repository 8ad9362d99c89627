// `kinesim sweep`: a grid of parameter values × seeds, one summary row per run, on worker
// threads; `--partition i/n` runs a slice for another machine, and `kinesim merge` joins the
// slices into the same bytes one run would have written.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import {
  parseParam,
  partitionFrom,
  partitionOf,
  replicationSeeds,
  SWEEP_METRICS,
  type SweepParam,
  sweepMetrics,
  sweepRuns,
} from "../plan/sweep.js";
import type { Scenario } from "../scenario/schema.js";
import { UserInputError } from "./errors.js";
import { startCommand } from "./estimate.js";
import { shownPath } from "./files.js";
import { count, decimal, formatWall, percent, textTable } from "./human.js";
import { loadScenarioFile } from "./load.js";
import { type OverrideFlags, overridesOf } from "./overrides.js";
import { runMany } from "./pool.js";
import { loadPrices } from "./prices.js";

/** Options of the sweep command. */
export interface SweepOptions extends OverrideFlags {
  scenario: string;
  params: string[];
  seeds: number;
  set?: string[];
  workers?: number;
  partition?: string;
  out?: string;
  prices?: string;
  quiet?: boolean;
  /** Run even when the sweep is estimated to take over an hour. */
  force?: boolean;
  /** Environment to read partition variables from (default process.env). */
  env?: Record<string, string | undefined>;
}

/** Runs the sweep (or its partition) and writes the CSV; returns the exit code. */
export async function sweepCommand(options: SweepOptions): Promise<number> {
  const base = overridesOf(options);
  const { scenario } = loadScenarioFile(options.scenario, base);
  const prices = loadPrices(options.prices);
  let params: ReturnType<typeof parseParam>[];
  let part: ReturnType<typeof partitionFrom>;
  try {
    params = options.params.map(parseParam);
    part = partitionFrom(options.partition, options.env ?? process.env);
  } catch (error) {
    throw new UserInputError((error as Error).message);
  }
  // Every value is checked before anything runs: a bad one is bad input, not a failed run.
  for (const p of params)
    for (const value of p.values) loadScenarioFile(options.scenario, [...base, { path: p.path, value }]);
  const all = sweepRuns(params, replicationSeeds(scenario.seed, options.seeds));
  const id = sweepId(scenario, params, all.length);
  const mine = part ? partitionOf(all, part.index, part.count) : all;
  const tasks = mine.map((r) => ({
    scenario: options.scenario,
    overrides: [
      ...base,
      ...Object.entries(r.params).map(([path, value]) => ({ path, value })),
      { path: "seed", value: JSON.stringify(r.seed) },
    ],
  }));
  const started = Date.now();
  const workers = Math.min(options.workers ?? availableParallelism(), Math.max(1, tasks.length));
  const progress = startCommand(`sweep of ${scenario.name}`, scenario, tasks.length, workers, options);
  let results: Awaited<ReturnType<typeof runMany>>;
  try {
    results = await runMany(tasks, workers, (i, us) => progress.update(i, us));
  } finally {
    progress.stop();
  }
  const rows = mine.map((r, i) => ({
    run: r.index,
    of: all.length,
    ...r.params,
    seed: r.seed,
    ...sweepMetrics(results[i]!.summary, results[i]!.usage, prices),
    sweep: id,
  }));
  const name = part ? `sweep-part-${part.index + 1}-of-${part.count}.csv` : "sweep.csv";
  const file = resolve(options.out ?? `reports/${scenario.name}-sweep`, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    sweepCsv(
      rows,
      params.map((p) => p.path),
    ),
  );
  if (!options.quiet) {
    process.stdout.write(
      `${scenario.name}: ${count(mine.length)} of ${count(all.length)} runs (${params.length} parameter${params.length === 1 ? "" : "s"} × ${options.seeds} seed${options.seeds === 1 ? "" : "s"}) in ${formatWall(Date.now() - started)}\n`,
    );
    process.stdout.write(
      sweepTable(
        rows,
        params.map((p) => p.path),
        options.seeds,
      ),
    );
    process.stdout.write(`wrote ${shownPath(file)}\n`);
  }
  return 0;
}

/** The sweep's results by grid point, averaged over seeds: what a person reads at the end. */
export function sweepTable(
  rows: readonly Record<string, string | number>[],
  paramPaths: readonly string[],
  seeds: number,
): string {
  const points = new Map<string, Record<string, string | number>[]>();
  for (const row of [...rows].sort((a, b) => Number(a["run"]) - Number(b["run"]))) {
    const key = JSON.stringify(paramPaths.map((p) => row[p]));
    points.set(key, [...(points.get(key) ?? []), row]);
  }
  const mean = (list: Record<string, string | number>[], key: string) =>
    list.reduce((a, r) => a + Number(r[key]), 0) / list.length;
  const anyLag = rows.some((r) => Number(r["maxConsumerLagSeconds"]) > 0);
  const header = [
    ...(paramPaths.length > 0 ? paramPaths : ["runs"]),
    "throttled (1st attempt)",
    "dropped",
    "put p99",
    ...(anyLag ? ["consumer lag"] : []),
    "cost per month",
  ];
  const table = [...points.values()].map((list) => [
    ...(paramPaths.length > 0 ? paramPaths.map((p) => String(list[0]![p])) : [String(list.length)]),
    percent(mean(list, "firstAttemptThrottled")),
    percent(mean(list, "droppedFraction")),
    `${decimal(mean(list, "putLatencyP99Ms"), 0)} ms`,
    ...(anyLag ? [`${decimal(mean(list, "maxConsumerLagSeconds"), 1)} s`] : []),
    `$${decimal(mean(list, "monthlyCost"), 2)}`,
  ]);
  return `${textTable(header, table, "  ")}${seeds > 1 ? `  each row is the mean of ${seeds} seeds\n` : ""}`;
}

/**
 * A sweep's identity: a hash of the scenario as loaded (every field, defaults, duration, seed and
 * replayed traces included), the grid and the number of runs.
 */
function sweepId(scenario: Scenario, params: readonly SweepParam[], runs: number): string {
  return createHash("sha256").update(JSON.stringify({ scenario, params, runs })).digest("hex").slice(0, 16);
}

/** The CSV of sweep rows: always the same columns in the same order, rows by run number. */
function sweepCsv(rows: Record<string, string | number>[], paramPaths: readonly string[]): string {
  const columns = ["run", "of", ...paramPaths, "seed", ...SWEEP_METRICS, "sweep"];
  return stringify(
    [...rows].sort((a, b) => Number(a["run"]) - Number(b["run"])),
    { header: true, columns, cast: { number: (x) => String(x) } },
  );
}

/** `kinesim merge`: joins partition CSVs into the sweep's CSV; returns the exit code. */
export function mergeCommand(files: readonly string[], out: string, quiet = false): number {
  let header: string[] | undefined;
  const rows: Record<string, string>[] = [];
  const rowsByFile: [string, Record<string, string>[]][] = [];
  for (const f of files) {
    const [first = [], ...body] = parse(readFileSync(f, "utf8"), { skip_empty_lines: true }) as string[][];
    const records = body.map((cells) => Object.fromEntries(first.map((c, i) => [c, cells[i] ?? ""])));
    if (header && header.join(",") !== first.join(","))
      throw new UserInputError(
        `${f}: its columns differ from ${files[0]}'s; were they run with the same flags?`,
      );
    header = first;
    rows.push(...records);
    rowsByFile.push([f, records]);
  }
  if (!header?.includes("run") || !header.includes("of"))
    throw new UserInputError("nothing to merge: give the sweep-part-*.csv files of one sweep");
  // Every row names its sweep (scenario as loaded, grid, seeds, run count): slices of other sweeps,
  // or of this one run with other flags, do not belong together.
  const ids = new Map<string, string>();
  for (const [f, r] of rowsByFile)
    for (const row of r) if (!ids.has(row["sweep"] ?? "")) ids.set(row["sweep"] ?? "", f);
  if (!header.includes("sweep") || ids.has(""))
    throw new UserInputError(
      "these CSVs carry no sweep identity (written by an older kinesim?): run the sweep again",
    );
  if (ids.size > 1) {
    const [[a, fa], [b, fb]] = [...ids.entries()] as [[string, string], [string, string]];
    throw new UserInputError(
      `${fb} is a slice of another sweep than ${fa} (sweep ${b}, not ${a}): a different scenario, --set, --param, --seeds or duration; merge the slices of one sweep`,
    );
  }
  const totals = new Set(rows.map((r) => r["of"]));
  if (totals.size > 1)
    throw new UserInputError(`the slices disagree on the number of runs (${[...totals].join(", ")})`);
  const total = Number(rows[0]?.["of"] ?? 0);
  const seen = new Set(rows.map((r) => Number(r["run"])));
  if (seen.size !== rows.length) throw new UserInputError("a run appears twice: is a partition given twice?");
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new UserInputError(
      `${missing.length} of ${total} runs are missing (first: run ${missing[0]}): merge every partition`,
    );
  const paramPaths = header.slice(2, header.indexOf("seed"));
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, sweepCsv(rows, paramPaths));
  if (!quiet) process.stdout.write(`merged ${files.length} partitions, ${rows.length} runs: wrote ${out}\n`);
  return 0;
}
