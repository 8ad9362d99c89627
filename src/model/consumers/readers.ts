// How a consumer gets records out of one shard. A polling reader calls GetRecords in a loop
// under the shard's shared limits; a push reader (enhanced fan-out) receives SubscribeToShard
// events through its own 2 MiB/s pipe. Both hand each batch to the consumer's `handle`, which
// calls `done` when it has finished with it (then the reader fetches again).

import { EFO, READS } from "../../data/consumer-limits.js";
import type { Sampler } from "../../engine/distributions.js";
import type { RandomStream } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import { US_PER_MS, US_PER_S } from "../../engine/time.js";
import type { Shard } from "../shard.js";
import type { ReadResult } from "../shard-log.js";
import type { ConsumerMetrics, ShardCursor } from "./consumer.js";
import type { ConsumerContext } from "./context.js";

/** What a consumer does with a batch: it must call `done()` once, when it is finished with it. */
export type BatchHandler = (batch: ReadResult, nowUs: number, done: () => void) => void;

/** Settings of a polling reader. */
export interface PollingSettings {
  /** Wait after a batch is finished before the next call (KCL: idleTimeBetweenReads). */
  intervalUs: number;
  /** A batch under `belowRecords` means the shard is caught up: wait `waitUs` instead (Lambda
   *  polls a caught-up shard once a second and a busy one at once). */
  caughtUp?: { belowRecords: number; waitUs: number };
  /** Longest wait after a throttled call (the wait is uniform up to it: full jitter). */
  throttleBackoffUs: number;
  maxRecords: number;
  /** GetRecords latency. */
  latency: Sampler;
}

/** Reads one shard with GetRecords, within the shard's shared read limits. */
export class PollingReader {
  private stopped = false;
  private lastCallUs = Number.NEGATIVE_INFINITY;
  private generation = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly shard: Shard,
    readonly cursor: ShardCursor,
    private readonly settings: PollingSettings,
    private readonly metrics: ConsumerMetrics,
    private readonly rng: RandomStream,
    private readonly handle: BatchHandler,
    /** Called once the shard is closed and every record of it has been fetched and finished. */
    private readonly onEnd: () => void = () => {},
  ) {}

  /** Starts polling at `atUs`. */
  start(atUs: number): void {
    this.stopped = false;
    const generation = ++this.generation;
    this.sim.at(Math.max(atUs, this.sim.nowUs), () => this.poll(generation));
  }

  /** Stops after the call or batch in progress (a failed KCL worker, a lease moved away). */
  stop(): void {
    this.stopped = true;
    this.generation++;
  }

  private atEnd(): boolean {
    return endOfShard(this.shard, this.cursor);
  }

  private poll(generation: number): void {
    if (this.stopped || generation !== this.generation) return;
    const now = this.sim.nowUs;
    const c = this.metrics.interval;
    if (this.atEnd()) {
      // A closed shard read to its end (GetRecords returns no NextShardIterator): stop.
      this.stopped = true;
      this.onEnd();
      return;
    }
    if (!this.shard.readLimiter.tryCall(now)) {
      c.throttledCalls++;
      // Full jitter keeps readers that collided from colliding again in step.
      const wait = Math.max(1, Math.floor(this.rng.next() * this.settings.throttleBackoffUs));
      this.sim.schedule(wait, () => this.poll(generation));
      return;
    }
    c.calls++;
    // An iterator unused for 5 minutes has expired: a GetShardIterator round trip comes first.
    const expired =
      now - this.lastCallUs > READS.iteratorLifetimeMs.value * US_PER_MS &&
      this.lastCallUs > Number.NEGATIVE_INFINITY;
    this.lastCallUs = now;
    const cursor = this.cursor;
    const batch = this.shard.log.read(
      cursor.readSeq,
      now,
      this.settings.maxRecords,
      READS.maxBytesPerCall.value,
    );
    this.shard.readLimiter.charge(now, batch.bytes);
    cursor.readSeq = batch.endSeq;
    cursor.inMemory += batch.users;
    let latency = Math.round(this.settings.latency.sample(this.rng));
    if (expired) latency += Math.round(this.settings.latency.sample(this.rng));
    this.sim.schedule(latency, (t) => {
      this.metrics.recordDelivered(t, batch.pieces);
      const last = batch.pieces.at(-1);
      if (last)
        c.iteratorAgeMaxMs = Math.max(
          this.metrics.interval.iteratorAgeMaxMs,
          (t - last.arrivalUs) / US_PER_MS,
        );
      this.handle(batch, t, () => {
        if (generation !== this.generation) return;
        const caughtUp = this.settings.caughtUp;
        const wait =
          caughtUp && batch.records < caughtUp.belowRecords ? caughtUp.waitUs : this.settings.intervalUs;
        // No wait between calls: call again now, not via an event.
        if (wait === 0) this.poll(generation);
        else this.sim.schedule(wait, () => this.poll(generation));
      });
    });
  }
}

/** Whether a reader has fetched everything a closed shard will ever hold. */
function endOfShard(shard: Shard, cursor: ShardCursor): boolean {
  return shard.log.closed && cursor.readSeq >= shard.log.nextSeq;
}

/** Settings of a push reader. */
export interface PushSettings {
  /** Delay from readable to pushed (SubscribeToShard event). */
  pushDelay: Sampler;
  /** Bytes per second of this consumer's pipe on this shard. */
  bytesPerSecond: number;
  /** A subscription lasts this long, then the consumer subscribes again. */
  subscriptionUs: number;
  /** Gap while resubscribing. */
  resubscribeUs: number;
  /** Most records in one event. */
  maxRecords: number;
}

/**
 * Receives one shard's records by enhanced fan-out: pushed through a pipe of its own. Every
 * append is pushed as its own event, a push delay after it became readable (events stay in
 * order); the consumer takes one event at a time, so a slow consumer holds the rest back.
 */
export class PushReader {
  /** Not subscribed until started. */
  private stopped = true;
  private busy = false;
  /** Events on their way: each carries what was readable at its cutoff. */
  private readonly pending: { cutoffUs: number; atUs: number }[] = [];
  private lastAtUs = 0;
  private subscribedUntilUs = 0;
  /** Pipe allowance in units of 1e-6 byte; may go negative after a large event. */
  private tokens: number;
  private lastRefillUs = 0;
  private generation = 0;
  /** The generation whose wait for the pipe to refill is scheduled, or -1. */
  private refillWaitGeneration = -1;

  constructor(
    private readonly sim: Simulation,
    private readonly shard: Shard,
    readonly cursor: ShardCursor,
    private readonly settings: PushSettings,
    private readonly metrics: ConsumerMetrics,
    private readonly rng: RandomStream,
    private readonly handle: BatchHandler,
    /** Called once the shard is closed and every record of it has been delivered and finished. */
    private readonly onEnd: () => void = () => {},
  ) {
    this.tokens = settings.bytesPerSecond * US_PER_S;
    shard.log.onAppend(() => {
      if (this.stopped) return;
      if (this.shard.log.closed) this.checkEnd();
      else this.enqueue(this.sim.nowUs + this.shard.log.propagationUs);
    });
  }

  /** The subscription ends with the shard: the last event carried its end (ChildShards). */
  private checkEnd(): void {
    if (this.stopped || this.busy || this.pending.length > 0 || !endOfShard(this.shard, this.cursor)) return;
    this.stopped = true;
    this.generation++;
    this.onEnd();
  }

  /** Subscribes at `atUs`, from the cursor's position. */
  start(atUs: number): void {
    this.stopped = false;
    this.generation++;
    this.busy = false;
    this.pending.length = 0;
    const now = Math.max(atUs, this.sim.nowUs);
    this.subscribedUntilUs = now + this.settings.subscriptionUs;
    this.lastAtUs = now;
    // Whatever is already readable comes in a first event.
    const readable = this.shard.log.readableAt(this.cursor.readSeq);
    if (readable !== Number.POSITIVE_INFINITY) this.enqueue(Math.max(now, readable));
    else if (this.shard.log.closed) this.sim.at(now, () => this.checkEnd());
  }

  /** Ends the subscription. */
  stop(): void {
    this.stopped = true;
    this.generation++;
    this.pending.length = 0;
  }

  private enqueue(cutoffUs: number): void {
    let at = Math.max(cutoffUs + Math.round(this.settings.pushDelay.sample(this.rng)), this.lastAtUs);
    // A subscription lasts five minutes; the consumer then subscribes again.
    if (at >= this.subscribedUntilUs) {
      at = Math.max(at, this.subscribedUntilUs + this.settings.resubscribeUs);
      this.subscribedUntilUs = at + this.settings.subscriptionUs;
    }
    this.lastAtUs = at;
    this.pending.push({ cutoffUs, atUs: at });
    const generation = this.generation;
    this.sim.at(at, () => this.deliver(generation));
  }

  private refill(nowUs: number): number {
    const cap = this.settings.bytesPerSecond * US_PER_S;
    this.tokens = Math.min(cap, this.tokens + this.settings.bytesPerSecond * (nowUs - this.lastRefillUs));
    this.lastRefillUs = nowUs;
    return this.tokens / US_PER_S;
  }

  /** Delivers the next due event, if the consumer is free and the pipe has room. */
  private deliver(generation: number): void {
    if (this.stopped || generation !== this.generation || this.busy) return;
    const now = this.sim.nowUs;
    const next = this.pending[0];
    if (!next) {
      this.checkEnd();
      return;
    }
    if (next.atUs > now) return;
    const room = this.refill(now);
    if (room <= 0) {
      // The pipe is in debt after a large event: wait until it has refilled (one wait at a time:
      // every due event would otherwise start a wait of its own).
      if (this.refillWaitGeneration === generation) return;
      this.refillWaitGeneration = generation;
      this.sim.schedule(Math.ceil((-room / this.settings.bytesPerSecond) * US_PER_S) + 1, () => {
        if (this.refillWaitGeneration === generation) this.refillWaitGeneration = -1;
        this.deliver(generation);
      });
      return;
    }
    this.pending.shift();
    const batch = this.shard.log.read(
      this.cursor.readSeq,
      next.cutoffUs,
      this.settings.maxRecords,
      Math.max(1, room),
    );
    if (batch.records === 0) {
      this.deliver(generation);
      return;
    }
    // What the pipe could not carry yet rides in the following event.
    if (
      batch.endSeq < this.shard.log.nextSeq &&
      this.shard.log.readableAt(batch.endSeq) <= next.cutoffUs &&
      this.pending.length === 0
    ) {
      this.pending.push({ cutoffUs: next.cutoffUs, atUs: now });
    }
    this.tokens -= batch.bytes * US_PER_S;
    this.cursor.readSeq = batch.endSeq;
    this.cursor.inMemory += batch.users;
    const c = this.metrics.interval;
    c.events++;
    this.metrics.recordDelivered(now, batch.pieces);
    const behind = this.shard.log.arrivalOf(this.cursor.readSeq);
    c.millisBehindLatestMaxMs = Math.max(
      c.millisBehindLatestMaxMs,
      behind === undefined ? 0 : (now - behind) / US_PER_MS,
    );
    this.busy = true;
    this.handle(batch, now, () => {
      if (generation !== this.generation) return;
      this.busy = false;
      this.deliver(generation);
    });
  }
}

/** Enhanced fan-out settings: AWS's pipe and subscription lifetime, with the run's push delay. */
export function pushSettings(pushLatency: Sampler): PushSettings {
  return {
    pushDelay: pushLatency,
    bytesPerSecond: EFO.bytesPerSecondPerConsumerShard.value,
    subscriptionUs: EFO.subscriptionLifetimeMs.value * 1000,
    // Time to subscribe again after the 5-minute subscription ends: not documented; a modelling
    // choice of one round trip.
    resubscribeUs: 100_000,
    maxRecords: 10_000,
  };
}

/** Either kind of reader. */
export type ShardReader = PollingReader | PushReader;

/** How a consumer reads its shards: GetRecords polling with these settings, or enhanced fan-out. */
export type Retrieval = { polling: Omit<PollingSettings, "latency"> } | "efo";

/** A reader of one shard for a consumer, of the kind its retrieval asks for. */
export function readerFor(
  context: ConsumerContext,
  retrieval: Retrieval,
  shard: Shard,
  cursor: ShardCursor,
  metrics: ConsumerMetrics,
  rng: RandomStream,
  handle: BatchHandler,
  onEnd: () => void,
): ShardReader {
  const { sim } = context;
  return retrieval === "efo"
    ? new PushReader(sim, shard, cursor, pushSettings(context.pushLatency), metrics, rng, handle, onEnd)
    : new PollingReader(
        sim,
        shard,
        cursor,
        { ...retrieval.polling, latency: context.getRecordsLatency },
        metrics,
        rng,
        handle,
        onEnd,
      );
}
