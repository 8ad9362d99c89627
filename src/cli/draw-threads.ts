// A run's producers at record resolution, their records drawn on cores of their own: a worker
// thread per producer (draw-worker.ts) fills a ring of chunks in shared memory from the same
// plan the producer would draw from itself, number for number (see model/record-draws.ts), while
// the run takes them in order. Used by `run` where a core is free for it and the producer draws
// enough records to repay the thread's start; `sweep` and `plan` keep every core for runs.

import { Worker } from "node:worker_threads";
import {
  DrawChunk,
  type DrawPlan,
  type DrawSource,
  expectedRecords,
  RecordDraws,
} from "../model/record-draws.js";
import {
  CHUNK_RECORDS,
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

/** Fewer expected records than this are drawn in the run's own thread. The run does not wait for
 *  a thread to start (it draws the first chunks itself meanwhile), but the start (50–100 ms of
 *  Node and the drawing modules on the other core, the run's own copy of the plan's draws) pays
 *  only over many chunks: R1 over 10 minutes (1.8 million records) runs as fast either way. */
export const THREAD_MIN_RECORDS = 1_000_000;

/** Chunks given back between wake-ups of a thread waiting for room in the ring. */
const WAKE_EVERY = 16;

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

/**
 * One producer's draws, made by a worker thread into a ring of chunks. While the thread starts
 * (Node and the drawing modules: about 50–100 ms), the run draws the chunks it needs itself, from
 * the same plan, and takes the thread's from the first the thread has written in time; the thread
 * draws every chunk from the first (it cannot skip one without drawing it), so it gives back those
 * the run drew. Should the thread fail before then, the run goes on drawing them itself.
 */
export class ThreadDraws implements DrawSource {
  private readonly counters: Int32Array;
  private readonly chunks: DrawChunk[];
  private readonly worker: Worker;
  /** Chunks taken so far; the last one taken is in use until the next is asked for. */
  private taken = 0;
  /** The run's own draws while the thread has not caught up; undefined once it has. */
  private own: { draws: RecordDraws; chunk: DrawChunk } | undefined;

  /** Test hooks: `threadPlan`, what the thread is given if not `plan` (a thread that fails);
   *  `head`, the number of chunks the run draws itself whatever the thread has written. */
  private readonly head: number | undefined;

  constructor(plan: DrawPlan, hooks: { threadPlan?: DrawPlan; head?: number } = {}) {
    const threadPlan = hooks.threadPlan ?? plan;
    this.head = hooks.head;
    const ring = ringBuffers();
    this.counters = new Int32Array(ring.counters);
    this.chunks = ringChunks(ring);
    const ts = import.meta.url.endsWith(".ts");
    const file = new URL(`./draw-worker${ts ? ".ts" : ".js"}`, import.meta.url);
    const workerData = { plan: threadPlan, ring };
    // A .ts worker (under tsx or vitest) is imported once tsx's loader is in the thread; dist
    // runs plain .js.
    this.worker = ts
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`,
          { eval: true, workerData },
        )
      : new Worker(file, { workerData });
    // The run ends the thread (close); it never keeps the process alive.
    this.worker.unref();
    this.own = { draws: RecordDraws.of(plan), chunk: new DrawChunk(CHUNK_RECORDS) };
  }

  next(): DrawChunk {
    const k = this.taken;
    this.taken = k + 1;
    const counters = this.counters;
    const own = this.own;
    if (own) {
      const written = Atomics.load(counters, WRITTEN);
      if (
        this.head === undefined ? written <= k || Atomics.load(counters, STATE) === FAILED : k < this.head
      ) {
        // Not written yet: drawn here, and the chunks the thread wrote up to this one given back.
        own.draws.fill(own.chunk);
        this.release(k + 1);
        return own.chunk;
      }
      this.own = undefined;
    }
    // Every chunk before this one is done with: given back as the thread writes them (after the
    // run drew its first chunks itself, the thread may have written few of them yet).
    for (;;) {
      const written = Atomics.load(counters, WRITTEN);
      if (written > k) break;
      this.release(k, true);
      if (Atomics.load(counters, STATE) === FAILED)
        throw new Error("the thread drawing a producer's records failed (its error is printed above)");
      if (Atomics.wait(counters, WRITTEN, written, GONE_MS) === "timed-out")
        throw new Error(`the thread drawing a producer's records wrote nothing for ${GONE_MS / 1000} s`);
    }
    this.release(k);
    const chunk = this.chunks[k % RING_CHUNKS]!;
    chunk.n = Atomics.load(counters, COUNTS + (k % RING_CHUNKS));
    return chunk;
  }

  /**
   * Gives the thread back its chunks before `k` — those it has written: a chunk given back before
   * it is written would let the thread run a whole ring ahead, over chunks not yet read. A thread
   * waiting for room is woken every WAKE_EVERY chunks, or at once with `wake` (the run is about
   * to wait for it): a wake-up per chunk cost R4's run about 2.5% in system calls.
   */
  private release(k: number, wake = false): void {
    const upTo = Math.min(k, Atomics.load(this.counters, WRITTEN));
    if (upTo > this.released) {
      this.released = upTo;
      Atomics.store(this.counters, RELEASED, upTo);
    }
    if (this.released > this.woken && (wake || this.released - this.woken >= WAKE_EVERY)) {
      this.woken = this.released;
      Atomics.notify(this.counters, RELEASED);
    }
  }

  /** Chunks given back (only this thread writes RELEASED), and as of the last wake-up. */
  private released = 0;
  private woken = 0;

  /** Whether the run still draws its chunks itself (the thread has not caught up). */
  get drawingHere(): boolean {
    return this.own !== undefined;
  }

  close(): void {
    Atomics.store(this.counters, STATE, STOP);
    Atomics.notify(this.counters, RELEASED);
    void this.worker.terminate();
  }
}
