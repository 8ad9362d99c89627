// `kinesim bench`: the benchmark suite. Each case runs in a child process (so peak memory is the
// case's own) several times; the table reports medians. Wall-clock time lives only here.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Simulation } from "../engine/simulation.js";
import { loadScenario } from "../scenario/load.js";
import { formatNumber } from "../scenario/units.js";
import { simulate } from "../simulate.js";
import { type FloorSpec, runFloor } from "./bench-floor.js";
import { readScenarioFile } from "./files.js";
import { textTable } from "./human.js";

/**
 * A benchmark case: a scenario file and overrides; a grid case runs it at several shard counts ×
 * seeds; the engine case times the event queue alone. `runs` overrides the suite's repetitions
 * (the day case is long enough to time once).
 */
interface BenchCase {
  name: string;
  scenario: string;
  overrides: Record<string, string>;
  grid?: { shards: number[]; seeds: number };
  /** `kinesim plan` itself on the scenario, with this many seeds (its answer is checked against
   *  the grid's, evaluated in full at every count on the same seeds). */
  plan?: { seeds: number };
  engine?: { pending: number; events: number; maxStepUs: number };
  /** A floor case (see bench-floor.ts): a peer case's per-record work without objects or events. */
  floor?: FloorSpec;
  runs?: number;
  /** The performance brief's target for the case, if it sets one. */
  target?: Target;
}

/** A speed or size target: at least so many events/s or × real time, at most so many seconds or MiB. */
interface Target {
  eventsPerSecond?: number;
  realTimeFactor?: number;
  wallSeconds?: number;
  peakRssMiB?: number;
}

const R = (n: string) => `scenarios/bench/${n}.yaml`;
const RECORD = { resolution: "record" };
const TICK = { resolution: "10ms" };

/** The event queue alone: 20 M events, 10,000 pending, each up to `maxStepUs` after the last. */
function engineCase(name: string, maxStepUs: number, target?: Target): BenchCase {
  const engine = { pending: 10_000, events: 20_000_000, maxStepUs };
  return { name, scenario: "", overrides: {}, engine, ...(target ? { target } : {}) };
}

/** A floor case: no scenario, a typed-column kernel (see bench-floor.ts). */
function floorCase(name: string, floor: FloorSpec): BenchCase {
  return { name, scenario: "", overrides: {}, floor };
}

/** The suite. */
export const BENCH_CASES: BenchCase[] = [
  // The event queue alone: schedule and pop with 10,000 events pending, each up to 10 ms ahead
  // (the near tier), and each up to 10 s ahead (beyond it: the heap).
  engineCase("engine", 10_000, { eventsPerSecond: 10_000_000 }),
  engineCase("engine/far", 10_000_000),
  { name: "r1-4-shards/record", scenario: R("r1-4-shards"), overrides: RECORD },
  { name: "r1-4-shards/10ms", scenario: R("r1-4-shards"), overrides: TICK },
  {
    name: "r2-2-shards/record",
    scenario: R("r2-2-shards"),
    overrides: RECORD,
    target: { realTimeFactor: 100 },
  },
  { name: "r2-2-shards/10ms", scenario: R("r2-2-shards"), overrides: TICK },
  { name: "r3-hot-key/record", scenario: R("r3-hot-key"), overrides: RECORD },
  { name: "r3-hot-key/10ms", scenario: R("r3-hot-key"), overrides: TICK },
  {
    name: "r4-50-shards/record",
    scenario: R("r4-50-shards"),
    overrides: RECORD,
    target: { realTimeFactor: 250 },
  },
  {
    name: "r4-50-shards/10ms",
    scenario: R("r4-50-shards"),
    overrides: TICK,
    target: { realTimeFactor: 1000 },
  },
  // Memory flat in simulated time: R4 for twice as long.
  { name: "r4-50-shards/10ms/20m", scenario: R("r4-50-shards"), overrides: { ...TICK, duration: "20m" } },
  { name: "quickstart/record", scenario: "scenarios/quickstart.yaml", overrides: RECORD },
  // 24 hours of 500 shards with a Lambda mapping and a delivery stream (1 s cohorts; see the file).
  {
    name: "day",
    scenario: R("day-500-shards"),
    overrides: {},
    runs: 1,
    target: { wallSeconds: 60, peakRssMiB: 1024 },
  },
  // The floor of the record path (bench-floor.ts): R1 over an hour and R4, each record's
  // draws, batch place, limiter decision and latency insertion, and nothing else.
  // Beside kinesim itself on the same traffic (the peer's cases as scenarios), in this process.
  floorCase("floor/r1-60min", { seconds: 3600, shards: 4, rate: 3000, keys: 10_000 }),
  { name: "peer-R1/60min/record", scenario: R("peer-R1"), overrides: { duration: "60m" } },
  floorCase("floor/r4", { seconds: 600, shards: 50, rate: 40_000, keys: 100_000 }),
  { name: "peer-R4/record", scenario: R("peer-R4"), overrides: {} },
  // A user's day: 24 h of 7 shards, a daily storm, a Lambda mapping and a delivery stream.
  {
    name: "iot-day",
    scenario: R("iot-day"),
    overrides: {},
    runs: 1,
    target: { wallSeconds: 20 },
  },
  // What a plan costs: 20 shard counts × 5 seeds of a one-hour 20-shard scenario, on every core,
  // at the scenario's 100 ms cohorts (see the scenario for how they compare with 10 ms).
  {
    name: "plan/20x5",
    scenario: "scenarios/bench/plan-20-shards.yaml",
    overrides: {},
    grid: { shards: Array.from({ length: 20 }, (_, i) => 11 + i), seeds: 5 },
  },
  // The plan over the same range and seeds: a coarse pass, then full evaluations near its answer.
  {
    name: "plan/search",
    scenario: "scenarios/bench/plan-20-shards.yaml",
    overrides: {},
    plan: { seeds: 5 },
    runs: 1,
    target: { wallSeconds: 15 },
  },
];

/** The event queue alone: each event schedules the next at a pseudo-random later time. */
function measureEngine(c: BenchCase, e: NonNullable<BenchCase["engine"]>): Measurement {
  const sim = new Simulation();
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return 1 + (state % e.maxStepUs);
  };
  let fired = 0;
  let lastUs = 0;
  const handler = (t: number) => {
    fired++;
    lastUs = t;
    if (fired + e.pending <= e.events) sim.schedule(next(), handler);
  };
  for (let i = 0; i < e.pending; i++) sim.schedule(next(), handler);
  const started = process.hrtime.bigint();
  sim.run(Number.MAX_SAFE_INTEGER);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    case: c.name,
    events: fired,
    simulatedSeconds: lastUs / 1e6,
    wallSeconds,
    eventsPerSecond: fired / wallSeconds,
    realTimeFactor: lastUs / 1e6 / wallSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    firstAttemptThrottledFraction: 0,
    records: 0,
  };
}

function measureFloor(c: BenchCase, spec: FloorSpec): Measurement {
  const floor = runFloor(spec);
  return {
    case: c.name,
    events: 0,
    simulatedSeconds: spec.seconds,
    wallSeconds: floor.wallSeconds,
    eventsPerSecond: 0,
    realTimeFactor: spec.seconds / floor.wallSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    firstAttemptThrottledFraction: 1 - floor.accepted / Math.max(1, floor.records),
    records: floor.records,
  };
}

/** Measurements of one run of a case. */
interface Measurement {
  case: string;
  events: number;
  simulatedSeconds: number;
  wallSeconds: number;
  eventsPerSecond: number;
  realTimeFactor: number;
  peakRssMiB: number;
  firstAttemptThrottledFraction: number;
  records: number;
  /** Grid and plan cases: the smallest shard count meeting every SLO on every seed. */
  answer?: number | null;
}

function measure(c: BenchCase): Measurement {
  const { scenario } = loadScenario(readScenarioFile(c.scenario), {
    file: c.scenario,
    overrides: Object.entries(c.overrides).map(([path, value]) => ({ path, value })),
  });
  const started = process.hrtime.bigint();
  const { summary } = simulate(scenario);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    case: c.name,
    events: summary.events,
    simulatedSeconds: summary.durationSeconds,
    wallSeconds,
    eventsPerSecond: summary.events / wallSeconds,
    realTimeFactor: summary.durationSeconds / wallSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    firstAttemptThrottledFraction: summary.throttle.firstAttemptFraction,
    records: summary.records.produced,
  };
}

/** A grid case: every run on the simulation pool; events and records are summed over the runs. */
async function measureGrid(c: BenchCase, grid: NonNullable<BenchCase["grid"]>): Promise<Measurement> {
  const { runMany } = await import("./pool.js");
  const { evaluateCount } = await import("../plan/evaluation.js");
  const { replicationSeeds } = await import("../plan/sweep.js");
  const base = Object.entries(c.overrides).map(([path, value]) => ({ path, value }));
  const { scenario } = loadScenario(readScenarioFile(c.scenario), { file: c.scenario, overrides: base });
  // The seeds `kinesim plan --seeds N` runs, so that the grid's answer is the plan's to match.
  const seeds = replicationSeeds(scenario.seed, grid.seeds);
  const tasks = grid.shards.flatMap((shards) =>
    seeds.map((seed) => ({
      scenario: c.scenario,
      overrides: [
        ...base,
        { path: "stream.shards", value: String(shards) },
        { path: "seed", value: JSON.stringify(seed) },
      ],
    })),
  );
  const started = process.hrtime.bigint();
  const results = await runMany(tasks);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sum = (f: (r: (typeof results)[number]) => number) => results.reduce((a, r) => a + f(r), 0);
  const simulated = sum((r) => r.summary.durationSeconds);
  const events = sum((r) => r.summary.events);
  // Every count judged as the plan judges it; the answer is the smallest above which all pass.
  const passes = grid.shards.map(
    (shards, i) =>
      evaluateCount(
        scenario,
        shards,
        results
          .slice(i * seeds.length, (i + 1) * seeds.length)
          .map((r) => ({ summary: r.summary, monthlyCost: 0 })),
      ).pass,
  );
  const first = passes.findIndex((ok, i) => ok && passes.slice(i).every(Boolean));
  return {
    case: c.name,
    answer: first < 0 ? null : grid.shards[first]!,
    events,
    simulatedSeconds: simulated,
    wallSeconds,
    eventsPerSecond: events / wallSeconds,
    realTimeFactor: simulated / wallSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    firstAttemptThrottledFraction: results[0]!.summary.throttle.firstAttemptFraction,
    records: sum((r) => r.summary.records.produced),
  };
}

/** A plan case: `kinesim plan` as a user runs it, on every core, timed whole. */
async function measurePlan(c: BenchCase, plan: NonNullable<BenchCase["plan"]>): Promise<Measurement> {
  const { planCommand } = await import("./plan.js");
  const out = mkdtempSync(join(tmpdir(), "kinesim-bench-plan-"));
  const started = process.hrtime.bigint();
  await planCommand({ scenario: c.scenario, seeds: plan.seeds, out, quiet: true, force: true });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result = JSON.parse(readFileSync(join(out, "plan.json"), "utf8")) as {
    chosen: number | null;
  };
  rmSync(out, { recursive: true, force: true });
  return {
    case: c.name,
    answer: result.chosen,
    events: 0,
    simulatedSeconds: 0,
    wallSeconds,
    eventsPerSecond: 0,
    realTimeFactor: 0,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    firstAttemptThrottledFraction: 0,
    records: 0,
  };
}

/** A target or a comparison the brief asks for, judged on one bench run's rows. */
interface BenchCheck {
  case: string;
  kind: "target" | "agreement" | "memory" | "floor";
  met: boolean;
  text: string;
}

/** Judges each case against its target, 10 ms against record resolution, and memory over time. */
function benchChecks(rows: readonly Measurement[]): BenchCheck[] {
  const checks: BenchCheck[] = [];
  const row = (name: string) => rows.find((r) => r.case === name);
  for (const r of rows) {
    const t = BENCH_CASES.find((c) => c.name === r.case)?.target;
    if (!t) continue;
    const parts: [boolean, string][] = [];
    if (t.eventsPerSecond !== undefined)
      parts.push([r.eventsPerSecond >= t.eventsPerSecond, `≥ ${t.eventsPerSecond / 1e6} M events/s`]);
    if (t.realTimeFactor !== undefined)
      parts.push([r.realTimeFactor >= t.realTimeFactor, `≥ ${t.realTimeFactor}×`]);
    if (t.wallSeconds !== undefined) parts.push([r.wallSeconds <= t.wallSeconds, `≤ ${t.wallSeconds} s`]);
    if (t.peakRssMiB !== undefined) parts.push([r.peakRssMiB <= t.peakRssMiB, `≤ ${t.peakRssMiB} MiB`]);
    const met = parts.every(([ok]) => ok);
    const text = parts.map(([ok, what]) => `${what} ${ok ? "met" : "missed"}`).join(", ");
    checks.push({ case: r.case, kind: "target", met, text });
  }
  // 10 ms against record resolution, on the same scenario in the same bench run.
  for (const r of rows) {
    if (!r.case.endsWith("/10ms")) continue;
    const base = row(r.case.replace(/\/10ms$/, "/record"));
    if (!base) continue;
    const pp = 100 * (r.firstAttemptThrottledFraction - base.firstAttemptThrottledFraction);
    const met = Math.abs(pp) <= 1;
    checks.push({
      case: r.case,
      kind: "agreement",
      met,
      text: `${(r.realTimeFactor / base.realTimeFactor).toFixed(1)}× the speed of record resolution; first-attempt throttling ${pp >= 0 ? "+" : ""}${pp.toFixed(2)} pp (within 1 pp: ${met ? "yes" : "no"})`,
    });
  }
  // The plan's answer against every count evaluated in full on the same seeds.
  const planned = row("plan/search");
  const grid = row("plan/20x5");
  if (planned && grid) {
    const met = planned.answer === grid.answer;
    checks.push({
      case: planned.case,
      kind: "agreement",
      met,
      text: `plans ${planned.answer ?? "nothing"}; the full grid's smallest count meeting every SLO on every seed is ${grid.answer ?? "none"} (same: ${met ? "yes" : "no"})`,
    });
  }
  // Memory flat in simulated time: twice the duration, at most 10% more peak RSS.
  const once = row("r4-50-shards/10ms");
  const twice = row("r4-50-shards/10ms/20m");
  if (once && twice) {
    const growth = twice.peakRssMiB / once.peakRssMiB - 1;
    const met = growth <= 0.1;
    checks.push({
      case: twice.case,
      kind: "memory",
      met,
      text: `peak RSS ${growth >= 0 ? "+" : ""}${(100 * growth).toFixed(1)}% over twice the simulated time (at most +10%: ${met ? "yes" : "no"})`,
    });
  }
  // Each floor beside kinesim's own record resolution on the same traffic, per record.
  const FLOOR_OF: Record<string, string> = {
    "floor/r1-60min": "peer-R1/60min/record",
    "floor/r4": "peer-R4/record",
  };
  const nsPerRecord = (m: Measurement) => (m.wallSeconds * 1e9) / Math.max(1, m.records);
  for (const r of rows) {
    const beside = FLOOR_OF[r.case];
    if (beside === undefined) continue;
    const ours = row(beside);
    checks.push({
      case: r.case,
      kind: "floor",
      met: true,
      text: `${nsPerRecord(r).toFixed(0)} ns a record with records in typed columns and no events (a floor for the record path)${ours ? `; ${beside}: ${nsPerRecord(ours).toFixed(0)} ns a record` : ""}`,
    });
  }
  return checks;
}

/** Median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Wall time of starting a bare Node process and letting it exit, in ms (median of 7): how fast the
 * machine runs at the moment. A cloud VM's speed swings by a third between identical runs, so a
 * bench prints it beside its times, before and after, to tell a slow moment from a slow build.
 */
export function bareNodeMs(): number {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, ["-e", "0"]);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

/** The machine a bench ran on, with its speed before and after (see bareNodeMs). */
export interface BenchMachine {
  cores: number;
  cpu: string;
  node: string;
  platform: string;
  bareNodeMs: { before: number; after: number };
}

/** The machine, measured again now (`bareNodeBefore` was measured as the bench started). */
export function benchMachine(bareNodeBefore: number): BenchMachine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? "unknown",
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    bareNodeMs: { before: bareNodeBefore, after: bareNodeMs() },
  };
}

/** The machine line a bench prints above its table. */
export function machineLine(machine: BenchMachine, what: string): string {
  const { before, after } = machine.bareNodeMs;
  return `machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}; bare Node starts in ${before.toFixed(0)} ms before the bench, ${after.toFixed(0)} ms after (the machine's speed at the moment); ${what}\n`;
}

/** Runs the suite (or, with `case`, one case in this process, printing JSON). */
export async function benchCommand(options: { case?: string; runs: number; only?: string }): Promise<number> {
  if (options.case !== undefined) {
    const c = BENCH_CASES.find((x) => x.name === options.case);
    if (!c) {
      process.stderr.write(
        `unknown bench case ${options.case}; cases: ${BENCH_CASES.map((x) => x.name).join(", ")}\n`,
      );
      return 2;
    }
    const m = c.engine
      ? measureEngine(c, c.engine)
      : c.floor
        ? measureFloor(c, c.floor)
        : c.grid
          ? await measureGrid(c, c.grid)
          : c.plan
            ? await measurePlan(c, c.plan)
            : measure(c);
    process.stdout.write(`${JSON.stringify(m)}\n`);
    return 0;
  }
  const cli = fileURLToPath(new URL("./main.js", import.meta.url));
  const bareBefore = bareNodeMs();
  const rows: Measurement[] = [];
  for (const c of BENCH_CASES.filter((x) => options.only === undefined || x.name.startsWith(options.only))) {
    const runs: Measurement[] = [];
    for (let i = 0; i < (c.runs ?? options.runs); i++) {
      const child = spawnSync(process.execPath, [cli, "bench", "--case", c.name], { encoding: "utf8" });
      if (child.status !== 0) {
        process.stderr.write(`bench case ${c.name} failed:\n${child.stderr}\n`);
        return 3;
      }
      runs.push(JSON.parse(child.stdout) as Measurement);
    }
    const pick = (f: (m: Measurement) => number) => median(runs.map(f));
    rows.push({
      case: c.name,
      events: runs[0]!.events,
      records: runs[0]!.records,
      simulatedSeconds: runs[0]!.simulatedSeconds,
      wallSeconds: pick((m) => m.wallSeconds),
      eventsPerSecond: pick((m) => m.eventsPerSecond),
      realTimeFactor: pick((m) => m.realTimeFactor),
      peakRssMiB: pick((m) => m.peakRssMiB),
      firstAttemptThrottledFraction: runs[0]!.firstAttemptThrottledFraction,
      ...(runs[0]!.answer !== undefined ? { answer: runs[0]!.answer } : {}),
    });
  }
  const machine = benchMachine(bareBefore);
  const checks = benchChecks(rows);
  mkdirSync("reports/bench", { recursive: true });
  writeFileSync(
    "reports/bench/results.json",
    `${JSON.stringify({ machine, runsPerCase: options.runs, results: rows, checks }, null, 2)}\n`,
  );
  const header = [
    "case",
    "records",
    "events",
    "events/record",
    "events/s",
    "sim s / wall s",
    "wall s",
    "peak RSS MiB",
    "1st-attempt throttled",
    "target",
  ];
  const table = rows.map((r) => [
    r.case,
    formatNumber(r.records),
    formatNumber(r.events),
    r.records > 0 && r.events > 0 ? (r.events / r.records).toFixed(2) : "—",
    formatNumber(Math.round(r.eventsPerSecond)),
    `${formatNumber(Math.round(r.realTimeFactor))}×`,
    r.wallSeconds.toFixed(2),
    r.peakRssMiB.toFixed(0),
    `${(100 * r.firstAttemptThrottledFraction).toFixed(2)}%`,
    checks.find((c) => c.case === r.case && c.kind === "target")?.text ?? "",
  ]);
  process.stdout.write(
    machineLine(machine, `median of ${options.runs} run${options.runs === 1 ? "" : "s"} per case`),
  );
  process.stdout.write(textTable(header, table));
  for (const c of checks.filter((x) => x.kind !== "target")) process.stdout.write(`${c.case}: ${c.text}\n`);
  process.stdout.write("wrote reports/bench/results.json\n");
  return 0;
}
