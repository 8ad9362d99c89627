// The pipeline in one screen. Read this first.
//
//   YAML text ──loadScenario──► Scenario (validated, defaults filled, engine units)
//        Scenario ──buildRun──► Simulation + Stream + Producers + RunRecorder (model/build.ts)
//        run(duration) ─────────► events fire in (time, scheduling order); every metrics
//                                 interval the recorder streams rows to the sink
//        summarize ─────────────► ledger checked (throws if records went missing), RunSummary
//   The CLI writes the sink's tables as CSV next to summary.json; tests keep them in memory.

import { US_PER_S } from "./engine/time.js";
import { NULL_SINK, type RunSink } from "./metrics/sink.js";
import type { RunSummary } from "./metrics/summary.js";
import { type BuiltRun, buildRun } from "./model/build.js";
import type { DrawPlan, DrawSource } from "./model/record-draws.js";
import { summarize } from "./model/summarize.js";
import type { Scenario } from "./scenario/schema.js";

/** Options of simulate(). */
export interface SimulateOptions {
  /** Receives the time-series tables as they are produced (default: discard). */
  sink?: RunSink;
  /** Called between slices of simulated time (for progress bars); never affects results. */
  onProgress?: (simulatedUs: number, durationUs: number, events: number) => void;
  /** Simulated time between progress calls (default 1 minute of virtual time). */
  progressSliceUs?: number;
  /** Where producers at record resolution take their records' draws from (another thread: see
   *  cli/draw-threads.ts), or undefined for their own; the draws, and so the run, are the same. */
  drawSource?: (plan: DrawPlan) => DrawSource | undefined;
  /** Test hooks. Not for users: they break the model on purpose. */
  testHooks?: { leakAtUs?: number; recordsAsObjects?: boolean };
}

/** The outcome of a run. */
export interface RunResult {
  scenario: Scenario;
  summary: RunSummary;
  run: BuiltRun;
}

/**
 * Runs a scenario slice by slice, awaiting `pause()` between slices so that the caller's event loop
 * can notice a signal (`pause` may return nothing: no wait after this slice); when `stopped()`
 * turns true the run ends there and its summary says so (`interrupted`). Same results as
 * simulate() when it runs to the end.
 */
export async function simulateInterruptible(
  scenario: Scenario,
  options: SimulateOptions,
  pause: () => Promise<void> | undefined,
  stopped: () => string | undefined,
): Promise<RunResult> {
  const run = buildRun(scenario, {
    sink: options.sink ?? NULL_SINK,
    ...(options.drawSource ? { drawSource: options.drawSource } : {}),
  });
  const end = scenario.duration;
  const slice = options.progressSliceUs ?? 60 * US_PER_S;
  let t = 0;
  let reason: string | undefined;
  while (t < end) {
    t = Math.min(t + slice, end);
    run.sim.run(t);
    options.onProgress?.(t, end, run.sim.eventsFired);
    const wait = pause();
    if (wait) await wait;
    reason = stopped();
    if (reason !== undefined && t < end) break;
  }
  run.recorder.finish(t);
  const summary = summarize(scenario, run);
  if (t < end) summary.interrupted = { atSeconds: t / US_PER_S, reason: reason ?? "stopped" };
  return { scenario, summary, run };
}

/** Runs a scenario to its end and returns its summary. Deterministic: same scenario, same result. */
export function simulate(scenario: Scenario, options: SimulateOptions = {}): RunResult {
  const run = buildRun(scenario, {
    sink: options.sink ?? NULL_SINK,
    ...(options.testHooks?.leakAtUs !== undefined ? { leakAtUs: options.testHooks.leakAtUs } : {}),
    ...(options.testHooks?.recordsAsObjects ? { recordsAsObjects: true } : {}),
    ...(options.drawSource ? { drawSource: options.drawSource } : {}),
  });
  const end = scenario.duration;
  const slice = options.progressSliceUs ?? 60 * US_PER_S;
  for (let t = Math.min(slice, end); ; t = Math.min(t + slice, end)) {
    run.sim.run(t);
    options.onProgress?.(t, end, run.sim.eventsFired);
    if (t >= end) break;
  }
  run.recorder.finish(end);
  const summary = summarize(scenario, run);
  return { scenario, summary, run };
}
