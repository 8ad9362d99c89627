// A producer's records at record resolution, drawn ahead in chunks: each record's arrival time,
// partition key, key position, size and instance — everything a producer draws from its traffic
// stream, in the order it draws it. The draws depend on nothing the simulation does (not on
// throttling, batching or time), so they can be made before they are needed: in the producer's
// own thread (InlineDraws), or on another core (src/cli/draw-threads.ts) from the same plan,
// number for number.

import { compileDistribution, type Sampler } from "../engine/distributions.js";
import { RandomStream } from "../engine/random.js";
import { roundUs } from "../engine/time.js";
import type { ResolvedProducer } from "../scenario/schema.js";
import { KeySpace } from "./keys.js";
import { ArrivalClock, rateFunction } from "./traffic.js";

/** Everything that decides a producer's record draws: plain data, so a worker thread can take it. */
export interface DrawPlan {
  /** The run's seed and the producer's traffic stream name (see RandomStreams). */
  seed: string;
  stream: string;
  producer: Pick<
    ResolvedProducer,
    "rate" | "start" | "arrivals" | "partitionKey" | "recordSize" | "instances" | "keyAffinity"
  >;
  stopUs: number;
  runEndUs: number;
  /** Records carry their partition key's bytes (Kinesis streams; not delivery streams). */
  keyed: boolean;
  /** Largest record the target takes: a larger one is rejected before it is given an instance. */
  maxRecordBytes: number;
}

/** The records a plan is expected to draw (its rate's integral over its active time). */
export function expectedDraws(plan: DrawPlan): number {
  const p = plan.producer;
  return rateFunction(p.rate, p.start, plan.stopUs, plan.runEndUs).integral(p.start, plan.stopUs);
}

/** Records drawn ahead, in arrival order; `n` of the capacity are filled. */
export class DrawChunk {
  n = 0;
  /** Arrival time, whole µs. */
  readonly timeUs: Float64Array;
  /** Named key index, or −1 for a random key. */
  readonly keyIndex: Int32Array;
  /** Hash-space position of a random key (0 for a named one). */
  readonly position: Float64Array;
  /** Bytes, partition key included where the target keeps keys. */
  readonly bytes: Float64Array;
  /** Instance (client) sending it; not drawn for a rejected record. */
  readonly instance: Int32Array;

  constructor(
    readonly capacity: number,
    buffers?: {
      timeUs: Float64Array;
      keyIndex: Int32Array;
      position: Float64Array;
      bytes: Float64Array;
      instance: Int32Array;
    },
  ) {
    this.timeUs = buffers?.timeUs ?? new Float64Array(capacity);
    this.keyIndex = buffers?.keyIndex ?? new Int32Array(capacity);
    this.position = buffers?.position ?? new Float64Array(capacity);
    this.bytes = buffers?.bytes ?? new Float64Array(capacity);
    this.instance = buffers?.instance ?? new Int32Array(capacity);
  }

  /** Whether this is the last chunk: it was not filled. */
  get last(): boolean {
    return this.n < this.capacity;
  }
}

/** Where a producer takes its drawn records from, a chunk at a time. */
export interface DrawSource {
  /** The next chunk (the one before it is given up); a chunk not filled is the last. */
  next(): DrawChunk;
  /** Lets go of the source (the run is over). */
  close(): void;
}

/** Draws a producer's records in the order a producer drew them one by one before they were made
 *  ahead (its arrival clock's chain, then each record's key, size and instance): the goldens of the
 *  examples at record resolution hold that order, and test/model/record-columns.test.ts checks
 *  that a plan alone gives the producer's own draws. */
export class RecordDraws {
  /** The next arrival, fractional µs (Infinity: none before stop). */
  private pendingUs: number;

  constructor(
    private readonly clock: ArrivalClock,
    private readonly rng: RandomStream,
    private readonly keys: KeySpace,
    private readonly size: Sampler,
    private readonly plan: Pick<DrawPlan, "stopUs" | "keyed" | "maxRecordBytes" | "producer">,
  ) {
    this.pendingUs = clock.next(plan.producer.start);
  }

  /** The draws of a plan, from a fresh stream of its name (another thread's copy of a producer's). */
  static of(plan: DrawPlan): RecordDraws {
    const p = plan.producer;
    const rng = new RandomStream(plan.seed, plan.stream);
    const rate = rateFunction(p.rate, p.start, plan.stopUs, plan.runEndUs);
    return new RecordDraws(
      new ArrivalClock(rate, p.arrivals, rng, plan.stopUs),
      rng,
      KeySpace.of(p.partitionKey),
      compileDistribution({ ...p.recordSize, clampMin: 0 }),
      plan,
    );
  }

  /** Fills `chunk` with the next records, up to its capacity; fewer means none are left. */
  fill(chunk: DrawChunk): void {
    const { stopUs, keyed, maxRecordBytes } = this.plan;
    const instances = this.plan.producer.instances;
    const affinity = this.plan.producer.keyAffinity;
    const { rng, keys, size, clock } = this;
    const capacity = chunk.capacity;
    let pending = this.pendingUs;
    let i = 0;
    // As ArrivalClock.chain: an arrival comes if its unrounded time is before stop, at that
    // time rounded to a µs, and the next is drawn from the rounded time.
    for (; i < capacity && pending < stopUs; i++) {
      const t = roundUs(pending);
      chunk.timeUs[i] = t;
      // As Producer.drawRecord, then instanceFor for a record the target does not reject.
      const keyIndex = keys.sample(rng);
      chunk.keyIndex[i] = keyIndex;
      chunk.position[i] = keyIndex < 0 ? rng.next() : 0;
      const bytes = Math.round(size.sample(rng)) + (keyed ? keys.bytesOf(keyIndex) : 0);
      chunk.bytes[i] = bytes;
      chunk.instance[i] =
        bytes > maxRecordBytes || instances === 1
          ? 0
          : affinity && keyIndex >= 0
            ? keyIndex % instances
            : rng.int(instances);
      pending = clock.next(t);
    }
    chunk.n = i;
    this.pendingUs = pending;
  }
}

/** Draws in the producer's own thread, a chunk ahead. */
export class InlineDraws implements DrawSource {
  private readonly chunk: DrawChunk;

  constructor(
    private readonly draws: RecordDraws,
    capacity = 1024,
  ) {
    this.chunk = new DrawChunk(capacity);
  }

  next(): DrawChunk {
    this.draws.fill(this.chunk);
    return this.chunk;
  }

  close(): void {}
}
