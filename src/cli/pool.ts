// Runs simulations on worker threads (piscina), returning results in task order, so the output
// is the same whatever the number of workers. With one worker, tasks run in this thread.

import { availableParallelism } from "node:os";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import runTask, { type SimResult, type SimTask } from "./sim-worker.js";

/** Hears how far each task of a batch has simulated (index in the batch, µs). */
export type TaskProgress = (task: number, simulatedUs: number) => void;

/** A pool of simulation workers, kept for several batches of runs (plan evaluates many). */
export class SimPool {
  private readonly pool: Piscina | undefined;

  constructor(workers = availableParallelism()) {
    if (workers <= 1) return;
    const ts = import.meta.url.endsWith(".ts");
    this.pool = new Piscina({
      filename: new URL(`./sim-worker${ts ? ".ts" : ".js"}`, import.meta.url).href,
      maxThreads: workers,
      // Every thread is kept until the pool is destroyed. Piscina otherwise ends a thread as soon as
      // it is idle (above minThreads), and between a plan's rounds that restarted a thread for each
      // batch: it loaded the modules again and ran its first simulations before the JIT had warmed up.
      minThreads: workers,
      idleTimeout: Number.POSITIVE_INFINITY,
      // A .ts worker (under tsx or vitest) needs tsx's loader in the thread; dist runs plain .js.
      ...(ts ? { execArgv: ["--import", import.meta.resolve("tsx")] } : {}),
    });
  }

  /** Runs every task; the results come back in task order. */
  async run(tasks: readonly SimTask[], progress?: TaskProgress): Promise<SimResult[]> {
    const pool = this.pool;
    // With a pool, even a single task goes to it: a plan's rounds start several batches at once.
    if (!pool) return tasks.map((t, i) => runTask(t, progress ? (us) => progress(i, us) : undefined));
    return Promise.all(
      tasks.map((t, i) => {
        if (!progress) return pool.run(t) as Promise<SimResult>;
        const { port1, port2 } = new MessageChannel();
        port1.on("message", (us: number) => progress(i, us));
        return (pool.run({ ...t, port: port2 }, { transferList: [port2] }) as Promise<SimResult>).finally(
          () => port1.close(),
        );
      }),
    );
  }

  async destroy(): Promise<void> {
    await this.pool?.destroy();
  }
}

/** Runs every task on a pool of its own and returns the results in task order. */
export async function runMany(
  tasks: readonly SimTask[],
  workers = availableParallelism(),
  progress?: TaskProgress,
): Promise<SimResult[]> {
  const pool = new SimPool(Math.min(workers, tasks.length));
  try {
    return await pool.run(tasks, progress);
  } finally {
    await pool.destroy();
  }
}
