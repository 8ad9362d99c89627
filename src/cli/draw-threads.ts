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
  expectedDraws,
  RecordDraws,
} from "../model/record-draws.js";
import {
  COUNTS,
  FAILED,
  RELEASED,
  RING,
  type RingSize,
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

/** The run waits for a chunk in slices of this long, looking for a failed thread after each; after
 *  this many slices with nothing written, it takes the thread for gone and draws the rest itself. */
const WAIT_SLICE_MS = 100;
const GONE_SLICES = 100;

/**
 * Hands producers a thread each while `threads` last, to the largest: producers start in the
 * scenario's order, so a producer expected to draw more than one holding a thread takes the
 * smallest holder's, which goes on drawing in the run's thread (the same draws: see handBack).
 */
export class DrawThreads {
  private readonly open: { draws: ThreadDraws; expected: number; stream: string }[] = [];
  private startedThreads = 0;

  constructor(
    private threads: number,
    private readonly minRecords = THREAD_MIN_RECORDS,
  ) {}

  /** The draws of a plan on a thread of their own, or undefined to draw them in the run's thread. */
  readonly source = (plan: DrawPlan): DrawSource | undefined => {
    const expected = expectedDraws(plan);
    if (this.threads <= 0 || expected < this.minRecords) return undefined;
    if (this.open.length >= this.threads) {
      // Every thread is held: the smallest holder expected to draw fewer gives its thread up.
      let smallest = -1;
      for (let i = 0; i < this.open.length; i++)
        if (
          this.open[i]!.expected < expected &&
          (smallest < 0 || this.open[i]!.expected < this.open[smallest]!.expected)
        )
          smallest = i;
      if (smallest < 0) return undefined;
      this.open[smallest]!.draws.handBack();
      this.open.splice(smallest, 1);
    }
    let s: ThreadDraws;
    try {
      s = new ThreadDraws(plan);
    } catch (e) {
      // No thread to be had (a permission model, say): the producer draws in the run's thread.
      process.stderr.write(
        `kinesim: no thread to draw a producer's records on, so the run draws them itself: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      this.threads = 0;
      return undefined;
    }
    this.open.push({ draws: s, expected, stream: plan.stream });
    this.startedThreads++;
    return s;
  };

  /** Number of threads started (a thread handed on to a larger producer counts once each). */
  get started(): number {
    return this.startedThreads;
  }

  /** The traffic streams (see DrawPlan) of the producers whose draws are on a thread, in the order
   *  they were given one. */
  get holders(): string[] {
    return this.open.map((o) => o.stream);
  }

  /** Stops every thread. */
  close(): void {
    for (const o of this.open) o.draws.close();
  }
}

/** Test hooks of ThreadDraws. */
export interface ThreadHooks {
  /** What the thread is given, if not the plan (a thread that fails). */
  threadPlan?: DrawPlan;
  /** The number of chunks the run draws itself before it takes the thread's, whatever is written. */
  head?: number;
  /** The ring's size. */
  ring?: RingSize;
  /** The thread fails after writing this many chunks. */
  failAfter?: number;
}

/**
 * One producer's draws, made by a worker thread into a ring of chunks. While the thread starts
 * (Node and the drawing modules: about 50–100 ms), the run draws the chunks it needs itself, from
 * the same plan, and takes the thread's from the first the thread has written in time; the thread
 * draws every chunk from the first (it cannot skip one without drawing it), so it gives back those
 * the run drew. A thread that fails, cannot start, or writes nothing for GONE_SLICES slices is
 * given up: the run draws the rest itself, from the plan again, past the chunks it has taken —
 * the same draws, so the same run.
 */
export class ThreadDraws implements DrawSource {
  private readonly counters: Int32Array;
  private readonly chunks: DrawChunk[];
  private readonly size: RingSize;
  private readonly worker: Worker;
  private readonly head: number | undefined;
  /** Chunks taken so far; the last one taken is in use until the next is asked for. */
  private taken = 0;
  /** The run's own draws: while the thread has not caught up, or for good once it is given up;
   *  undefined while the chunks come from the thread. */
  private own: { draws: RecordDraws; chunk: DrawChunk } | undefined;
  private givenUp = false;
  private closed = false;
  /** Chunks given back (only this thread writes RELEASED), and as of the last wake-up. */
  private released = 0;
  private woken = 0;

  constructor(
    private readonly plan: DrawPlan,
    hooks: ThreadHooks = {},
  ) {
    const ring = ringBuffers(hooks.ring ?? RING);
    this.size = ring.size;
    this.counters = new Int32Array(ring.counters);
    this.chunks = ringChunks(ring);
    this.head = hooks.head;
    const ts = import.meta.url.endsWith(".ts");
    const file = new URL(`./draw-worker${ts ? ".ts" : ".js"}`, import.meta.url);
    const workerData = {
      plan: hooks.threadPlan ?? plan,
      ring,
      ...(hooks.failAfter !== undefined ? { failAfter: hooks.failAfter } : {}),
    };
    // A .ts worker (under tsx or vitest) is imported once tsx's loader is in the thread; dist
    // runs plain .js.
    this.worker = ts
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`,
          { eval: true, workerData },
        )
      : new Worker(file, { workerData });
    // A thread that cannot load or dies (what it catches it reports itself) is seen when the run
    // next turns its event loop, or by its waits' slices: the run then draws the rest itself.
    this.worker.on("error", (e) => {
      process.stderr.write(
        `kinesim: the thread drawing a producer's records stopped, so the run draws them itself: ${e.message}\n`,
      );
      Atomics.store(this.counters, STATE, FAILED);
    });
    this.worker.on("exit", (code) => {
      if (code !== 0 && !this.closed) Atomics.store(this.counters, STATE, FAILED);
    });
    // The run ends the thread (close); it never keeps the process alive.
    this.worker.unref();
    this.own = this.ownDraws(0);
  }

  /** The run's own draws from the plan, its first `skip` chunks drawn and dropped. */
  private ownDraws(skip: number): { draws: RecordDraws; chunk: DrawChunk } {
    const own = { draws: RecordDraws.of(this.plan), chunk: new DrawChunk(this.size.records) };
    for (let j = 0; j < skip; j++) own.draws.fill(own.chunk);
    return own;
  }

  next(): DrawChunk {
    const k = this.taken;
    this.taken = k + 1;
    const counters = this.counters;
    const own = this.own;
    if (own) {
      if (this.givenUp || Atomics.load(counters, STATE) === FAILED) {
        this.givenUp = true;
        own.draws.fill(own.chunk);
        return own.chunk;
      }
      const written = Atomics.load(counters, WRITTEN);
      if (this.head === undefined ? written <= k : k < this.head) {
        // Not written yet: drawn here, and the chunks the thread wrote up to this one given back.
        own.draws.fill(own.chunk);
        this.release(k + 1);
        return own.chunk;
      }
      this.own = undefined;
    }
    // Every chunk before this one is done with: given back as the thread writes them (after the
    // run drew its first chunks itself, the thread may have written few of them yet).
    for (let idle = 0; ; ) {
      if (Atomics.load(counters, STATE) === FAILED) return this.drawHereFrom(k);
      const written = Atomics.load(counters, WRITTEN);
      if (written > k) break;
      this.release(k, true);
      if (Atomics.wait(counters, WRITTEN, written, WAIT_SLICE_MS) !== "timed-out") idle = 0;
      else if (++idle === GONE_SLICES) {
        process.stderr.write(
          `kinesim: the thread drawing a producer's records wrote nothing for ${(GONE_SLICES * WAIT_SLICE_MS) / 1000} s, so the run draws them itself\n`,
        );
        return this.drawHereFrom(k);
      }
    }
    this.release(k);
    const chunk = this.chunks[k % this.size.chunks]!;
    chunk.n = Atomics.load(counters, COUNTS + (k % this.size.chunks));
    return chunk;
  }

  /** Gives the thread up at chunk `k`: the plan's draws again, chunk `k` the first kept. */
  private drawHereFrom(k: number): DrawChunk {
    this.close();
    const own = this.ownDraws(k);
    own.draws.fill(own.chunk);
    this.own = own;
    this.givenUp = true;
    return own.chunk;
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

  /**
   * Gives the thread up for another producer's, silently: the run draws the rest itself, as when
   * the thread fails. Still drawing its first chunks itself, it simply goes on; taking the
   * thread's already, it draws the plan again past the chunks taken (the chunk in use stays in
   * the ring, which the stopped thread no longer writes: it was never given back).
   */
  handBack(): void {
    if (this.closed) return;
    this.close();
    this.givenUp = true;
    this.own ??= this.ownDraws(this.taken);
  }

  /** Whether the run draws its chunks itself (the thread has not caught up, or was given up). */
  get drawingHere(): boolean {
    return this.own !== undefined;
  }

  /** Whether the thread was given up (it failed, or wrote nothing for too long). */
  get threadGivenUp(): boolean {
    return this.givenUp;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.compareExchange(this.counters, STATE, 0, STOP);
    Atomics.notify(this.counters, RELEASED);
    void this.worker.terminate();
  }
}
