// A worker thread drawing one producer's records ahead of the run (see draw-threads.ts): it fills
// the ring's chunks in order, waiting while every chunk is written and not yet given back.

import { workerData } from "node:worker_threads";
import { type DrawPlan, RecordDraws } from "../model/record-draws.js";
import {
  COUNTS,
  FAILED,
  RELEASED,
  RING_CHUNKS,
  type RingBuffers,
  ringChunks,
  STATE,
  WRITTEN,
} from "./draw-ring.js";

const { plan, ring } = workerData as { plan: DrawPlan; ring: RingBuffers };
const counters = new Int32Array(ring.counters);
const chunks = ringChunks(ring);

/** Fills chunks until the last, or until the run says stop. */
function drawAll(draws: RecordDraws): void {
  for (let k = 0; ; k++) {
    for (;;) {
      if (Atomics.load(counters, STATE) !== 0) return;
      const released = Atomics.load(counters, RELEASED);
      if (k - released < RING_CHUNKS) break;
      Atomics.wait(counters, RELEASED, released);
    }
    const chunk = chunks[k % RING_CHUNKS]!;
    draws.fill(chunk);
    Atomics.store(counters, COUNTS + (k % RING_CHUNKS), chunk.n);
    Atomics.store(counters, WRITTEN, k + 1);
    Atomics.notify(counters, WRITTEN);
    if (chunk.last) return;
  }
}

try {
  drawAll(RecordDraws.of(plan));
} catch (e) {
  // The run may be waiting on WRITTEN: wake it to report the failure.
  console.error(e);
  Atomics.store(counters, STATE, FAILED);
  Atomics.notify(counters, WRITTEN);
}
