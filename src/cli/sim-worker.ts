// A worker thread's task: load a scenario with overrides, run it, return its summary (and, when
// asked, its bill's usage inputs). Results depend only on the task, never on the thread.

import type { RunSummary } from "../metrics/summary.js";
import { type Usage, usageOf } from "../plan/bill.js";
import type { Override } from "../scenario/load.js";
import { simulate } from "../simulate.js";
import { loadScenarioFile } from "./load.js";

/** One run to do. */
export interface SimTask {
  scenario: string;
  overrides: Override[];
}

/** What a run gives back. */
export interface SimResult {
  summary: RunSummary;
  usage: Usage;
}

export default function run(task: SimTask): SimResult {
  const { scenario } = loadScenarioFile(task.scenario, task.overrides);
  const { summary } = simulate(scenario);
  return { summary, usage: usageOf(scenario, summary) };
}
