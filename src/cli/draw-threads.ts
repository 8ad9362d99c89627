// A run's producers at record resolution, their records drawn on cores of their own: a worker
// thread per producer (draw-worker.ts) fills a ring of chunks in shared memory from the same
// plan the producer would draw from itself, number for number (see model/record-draws.ts), while
// the run takes them in order. Used by `run` where a core is free for it and the producer draws
// enough records to repay the thread's start; `sweep` and `plan` keep every core for runs.

import { Worker } from "node:worker_threads";
import { type DrawChunk, type DrawPlan, type DrawSource, expectedRecords } from "../model/record-draws.js";
import {
  COUNTS,
  FAILED,
  RELEASED,
  RING_CHUNKS,
  ringBuffers,
  ringChunks,
  STATE,
  STOP,
  WRITTEN,
} from "./draw-ring.js";

/** Fewer expected records than this are drawn in the run's own thread: a thread's start (about
 *  50 ms here: Node and the drawing modules) costs about what drawing a million records does. */
export const THREAD_MIN_RECORDS = 1_000_000;

/** A chunk not written within this long means the thread is gone (it reports its own failures). */
const GONE_MS = 60_000;

/** Hands producers a thread each while `threads` last. */
export class DrawThreads {
  private readonly open: ThreadDraws[] = [];

  constructor(
    private readonly threads: number,
    private readonly minRecords = THREAD_MIN_RECORDS,
  ) {}

  /** The draws of a plan on a thread of their own, or undefined to draw them in the run's thread. */
  readonly source = (plan: DrawPlan): DrawSource | undefined => {
    if (this.open.length >= this.threads || expectedRecords(plan) < this.minRecords) return undefined;
    const s = new ThreadDraws(plan);
    this.open.push(s);
    return s;
  };

  /** Number of threads started. */
  get started(): number {
    return this.open.length;
  }

  /** Stops every thread. */
  close(): void {
    for (const s of this.open) s.close();
  }
}

/** One producer's draws, made by a worker thread into a ring of chunks. */
class ThreadDraws implements DrawSource {
  private readonly counters: Int32Array;
  private readonly chunks: DrawChunk[];
  private readonly worker: Worker;
  /** Chunks taken so far; the last one taken is in use until the next is asked for. */
  private taken = 0;

  constructor(plan: DrawPlan) {
    const ring = ringBuffers();
    this.counters = new Int32Array(ring.counters);
    this.chunks = ringChunks(ring);
    const ts = import.meta.url.endsWith(".ts");
    const file = new URL(`./draw-worker${ts ? ".ts" : ".js"}`, import.meta.url);
    // A .ts worker (under tsx or vitest) is imported once tsx's loader is in the thread; dist
    // runs plain .js.
    this.worker = ts
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`,
          { eval: true, workerData: { plan, ring } },
        )
      : new Worker(file, { workerData: { plan, ring } });
    // The run ends the thread (close); it never keeps the process alive.
    this.worker.unref();
  }

  next(): DrawChunk {
    const k = this.taken;
    const counters = this.counters;
    if (k > 0) {
      Atomics.store(counters, RELEASED, k);
      Atomics.notify(counters, RELEASED);
    }
    while (Atomics.load(counters, WRITTEN) <= k) {
      if (Atomics.load(counters, STATE) === FAILED)
        throw new Error("the thread drawing a producer's records failed (its error is printed above)");
      if (Atomics.wait(counters, WRITTEN, k, GONE_MS) === "timed-out" && Atomics.load(counters, WRITTEN) <= k)
        throw new Error(`the thread drawing a producer's records wrote nothing for ${GONE_MS / 1000} s`);
    }
    const chunk = this.chunks[k % RING_CHUNKS]!;
    chunk.n = Atomics.load(counters, COUNTS + (k % RING_CHUNKS));
    this.taken = k + 1;
    return chunk;
  }

  close(): void {
    Atomics.store(this.counters, STATE, STOP);
    Atomics.notify(this.counters, RELEASED);
    void this.worker.terminate();
  }
}
