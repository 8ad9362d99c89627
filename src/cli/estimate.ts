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
 * Simulates the start of a scenario for about `budgetMs` of wall time after a warm-up and
 * extrapolates one run from the part after the warm-up.
 */
export function pilotEstimate(scenario: Scenario, budgetMs = 400): Estimate {
  const started = Date.now();
  const run = buildRun(scenario, { sink: NULL_SINK });
  const slice = Math.max(1, Math.min(US_PER_S, Math.floor(scenario.duration / 1000)));
  let t = 0;
  let warm: { us: number; ms: number } | undefined;
  while (t < scenario.duration && Date.now() - started < WARM_UP_MS + budgetMs) {
    t = Math.min(t + slice, scenario.duration);
    run.sim.run(t);
    if (!warm && Date.now() - started >= WARM_UP_MS) warm = { us: t, ms: Date.now() };
  }
  // A run that ended within the warm-up (or just after it) is measured whole.
  if (!warm || t >= scenario.duration) return extrapolate(scenario, t, Date.now() - started);
  return extrapolate(scenario, t, Date.now() - warm.ms, warm.us);
}

/** A whole command: `runs` runs like the piloted one on `workers` threads. */
export function commandEstimate(perRun: Estimate, runs: number, workers: number): Estimate {
  const parallel = Math.max(1, Math.min(workers, runs));
  return {
    lowSeconds: (perRun.lowSeconds * runs) / parallel,
    highSeconds: (perRun.highSeconds * runs) / parallel,
  };
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
  runs: number,
  workers: number,
  options: CommandOptions,
): Progress {
  const estimate = commandEstimate(pilotEstimate(scenario), runs, workers);
  const warning = judgeEstimate(
    `${what} (${formatNumber(runs)} run${runs === 1 ? "" : "s"})`,
    scenario,
    estimate,
    {
      ...(options.force !== undefined ? { force: options.force } : {}),
      flags: options.flags ?? { duration: "--duration", resolution: "--resolution" },
    },
  );
  if (warning && !options.quiet) process.stderr.write(`${warning}\n`);
  return new Progress(what, runs, scenario.duration, { quiet: options.quiet === true });
}
