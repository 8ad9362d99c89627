// The shared memory between a run and a thread drawing a producer's records (draw-threads.ts,
// draw-worker.ts): a ring of chunks, each a DrawChunk's columns, and three counters — chunks
// written, chunks given back, and a flag to stop or to say the thread failed.

import { DrawChunk } from "../model/record-draws.js";

/** Records a chunk; chunks in the ring. 64 × 4,096 records: 6.5 s of 40,000 records/s, so that the
 *  thread, faster on average, can fall behind for a moment (its collector, the scheduler) unnoticed. */
const CHUNK_RECORDS = 4096;
const RING_CHUNKS = 64;

/** Indices into the ring's counters. */
export const WRITTEN = 0;
export const RELEASED = 1;
/** 1: the run asks the thread to stop; 2: the thread failed (it prints why). */
export const STATE = 2;
export const STOP = 1;
export const FAILED = 2;
/** Records in each chunk, from this index on. */
export const COUNTS = 4;

/** A ring's size: chunks, and records a chunk. */
export interface RingSize {
  chunks: number;
  records: number;
}

export const RING: RingSize = { chunks: RING_CHUNKS, records: CHUNK_RECORDS };

/** The ring's buffers: what a worker is given. */
export interface RingBuffers {
  size: RingSize;
  counters: SharedArrayBuffer;
  timeUs: SharedArrayBuffer;
  keyIndex: SharedArrayBuffer;
  position: SharedArrayBuffer;
  bytes: SharedArrayBuffer;
  instance: SharedArrayBuffer;
}

/** New buffers for a ring. */
export function ringBuffers(size: RingSize = RING): RingBuffers {
  const n = size.records * size.chunks;
  return {
    size,
    counters: new SharedArrayBuffer(4 * (COUNTS + size.chunks)),
    timeUs: new SharedArrayBuffer(8 * n),
    keyIndex: new SharedArrayBuffer(4 * n),
    position: new SharedArrayBuffer(8 * n),
    bytes: new SharedArrayBuffer(8 * n),
    instance: new SharedArrayBuffer(4 * n),
  };
}

/** The ring's chunks as views of its buffers (each thread makes its own). */
export function ringChunks(b: RingBuffers): DrawChunk[] {
  const C = b.size.records;
  return Array.from(
    { length: b.size.chunks },
    (_, k) =>
      new DrawChunk(C, {
        timeUs: new Float64Array(b.timeUs, 8 * k * C, C),
        keyIndex: new Int32Array(b.keyIndex, 4 * k * C, C),
        position: new Float64Array(b.position, 8 * k * C, C),
        bytes: new Float64Array(b.bytes, 8 * k * C, C),
        instance: new Int32Array(b.instance, 4 * k * C, C),
      }),
  );
}
