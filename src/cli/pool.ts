// Runs many simulations on worker threads (piscina), returning results in task order, so the
// output is the same whatever the number of workers. One worker runs in this thread.

import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import runTask, { type SimResult, type SimTask } from "./sim-worker.js";

/** Runs every task and returns the results in task order. */
export async function runMany(
  tasks: readonly SimTask[],
  workers = availableParallelism(),
  onDone?: (done: number, total: number) => void,
): Promise<SimResult[]> {
  let done = 0;
  const finished = (r: SimResult) => {
    onDone?.(++done, tasks.length);
    return r;
  };
  if (workers <= 1 || tasks.length <= 1) return tasks.map((t) => finished(runTask(t)));
  const ts = import.meta.url.endsWith(".ts");
  const pool = new Piscina({
    filename: new URL(`./sim-worker${ts ? ".ts" : ".js"}`, import.meta.url).href,
    maxThreads: Math.min(workers, tasks.length),
    minThreads: 1,
    // A .ts worker (under tsx or vitest) needs tsx's loader in the thread; dist runs plain .js.
    ...(ts ? { execArgv: ["--import", "tsx"] } : {}),
  });
  try {
    return await Promise.all(tasks.map((t) => (pool.run(t) as Promise<SimResult>).then(finished)));
  } finally {
    await pool.destroy();
  }
}
