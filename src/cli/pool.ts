// Runs simulations on worker threads (piscina), returning results in task order, so the output
// is the same whatever the number of workers. With one worker, tasks run in this thread.

import { availableParallelism } from "node:os";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import runTask, { type SimResult, type SimTask } from "./sim-worker.js";

/** Hears how far each task of a batch has simulated (index in the batch, µs). */
export type TaskProgress = (task: number, simulatedUs: number) => void;

/** A task waiting for a thread, with the batch it belongs to. */
interface Queued {
  task: SimTask;
  /** Its index in its batch: across batches, lower indices start first. */
  rank: number;
  /** Order of arrival, to break ties in rank. */
  order: number;
  batch: Batch;
}

/** A batch of tasks from one call: the results so far, and where it ends. */
interface Batch {
  results: (SimResult | undefined)[];
  /** Results up to this index are all that is wanted (the first that stops the batch). */
  end: number;
  stop: (result: SimResult) => boolean;
  progress: TaskProgress | undefined;
  settled: boolean;
  resolve: (results: SimResult[]) => void;
  reject: (error: unknown) => void;
}

/**
 * A pool of simulation workers, kept for several batches of runs (plan evaluates many). It starts
 * a task only when a thread is free, the lowest index in its batch first (so two counts of a plan
 * round start with their first seeds), and a batch can end early: `runUntil` drops the tasks after
 * the first result that stops it before they start. Which results a batch returns depends only on
 * the tasks and the results, never on the number of threads or on timing.
 */
export class SimPool {
  private readonly pool: Piscina | undefined;
  private readonly threads: number;
  private readonly queue: Queued[] = [];
  private running = 0;
  private arrivals = 0;

  constructor(workers = availableParallelism()) {
    this.threads = workers;
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
  run(tasks: readonly SimTask[], progress?: TaskProgress): Promise<SimResult[]> {
    return this.runUntil(tasks, () => false, progress);
  }

  /**
   * Runs tasks in order until one's result stops the batch: returns the results up to and
   * including the first (in task order) for which `stop` is true, or all of them. Tasks after that
   * one are not started; any already running finish, unused.
   */
  runUntil(
    tasks: readonly SimTask[],
    stop: (result: SimResult) => boolean,
    progress?: TaskProgress,
  ): Promise<SimResult[]> {
    const pool = this.pool;
    if (!pool) {
      // One thread: this one, in task order, stopping at the first result that stops the batch.
      const results: SimResult[] = [];
      for (const [i, t] of tasks.entries()) {
        const r = runTask(t, progress ? (us) => progress(i, us) : undefined);
        results.push(r);
        if (stop(r)) break;
      }
      return Promise.resolve(results);
    }
    return new Promise<SimResult[]>((resolve, reject) => {
      const batch: Batch = {
        results: new Array(tasks.length).fill(undefined),
        end: tasks.length - 1,
        stop,
        progress,
        settled: false,
        resolve,
        reject,
      };
      if (tasks.length === 0) resolve([]);
      for (const [rank, task] of tasks.entries())
        this.queue.push({ task, rank, order: this.arrivals++, batch });
      this.dispatch();
    });
  }

  /** Starts queued tasks while threads are free: the lowest rank first, then the earliest. */
  private dispatch(): void {
    while (this.running < this.threads && this.queue.length > 0) {
      let best = 0;
      for (let i = 1; i < this.queue.length; i++) {
        const q = this.queue[i]!;
        const b = this.queue[best]!;
        if (q.rank < b.rank || (q.rank === b.rank && q.order < b.order)) best = i;
      }
      const next = this.queue.splice(best, 1)[0]!;
      this.start(next);
    }
  }

  private start({ task, rank, batch }: Queued): void {
    const pool = this.pool!;
    this.running++;
    let done: Promise<SimResult>;
    if (batch.progress) {
      const report = batch.progress;
      const { port1, port2 } = new MessageChannel();
      port1.on("message", (us: number) => report(rank, us));
      done = (pool.run({ ...task, port: port2 }, { transferList: [port2] }) as Promise<SimResult>).finally(
        () => port1.close(),
      );
    } else done = pool.run(task) as Promise<SimResult>;
    done.then(
      (result) => {
        this.running--;
        this.finished(batch, rank, result);
        this.dispatch();
      },
      (error: unknown) => {
        this.running--;
        if (!batch.settled) {
          batch.settled = true;
          this.drop(batch);
          batch.reject(error);
        }
        this.dispatch();
      },
    );
  }

  /** Takes a result; ends the batch when every result up to its end is in. */
  private finished(batch: Batch, rank: number, result: SimResult): void {
    if (batch.settled || rank > batch.end) return;
    batch.results[rank] = result;
    if (batch.stop(result) && rank < batch.end) {
      batch.end = rank;
      this.drop(batch);
    }
    for (let i = 0; i <= batch.end; i++) if (batch.results[i] === undefined) return;
    batch.settled = true;
    batch.resolve(batch.results.slice(0, batch.end + 1) as SimResult[]);
  }

  /** Removes a batch's queued tasks beyond its end. */
  private drop(batch: Batch): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const q = this.queue[i]!;
      if (q.batch === batch && (batch.settled || q.rank > batch.end)) this.queue.splice(i, 1);
    }
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
