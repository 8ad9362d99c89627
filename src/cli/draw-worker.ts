// A worker thread drawing one producer's records ahead of the run (see draw-threads.ts): it fills
// the ring's chunks in order, waiting while every chunk is written and not yet given back.

import { workerData } from "node:worker_threads";
import { type DrawPlan, RecordDraws } from "../model/record-draws.js";
import { COUNTS, FAILED, RELEASED, type RingBuffers, ringChunks, STATE, WRITTEN } from "./draw-ring.js";

const { plan, ring, failAfter } = workerData as { plan: DrawPlan; ring: RingBuffers; failAfter?: number };
const counters = new Int32Array(ring.counters);
const chunks = ringChunks(ring);
const size = ring.size.chunks;

/** Fills chunks until the last, or until the run says stop. */
function drawAll(draws: RecordDraws): void {
  for (let k = 0; ; k++) {
    for (;;) {
      if (Atomics.load(counters, STATE) !== 0) return;
      const released = Atomics.load(counters, RELEASED);
      if (k - released < size) break;
      Atomics.wait(counters, RELEASED, released);
    }
    // A test hook: a thread that fails after so many chunks.
    if (k === failAfter) throw new Error(`failing after ${k} chunks, as the test asked`);
    const chunk = chunks[k % size]!;
    draws.fill(chunk);
    Atomics.store(counters, COUNTS + (k % size), chunk.n);
    Atomics.store(counters, WRITTEN, k + 1);
    Atomics.notify(counters, WRITTEN);
    if (chunk.last) return;
  }
}

try {
  drawAll(RecordDraws.of(plan));
} catch (e) {
  // The run sees the flag within its next wait's slice and draws the rest itself.
  process.stderr.write(
    `kinesim: the thread drawing a producer's records failed, so the run draws them itself: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  Atomics.store(counters, STATE, FAILED);
  Atomics.notify(counters, WRITTEN);
}
