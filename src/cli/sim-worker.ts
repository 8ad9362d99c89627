// A worker thread's task: load a scenario with overrides, run it, return its summary (and, when
// asked, its bill's usage inputs). Results depend only on the task, never on the thread. Progress
// (simulated time so far) goes back through a message port when the caller gives one.

import type { MessagePort } from "node:worker_threads";
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

/** Runs a task; `progress` (or the task's port, on a worker thread) hears the simulated time. */
export default function run(
  task: SimTask & { port?: MessagePort },
  progress?: (simulatedUs: number) => void,
): SimResult {
  const { scenario } = loadScenarioFile(task.scenario, task.overrides);
  const report = progress ?? (task.port ? (us: number) => task.port!.postMessage(us) : undefined);
  const { summary } = simulate(scenario, report ? { onProgress: (t) => report(t) } : {});
  task.port?.close();
  return { summary, usage: usageOf(scenario, summary) };
}
