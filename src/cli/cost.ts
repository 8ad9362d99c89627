// `kinesim cost`: the scenario's traffic under provisioned shards and on-demand, on the same
// random streams, billed line by line for the run and for a month, beside each mode's throttling
// and latency — a cheaper mode that throttles is not cheaper.

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "csv-stringify/sync";
import { HOURS_PER_MONTH, type PriceTable } from "../data/prices.js";
import type { RunSummary } from "../metrics/summary.js";
import { type Bill, type BillingMode, billOf, breakEven, roundingOf, usageOf } from "../plan/bill.js";
import { readersOf } from "../plan/plan.js";
import { costChart } from "../report/plan-charts.js";
import { renderChart } from "../report/render.js";
import type { Override } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { formatDuration, formatNumber } from "../scenario/units.js";
import { startCommand } from "./estimate.js";
import { shownPath } from "./files.js";
import { loadScenarioFile } from "./load.js";
import { type OverrideFlags, overridesOf } from "./overrides.js";
import { SimPool } from "./pool.js";
import { loadPrices } from "./prices.js";

/** Options of the cost command. */
export interface CostOptions extends OverrideFlags {
  scenario: string;
  out?: string;
  set?: string[];
  prices?: string;
  /** Run even when the command is estimated to take over an hour. */
  force?: boolean;
  /**
   * How the on-demand side starts when the scenario is provisioned: "new" (a new on-demand stream:
   * 4 shards, or room for twice stream.onDemand.previousPeak) or "switch" (the provisioned stream
   * switched to on-demand, which keeps its shard count, as AWS does).
   */
  onDemandStart?: "new" | "switch";
  /** Shards of the provisioned run (default: the scenario's, or for an on-demand one what on-demand opened). */
  shards?: number;
  quiet?: boolean;
}

/** One mode's run and bill. */
interface Costed {
  label: string;
  mode: BillingMode;
  summary: RunSummary;
  bill: Bill;
}

const money = (x: number) => (x >= 100 ? `$${formatNumber(Math.round(x))}` : `$${x.toFixed(x >= 1 ? 2 : 4)}`);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Runs the scenario under both modes and prints and writes the bills; returns the exit code. */
export async function costCommand(options: CostOptions): Promise<number> {
  const base = overridesOf(options);
  const prices = loadPrices(options.prices);
  const asWritten = loadScenarioFile(options.scenario, base).scenario;
  const sides = [...base, ...WITHOUT_VARIANTS];
  const scenarioOf = (extra: Override[]) => loadScenarioFile(options.scenario, [...sides, ...extra]).scenario;
  // The runs are independent (but for the provisioned run of an on-demand scenario, which takes the
  // shard count the on-demand run reached): they go to worker threads side by side.
  const onDemandExtra =
    asWritten.stream.mode === "on-demand"
      ? []
      : options.onDemandStart === "switch"
        ? ON_DEMAND
        : [...ON_DEMAND, { path: "stream.shards", value: "null" }];
  const provisionedFirst = asWritten.stream.mode === "provisioned" && options.shards === undefined;
  const firstBatch: Override[][] = !asWritten.streamDeclared
    ? [[]]
    : provisionedFirst
      ? [[], onDemandExtra]
      : [onDemandExtra];
  const runs = asWritten.streamDeclared ? 2 : 1;
  const workers = Math.min(availableParallelism(), firstBatch.length);
  const progress = startCommand(`cost of ${asWritten.name}`, asWritten, runs, workers, options);
  const pool = new SimPool(workers);
  const costed: Costed[] = [];
  let shardsNote = "";
  try {
    const results = await pool.run(
      firstBatch.map((extra) => ({ scenario: options.scenario, overrides: [...sides, ...extra] })),
      (i, us) => progress.update(i, us),
    );
    if (!asWritten.streamDeclared) {
      costed.push(billed("as written", "provisioned", scenarioOf([]), results[0]!.summary, prices));
    } else {
      const onDemandRun = {
        scenario: scenarioOf(onDemandExtra),
        summary: results[provisionedFirst ? 1 : 0]!.summary,
      };
      let provisionedRun: { scenario: Scenario; summary: RunSummary };
      if (provisionedFirst) provisionedRun = { scenario: scenarioOf([]), summary: results[0]!.summary };
      else {
        const shards = options.shards ?? onDemandRun.summary.capacity.maxOpenShards;
        shardsNote = options.shards
          ? ` (${shards} shards, from --shards)`
          : ` (${shards} shards: the most the on-demand run opened)`;
        const extra: Override[] = [
          { path: "stream.mode", value: "provisioned" },
          { path: "stream.shards", value: String(shards) },
          { path: "events", value: "null" },
        ];
        const [second] = await pool.run(
          [{ scenario: options.scenario, overrides: [...sides, ...extra] }],
          (_, us) => progress.update(1, us),
        );
        provisionedRun = { scenario: scenarioOf(extra), summary: second!.summary };
      }
      costed.push(
        billed("provisioned", "provisioned", provisionedRun.scenario, provisionedRun.summary, prices),
      );
      costed.push(billed("on-demand", "on-demand", onDemandRun.scenario, onDemandRun.summary, prices));
      costed.push(
        billed(
          "on-demand advantage",
          "on-demand-advantage",
          onDemandRun.scenario,
          onDemandRun.summary,
          prices,
        ),
      );
    }
  } finally {
    progress.stop();
    await pool.destroy();
  }
  const out = resolve(options.out ?? `reports/${asWritten.name}-cost`);
  mkdirSync(out, { recursive: true });
  const even = asWritten.streamDeclared ? breakEvenOf(asWritten, costed[0]!.summary, prices) : undefined;
  writeOutputs(out, asWritten, costed, prices, even);
  const spec = costChart(`What ${asWritten.name} costs a month`, costed.flatMap(barsOf));
  const { svg, png } = await renderChart(spec);
  writeFileSync(join(out, "cost.vl.json"), `${JSON.stringify(spec, null, 2)}\n`);
  writeFileSync(join(out, "cost.svg"), svg);
  writeFileSync(join(out, "cost.png"), png);
  const onDemandNote =
    asWritten.stream.mode === "on-demand"
      ? "as written"
      : options.onDemandStart === "switch"
        ? `switched from ${asWritten.stream.shards} provisioned shards, which it keeps at first (--on-demand-start switch)`
        : "a new stream: 4 shards, or twice stream.onDemand.previousPeak; --on-demand-start switch keeps the provisioned shards";
  if (!options.quiet)
    process.stdout.write(costText(asWritten, costed, prices, shardsNote, even, out, onDemandNote));
  return 0;
}

/** Overrides that turn a provisioned scenario on-demand: capacity actions and policies go. */
const ON_DEMAND: Override[] = [
  { path: "stream.mode", value: "on-demand" },
  { path: "scaling", value: "null" },
  { path: "events", value: "null" },
];
/** The variants are `compare`'s business; a mode change may not suit them. */
const WITHOUT_VARIANTS: Override[] = [{ path: "variants", value: "null" }];

function billed(
  label: string,
  mode: BillingMode,
  scenario: Scenario,
  summary: RunSummary,
  prices: PriceTable,
) {
  return { label, mode, summary, bill: billOf(usageOf(scenario, summary), mode, prices) };
}

/** The break-even utilisation for the scenario's record sizes and readers. */
function breakEvenOf(scenario: Scenario, summary: RunSummary, prices: PriceTable) {
  const writers = scenario.producers.filter((p) => p.target === scenario.stream.name);
  const mix = { bytes: 0, putUnits: 0, bytes1k: 0, bytes5k: 0 };
  let weight = 0;
  writers.forEach((p) => {
    const accepted = summary.producers.find((x) => x.name === p.name)?.accepted ?? 0;
    const r = roundingOf(p.recordSize);
    for (const k of Object.keys(mix) as (keyof typeof mix)[]) mix[k] += r[k] * accepted;
    weight += accepted;
  });
  if (weight === 0) return undefined;
  for (const k of Object.keys(mix) as (keyof typeof mix)[]) mix[k] /= weight;
  // Every reader the bill charges data out for: polling consumers, delivery streams, applications.
  const readers = readersOf(scenario).shared;
  return {
    readers,
    meanRecordBytes: mix.bytes,
    ...breakEven(mix, prices, readers, {
      recordsPerSecond: summary.stream.recordsPerSecondLimit,
      bytesPerSecond: summary.stream.bytesPerSecondLimit,
    }),
  };
}

function barsOf(c: Costed) {
  const byItem = new Map<string, number>();
  for (const l of c.bill.lines) byItem.set(l.item, (byItem.get(l.item) ?? 0) + l.monthly);
  return [...byItem].map(([item, monthly]) => ({ mode: c.label, item, monthly }));
}

function writeOutputs(
  out: string,
  scenario: Scenario,
  costed: readonly Costed[],
  prices: PriceTable,
  even: ReturnType<typeof breakEvenOf>,
) {
  const rows = costed.flatMap((c) =>
    c.bill.lines.map((l) => ({
      mode: c.label,
      component: l.component,
      item: l.item,
      quantity: round(l.quantity, 6),
      unit: l.unit,
      rate: l.rate,
      cost: round(l.cost, 6),
      monthly: round(l.monthly, 4),
    })),
  );
  writeFileSync(join(out, "cost.csv"), stringify(rows, { header: true }));
  const json = {
    scenario: scenario.name,
    seed: scenario.seed,
    region: prices.region,
    pricesAsOf: prices.asOf,
    hoursPerMonth: HOURS_PER_MONTH,
    runHours: round(scenario.duration / 3.6e9, 6),
    /** The month is this window repeated: a spike in it is counted this many times. */
    windowsPerMonth: round(HOURS_PER_MONTH / (scenario.duration / 3.6e9), 3),
    modes: costed.map((c) => ({
      mode: c.label,
      total: round(c.bill.total, 6),
      monthlyTotal: round(c.bill.monthlyTotal, 4),
      firstAttemptThrottled: c.summary.throttle.firstAttemptFraction,
      dropped: c.summary.ledger.dropped,
      putLatencyP99Ms: c.summary.putLatencyMs.p99,
      shardHours: c.summary.capacity.shardHours,
      maxOpenShards: c.summary.capacity.maxOpenShards,
      lines: c.bill.lines.map((l) => ({ ...l, cost: round(l.cost, 6), monthly: round(l.monthly, 4) })),
    })),
    breakEven: even
      ? {
          utilization: round(even.utilization, 4),
          recordsPerSecondPerShard: round(even.recordsPerSecondPerShard, 2),
          meanRecordBytes: round(even.meanRecordBytes, 1),
          sharedThroughputReaders: even.readers,
        }
      : null,
  };
  writeFileSync(join(out, "cost.json"), `${JSON.stringify(json, null, 2)}\n`);
}

function costText(
  scenario: Scenario,
  costed: readonly Costed[],
  prices: PriceTable,
  shardsNote: string,
  even: ReturnType<typeof breakEvenOf>,
  out: string,
  onDemandNote: string,
): string {
  const hours = scenario.duration / 3.6e9;
  const repeats = HOURS_PER_MONTH / hours;
  const lines = [
    `${scenario.name}: ${formatDuration(scenario.duration)} simulated, billed at ${prices.region} prices (${prices.asOf})`,
    `  a month (${HOURS_PER_MONTH} h) is this ${formatDuration(scenario.duration)} window repeated ${formatNumber(repeats, 1)} times: ${windowNote(scenario, repeats)}`,
  ];
  for (const c of costed) {
    const s = c.summary;
    const note = c.mode === "provisioned" ? shardsNote : c.mode === "on-demand" ? ` (${onDemandNote})` : "";
    lines.push(
      "",
      `${c.label}${note}: ${money(c.bill.total)} for the run, ${money(c.bill.monthlyTotal)} a month`,
      s.stream.declared
        ? `  throttled on first attempt ${pct(s.throttle.firstAttemptFraction)}, dropped ${formatNumber(s.ledger.dropped)}, put p99 ${formatNumber(Math.round(s.putLatencyMs.p99))} ms, ${s.capacity.shardHours.toFixed(2)} shard-hours (max ${s.capacity.maxOpenShards} shards)`
        : `  dropped ${formatNumber(s.ledger.dropped)}`,
    );
    for (const l of c.bill.lines)
      lines.push(
        `  ${`${l.component}: ${l.item}`.padEnd(58)} ${formatQuantity(l.quantity).padStart(12)} ${l.unit.padEnd(20)} × ${`$${l.rate}`.padEnd(12)} = ${money(l.cost).padStart(10)}  (${money(l.monthly)}/month)`,
      );
  }
  const throttling = costed.filter(
    (c) => c.summary.stream.declared && c.summary.throttle.firstAttemptFraction > 0.001,
  );
  if (throttling.length > 0)
    lines.push(
      "",
      `Throttled: ${throttling.map((c) => `${c.label} (${pct(c.summary.throttle.firstAttemptFraction)} of first attempts)`).join(", ")} — such a bill is for less than the traffic asked; compare modes that carry it.`,
    );
  if (costed.some((c) => c.mode === "on-demand" && c.summary.throttle.firstAttemptFraction > 0.001))
    lines.push(
      "  On-demand starts a new stream with room for 4 MiB/s (or twice the previous peak) and needs up to 15 minutes to scale; if the stream has seen this traffic in the last 30 days, set stream.onDemand.previousPeak.",
    );
  if (even)
    lines.push(
      "",
      Number.isFinite(even.utilization)
        ? `Break-even: with ${formatNumber(Math.round(even.meanRecordBytes))}-byte records and ${even.readers} shared-throughput reader${even.readers === 1 ? "" : "s"} (as the bill counts them), on-demand costs less than provisioned shards used below ${pct(Math.min(even.utilization, 9.99))} of their write capacity (${formatNumber(Math.round(even.recordsPerSecondPerShard))} records/s per shard) on average.`
        : "Break-even: on-demand costs more per record than provisioned here at any utilisation.",
    );
  lines.push("", `wrote ${shownPath(out)}/ (cost.csv, cost.json, cost.svg, cost.png, cost.vl.json)`, "");
  return lines.join("\n");
}

/** What repeating the window means for its traffic: a spike in it is counted as often as the window. */
function windowNote(scenario: Scenario, repeats: number): string {
  const day = 24 * 3.6e9;
  const shaped = scenario.producers.filter((p) => p.rate.profile !== "constant");
  if (shaped.length === 0 || repeats <= 1) return "its traffic is constant, so the month is too";
  const daily = shaped.every(
    (p) => p.rate.profile === "diurnal" && Math.abs(p.rate.period - day) < 1 && scenario.duration % day === 0,
  );
  if (daily) return "whole days of the daily profile";
  return `the ${shaped.map((p) => `${p.rate.profile} profile of ${p.name}`).join(", ")} in it happens ${formatNumber(repeats, 1)} times a month; for an event once a day, bill a day of traffic (--duration 24h, the event at its hour)`;
}

function formatQuantity(x: number): string {
  return x >= 100 ? formatNumber(Math.round(x)) : Number(x.toPrecision(4)).toString();
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
