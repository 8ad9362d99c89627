// How long a command will take, measured rather than guessed: a pilot simulates the start of the
// scenario for a fraction of a second of wall time, and the rest is extrapolated. A run's cost is
// about a·records + b·simulated seconds (producers cost per record, readers and ticks per second),
// so scaling the pilot by the larger and the smaller of the two ratios (records of the whole run
// over records so far, duration over time so far) brackets the whole run whatever a and b are.

import { US_PER_S } from "../engine/time.js";
import { NULL_SINK } from "../metrics/sink.js";
import { buildRun } from "../model/build.js";
import { expectedRecords, resolveTick } from "../model/resolution.js";
import type { Scenario } from "../scenario/schema.js";
import { formatNumber } from "../scenario/units.js";
import { UserInputError } from "./errors.js";
import { formatWall } from "./human.js";
import { Progress } from "./progress.js";

/** Wall seconds a command is expected to take: a bracket, not a point. */
export interface Estimate {
  lowSeconds: number;
  highSeconds: number;
}

/** Above this, a command warns before it goes on (and says how to be quicker). */
export const WARN_SECONDS = 60;
/** Above this (the low end of the bracket), a command is refused without --force. */
export const REFUSE_SECONDS = 3600;

/**
 * Scales a pilot up to the whole run: it took `wallMs` to simulate from `fromUs` to `toUs` (after a
 * warm-up: the first fraction of a second of a process is the JIT compiling, and would inflate it).
 */
export function extrapolate(scenario: Scenario, toUs: number, wallMs: number, fromUs = 0): Estimate {
  const end = scenario.duration;
  if (toUs >= end && fromUs === 0) return { lowSeconds: wallMs / 1000, highSeconds: wallMs / 1000 };
  const byTime = end / Math.max(toUs - fromUs, 1);
  const recordsIn = expectedRecords(scenario, toUs) - expectedRecords(scenario, fromUs);
  const byRecords = recordsIn > 0 ? expectedRecords(scenario) / recordsIn : byTime;
  return {
    lowSeconds: (wallMs / 1000) * Math.min(byTime, byRecords),
    highSeconds: (wallMs / 1000) * Math.max(byTime, byRecords),
  };
}

/** Wall time a pilot lets the process warm up before it measures. */
export const WARM_UP_MS = 200;

/**
 * Wall time a pilot may take before it answers. A run's first moments can be far slower than the
 * rest (the JIT still compiling, the heap still growing; on a busy machine more so): the day of
 * 500 shards goes at 31 simulated seconds a second over its first window (0.2–0.6 s of wall time),
 * then at 83–111, so the first window alone read 46–56 min for a run of 12. A pilot whose estimate
 * would warn or refuse measures again over the next stretch, twice as long each time, until two
 * windows in a row go at about the same pace (see SETTLED) and its estimate does not refuse, or
 * until this much time has gone; it answers with the last window.
 */
export const LONGEST_PILOT_MS = 6400;

/** Two windows in a row whose paces (simulated time per wall time) differ by less than this
 *  factor have settled: the later one is taken as the run's pace. */
const SETTLED = 1.25;

/**
 * A pilot's measuring window: starts after the warm-up and, while its estimate would warn or
 * refuse and the pace has not settled (or while it would refuse, over `refuseAboveSeconds`),
 * starts again over a window twice as long. `judge` is given the simulated time so far and says
 * whether the pilot is done (returning its estimate).
 */
export class PilotWindow {
  private warm: { us: number; ms: number } | undefined;
  private lengthMs: number;
  /** Pace of the window before, simulated µs per wall ms. */
  private previousPace: number | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly startedMs: number,
    firstWindowMs: number,
    private readonly refuseAboveSeconds = REFUSE_SECONDS,
    /** An estimate above this would warn (a command of several runs: the per-run time that would). */
    private readonly warnAboveSeconds = WARN_SECONDS,
  ) {
    this.lengthMs = firstWindowMs;
  }

  /** The estimate once the pilot has measured enough at simulated time `t` (µs), else undefined. */
  judge(t: number, nowMs: number): Estimate | undefined {
    const end = this.scenario.duration;
    const wall = nowMs - this.startedMs;
    if (!this.warm && wall >= WARM_UP_MS) this.warm = { us: t, ms: nowMs };
    if (t >= end) return this.estimate(t, nowMs);
    const warm = this.warm;
    if (!warm || nowMs - warm.ms < this.lengthMs) return undefined;
    const estimate = this.estimate(t, nowMs);
    const pace = (t - warm.us) / Math.max(nowMs - warm.ms, 1);
    const previous = this.previousPace;
    const settled = previous !== undefined && pace < previous * SETTLED && previous < pace * SETTLED;
    const refuses = estimate.lowSeconds > this.refuseAboveSeconds;
    const warns = estimate.highSeconds > this.warnAboveSeconds;
    if ((refuses || (warns && !settled)) && wall + 2 * this.lengthMs <= LONGEST_PILOT_MS) {
      this.warm = { us: t, ms: nowMs };
      this.previousPace = pace;
      this.lengthMs *= 2;
      return undefined;
    }
    return estimate;
  }

  private estimate(t: number, nowMs: number): Estimate {
    // A run that ended (or ended within the warm-up) is measured whole.
    if (!this.warm || t >= this.scenario.duration)
      return extrapolate(this.scenario, t, nowMs - this.startedMs);
    return extrapolate(this.scenario, t, nowMs - this.warm.ms, this.warm.us);
  }
}

/**
 * Simulates the start of a scenario for about `budgetMs` of wall time after a warm-up (longer when
 * the estimate would warn before a pace has settled, or be over `refuseAboveSeconds`: see
 * PilotWindow) and extrapolates one run from the part measured.
 */
export function pilotEstimate(
  scenario: Scenario,
  budgetMs = 400,
  refuseAboveSeconds = REFUSE_SECONDS,
  warnAboveSeconds = WARN_SECONDS,
): Estimate {
  const started = Date.now();
  const run = buildRun(scenario, { sink: NULL_SINK });
  const slice = Math.max(1, Math.min(US_PER_S, Math.floor(scenario.duration / 1000)));
  const pilot = new PilotWindow(scenario, started, budgetMs, refuseAboveSeconds, warnAboveSeconds);
  let t = 0;
  for (;;) {
    t = Math.min(t + slice, scenario.duration);
    run.sim.run(t);
    const estimate = pilot.judge(t, Date.now());
    if (estimate) return estimate;
  }
}

/** How many runs a command makes: a number, or (a plan, whose searches decide as they go) the
 *  number it expects and the most it is likely to need. */
export type RunCount = number | { expected: number; most: number };

/** A whole command: `runs` runs like the piloted one on `workers` threads (the low end of the
 *  bracket for the runs expected, the high end for the most likely). */
export function commandEstimate(perRun: Estimate, runs: RunCount, workers: number): Estimate {
  const { expected, most } = typeof runs === "number" ? { expected: runs, most: runs } : runs;
  return {
    lowSeconds: (perRun.lowSeconds * expected) / threadsUsed(expected, workers),
    highSeconds: (perRun.highSeconds * most) / threadsUsed(most, workers),
  };
}

/** Threads `runs` runs keep busy on `workers` worker threads. */
function threadsUsed(runs: number, workers: number): number {
  return Math.max(1, Math.min(workers, runs));
}

/** "about 3 min 20 s" or "3 min 20 s to 5 min 10 s". */
export function describeEstimate(estimate: Estimate): string {
  const low = formatWall(1000 * estimate.lowSeconds);
  const high = formatWall(1000 * estimate.highSeconds);
  return low === high ? `about ${low}` : `${low} to ${high}`;
}

/** What a user can change to get a quicker answer. */
export function quickerHints(
  scenario: Scenario,
  estimate: Estimate,
  flags: { duration: string; resolution: string },
): string {
  const hints: string[] = [];
  // A shorter window that would take about a minute at the high end of the bracket.
  const fit = (60 / estimate.highSeconds) * scenario.duration;
  const shorter = [24 * 3600, 6 * 3600, 3600, 30 * 60, 10 * 60, 5 * 60, 60]
    .map((s) => s * US_PER_S)
    .find((us) => us <= fit && us < scenario.duration);
  if (shorter !== undefined)
    hints.push(
      `a shorter window (${flags.duration} ${shorter >= 3600 * US_PER_S ? `${shorter / 3600 / US_PER_S}h` : `${shorter / 60 / US_PER_S}m`})`,
    );
  const tick = resolveTick(scenario);
  if (tick === undefined) hints.push(`cohort resolution (${flags.resolution} 10ms)`);
  else if (tick < 100_000) hints.push(`a coarser tick (${flags.resolution} 100ms)`);
  return hints.length > 0 ? hints.join(" or ") : "fewer runs";
}

/**
 * Refuses a command estimated to take over an hour (unless forced) and warns about one over a
 * minute, naming what to change. Returns the warning text, if any, for the caller to print.
 */
export function judgeEstimate(
  what: string,
  scenario: Scenario,
  estimate: Estimate,
  options: { force?: boolean; flags: { duration: string; resolution: string } },
): string | undefined {
  const hints = quickerHints(scenario, estimate, options.flags);
  if (estimate.lowSeconds > REFUSE_SECONDS && !options.force)
    throw new UserInputError(
      `${what} is estimated to take ${describeEstimate(estimate)} (measured on the first part of the run): use ${hints}; --force runs it anyway`,
    );
  if (estimate.highSeconds > WARN_SECONDS)
    return `${what} will take ${describeEstimate(estimate)}; for a quicker answer use ${hints}. Ctrl-C stops it.`;
  return undefined;
}

/** Options of startCommand. */
export interface CommandOptions {
  force?: boolean | undefined;
  quiet?: boolean | undefined;
  /** How this command spells the duration and resolution overrides in a hint. */
  flags?: { duration: string; resolution: string };
}

/**
 * Before a command of several runs starts: pilots one run, refuses the command when it would take
 * over an hour (unless forced), warns when it takes over a minute, and returns its progress display.
 */
export function startCommand(
  what: string,
  scenario: Scenario,
  count: RunCount,
  workers: number,
  options: CommandOptions,
): Progress {
  const runs = typeof count === "number" ? count : count.expected;
  const most = typeof count === "number" ? count : Math.max(count.most, runs);
  // The pilot measures longer before it warns or refuses (see PilotWindow): at the per-run times
  // that would make the command do so.
  const perRun = threadsUsed(runs, workers) / runs;
  const refuseAbove = options.force ? Number.POSITIVE_INFINITY : REFUSE_SECONDS * perRun;
  const estimate = commandEstimate(
    pilotEstimate(scenario, undefined, refuseAbove, WARN_SECONDS * perRun),
    { expected: runs, most },
    workers,
  );
  const warning = judgeEstimate(
    `${what} (${formatNumber(runs)}${most > runs ? ` to ${formatNumber(most)}` : ""} run${most === 1 ? "" : "s"})`,
    scenario,
    estimate,
    {
      ...(options.force !== undefined ? { force: options.force } : {}),
      flags: options.flags ?? { duration: "--duration", resolution: "--resolution" },
    },
  );
  if (warning && !options.quiet) process.stderr.write(`${warning}\n`);
  return new Progress(what, runs, scenario.duration, { quiet: options.quiet === true, mostRuns: most });
}
